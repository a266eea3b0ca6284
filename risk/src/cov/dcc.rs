//! Dynamic conditional correlation, DCC(1,1) (Engle, 2002), estimated in two steps by
//! quasi-maximum likelihood.
//!
//! # Model
//!
//! rᵢₜ = μᵢ + σᵢₜ·εᵢₜ with σ²ᵢₜ a univariate GARCH process per series, and the standardised
//! residuals εₜ ∈ ℝᵖ conditionally N(0, Rₜ) with
//!
//! Qₜ = (1 − a − b)·Q̄ + a·εₜ₋₁εₜ₋₁ᵀ + b·Qₜ₋₁,  Rₜ = diag(Qₜ)^{-1/2}·Qₜ·diag(Qₜ)^{-1/2},
//!
//! a ≥ 0, b ≥ 0, a + b < 1 — Engle (2002), eqs. (20)–(22), "correlation targeting": Q̄ is
//! fixed at the sample second moment (1/T)·Σₜ εₜεₜᵀ of the standardised residuals, and the
//! recursion starts at Q₀ = Q̄.
//!
//! # Estimation (Engle, 2002, §4; Engle & Sheppard, 2001)
//!
//! 1. Each series is fitted on its own with the crate's GARCH estimator
//!    ([`GarchModel::fit`], `arch` conventions) and standardised, εᵢₜ = (rᵢₜ − μ̂ᵢ)/σ̂ᵢₜ.
//! 2. (a, b) maximise the correlation part of the Gaussian log-likelihood (Engle 2002,
//!    eq. (26)): L_C = −½ Σₜ (ln|Rₜ| + εₜᵀRₜ⁻¹εₜ − εₜᵀεₜ). The optimiser is the crate's
//!    BFGS on the unconstrained coordinates a + b = logistic(u₁), a = (a + b)·logistic(u₂)
//!    (so a + b < 1 always), with central-difference gradients, started from the best of
//!    a small grid.
//!
//! Standard errors of (a, b) come from the inverse Hessian of −L_C (central second
//! differences). They are the *second-step* errors only: they ignore the estimation error of
//! the first step (Engle & Sheppard, 2001, give the corrected two-step covariance), so they
//! understate the true uncertainty somewhat.
//!
//! # References
//! - Engle, R. (2002). Dynamic conditional correlation: a simple class of multivariate
//!   generalized autoregressive conditional heteroskedasticity models. *Journal of Business
//!   & Economic Statistics* 20, 339–350.
//! - Engle, R. & Sheppard, K. (2001). Theoretical and empirical properties of dynamic
//!   conditional correlation multivariate GARCH. NBER Working Paper 8554.
#![allow(clippy::needless_range_loop)] // index loops read like the formulas (lᵢⱼ, qᵢⱼ)

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

use super::{Matrix, check_rows};
use crate::error::{Error, Result};
use crate::vol::garch::forecast_variance;
use crate::vol::optim::{self, Settings};
use crate::vol::{GarchFit, GarchModel, GarchParams, MeanModel};

/// The DCC(1,1) correlation parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DccParams {
    /// News coefficient a ≥ 0.
    pub a: f64,
    /// Decay coefficient b ≥ 0, with a + b < 1.
    pub b: f64,
}

impl DccParams {
    /// Checks a ≥ 0, b ≥ 0, a + b < 1 (all finite).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the first violated condition.
    pub fn validate(&self) -> Result<()> {
        let bad = |name, value, allowed| {
            Err(Error::InvalidParameter {
                name,
                value,
                allowed,
            })
        };
        if !(self.a.is_finite() && self.a >= 0.0) {
            return bad("a", self.a, "finite and >= 0");
        }
        if !(self.b.is_finite() && self.b >= 0.0) {
            return bad("b", self.b, "finite and >= 0");
        }
        if self.a + self.b >= 1.0 {
            return bad("a + b", self.a + self.b, "< 1 (correlation targeting)");
        }
        Ok(())
    }
}

/// The DCC(1,1) estimator: which univariate model standardises each series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dcc {
    /// The univariate model fitted to each series in step 1. Default GARCH(1,1), zero mean.
    pub univariate: GarchModel,
}

impl Default for Dcc {
    fn default() -> Self {
        Self {
            univariate: GarchModel::garch(MeanModel::Zero),
        }
    }
}

