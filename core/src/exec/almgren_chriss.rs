//! The Almgren–Chriss model of optimal execution: parameters and closed forms.
//!
//! Almgren, R. and Chriss, N. (2000), "Optimal execution of portfolio transactions",
//! *Journal of Risk* 3(2), 5–39. Notation follows the paper: sell `X` shares over `T` in
//! `N` intervals of length `τ = T/N`; holdings `x_k` after the `k`-th interval (`x_0 = X`,
//! `x_N = 0`); child sizes `n_k = x_{k−1} − x_k`. The mid follows an arithmetic random walk
//! with linear permanent impact, `S_k = S_{k−1} + σ τ^½ ξ_k − τ g(n_k/τ)`, `g(v) = γ v`,
//! and each child trades at `S̃_k = S_{k−1} − h(n_k/τ)`, `h(v) = ε sgn(v) + η v`. A buy
//! order is the mirror image and has the same costs.
//!
//! These closed forms live in `shortfall-core` because both sides use them: the simulated
//! Almgren–Chriss world (in `shortfall-lob-sim`) is parameterised by [`AcParams`], and the
//! Almgren–Chriss policy (in `shortfall-agents`) follows [`optimal_fractions`]. They need
//! only `std`'s floating-point functions.
//!
//! ```
//! use shortfall_core::exec::almgren_chriss::AcParams;
//!
//! // The paper's example (section 3): 1 million shares at $50 over 5 days in 5 steps.
//! let model = AcParams::paper_example().build()?;
//! let kappa = model.kappa(1e-6)?;
//! assert!((kappa - 0.6).abs() < 0.01); // the paper quotes κ ≈ 0.6 per day
//! let x = model.optimal_holdings(1e-6)?;
//! let e = model.expected_cost(&x)?;
//! let v = model.variance(&x)?;
//! let closed = model.optimal_cost(1e-6)?;
//! assert!((e - closed.expected).abs() < 1e-6 * e && (v - closed.variance).abs() < 1e-6 * v);
//! # Ok::<(), shortfall_core::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::units::Qty;
use serde::{Deserialize, Serialize};

/// Parameters of the Almgren–Chriss model, in the paper's units: prices in currency per
/// share, time in any unit (the paper uses days), quantities in lots (shares).
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcParams {
    /// Initial (arrival) price `S_0` (> 0).
    pub initial_price: f64,
    /// Parent quantity `X` in lots (> 0).
    pub quantity: Qty,
    /// Horizon `T` in time units (> 0).
    pub horizon: f64,
    /// Number of trading intervals `N` (≥ 1).
    pub steps: u32,
    /// Volatility `σ` of the mid, price per √time unit (≥ 0).
    pub sigma: f64,
    /// Permanent impact `γ`, price per lot (≥ 0).
    pub gamma: f64,
    /// Temporary impact `η`, price × time per lot (> 0).
    pub eta: f64,
    /// Fixed cost per lot `ε` (half the spread plus fees; ≥ 0).
    pub epsilon: f64,
}

impl AcParams {
    /// The paper's worked example (Almgren & Chriss 2000, section 3): `S_0 = 50`,
    /// `X = 10⁶`, `T = 5` days, `N = 5`, `σ = 0.95` (30 % annual volatility),
    /// `ε = 0.0625`, `η = 2.5·10⁻⁶`, `γ = 2.5·10⁻⁷`.
    pub fn paper_example() -> Self {
        AcParams {
            initial_price: 50.0,
            quantity: Qty(1_000_000),
            horizon: 5.0,
            steps: 5,
            sigma: 0.95,
            gamma: 2.5e-7,
            eta: 2.5e-6,
            epsilon: 0.0625,
        }
    }

