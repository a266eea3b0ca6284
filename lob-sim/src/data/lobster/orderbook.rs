//! The orderbook file: the book after each message, [`OrderbookReader`] →
//! [`LobsterBookRow`].

use super::fields::{BadField, Fields, header_columns, quote};
use super::lines::{Content, DataLines, content};
use super::{EMPTY_ASK_PRICE, EMPTY_BID_PRICE};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use shortfall_core::{BookView, Price, PriceLevel, Qty, Side};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// The four columns of each level, in file order, by LOBSTER's names (level number appended).
const LEVEL_COLUMNS: [&str; 4] = ["Ask Price", "Ask Size", "Bid Price", "Bid Size"];

/// The name LOBSTER gives to 0-based column `column` of an orderbook file, e.g. `Bid Size 2`.
fn column_name(column: usize) -> String {
    format!("{} {}", LEVEL_COLUMNS[column % 4], column / 4 + 1)
}

/// One row of a LOBSTER orderbook file: the visible book after the matching message, to the
/// file's depth.
///
/// Only occupied levels are kept: LOBSTER's placeholders for missing levels (ask price
/// 9999999999, bid price −9999999999, size 0) become the end of [`asks`](Self::asks) or
/// [`bids`](Self::bids). Levels are best first, with LOBSTER's price units (dollars ×
/// 10 000). The row is a [`BookView`], so features and [`write_book_row`](super::write_book_row)
/// take it directly.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LobsterBookRow {
    depth: usize,
    asks: Vec<PriceLevel>,
    bids: Vec<PriceLevel>,
}

impl LobsterBookRow {
    /// An empty row of a file with `depth` levels per side.
    pub fn new(depth: usize) -> Self {
        Self {
            depth,
            asks: Vec::new(),
            bids: Vec::new(),
        }
    }

    /// The number of levels per side that the file holds (LOBSTER's "level" N), occupied or
    /// not.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The occupied ask levels, best (lowest) first; at most [`depth`](Self::depth).
    pub fn asks(&self) -> &[PriceLevel] {
        &self.asks
    }

    /// The occupied bid levels, best (highest) first; at most [`depth`](Self::depth).
    pub fn bids(&self) -> &[PriceLevel] {
        &self.bids
    }

    fn clear(&mut self, depth: usize) {
        self.depth = depth;
        self.asks.clear();
        self.bids.clear();
    }
}

impl BookView for LobsterBookRow {
    #[inline]
    fn level(&self, side: Side, index: usize) -> Option<PriceLevel> {
        match side {
            Side::Buy => self.bids.get(index).copied(),
            Side::Sell => self.asks.get(index).copied(),
        }
    }

    #[inline]
    fn level_count(&self, side: Side) -> usize {
        match side {
            Side::Buy => self.bids.len(),
            Side::Sell => self.asks.len(),
        }
    }
}

/// Adds one level of one side to `levels`, checking LOBSTER's conventions: the placeholder
/// price has size 0 and only placeholders follow it; real levels have positive size and are
/// in strictly worsening price order.
#[inline]
fn push_level(
    levels: &mut Vec<PriceLevel>,
    side: Side,
    level: usize,
    price: i64,
    size: i64,
    price_column: usize,
) -> Result<(), BadField> {
    let empty_price = match side {
        Side::Sell => EMPTY_ASK_PRICE.0,
        Side::Buy => EMPTY_BID_PRICE.0,
    };
    let occupied_so_far = levels.len() == level;
    if price == empty_price {
        if size != 0 {
            return Err(BadField {
                column: price_column + 1,
                reason: format!("an empty level (price {empty_price}) has size 0, got {size}"),
            });
        }
        return Ok(());
    }
    if !occupied_so_far {
        return Err(BadField {
            column: price_column,
            reason: format!(
                "an occupied level (price {price}) follows an empty one (price {empty_price})"
            ),
        });
    }
    if size <= 0 {
        return Err(BadField {
            column: price_column + 1,
            reason: format!("an occupied level (price {price}) has a positive size, got {size}"),
        });
    }
    if let Some(previous) = levels.last()
        && !side.is_better(previous.price, Price(price))
    {
        let order = match side {
            Side::Sell => "above",
            Side::Buy => "below",
        };
        return Err(BadField {
            column: price_column,
            reason: format!(
                "levels out of order: {price} is not {order} the level before ({})",
                previous.price.0
            ),
        });
    }
    levels.push(PriceLevel {
        price: Price(price),
        qty: Qty(size),
    });
    Ok(())
}

