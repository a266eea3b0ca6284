//! # shortfall-core
//!
//! The shared vocabulary of the Shortfall crates: integer units, instruments, market events,
//! order requests and execution reports, and the small traits through which the simulator,
//! features, signals, agents and risk crates meet without depending on each other.
//!
//! - Units are integers: [`Price`] in ticks, [`Qty`] in lots, [`Ts`] in nanoseconds.
//!   [`Instrument`] converts to and from real numbers, exactly, at the edges.
//! - [`MarketEvent`] is one stream type for order-by-order (L3) and price-level (L2) feeds.
//! - [`OrderRequest`] is what strategies send; [`ExecReport`] is what venues answer.
//! - Traits: [`BookView`] (read a book), [`Env`] (Gymnasium-style environment),
//!   [`Policy`] (observe, act), [`OrderSink`] (where orders go).
//! - [`exec`]: the execution vocabulary (parent order, execution state and actions,
//!   Almgren–Chriss closed forms) shared by execution environments and policies.
//!
//! ```
//! use shortfall_core::{BookView, PriceLevel, Price, Qty, Side};
//!
//! /// A one-level book: enough to use every provided `BookView` method.
//! struct Touch { bid: PriceLevel, ask: PriceLevel }
//!
//! impl BookView for Touch {
//!     fn level(&self, side: Side, index: usize) -> Option<PriceLevel> {
//!         (index == 0).then(|| if side == Side::Buy { self.bid } else { self.ask })
//!     }
//!     fn level_count(&self, _side: Side) -> usize { 1 }
//! }
//!
//! let book = Touch {
//!     bid: PriceLevel { price: Price(100), qty: Qty(5) },
//!     ask: PriceLevel { price: Price(102), qty: Qty(7) },
//! };
//! assert_eq!(book.spread(), Some(Price(2)));
//! assert_eq!(book.mid(), Some(101.0));
//! assert!(!book.is_crossed());
//! ```
//!
//! This crate depends only on `serde` and `thiserror` and has no feature flags.
#![deny(missing_docs)]

mod book;
mod env;
mod error;
mod event;
pub mod exec;
mod instrument;
mod order;
mod policy;
mod sink;
mod units;

pub use book::{BookView, PriceLevel};
pub use env::{Env, Space, Step};
pub use error::{Error, Result};
pub use event::{MarketEvent, TradingState};
pub use instrument::{Decimal, Instrument};
pub use order::{
    CancelReason, ExecReport, Fill, Liquidity, NewOrder, OrderRequest, OrderType, RejectReason,
    TimeInForce,
};
pub use policy::Policy;
pub use sink::OrderSink;
pub use units::{OrderId, Price, Qty, Side, TraderId, Ts};