/// A fitted DCC(1,1) model.
#[derive(Debug, Clone, PartialEq)]
pub struct DccFit {
    /// The step-1 univariate fits, one per series.
    pub garch: Vec<GarchFit>,
    /// The step-2 estimates.
    pub params: DccParams,
    /// Second-step standard errors of (a, b) (see the module docs), `None` when the Hessian
    /// is not positive definite (e.g. an estimate on the boundary a = 0).
    pub std_err: Option<[f64; 2]>,
    /// Q̄, the sample second moment of the standardised residuals.
    pub qbar: Matrix,
    /// The correlation part L_C of the log-likelihood at the estimates.
    pub correlation_loglik: f64,
    /// The full Gaussian log-likelihood: Σᵢ (univariate log-likelihoods) + L_C.
    pub loglik: f64,
    /// BFGS iterations in step 2.
    pub iterations: usize,
    /// Whether step 2 converged.
    pub converged: bool,
    /// Standardised residuals εₜ (T rows of p).
    pub standardised: Vec<Vec<f64>>,
    last_q: Matrix,
}

/// A one-step-ahead forecast of a [`DccFit`].
#[derive(Debug, Clone, PartialEq)]
pub struct DccForecast {
    /// R_{T+1}.
    pub correlation: Matrix,
    /// σ_{i,T+1}, from each univariate fit's one-step variance forecast.
    pub volatility: Vec<f64>,
    /// H_{T+1} = D·R_{T+1}·D with D = diag(σ_{T+1}).
    pub covariance: Matrix,
}

/// A simulated DCC path.
#[derive(Debug, Clone, PartialEq)]
pub struct DccSimulated {
    /// Returns, T rows of p.
    pub returns: Vec<Vec<f64>>,
    /// The true conditional correlation Rₜ of each row.
    pub correlations: Vec<Matrix>,
}

impl Dcc {
    /// Fewest observations [`Dcc::fit`] accepts.
    pub const MIN_OBSERVATIONS: usize = 100;

    /// Fits the model to T×p returns (`rows[t][i]`), p ≥ 2, in two steps (module docs).
    ///
    /// # Errors
    /// [`Error::TooShort`] below [`Dcc::MIN_OBSERVATIONS`] rows; [`Error::LengthMismatch`]
    /// for ragged rows or p < 2; [`Error::NonFinite`] at the first NaN/inf; any error of a
    /// univariate fit; [`Error::NotPositiveDefinite`] when Q̄ is singular (e.g. two identical
    /// series); [`Error::Optimiser`] when step 2 fails.
    pub fn fit<R: AsRef<[f64]>>(&self, rows: &[R]) -> Result<DccFit> {
        let p = check_rows("DCC(1,1) fit", rows, Self::MIN_OBSERVATIONS)?;
        if p < 2 {
            return Err(Error::LengthMismatch {
                what: "assets in a DCC model (need at least 2)",
                got: p,
                expected: 2,
            });
        }
        let t_len = rows.len();
        let mut garch = Vec::with_capacity(p);
        let mut eps = vec![vec![0.0; p]; t_len];
        for i in 0..p {
            let y: Vec<f64> = rows.iter().map(|r| r.as_ref()[i]).collect();
            let fit = self.univariate.fit(&y)?;
            for (t, e) in eps.iter_mut().enumerate() {
                e[i] = (y[t] - fit.params.mu) / fit.conditional_variance[t].sqrt();
            }
            garch.push(fit);
        }
        let mut qbar = vec![0.0; p * p];
        for e in &eps {
            for i in 0..p {
                for j in 0..p {
                    qbar[i * p + j] += e[i] * e[j] / t_len as f64;
                }
            }
        }
        let qbar = Matrix::from_parts(p, qbar);
        qbar.cholesky("Q-bar (second moment of the standardised residuals)")?;

        let nll = |a: f64, b: f64| -> f64 {
            match correlation_loglik(&eps, &qbar, a, b, None) {
                Some(l) => -l / t_len as f64,
                None => f64::INFINITY,
            }
        };
        let to_ab = |u: &[f64]| -> (f64, f64) {
            let s = logistic(u[0]);
            let share = logistic(u[1]);
            (s * share, s * (1.0 - share))
        };
        // Grid of starting points, scored by the likelihood.
        let mut best_start = (f64::INFINITY, [0.0, 0.0]);
        for a in [0.01, 0.03, 0.05, 0.1] {
            for s in [0.5, 0.8, 0.9, 0.95, 0.98] {
                let f = nll(a, s - a);
                if f < best_start.0 {
                    best_start = (f, [logit(s), logit(a / s)]);
                }
            }
        }
        if !best_start.0.is_finite() {
            return Err(Error::Optimiser {
                iterations: 0,
                reason: "DCC likelihood not finite at any starting value".into(),
            });
        }
        let h = 1e-5;
        let mut objective = |u: &[f64], g: &mut [f64]| -> f64 {
            let (a, b) = to_ab(u);
            let f = nll(a, b);
            let mut up = [u[0], u[1]];
            for k in 0..2 {
                up[k] = u[k] + h;
                let (ap, bp) = to_ab(&up);
                up[k] = u[k] - h;
                let (am, bm) = to_ab(&up);
                up[k] = u[k];
                g[k] = (nll(ap, bp) - nll(am, bm)) / (2.0 * h);
            }
            f
        };
        let settings = Settings {
            gtol: 1e-7,
            stall_gtol: 1e-4,
            max_iter: 200,
            max_step: 5.0,
            initial_hessian: true,
        };
        let m =
            optim::minimise(&mut objective, &best_start.1, settings).ok_or(Error::Optimiser {
                iterations: 0,
                reason: "DCC likelihood not finite at the starting value".into(),
            })?;
        let gmax = m.grad.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
        if !m.converged && (gmax.is_nan() || gmax > settings.stall_gtol) {
            return Err(Error::Optimiser {
                iterations: m.iterations,
                reason: format!("DCC step 2 did not converge: largest gradient {gmax:.3e}"),
            });
        }
        let (a, b) = to_ab(&m.x);
        let mut last_q = Matrix::zeros(p);
        let correlation_loglik = correlation_loglik(&eps, &qbar, a, b, Some(&mut last_q))
            .expect("the likelihood is finite at the optimum");
        let std_err = std_errors(&eps, &qbar, a, b);
        let loglik = garch.iter().map(|g| g.loglik).sum::<f64>() + correlation_loglik;
        Ok(DccFit {
            garch,
            params: DccParams { a, b },
            std_err,
            qbar,
            correlation_loglik,
            loglik,
            iterations: m.iterations,
            converged: m.converged,
            standardised: eps,
            last_q,
        })
    }

