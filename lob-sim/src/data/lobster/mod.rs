//! LOBSTER message and orderbook files.
//!
//! [LOBSTER](https://lobsterdata.com) reconstructs NASDAQ limit order books from TotalView-ITCH
//! and publishes, per ticker and day, two CSV files with one row per book-changing event:
//!
//! - the **message file** (`TICKER_date_start_end_message_N.csv`): `Time, Type, Order ID,
//!   Size, Price, Direction`, read by [`MessageReader`] into [`LobsterMessage`]s;
//! - the **orderbook file** (`TICKER_date_start_end_orderbook_N.csv`): for each of the `N`
//!   levels, `Ask Price, Ask Size, Bid Price, Bid Size`, read by [`OrderbookReader`] into
//!   [`LobsterBookRow`]s. Row `k` is the book *after* message `k`.
//!
//! [`LobsterReader`] reads both files in step and checks they have the same number of rows;
//! [`write_book_row`] writes any [`BookView`](shortfall_core::BookView) as an orderbook row, so a
//! replayed book can be compared with LOBSTER's own file byte for byte.
//!
//! # Units
//!
//! - **Time**: seconds after midnight with up to nine decimals, parsed exactly (no floating
//!   point) into [`Ts`](shortfall_core::Ts) nanoseconds after midnight of the trading day.
//! - **Price**: LOBSTER's integer, the dollar price times 10 000, is kept as it is, so one
//!   [`Price`] unit is $0.0001: the matching
//!   [`Instrument`](shortfall_core::Instrument) has `tick_size` 0.0001 (see
//!   [`LOBSTER_TICK_SIZE`]). NASDAQ's real tick for stocks above $1 is one cent, that is
//!   [`NASDAQ_TICK`] = 100 units; divide by 100 where a model needs prices in real ticks.
//! - **Size**: shares, as [`Qty`](shortfall_core::Qty) with a lot size of one share.
//!
//! # Format tolerance
//!
//! Both readers accept files as LOBSTER writes them and as they are commonly re-shared: an
//! optional header row (recognised when the first line starts with a letter and its columns
//! match the expected names, case-insensitively and ignoring spaces and underscores; a first
//! line that starts with a letter but is not such a header is an error), an optional UTF-8
//! byte-order mark, `\n` or `\r\n` line ends, a missing final newline, and one empty line at
//! the very end. Anything else that is not exactly the documented layout is an
//! [`Error::Malformed`](crate::Error::Malformed) naming the file (or the label given for an
//! in-memory reader), the 1-based line and the column by LOBSTER's name for it.
//!
//! # Errors and recovery
//!
//! A malformed line is reported as an error and the reader moves on to the next line, so a
//! caller may log and skip bad lines. An I/O error, or a line longer than
//! [`MAX_LINE_BYTES`], ends the stream: the reader returns `None` after it.
//!
//! ```
//! use shortfall_lob_sim::data::lobster::{LobsterEventType, MessageReader};
//! use shortfall_core::{MarketEvent, OrderId, Price, Qty, Side, Ts};
//!
//! let file = b"34200.004241176,1,16113575,18,5853300,1\n34200.00426064,3,16113575,18,5853300,1\n";
//! let messages: Vec<_> = MessageReader::new(&file[..], "AAPL_message_10.csv")
//!     .collect::<Result<_, _>>()?;
//! assert_eq!(messages[0].time, Ts(34_200_004_241_176));
//! assert_eq!(messages[0].event_type, LobsterEventType::Submission);
//! assert_eq!(
//!     messages[0].to_market_event(),
//!     MarketEvent::Add {
//!         ts: Ts(34_200_004_241_176),
//!         order_id: OrderId(16113575),
//!         side: Side::Buy,
//!         price: Price(5_853_300), // $585.33
//!         qty: Qty(18),
//!     }
//! );
//! assert_eq!(messages[1].time, Ts(34_200_004_260_640));
//! # Ok::<(), shortfall_lob_sim::Error>(())
//! ```

mod fields;
mod lines;
mod message;
mod orderbook;
mod paired;
mod writer;

pub use lines::MAX_LINE_BYTES;
pub use message::{LobsterEventType, LobsterMessage, MESSAGE_COLUMNS, MessageReader};
pub use orderbook::{LobsterBookRow, OrderbookReader};
pub use paired::{LobsterReader, LobsterRecord};
pub use writer::write_book_row;

use shortfall_core::Price;

/// The real-number size of one LOBSTER price unit: prices are dollars times 10 000.
///
/// Use it to build the matching instrument:
/// `Instrument::new("AMZN", LOBSTER_TICK_SIZE, 1.0)`.
pub const LOBSTER_TICK_SIZE: f64 = 0.0001;

/// NASDAQ's minimum price increment for stocks priced at $1 or more (one cent), in LOBSTER
/// price units.
pub const NASDAQ_TICK: Price = Price(100);

/// The price LOBSTER writes for an ask level that does not exist (fewer ask levels than the
/// file's depth); its size is 0.
pub const EMPTY_ASK_PRICE: Price = Price(9_999_999_999);

/// The price LOBSTER writes for a bid level that does not exist (fewer bid levels than the
/// file's depth); its size is 0.
pub const EMPTY_BID_PRICE: Price = Price(-9_999_999_999);
