//! # shortfall-risk
//!
//! Risk models for Shortfall's execution stack. Today it provides the **volatility models**
//! ([`vol`]): RiskMetrics EWMA, GARCH(1,1) and GJR-GARCH(1,1,1) fitted by maximum likelihood
//! with the conventions of Python's `arch` package (so fits can be checked against it number
//! for number), multi-step variance forecasts, realised-volatility estimators on OHLC bars
//! and the HAR-RV model.
//!
//! The **pre-trade risk gate** ([`gate`]) is an [`shortfall_core::OrderSink`] that owns the
//! venue sink and forwards only orders that pass the market-access controls of SEC Rule
//! 15c3-5: maximum order size and notional, position limits counting open orders, a price
//! collar, order and cancel throttles, a daily loss limit with a sticky kill switch,
//! trading states, duplicate-id and self-trade checks. Denials are typed data
//! ([`gate::Deny`]), counted and written to an audit log; limits come from TOML
//! ([`gate::GateConfig`]). Covariance and VaR/ES follow in later work.
//!
//! ```
//! use shortfall_risk::vol::{EwmaVariance, GarchModel, GarchParams, MeanModel};
//!
//! # fn main() -> shortfall_risk::Result<()> {
//! // Simulate daily returns from a GARCH(1,1) with an explicit seed, then fit it back.
//! let model = GarchModel::garch(MeanModel::Zero);
//! let truth = GarchParams { omega: 0.02, alpha: 0.08, beta: 0.9, ..GarchParams::default() };
//! let y = model.simulate(&truth, 3000, 500, 42)?.returns;
//!
//! let fit = model.fit(&y)?;
//! for row in fit.estimates() {
//!     println!("{:>8} {:>9.5} ({:.5})", row.name, row.value, row.std_err);
//! }
//! let next_10_days = fit.forecast(10)?;
//! assert!(next_10_days.iter().all(|v| *v > 0.0));
//!
//! // The RiskMetrics alternative on the same series.
//! let ewma = EwmaVariance::batch(0.94, &y)?;
//! assert_eq!(ewma.len(), y.len());
//! # Ok(()) }
//! ```
//!
//! Feature flags: none. Every random draw takes an explicit seed; nothing here panics on bad
//! input — errors are [`Error`] values that say what was wrong and where.
#![deny(missing_docs)]

pub mod cov;
mod error;
pub mod gate;
pub mod var;
pub mod vol;

pub use error::{Error, Result};
