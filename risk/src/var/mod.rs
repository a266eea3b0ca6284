//! Value at risk (VaR) and expected shortfall (ES) — historical, parametric (normal and
//! Student-t) and filtered historical simulation — and their backtests ([`backtest`]:
//! Kupiec, Christoffersen).
//!
//! # Conventions
//!
//! - `alpha` is the **tail probability**: `alpha = 0.01` is the 99 % VaR. 0 < α < 1.
//! - VaR and ES are **losses, reported as positive numbers** in the units of the returns:
//!   with loss L = −r, VaR_α is the level L exceeds with probability α and ES_α = E[L | L ≥
//!   VaR_α] (for continuous distributions). A return r is an *exceedance* (a VaR breach)
//!   when −r > VaR.
//! - **Historical quantile** (Hyndman & Fan, 1996, definition 1 — the inverse of the
//!   empirical distribution function): with the n losses sorted, L₍₁₎ ≤ … ≤ L₍ₙ₎, and
//!   k = ⌈n(1 − α)⌉, VaR_α = L₍ₖ₎; exactly ⌊nα⌋ losses lie strictly above it when there are
//!   no ties. ES is the discrete tail mean of Acerbi & Tasche (2002, Prop. 3.2 with
//!   Def. 2.6): ES_α = (1/(nα))·[Σ_{i>k} L₍ᵢ₎ + (nα − ⌊nα⌋)·L₍ₖ₎], which is the plain mean of
//!   the nα worst losses when nα is a whole number. The sample must hold at least one
//!   tail observation: n·α ≥ 1.
//! - **Parametric** models take the mean μ and the *standard deviation* σ of the returns.
//!   Normal: VaR = −μ + σ·z, ES = −μ + σ·φ(z)/α, z = Φ⁻¹(1 − α). Student-t with ν > 2
//!   degrees of freedom, **scaled to unit variance** so that σ stays the standard deviation:
//!   r = μ + σ·√((ν − 2)/ν)·T, T ~ t_ν, hence VaR = −μ + σ·s·t and
//!   ES = −μ + σ·s·[f_ν(t)/α]·(ν + t²)/(ν − 1), with s = √((ν − 2)/ν), t = t_ν⁻¹(1 − α) and
//!   f_ν the t density (McNeil, Frey & Embrechts, 2005, *Quantitative Risk Management*,
//!   §2.2.4). Quantiles and densities come from `statrs`.
//! - **Filtered historical simulation** ([`FilteredHistorical`], Barone-Adesi, Giannopoulos &
//!   Vosper, 1999): fit a GARCH model (the crate's [`crate::vol`]), standardise the
//!   residuals zₜ = (rₜ − μ)/σₜ, take the historical VaR/ES of z as above, and rescale by the
//!   one-step σ forecast: VaR_{T+1} = −μ + σ_{T+1}·VaR_α(z), likewise ES.
//!
//! # References
//! - Acerbi, C. & Tasche, D. (2002). On the coherence of expected shortfall. *Journal of
//!   Banking & Finance* 26, 1487–1503.
//! - Barone-Adesi, G., Giannopoulos, K. & Vosper, L. (1999). VaR without correlations for
//!   portfolios of derivative securities. *Journal of Futures Markets* 19, 583–602.
//! - Hyndman, R. & Fan, Y. (1996). Sample quantiles in statistical packages. *The American
//!   Statistician* 50, 361–365.
//!
//! ```
//! use shortfall_risk::var::{self, Parametric};
//! # fn main() -> shortfall_risk::Result<()> {
//! // 99 % one-day VaR and ES of a position with 2 % daily volatility, normal returns.
//! let v = var::parametric(Parametric::Normal, 0.0, 0.02, 0.01)?;
//! assert!((v.var - 0.02 * 2.326_347_874).abs() < 1e-9);
//! assert!((v.es - 0.02 * 2.665_214_220).abs() < 1e-8);
//! // Historical: the worst 1 % of 1000 returns.
//! let returns: Vec<f64> = (0..1000).map(|i| ((i * 7919) % 1000) as f64 / 1000.0 - 0.5).collect();
//! let h = var::historical(&returns, 0.01)?;
//! assert!(h.var <= h.es);
//! # Ok(()) }
//! ```

pub mod backtest;
mod fhs;

pub use fhs::{FhsForecast, FilteredHistorical};

use crate::error::{Error, Result, check_finite, check_len};
use statrs::distribution::{Continuous, ContinuousCDF, Normal, StudentsT};

/// A VaR and its expected shortfall at one tail probability (losses, positive numbers).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VarEs {
    /// The tail probability α.
    pub alpha: f64,
    /// Value at risk: the loss exceeded with probability α.
    pub var: f64,
    /// Expected shortfall: the mean loss in the α tail.
    pub es: f64,
}

