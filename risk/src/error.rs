//! The crate's one error type.

/// Everything that can go wrong in `shortfall-risk`.
///
/// Each variant carries the facts needed to act on it: how long a series was and how long it
/// had to be, the index of a bad value, the parameter and its allowed range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A series is shorter than the estimator needs.
    #[error("series too short: {len} observations, {what} needs at least {needed}")]
    TooShort {
        /// What needed the observations (e.g. `"GARCH(1,1) fit"`).
        what: &'static str,
        /// Observations given.
        len: usize,
        /// Observations needed.
        needed: usize,
    },
    /// A NaN or infinite value in an input series.
    #[error("non-finite value {value} at index {index} of {what}")]
    NonFinite {
        /// Which input (e.g. `"returns"`, `"high"`).
        what: &'static str,
        /// Zero-based index of the offending value.
        index: usize,
        /// The value itself (NaN or ±inf).
        value: f64,
    },
    /// A parameter is outside its allowed range.
    #[error("invalid parameter {name} = {value}: allowed {allowed}")]
    InvalidParameter {
        /// Parameter name, as in the docs (e.g. `"lambda"`, `"alpha + beta"`).
        name: &'static str,
        /// The value given.
        value: f64,
        /// The allowed range, in words (e.g. `"0 < lambda < 1"`).
        allowed: &'static str,
    },
    /// An OHLC bar that is not a bar (non-positive price, high below low, ...).
    #[error("invalid OHLC bar at index {index}: {reason}")]
    InvalidBar {
        /// Zero-based index of the bar.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Two inputs that must have equal lengths do not.
    #[error("length mismatch: {what} has {got} elements, expected {expected}")]
    LengthMismatch {
        /// Which input.
        what: &'static str,
        /// Its length.
        got: usize,
        /// The length it should have.
        expected: usize,
    },
    /// The numerical optimiser could not find a maximum of the likelihood.
    #[error("optimiser failed after {iterations} iterations: {reason}")]
    Optimiser {
        /// Iterations run before giving up.
        iterations: usize,
        /// Why it stopped.
        reason: String,
    },
    /// A [`crate::gate::GateConfig`] field has a value the gate cannot work with.
    #[error("gate config: {field} = {value}: {reason}")]
    InvalidConfig {
        /// The field, as spelled in the TOML (e.g. `"order_rate.capacity"`).
        field: &'static str,
        /// The value given.
        value: String,
        /// What it must be instead.
        reason: &'static str,
    },
    /// A gate configuration could not be read from (or written to) TOML.
    #[error("gate config TOML: {reason}")]
    ConfigToml {
        /// The parser's message (with the line and column of the problem).
        reason: String,
    },
    /// An operator asked for a trading state while the kill switch is engaged.
    #[error("kill switch engaged: reset it before setting the gate to {requested}")]
    KillSwitchEngaged {
        /// The state that was asked for.
        requested: &'static str,
    },
    /// A matrix that had to be inverted is singular or not positive definite.
    #[error("singular matrix: {what}")]
    Singular {
        /// Which matrix (e.g. `"Hessian of the log-likelihood"`).
        what: &'static str,
    },
    /// A matrix that must be symmetric positive definite is not: the Cholesky factorisation
    /// met a non-positive (or non-finite) pivot.
    #[error(
        "{what} is not positive definite: Cholesky pivot {pivot} (zero-based) is {value:e} (must be > 0)"
    )]
    NotPositiveDefinite {
        /// Which matrix (e.g. `"sample covariance"`).
        what: &'static str,
        /// Zero-based index of the diagonal pivot that failed.
        pivot: usize,
        /// The value of that pivot, dᵢ = aᵢᵢ − Σⱼ lᵢⱼ² (≤ 0 or NaN).
        value: f64,
    },
    /// A configuration of the covariance, VaR, stress or posture models has a value that
    /// cannot work, or two values that contradict each other.
    #[error("{what}: {field} = {value}: {reason}")]
    InvalidSetting {
        /// Which configuration (e.g. `"posture config"`).
        what: &'static str,
        /// The field, as spelled in the TOML or struct.
        field: &'static str,
        /// The value given.
        value: String,
        /// What it must be instead.
        reason: String,
    },
}

/// `Result` with this crate's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Fails with [`Error::NonFinite`] at the first NaN or infinity in `x`.
pub(crate) fn check_finite(what: &'static str, x: &[f64]) -> Result<()> {
    match x.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(Error::NonFinite {
            what,
            index,
            value: x[index],
        }),
        None => Ok(()),
    }
}

/// Fails with [`Error::TooShort`] when `len < needed`.
pub(crate) fn check_len(what: &'static str, len: usize, needed: usize) -> Result<()> {
    if len < needed {
        Err(Error::TooShort { what, len, needed })
    } else {
        Ok(())
    }
}
