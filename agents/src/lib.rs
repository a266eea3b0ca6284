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
//! - [`rl`]: reinforcement-learning building blocks on [burn](https://burn.dev) 0.22 —
//!   backend/device selection, a seeded MLP, Adam training — for the DQN and PPO learners.
//!
//! ## Backends (cargo features)
//!
//! The networks run on burn's pure-Rust CPU backend `flex` by default (feature `flex`,
//! default on). GPU backends are opt-in features passed through to burn: `wgpu` (any GPU
//! through Vulkan/Metal/DX12) and `cuda` (NVIDIA). The backend is picked at run time
//! ([`rl::BackendKind`]); tests read it from `SHORTFALL_RL_BACKEND`:
//!
//! ```text
//! cargo test -p shortfall-agents rl::                                    # flex (CPU)
//! SHORTFALL_RL_BACKEND=wgpu cargo test -p shortfall-agents --features wgpu rl::
//! SHORTFALL_RL_BACKEND=cuda cargo test -p shortfall-agents --features cuda rl::
//! ```
//!
//! On flex, training is bit-reproducible from its seeds; GPU backends may differ in the last
//! bits between runs.
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
//! statrs (normal CDF), plotters (SVG only), burn 0.22.1 (`std`, `optim` and one backend;
//! `rl` only).
#![deny(missing_docs)]

pub mod baselines;
pub mod conformance;
mod error;
pub mod eval;
#[cfg(any(feature = "flex", feature = "wgpu", feature = "cuda"))]
pub mod rl;

pub use error::{Error, Result};
