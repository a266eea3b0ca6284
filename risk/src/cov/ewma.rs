//! RiskMetrics EWMA covariance.
//!
//! J.P. Morgan/Reuters (1996), *RiskMetrics — Technical Document*, 4th ed., §5.2.1 (eq. 5.20
//! for covariances): with zero-mean returns rₜ ∈ ℝᵖ,
//!
//! Σₜ = λ·Σₜ₋₁ + (1 − λ)·rₜ₋₁·rₜ₋₁ᵀ,   λ = 0.94 for daily data,
//!
//! so Σₜ is the forecast for period t made with returns up to t − 1. Every entry follows the
//! univariate [`EwmaVariance`](crate::vol::EwmaVariance) recursion with the same λ, which
//! keeps Σₜ positive semi-definite. The batch form starts from the multivariate analogue of
//! `arch`'s backcast: Σ₀ = Σ_{i<τ} wᵢ·rᵢ·rᵢᵀ with wᵢ ∝ 0.94ⁱ normalised, τ = min(75, T),
//! so its diagonal equals [`EwmaVariance::batch`](crate::vol::EwmaVariance::batch) per
//! series.

use super::{Matrix, check_rows};
use crate::error::{Error, Result};
use crate::vol::{BACKCAST_DECAY, BACKCAST_WINDOW};

/// A validated EWMA covariance model and its streaming state.
///
/// ```
/// use shortfall_risk::cov::{EwmaCovariance, Matrix};
/// # fn main() -> shortfall_risk::Result<()> {
/// let mut ewma = EwmaCovariance::new(0.94, Matrix::identity(2))?;
/// ewma.update(&[1.0, -1.0])?;
/// // 0.94·1 + 0.06·1·1 = 1 on the diagonal, 0.06·(1·−1) off it.
/// assert!((ewma.covariance().get(0, 1) + 0.06).abs() < 1e-15);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EwmaCovariance {
    lambda: f64,
    cov: Matrix,
}

/// The result of [`EwmaCovariance::batch`].
#[derive(Debug, Clone, PartialEq)]
pub struct EwmaCovariancePath {
    /// Σ₀ … Σ_{T−1}: the forecast for each in-sample period from the returns before it.
    pub in_sample: Vec<Matrix>,
    /// Σ_T: the one-step-ahead forecast after the last return.
    pub forecast: Matrix,
}

impl EwmaCovariance {
    /// An EWMA with decay `lambda` whose current forecast is `initial`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] unless 0 < λ < 1; [`Error::InvalidSetting`] for an
    /// asymmetric `initial`; [`Error::NotPositiveDefinite`] for a negative diagonal entry.
    pub fn new(lambda: f64, initial: Matrix) -> Result<Self> {
        validate_lambda(lambda)?;
        let asym = initial.asymmetry();
        if asym > 1e-12 * initial.frobenius_norm().max(f64::MIN_POSITIVE) {
            return Err(Error::InvalidSetting {
                what: "EWMA covariance",
                field: "initial",
                value: format!("asymmetry {asym:e}"),
                reason: "a covariance matrix must be symmetric".into(),
            });
        }
        if let Some(i) = initial.diagonal().iter().position(|v| *v < 0.0) {
            return Err(Error::NotPositiveDefinite {
                what: "initial EWMA covariance",
                pivot: i,
                value: initial.get(i, i),
            });
        }
        Ok(Self {
            lambda,
            cov: initial,
        })
    }

    /// The decay λ.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// The current one-step-ahead covariance forecast.
    pub fn covariance(&self) -> &Matrix {
        &self.cov
    }

    /// Folds in this period's return vector `r`; returns the forecast for the next period.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] for a vector of the wrong dimension, [`Error::NonFinite`]
    /// for a NaN/inf entry; the state is then unchanged.
    pub fn update(&mut self, r: &[f64]) -> Result<&Matrix> {
        let p = self.cov.dim();
        if r.len() != p {
            return Err(Error::LengthMismatch {
                what: "return vector",
                got: r.len(),
                expected: p,
            });
        }
        crate::error::check_finite("return vector", r)?;
        fold(self.cov.data_mut(), p, self.lambda, r);
        Ok(&self.cov)
    }

    /// The whole path for T×p returns (`rows[t]` is period t's vector), started from the
    /// backcast described in the module docs.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a bad λ, [`Error::TooShort`] for no rows,
    /// [`Error::LengthMismatch`] for ragged rows, [`Error::NonFinite`] at the first NaN/inf.
    pub fn batch<R: AsRef<[f64]>>(lambda: f64, rows: &[R]) -> Result<EwmaCovariancePath> {
        validate_lambda(lambda)?;
        let p = check_rows("EWMA covariance", rows, 1)?;
        let mut cov = vec![0.0; p * p];
        let tau = rows.len().min(BACKCAST_WINDOW);
        let (mut w, mut sum_w) = (1.0, 0.0);
        for row in &rows[..tau] {
            let r = row.as_ref();
            for i in 0..p {
                for j in 0..p {
                    cov[i * p + j] += w * r[i] * r[j];
                }
            }
            sum_w += w;
            w *= BACKCAST_DECAY;
        }
        cov.iter_mut().for_each(|v| *v /= sum_w);
        let mut in_sample = Vec::with_capacity(rows.len());
        for row in rows {
            in_sample.push(Matrix::from_parts(p, cov.clone()));
            fold(&mut cov, p, lambda, row.as_ref());
        }
        Ok(EwmaCovariancePath {
            in_sample,
            forecast: Matrix::from_parts(p, cov),
        })
    }
}

