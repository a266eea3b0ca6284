//! Gaussian hidden Markov model with diagonal-covariance emissions: Baum–Welch (EM) with
//! Rabiner's scaling, Viterbi decoding in log space, forward filtering for online regime
//! probabilities, and seeded simulation.
//!
//! References: Rabiner (1989), "A tutorial on hidden Markov models", Proc. IEEE 77(2):
//! forward–backward eqs. (19)–(25), re-estimation (40a)–(40c) and (52)–(53), Viterbi
//! (30)–(35), scaling §V.A eqs. (91)–(103). Emission log-densities are shifted by their
//! per-step maximum before exponentiation, so long or high-dimensional sequences do not
//! underflow; the shift is added back to the log-likelihood.

use std::f64::consts::PI;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal, Uniform};
use serde::{Deserialize, Serialize};

use super::{RegimeLearner, RegimeModel, check_training, kmeans_plus_plus};
use crate::error::{Error, Result, check_param};
use crate::model::check_features;

/// Configuration of a [`GaussianHmmModel`] fit by Baum–Welch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GaussianHmm {
    /// Number of hidden states (≥ 1).
    pub n_states: usize,
    /// Maximum Baum–Welch iterations (default 500).
    pub max_iter: usize,
    /// Stop when the mean log-likelihood per row improves by less than this (default `1e-6`).
    pub tol: f64,
    /// Floor added to every emission variance (default `1e-6`).
    pub min_variance: f64,
    /// Independent initialisations; the fit with the highest likelihood is kept (default 4;
    /// Baum–Welch only finds a local maximum).
    pub n_init: usize,
    /// Seed of the k-means++ initialisations of the state means.
    pub seed: u64,
}

impl GaussianHmm {
    /// A configuration with the defaults above.
    pub fn new(n_states: usize, seed: u64) -> Self {
        GaussianHmm {
            n_states,
            max_iter: 500,
            tol: 1e-6,
            min_variance: 1e-6,
            n_init: 4,
            seed,
        }
    }
}

/// A Gaussian HMM: initial distribution, transition matrix and per-state diagonal
/// Gaussian emissions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GaussianHmmModel {
    /// Initial state distribution π.
    pub initial: Array1<f64>,
    /// Transition matrix, `transition[[i, j]] = P(s_{t+1} = j | s_t = i)`.
    pub transition: Array2<f64>,
    /// Emission means, `states × d`.
    pub means: Array2<f64>,
    /// Emission variances (diagonal), `states × d`.
    pub variances: Array2<f64>,
    /// Mean log-likelihood per row at the end of the fit (NaN for a model built by hand).
    pub log_likelihood: f64,
    /// Baum–Welch iterations run.
    pub iterations: usize,
    /// Whether the tolerance was reached.
    pub converged: bool,
}

/// Forward–backward output.
struct Posterior {
    /// Smoothed state probabilities γ, `T × N`.
    gamma: Array2<f64>,
    /// Σ_t ξ_t(i, j), `N × N`.
    xi_sum: Array2<f64>,
    /// Total log-likelihood.
    log_likelihood: f64,
}