    /// Validates the parameters into a model.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the parameter when one is out of range or not finite, or
    /// when `η̃ = η − γτ/2 ≤ 0` (the model's cost is then not convex; AC 2000, section 2.3).
    pub fn build(self) -> Result<AcModel> {
        let bad = |reason: String| {
            Err(Error::Invalid {
                what: "Almgren-Chriss parameters",
                reason,
            })
        };
        for (name, v, min_exclusive) in [
            ("initial_price", self.initial_price, true),
            ("horizon", self.horizon, true),
            ("sigma", self.sigma, false),
            ("gamma", self.gamma, false),
            ("eta", self.eta, true),
            ("epsilon", self.epsilon, false),
        ] {
            if !v.is_finite() || v < 0.0 || (min_exclusive && v == 0.0) {
                let need = if min_exclusive { "> 0" } else { ">= 0" };
                return bad(format!("{name} = {v}, must be finite and {need}"));
            }
        }
        if self.quantity.0 <= 0 {
            return bad(format!("quantity = {}, must be positive", self.quantity));
        }
        if self.steps == 0 {
            return bad("steps = 0, must be at least 1".into());
        }
        let tau = self.horizon / f64::from(self.steps);
        let eta_tilde = self.eta - 0.5 * self.gamma * tau;
        if eta_tilde <= 0.0 {
            return bad(format!(
                "eta - gamma*tau/2 = {eta_tilde} must be positive (eta {}, gamma {}, tau {tau})",
                self.eta, self.gamma
            ));
        }
        Ok(AcModel {
            p: self,
            tau,
            eta_tilde,
        })
    }
}

/// Expected cost and variance of a trajectory's implementation shortfall.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostMoments {
    /// `E[x]`, price × lots.
    pub expected: f64,
    /// `V[x]`, (price × lots)².
    pub variance: f64,
}

/// Validated Almgren–Chriss parameters with the derived `τ` and `η̃`.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct AcModel {
    p: AcParams,
    tau: f64,
    eta_tilde: f64,
}

/// Below this `κT` the optimal trajectory is linear to within `(κT)²/6 < 10⁻¹⁶` relative.
const LINEAR_KAPPA_T: f64 = 1e-8;

/// `sinh(a) / sinh(b)` for `0 ≤ a ≤ b`, without overflow for large `b`.
fn sinh_ratio(a: f64, b: f64) -> f64 {
    if b > 20.0 {
        (a - b).exp() * (-(-2.0 * a).exp_m1()) / (-(-2.0 * b).exp_m1())
    } else {
        a.sinh() / b.sinh()
    }
}

/// The optimal holdings as fractions of the parent, `x_k / X` for `k = 0..=steps`, for a
/// given `κτ` (AC 2000, eq. (18) in discrete time: `x_k = sinh(κ(T − t_k)) / sinh(κT) · X`,
/// with `κ(T − t_k) = κτ (N − k)`). `κτ = 0` (no risk aversion) gives the linear (TWAP)
/// trajectory `1 − k/N`.
///
/// # Errors
/// [`Error::Invalid`] when `kappa_tau` is negative or not finite, or `steps` is 0.
pub fn optimal_fractions(kappa_tau: f64, steps: u32) -> Result<Vec<f64>> {
    if !kappa_tau.is_finite() || kappa_tau < 0.0 || steps == 0 {
        return Err(Error::Invalid {
            what: "Almgren-Chriss trajectory",
            reason: format!(
                "kappa*tau = {kappa_tau} must be finite and >= 0, steps = {steps} >= 1"
            ),
        });
    }
    let n = f64::from(steps);
    let kt = kappa_tau * n;
    Ok((0..=steps)
        .map(|k| {
            let left = f64::from(steps - k);
            if kt < LINEAR_KAPPA_T {
                left / n
            } else {
                sinh_ratio(kappa_tau * left, kt)
            }
        })
        .collect())
}

impl AcModel {
    /// The parameters.
    pub fn params(&self) -> &AcParams {
        &self.p
    }

    /// Interval length `τ = T / N`.
    pub fn tau(&self) -> f64 {
        self.tau
    }

    /// `η̃ = η − γτ/2` (AC 2000, section 2.3).
    pub fn eta_tilde(&self) -> f64 {
        self.eta_tilde
    }

    /// Arrival notional `X · S_0`, the denominator of costs in bps.
    pub fn arrival_notional(&self) -> f64 {
        self.p.quantity.0 as f64 * self.p.initial_price
    }

