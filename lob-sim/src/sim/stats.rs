//! Stylized-facts statistics shared by the `simulate` example and the tests: returns on a
//! clock grid, excess kurtosis, autocorrelations, and power-law fits of impact.

use crate::error::{Error, Result};

/// Log returns `ln(p[i+1]/p[i])` of a price series sampled on a clock grid.
///
/// # Errors
/// [`Error::Inconsistent`] when a price is not finite and positive (e.g. a mid sampled
/// while a side was empty: the caller decides how to fill it).
pub fn log_returns(prices: &[f64]) -> Result<Vec<f64>> {
    if let Some((i, p)) = prices
        .iter()
        .enumerate()
        .find(|(_, p)| !(p.is_finite() && **p > 0.0))
    {
        return Err(Error::Inconsistent(format!(
            "price {i} of the series is {p}; returns need finite positive prices"
        )));
    }
    Ok(prices.windows(2).map(|w| (w[1] / w[0]).ln()).collect())
}

/// The arithmetic mean (NaN for an empty slice).
pub fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample excess kurtosis `m4 / m2² − 3` with population moments (0 for a normal law; the
/// standard error under normality is about `√(24/n)`). NaN when the variance is zero.
pub fn excess_kurtosis(x: &[f64]) -> f64 {
    let m = mean(x);
    let (mut m2, mut m4) = (0.0, 0.0);
    for &v in x {
        let d = (v - m) * (v - m);
        m2 += d;
        m4 += d * d;
    }
    let n = x.len() as f64;
    (m4 / n) / ((m2 / n) * (m2 / n)) - 3.0
}

/// Sample autocorrelation at `lag`: `Σ (x_t − x̄)(x_{t+lag} − x̄) / Σ (x_t − x̄)²` (the
/// standard biased estimator; its standard error for white noise is about `1/√n`).
/// NaN when the variance is zero or `lag ≥ n`.
pub fn autocorrelation(x: &[f64], lag: usize) -> f64 {
    if lag >= x.len() {
        return f64::NAN;
    }
    let m = mean(x);
    let denominator: f64 = x.iter().map(|v| (v - m) * (v - m)).sum();
    let numerator: f64 = x
        .iter()
        .zip(&x[lag..])
        .map(|(a, b)| (a - m) * (b - m))
        .sum();
    numerator / denominator
}

/// Autocorrelations of `|x|` at lags `1..=max_lag` (volatility clustering shows as positive,
/// slowly decaying values).
pub fn abs_autocorrelations(x: &[f64], max_lag: usize) -> Vec<f64> {
    let abs: Vec<f64> = x.iter().map(|v| v.abs()).collect();
    (1..=max_lag).map(|k| autocorrelation(&abs, k)).collect()
}

/// A power law `y = prefactor · x^exponent` fitted by ordinary least squares on logs.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct PowerLawFit {
    /// The exponent (the slope in log-log coordinates).
    pub exponent: f64,
    /// The prefactor.
    pub prefactor: f64,
    /// Standard error of the exponent (NaN with two points).
    pub exponent_se: f64,
    /// Coefficient of determination of the log-log regression.
    pub r_squared: f64,
}

/// Fits `y = a·x^δ` by OLS of `ln y` on `ln x` (e.g. mean metaorder impact on size).
///
/// # Errors
/// [`Error::Inconsistent`] when the lengths differ, fewer than two points are given, a value
/// is not finite and positive, or all `x` are equal.
pub fn fit_power_law(x: &[f64], y: &[f64]) -> Result<PowerLawFit> {
    if x.len() != y.len() || x.len() < 2 {
        return Err(Error::Inconsistent(format!(
            "power-law fit needs two equally long series of ≥ 2 points, got {} and {}",
            x.len(),
            y.len()
        )));
    }
    for (i, (&a, &b)) in x.iter().zip(y).enumerate() {
        if !(a.is_finite() && a > 0.0 && b.is_finite() && b > 0.0) {
            return Err(Error::Inconsistent(format!(
                "power-law fit point {i} is ({a}, {b}); both must be finite and > 0"
            )));
        }
    }
    let lx: Vec<f64> = x.iter().map(|v| v.ln()).collect();
    let ly: Vec<f64> = y.iter().map(|v| v.ln()).collect();
    let (mx, my) = (mean(&lx), mean(&ly));
    let sxx: f64 = lx.iter().map(|a| (a - mx) * (a - mx)).sum();
    if sxx == 0.0 {
        return Err(Error::Inconsistent(
            "power-law fit: all x are equal".to_owned(),
        ));
    }
    let sxy: f64 = lx.iter().zip(&ly).map(|(a, b)| (a - mx) * (b - my)).sum();
    let syy: f64 = ly.iter().map(|b| (b - my) * (b - my)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let rss: f64 = lx
        .iter()
        .zip(&ly)
        .map(|(a, b)| {
            let r = b - intercept - slope * a;
            r * r
        })
        .sum();
    let n = x.len() as f64;
    let exponent_se = if x.len() > 2 {
        (rss / (n - 2.0) / sxx).sqrt()
    } else {
        f64::NAN
    };
    Ok(PowerLawFit {
        exponent: slope,
        prefactor: intercept.exp(),
        exponent_se,
        r_squared: if syy > 0.0 { 1.0 - rss / syy } else { 1.0 },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kurtosis_of_known_samples() {
        // Two-point ±1: m2 = 1, m4 = 1, excess kurtosis = 1 − 3 = −2.
        assert!((excess_kurtosis(&[1.0, -1.0, 1.0, -1.0]) + 2.0).abs() < 1e-12);
        // {0,0,0,0,0,0,0,0,1,-1}: m2 = 0.2, m4 = 0.2 → 0.2/0.04 − 3 = 2.
        let mut x = vec![0.0; 8];
        x.extend([1.0, -1.0]);
        assert!((excess_kurtosis(&x) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn autocorrelation_of_alternating_and_trend_series() {
        // ±1 alternating: lag-1 sum is −(n−1), variance sum n → −(n−1)/n.
        let x: Vec<f64> = (0..10)
            .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        assert!((autocorrelation(&x, 1) + 0.9).abs() < 1e-12);
        assert!((autocorrelation(&x, 2) - 0.8).abs() < 1e-12);
        let abs = abs_autocorrelations(&x, 1);
        assert!(abs[0].is_nan(), "constant |x| has no autocorrelation");
    }

    #[test]
    fn power_law_fit_recovers_an_exact_square_root() {
        let q = [10.0, 20.0, 40.0, 80.0, 160.0];
        let y: Vec<f64> = q.iter().map(|v: &f64| 3.0 * v.sqrt()).collect();
        let fit = fit_power_law(&q, &y).unwrap();
        assert!((fit.exponent - 0.5).abs() < 1e-12);
        assert!((fit.prefactor - 3.0).abs() < 1e-9);
        assert!(fit.exponent_se.abs() < 1e-9 && (fit.r_squared - 1.0).abs() < 1e-12);
        assert!(fit_power_law(&[1.0, 2.0], &[1.0, -1.0]).is_err());
        assert!(fit_power_law(&[2.0, 2.0], &[1.0, 3.0]).is_err());
    }

    #[test]
    fn returns_reject_empty_book_prices() {
        let r = log_returns(&[100.0, 101.0, 100.0]).unwrap();
        assert!((r[0] - (1.01f64).ln()).abs() < 1e-15);
        assert!(log_returns(&[100.0, f64::NAN]).is_err());
    }
}