    /// Simulates T = `n` rows after `burn` discarded ones: zero-mean GARCH(1,1) (or GJR)
    /// volatilities `garch[i]` per series, DCC(1,1) correlations with parameters `params`
    /// and target `qbar` (a correlation matrix), Gaussian innovations εₜ = chol(Rₜ)·zₜ from a
    /// ChaCha12 generator seeded by `seed`. Q and σ² start at Q̄ and the unconditional
    /// variances.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for invalid GARCH or DCC parameters or `n == 0`;
    /// [`Error::LengthMismatch`] when `garch` and `qbar` disagree on p;
    /// [`Error::NotPositiveDefinite`] for a `qbar` that is not positive definite.
    pub fn simulate(
        garch: &[GarchParams],
        qbar: &Matrix,
        params: DccParams,
        n: usize,
        burn: usize,
        seed: u64,
    ) -> Result<DccSimulated> {
        params.validate()?;
        let p = qbar.dim();
        if garch.len() != p {
            return Err(Error::LengthMismatch {
                what: "GARCH parameter sets (one per row of Q-bar)",
                got: garch.len(),
                expected: p,
            });
        }
        if n == 0 {
            return Err(Error::InvalidParameter {
                name: "n",
                value: 0.0,
                allowed: ">= 1",
            });
        }
        qbar.cholesky("Q-bar")?;
        let model = GarchModel::gjr(MeanModel::Zero);
        let mut s2 = Vec::with_capacity(p);
        for g in garch {
            model.validate(&GarchParams { mu: 0.0, ..*g })?;
            s2.push(g.unconditional_variance().ok_or(Error::InvalidParameter {
                name: "alpha + gamma/2 + beta",
                value: g.persistence(),
                allowed: "< 1 to simulate (stationary)",
            })?);
        }
        let mut rng = StdRng::seed_from_u64(seed);
        let mut q = qbar.clone();
        let mut returns = Vec::with_capacity(n);
        let mut correlations = Vec::with_capacity(n);
        let mut z = vec![0.0; p];
        let mut eps = vec![0.0; p];
        let c = 1.0 - params.a - params.b;
        for t in 0..n + burn {
            let r = q.correlation("DCC Q_t")?;
            let l = r.cholesky("DCC R_t")?.lower();
            z.iter_mut()
                .for_each(|v| *v = StandardNormal.sample(&mut rng));
            for i in 0..p {
                eps[i] = (0..=i).map(|k| l.get(i, k) * z[k]).sum();
            }
            let row: Vec<f64> = (0..p).map(|i| s2[i].sqrt() * eps[i]).collect();
            for i in 0..p {
                let g = &garch[i];
                let neg = if row[i] < 0.0 { 1.0 } else { 0.0 };
                s2[i] = g.omega + (g.alpha + g.gamma * neg) * row[i] * row[i] + g.beta * s2[i];
            }
            let qd = q.data_mut();
            for i in 0..p {
                for j in 0..p {
                    qd[i * p + j] =
                        c * qbar.get(i, j) + params.a * eps[i] * eps[j] + params.b * qd[i * p + j];
                }
            }
            if t >= burn {
                returns.push(row);
                correlations.push(r);
            }
        }
        Ok(DccSimulated {
            returns,
            correlations,
        })
    }
}