impl GaussianHmmModel {
    /// Builds a model from parameters, checking that they are a valid HMM.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when shapes disagree, a probability row does not sum to
    /// one (±1e-9) or has a negative entry, or a variance is not positive.
    pub fn new(
        initial: Array1<f64>,
        transition: Array2<f64>,
        means: Array2<f64>,
        variances: Array2<f64>,
    ) -> Result<Self> {
        let n = initial.len();
        check_param(n >= 1, "n_states", n, ">= 1")?;
        check_param(
            transition.dim() == (n, n),
            "transition shape",
            format!("{:?}", transition.dim()),
            "n_states × n_states",
        )?;
        check_param(
            means.nrows() == n && variances.dim() == means.dim() && means.ncols() > 0,
            "emission shape",
            format!("means {:?}, variances {:?}", means.dim(), variances.dim()),
            "both n_states × d with d >= 1",
        )?;
        let stochastic = |v: ArrayView1<'_, f64>| {
            v.iter().all(|&p| p >= 0.0 && p.is_finite()) && (v.sum() - 1.0).abs() < 1e-9
        };
        check_param(
            stochastic(initial.view()),
            "initial",
            &initial,
            "a probability vector",
        )?;
        for (i, row) in transition.outer_iter().enumerate() {
            check_param(
                stochastic(row),
                "transition row",
                format!("{i}: {row}"),
                "a probability vector",
            )?;
        }
        check_param(
            variances.iter().all(|&v| v > 0.0 && v.is_finite()),
            "variances",
            &variances,
            "all > 0",
        )?;
        check_param(
            means.iter().all(|v| v.is_finite()),
            "means",
            &means,
            "finite",
        )?;
        Ok(GaussianHmmModel {
            initial,
            transition,
            means,
            variances,
            log_likelihood: f64::NAN,
            iterations: 0,
            converged: false,
        })
    }

    fn n_states(&self) -> usize {
        self.initial.len()
    }

    /// `log N(x | μ_j, diag σ²_j)`.
    fn log_emission(&self, j: usize, x: ArrayView1<'_, f64>) -> f64 {
        let mut s = 0.0;
        for (a, &xa) in x.iter().enumerate() {
            let v = self.variances[[j, a]];
            s -= 0.5 * ((2.0 * PI * v).ln() + (xa - self.means[[j, a]]).powi(2) / v);
        }
        s
    }

    /// Emission probabilities shifted by their per-row maximum (`T × N`, row-major), and
    /// the shifts. Plain slices in the hot loops keep debug builds fast.
    fn emissions(&self, x: ArrayView2<'_, f64>) -> (Vec<f64>, Vec<f64>) {
        let n = self.n_states();
        let (t_len, d) = x.dim();
        let xs: Vec<f64> = x.iter().copied().collect();
        let mu: Vec<f64> = self.means.iter().copied().collect();
        let inv_var: Vec<f64> = self.variances.iter().map(|v| 1.0 / v).collect();
        // Per-state constants hoisted out of the time loop.
        let norm: Vec<f64> = (0..n)
            .map(|j| {
                -0.5 * self
                    .variances
                    .row(j)
                    .iter()
                    .map(|v| (2.0 * PI * v).ln())
                    .sum::<f64>()
            })
            .collect();
        let mut b = vec![0.0; t_len * n];
        let mut shift = Vec::with_capacity(t_len);
        for t in 0..t_len {
            let row = &xs[t * d..(t + 1) * d];
            let out = &mut b[t * n..(t + 1) * n];
            let mut m = f64::NEG_INFINITY;
            for j in 0..n {
                let (mj, vj) = (&mu[j * d..(j + 1) * d], &inv_var[j * d..(j + 1) * d]);
                let mut q = 0.0;
                for a in 0..d {
                    q += (row[a] - mj[a]).powi(2) * vj[a];
                }
                out[j] = norm[j] - 0.5 * q;
                m = m.max(out[j]);
            }
            for v in out.iter_mut() {
                *v = (*v - m).exp();
            }
            shift.push(m);
        }
        (b, shift)
    }

    /// Scaled forward pass (Rabiner eqs. (91)–(92)): normalised α (`T × N`, row-major) and
    /// the scale factors.
    fn forward(&self, b: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let n = self.n_states();
        let t_len = b.len() / n;
        let a: Vec<f64> = self.transition.iter().copied().collect();
        let mut alpha = vec![0.0; t_len * n];
        let mut scale = vec![0.0; t_len];
        for t in 0..t_len {
            let mut s = 0.0;
            for j in 0..n {
                let prior = if t == 0 {
                    self.initial[j]
                } else {
                    let prev = &alpha[(t - 1) * n..t * n];
                    (0..n).map(|i| prev[i] * a[i * n + j]).sum()
                };
                alpha[t * n + j] = prior * b[t * n + j];
                s += alpha[t * n + j];
            }
            // s > 0 unless the path is structurally impossible (zero prior mass on every
            // state that can emit); then keep the uniform vector.
            for v in &mut alpha[t * n..(t + 1) * n] {
                *v = if s > 0.0 { *v / s } else { 1.0 / n as f64 };
            }
            scale[t] = s;
        }
        (alpha, scale)
    }

    fn posterior(&self, x: ArrayView2<'_, f64>) -> Posterior {
        let n = self.n_states();
        let (b, shift) = self.emissions(x);
        let (alpha, scale) = self.forward(&b);
        let t_len = x.nrows();
        let a: Vec<f64> = self.transition.iter().copied().collect();
        let mut beta = vec![1.0; t_len * n];
        let mut xi_sum = vec![0.0; n * n];
        let mut tmp = vec![0.0; n];
        for t in (0..t_len.saturating_sub(1)).rev() {
            let c = scale[t + 1].max(f64::MIN_POSITIVE);
            for j in 0..n {
                tmp[j] = b[(t + 1) * n + j] * beta[(t + 1) * n + j];
            }
            for i in 0..n {
                let mut s = 0.0;
                let ai = alpha[t * n + i] / c;
                for j in 0..n {
                    let term = a[i * n + j] * tmp[j];
                    s += term;
                    xi_sum[i * n + j] += ai * term;
                }
                beta[t * n + i] = s / c;
            }
        }
        let mut gamma = Array2::<f64>::zeros((t_len, n));
        for t in 0..t_len {
            let s: f64 = (0..n).map(|j| alpha[t * n + j] * beta[t * n + j]).sum();
            for j in 0..n {
                let g = alpha[t * n + j] * beta[t * n + j];
                gamma[[t, j]] = if s > 0.0 { g / s } else { g };
            }
        }
        let log_likelihood = scale
            .iter()
            .zip(&shift)
            .map(|(s, m)| s.max(f64::MIN_POSITIVE).ln() + m)
            .sum();
        Posterior {
            gamma,
            xi_sum: Array2::from_shape_vec((n, n), xi_sum).expect("invariant: n × n accumulator"),
            log_likelihood,
        }
    }

    /// Log-likelihood of the sequence `x` (rows in time order).
    ///
    /// # Errors
    /// [`Error::FeatureCount`] or [`Error::NonFinite`] for bad input.
    pub fn log_likelihood_of(&self, x: ArrayView2<'_, f64>) -> Result<f64> {
        check_features(x, Some(self.means.ncols()))?;
        Ok(self.posterior(x).log_likelihood)
    }

    /// Filtered state probabilities `P(s_t | x_1..x_t)` for each row (the forward pass;
    /// row `t` uses no information after `t`).
    ///
    /// # Errors
    /// [`Error::FeatureCount`] or [`Error::NonFinite`] for bad input.
    pub fn filter(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check_features(x, Some(self.means.ncols()))?;
        let (b, _) = self.emissions(x);
        let alpha = self.forward(&b).0;
        Ok(Array2::from_shape_vec((x.nrows(), self.n_states()), alpha)
            .expect("invariant: the forward pass returns T × N values"))
    }

    /// The most probable state path (Viterbi, in log space; ties go to the lower state).
    ///
    /// # Errors
    /// [`Error::FeatureCount`] or [`Error::NonFinite`] for bad input.
    pub fn viterbi(&self, x: ArrayView2<'_, f64>) -> Result<Vec<usize>> {
        check_features(x, Some(self.means.ncols()))?;
        let (t_len, n) = (x.nrows(), self.n_states());
        if t_len == 0 {
            return Ok(Vec::new());
        }
        let log_a = self.transition.mapv(f64::ln);
        let mut delta: Vec<f64> = (0..n)
            .map(|j| self.initial[j].ln() + self.log_emission(j, x.row(0)))
            .collect();
        let mut back = vec![vec![0usize; n]; t_len];
        for t in 1..t_len {
            let mut next = vec![f64::NEG_INFINITY; n];
            for j in 0..n {
                let mut best = (0, f64::NEG_INFINITY);
                for i in 0..n {
                    let v = delta[i] + log_a[[i, j]];
                    if v > best.1 {
                        best = (i, v);
                    }
                }
                back[t][j] = best.0;
                next[j] = best.1 + self.log_emission(j, x.row(t));
            }
            delta = next;
        }
        let mut state = (0..n).fold(0, |b, j| if delta[j] > delta[b] { j } else { b });
        let mut path = vec![0; t_len];
        for t in (0..t_len).rev() {
            path[t] = state;
            state = back[t][state];
        }
        Ok(path)
    }

    /// An online filter that starts before the first observation.
    pub fn online_filter(&self) -> HmmFilter<'_> {
        HmmFilter {
            model: self,
            probs: None,
        }
    }

    /// Simulates `len` observations; returns the observations (`len × d`) and the states.
    /// Deterministic from `seed`.
    pub fn sample(&self, len: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
        let mut rng = StdRng::seed_from_u64(seed);
        let u = Uniform::new(0.0, 1.0).expect("invariant: 0 < 1 is a valid range");
        let draw = |p: ArrayView1<'_, f64>, r: f64| {
            let mut acc = 0.0;
            for (j, &pj) in p.iter().enumerate() {
                acc += pj;
                if r < acc {
                    return j;
                }
            }
            p.len() - 1
        };
        let d = self.means.ncols();
        let mut x = Array2::<f64>::zeros((len, d));
        let mut states = Vec::with_capacity(len);
        let mut s = 0;
        for t in 0..len {
            let r = u.sample(&mut rng);
            s = if t == 0 {
                draw(self.initial.view(), r)
            } else {
                draw(self.transition.row(s), r)
            };
            states.push(s);
            for a in 0..d {
                let z: f64 = StandardNormal.sample(&mut rng);
                x[[t, a]] = self.means[[s, a]] + self.variances[[s, a]].sqrt() * z;
            }
        }
        (x, states)
    }
}

