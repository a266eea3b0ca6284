//! GARCH(1,1) (Bollerslev, 1986) and GJR-GARCH(1,1,1) (Glosten, Jagannathan & Runkle, 1993)
//! with a zero or constant mean and normal innovations, fitted by maximum likelihood.
//!
//! # Model
//!
//! yₜ = μ + εₜ, εₜ = σₜ·zₜ, zₜ ~ N(0, 1) i.i.d., and
//!
//! σ²ₜ = ω + α·ε²ₜ₋₁ + γ·ε²ₜ₋₁·1(εₜ₋₁ < 0) + β·σ²ₜ₋₁
//!
//! — Bollerslev (1986) with p = q = 1 and γ = 0; Glosten, Jagannathan & Runkle (1993) for
//! the asymmetric term. μ = 0 for [`MeanModel::Zero`].
//!
//! # Conventions (those of the Python `arch` package, version 8, which we follow exactly)
//!
//! - Returns are used as given: no rescaling (`arch_model(..., rescale=False)` behaviour;
//!   `arch` only warns about scale).
//! - **Backcast**: the pre-sample ε²₋₁ and σ²₋₁ are replaced by
//!   b = Σ_{i<τ} wᵢ·ε̂ᵢ², wᵢ ∝ 0.94ⁱ normalised to sum to 1, τ = min(75, n)
//!   ([`backcast`](crate::vol::backcast())), where ε̂ are the residuals at the *starting* mean
//!   (ε̂ = y for a zero mean, y − ȳ for a constant mean). The backcast is held fixed during
//!   estimation, so σ²₀ = ω + (α + β)·b for GARCH and ω + (α + γ/2 + β)·b for GJR.
//! - **Variance bounds**: each σ²ₜ is checked against `arch`'s loose bounds (built from an
//!   EWMA(0.94) of ε̂²; below the lower bound it is floored, above the upper bound u it becomes
//!   u + ln(σ²/u)). They never bind at sensible parameters; they keep the likelihood finite
//!   everywhere.
//! - **Log-likelihood**: ℓ = −½ Σₜ (ln 2π + ln σ²ₜ + ε²ₜ/σ²ₜ), summed over all n observations.
//! - **Parameter region**: ω > 0, α ≥ 0, α + γ ≥ 0, β ≥ 0, α + γ/2 + β ≤ 1 (γ = 0 for GARCH).
//!   Note that, like `arch`, GJR allows γ < 0 as long as α + γ ≥ 0.
//! - **Starting values**: `arch`'s grid — α ∈ {0.01, 0.05, 0.1, 0.2}, γ ∈ {0.01, 0.05, 0.1, 0.2}
//!   (GJR only), persistence α + γ/2 + β ∈ {0.5, 0.7, 0.9, 0.98}, β = persistence − α − γ/2,
//!   ω = (1 − persistence)·mean(ε̂²), μ = ȳ — each scored by the likelihood. The optimiser
//!   starts from the best point, like `arch`, and restarts from the next best ones (up to
//!   [`FitOptions::starts`]) when a run does not converge; [`FitOptions::exhaustive`] runs them
//!   all and keeps the highest likelihood.
//! - **Optimiser** (ours, not `arch`'s SLSQP): BFGS with a strong-Wolfe line search on an
//!   unconstrained reparameterisation of the same region (ω = v·e^{u}, persistence =
//!   logistic(u), shares by softmax), analytic gradient. Deterministic: no randomness at all.
//! - **Standard errors**: Hessian H of −ℓ by forward differences of the analytic gradient
//!   (symmetrised); scores sₜ = ∂ℓₜ/∂θ by forward differences of the per-observation
//!   log-likelihood, as `arch` does (`statsmodels`' `approx_fprime`); both with steps
//!   √ε·max(|θᵢ|, 0.1). *Classic*: H⁻¹. *Robust* (Bollerslev & Wooldridge,
//!   1992; `arch`'s default `cov_type="robust"`): n·H⁻¹·Ĉ·H⁻¹, with Ĉ the sample covariance
//!   of the scores (divisor n − 1, as `numpy.cov`).
//! - **Forecasts** (analytic, [`GarchFit::forecast`]): σ²_{T+1} = ω + (α + γ·1(ε_T<0))·ε²_T +
//!   β·σ²_T, then σ²_{T+h} = ω + (α + γ/2 + β)·σ²_{T+h−1} (Bollerslev, 1986, §3; Glosten et
//!   al., 1993, with E[1(ε<0)] = ½ under symmetric innovations).
//!
//! # References
//! - Bollerslev, T. (1986). Generalized autoregressive conditional heteroskedasticity.
//!   *Journal of Econometrics* 31, 307–327.
//! - Glosten, L., Jagannathan, R. & Runkle, D. (1993). On the relation between the expected
//!   value and the volatility of the nominal excess return on stocks. *Journal of Finance*
//!   48, 1779–1801.
//! - Bollerslev, T. & Wooldridge, J. (1992). Quasi-maximum likelihood estimation and inference
//!   in dynamic models with time-varying covariances. *Econometric Reviews* 11, 143–172.
//!
//! ```
//! use shortfall_risk::vol::{GarchModel, GarchParams, MeanModel};
//! # fn main() -> shortfall_risk::Result<()> {
//! let model = GarchModel::garch(MeanModel::Zero);
//! let truth = GarchParams { omega: 0.05, alpha: 0.1, beta: 0.85, ..GarchParams::default() };
//! let y = model.simulate(&truth, 2000, 500, 7)?.returns;
//! let fit = model.fit(&y)?;
//! assert!((fit.params.alpha + fit.params.beta - 0.95).abs() < 0.1);
//! let forecast = fit.forecast(10)?;
//! assert_eq!(forecast.len(), 10);
//! # Ok(()) }
//! ```

