//! # shortfall-risk
//!
//! The pre-trade risk gate (an [`shortfall_core::OrderSink`] that wraps another), volatility
//! and correlation forecasts, VaR/ES with backtests, and stress detection.
//!
//! Status: this crate is a placeholder for the risk issue; it exports nothing yet.
#![deny(missing_docs)]
