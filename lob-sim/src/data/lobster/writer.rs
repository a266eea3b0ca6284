//! Writing a book as one row of a LOBSTER orderbook file.

use super::{EMPTY_ASK_PRICE, EMPTY_BID_PRICE};
use shortfall_core::{BookView, PriceLevel, Side};
use std::io::{self, Write};

/// Bytes one level can take: four `i64`s of at most 20 characters and four separators.
const LEVEL_BYTES: usize = 4 * 21;

/// Writes the best `levels` levels of `book` as one row of a LOBSTER orderbook file:
/// `Ask Price 1,Ask Size 1,Bid Price 1,Bid Size 1,Ask Price 2,...` and a `\n`, with no header.
///
/// Levels the book does not have are written as LOBSTER writes them: ask price 9999999999,
/// bid price −9999999999, size 0. Prices and sizes are written as the book's integers, so a
/// book in LOBSTER units (dollars × 10 000, shares) gives a row identical to LOBSTER's.
/// [`OrderbookReader`](super::OrderbookReader) reads the row back to the same levels when
/// the book's levels are best first with positive sizes (as every [`BookView`] promises).
///
/// Nothing is allocated: the row is formatted in a buffer on the stack and handed to `w` in
/// pieces of at most 1 KiB, so wrap `w` in a [`std::io::BufWriter`] for files.
///
/// ```
/// use shortfall_lob_sim::data::lobster::{OrderbookReader, write_book_row};
/// use shortfall_core::BookView;
///
/// let row = OrderbookReader::new(&b"2239500,100,2231800,100"[..], "in.csv", 1)?.next().unwrap()?;
/// let mut out = Vec::new();
/// write_book_row(&mut out, &row, 2)?;
/// assert_eq!(out, b"2239500,100,2231800,100,9999999999,0,-9999999999,0\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// `w`'s errors, and [`io::ErrorKind::InvalidInput`] when `levels` is 0 (a LOBSTER row
/// has at least one level).
pub fn write_book_row(w: &mut impl Write, book: &impl BookView, levels: usize) -> io::Result<()> {
    if levels == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a LOBSTER orderbook row has at least 1 level, 0 requested",
        ));
    }
    let empty_ask = PriceLevel {
        price: EMPTY_ASK_PRICE,
        qty: shortfall_core::Qty::ZERO,
    };
    let empty_bid = PriceLevel {
        price: EMPTY_BID_PRICE,
        qty: shortfall_core::Qty::ZERO,
    };
    let mut buf = RowBuffer::new();
    for index in 0..levels {
        if buf.room() < LEVEL_BYTES + 1 {
            w.write_all(buf.filled())?;
            buf.len = 0;
        }
        let ask = book.level(Side::Sell, index).unwrap_or(empty_ask);
        let bid = book.level(Side::Buy, index).unwrap_or(empty_bid);
        if index > 0 {
            buf.push(b',');
        }
        buf.push_int(ask.price.0);
        buf.push(b',');
        buf.push_int(ask.qty.0);
        buf.push(b',');
        buf.push_int(bid.price.0);
        buf.push(b',');
        buf.push_int(bid.qty.0);
    }
    buf.push(b'\n');
    w.write_all(buf.filled())
}

/// A fixed buffer on the stack for formatting one row.
struct RowBuffer {
    bytes: [u8; 1024],
    len: usize,
}

impl RowBuffer {
    fn new() -> Self {
        Self {
            bytes: [0; 1024],
            len: 0,
        }
    }

    fn room(&self) -> usize {
        self.bytes.len() - self.len
    }

    fn filled(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// Appends one byte; the caller keeps [`LEVEL_BYTES`] + 1 bytes of room per level (the
    /// level and the final line end).
    #[inline]
    fn push(&mut self, byte: u8) {
        self.bytes[self.len] = byte;
        self.len += 1;
    }

    /// Appends `value` in decimal: digits are produced least significant first into a small
    /// scratch array, then copied in order.
    #[inline]
    fn push_int(&mut self, value: i64) {
        if value < 0 {
            self.push(b'-');
        }
        let mut magnitude = value.unsigned_abs();
        let mut scratch = [0u8; 20];
        let mut start = scratch.len();
        loop {
            start -= 1;
            scratch[start] = b'0' + (magnitude % 10) as u8;
            magnitude /= 10;
            if magnitude == 0 {
                break;
            }
        }
        let digits = &scratch[start..];
        self.bytes[self.len..self.len + digits.len()].copy_from_slice(digits);
        self.len += digits.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_written_like_display_over_the_whole_range() {
        for value in [
            0,
            7,
            -7,
            10,
            9_999_999_999,
            -9_999_999_999,
            i64::MAX,
            i64::MIN,
        ] {
            let mut buf = RowBuffer::new();
            buf.push_int(value);
            assert_eq!(buf.filled(), value.to_string().as_bytes());
        }
    }

    #[test]
    fn zero_levels_is_an_invalid_input_error() {
        let book = crate::data::lobster::LobsterBookRow::new(1);
        let error = write_book_row(&mut Vec::new(), &book, 0).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
    }
}
