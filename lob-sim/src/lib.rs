//! # shortfall-lob-sim
//!
//! Limit-order-book simulation for Shortfall: an order-by-order book with price-time
//! priority matching ([`book::L3Book`]), a price-level book ([`book::L2Book`]), streaming
//! readers for LOBSTER and Binance USD-M futures captures ([`data`]), and replay of a
//! reader's events into a book, checked against the source's own book states ([`replay`]).
//!
//! ```
//! use shortfall_core::{BookView, NewOrder, OrderId, OrderRequest, Price, Qty, Side};
//! use shortfall_core::{ExecReport, Liquidity, TimeInForce, TraderId, Ts};
//! use shortfall_lob_sim::book::{BookOutput, L3Book};
//!
//! let mut book = L3Book::new();
//! let mut out = BookOutput::new();
//! let (maker, taker) = (TraderId(1), TraderId(2));
//! let order = |id, owner, side, price, qty| {
//!     OrderRequest::New(NewOrder::limit(OrderId(id), owner, side, Price(price), Qty(qty), TimeInForce::Gtc))
//! };
//! book.submit(Ts(1), &order(1, maker, Side::Sell, 101, 5), &mut out);
//! book.submit(Ts(2), &order(2, maker, Side::Sell, 102, 5), &mut out);
//! assert_eq!(book.best_ask().map(|l| l.price), Some(Price(101)));
//!
//! // A buy for 7 at 102 takes all of 101 and 2 of 102: fills go to both sides.
//! out.clear();
//! book.submit(Ts(3), &order(3, taker, Side::Buy, 102, 7), &mut out);
//! let taker_fills: i64 = out
//!     .reports
//!     .iter()
//!     .filter_map(|r| match r {
//!         ExecReport::Fill(f) if f.liquidity == Liquidity::Taker => Some(f.qty.0),
//!         _ => None,
//!     })
//!     .sum();
//! assert_eq!(taker_fills, 7);
//! assert_eq!(book.best_ask().map(|l| (l.price, l.qty)), Some((Price(102), Qty(3))));
//! assert!(!book.is_crossed());
//! ```
//!
//! Feature flags: none. This crate never depends on a deep-learning framework; its only
//! dependencies are `shortfall-core`, `serde`, `serde_json`, `thiserror`, `flate2`, `rand` and
//! `rand_distr`.
#![deny(missing_docs)]

pub mod book;
pub mod data;
pub mod env;
mod error;
mod hash;
pub mod hawkes;
pub mod replay;
pub mod sim;

pub use error::{Error, Result};
