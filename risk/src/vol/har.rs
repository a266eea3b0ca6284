//! The heterogeneous autoregressive model of realised variance (HAR-RV), Corsi (2009):
//!
//! RVₜ₊₁ = β₀ + β_d·RVₜ + β_w·RV⁽ʷ⁾ₜ + β_m·RV⁽ᵐ⁾ₜ + εₜ₊₁,
//!
//! RV⁽ʷ⁾ₜ = (1/5)·Σ_{i=0}^{4} RVₜ₋ᵢ and RV⁽ᵐ⁾ₜ = (1/22)·Σ_{i=0}^{21} RVₜ₋ᵢ (Corsi,
//! 2009); fitted by ordinary least squares.
//!
//! Corsi, F. (2009). A simple approximate long-memory model of realized volatility. *Journal
//! of Financial Econometrics* 7, 174–196.

use crate::error::{Error, Result, check_finite, check_len};
use crate::vol::linalg::invert;

/// HAR-RV specification: the weekly and monthly averaging windows (default 5 and 22).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HarRv {
    /// Length of the "weekly" average.
    pub weekly: usize,
    /// Length of the "monthly" average (must exceed `weekly`).
    pub monthly: usize,
}

impl Default for HarRv {
    fn default() -> Self {
        Self {
            weekly: 5,
            monthly: 22,
        }
    }
}

/// A fitted HAR-RV model.
#[derive(Debug, Clone, PartialEq)]
pub struct HarFit {
    /// The specification.
    pub spec: HarRv,
    /// β₀.
    pub intercept: f64,
    /// β_d, on yesterday's RV.
    pub daily: f64,
    /// β_w, on the weekly average.
    pub weekly: f64,
    /// β_m, on the monthly average.
    pub monthly: f64,
    /// In-sample R².
    pub r_squared: f64,
    /// Regression observations (n − monthly).
    pub nobs: usize,
    /// The last `monthly` observations, from which forecasts start.
    tail: Vec<f64>,
}

fn mean_last(x: &[f64], k: usize) -> f64 {
    x[x.len() - k..].iter().sum::<f64>() / k as f64
}

impl HarRv {
    /// Minimum regression rows beyond the first `monthly` observations.
    pub const MIN_ROWS: usize = 10;

    fn regressors(&self, history: &[f64]) -> [f64; 4] {
        [
            1.0,
            history[history.len() - 1],
            mean_last(history, self.weekly),
            mean_last(history, self.monthly),
        ]
    }

    /// Fits the model by OLS to a series of realised variances (one per day).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] unless 1 ≤ weekly < monthly; [`Error::TooShort`] below
    /// `monthly + MIN_ROWS` observations; [`Error::NonFinite`] at the first NaN/inf;
    /// [`Error::Singular`] when the regressors are collinear (e.g. a constant series).
    pub fn fit(&self, rv: &[f64]) -> Result<HarFit> {
        if self.weekly == 0 || self.weekly >= self.monthly {
            return Err(Error::InvalidParameter {
                name: "weekly",
                value: self.weekly as f64,
                allowed: "1 <= weekly < monthly",
            });
        }
        check_len("HAR-RV fit", rv.len(), self.monthly + Self::MIN_ROWS)?;
        check_finite("realised variance", rv)?;
        // Normal equations X'X b = X'y over rows t = monthly-1 .. n-2 (target rv[t+1]).
        let mut xtx = [0.0; 16];
        let mut xty = [0.0; 4];
        let rows = rv.len() - self.monthly;
        for t in self.monthly - 1..rv.len() - 1 {
            let x = self.regressors(&rv[..=t]);
            for i in 0..4 {
                xty[i] += x[i] * rv[t + 1];
                for j in 0..4 {
                    xtx[i * 4 + j] += x[i] * x[j];
                }
            }
        }
        let inv = invert(&xtx, 4, "HAR-RV normal equations X'X")?;
        let b: Vec<f64> = (0..4)
            .map(|i| (0..4).map(|j| inv[i * 4 + j] * xty[j]).sum())
            .collect();
        let targets = &rv[self.monthly..];
        let ybar = targets.iter().sum::<f64>() / rows as f64;
        let (mut ssr, mut sst) = (0.0, 0.0);
        for t in self.monthly - 1..rv.len() - 1 {
            let x = self.regressors(&rv[..=t]);
            let fitted: f64 = (0..4).map(|i| b[i] * x[i]).sum();
            ssr += (rv[t + 1] - fitted).powi(2);
            sst += (rv[t + 1] - ybar).powi(2);
        }
        Ok(HarFit {
            spec: *self,
            intercept: b[0],
            daily: b[1],
            weekly: b[2],
            monthly: b[3],
            r_squared: if sst > 0.0 { 1.0 - ssr / sst } else { f64::NAN },
            nobs: rows,
            tail: rv[rv.len() - self.monthly..].to_vec(),
        })
    }
}

impl HarFit {
    /// Forecasts RV for the next `horizon` days after the fitted sample; beyond one day the
    /// forecasts are iterated, each feeding the averages of the next (the usual recursive
    /// multi-step HAR forecast).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if `horizon` is 0.
    pub fn forecast(&self, horizon: usize) -> Result<Vec<f64>> {
        if horizon == 0 {
            return Err(Error::InvalidParameter {
                name: "horizon",
                value: 0.0,
                allowed: ">= 1",
            });
        }
        let mut hist = self.tail.clone();
        let b = [self.intercept, self.daily, self.weekly, self.monthly];
        let mut out = Vec::with_capacity(horizon);
        for _ in 0..horizon {
            let x = self.spec.regressors(&hist);
            let f: f64 = (0..4).map(|i| b[i] * x[i]).sum();
            out.push(f);
            hist.push(f);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_coefficients_of_a_noiseless_har_process() {
        let (b0, bd, bw, bm) = (0.1, 0.35, 0.3, 0.2);
        let spec = HarRv::default();
        let mut rv: Vec<f64> = (0..22)
            .map(|i| 1.0 + 0.3 * ((i as f64) * 0.7).sin())
            .collect();
        for t in 21..400 {
            let x = spec.regressors(&rv[..=t]);
            let shock = 0.05 * ((t as f64) * 1.3).sin();
            rv.push(b0 + bd * x[1] + bw * x[2] + bm * x[3] + shock);
        }
        // With deterministic "shocks" the OLS estimate is close but not exact; test a tight fit.
        let fit = spec.fit(&rv).unwrap();
        assert!((fit.daily - bd).abs() < 0.1, "{fit:?}");
        assert!(fit.r_squared > 0.5);
        let f = fit.forecast(300).unwrap();
        let uncond = fit.intercept / (1.0 - fit.daily - fit.weekly - fit.monthly);
        assert!((f[299] - uncond).abs() < 1e-3 * uncond.abs().max(1.0));
    }

    #[test]
    fn constant_series_is_singular_not_a_panic() {
        assert!(matches!(
            HarRv::default().fit(&[1.0; 60]),
            Err(Error::Singular { .. })
        ));
    }

    #[test]
    fn short_series_is_rejected() {
        assert!(matches!(
            HarRv::default().fit(&[1.0; 31]),
            Err(Error::TooShort {
                len: 31,
                needed: 32,
                ..
            })
        ));
    }
}
