//! # shortfall
//!
//! Machine-learning-driven trade execution in Rust. This root crate re-exports the member
//! crates so that one dependency brings the whole stack; each member can also be used alone.
//!
//! | module | crate | what it owns |
//! | --- | --- | --- |
//! | [`core`] | `shortfall-core` | units, events, orders, reports, shared traits |
//! | [`lob_sim`] | `shortfall-lob-sim` | books, matching, data readers, replay |
//! | [`features`] | `shortfall-features` | market features and labels |
//! | [`signals`] | `shortfall-signals` | signal models and validation |
//! | [`agents`] | `shortfall-agents` | execution baselines and RL agents |
//! | [`risk`] | `shortfall-risk` | pre-trade gate and risk models |
#![deny(missing_docs)]

pub use shortfall_agents as agents;
pub use shortfall_core as core;
pub use shortfall_features as features;
pub use shortfall_lob_sim as lob_sim;
pub use shortfall_risk as risk;
pub use shortfall_signals as signals;
