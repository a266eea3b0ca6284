//! # shortfall-agents
//!
//! Execution policies, each a [`shortfall_core::Policy`]: baselines (TWAP, VWAP, POV,
//! Almgren–Chriss, submit-and-leave) and reinforcement-learning agents (DQN, PPO on burn).
//!
//! Status: this crate is a placeholder for the execution and RL issues; it exports nothing yet.
#![deny(missing_docs)]
