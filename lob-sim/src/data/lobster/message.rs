//! The message file: one row per event, [`MessageReader`] → [`LobsterMessage`].

use super::fields::{BadField, Fields, header_columns, quote};
use super::lines::{Content, DataLines, content};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use shortfall_core::{MarketEvent, OrderId, Price, Qty, Side, TradingState, Ts};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// The message file's columns, by the names LOBSTER's documentation gives them; errors name
/// fields with these.
pub const MESSAGE_COLUMNS: [&str; 6] = ["Time", "Type", "Order ID", "Size", "Price", "Direction"];

/// Header spellings accepted per column, after lower-casing and removing spaces and
/// underscores (see [`header_columns`]).
const MESSAGE_HEADER_NAMES: [&[&str]; 6] = [
    &["time", "timestamp"],
    &["type", "eventtype", "event"],
    &["orderid", "id"],
    &["size", "quantity", "shares"],
    &["price"],
    &["direction", "side"],
];

/// The event type of a LOBSTER message (column `Type`, codes 1 to 7).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum LobsterEventType {
    /// 1: a new limit order is submitted and rests in the book.
    Submission = 1,
    /// 2: part of a resting limit order is cancelled; `size` is the amount cancelled.
    Cancellation = 2,
    /// 3: a resting limit order is deleted entirely.
    Deletion = 3,
    /// 4: a visible resting limit order is executed (partly or fully).
    VisibleExecution = 4,
    /// 5: a hidden limit order is executed; the visible book does not change.
    HiddenExecution = 5,
    /// 6: a cross trade, such as the opening or closing auction print. Not in LOBSTER's 2013
    /// sample-file ReadMe, but listed by its later documentation.
    CrossTrade = 6,
    /// 7: a trading-halt indicator; the price column says which (see
    /// [`LobsterMessage::halt_state`]).
    TradingHalt = 7,
}

impl LobsterEventType {
    /// The event type with LOBSTER code `code`, if there is one.
    pub const fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            1 => Self::Submission,
            2 => Self::Cancellation,
            3 => Self::Deletion,
            4 => Self::VisibleExecution,
            5 => Self::HiddenExecution,
            6 => Self::CrossTrade,
            7 => Self::TradingHalt,
            _ => return None,
        })
    }

    /// LOBSTER's code for this event type, 1 to 7.
    pub const fn code(self) -> u8 {
        self as u8
    }
}

/// One row of a LOBSTER message file.
///
/// The units are LOBSTER's own (see the [module documentation](super)): `time` in
/// nanoseconds after midnight, `price` in dollars × 10 000, `size` in shares.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LobsterMessage {
    /// Time of the event, in nanoseconds after midnight (column `Time`).
    pub time: Ts,
    /// What happened (column `Type`).
    pub event_type: LobsterEventType,
    /// The order concerned (column `Order ID`); 0 for halts and some hidden executions.
    pub order_id: OrderId,
    /// Shares added, cancelled or executed (column `Size`); never negative.
    pub size: Qty,
    /// Price in dollars × 10 000 (column `Price`); for [`LobsterEventType::TradingHalt`]
    /// one of −1, 0, 1 (see [`LobsterMessage::halt_state`]).
    pub price: Price,
    /// The side of the *limit order* concerned (column `Direction`: 1 buy, −1 sell). For an
    /// execution, this is the resting (maker) side, not the aggressor's.
    pub direction: Side,
}

impl LobsterMessage {
    /// For a [`LobsterEventType::TradingHalt`] message, the state it announces: price −1 is
    /// a halt, 0 the resumption of quoting only, 1 the resumption of trading (the readers
    /// accept no other price for type 7; a message built by hand with another one reads as
    /// resumed). `None` for every other event type.
    pub fn halt_state(&self) -> Option<TradingState> {
        if self.event_type != LobsterEventType::TradingHalt {
            return None;
        }
        // The reader accepts only these three prices for type 7.
        match self.price.0 {
            -1 => Some(TradingState::Halted),
            0 => Some(TradingState::Quoting),
            _ => Some(TradingState::Trading),
        }
    }

