//! Maximum-likelihood fitting of exponential Hawkes processes, with standard errors from the
//! observed information.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use super::HawkesParams;
use super::likelihood::{Workspace, validate_events};
use super::optim::{minimise, spd_inverse};
use super::params::spectral_radius_nonneg;
use crate::error::{Error, Result};

/// Which decay rates β_ij are free in a [`fit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BetaMode {
    /// One β for every pair (1 parameter).
    Shared,
    /// One β_i per target dimension, shared by the kernels into it (`dim` parameters).
    PerTarget,
    /// A free β_ij per pair (`dim²` parameters).
    Full,
}

/// Options of [`fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FitOptions {
    /// Which decay rates are free. Default [`BetaMode::Shared`].
    pub beta: BetaMode,
    /// Number of optimiser starts (≥ 1); the best likelihood wins. Default 4.
    pub starts: usize,
    /// BFGS iterations per start. Default 400.
    pub max_iter: usize,
    /// Seed of the jitter applied to starts beyond the fixed schedule. Default 0.
    pub seed: u64,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            beta: BetaMode::Shared,
            starts: 4,
            max_iter: 400,
            seed: 0,
        }
    }
}

/// The result of [`fit`]: estimates, standard errors and diagnostics. Units: μ, α and β in
/// events per second (β per second); matrices are `[target i][source j]` as in
/// [`HawkesParams::new`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HawkesFit {
    /// Which decay rates were free.
    pub beta_mode: BetaMode,
    /// μ̂_i.
    pub mu: Vec<f64>,
    /// α̂_ij.
    pub alpha: Vec<Vec<f64>>,
    /// β̂_ij (equal across tied entries).
    pub beta: Vec<Vec<f64>>,
    /// Standard errors of μ̂_i.
    pub mu_se: Vec<f64>,
    /// Standard errors of α̂_ij.
    pub alpha_se: Vec<Vec<f64>>,
    /// Standard errors of β̂_ij (of the shared value for tied entries).
    pub beta_se: Vec<Vec<f64>>,
    /// Whether the observed information was positive definite; if not, the standard errors
    /// are NaN (a parameter on the boundary, e.g. α̂ → 0, or a flat likelihood).
    pub information_ok: bool,
    /// ℓ at the estimate.
    pub log_likelihood: f64,
    /// Akaike information criterion 2k − 2ℓ.
    pub aic: f64,
    /// The number of free parameters k.
    pub n_params: usize,
    /// ρ(Ĝ), Ĝ_ij = α̂_ij / β̂_ij; ≥ 1 means the fit is not a stationary process.
    pub branching_ratio: f64,
    /// Events fitted.
    pub events: usize,
    /// The observation window \[0, t_end\] (seconds).
    pub t_end: f64,
    /// The final ℓ of every start, in start order.
    pub start_log_likelihoods: Vec<f64>,
    /// BFGS iterations of the winning start.
    pub iterations: usize,
    /// Whether the winning start met the gradient or stall criterion.
    pub converged: bool,
}

impl HawkesFit {
    /// The fitted process as validated parameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when the estimate is not a valid stationary process
    /// (ρ(Ĝ) ≥ 1).
    pub fn params(&self) -> Result<HawkesParams> {
        HawkesParams::new(self.mu.clone(), self.alpha.clone(), self.beta.clone())
    }
}

/// Index of the free β that entry (i, j) uses.
fn beta_slot(mode: BetaMode, d: usize, i: usize, j: usize) -> usize {
    match mode {
        BetaMode::Shared => 0,
        BetaMode::PerTarget => i,
        BetaMode::Full => i * d + j,
    }
}

fn n_beta(mode: BetaMode, d: usize) -> usize {
    match mode {
        BetaMode::Shared => 1,
        BetaMode::PerTarget => d,
        BetaMode::Full => d * d,
    }
}

/// The objective of the optimiser: x = (ln μ, ln α, ln β_free), value −ℓ/N, gradient by the
/// chain rule ∂/∂ln θ = θ ∂/∂θ.
struct Objective<'a> {
    events: &'a [(f64, usize)],
    t_end: f64,
    d: usize,
    mode: BetaMode,
    scale: f64,
    work: Workspace,
    mu: Vec<f64>,
    alpha: Vec<f64>,
    beta: Vec<f64>,
}