/// Online forward filtering: feed observations one at a time, read `P(s_t | x_1..x_t)`.
#[derive(Debug, Clone)]
pub struct HmmFilter<'a> {
    model: &'a GaussianHmmModel,
    probs: Option<Array1<f64>>,
}

impl HmmFilter<'_> {
    /// Folds in observation `x` and returns the updated filtered state probabilities.
    ///
    /// # Errors
    /// [`Error::FeatureCount`] or [`Error::NonFinite`] (the state is left unchanged).
    pub fn step(&mut self, x: ArrayView1<'_, f64>) -> Result<ArrayView1<'_, f64>> {
        let m = self.model;
        let row = x.insert_axis(ndarray::Axis(0));
        check_features(row, Some(m.means.ncols()))?;
        let n = m.n_states();
        let logs: Vec<f64> = (0..n).map(|j| m.log_emission(j, x)).collect();
        let mx = logs.iter().fold(f64::NEG_INFINITY, |a, &v| a.max(v));
        let mut next = Array1::<f64>::zeros(n);
        for j in 0..n {
            let prior = match &self.probs {
                None => m.initial[j],
                Some(p) => (0..n).map(|i| p[i] * m.transition[[i, j]]).sum(),
            };
            next[j] = prior * (logs[j] - mx).exp();
        }
        let s = next.sum();
        if s > 0.0 {
            next /= s;
        } else {
            next.fill(1.0 / n as f64);
        }
        Ok(self.probs.insert(next).view())
    }

    /// The current filtered probabilities (`None` before the first observation).
    pub fn probabilities(&self) -> Option<ArrayView1<'_, f64>> {
        self.probs.as_ref().map(|p| p.view())
    }
}

