//! Reading a message file and its orderbook file in step.

use super::message::{LobsterMessage, MessageReader};
use super::orderbook::{LobsterBookRow, OrderbookReader};
use crate::{Error, Result};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// One message and the book row that follows it (row `k` of the orderbook file is the
/// visible book just after message `k`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LobsterRecord {
    /// The event.
    pub message: LobsterMessage,
    /// The book after the event.
    pub book: LobsterBookRow,
}

/// Reads a LOBSTER message file and its orderbook file together, one
/// [`LobsterRecord`] per row, and checks that both have the same number of rows.
///
/// ```
/// use shortfall_lob_sim::data::lobster::{LobsterReader, MessageReader, OrderbookReader};
/// use shortfall_lob_sim::Error;
///
/// let messages = b"34200.1,1,7,100,2239500,-1\n34200.2,3,7,100,2239500,-1\n";
/// let book = b"2239500,100,2231800,100\n";
/// let mut reader = LobsterReader::new(
///     MessageReader::new(&messages[..], "m.csv"),
///     OrderbookReader::new(&book[..], "b.csv", 1)?,
/// );
/// let first = reader.next().unwrap()?;
/// assert_eq!(first.book.asks()[0].qty.0, 100);
/// let Some(Err(Error::Inconsistent(why))) = reader.next() else { panic!("one row short") };
/// assert_eq!(why, "b.csv ended after 1 rows, but m.csv has more rows");
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug)]
pub struct LobsterReader<M, B> {
    messages: MessageReader<M>,
    book: OrderbookReader<B>,
    rows: u64,
    done: bool,
}

impl LobsterReader<BufReader<File>, BufReader<File>> {
    /// Opens a message file and its orderbook file of `depth` levels.
    ///
    /// # Errors
    /// As [`MessageReader::open`] and [`OrderbookReader::open`].
    pub fn open(
        message_path: impl AsRef<Path>,
        orderbook_path: impl AsRef<Path>,
        depth: usize,
    ) -> Result<Self> {
        Ok(Self::new(
            MessageReader::open(message_path)?,
            OrderbookReader::open(orderbook_path, depth)?,
        ))
    }
}

impl<M: BufRead, B: BufRead> LobsterReader<M, B> {
    /// Pairs a message reader with the reader of its orderbook file.
    pub fn new(messages: MessageReader<M>, book: OrderbookReader<B>) -> Self {
        Self {
            messages,
            book,
            rows: 0,
            done: false,
        }
    }

    /// Rows read from both files so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The next message, with the book after it written into `book` (reusing its memory);
    /// `None` when both files end together.
    ///
    /// # Errors
    /// Those of either reader (the message file's first when both fail; after a malformed
    /// line the next call goes on with the next row of both files, after a read failure it
    /// returns `None`), and [`Error::Inconsistent`], naming both files and the row count, when
    /// one file ends before the other (the next call returns `None`).
    pub fn read_into(&mut self, book: &mut LobsterBookRow) -> Result<Option<LobsterMessage>> {
        if self.done {
            return Ok(None);
        }
        // Read both before looking at either, so that a bad line in one file leaves the two
        // readers on the same row.
        let message = self.messages.read_message();
        let has_row = self.book.read_row_into(book);
        let (message, has_row) = match (message, has_row) {
            (Ok(message), Ok(has_row)) => (message, has_row),
            (Err(error), _) | (_, Err(error)) => {
                self.rows += 1;
                // After a read failure one reader has stopped: the rows no longer pair up.
                self.done = matches!(error, Error::ReadAt { .. });
                return Err(error);
            }
        };
        match (message, has_row) {
            (Some(message), true) => {
                self.rows += 1;
                Ok(Some(message))
            }
            (None, false) => {
                self.done = true;
                Ok(None)
            }
            (Some(_), false) => {
                self.done = true;
                Err(self.uneven(self.book.label(), self.messages.label()))
            }
            (None, true) => {
                self.done = true;
                Err(self.uneven(self.messages.label(), self.book.label()))
            }
        }
    }

    #[cold]
    fn uneven(&self, shorter: &Path, longer: &Path) -> Error {
        Error::Inconsistent(format!(
            "{} ended after {} rows, but {} has more rows",
            shorter.display(),
            self.rows,
            longer.display()
        ))
    }
}

impl<M: BufRead, B: BufRead> Iterator for LobsterReader<M, B> {
    type Item = Result<LobsterRecord>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut book = LobsterBookRow::new(self.book.depth());
        match self.read_into(&mut book) {
            Ok(Some(message)) => Some(Ok(LobsterRecord { message, book })),
            Ok(None) => None,
            Err(error) => Some(Err(error)),
        }
    }
}