mod kernel;
mod simulate;

pub use simulate::Simulated;

use crate::error::{Error, Result, check_finite, check_len};
use crate::vol::linalg::{RowCovariance, forward_step, hessian_from_gradient, invert, matmul};
use crate::vol::optim::{self, Settings};
use crate::vol::{VarianceBounds, backcast};
use kernel::{
    ALPHA, BETA, Data, GAMMA, MU, OMEGA, Outputs, Reparam, Theta, forward_scores, loglik,
    loglik_many,
};

/// The conditional mean of the returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeanModel {
    /// yₜ = εₜ (`arch`'s `mean="Zero"`).
    Zero,
    /// yₜ = μ + εₜ (`arch`'s `mean="Constant"`).
    Constant,
}

/// The conditional variance recursion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VolatilityProcess {
    /// GARCH(1,1): σ²ₜ = ω + α·ε²ₜ₋₁ + β·σ²ₜ₋₁ (`vol="GARCH", p=1, q=1`).
    Garch,
    /// GJR-GARCH(1,1,1): adds γ·ε²ₜ₋₁·1(εₜ₋₁<0) (`vol="GARCH", p=1, o=1, q=1`).
    GjrGarch,
}

/// A GARCH-family model specification (normal innovations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GarchModel {
    /// The mean model.
    pub mean: MeanModel,
    /// The variance recursion.
    pub process: VolatilityProcess,
}

/// Parameters of a [`GarchModel`]; `mu` is 0 for a zero mean and `gamma` is 0 for GARCH.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GarchParams {
    /// Constant mean μ.
    pub mu: f64,
    /// Variance intercept ω > 0.
    pub omega: f64,
    /// ARCH coefficient α ≥ 0.
    pub alpha: f64,
    /// Asymmetry (leverage) coefficient γ, α + γ ≥ 0 (GJR only).
    pub gamma: f64,
    /// GARCH coefficient β ≥ 0.
    pub beta: f64,
}

impl GarchParams {
    /// Persistence α + γ/2 + β.
    pub fn persistence(&self) -> f64 {
        self.alpha + 0.5 * self.gamma + self.beta
    }

