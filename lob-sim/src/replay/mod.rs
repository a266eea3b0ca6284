//! Replay of recorded market data into a book, optionally checked against the source's own
//! book states.
//!
//! - [`lobster`]: LOBSTER message files into an [`L3Book`](crate::book::L3Book), initialised
//!   from the first orderbook row, with the orders the messages never added (those resting
//!   before the file starts, or deeper than its N levels) handled and counted, and every
//!   row compared with LOBSTER's own orderbook file on the levels the messages determine.
//! - Binance USD-M captures are replayed by
//!   [`data::binance::replay_capture`](crate::data::binance::replay_capture), which owns the
//!   diff-depth synchronisation.
//! - [`agent`]: a strategy's orders overlaid on either replay, with exact (LOBSTER) or
//!   modelled (Binance) queue positions; its docs say what such a replay cannot model.
//!
//! # What replay cannot model
//! Replay is the historical market with nobody reacting to it: the recorded orders arrive
//! as they did, whatever a strategy does. It is exact for the book itself, and (with
//! order-by-order data) for a passive order's queue position, but it cannot show the
//! market impact of a strategy's own orders or the reaction of other participants to
//! them. The event-driven simulator in this crate exists for that.

pub mod agent;
pub mod lobster;

pub use lobster::{LevelCheck, LobsterReplay, LobsterReplayStats, MismatchKind};
