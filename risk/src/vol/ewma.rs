//! RiskMetrics exponentially weighted moving average (EWMA) variance.
//!
//! J.P. Morgan/Reuters (1996), *RiskMetrics — Technical Document*, 4th ed., ch. 5:
//!
//! σ²ₜ = λ·σ²ₜ₋₁ + (1 − λ)·r²ₜ₋₁,   λ = 0.94 for daily data.
//!
//! σ²ₜ is the variance forecast for period t made with returns up to t − 1 (returns are taken
//! to have zero mean, as in RiskMetrics). The batch form starts the recursion from the
//! same exponentially weighted backcast that `arch` uses for its GARCH models (see
//! [`backcast`](crate::vol::backcast)), so `EwmaVariance::batch` equals `arch`'s
//! `EWMAVariance(lam)` conditional variance.

use crate::error::{Error, Result, check_finite, check_len};
use crate::vol::backcast;

/// Default RiskMetrics decay for daily returns.
pub const RISKMETRICS_LAMBDA: f64 = 0.94;

/// A validated EWMA variance model and its streaming state.
///
/// ```
/// use shortfall_risk::vol::EwmaVariance;
/// # fn main() -> shortfall_risk::Result<()> {
/// let mut ewma = EwmaVariance::new(0.94, 1e-4)?;
/// ewma.update(0.02)?; // a 2% return
/// assert!((ewma.variance() - (0.94 * 1e-4 + 0.06 * 0.02 * 0.02)).abs() < 1e-18);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EwmaVariance {
    lambda: f64,
    variance: f64,
}

impl EwmaVariance {
    /// An EWMA with decay `lambda` whose current variance forecast is `initial_variance`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] unless `0 < lambda < 1` and `initial_variance` is finite
    /// and ≥ 0.
    pub fn new(lambda: f64, initial_variance: f64) -> Result<Self> {
        validate_lambda(lambda)?;
        if !(initial_variance.is_finite() && initial_variance >= 0.0) {
            return Err(Error::InvalidParameter {
                name: "initial_variance",
                value: initial_variance,
                allowed: "finite and >= 0",
            });
        }
        Ok(Self {
            lambda,
            variance: initial_variance,
        })
    }

    /// RiskMetrics' daily model, λ = 0.94.
    ///
    /// # Errors
    /// As [`EwmaVariance::new`].
    pub fn riskmetrics(initial_variance: f64) -> Result<Self> {
        Self::new(RISKMETRICS_LAMBDA, initial_variance)
    }

    /// The decay λ.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// The current one-step-ahead variance forecast.
    pub fn variance(&self) -> f64 {
        self.variance
    }

    /// Folds in the return `r` observed this period; returns the forecast for the next one.
    ///
    /// # Errors
    /// [`Error::NonFinite`] (index 0) if `r` is NaN or infinite; the state is then unchanged.
    pub fn update(&mut self, r: f64) -> Result<f64> {
        if !r.is_finite() {
            return Err(Error::NonFinite {
                what: "return",
                index: 0,
                value: r,
            });
        }
        self.variance = self.lambda * self.variance + (1.0 - self.lambda) * r * r;
        Ok(self.variance)
    }

    /// Conditional variances σ²₀ … σ²ₙ₋₁ of a whole series (σ²ₜ uses returns before t),
    /// started from the `arch` backcast of the first min(75, n) returns.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a bad λ, [`Error::TooShort`] for an empty series,
    /// [`Error::NonFinite`] at the first NaN/inf.
    pub fn batch(lambda: f64, returns: &[f64]) -> Result<Vec<f64>> {
        validate_lambda(lambda)?;
        check_len("EWMA variance", returns.len(), 1)?;
        check_finite("returns", returns)?;
        let mut state = Self {
            lambda,
            variance: backcast(returns),
        };
        let mut out = Vec::with_capacity(returns.len());
        for &r in returns {
            out.push(state.variance);
            state.variance = lambda * state.variance + (1.0 - lambda) * r * r;
        }
        Ok(out)
    }
}

fn validate_lambda(lambda: f64) -> Result<()> {
    if lambda > 0.0 && lambda < 1.0 {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name: "lambda",
            value: lambda,
            allowed: "0 < lambda < 1",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaming_and_batch_agree() {
        let r: Vec<f64> = (0..200).map(|i| ((i as f64) * 0.37).sin() * 0.01).collect();
        let batch = EwmaVariance::batch(0.94, &r).unwrap();
        let mut s = EwmaVariance::riskmetrics(batch[0]).unwrap();
        for (t, &x) in r.iter().enumerate() {
            assert_eq!(s.variance(), batch[t]);
            s.update(x).unwrap();
        }
    }

    #[test]
    fn lambda_outside_unit_interval_is_rejected() {
        for bad in [0.0, 1.0, -0.5, f64::NAN] {
            assert!(matches!(
                EwmaVariance::new(bad, 1.0),
                Err(Error::InvalidParameter { name: "lambda", .. })
            ));
        }
    }

    #[test]
    fn nan_return_is_rejected_and_state_kept() {
        let mut s = EwmaVariance::riskmetrics(1.0).unwrap();
        assert!(s.update(f64::NAN).is_err());
        assert_eq!(s.variance(), 1.0);
        assert!(matches!(
            EwmaVariance::batch(0.94, &[0.1, f64::INFINITY]),
            Err(Error::NonFinite { index: 1, .. })
        ));
    }
}
