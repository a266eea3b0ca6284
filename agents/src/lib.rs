//! # shortfall-agents
//!
//! Execution policies, each a [`shortfall_core::Policy`] over the execution state of
//! [`shortfall_core::exec`], and the harness that compares them.
//!
//! - [`baselines`]: `TWAP`, `VWAP`, `POV`, `Almgren-Chriss`, `Immediate`,
//!   `Submit-and-leave`.
//! - [`eval`]: runs policies on the same held-out seeds of any execution environment and
//!   reports implementation shortfall with bootstrap intervals, paired Wilcoxon tests with
//!   Benjamini–Hochberg correction, `results.json`, `report.md` and SVG plots.
//! - [`conformance`]: the check every execution policy must pass (valid actions, horizon
//!   respected, parent completed exactly, deterministic given the seed).
//!
//! Reinforcement-learning agents (DQN, PPO) will join as further `Policy` implementations.
//!
//! ```
//! use shortfall_agents::baselines::{AlmgrenChriss, Twap};
//! use shortfall_core::Policy;
//! use shortfall_core::exec::{ExecAction, ExecState, ParentOrder};
//! use shortfall_core::{Qty, Side, Ts};
//!
//! let parent = ParentOrder::new(Side::Sell, Qty(1000), Ts(10), Ts(1))?;
//! let state = ExecState::at_arrival(parent, 50.0);
//! assert_eq!(Twap.act(&state), ExecAction::Market { qty: Qty(100) });
//! // An urgent Almgren-Chriss trajectory front-loads.
//! let mut ac = AlmgrenChriss::new(0.5)?;
//! assert!(ac.act(&state).qty() > Qty(100));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Dependencies: `shortfall-core`, serde/serde_json, thiserror, rand (seeded bootstrap),
//! statrs (normal CDF), plotters (SVG only). No feature flags yet.
#![deny(missing_docs)]

pub mod baselines;
pub mod conformance;
mod error;
pub mod eval;

pub use error::{Error, Result};