/// A parametric return distribution (see the module docs for the scaling).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Parametric {
    /// Normal returns.
    Normal,
    /// Student-t returns with `nu` > 2 degrees of freedom, scaled to unit variance.
    StudentT {
        /// Degrees of freedom ν > 2.
        nu: f64,
    },
}

pub(crate) fn check_alpha(alpha: f64) -> Result<()> {
    if alpha > 0.0 && alpha < 1.0 {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name: "alpha (tail probability)",
            value: alpha,
            allowed: "0 < alpha < 1 (e.g. 0.01 for a 99 % VaR)",
        })
    }
}

/// Historical VaR and ES of `returns` at tail probability `alpha` (quantile convention in
/// the module docs).
///
/// # Errors
/// [`Error::InvalidParameter`] for α outside (0, 1); [`Error::TooShort`] when n·α < 1 (no
/// observation in the tail); [`Error::NonFinite`] at the first NaN/inf.
pub fn historical(returns: &[f64], alpha: f64) -> Result<VarEs> {
    check_alpha(alpha)?;
    check_len(
        "historical VaR (needs n * alpha >= 1)",
        returns.len(),
        (1.0 / alpha).ceil() as usize,
    )?;
    check_finite("returns", returns)?;
    let mut losses: Vec<f64> = returns.iter().map(|r| -r).collect();
    losses.sort_by(f64::total_cmp);
    Ok(tail_of_sorted(&losses, alpha))
}

/// VaR/ES of ascending losses (n·α ≥ 1, all finite).
pub(crate) fn tail_of_sorted(losses: &[f64], alpha: f64) -> VarEs {
    let n = losses.len();
    let na = n as f64 * alpha;
    // n − ⌈n(1 − α)⌉ = ⌊nα⌋ losses lie beyond position k; computed from nα with a tolerance
    // so that e.g. 20·0.1 = 2 is not rounded down to 1.
    let beyond = ((na * (1.0 + 1e-12)).floor() as usize).min(n - 1);
    let k = n - beyond;
    let var = losses[k - 1];
    let above: f64 = losses[k..].iter().sum();
    let weight = (na - beyond as f64).max(0.0);
    VarEs {
        alpha,
        var,
        es: (above + weight * var) / na,
    }
}

/// Parametric VaR and ES for returns with mean `mean` and standard deviation `sd` (module
/// docs for the formulas).
///
/// # Errors
/// [`Error::InvalidParameter`] for α outside (0, 1), a non-finite mean, sd ≤ 0 or not
/// finite, or ν ≤ 2.
pub fn parametric(dist: Parametric, mean: f64, sd: f64, alpha: f64) -> Result<VarEs> {
    check_alpha(alpha)?;
    if !mean.is_finite() {
        return Err(Error::InvalidParameter {
            name: "mean",
            value: mean,
            allowed: "finite",
        });
    }
    if !(sd.is_finite() && sd > 0.0) {
        return Err(Error::InvalidParameter {
            name: "sd",
            value: sd,
            allowed: "finite and > 0",
        });
    }
    let (q, tail_mean) = standard_tail(dist, alpha)?;
    Ok(VarEs {
        alpha,
        var: -mean + sd * q,
        es: -mean + sd * tail_mean,
    })
}

/// The (1 − α) quantile and the α-tail mean of the unit-variance distribution.
pub(crate) fn standard_tail(dist: Parametric, alpha: f64) -> Result<(f64, f64)> {
    match dist {
        Parametric::Normal => {
            let n = Normal::standard();
            let z = n.inverse_cdf(1.0 - alpha);
            Ok((z, n.pdf(z) / alpha))
        }
        Parametric::StudentT { nu } => {
            if !(nu.is_finite() && nu > 2.0) {
                return Err(Error::InvalidParameter {
                    name: "nu (Student-t degrees of freedom)",
                    value: nu,
                    allowed: "finite and > 2 (the variance must exist)",
                });
            }
            let t_dist = StudentsT::new(0.0, 1.0, nu).map_err(|_| Error::InvalidParameter {
                name: "nu (Student-t degrees of freedom)",
                value: nu,
                allowed: "finite and > 2",
            })?;
            let t = t_dist.inverse_cdf(1.0 - alpha);
            let s = ((nu - 2.0) / nu).sqrt();
            let es = t_dist.pdf(t) / alpha * (nu + t * t) / (nu - 1.0);
            Ok((s * t, s * es))
        }
    }
}