/// Parses one data line of an orderbook file of depth `row.depth()` into `row`.
#[inline]
fn parse_row(line: &[u8], row: &mut LobsterBookRow) -> Result<(), BadField> {
    let depth = row.depth;
    let mut fields = Fields::new(line, 4 * depth);
    for level in 0..depth {
        let column = 4 * level;
        let ask_price = fields.int("an integer price (dollars times 10000)")?;
        let ask_size = fields.int("an integer number of shares")?;
        let bid_price = fields.int("an integer price (dollars times 10000)")?;
        let bid_size = fields.int("an integer number of shares")?;
        push_level(
            &mut row.asks,
            Side::Sell,
            level,
            ask_price,
            ask_size,
            column,
        )?;
        push_level(
            &mut row.bids,
            Side::Buy,
            level,
            bid_price,
            bid_size,
            column + 2,
        )?;
    }
    fields.finish()
}

/// True when normalised header column `name` fits 0-based orderbook column `column`.
fn header_name_fits(name: &str, column: usize) -> bool {
    let level = column / 4 + 1;
    let (side, what) = match column % 4 {
        0 => ("ask", "price"),
        1 => ("ask", "size"),
        2 => ("bid", "price"),
        _ => ("bid", "size"),
    };
    let Some(rest) = name.strip_prefix(side) else {
        // Level 1 is often named BestAsk / BestAskVolume / BestBid / BestBidVolume.
        return level == 1
            && name.strip_prefix("best").is_some_and(|rest| {
                rest.strip_prefix(side).is_some_and(|rest| match what {
                    "price" => rest.is_empty() || rest == "price",
                    _ => rest == "size" || rest == "volume" || rest == "qty",
                })
            });
    };
    let names: &[&str] = match what {
        "price" => &["price", ""],
        _ => &["size", "volume", "qty"],
    };
    names.iter().any(|kind| {
        rest.strip_prefix(kind).is_some_and(|number| {
            number == level.to_string() || (level == 1 && number.is_empty() && !kind.is_empty())
        })
    })
}

/// Checks an orderbook file's first line when it starts with a letter: `Ok(())` when it is
/// a header for `depth` levels.
fn check_orderbook_header(line: &[u8], depth: usize) -> Result<(), BadField> {
    let columns = header_columns(line);
    for (column, name) in columns.iter().enumerate().take(4 * depth) {
        if !header_name_fits(name, column) {
            return Err(BadField {
                column,
                reason: format!(
                    "the first line is neither a data row nor a header (Ask Price 1,Ask Size 1,\
                     Bid Price 1,Bid Size 1,...): got {}",
                    quote(line)
                ),
            });
        }
    }
    if columns.len() != 4 * depth {
        return Err(BadField {
            column: columns.len().min(4 * depth - 1),
            reason: format!(
                "header has {} columns, expected {} (4 per level x {depth} levels)",
                columns.len(),
                4 * depth
            ),
        });
    }
    Ok(())
}

/// A streaming reader of a LOBSTER orderbook file with a given number of levels: an iterator
/// of [`Result`]`<`[`LobsterBookRow`]`>`.
///
/// Every row must have exactly 4 × `depth` columns. For no allocation per row, use
/// [`read_row_into`](Self::read_row_into) with one reused row instead of the iterator.
///
/// ```
/// use shortfall_lob_sim::data::lobster::OrderbookReader;
/// use shortfall_core::{BookView, Price, PriceLevel, Qty, Side};
///
/// // Two levels: a full ask side, a bid side with one level and LOBSTER's placeholder.
/// let csv = b"2239500,100,2231800,100,2240000,30,-9999999999,0\n";
/// let mut reader = OrderbookReader::new(&csv[..], "AMZN_orderbook_2.csv", 2)?;
/// let row = reader.next().unwrap()?;
/// assert_eq!(row.asks().len(), 2);
/// assert_eq!(row.level_count(Side::Buy), 1);
/// assert_eq!(row.best_bid(), Some(PriceLevel { price: Price(2_231_800), qty: Qty(100) }));
/// assert_eq!(row.spread(), Some(Price(7_700)));
///
/// let error = OrderbookReader::new(&csv[..], "x.csv", 1)?.next().unwrap().unwrap_err();
/// assert_eq!(error.to_string(), "line 1 of x.csv: field Bid Size 1: line has 8 fields, expected 4");
/// # Ok::<(), shortfall_lob_sim::Error>(())
/// ```
#[derive(Debug)]
pub struct OrderbookReader<R> {
    lines: DataLines<R>,
    label: PathBuf,
    depth: usize,
}

impl OrderbookReader<BufReader<File>> {
    /// Opens an orderbook file with `depth` levels per side; errors name its path.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be opened; as [`OrderbookReader::new`] for `depth`.
    pub fn open(path: impl AsRef<Path>, depth: usize) -> Result<Self> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::new(BufReader::with_capacity(1 << 16, file), path, depth)
    }
}

