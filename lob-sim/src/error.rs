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
    /// An invalid value in the shared vocabulary (e.g. an instrument definition).
    #[error(transparent)]
    Core(#[from] shortfall_core::Error),
}

/// `Result` with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