    /// Unconditional variance ω / (1 − α − γ/2 − β), `None` when persistence ≥ 1.
    pub fn unconditional_variance(&self) -> Option<f64> {
        let p = self.persistence();
        (p < 1.0).then(|| self.omega / (1.0 - p))
    }

    fn theta(&self) -> Theta {
        [self.mu, self.omega, self.alpha, self.gamma, self.beta]
    }

    fn from_theta(th: &Theta) -> Self {
        Self {
            mu: th[MU],
            omega: th[OMEGA],
            alpha: th[ALPHA],
            gamma: th[GAMMA],
            beta: th[BETA],
        }
    }
}

/// Optimiser settings for [`GarchModel::fit_with`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitOptions {
    /// How many of the best grid starting points may be used (≥ 1). The optimiser starts
    /// from the best; the next one is tried only if that run did not converge (unless
    /// `exhaustive`). Default 3.
    pub starts: usize,
    /// Optimise from all `starts` points and keep the highest likelihood, even when the first
    /// run converged. Default false (`arch` also optimises from its best grid point only).
    pub exhaustive: bool,
    /// BFGS iteration cap per start. Default 500.
    pub max_iter: usize,
    /// Convergence: largest |gradient| of −ℓ/n in the unconstrained coordinates. Default 1e-8.
    /// A run that can no longer lower −ℓ/n at all (its changes are at the rounding level)
    /// also counts as converged once that gradient is below 1e-5.
    pub gtol: f64,
    /// Also compute standard errors (classic and robust). Default true.
    pub std_errors: bool,
}

/// Gradient (of −ℓ/n, optimiser coordinates) below which a run that stalls at the rounding
/// level of the likelihood is accepted.
const STALL_GTOL: f64 = 1e-5;

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            starts: 3,
            exhaustive: false,
            max_iter: 500,
            gtol: 1e-8,
            std_errors: true,
        }
    }
}

/// Parameter covariance matrices, in the order of [`GarchModel::parameter_names`].
#[derive(Debug, Clone, PartialEq)]
pub struct Covariance {
    /// Parameter names (`arch`'s: `mu`, `omega`, `alpha[1]`, `gamma[1]`, `beta[1]`).
    pub names: Vec<&'static str>,
    /// Bollerslev–Wooldridge sandwich n·H⁻¹ĈH⁻¹, row-major k×k (`arch`'s `cov_type="robust"`).
    pub robust: Vec<f64>,
    /// Inverse Hessian H⁻¹ of −ℓ, row-major k×k (`arch`'s `cov_type="classic"`).
    pub classic: Vec<f64>,
}

impl Covariance {
    fn diag_sqrt(m: &[f64], k: usize) -> Vec<f64> {
        (0..k).map(|i| m[i * k + i].max(0.0).sqrt()).collect()
    }

    /// Robust standard errors (square roots of the diagonal of [`Covariance::robust`]).
    pub fn std_err_robust(&self) -> Vec<f64> {
        Self::diag_sqrt(&self.robust, self.names.len())
    }

    /// Classic standard errors (square roots of the diagonal of [`Covariance::classic`]).
    pub fn std_err_classic(&self) -> Vec<f64> {
        Self::diag_sqrt(&self.classic, self.names.len())
    }
}

/// One row of a fit summary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamEstimate {
    /// Parameter name, as `arch` prints it.
    pub name: &'static str,
    /// Estimate.
    pub value: f64,
    /// Robust standard error (NaN if not computed).
    pub std_err: f64,
    /// Classic (inverse-Hessian) standard error (NaN if not computed).
    pub std_err_classic: f64,
}

