//! The execution vocabulary: what an execution environment shows a policy and what a policy
//! may ask it to do.
//!
//! - [`ParentOrder`]: the order to work (side, quantity in lots, horizon, decision interval).
//! - [`ExecState`]: the typed observation at one decision time — time and inventory remaining,
//!   arrival price, a [`BookSummary`], own resting orders, market volume so far. Baselines
//!   read its fields; RL policies read [`ExecState::features`], a normalised vector.
//! - [`ExecAction`]: the child order for one decision step (market, limit at an offset from
//!   the near touch, hold, cancel). [`DiscreteActionSet`] and [`ContinuousAction`] are the
//!   encodings RL policies use; both decode to an [`ExecAction`] for a given state.
//! - [`ExecInfo`]: what an execution environment reports with every step (fills, notional,
//!   spread and impact costs), from which the evaluation harness computes implementation
//!   shortfall.
//! - [`VolumeProfile`]: an intraday volume curve (for VWAP schedules and synthetic volume).
//! - [`almgren_chriss`]: the Almgren & Chriss (2000) model's parameters and closed forms.
//!
//! Environments (in `shortfall-lob-sim`) produce these types and policies (in
//! `shortfall-agents`) consume them, so neither crate depends on the other.
//!
//! ```
//! use shortfall_core::exec::{ExecAction, ExecState, ParentOrder, ChildSize};
//! use shortfall_core::{Qty, Side, Ts};
//!
//! // Sell 1000 lots over 10 minutes, deciding every minute.
//! let parent = ParentOrder::new(Side::Sell, Qty(1000), Ts::from_secs(600), Ts::from_secs(60))?;
//! assert_eq!(parent.steps(), 10);
//! let state = ExecState::at_arrival(parent, 100.0);
//! // The TWAP pace: the remaining quantity over the steps left.
//! assert_eq!(state.schedule_slice(), Qty(100));
//! assert_eq!(ChildSize::OfRemaining(0.25).qty(&state), Qty(250));
//! let features = state.features()?;
//! assert_eq!(features[0], 1.0); // all the time remains
//! assert_eq!(features[1], 1.0); // all the inventory remains
//! # let _ = ExecAction::Hold;
//! # Ok::<(), shortfall_core::Error>(())
//! ```

mod action;
pub mod almgren_chriss;
mod profile;
mod state;
mod wrap;

pub use action::{
    ChildSize, ContinuousAction, DiscreteAction, DiscreteActionSet, ExecAction, MAX_LIMIT_OFFSET,
    OrderKind, native_action_space,
};
pub use profile::VolumeProfile;
pub use state::{
    BookSummary, ExecInfo, ExecState, FEATURE_COUNT, FEATURE_NAMES, ParentOrder, feature_space,
    stack_features,
};
pub use wrap::{ContinuousExecEnv, DiscreteExecEnv};
