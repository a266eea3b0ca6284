//! The error type of `shortfall-core`.

/// What went wrong in a `shortfall-core` conversion or validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An [`crate::Instrument`] was given an invalid definition.
    #[error("instrument {symbol:?}: {reason}")]
    InvalidInstrument {
        /// The instrument's symbol.
        symbol: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A decimal string could not be parsed.
    #[error("invalid decimal {input:?}: {reason}")]
    InvalidDecimal {
        /// The text that was given.
        input: String,
        /// Why it is not a decimal number.
        reason: &'static str,
    },
    /// A real price or quantity is not a whole multiple of the instrument's tick or lot.
    #[error("{what} {value} is not a multiple of the {what} step {step}")]
    OffGrid {
        /// `"price"` or `"quantity"`.
        what: &'static str,
        /// The value given.
        value: String,
        /// The instrument's tick or lot size.
        step: String,
    },
    /// A value does not fit the integer unit.
    #[error("{what} {value} is out of the representable range")]
    OutOfRange {
        /// `"price"` or `"quantity"`.
        what: &'static str,
        /// The value given.
        value: String,
    },
    /// A space, step or other piece of the shared vocabulary was built with inconsistent parts.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// What was being built.
        what: &'static str,
        /// Why it is invalid.
        reason: String,
    },
}

/// `Result` with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