    /// The message as a [`MarketEvent`], with LOBSTER's units kept (see the
    /// [module documentation](super)).
    ///
    /// | Type | LOBSTER meaning | event |
    /// | --- | --- | --- |
    /// | 1 | a limit order is submitted | [`MarketEvent::Add`] on side `direction` |
    /// | 2 | a limit order is partly cancelled | [`MarketEvent::Cancel`], `qty` = shares cancelled |
    /// | 3 | a limit order is deleted | [`MarketEvent::Delete`] |
    /// | 4 | a visible limit order is executed | [`MarketEvent::Execute`], maker side = `direction` |
    /// | 5 | a hidden limit order is executed | [`MarketEvent::Trade`], aggressor = opposite of `direction` |
    /// | 6 | cross (auction) trade | [`MarketEvent::Trade`] without aggressor |
    /// | 7 | trading halt indicator | [`MarketEvent::Status`] (see [`Self::halt_state`]) |
    pub fn to_market_event(&self) -> MarketEvent {
        let ts = self.time;
        match self.event_type {
            // A new limit order enters the book at `price` on side `direction`.
            LobsterEventType::Submission => MarketEvent::Add {
                ts,
                order_id: self.order_id,
                side: self.direction,
                price: self.price,
                qty: self.size,
            },
            // LOBSTER calls a partial deletion a cancellation; `Size` is how many shares
            // were taken away, which is exactly `Cancel`'s `qty`.
            LobsterEventType::Cancellation => MarketEvent::Cancel {
                ts,
                order_id: self.order_id,
                qty: self.size,
            },
            // The whole remaining order leaves the book.
            LobsterEventType::Deletion => MarketEvent::Delete {
                ts,
                order_id: self.order_id,
            },
            // A visible resting order trades; `Direction` is that resting order's side, so
            // it is the maker's side.
            LobsterEventType::VisibleExecution => MarketEvent::Execute {
                ts,
                order_id: self.order_id,
                side: self.direction,
                price: self.price,
                qty: self.size,
            },
            // A hidden resting order trades. The ReadMe notes that executing a sell (buy)
            // limit order is a buyer- (seller-) initiated trade, so the aggressor is on the
            // other side of `Direction`. Hidden orders were never in the visible book, so
            // this is a trade print, not a book change.
            LobsterEventType::HiddenExecution => MarketEvent::Trade {
                ts,
                price: self.price,
                qty: self.size,
                aggressor: Some(self.direction.opposite()),
            },
            // An auction cross matches both sides at once: nobody is the aggressor.
            LobsterEventType::CrossTrade => MarketEvent::Trade {
                ts,
                price: self.price,
                qty: self.size,
                aggressor: None,
            },
            // Halt (price −1), quoting only (0) or trading resumed (1).
            LobsterEventType::TradingHalt => MarketEvent::Status {
                ts,
                state: self.halt_state().unwrap_or(TradingState::Trading),
            },
        }
    }
}

impl From<LobsterMessage> for MarketEvent {
    fn from(message: LobsterMessage) -> Self {
        message.to_market_event()
    }
}

/// Parses one data line of a message file.
#[inline(always)]
fn parse_message(line: &[u8]) -> Result<LobsterMessage, BadField> {
    let mut fields = Fields::new(line, MESSAGE_COLUMNS.len());
    let time = fields.time()?;
    let code = fields.small_code(1..=7, "an event type 1 to 7")?;
    let event_type = LobsterEventType::from_code(code).ok_or_else(|| BadField {
        column: 1,
        reason: format!("expected an event type 1 to 7, got {code}"),
    })?;
    let order_id = OrderId(fields.uint("a non-negative integer order id")?);
    let size = fields.int("an integer number of shares")?;
    if size < 0 {
        return Err(BadField {
            column: 3,
            reason: format!("expected a non-negative number of shares, got {size}"),
        });
    }
    let price = fields.int("an integer price (dollars times 10000)")?;
    let direction = match fields.last_sign("1 (buy) or -1 (sell)")? {
        1 => Side::Buy,
        -1 => Side::Sell,
        other => {
            return Err(BadField {
                column: 5,
                reason: format!("expected 1 (buy) or -1 (sell), got {other}"),
            });
        }
    };
    fields.finish()?;
    if event_type == LobsterEventType::TradingHalt && !(-1..=1).contains(&price) {
        return Err(BadField {
            column: 4,
            reason: format!(
                "a trading halt (Type 7) has price -1 (halted), 0 (quoting) or 1 (resumed), got {price}"
            ),
        });
    }
    Ok(LobsterMessage {
        time,
        event_type,
        order_id,
        size: Qty(size),
        price: Price(price),
        direction,
    })
}