/// A fitted [`GarchModel`].
#[derive(Debug, Clone, PartialEq)]
pub struct GarchFit {
    /// The model that was fitted.
    pub model: GarchModel,
    /// Maximum-likelihood estimates.
    pub params: GarchParams,
    /// Log-likelihood at the estimates.
    pub loglik: f64,
    /// Number of observations.
    pub nobs: usize,
    /// The backcast used for σ²₋₁ and ε²₋₁.
    pub backcast: f64,
    /// Parameter covariances (`None` when [`FitOptions::std_errors`] was false).
    pub covariance: Option<Covariance>,
    /// In-sample conditional variances σ²₀ … σ²ₙ₋₁.
    pub conditional_variance: Vec<f64>,
    /// BFGS iterations of the winning start.
    pub iterations: usize,
    /// Likelihood evaluations, grid and all starts together.
    pub evaluations: usize,
    /// Largest |gradient| of −ℓ/n in the optimiser's coordinates at the end.
    pub gradient_max: f64,
    /// Whether the run converged: `gradient_max ≤ gtol`, or no further decrease of −ℓ was
    /// possible at rounding level with `gradient_max ≤ 1e-5`. (A run that hit the iteration
    /// cap with `gradient_max ≤ 1e-5` is still returned, with `false` here.)
    pub converged: bool,
    last_residual: f64,
}

impl GarchFit {
    /// Estimates with their robust and classic standard errors, in `arch`'s order.
    pub fn estimates(&self) -> Vec<ParamEstimate> {
        let names = self.model.parameter_names();
        let th = self.params.theta();
        let idx = self.model.free_indices();
        let (se, sec) = match &self.covariance {
            Some(c) => (c.std_err_robust(), c.std_err_classic()),
            None => (vec![f64::NAN; idx.len()], vec![f64::NAN; idx.len()]),
        };
        idx.iter()
            .enumerate()
            .map(|(i, &j)| ParamEstimate {
                name: names[i],
                value: th[j],
                std_err: se[i],
                std_err_classic: sec[i],
            })
            .collect()
    }

    /// Variance forecasts E[σ²_{T+h}] for h = 1 … `horizon` from the end of the sample (see
    /// the module docs for the recursion).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if `horizon` is 0.
    pub fn forecast(&self, horizon: usize) -> Result<Vec<f64>> {
        let last_var = *self
            .conditional_variance
            .last()
            .expect("a fit has at least MIN_OBSERVATIONS observations");
        forecast_variance(&self.params, self.last_residual, last_var, horizon)
    }
}

/// Variance forecasts E[σ²_{T+h}], h = 1 … `horizon`, given the last residual ε_T and the last
/// conditional variance σ²_T: σ²_{T+1} = ω + (α + γ·1(ε_T<0))·ε²_T + β·σ²_T and
/// σ²_{T+h} = ω + (α + γ/2 + β)·σ²_{T+h−1} (Bollerslev, 1986; Glosten et al., 1993). They
/// converge to ω/(1 − α − γ/2 − β) when the persistence is below one.
///
/// # Errors
/// [`Error::InvalidParameter`] if `horizon` is 0.
pub fn forecast_variance(
    params: &GarchParams,
    last_residual: f64,
    last_variance: f64,
    horizon: usize,
) -> Result<Vec<f64>> {
    if horizon == 0 {
        return Err(Error::InvalidParameter {
            name: "horizon",
            value: 0.0,
            allowed: ">= 1",
        });
    }
    let neg = if last_residual < 0.0 { 1.0 } else { 0.0 };
    let e2 = last_residual * last_residual;
    let mut out = Vec::with_capacity(horizon);
    let mut v =
        params.omega + (params.alpha + params.gamma * neg) * e2 + params.beta * last_variance;
    out.push(v);
    let p = params.persistence();
    for _ in 1..horizon {
        v = params.omega + p * v;
        out.push(v);
    }
    Ok(out)
}

impl GarchModel {
    /// Fewest observations [`GarchModel::fit`] accepts.
    pub const MIN_OBSERVATIONS: usize = 20;

    /// A model with the given mean and variance process.
    pub const fn new(mean: MeanModel, process: VolatilityProcess) -> Self {
        Self { mean, process }
    }

    /// GARCH(1,1) with the given mean.
    pub const fn garch(mean: MeanModel) -> Self {
        Self::new(mean, VolatilityProcess::Garch)
    }

    /// GJR-GARCH(1,1,1) with the given mean.
    pub const fn gjr(mean: MeanModel) -> Self {
        Self::new(mean, VolatilityProcess::GjrGarch)
    }

