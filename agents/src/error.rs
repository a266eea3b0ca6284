//! The error type of `shortfall-agents`.

use std::path::PathBuf;

/// What went wrong while building a policy or evaluating policies.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A policy or evaluation was configured with an invalid value.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// What was being configured (e.g. `"POV participation rate"`).
        what: &'static str,
        /// Why the value is invalid.
        reason: String,
    },
    /// The environment failed during an evaluation episode.
    #[error("policy {policy}, seed {seed}: environment error: {reason}")]
    Env {
        /// The policy being evaluated.
        policy: String,
        /// The episode's seed.
        seed: u64,
        /// The environment's error message.
        reason: String,
    },
    /// A policy broke the execution contract (e.g. never finished within the horizon).
    #[error("policy {policy}, seed {seed}: {reason}")]
    Contract {
        /// The policy.
        policy: String,
        /// The episode's seed.
        seed: u64,
        /// What it did wrong.
        reason: String,
    },
    /// A report or plot could not be written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A plot could not be drawn.
    #[error("plot {}: {reason}", path.display())]
    Plot {
        /// The file.
        path: PathBuf,
        /// The drawing backend's message.
        reason: String,
    },
    /// Results could not be serialised.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// A tensor operation of the RL learners failed in the burn backend.
    #[error("tensor backend, {what}: {reason}")]
    Tensor {
        /// What was being done (e.g. `"reading a tensor back"`).
        what: &'static str,
        /// The backend's message.
        reason: String,
    },
    /// An invalid value in the shared vocabulary.
    #[error(transparent)]
    Core(#[from] shortfall_core::Error),
}

/// `Result` with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