/// Checks a message file's first line when it starts with a letter: `Ok(())` when it is the
/// header, an error naming the first column that does not match otherwise.
fn check_message_header(line: &[u8]) -> Result<(), BadField> {
    let columns = header_columns(line);
    for (column, accepted) in MESSAGE_HEADER_NAMES.iter().enumerate() {
        let found = columns.get(column).map(String::as_str);
        if !found.is_some_and(|name| accepted.contains(&name)) {
            return Err(BadField {
                column,
                reason: format!(
                    "the first line is neither a data row nor the header {}: got {}",
                    MESSAGE_COLUMNS.join(","),
                    quote(line)
                ),
            });
        }
    }
    if columns.len() != MESSAGE_COLUMNS.len() {
        return Err(BadField {
            column: MESSAGE_COLUMNS.len() - 1,
            reason: format!(
                "header has {} columns, expected {}",
                columns.len(),
                MESSAGE_COLUMNS.len()
            ),
        });
    }
    Ok(())
}

/// A streaming reader of a LOBSTER message file: an iterator of
/// [`Result`]`<`[`LobsterMessage`]`>`.
///
/// Memory stays bounded: lines are parsed in place in the input's buffer (or in one reused
/// buffer when a line straddles two reads), and a line longer than
/// [`MAX_LINE_BYTES`](super::MAX_LINE_BYTES) is an error. See the
/// [module documentation](super) for the accepted layout and for what happens after an
/// error.
///
/// ```
/// use shortfall_lob_sim::data::lobster::{LobsterEventType, MessageReader};
/// use shortfall_core::{OrderId, Price, Qty, Side, Ts};
///
/// let csv = "Time,Type,OrderId,Size,Price,Direction\r\n\
///            34200.01746,5,0,1,2238200,-1\r\n\
///            34200.18961,1,11885113,21,2238100,1";
/// let mut reader = MessageReader::new(csv.as_bytes(), "AMZN_message_1.csv");
/// let first = reader.next().unwrap()?;
/// assert_eq!(first.event_type, LobsterEventType::HiddenExecution);
/// assert_eq!(first.price, Price(2_238_200)); // $223.82
/// assert_eq!(first.direction, Side::Sell);
/// let second = reader.next().unwrap()?;
/// assert_eq!((second.time, second.order_id, second.size), (Ts(34_200_189_610_000), OrderId(11885113), Qty(21)));
/// assert!(reader.next().is_none());
///
/// let bad = MessageReader::new(&b"34200.1,1,5,10,22.38,1"[..], "x.csv").next().unwrap();
/// assert_eq!(
///     bad.unwrap_err().to_string(),
///     r#"line 1 of x.csv: field Price: expected an integer price (dollars times 10000), got "22.38""#
/// );
/// # Ok::<(), shortfall_lob_sim::Error>(())
/// ```
#[derive(Debug)]
pub struct MessageReader<R> {
    lines: DataLines<R>,
    label: PathBuf,
}

impl MessageReader<BufReader<File>> {
    /// Opens a message file; errors name its path.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be opened.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        Ok(Self::new(BufReader::with_capacity(1 << 16, file), path))
    }
}

impl<R: BufRead> MessageReader<R> {
    /// A reader of `source`; `label` stands for the file in error messages (a path, or a
    /// name such as `"AMZN_message_1.csv"` for data that is not in a file).
    pub fn new(source: R, label: impl Into<PathBuf>) -> Self {
        Self {
            lines: DataLines::new(source),
            label: label.into(),
        }
    }

    /// The label errors use for the file.
    pub fn label(&self) -> &Path {
        &self.label
    }

    /// The 1-based number of the line last read (0 before the first), header included.
    pub fn line(&self) -> u64 {
        self.lines.line()
    }

