//! Execution environments (implementations of [`shortfall_core::Env`]) and a vectorised
//! wrapper that steps many copies in parallel.
//!
//! - [`AlmgrenChrissEnv`]: the Almgren & Chriss (2000) world — arithmetic random-walk mid,
//!   linear permanent and temporary impact — for exact optimality checks.
//! - [`VecEnv`]: `N` copies of any environment with independent seeds, stepped in parallel
//!   (rayon), with batched observations.
//!
//! Execution environments speak the vocabulary of [`shortfall_core::exec`]: they observe
//! [`ExecState`](shortfall_core::exec::ExecState), act on
//! [`ExecAction`](shortfall_core::exec::ExecAction) and report
//! [`ExecInfo`](shortfall_core::exec::ExecInfo); wrap them in
//! [`DiscreteExecEnv`](shortfall_core::exec::DiscreteExecEnv) or
//! [`ContinuousExecEnv`](shortfall_core::exec::ContinuousExecEnv) for RL action spaces.
//!
//! ```
//! use shortfall_core::Env;
//! use shortfall_core::exec::ExecAction;
//! use shortfall_core::exec::almgren_chriss::AcParams;
//! use shortfall_lob_sim::env::AcWorldConfig;
//!
//! let mut env = AcWorldConfig::new(AcParams::paper_example()).build()?;
//! let (mut state, _) = env.reset(42)?;
//! let mut reward = 0.0;
//! loop {
//!     // TWAP: the remaining inventory over the steps left.
//!     let step = env.step(&ExecAction::Market { qty: state.schedule_slice() })?;
//!     reward += step.reward;
//!     state = step.obs;
//!     if step.done() { break; }
//! }
//! assert_eq!(state.remaining.0, 0);
//! assert!(reward.is_finite());
//! # Ok::<(), shortfall_lob_sim::Error>(())
//! ```

mod almgren_chriss;
mod vector;

pub use almgren_chriss::{AcWorldConfig, AlmgrenChrissEnv};
pub use vector::{BatchError, CopyError, ResetBatch, StepBatch, VecEnv};