    /// A cost in price × lots as basis points of the arrival notional.
    pub fn cost_bps(&self, cost: f64) -> f64 {
        cost / self.arrival_notional() * 1e4
    }

    /// A variance in (price × lots)² as bps².
    pub fn variance_bps2(&self, variance: f64) -> f64 {
        variance / (self.arrival_notional() * self.arrival_notional()) * 1e8
    }

    /// The urgency `κ` for risk aversion `λ`, from the discrete equation
    /// `(2/τ²)(cosh(κτ) − 1) = λσ²/η̃` (AC 2000, after eq. (18)), solved as
    /// `κτ = acosh(1 + λσ²τ²/(2η̃))`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when `lambda` is negative or not finite.
    pub fn kappa(&self, lambda: f64) -> Result<f64> {
        if !lambda.is_finite() || lambda < 0.0 {
            return Err(Error::Invalid {
                what: "risk aversion",
                reason: format!("lambda = {lambda} must be finite and >= 0"),
            });
        }
        let y = lambda * self.p.sigma * self.p.sigma * self.tau * self.tau / (2.0 * self.eta_tilde);
        // acosh(1 + y) = ln(1 + y + sqrt(y (2 + y))), accurate for small y.
        Ok((y + (y * (2.0 + y)).sqrt()).ln_1p() / self.tau)
    }

    /// The optimal holdings `x_0 = X, …, x_N = 0` (in lots, real-valued) for risk aversion
    /// `λ` (AC 2000, eq. (18)).
    ///
    /// # Errors
    /// As [`AcModel::kappa`].
    pub fn optimal_holdings(&self, lambda: f64) -> Result<Vec<f64>> {
        let kt = self.kappa(lambda)? * self.tau;
        let x = self.p.quantity.0 as f64;
        Ok(optimal_fractions(kt, self.p.steps)?
            .into_iter()
            .map(|f| f * x)
            .collect())
    }

