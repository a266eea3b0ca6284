//! Binance USD-M futures captures: a streaming reader, diff-depth synchronisation into an
//! [`L2Book`](crate::book::L2Book), and a best-bid/offer check against the venue's
//! `bookTicker` stream.
//!
//! # The capture format
//! One message per line, gzip-compressed (plain text is accepted too):
//! `<local receive time, ns since the UNIX epoch> <raw exchange JSON>`. The JSON is either a
//! combined-stream message `{"stream": "btcusdt@depth@0ms", "data": {...}}` (diff depth,
//! `@trade`, `@bookTicker`), the same payload unwrapped (`{"e": "depthUpdate", ...}`), or a
//! REST depth snapshot `{"lastUpdateId": ..., "bids": [...], "asks": [...]}`. This is the
//! layout of hftbacktest's collector.
//!
//! - [`BinanceReader`] reads it line by line with bounded memory and yields typed
//!   [`BinanceRecord`]s with prices and quantities converted exactly through an
//!   [`Instrument`](shortfall_core::Instrument). Messages of other streams (e.g.
//!   `@aggTrade`, partial-depth `@depth20`) and of other symbols are skipped and counted in
//!   [`ReaderCounts`], not treated as errors.
//! - [`DepthSync`] follows Binance's procedure for keeping a local book from a snapshot
//!   and diff depth ("How to manage a local order book correctly", USD-M futures), detects
//!   gaps and re-anchors on the next snapshot.
//! - [`replay_capture`] does both over a file in one call and checks the book against every
//!   `bookTicker` ([`BboCheck`]), optionally writing the comparison as CSV.
//!
//! ```no_run
//! use shortfall_lob_sim::data::binance::{replay_capture, ReplayOptions};
//!
//! let mut csv = std::fs::File::create("bbo.csv")?;
//! let stats = replay_capture("usdm_btcusdt_20240808.gz", &ReplayOptions::default(), Some(&mut csv))?;
//! println!("{} of {} comparable tickers match the book", stats.matched, stats.compared);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod bbo;
mod json;
mod reader;
mod record;
mod sync;

pub use bbo::{
    BBO_CSV_HEADER, BboCheck, BboRow, BinanceReplay, BinanceReplayStats, ReplayOptions,
    replay_capture, write_bbo_row,
};
pub use reader::{BinanceReader, MAX_LINE_BYTES, ReaderCounts};
pub use record::{BinanceRecord, BookTicker, DepthSnapshot, DepthUpdate, Trade};
pub use sync::{
    BookPoint, DepthGap, DepthSync, DiffOutcome, SnapshotOutcome, SyncCounters, SyncOptions,
};

/// The instrument of the shared capture: Binance USD-M `BTCUSDT`, tick 0.1 USDT, lot 0.001 BTC.
///
/// # Panics
/// Never: the definition is a valid constant (non-empty symbol, positive finite sizes).
pub fn btcusdt() -> shortfall_core::Instrument {
    shortfall_core::Instrument::new("BTCUSDT", 0.1, 0.001)
        .expect("invariant: BTCUSDT 0.1/0.001 is a valid instrument definition")
}