impl DccFit {
    /// The one-step-ahead forecast after the sample: Q_{T+1} = (1 − a − b)·Q̄ + a·ε_Tε_Tᵀ +
    /// b·Q_T normalised to R_{T+1}, volatilities from the univariate fits, H = D·R·D.
    ///
    /// # Errors
    /// Only if a univariate forecast fails (it cannot for a valid fit).
    pub fn forecast(&self) -> Result<DccForecast> {
        let p = self.qbar.dim();
        let DccParams { a, b } = self.params;
        let e = self.standardised.last().expect("a fit has rows");
        let mut q = vec![0.0; p * p];
        for i in 0..p {
            for j in 0..p {
                q[i * p + j] = (1.0 - a - b) * self.qbar.get(i, j)
                    + a * e[i] * e[j]
                    + b * self.last_q.get(i, j);
            }
        }
        let correlation = Matrix::from_parts(p, q).correlation("DCC Q_{T+1}")?;
        let mut volatility = Vec::with_capacity(p);
        for (i, g) in self.garch.iter().enumerate() {
            let last_var = *g.conditional_variance.last().expect("a fit has rows");
            let last_resid = e[i] * last_var.sqrt();
            volatility.push(forecast_variance(&g.params, last_resid, last_var, 1)?[0].sqrt());
        }
        let mut h = correlation.clone();
        let hd = h.data_mut();
        for i in 0..p {
            for j in 0..p {
                hd[i * p + j] *= volatility[i] * volatility[j];
            }
        }
        Ok(DccForecast {
            correlation,
            volatility,
            covariance: h,
        })
    }

    /// The in-sample conditional correlations R₀ … R_{T−1} at the estimates.
    pub fn correlations(&self) -> Vec<Matrix> {
        let p = self.qbar.dim();
        let DccParams { a, b } = self.params;
        let mut q = self.qbar.clone();
        let mut out = Vec::with_capacity(self.standardised.len());
        for e in &self.standardised {
            out.push(
                q.correlation("DCC Q_t")
                    .expect("Q_t is positive definite at valid parameters"),
            );
            let qd = q.data_mut();
            for i in 0..p {
                for j in 0..p {
                    qd[i * p + j] =
                        (1.0 - a - b) * self.qbar.get(i, j) + a * e[i] * e[j] + b * qd[i * p + j];
                }
            }
        }
        out
    }
}

/// L_C of Engle (2002) eq. (26); `None` when some Rₜ is not positive definite. Writes the
/// last Qₜ (that of the final row) into `last_q` when given.
fn correlation_loglik(
    eps: &[Vec<f64>],
    qbar: &Matrix,
    a: f64,
    b: f64,
    last_q: Option<&mut Matrix>,
) -> Option<f64> {
    let p = qbar.dim();
    let c = 1.0 - a - b;
    let mut q = qbar.as_slice().to_vec();
    let mut r = vec![0.0; p * p];
    let mut inv_sd = vec![0.0; p];
    let mut l = vec![0.0; p * p];
    let mut z = vec![0.0; p];
    let mut total = 0.0;
    let mut prev: Option<&Vec<f64>> = None;
    for e in eps {
        if let Some(ep) = prev {
            for i in 0..p {
                for j in 0..p {
                    q[i * p + j] =
                        c * qbar.as_slice()[i * p + j] + a * ep[i] * ep[j] + b * q[i * p + j];
                }
            }
        }
        prev = Some(e);
        for i in 0..p {
            inv_sd[i] = 1.0 / q[i * p + i].sqrt();
        }
        for i in 0..p {
            for j in 0..p {
                r[i * p + j] = q[i * p + j] * inv_sd[i] * inv_sd[j];
            }
        }
        // Cholesky of Rₜ (inline: this is the hot loop of the estimator).
        let mut log_det = 0.0;
        for i in 0..p {
            for j in 0..=i {
                let mut v = r[i * p + j];
                for k in 0..j {
                    v -= l[i * p + k] * l[j * p + k];
                }
                if i == j {
                    if v.is_nan() || v <= 0.0 {
                        return None;
                    }
                    let d = v.sqrt();
                    l[i * p + i] = d;
                    log_det += 2.0 * d.ln();
                } else {
                    l[i * p + j] = v / l[j * p + j];
                }
            }
        }
        let mut quad = 0.0;
        let mut norm2 = 0.0;
        for i in 0..p {
            let mut v = e[i];
            for k in 0..i {
                v -= l[i * p + k] * z[k];
            }
            z[i] = v / l[i * p + i];
            quad += z[i] * z[i];
            norm2 += e[i] * e[i];
        }
        total += -0.5 * (log_det + quad - norm2);
    }
    if let Some(out) = last_q {
        *out = Matrix::from_parts(p, q);
    }
    total.is_finite().then_some(total)
}