impl Objective<'_> {
    fn unpack(&mut self, x: &[f64]) -> bool {
        let d = self.d;
        for (m, xi) in self.mu.iter_mut().zip(x) {
            *m = xi.exp();
        }
        for k in 0..d * d {
            self.alpha[k] = x[d + k].exp();
            self.beta[k] = x[d + d * d + beta_slot(self.mode, d, k / d, k % d)].exp();
        }
        self.mu
            .iter()
            .chain(&self.alpha)
            .chain(&self.beta)
            .all(|v| v.is_finite() && *v > 0.0)
    }

    fn eval(&mut self, x: &[f64], g: &mut [f64]) -> f64 {
        if !self.unpack(x) {
            return f64::INFINITY;
        }
        let d = self.d;
        let ll = self.work.evaluate(
            self.events,
            self.t_end,
            &self.mu,
            &self.alpha,
            &self.beta,
            true,
        );
        if !ll.is_finite() {
            return f64::INFINITY;
        }
        let s = -1.0 / self.scale;
        g.fill(0.0);
        for ((gi, m), gm) in g.iter_mut().zip(&self.mu).zip(&self.work.g_mu) {
            *gi = s * m * gm;
        }
        for k in 0..d * d {
            g[d + k] = s * self.alpha[k] * self.work.g_alpha[k];
            g[d + d * d + beta_slot(self.mode, d, k / d, k % d)] +=
                s * self.beta[k] * self.work.g_beta[k];
        }
        -ll / self.scale
    }
}