fn fold(cov: &mut [f64], p: usize, lambda: f64, r: &[f64]) {
    for i in 0..p {
        for j in 0..p {
            cov[i * p + j] = lambda * cov[i * p + j] + (1.0 - lambda) * r[i] * r[j];
        }
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
    use crate::vol::EwmaVariance;

    #[test]
    fn two_by_two_recursion_matches_hand_computation() {
        // Σ₀ = [[1, 0.5], [0.5, 2]], λ = 0.94, r₀ = (0.1, −0.2), r₁ = (0.3, 0.1).
        // Σ₁ = 0.94·Σ₀ + 0.06·r₀r₀ᵀ:
        //   11: 0.94 + 0.06·0.01 = 0.9406
        //   12: 0.47 + 0.06·(−0.02) = 0.4688
        //   22: 1.88 + 0.06·0.04 = 1.8824
        // Σ₂ = 0.94·Σ₁ + 0.06·r₁r₁ᵀ:
        //   11: 0.94·0.9406 + 0.06·0.09 = 0.884164 + 0.0054 = 0.889564
        //   12: 0.94·0.4688 + 0.06·0.03 = 0.440672 + 0.0018 = 0.442472
        //   22: 0.94·1.8824 + 0.06·0.01 = 1.769456 + 0.0006 = 1.770056
        let init = Matrix::from_rows(&[vec![1.0, 0.5], vec![0.5, 2.0]]).unwrap();
        let mut e = EwmaCovariance::new(0.94, init).unwrap();
        let s1 = e.update(&[0.1, -0.2]).unwrap().clone();
        for (got, want) in s1.as_slice().iter().zip([0.9406, 0.4688, 0.4688, 1.8824]) {
            assert!((got - want).abs() < 1e-15, "{got} vs {want}");
        }
        let s2 = e.update(&[0.3, 0.1]).unwrap();
        for (got, want) in s2
            .as_slice()
            .iter()
            .zip([0.889564, 0.442472, 0.442472, 1.770056])
        {
            assert!((got - want).abs() < 1e-15, "{got} vs {want}");
        }
    }

    #[test]
    fn batch_diagonal_equals_the_univariate_ewma() {
        let rows: Vec<[f64; 2]> = (0..150)
            .map(|t| {
                let x = t as f64;
                [(x * 0.37).sin() * 0.01, (x * 0.11).cos() * 0.02]
            })
            .collect();
        let path = EwmaCovariance::batch(0.94, &rows).unwrap();
        for k in 0..2 {
            let series: Vec<f64> = rows.iter().map(|r| r[k]).collect();
            let uni = EwmaVariance::batch(0.94, &series).unwrap();
            for (t, m) in path.in_sample.iter().enumerate() {
                assert!((m.get(k, k) - uni[t]).abs() <= 1e-15 * uni[t].max(1e-300) * 10.0);
            }
        }
        // And the streaming form continues from the last in-sample matrix to the forecast.
        let mut s = EwmaCovariance::new(0.94, path.in_sample[149].clone()).unwrap();
        let f = s.update(&rows[149]).unwrap();
        assert_eq!(f, &path.forecast);
    }

    #[test]
    fn bad_input_is_rejected() {
        assert!(matches!(
            EwmaCovariance::batch(1.0, &[[0.1, 0.2]]),
            Err(Error::InvalidParameter { name: "lambda", .. })
        ));
        let empty: [[f64; 2]; 0] = [];
        assert!(matches!(
            EwmaCovariance::batch(0.94, &empty),
            Err(Error::TooShort { .. })
        ));
        let ragged = [vec![0.1, 0.2], vec![0.3]];
        assert!(matches!(
            EwmaCovariance::batch(0.94, &ragged),
            Err(Error::LengthMismatch { got: 1, .. })
        ));
        let mut e = EwmaCovariance::new(0.94, Matrix::identity(2)).unwrap();
        assert!(e.update(&[f64::NAN, 0.0]).is_err());
        assert_eq!(e.covariance(), &Matrix::identity(2));
        let asym = Matrix::from_rows(&[vec![1.0, 0.5], vec![0.0, 1.0]]).unwrap();
        assert!(matches!(
            EwmaCovariance::new(0.94, asym),
            Err(Error::InvalidSetting { .. })
        ));
    }
}
