//! The error type of `shortfall-lob-sim`.

use std::path::PathBuf;

/// What went wrong while reading data or configuring the simulator.
///
/// Messages carry what is needed to find and fix the problem: the file, the 1-based line,
/// the field, and what was expected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Reading failed part-way through a file (e.g. a corrupt gzip stream).
    #[error("line {line} of {}: {source}", path.display())]
    ReadAt {
        /// The file.
        path: PathBuf,
        /// The 1-based line being read.
        line: u64,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// One field of one line is malformed.
    #[error("line {line} of {}: field {field}: {reason}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: u64,
        /// The field's name as the format's documentation calls it.
        field: String,
        /// What was expected and what was found.
        reason: String,
    },
    /// An environment was configured with an invalid value.
    #[error("environment config: {field}: {reason}")]
    EnvConfig {
        /// The configuration field.
        field: &'static str,
        /// What is wrong with its value.
        reason: String,
    },
    /// An environment was stepped with an invalid action or out of turn.
    #[error("environment step {step}: {reason}")]
    EnvStep {
        /// Decision steps taken before the failing one.
        step: u32,
        /// What was wrong.
        reason: String,
    },
    /// Two inputs that must agree do not (e.g. a message file and its orderbook file).
    #[error("{0}")]
    Inconsistent(String),
    /// A model parameter or estimation input is out of its domain (e.g. a negative Hawkes
    /// decay rate, a non-stationary branching matrix, an empty event list to fit).
    #[error("{what}: {reason}")]
    InvalidParameter {
        /// Which parameter or input, as a path (`hawkes.beta[0][1]`).
        what: String,
        /// What was expected and what was found.
        reason: String,
    },
    /// A simulator configuration value is invalid; `field` is its dotted path in the TOML
    /// file (e.g. `flow.zi.market_rate_per_s`).
    #[error("config field `{field}`: {reason}")]
    Config {
        /// The dotted path of the field.
        field: String,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// A simulator configuration file is not valid TOML for the expected schema.
    #[error("config {origin}: {message}")]
    ConfigSyntax {
        /// Where the text came from (a file name, or `<string>`).
        origin: String,
        /// The parser's message (it names the line, column and key).
        message: String,
    },
    /// An invalid value in the shared vocabulary (e.g. an instrument definition).
    #[error(transparent)]
    Core(#[from] shortfall_core::Error),
}

/// `Result` with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