impl RegimeLearner for GaussianHmm {
    type Model = GaussianHmmModel;

    /// Baum–Welch on one sequence (rows in time order). Initialisation: k-means++ means
    /// from the seed, the overall variance for every state, 0.9 on the transition diagonal,
    /// uniform initial distribution.
    fn fit(&self, x: ArrayView2<'_, f64>) -> Result<GaussianHmmModel> {
        let n = self.n_states;
        check_training(x, n, "Gaussian HMM")?;
        check_param(self.max_iter >= 1, "max_iter", self.max_iter, ">= 1")?;
        check_param(self.tol > 0.0, "tol", self.tol, "> 0")?;
        check_param(
            self.min_variance > 0.0,
            "min_variance",
            self.min_variance,
            "> 0",
        )?;
        check_param(self.n_init >= 1, "n_init", self.n_init, ">= 1")?;
        let mut rng = StdRng::seed_from_u64(self.seed);
        let mut best: Option<GaussianHmmModel> = None;
        for _ in 0..self.n_init {
            let m = self.fit_once(x, &mut rng)?;
            if best
                .as_ref()
                .is_none_or(|b| m.log_likelihood > b.log_likelihood)
            {
                best = Some(m);
            }
        }
        Ok(best.expect("invariant: n_init >= 1 fits ran"))
    }
}

