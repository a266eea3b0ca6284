//! The crate's one error type.

use std::path::PathBuf;

/// Everything that can go wrong in `shortfall-signals`.
///
/// Each variant carries the facts needed to act on it: the row and column of a bad feature,
/// the lengths that disagree, the parameter and its allowed range, the file and line of a
/// malformed data file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A NaN or infinite value in a feature matrix or another numeric input.
    #[error("non-finite value {value} in {what} at row {row}, column {col}")]
    NonFinite {
        /// Which input (e.g. `"features"`, `"labels"`, `"sample weights"`).
        what: &'static str,
        /// Zero-based row (sample) index.
        row: usize,
        /// Zero-based column (feature) index; 0 for one-dimensional inputs.
        col: usize,
        /// The value itself (NaN or ±inf).
        value: f64,
    },
    /// Two inputs that must have equal lengths do not.
    #[error("length mismatch: {what} has {got} elements, expected {expected}")]
    LengthMismatch {
        /// Which input (e.g. `"labels"`, `"sample weights"`).
        what: &'static str,
        /// Its length.
        got: usize,
        /// The length it should have.
        expected: usize,
    },
    /// A feature matrix has a different number of columns than the model was fitted on.
    #[error("feature count mismatch: got {got} columns, the model was fitted on {expected}")]
    FeatureCount {
        /// Columns given.
        got: usize,
        /// Columns the model expects.
        expected: usize,
    },
    /// A classification label that is not a class index of the task.
    #[error("invalid label {value} at row {row}: {reason}")]
    InvalidLabel {
        /// Zero-based row.
        row: usize,
        /// The label as given.
        value: f64,
        /// What it must be instead.
        reason: String,
    },
    /// A classification dataset whose labels hold fewer than two distinct classes.
    #[error("labels hold a single class ({class}); classification needs at least two")]
    SingleClass {
        /// The one class present.
        class: usize,
    },
    /// Too few rows (samples) for what was asked.
    #[error("too few rows: {what} needs at least {needed}, got {rows}")]
    TooFewRows {
        /// What needed the rows (e.g. `"purged 5-fold split"`).
        what: String,
        /// Rows given.
        rows: usize,
        /// Rows needed.
        needed: usize,
    },
    /// A parameter is outside its allowed range.
    #[error("invalid parameter {name} = {value}: allowed {allowed}")]
    InvalidParameter {
        /// Parameter name, as in the docs (e.g. `"l2"`, `"forgetting"`).
        name: &'static str,
        /// The value given, formatted.
        value: String,
        /// The allowed range, in words (e.g. `"0 < forgetting <= 1"`).
        allowed: &'static str,
    },
    /// A model was asked for something it does not support (a task, sample weights, ...).
    #[error("{model} does not support {what}")]
    Unsupported {
        /// The model's name.
        model: &'static str,
        /// What was asked, in words (e.g. `"regression"`, `"sample weights"`).
        what: String,
    },
    /// An iterative fit broke down numerically (singular matrix, collapsed component, ...).
    #[error("numerical failure in {what}: {reason}")]
    Numerical {
        /// Which computation.
        what: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// An error reported by smartcore, with the model it came from.
    #[error("smartcore {model}: {reason}")]
    Smartcore {
        /// The smartcore model (e.g. `"RandomForestClassifier"`).
        model: &'static str,
        /// smartcore's message.
        reason: String,
    },
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A malformed data file (e.g. an FI-2010 text file).
    #[error("{}: line {line}, column {column}: {reason}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// One-based line number in the file.
        line: usize,
        /// One-based column (field) number on that line.
        column: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A model could not be serialised or deserialised.
    #[error("model serialisation: {reason}")]
    Serde {
        /// The serde backend's message.
        reason: String,
    },
    /// A plot could not be drawn or written.
    #[error("plot: {reason}")]
    Plot {
        /// The plotting backend's message.
        reason: String,
    },
}

/// `Result` with this crate's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Serde {
            reason: e.to_string(),
        }
    }
}

/// Fails with [`Error::InvalidParameter`] unless `ok` (a one-line range check for learner
/// configurations).
///
/// # Errors
/// [`Error::InvalidParameter`] naming `name`, `value` and `allowed` when `ok` is false.
pub fn check_param(
    ok: bool,
    name: &'static str,
    value: impl std::fmt::Display,
    allowed: &'static str,
) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name,
            value: value.to_string(),
            allowed,
        })
    }
}
