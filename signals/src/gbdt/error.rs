//! The gradient-boosting module's error type.

/// Everything that can go wrong when fitting or applying a [`GbdtModel`](super::GbdtModel).
///
/// Each variant names the input and the position (row, feature) of the offending value, or the
/// parameter and its allowed range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GbdtError {
    /// A NaN or infinite feature value.
    #[error("non-finite value {value} in {what} at row {row}, feature {feature}")]
    NonFiniteFeature {
        /// Which matrix (`"training features"`, `"validation features"`, `"features"`).
        what: &'static str,
        /// Zero-based row.
        row: usize,
        /// Zero-based feature (column).
        feature: usize,
        /// The value itself.
        value: f64,
    },
    /// A NaN or infinite label.
    #[error("non-finite label {value} in {what} at row {row}")]
    NonFiniteLabel {
        /// Which label vector (`"training labels"`, `"validation labels"`).
        what: &'static str,
        /// Zero-based row.
        row: usize,
        /// The value itself.
        value: f64,
    },
    /// A label that the binary log-loss cannot take (it needs exactly 0 or 1).
    #[error("label {value} in {what} at row {row} is neither 0 nor 1 (binary log-loss)")]
    InvalidLabel {
        /// Which label vector.
        what: &'static str,
        /// Zero-based row.
        row: usize,
        /// The value itself.
        value: f64,
    },
    /// A sample weight that is negative or not finite, or weights that sum to zero.
    #[error(
        "invalid sample weight {value} at row {row}: weights must be finite, >= 0 and not all 0"
    )]
    InvalidWeight {
        /// Zero-based row (the last row when all weights are zero).
        row: usize,
        /// The value itself.
        value: f64,
    },
    /// Two inputs that must have one entry per row do not.
    #[error("length mismatch: {what} has {got} entries, expected {expected} (one per row)")]
    LengthMismatch {
        /// Which input (`"training labels"`, `"sample weights"`, ...).
        what: &'static str,
        /// Its length.
        got: usize,
        /// The number of rows.
        expected: usize,
    },
    /// A feature matrix whose column count differs from the one the model was trained on.
    #[error("{what} has {got} features, the model expects {expected}")]
    FeatureCountMismatch {
        /// Which matrix.
        what: &'static str,
        /// Its column count.
        got: usize,
        /// The column count the model expects.
        expected: usize,
    },
    /// Binary log-loss labels that are all the same class.
    #[error("all {rows} training labels are {class}: binary log-loss needs both classes")]
    SingleClass {
        /// Number of training rows.
        rows: usize,
        /// The only class present (0 or 1).
        class: u8,
    },
    /// Too few rows (or features) for the fit as configured.
    #[error("too few {unit}: {got}, {what} needs at least {needed}")]
    TooFew {
        /// `"rows"` or `"features"`.
        unit: &'static str,
        /// What needed them (e.g. `"the validation fold"`).
        what: &'static str,
        /// How many there are.
        got: usize,
        /// How many are needed.
        needed: usize,
    },
    /// A parameter outside its allowed range.
    #[error("invalid parameter {name} = {value}: allowed {allowed}")]
    InvalidParameter {
        /// Parameter name as in [`GbdtParams`](super::GbdtParams).
        name: &'static str,
        /// The value given, formatted.
        value: String,
        /// The allowed range, in words.
        allowed: &'static str,
    },
    /// Class probabilities were asked of a regression (squared-loss) model.
    #[error("predict_proba needs a binary log-loss model; this model was fitted with squared loss")]
    NotAClassifier,
    /// The local rayon thread pool could not be started.
    #[error("could not start a pool of {threads} threads: {reason}")]
    ThreadPool {
        /// Threads requested.
        threads: usize,
        /// rayon's message.
        reason: String,
    },
}

/// `Result` with [`GbdtError`] as the default error.
pub type Result<T, E = GbdtError> = std::result::Result<T, E>;
