//! Reinforcement-learning execution agents on [burn](https://burn.dev) 0.22.
//!
//! - [`device`]: which burn backend runs the networks ([`BackendKind`]: `flex` CPU by
//!   default, `wgpu`/`cuda` behind cargo features) and its runtime device.
//! - [`mlp`]: a seeded tanh multilayer perceptron ([`Mlp`]) and `f32` ↔ tensor helpers.
//! - [`returns`]: generalised advantage estimation and n-step returns (plain `f64`).
//! - [`norm`]: running observation normalisation and reward scaling.
//! - [`ppo`]: PPO for discrete actions ([`PpoDiscrete`]) and its greedy execution policy
//!   ([`PpoExecPolicy`]).
//!
//! Networks train on `device.autodiff()` with burn's optimisers (Adam) and act on the plain
//! device. Everything random is drawn from explicit seeds through `rand`, never from
//! burn's process-wide RNG, so results do not depend on what else runs in the process.

pub mod device;
pub mod mlp;
pub mod norm;
pub mod ppo;
pub mod returns;

pub use device::{BACKEND_ENV, BackendKind};
pub use mlp::{Mlp, MlpConfig};
pub use norm::{RewardScaler, RunningMeanStd};
pub use ppo::{PpoConfig, PpoDiscrete, PpoExecPolicy, PpoMetrics};
pub use returns::{gae, n_step_targets};