/// Exceedance indicators: `hits[t]` is true when the loss −rₜ is above `var[t]` (both
/// series aligned: `var[t]` is the forecast made before rₜ was seen).
///
/// # Errors
/// [`Error::LengthMismatch`] for series of different lengths, [`Error::NonFinite`] at the
/// first NaN/inf in either.
pub fn exceedances(returns: &[f64], var: &[f64]) -> Result<Vec<bool>> {
    if returns.len() != var.len() {
        return Err(Error::LengthMismatch {
            what: "VaR forecasts (one per return)",
            got: var.len(),
            expected: returns.len(),
        });
    }
    check_finite("returns", returns)?;
    check_finite("VaR forecasts", var)?;
    Ok(returns.iter().zip(var).map(|(r, v)| -r > *v).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn historical_var_and_es_of_a_hand_sorted_sample() {
        // Losses 1..=20 (returns −1..−20 shuffled); α = 0.1: k = ⌈18⌉ = 18, VaR = 18,
        // ES = mean of the nα = 2 worst = (19 + 20)/2 = 19.5.
        let returns: Vec<f64> = (1..=20).map(|i| -(((i * 7) % 20 + 1) as f64)).collect();
        let v = historical(&returns, 0.1).unwrap();
        assert_eq!(v.var, 18.0);
        assert!((v.es - 19.5).abs() < 1e-12);
        // α = 0.125: nα = 2.5, k = ⌈17.5⌉ = 18, ES = (19 + 20 + 0.5·18)/2.5 = 19.2.
        let v = historical(&returns, 0.125).unwrap();
        assert_eq!(v.var, 18.0);
        assert!((v.es - 19.2).abs() < 1e-12);
        // Exactly ⌊nα⌋ losses lie strictly above VaR.
        let above = returns.iter().filter(|r| -**r > v.var).count();
        assert_eq!(above, 2);
    }

    #[test]
    fn normal_var_and_es_match_published_values() {
        // Φ⁻¹(0.99) = 2.326347874, φ(2.326347874)/0.01 = 2.665214220;
        // Φ⁻¹(0.95) = 1.644853627, φ(1.644853627)/0.05 = 2.0627128075.
        let v = parametric(Parametric::Normal, 0.001, 0.02, 0.01).unwrap();
        assert!((v.var - (-0.001 + 0.02 * 2.326_347_874)).abs() < 1e-9);
        assert!((v.es - (-0.001 + 0.02 * 2.665_214_220)).abs() < 1e-9);
        let v = parametric(Parametric::Normal, 0.0, 1.0, 0.05).unwrap();
        assert!((v.var - 1.644_853_627).abs() < 1e-8);
        assert!((v.es - 2.062_712_807_5).abs() < 1e-8);
    }

    #[test]
    fn student_t_es_matches_numerical_integration_of_the_tail() {
        // t₅: t₀.₉₉ = 3.364930 (tables). ES of the standard t by Simpson's rule on
        // ∫ₜ^∞ x f(x) dx with the density written out, f(x) = c·(1 + x²/ν)^{−(ν+1)/2},
        // c = Γ(3)/(√(5π)·Γ(2.5)) = 2/(√(5π)·1.329340388) for ν = 5.
        let nu = 5.0;
        let alpha = 0.01;
        let c = 2.0 / ((5.0 * std::f64::consts::PI).sqrt() * 1.329_340_388_179_137);
        let f = |x: f64| c * (1.0 + x * x / nu).powf(-(nu + 1.0) / 2.0);
        let t = 3.364_929_997;
        // Substitute x = t/u, u ∈ (0, 1]: ∫ₜ^∞ x f(x) dx = ∫₀¹ (t/u)·f(t/u)·t/u² du.
        let g = |u: f64| {
            if u == 0.0 {
                0.0
            } else {
                (t / u) * f(t / u) * t / (u * u)
            }
        };
        let m = 20_000;
        let h = 1.0 / m as f64;
        let mut integral = g(0.0) + g(1.0);
        for i in 1..m {
            integral += if i % 2 == 1 { 4.0 } else { 2.0 } * g(i as f64 * h);
        }
        integral *= h / 3.0;
        let es_standard_t = integral / alpha;
        let s = (3.0_f64 / 5.0).sqrt();
        let v = parametric(Parametric::StudentT { nu }, 0.0, 1.0, alpha).unwrap();
        assert!((v.var - s * t).abs() < 1e-6, "{}", v.var);
        assert!(
            (v.es - s * es_standard_t).abs() < 1e-6,
            "{} vs {}",
            v.es,
            s * es_standard_t
        );
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(parametric(Parametric::Normal, 0.0, 1.0, 0.0).is_err());
        assert!(parametric(Parametric::Normal, 0.0, 0.0, 0.01).is_err());
        assert!(parametric(Parametric::StudentT { nu: 2.0 }, 0.0, 1.0, 0.01).is_err());
        assert!(matches!(
            historical(&[0.1; 50], 0.01),
            Err(Error::TooShort { needed: 100, .. })
        ));
        let mut r = vec![0.1; 200];
        r[17] = f64::NAN;
        assert!(matches!(
            historical(&r, 0.01),
            Err(Error::NonFinite { index: 17, .. })
        ));
        assert!(exceedances(&[0.1, 0.2], &[0.1]).is_err());
    }
}