/// Second-step standard errors from the central-difference Hessian of −L_C in (a, b).
fn std_errors(eps: &[Vec<f64>], qbar: &Matrix, a: f64, b: f64) -> Option<[f64; 2]> {
    let h = 1e-4;
    if a < h || b < h || a + b + h >= 1.0 {
        return None;
    }
    let f = |x: f64, y: f64| correlation_loglik(eps, qbar, x, y, None).map(|l| -l);
    let f0 = f(a, b)?;
    let haa = (f(a + h, b)? - 2.0 * f0 + f(a - h, b)?) / (h * h);
    let hbb = (f(a, b + h)? - 2.0 * f0 + f(a, b - h)?) / (h * h);
    let hab =
        (f(a + h, b + h)? - f(a + h, b - h)? - f(a - h, b + h)? + f(a - h, b - h)?) / (4.0 * h * h);
    let hess = Matrix::from_parts(2, vec![haa, hab, hab, hbb]);
    let inv = hess.cholesky("DCC Hessian").ok()?.inverse();
    Some([inv.get(0, 0).sqrt(), inv.get(1, 1).sqrt()])
}

fn logistic(u: f64) -> f64 {
    1.0 / (1.0 + (-u).exp())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_dcc_parameters_give_a_constant_correlation_likelihood() {
        // With a = b = 0, Rₜ = corr(Q̄) for every t, so L_C is a closed form:
        // −½ Σₜ (ln|R| + εₜᵀR⁻¹εₜ − εₜᵀεₜ), computed here with an explicit 2×2 inverse.
        let eps = vec![
            vec![0.5, -1.0],
            vec![1.5, 0.8],
            vec![-0.3, 0.1],
            vec![-1.2, -0.9],
        ];
        let qbar = Matrix::from_rows(&[vec![1.2, 0.3], vec![0.3, 0.8]]).unwrap();
        let rho = 0.3 / (1.2_f64 * 0.8).sqrt();
        let det = 1.0 - rho * rho;
        let want: f64 = eps
            .iter()
            .map(|e| {
                let quad = (e[0] * e[0] - 2.0 * rho * e[0] * e[1] + e[1] * e[1]) / det;
                -0.5 * (det.ln() + quad - e[0] * e[0] - e[1] * e[1])
            })
            .sum();
        let got = correlation_loglik(&eps, &qbar, 0.0, 0.0, None).unwrap();
        assert!((got - want).abs() < 1e-13, "{got} vs {want}");
    }

    #[test]
    fn invalid_parameters_and_inputs_are_rejected() {
        for (a, b) in [(-0.1, 0.5), (0.5, 0.5), (f64::NAN, 0.1)] {
            assert!(DccParams { a, b }.validate().is_err());
        }
        let short = vec![vec![0.1, 0.2]; 50];
        assert!(matches!(
            Dcc::default().fit(&short),
            Err(Error::TooShort { needed: 100, .. })
        ));
        let one = vec![vec![0.1]; 200];
        assert!(matches!(
            Dcc::default().fit(&one),
            Err(Error::LengthMismatch { got: 1, .. })
        ));
        let bad_qbar = Matrix::from_rows(&[vec![1.0, 1.0], vec![1.0, 1.0]]).unwrap();
        let g = GarchParams {
            omega: 0.1,
            alpha: 0.1,
            beta: 0.8,
            ..GarchParams::default()
        };
        assert!(matches!(
            Dcc::simulate(&[g, g], &bad_qbar, DccParams { a: 0.05, b: 0.9 }, 10, 0, 1),
            Err(Error::NotPositiveDefinite { pivot: 1, .. })
        ));
    }
}
