//! Stress and anomaly detection: a rolling robust z-score (median/MAD), Page's two-sided
//! CUSUM, and a streaming market-stress detector on the live book that flags flash-crash
//! conditions (spread blow-out, depth collapse, trade-rate spike).
//!
//! The detector reads only `shortfall-core`'s [`MarketEvent`](shortfall_core::MarketEvent)
//! and [`BookView`](shortfall_core::BookView), so it runs on any book — the simulator's,
//! a replayed one, or a live one — and its reading feeds the [`crate::posture`] rules that
//! move the pre-trade gate.
//!
//! ```
//! use shortfall_core::{BookView, MarketEvent, PriceLevel, Price, Qty, Side, Ts};
//! use shortfall_risk::stress::{StressConfig, StressLevel};
//!
//! /// A two-level book: bid levels then ask levels, best first.
//! struct Book { bids: Vec<PriceLevel>, asks: Vec<PriceLevel> }
//! impl BookView for Book {
//!     fn level(&self, side: Side, i: usize) -> Option<PriceLevel> {
//!         match side { Side::Buy => self.bids.get(i).copied(), Side::Sell => self.asks.get(i).copied() }
//!     }
//!     fn level_count(&self, side: Side) -> usize {
//!         match side { Side::Buy => self.bids.len(), Side::Sell => self.asks.len() }
//!     }
//! }
//! let lvl = |p, q| PriceLevel { price: Price(p), qty: Qty(q) };
//! let calm = Book { bids: vec![lvl(99, 100)], asks: vec![lvl(100, 100)] };
//! let mut detector = StressConfig { warmup_events: 10, depth_levels: 1, ..Default::default() }
//!     .build()?;
//! for t in 0..20 {
//!     let ev = MarketEvent::Level { ts: Ts(t), side: Side::Buy, price: Price(99), qty: Qty(100) };
//!     assert_eq!(detector.on_event(&ev, &calm)?.level, StressLevel::Calm);
//! }
//! // The bids are pulled down to 5 lots, 20 ticks lower: spread ×21, bid depth ×0.05.
//! let crash = Book { bids: vec![lvl(80, 5)], asks: vec![lvl(100, 100)] };
//! let ev = MarketEvent::Level { ts: Ts(20), side: Side::Buy, price: Price(80), qty: Qty(5) };
//! let reading = detector.on_event(&ev, &crash)?;
//! assert_eq!(reading.level, StressLevel::Severe);
//! assert!(reading.flags.spread_blowout && reading.flags.depth_collapse);
//! # Ok::<(), shortfall_risk::Error>(())
//! ```

mod cusum;
mod market;
mod robust;

pub use cusum::{Cusum, CusumSignal};
pub use market::{MarketStressDetector, StressConfig, StressFlags, StressLevel, StressReading};
pub use robust::{MAD_SCALE, RobustZScore};