/// Fits a `dim`-variate exponential Hawkes process to `events` on \[0, `t_end`\] by maximum
/// likelihood ([`log_likelihood`](super::log_likelihood), analytic gradient, BFGS on the
/// logarithms of the parameters so that μ, α, β stay positive).
///
/// **Starts.** With r_i = N_i/T and r = N/T, start `s` puts β = r·c_s with
/// c = 1, 10, 100, 0.3, 1000, 3, 30, 300 (then the same schedule, each jittered by a factor
/// e^{U(−0.5, 0.5)} from `opts.seed`), α_ij = 0.5·β/dim (branching ratio 0.5) and
/// μ_i = 0.5·r_i. The start with the largest final ℓ wins.
///
/// **Standard errors** are the square roots of the diagonal of the inverse observed
/// information, the Hessian of −ℓ, here taken in log-parameters by central differences of the
/// analytic gradient (step 1e-4) and mapped back by the delta method, se(θ) = θ·se(ln θ),
/// which is exact at a stationary point because the gradient term vanishes.
///
/// # Errors
/// [`Error::InvalidParameter`] for invalid events (see
/// [`log_likelihood`](super::log_likelihood)), `dim == 0`, a dimension with no events (its μ̂
/// would be 0, outside the model), `opts.starts == 0`, or when no start reaches a finite
/// likelihood.
pub fn fit(
    events: &[(f64, usize)],
    dim: usize,
    t_end: f64,
    opts: &FitOptions,
) -> Result<HawkesFit> {
    let bad = |what: &str, reason: String| Error::InvalidParameter {
        what: what.into(),
        reason,
    };
    if dim == 0 {
        return Err(bad("dim", "must be >= 1, got 0".into()));
    }
    if opts.starts == 0 {
        return Err(bad("fit.starts", "must be >= 1, got 0".into()));
    }
    validate_events(events, dim, t_end)?;
    let mut counts = vec![0usize; dim];
    for &(_, j) in events {
        counts[j] += 1;
    }
    if let Some(j) = counts.iter().position(|&c| c == 0) {
        return Err(bad(
            "events",
            format!(
                "dimension {j} has no events in [0, {t_end}]: its baseline cannot be estimated"
            ),
        ));
    }
    let d = dim;
    let nb = n_beta(opts.beta, d);
    let m = d + d * d + nb;
    let n = events.len() as f64;
    let mut obj = Objective {
        events,
        t_end,
        d,
        mode: opts.beta,
        scale: n,
        work: Workspace::new(d),
        mu: vec![0.0; d],
        alpha: vec![0.0; d * d],
        beta: vec![0.0; d * d],
    };
    let r = n / t_end;
    let schedule = [1.0, 10.0, 100.0, 0.3, 1000.0, 3.0, 30.0, 300.0];
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let mut best: Option<(f64, Vec<f64>, usize, bool)> = None;
    let mut start_ll = Vec::with_capacity(opts.starts);
    for s in 0..opts.starts {
        let mut c: f64 = schedule[s % schedule.len()];
        if s >= schedule.len() {
            c *= rng.random_range(-0.5..0.5_f64).exp();
        }
        let beta0 = r * c;
        let mut x0 = vec![0.0; m];
        for i in 0..d {
            x0[i] = (0.5 * counts[i] as f64 / t_end).ln();
        }
        for k in 0..d * d {
            x0[d + k] = (0.5 * beta0 / d as f64).ln();
        }
        for b in 0..nb {
            x0[d + d * d + b] = beta0.ln();
        }
        let res = minimise(|x, g| obj.eval(x, g), &x0, opts.max_iter, 1e-7, 2.0);
        let ll = -res.f * n;
        start_ll.push(ll);
        if ll.is_finite() && best.as_ref().is_none_or(|b| ll > b.0) {
            best = Some((ll, res.x, res.iterations, res.converged));
        }
    }
    let Some((ll, x, iterations, converged)) = best else {
        return Err(bad(
            "fit",
            "no start reached a finite log-likelihood".into(),
        ));
    };

    // Observed information in x = ln θ: H = ∂²(−ℓ)/∂x², by central differences of the
    // analytic gradient, symmetrised.
    let h_step = 1e-4;
    let mut info = vec![0.0; m * m];
    let (mut gp, mut gm) = (vec![0.0; m], vec![0.0; m]);
    let mut xs = x.clone();
    let mut finite = true;
    for c in 0..m {
        xs[c] = x[c] + h_step;
        let fp = obj.eval(&xs, &mut gp);
        xs[c] = x[c] - h_step;
        let fm = obj.eval(&xs, &mut gm);
        xs[c] = x[c];
        finite &= fp.is_finite() && fm.is_finite();
        for r_ in 0..m {
            info[r_ * m + c] = n * (gp[r_] - gm[r_]) / (2.0 * h_step);
        }
    }
    for a in 0..m {
        for b in 0..a {
            let v = 0.5 * (info[a * m + b] + info[b * m + a]);
            info[a * m + b] = v;
            info[b * m + a] = v;
        }
    }
    let cov = if finite { spd_inverse(&info, m) } else { None };
    obj.unpack(&x);
    let se_x = |k: usize| cov.as_ref().map_or(f64::NAN, |c| c[k * m + k].sqrt());
    let rows = |v: &[f64]| -> Vec<Vec<f64>> { v.chunks(d).map(<[f64]>::to_vec).collect() };
    let mu_se: Vec<f64> = (0..d).map(|i| obj.mu[i] * se_x(i)).collect();
    let alpha_se: Vec<f64> = (0..d * d).map(|k| obj.alpha[k] * se_x(d + k)).collect();
    let beta_se: Vec<f64> = (0..d * d)
        .map(|k| obj.beta[k] * se_x(d + d * d + beta_slot(opts.beta, d, k / d, k % d)))
        .collect();
    let g: Vec<f64> = obj
        .alpha
        .iter()
        .zip(&obj.beta)
        .map(|(a, b)| a / b)
        .collect();
    Ok(HawkesFit {
        beta_mode: opts.beta,
        mu: obj.mu.clone(),
        alpha: rows(&obj.alpha),
        beta: rows(&obj.beta),
        mu_se,
        alpha_se: rows(&alpha_se),
        beta_se: rows(&beta_se),
        information_ok: cov.is_some(),
        log_likelihood: ll,
        aic: 2.0 * m as f64 - 2.0 * ll,
        n_params: m,
        branching_ratio: spectral_radius_nonneg(&g, d),
        events: events.len(),
        t_end,
        start_log_likelihoods: start_ll,
        iterations,
        converged,
    })
}