impl GaussianHmm {
    /// One Baum–Welch run from one k-means++ start drawn from `rng`.
    fn fit_once(&self, x: ArrayView2<'_, f64>, rng: &mut StdRng) -> Result<GaussianHmmModel> {
        let n = self.n_states;
        let (t_len, d) = x.dim();
        let means = kmeans_plus_plus(x, n, rng);
        let col_mean = x.mean_axis(ndarray::Axis(0)).expect("invariant: rows >= 2");
        let mut var = Array1::<f64>::zeros(d);
        for row in x.outer_iter() {
            for a in 0..d {
                var[a] += (row[a] - col_mean[a]).powi(2) / t_len as f64;
            }
        }
        let variances = Array2::from_shape_fn((n, d), |(_, a)| var[a] + self.min_variance);
        let stay = if n == 1 { 1.0 } else { 0.9 };
        let transition = Array2::from_shape_fn((n, n), |(i, j)| {
            if i == j {
                stay
            } else {
                (1.0 - stay) / (n - 1) as f64
            }
        });
        let mut model = GaussianHmmModel {
            initial: Array1::from_elem(n, 1.0 / n as f64),
            transition,
            means,
            variances,
            log_likelihood: f64::NEG_INFINITY,
            iterations: 0,
            converged: false,
        };
        let mut prev = f64::NEG_INFINITY;
        for it in 1..=self.max_iter {
            let post = model.posterior(x);
            let ll = post.log_likelihood / t_len as f64;
            if !ll.is_finite() {
                return Err(Error::Numerical {
                    what: "Baum–Welch",
                    reason: format!("log-likelihood became {ll} at iteration {it}"),
                });
            }
            model.log_likelihood = ll;
            model.iterations = it;
            if (ll - prev).abs() < self.tol {
                model.converged = true;
                break;
            }
            prev = ll;
            // Re-estimation (Rabiner (40a)–(40c), (52)–(53)).
            let g = &post.gamma;
            model.initial = g.row(0).to_owned();
            for i in 0..n {
                let row_total: f64 = post.xi_sum.row(i).sum();
                for j in 0..n {
                    model.transition[[i, j]] = if row_total > 0.0 {
                        post.xi_sum[[i, j]] / row_total
                    } else {
                        f64::from(u8::from(i == j))
                    };
                }
            }
            let xs: Vec<f64> = x.iter().copied().collect();
            let gs: Vec<f64> = g.iter().copied().collect();
            for j in 0..n {
                let w: f64 = (0..t_len).map(|t| gs[t * n + j]).sum();
                if w < 1e-10 {
                    return Err(Error::Numerical {
                        what: "Baum–Welch",
                        reason: format!(
                            "state {j} lost all its probability mass (try fewer states)"
                        ),
                    });
                }
                for a in 0..d {
                    let mut mu = 0.0;
                    for t in 0..t_len {
                        mu += gs[t * n + j] * xs[t * d + a];
                    }
                    mu /= w;
                    let mut v = 0.0;
                    for t in 0..t_len {
                        v += gs[t * n + j] * (xs[t * d + a] - mu).powi(2);
                    }
                    model.means[[j, a]] = mu;
                    model.variances[[j, a]] = v / w + self.min_variance;
                }
            }
        }
        Ok(model)
    }
}