    fn free_indices(&self) -> Vec<usize> {
        let mut v = Vec::with_capacity(5);
        if self.mean == MeanModel::Constant {
            v.push(MU);
        }
        v.extend([OMEGA, ALPHA]);
        if self.process == VolatilityProcess::GjrGarch {
            v.push(GAMMA);
        }
        v.push(BETA);
        v
    }

    /// Names of the estimated parameters, in `arch`'s order and spelling.
    pub fn parameter_names(&self) -> Vec<&'static str> {
        self.free_indices()
            .into_iter()
            .map(|j| ["mu", "omega", "alpha[1]", "gamma[1]", "beta[1]"][j])
            .collect()
    }

    /// Checks that `p` lies in the model's parameter region (see the module docs).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the first parameter outside it.
    pub fn validate(&self, p: &GarchParams) -> Result<()> {
        let bad = |name, value, allowed| {
            Err(Error::InvalidParameter {
                name,
                value,
                allowed,
            })
        };
        let th = p.theta();
        if let Some(j) = th.iter().position(|v| !v.is_finite()) {
            return bad(
                ["mu", "omega", "alpha", "gamma", "beta"][j],
                th[j],
                "finite",
            );
        }
        if self.mean == MeanModel::Zero && p.mu != 0.0 {
            return bad("mu", p.mu, "0 for a zero-mean model");
        }
        if self.process == VolatilityProcess::Garch && p.gamma != 0.0 {
            return bad("gamma", p.gamma, "0 for GARCH(1,1)");
        }
        if p.omega <= 0.0 {
            return bad("omega", p.omega, "omega > 0");
        }
        if p.alpha < 0.0 {
            return bad("alpha", p.alpha, "alpha >= 0");
        }
        if p.alpha + p.gamma < 0.0 {
            return bad("alpha + gamma", p.alpha + p.gamma, "alpha + gamma >= 0");
        }
        if p.beta < 0.0 {
            return bad("beta", p.beta, "beta >= 0");
        }
        if p.persistence() > 1.0 {
            return bad(
                "alpha + gamma/2 + beta",
                p.persistence(),
                "alpha + gamma/2 + beta <= 1",
            );
        }
        Ok(())
    }

    fn check_series(&self, y: &[f64]) -> Result<()> {
        check_len("GARCH estimation", y.len(), Self::MIN_OBSERVATIONS)?;
        check_finite("returns", y)
    }

    /// The starting mean (ȳ or 0) and `arch`'s fixed backcast and bounds from its residuals.
    fn prepare<'a>(&self, y: &'a [f64]) -> (f64, Data<'a>) {
        let mu0 = match self.mean {
            MeanModel::Zero => 0.0,
            MeanModel::Constant => y.iter().sum::<f64>() / y.len() as f64,
        };
        let resid: Vec<f64> = y.iter().map(|v| v - mu0).collect();
        let data = Data {
            y,
            backcast: backcast(&resid),
            bounds: VarianceBounds::new(&resid),
            mu_free: self.mean == MeanModel::Constant,
            gjr: self.process == VolatilityProcess::GjrGarch,
        };
        (mu0, data)
    }

    /// Log-likelihood of `y` at `params`, with `arch`'s backcast and variance bounds.
    ///
    /// # Errors
    /// [`Error::TooShort`], [`Error::NonFinite`] for the series, [`Error::InvalidParameter`]
    /// for parameters outside the model's region.
    pub fn loglikelihood(&self, y: &[f64], params: &GarchParams) -> Result<f64> {
        self.check_series(y)?;
        self.validate(params)?;
        let (_, data) = self.prepare(y);
        Ok(loglik(&data, &params.theta(), None, Outputs::default()))
    }

    /// Conditional variances σ²₀ … σ²ₙ₋₁ of `y` at `params`.
    ///
    /// # Errors
    /// As [`GarchModel::loglikelihood`].
    pub fn conditional_variance(&self, y: &[f64], params: &GarchParams) -> Result<Vec<f64>> {
        self.check_series(y)?;
        self.validate(params)?;
        let (_, data) = self.prepare(y);
        let mut s2 = vec![0.0; y.len()];
        let out = Outputs {
            sigma2: Some(&mut s2),
            contributions: None,
        };
        loglik(&data, &params.theta(), None, out);
        Ok(s2)
    }

    /// Classic and robust parameter covariances of `y` at `params` (normally the MLE), computed
    /// as described in the module docs. Useful to check standard errors at someone else's
    /// estimates (e.g. `arch`'s).
    ///
    /// # Errors
    /// As [`GarchModel::loglikelihood`], plus [`Error::Singular`] when the Hessian cannot be
    /// inverted (e.g. a flat likelihood).
    pub fn covariance(&self, y: &[f64], params: &GarchParams) -> Result<Covariance> {
        self.check_series(y)?;
        self.validate(params)?;
        let (_, data) = self.prepare(y);
        self.covariance_on(&data, &params.theta())
    }

    fn covariance_on(&self, data: &Data<'_>, th: &Theta) -> Result<Covariance> {
        let idx = self.free_indices();
        let k = idx.len();
        let n = data.y.len();
        let full = |x: &[f64]| -> Theta {
            let mut t = *th;
            for (i, &j) in idx.iter().enumerate() {
                t[j] = x[i];
            }
            t
        };
        let x0: Vec<f64> = idx.iter().map(|&j| th[j]).collect();
        // Hessian of −ℓ by forward differences of the analytic gradient.
        let hess = hessian_from_gradient(&x0, |x, g| {
            let mut gf = [0.0; 5];
            loglik(data, &full(x), Some(&mut gf), Outputs::default());
            for (i, &j) in idx.iter().enumerate() {
                g[i] = -gf[j];
            }
        });
        let classic = invert(&hess, k, "Hessian of the log-likelihood")?;
        // Scores ∂ℓₜ/∂θ by forward differences of the per-observation log-likelihood.
        let steps: Vec<f64> = x0.iter().map(|&v| forward_step(v)).collect();
        let plus: Vec<Theta> = (0..k)
            .map(|i| {
                let mut x = x0.clone();
                x[i] += steps[i];
                full(&x)
            })
            .collect();
        let mut meat = RowCovariance::new(k);
        forward_scores(data, th, &plus, &steps, |row| meat.push(row));
        let meat = meat.finish();
        let mut robust = matmul(&matmul(&classic, &meat, k), &classic, k);
        robust.iter_mut().for_each(|v| *v *= n as f64);
        Ok(Covariance {
            names: self.parameter_names(),
            robust,
            classic,
        })
    }

    /// Fits the model to `y` by maximum likelihood with [`FitOptions::default`].
    ///
    /// # Errors
    /// [`Error::TooShort`] below [`GarchModel::MIN_OBSERVATIONS`], [`Error::NonFinite`] at the
    /// first NaN/inf, [`Error::Optimiser`] when no start converges, [`Error::Singular`] when
    /// the Hessian at the optimum cannot be inverted.
    pub fn fit(&self, y: &[f64]) -> Result<GarchFit> {
        self.fit_with(y, &FitOptions::default())
    }

    /// Fits the model with explicit optimiser settings.
    ///
    /// # Errors
    /// As [`GarchModel::fit`], plus [`Error::InvalidParameter`] for `starts == 0` or a
    /// non-positive `gtol`.
    pub fn fit_with(&self, y: &[f64], opts: &FitOptions) -> Result<GarchFit> {
        if opts.starts == 0 {
            return Err(Error::InvalidParameter {
                name: "starts",
                value: 0.0,
                allowed: ">= 1",
            });
        }
        if opts.gtol.is_nan() || opts.gtol <= 0.0 {
            return Err(Error::InvalidParameter {
                name: "gtol",
                value: opts.gtol,
                allowed: "> 0",
            });
        }
        self.check_series(y)?;
        let n = y.len();
        let (mu0, data) = self.prepare(y);
        let target = y.iter().map(|v| (v - mu0) * (v - mu0)).sum::<f64>() / n as f64;
        let raw_square = y.iter().map(|v| v * v).sum::<f64>() / n as f64;
        // A series that does not vary (relative to its level) has no GARCH likelihood maximum.
        if target.is_nan() || target <= 1e-20 * raw_square || target == 0.0 {
            return Err(Error::InvalidParameter {
                name: "mean squared residual",
                value: target,
                allowed: "> 0 (the series must vary)",
            });
        }
        let reparam = Reparam {
            model: *self,
            mu0,
            mu_scale: target.sqrt(),
            omega_scale: target,
        };
        // arch's starting-value grid, scored by the likelihood at the starting mean.
        let grid = [0.01, 0.05, 0.1, 0.2];
        let gammas: &[f64] = match self.process {
            VolatilityProcess::Garch => &[0.0],
            VolatilityProcess::GjrGarch => &grid,
        };
        let mut points: Vec<Theta> = Vec::with_capacity(64);
        for &alpha in &grid {
            for &gamma in gammas {
                for persistence in [0.5, 0.7, 0.9, 0.98] {
                    points.push([
                        mu0,
                        (1.0 - persistence) * target,
                        alpha,
                        gamma,
                        persistence - alpha - 0.5 * gamma,
                    ]);
                }
            }
        }
        let scores = loglik_many(&data, &points);
        let mut starts: Vec<(f64, Theta)> = scores.into_iter().zip(points).collect();
        starts.sort_by(|a, b| b.0.total_cmp(&a.0)); // stable: ties keep arch's grid order
        let scale = 1.0 / n as f64;
        let mut objective = |u: &[f64], g: &mut [f64]| -> f64 {
            let th = reparam.theta(u);
            let mut dth = [0.0; 5];
            let ll = loglik(&data, &th, Some(&mut dth), Outputs::default());
            dth.iter_mut().for_each(|v| *v *= -scale);
            reparam.grad_u(u, &th, &dth, g);
            -ll * scale
        };
        let settings = Settings {
            gtol: opts.gtol,
            stall_gtol: STALL_GTOL.max(opts.gtol),
            max_iter: opts.max_iter,
            max_step: 5.0,
            initial_hessian: true,
        };
        let mut best: Option<optim::Minimum> = None;
        let mut evaluations = starts.len();
        for (_, th) in starts.iter().take(opts.starts) {
            let Some(m) = optim::minimise(&mut objective, &reparam.u(th), settings) else {
                continue;
            };
            evaluations += m.evaluations;
            let done = m.converged && !opts.exhaustive;
            if best.as_ref().is_none_or(|b| m.f < b.f) {
                best = Some(m);
            }
            if done {
                break;
            }
        }
        let Some(best) = best else {
            return Err(Error::Optimiser {
                iterations: 0,
                reason: "the likelihood is not finite at any starting value".into(),
            });
        };
        let gradient_max = best.grad.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        if !best.converged && (gradient_max.is_nan() || gradient_max > STALL_GTOL) {
            return Err(Error::Optimiser {
                iterations: best.iterations,
                reason: format!(
                    "no convergence: largest gradient {gradient_max:.3e} > gtol {:.1e}",
                    opts.gtol
                ),
            });
        }
        let th = reparam.theta(&best.x);
        let mut sigma2 = vec![0.0; n];
        let ll = loglik(
            &data,
            &th,
            None,
            Outputs {
                sigma2: Some(&mut sigma2),
                contributions: None,
            },
        );
        let covariance = if opts.std_errors {
            Some(self.covariance_on(&data, &th)?)
        } else {
            None
        };
        Ok(GarchFit {
            model: *self,
            params: GarchParams::from_theta(&th),
            loglik: ll,
            nobs: n,
            backcast: data.backcast,
            covariance,
            conditional_variance: sigma2,
            iterations: best.iterations,
            evaluations,
            gradient_max,
            converged: best.converged,
            last_residual: y[n - 1] - th[MU],
        })
    }
}
