//! Replay → features glue shared by the `features` example and the root real-data tests:
//! each replayed event is handed to a callback with the book after it.
//!
//! - LOBSTER: one call per message, with the [`LobsterReplay`] book after it.
//! - Binance USD-M: a diff is applied to the book atomically by [`DepthSync`] (the
//!   intermediate states of a half-applied diff never existed at the exchange), so there is
//!   one call per exchange message that changed the book or reported a trade: an applied
//!   diff (its last level change stands for it), a snapshot that anchored the book or a
//!   gap that cleared it (`Clear`), and every trade (the book unchanged). Built-in features
//!   read only the timestamp of non-trade events, so the stand-in loses nothing.

use shortfall::core::{BookView, MarketEvent};
use shortfall::lob_sim::data::binance::{
    BinanceReader, BinanceRecord, DepthSync, DiffOutcome, SnapshotOutcome, btcusdt,
};
use shortfall::lob_sim::data::lobster::{LobsterBookRow, LobsterReader};
use shortfall::lob_sim::replay::LobsterReplay;
use std::path::Path;

/// Boxed error of the glue.
pub type GlueError = Box<dyn std::error::Error>;

/// Replays a LOBSTER message/orderbook pair, calling `on_event` after every message.
/// Returns the number of messages.
pub fn lobster_events<F>(
    messages: &Path,
    orderbook: &Path,
    levels: usize,
    mut on_event: F,
) -> Result<u64, GlueError>
where
    F: FnMut(&MarketEvent, &dyn BookView) -> Result<(), GlueError>,
{
    let mut reader = LobsterReader::open(messages, orderbook, levels)?;
    let mut replay = LobsterReplay::new(levels);
    let mut row = LobsterBookRow::new(levels);
    let mut n = 0;
    while let Some(message) = reader.read_into(&mut row)? {
        replay.process(&message, Some(&row));
        on_event(&message.to_market_event(), replay.book())?;
        n += 1;
    }
    Ok(n)
}

/// Replays a Binance USD-M BTCUSDT capture, calling `on_event` as described in the module
/// documentation. Returns the number of calls.
pub fn binance_events<F>(capture: &Path, mut on_event: F) -> Result<u64, GlueError>
where
    F: FnMut(&MarketEvent, &dyn BookView) -> Result<(), GlueError>,
{
    let mut reader = BinanceReader::open(capture, btcusdt())?;
    let mut sync = DepthSync::default();
    let mut raw = Vec::new();
    let mut n = 0;
    while let Some(record) = reader.next_record()? {
        let ts = record.recv_ns();
        raw.clear();
        record.market_events(&mut raw);
        let event = match record {
            BinanceRecord::Snapshot(s) => match sync.on_snapshot(&s)? {
                SnapshotOutcome::Anchored { .. } => Some(MarketEvent::Clear { ts }),
                SnapshotOutcome::Ignored => None,
            },
            BinanceRecord::DepthUpdate(d) => match sync.on_depth(d)? {
                DiffOutcome::Applied => raw.last().copied(),
                DiffOutcome::Gap(_) => Some(MarketEvent::Clear { ts }),
                DiffOutcome::Buffered | DiffOutcome::Stale => None,
            },
            BinanceRecord::Trade(_) => raw.last().copied(),
            BinanceRecord::BookTicker(_) => None,
        };
        if let Some(event) = event {
            on_event(&event, sync.book())?;
            n += 1;
        }
    }
    Ok(n)
}