impl RegimeModel for GaussianHmmModel {
    fn name(&self) -> &'static str {
        "gaussian_hmm"
    }

    fn n_regimes(&self) -> usize {
        self.n_states()
    }

    fn n_features(&self) -> usize {
        self.means.ncols()
    }

    /// Smoothed posteriors `P(s_t | x_1..x_T)` (forward–backward over the whole sequence).
    fn regime_probabilities(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check_features(x, Some(self.n_features()))?;
        Ok(self.posterior(x).gamma)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn two_state() -> GaussianHmmModel {
        GaussianHmmModel::new(
            array![0.5, 0.5],
            array![[0.95, 0.05], [0.10, 0.90]],
            array![[-1.0], [1.5]],
            array![[0.49], [1.0]],
        )
        .unwrap()
    }

    /// Joint log-density of a state path and the observations, straight from the model
    /// definition (test-only truth for brute-force enumeration).
    fn path_log_prob(m: &GaussianHmmModel, x: &Array2<f64>, path: &[usize]) -> f64 {
        let mut lp = m.initial[path[0]].ln() + m.log_emission(path[0], x.row(0));
        for t in 1..path.len() {
            lp += m.transition[[path[t - 1], path[t]]].ln() + m.log_emission(path[t], x.row(t));
        }
        lp
    }

    fn all_paths(t_len: usize, n: usize) -> Vec<Vec<usize>> {
        (0..n.pow(t_len as u32))
            .map(|mut code| {
                (0..t_len)
                    .map(|_| {
                        let s = code % n;
                        code /= n;
                        s
                    })
                    .collect()
            })
            .collect()
    }

    /// Forward likelihood, Viterbi path, filtered and smoothed probabilities all agree with
    /// enumeration over every one of the 2⁷ state paths.
    #[test]
    fn forward_viterbi_and_posteriors_match_brute_force_enumeration() {
        let m = two_state();
        let x = array![[-0.8], [0.2], [1.9], [0.4], [-1.3], [2.2], [0.0]];
        let paths = all_paths(7, 2);
        let lps: Vec<f64> = paths.iter().map(|p| path_log_prob(&m, &x, p)).collect();
        let total = super::super::log_sum_exp(&lps);
        assert!((m.log_likelihood_of(x.view()).unwrap() - total).abs() < 1e-10);
        let best = (0..paths.len())
            .max_by(|&a, &b| lps[a].total_cmp(&lps[b]))
            .unwrap();
        assert_eq!(m.viterbi(x.view()).unwrap(), paths[best]);
        let smooth = m.regime_probabilities(x.view()).unwrap();
        for t in 0..7 {
            let p1: f64 = paths
                .iter()
                .zip(&lps)
                .filter(|(p, _)| p[t] == 1)
                .map(|(_, lp)| (lp - total).exp())
                .sum();
            assert!((smooth[[t, 1]] - p1).abs() < 1e-10, "t {t}");
        }
        // Filtering at t uses the first t+1 observations only: enumerate the prefix.
        let filt = m.filter(x.view()).unwrap();
        let mut online = m.online_filter();
        for t in 0..7 {
            let xp = x.slice(ndarray::s![..=t, ..]).to_owned();
            let pp = all_paths(t + 1, 2);
            let l: Vec<f64> = pp.iter().map(|p| path_log_prob(&m, &xp, p)).collect();
            let z = super::super::log_sum_exp(&l);
            let p1: f64 = pp
                .iter()
                .zip(&l)
                .filter(|(p, _)| p[t] == 1)
                .map(|(_, lp)| (lp - z).exp())
                .sum();
            assert!((filt[[t, 1]] - p1).abs() < 1e-10, "t {t}");
            let step = online.step(x.row(t)).unwrap();
            assert!((step[1] - p1).abs() < 1e-10, "online t {t}");
        }
    }

    /// Acceptance: Baum–Welch recovers a simulated 2-state HMM (T = 5000) for several seeds,
    /// with states matched by their means (label switching). Stated errors, about five
    /// standard errors each: the chain spends ≈ 2/3 of the time in state 0 and 1/3 in
    /// state 1, so a mean's SE is σ/√(T π_j) ≤ 1/√1667 ≈ 0.025 (tolerance 0.12); a
    /// standard deviation's ≈ σ/√(2 T π_j) ≤ 0.018 (tolerance 0.09); a switching
    /// probability's √(a(1−a)/(T π_i)) ≤ 0.0073 (tolerance 0.035). Viterbi must label at
    /// least 90 % of the time steps correctly (the two emissions overlap: a single
    /// observation would be misclassified ≈ 10 % of the time; the chain's persistence helps).
    #[test]
    fn baum_welch_recovers_a_simulated_two_state_hmm_across_seeds() {
        let truth = two_state();
        for seed in [11u64, 12, 13, 14] {
            let (x, states) = truth.sample(5000, seed);
            let fit = GaussianHmm {
                tol: 1e-7,
                ..GaussianHmm::new(2, seed)
            }
            .fit(x.view())
            .unwrap();
            assert!(fit.converged, "seed {seed}: {} iterations", fit.iterations);
            let lo = usize::from(fit.means[[0, 0]] > fit.means[[1, 0]]);
            let hi = 1 - lo;
            let err = |a: f64, b: f64| (a - b).abs();
            assert!(
                err(fit.means[[lo, 0]], -1.0) < 0.12,
                "seed {seed}: {}",
                fit.means
            );
            assert!(
                err(fit.means[[hi, 0]], 1.5) < 0.12,
                "seed {seed}: {}",
                fit.means
            );
            assert!(
                err(fit.variances[[lo, 0]].sqrt(), 0.7) < 0.09,
                "seed {seed}"
            );
            assert!(
                err(fit.variances[[hi, 0]].sqrt(), 1.0) < 0.09,
                "seed {seed}"
            );
            assert!(
                err(fit.transition[[lo, hi]], 0.05) < 0.035,
                "seed {seed}: {}",
                fit.transition
            );
            assert!(
                err(fit.transition[[hi, lo]], 0.10) < 0.035,
                "seed {seed}: {}",
                fit.transition
            );
            let path = fit.viterbi(x.view()).unwrap();
            let hits = path
                .iter()
                .zip(&states)
                .filter(|(p, s)| (**p == hi) == (**s == 1))
                .count();
            assert!(
                hits as f64 / 5000.0 > 0.9,
                "seed {seed}: Viterbi accuracy {hits}/5000"
            );
        }
    }

    #[test]
    fn invalid_parameters_and_bad_rows_are_errors() {
        let bad = GaussianHmmModel::new(
            array![0.5, 0.5],
            array![[0.9, 0.2], [0.1, 0.9]],
            array![[0.0], [1.0]],
            array![[1.0], [1.0]],
        );
        assert!(matches!(
            bad,
            Err(Error::InvalidParameter {
                name: "transition row",
                ..
            })
        ));
        let m = two_state();
        let x = array![[0.0], [f64::NAN]];
        assert!(matches!(
            m.viterbi(x.view()),
            Err(Error::NonFinite { row: 1, .. })
        ));
        let mut f = m.online_filter();
        assert!(f.step(array![1.0, 2.0].view()).is_err());
        assert!(f.probabilities().is_none());
    }
}
