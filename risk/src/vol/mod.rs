//! Volatility models: EWMA, GARCH(1,1) and GJR-GARCH(1,1,1) by maximum likelihood, realised
//! estimators on OHLC bars and the HAR-RV model.
//!
//! The GARCH family follows the conventions of Kevin Sheppard's Python `arch` package
//! (version 8) exactly, so that a fit here can be checked number for number against
//! `arch_model(y, mean=..., vol="GARCH", p=1, o=..., q=1, dist="normal")`; see [`garch`] for
//! the list of conventions.

mod ewma;
pub mod garch;
mod har;
mod linalg;
pub(crate) mod optim;
mod realised;

pub use ewma::{EwmaVariance, RISKMETRICS_LAMBDA};
pub use garch::{
    Covariance, FitOptions, GarchFit, GarchModel, GarchParams, MeanModel, ParamEstimate, Simulated,
    VolatilityProcess,
};
pub use har::{HarFit, HarRv};
pub use realised::{Ohlc, close_to_close, garman_klass, parkinson, rogers_satchell, yang_zhang};

/// Number of leading observations in the backcast: τ = min(75, n).
pub const BACKCAST_WINDOW: usize = 75;

/// Decay of the backcast weights (and of `arch`'s variance-bound EWMA).
pub const BACKCAST_DECAY: f64 = 0.94;

/// `arch`'s backcast of the pre-sample variance: Σ_{i<τ} wᵢ·yᵢ² with wᵢ ∝ 0.94ⁱ normalised
/// to sum to one and τ = min(75, n). An empty series gives 0.
///
/// This is the value that stands in for ε²₋₁ and σ²₋₁ when a GARCH recursion starts, and the
/// start of [`EwmaVariance::batch`].
pub fn backcast(y: &[f64]) -> f64 {
    let tau = y.len().min(BACKCAST_WINDOW);
    let mut w = 1.0;
    let mut sum_w = 0.0;
    let mut sum = 0.0;
    for &v in &y[..tau] {
        sum += w * v * v;
        sum_w += w;
        w *= BACKCAST_DECAY;
    }
    if sum_w > 0.0 { sum / sum_w } else { 0.0 }
}

/// `arch`'s loose per-period bounds on the conditional variance, used during estimation so
/// that no parameter vector produces a NaN likelihood (`VolatilityProcess.variance_bounds`).
///
/// With e_t the EWMA(0.94) of ε² started at the backcast, the bounds are
/// lower_t = max(e_t/10⁶, var(ε)/10⁸) and
/// upper_t = min(max(10⁶·e_t, 1 + max ε²), 10⁷·(1 + max ε²)).
/// A σ² below the lower bound is set to it; one above the upper bound u becomes
/// u + ln(σ²/u).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VarianceBounds {
    pub(crate) lower: Vec<f64>,
    pub(crate) upper: Vec<f64>,
}

impl VarianceBounds {
    pub(crate) fn new(resid: &[f64]) -> Self {
        let n = resid.len();
        let mean = resid.iter().sum::<f64>() / n as f64;
        let var = resid.iter().map(|e| (e - mean) * (e - mean)).sum::<f64>() / n as f64;
        let max_sq = resid.iter().fold(0.0_f64, |m, e| m.max(e * e));
        let (floor, min_upper, cap) = (var / 1e8, 1.0 + max_sq, 1e7 * (1.0 + max_sq));
        let mut lower = Vec::with_capacity(n);
        let mut upper = Vec::with_capacity(n);
        let mut e = backcast(resid);
        for &r in resid {
            lower.push((e / 1e6).max(floor));
            let mut u = e * 1e6;
            if u < min_upper {
                u = min_upper;
            }
            if u > cap {
                u = cap;
            }
            upper.push(u);
            e = (1.0 - BACKCAST_DECAY) * r * r + BACKCAST_DECAY * e;
        }
        Self { lower, upper }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backcast_weights_sum_to_one() {
        assert!((backcast(&[2.0; 200]) - 4.0).abs() < 1e-12);
        assert!((backcast(&[3.0; 10]) - 9.0).abs() < 1e-12);
        assert_eq!(backcast(&[]), 0.0);
    }

    #[test]
    fn backcast_uses_only_the_first_75_observations() {
        let mut y = vec![1.0; 75];
        y.extend(vec![100.0; 50]);
        assert!((backcast(&y) - 1.0).abs() < 1e-12);
    }
}