impl<R: BufRead> OrderbookReader<R> {
    /// A reader of `source`, an orderbook file with `depth` levels per side (the `N` of
    /// LOBSTER's `_orderbook_N.csv`); `label` stands for the file in error messages.
    ///
    /// # Errors
    /// [`Error::Core`] with [`shortfall_core::Error::Invalid`] when `depth` is 0.
    pub fn new(source: R, label: impl Into<PathBuf>, depth: usize) -> Result<Self> {
        if depth == 0 {
            return Err(Error::Core(shortfall_core::Error::Invalid {
                what: "LOBSTER orderbook depth",
                reason: "a file has at least 1 level per side, 0 given".into(),
            }));
        }
        Ok(Self {
            lines: DataLines::new(source),
            label: label.into(),
            depth,
        })
    }

    /// Levels per side that every row holds.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The label errors use for the file.
    pub fn label(&self) -> &Path {
        &self.label
    }

    /// The 1-based number of the line last read (0 before the first), header included.
    pub fn line(&self) -> u64 {
        self.lines.line()
    }

    /// Reads the next row into `row` (reusing its memory); `false` at the end of the file.
    ///
    /// # Errors
    /// [`Error::Malformed`] for a line that is not a valid row (the next call goes on with
    /// the next line; `row` then holds a partial row); [`Error::ReadAt`] when reading fails
    /// or a line is longer than [`MAX_LINE_BYTES`](super::MAX_LINE_BYTES) (the next call
    /// returns `false`).
    pub fn read_row_into(&mut self, row: &mut LobsterBookRow) -> Result<bool> {
        loop {
            let Some(line) = self.lines.next_line(&self.label)? else {
                return Ok(false);
            };
            let number = line.number;
            let depth = self.depth;
            let text = match content(&line, |text| check_orderbook_header(text, depth)) {
                Ok(Content::Header) => continue,
                Ok(Content::Data(text)) => text,
                Err(bad) => return Err(malformed(&self.label, number, bad)),
            };
            row.clear(self.depth);
            return match parse_row(text, row) {
                Ok(()) => Ok(true),
                Err(bad) => Err(malformed(&self.label, number, bad)),
            };
        }
    }
}

#[cold]
fn malformed(label: &Path, line: u64, bad: BadField) -> Error {
    Error::Malformed {
        path: label.to_owned(),
        line,
        field: column_name(bad.column),
        reason: bad.reason,
    }
}

impl<R: BufRead> Iterator for OrderbookReader<R> {
    type Item = Result<LobsterBookRow>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut row = LobsterBookRow::new(self.depth);
        match self.read_row_into(&mut row) {
            Ok(true) => Some(Ok(row)),
            Ok(false) => None,
            Err(error) => Some(Err(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: &str, depth: usize) -> Result<LobsterBookRow, BadField> {
        let mut row = LobsterBookRow::new(depth);
        parse_row(line.as_bytes(), &mut row).map(|()| row)
    }

    #[test]
    fn placeholders_end_a_side_and_nothing_real_may_follow_them() {
        let one_sided = row("9999999999,0,100,5,9999999999,0,99,7", 2).unwrap();
        assert!(one_sided.asks().is_empty());
        assert_eq!(one_sided.bids().len(), 2);
        let bad = row("9999999999,0,100,5,101,3,99,7", 2).unwrap_err();
        assert_eq!(column_name(bad.column), "Ask Price 2");
        let bad = row("101,3,-9999999999,4,102,3,99,7", 1).unwrap_err();
        assert_eq!(column_name(bad.column), "Bid Size 1");
    }

    #[test]
    fn levels_must_worsen_strictly_and_have_positive_size() {
        let bad = row("101,3,99,7,101,3,98,7", 2).unwrap_err();
        assert_eq!(column_name(bad.column), "Ask Price 2");
        assert!(bad.reason.contains("out of order"), "{bad:?}");
        let bad = row("101,3,99,7,102,3,99,7", 2).unwrap_err();
        assert_eq!(column_name(bad.column), "Bid Price 2");
        let bad = row("101,0,99,7", 1).unwrap_err();
        assert_eq!(column_name(bad.column), "Ask Size 1");
    }

    #[test]
    fn headers_are_recognised_in_common_spellings() {
        assert!(check_orderbook_header(b"BestAsk,BestAskVolume,BestBid,BestBidVolume", 1).is_ok());
        assert!(
            check_orderbook_header(
                b"AskPrice1,AskSize1,BidPrice1,BidSize1,ask_price_2,ask_size_2,bid_price_2,bid_size_2",
                2
            )
            .is_ok()
        );
        assert!(
            check_orderbook_header(b"Ask Price 1,Ask Size 1,Bid Price 1,Bid Size 1", 1).is_ok()
        );
        let bad = check_orderbook_header(b"AskPrice1,AskSize1,BidPrice1,BidSize1", 2).unwrap_err();
        assert_eq!(column_name(bad.column), "Ask Price 2");
        assert!(
            bad.reason.contains("header has 4 columns, expected 8"),
            "{bad:?}"
        );
        let bad = check_orderbook_header(b"AskPrice1,AskSize1,BidPrice2,BidSize1", 1).unwrap_err();
        assert_eq!(column_name(bad.column), "Bid Price 1");
    }
}