    fn check_holdings(&self, holdings: &[f64]) -> Result<()> {
        let n = self.p.steps as usize;
        let x = self.p.quantity.0 as f64;
        let bad = |reason: String| {
            Err(Error::Invalid {
                what: "trajectory",
                reason,
            })
        };
        if holdings.len() != n + 1 {
            return bad(format!(
                "{} holdings, expected steps + 1 = {}",
                holdings.len(),
                n + 1
            ));
        }
        if let Some((k, v)) = holdings.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return bad(format!("holding {k} is {v}"));
        }
        let tol = 1e-9 * x;
        if (holdings[0] - x).abs() > tol || holdings[n].abs() > tol {
            return bad(format!(
                "must start at X = {x} and end at 0, got {} and {}",
                holdings[0], holdings[n]
            ));
        }
        Ok(())
    }

    /// Expected implementation shortfall of any trajectory (AC 2000, the expectation before
    /// eq. (8)): `E = Σ τ x_k g(n_k/τ) + Σ n_k h(n_k/τ) = Σ (γ x_k n_k + ε|n_k| + η n_k²/τ)`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when `holdings` does not have `N + 1` finite entries from `X` to 0.
    pub fn expected_cost(&self, holdings: &[f64]) -> Result<f64> {
        self.check_holdings(holdings)?;
        let p = &self.p;
        Ok(holdings
            .windows(2)
            .map(|w| {
                let n = w[0] - w[1];
                p.gamma * w[1] * n + p.epsilon * n.abs() + p.eta * n * n / self.tau
            })
            .sum())
    }

    /// Variance of the implementation shortfall of any trajectory (AC 2000, eq. (8)):
    /// `V = σ² Σ_{k=1}^{N} τ x_k²`.
    ///
    /// # Errors
    /// As [`AcModel::expected_cost`].
    pub fn variance(&self, holdings: &[f64]) -> Result<f64> {
        self.check_holdings(holdings)?;
        let s2 = self.p.sigma * self.p.sigma;
        Ok(holdings[1..].iter().map(|x| s2 * self.tau * x * x).sum())
    }

    /// The mean-variance objective `E + λV` of a trajectory (AC 2000, eq. (9)).
    ///
    /// # Errors
    /// As [`AcModel::expected_cost`].
    pub fn mean_variance(&self, holdings: &[f64], lambda: f64) -> Result<f64> {
        Ok(self.expected_cost(holdings)? + lambda * self.variance(holdings)?)
    }

    /// `E` and `V` of the optimal trajectory for `λ` from the paper's closed forms
    /// (AC 2000, eq. (20)):
    /// `E = ½γX² + εX + η̃X² tanh(½κτ)(τ sinh(2κT) + 2T sinh(κτ)) / (2τ² sinh²(κT))`,
    /// `V = ½σ²X² (τ sinh(κT) cosh(κ(T−τ)) − T sinh(κτ)) / (sinh²(κT) sinh(κτ))`;
    /// at `κ = 0`, the linear trajectory's `E = ½γX² + εX + η̃X²/T` and
    /// `V = ⅓σ²X²T(1 − 1/N)(1 − 1/(2N))`.
    ///
    /// # Errors
    /// As [`AcModel::kappa`], and [`Error::Invalid`] when `κT` is so large that `sinh`
    /// overflows (use [`AcModel::expected_cost`] on [`AcModel::optimal_holdings`] then).
    pub fn optimal_cost(&self, lambda: f64) -> Result<CostMoments> {
        let k = self.kappa(lambda)?;
        let p = &self.p;
        let (x, t, tau) = (p.quantity.0 as f64, p.horizon, self.tau);
        let n = f64::from(p.steps);
        let base = 0.5 * p.gamma * x * x + p.epsilon * x;
        if k * t < LINEAR_KAPPA_T {
            return Ok(CostMoments {
                expected: base + self.eta_tilde * x * x / t,
                variance: p.sigma * p.sigma * x * x * t * (1.0 - 1.0 / n) * (1.0 - 0.5 / n) / 3.0,
            });
        }
        if 2.0 * k * t > 700.0 {
            return Err(Error::Invalid {
                what: "Almgren-Chriss closed form",
                reason: format!("kappa*T = {} too large for sinh", k * t),
            });
        }
        let skt = (k * t).sinh();
        let sktau = (k * tau).sinh();
        let expected = base
            + self.eta_tilde
                * x
                * x
                * (0.5 * k * tau).tanh()
                * (tau * (2.0 * k * t).sinh() + 2.0 * t * sktau)
                / (2.0 * tau * tau * skt * skt);
        let variance =
            0.5 * p.sigma * p.sigma * x * x * (tau * skt * (k * (t - tau)).cosh() - t * sktau)
                / (skt * skt * sktau);
        Ok(CostMoments { expected, variance })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_example_reproduces_the_published_kappa() {
        let m = AcParams::paper_example().build().unwrap();
        // Section 3: tau = 1 day, eta_tilde = eta - gamma/2 = 2.375e-6.
        assert!((m.eta_tilde() - 2.375e-6).abs() < 1e-18);
        // lambda = 1e-6: kappa_tilde^2 = 1e-6 * 0.9025 / 2.375e-6 = 0.38, and
        // cosh(kappa) = 1 + 0.19 gives kappa = acosh(1.19) = ln(1.19 + sqrt(0.4161)) = 0.6071
        let k = m.kappa(1e-6).unwrap();
        assert!((k - 1.19f64.acosh()).abs() < 1e-14, "{k}");
        assert!((k - 0.6071).abs() < 1e-4);
        assert_eq!(m.kappa(0.0).unwrap(), 0.0);
        assert!(m.kappa(-1.0).is_err() && m.kappa(f64::NAN).is_err());
    }

    #[test]
    fn closed_forms_agree_with_the_sums_for_every_lambda() {
        // Two independent routes: the paper's eq. (20) against the general sums over the
        // eq. (18) trajectory. Also a second parameter set with many steps.
        let mut long = AcParams::paper_example();
        long.steps = 250;
        long.horizon = 1.0;
        for params in [AcParams::paper_example(), long] {
            let m = params.build().unwrap();
            for lambda in [0.0, 1e-9, 1e-7, 1e-6, 1e-5] {
                let x = m.optimal_holdings(lambda).unwrap();
                let c = m.optimal_cost(lambda).unwrap();
                let e = m.expected_cost(&x).unwrap();
                let v = m.variance(&x).unwrap();
                assert!(
                    (e - c.expected).abs() <= 1e-9 * e,
                    "lambda {lambda}: {e} vs {}",
                    c.expected
                );
                assert!(
                    (v - c.variance).abs() <= 1e-9 * v,
                    "lambda {lambda}: {v} vs {}",
                    c.variance
                );
            }
        }
    }

    #[test]
    fn expected_cost_matches_the_simplified_form() {
        // E = ½γX² + ε Σ|n| + (η̃/τ) Σ n² (AC 2000, eq. (8) rearranged) for an arbitrary
        // monotone trajectory.
        let m = AcParams::paper_example().build().unwrap();
        let x = [1e6, 5e5, 4e5, 1e5, 5e4, 0.0];
        let n: Vec<f64> = x.windows(2).map(|w| w[0] - w[1]).collect();
        let p = m.params();
        let by_hand = 0.5 * p.gamma * 1e12
            + p.epsilon * n.iter().sum::<f64>()
            + m.eta_tilde() / m.tau() * n.iter().map(|v| v * v).sum::<f64>();
        let e = m.expected_cost(&x).unwrap();
        assert!((e - by_hand).abs() < 1e-9 * e);
        // V by hand: sigma^2 tau (5e5^2 + 4e5^2 + 1e5^2 + 5e4^2).
        let v = 0.9025 * (25e10 + 16e10 + 1e10 + 0.25e10);
        assert!((m.variance(&x).unwrap() - v).abs() < 1e-6 * v);
    }

    #[test]
    fn the_optimum_beats_neighbouring_trajectories() {
        let m = AcParams::paper_example().build().unwrap();
        let lambda = 1e-6;
        let x = m.optimal_holdings(lambda).unwrap();
        let best = m.mean_variance(&x, lambda).unwrap();
        for k in 1..5 {
            for d in [-1e4, 1e4] {
                let mut y = x.clone();
                y[k] += d;
                assert!(m.mean_variance(&y, lambda).unwrap() > best);
            }
        }
    }

    #[test]
    fn zero_risk_aversion_is_linear_and_urgency_front_loads() {
        let f = optimal_fractions(0.0, 4).unwrap();
        assert_eq!(f, vec![1.0, 0.75, 0.5, 0.25, 0.0]);
        let g = optimal_fractions(0.5, 4).unwrap();
        assert_eq!(g[0], 1.0);
        assert_eq!(g[4], 0.0);
        for k in 1..4 {
            assert!(g[k] < f[k]);
        }
        // Large kappa*T does not overflow: almost everything goes in the first step.
        let h = optimal_fractions(100.0, 50).unwrap();
        assert!(h.iter().all(|v| v.is_finite()) && h[1] < 1e-40);
        assert!(optimal_fractions(-0.1, 4).is_err() && optimal_fractions(0.1, 0).is_err());
    }

    #[test]
    fn invalid_parameters_are_named() {
        let mut p = AcParams::paper_example();
        p.eta = 0.0;
        assert!(p.build().unwrap_err().to_string().contains("eta"));
        let mut p = AcParams::paper_example();
        p.gamma = 1e-5; // eta - gamma*tau/2 < 0
        assert!(
            p.build()
                .unwrap_err()
                .to_string()
                .contains("eta - gamma*tau/2")
        );
        let mut p = AcParams::paper_example();
        p.sigma = f64::NAN;
        assert!(p.build().unwrap_err().to_string().contains("sigma"));
        let m = AcParams::paper_example().build().unwrap();
        assert!(m.expected_cost(&[1e6, 0.0]).is_err());
        assert!(m.variance(&[1e6, 1.0, 1.0, 1.0, 1.0, 5.0]).is_err());
    }
}