    /// The next message, or `None` at the end of the file. The iterator does the same.
    ///
    /// # Errors
    /// [`Error::Malformed`] for a line that is not a valid message (the next call goes on
    /// with the next line); [`Error::ReadAt`] when reading fails or a line is longer than
    /// [`MAX_LINE_BYTES`](super::MAX_LINE_BYTES) (the next call returns `None`).
    pub fn read_message(&mut self) -> Result<Option<LobsterMessage>> {
        loop {
            let Some(line) = self.lines.next_line(&self.label)? else {
                return Ok(None);
            };
            let number = line.number;
            let text = match content(&line, check_message_header) {
                Ok(Content::Header) => continue,
                Ok(Content::Data(text)) => text,
                Err(bad) => return Err(malformed(&self.label, number, bad)),
            };
            return parse_message(text)
                .map(Some)
                .map_err(|bad| malformed(&self.label, number, bad));
        }
    }
}

#[cold]
fn malformed(label: &Path, line: u64, bad: BadField) -> Error {
    Error::Malformed {
        path: label.to_owned(),
        line,
        field: MESSAGE_COLUMNS[bad.column].to_owned(),
        reason: bad.reason,
    }
}

impl<R: BufRead> Iterator for MessageReader<R> {
    type Item = Result<LobsterMessage>;

    fn next(&mut self) -> Option<Self::Item> {
        self.read_message().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_maps_to_the_documented_market_event() {
        let message = |code, price, direction| {
            parse_message(format!("36000.5,{code},42,100,{price},{direction}").as_bytes())
                .expect("a valid line")
                .to_market_event()
        };
        let ts = Ts(36_000_500_000_000);
        let (id, px, qty) = (OrderId(42), Price(2_238_200), Qty(100));
        assert_eq!(
            message(1, 2_238_200, -1),
            MarketEvent::Add {
                ts,
                order_id: id,
                side: Side::Sell,
                price: px,
                qty
            }
        );
        assert_eq!(
            message(2, 2_238_200, 1),
            MarketEvent::Cancel {
                ts,
                order_id: id,
                qty
            }
        );
        assert_eq!(
            message(3, 2_238_200, 1),
            MarketEvent::Delete { ts, order_id: id }
        );
        assert_eq!(
            message(4, 2_238_200, 1),
            MarketEvent::Execute {
                ts,
                order_id: id,
                side: Side::Buy,
                price: px,
                qty
            }
        );
        // Executing a hidden *sell* order is a buyer-initiated trade.
        assert_eq!(
            message(5, 2_238_200, -1),
            MarketEvent::Trade {
                ts,
                price: px,
                qty,
                aggressor: Some(Side::Buy)
            }
        );
        assert_eq!(
            message(6, 2_238_200, 1),
            MarketEvent::Trade {
                ts,
                price: px,
                qty,
                aggressor: None
            }
        );
        for (price, state) in [
            (-1, TradingState::Halted),
            (0, TradingState::Quoting),
            (1, TradingState::Trading),
        ] {
            assert_eq!(message(7, price, -1), MarketEvent::Status { ts, state });
        }
    }

    #[test]
    fn a_halt_with_another_price_is_rejected() {
        let bad = parse_message(b"36023,7,0,0,2,-1").unwrap_err();
        assert_eq!(MESSAGE_COLUMNS[bad.column], "Price");
        assert!(bad.reason.contains("got 2"), "{bad:?}");
    }

    #[test]
    fn event_codes_round_trip() {
        for code in 1..=7 {
            let event_type = LobsterEventType::from_code(code).expect("1..=7 are all defined");
            assert_eq!(i64::from(event_type.code()), code);
        }
        assert_eq!(LobsterEventType::from_code(0), None);
        assert_eq!(LobsterEventType::from_code(8), None);
    }

    #[test]
    fn headers_are_recognised_in_common_spellings() {
        assert!(check_message_header(b"Time,Type,OrderId,Size,Price,Direction").is_ok());
        assert!(check_message_header(b"time,type,order_id,size,price,direction").is_ok());
        assert!(
            check_message_header(b"\"Time\",\"Type\",\"Order ID\",Size,Price,Direction").is_ok()
        );
        assert!(check_message_header(b"Time,Type,OrderId,Size,Price").is_err());
        assert!(check_message_header(b"Time,Type,OrderId,Size,Price,Direction,X").is_err());
        let bad = check_message_header(b"Time,Kind,OrderId,Size,Price,Direction").unwrap_err();
        assert_eq!(MESSAGE_COLUMNS[bad.column], "Type");
    }
}
