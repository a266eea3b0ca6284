//! The error type of `shortfall-features`.

/// What went wrong building a pipeline, computing a dataset or fitting a normaliser.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The pipeline configuration text is not valid TOML or does not match the schema
    /// (for example an unknown feature `kind` or an unknown field); the message names the
    /// line and column.
    #[error("feature configuration: {0}")]
    ConfigParse(#[from] toml::de::Error),
    /// A feature's parameters are invalid.
    #[error("feature {index} ({kind}): {reason}")]
    InvalidFeature {
        /// 0-based position of the feature in the configuration.
        index: usize,
        /// Its `kind`.
        kind: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A pipeline was configured with no features.
    #[error("feature configuration: no features")]
    EmptyPipeline,
    /// Two outputs of a pipeline have the same name.
    #[error("feature configuration: duplicate output name {name:?}")]
    DuplicateName {
        /// The repeated name.
        name: String,
    },
    /// A label's parameters are invalid.
    #[error("label {name:?}: {reason}")]
    InvalidLabel {
        /// The label's name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A normaliser's parameters are invalid.
    #[error("normaliser: {reason}")]
    InvalidNormaliser {
        /// What is wrong.
        reason: String,
    },
    /// A feature produced NaN or an infinity.
    #[error("feature {feature:?} (column {column}) is {value} at row {row}")]
    NonFinite {
        /// The feature's name.
        feature: String,
        /// Its column.
        column: usize,
        /// 0-based row (event) number.
        row: usize,
        /// The value.
        value: f64,
    },
    /// Input data for a normaliser contains NaN or an infinity.
    #[error("normaliser input: column {column} is {value} at row {row}")]
    NonFiniteInput {
        /// The column.
        column: usize,
        /// The row.
        row: usize,
        /// The value.
        value: f64,
    },
    /// A matrix or row has the wrong number of columns.
    #[error("{what}: expected {expected} columns, got {got}")]
    WidthMismatch {
        /// What was being processed.
        what: &'static str,
        /// Columns expected.
        expected: usize,
        /// Columns given.
        got: usize,
    },
    /// A normaliser was applied before it was fitted.
    #[error("normaliser used before fit")]
    NotFitted,
    /// Fitting needs at least one row.
    #[error("normaliser fit: no rows")]
    EmptyFit,
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
