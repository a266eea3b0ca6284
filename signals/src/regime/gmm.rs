//! Gaussian mixture model fitted by expectation–maximisation (Dempster, Laird & Rubin 1977;
//! Bishop, *Pattern Recognition and Machine Learning*, 2006, §9.2.2, eqs. (9.23)–(9.27)),
//! with diagonal or full covariances, k-means++ initialisation from a seed, and all
//! responsibilities computed in log space with log-sum-exp.

use std::f64::consts::PI;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

use super::{RegimeLearner, RegimeModel, check_training, kmeans_plus_plus, log_sum_exp};
use crate::error::{Error, Result, check_param};
use crate::model::check_features;

/// The covariance structure of each component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CovarianceKind {
    /// A diagonal covariance per component (independent features within a component).
    Diagonal,
    /// A full covariance matrix per component.
    Full,
}

/// Configuration of a [`GaussianMixtureModel`] fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GaussianMixture {
    /// Number of components (≥ 1).
    pub n_components: usize,
    /// Covariance structure.
    pub covariance: CovarianceKind,
    /// Maximum EM iterations (default 200).
    pub max_iter: usize,
    /// Stop when the mean log-likelihood per row improves by less than this (default `1e-6`).
    pub tol: f64,
    /// Added to every covariance diagonal to keep components from collapsing onto a point
    /// (default `1e-6`).
    pub reg_covar: f64,
    /// Independent k-means++ initialisations; the fit with the highest likelihood is kept
    /// (default 4; EM only finds a local maximum, and a start with two centres in one
    /// cluster cannot separate them).
    pub n_init: usize,
    /// Seed of the k-means++ initialisations.
    pub seed: u64,
}

impl GaussianMixture {
    /// A configuration with the defaults above.
    pub fn new(n_components: usize, covariance: CovarianceKind, seed: u64) -> Self {
        GaussianMixture {
            n_components,
            covariance,
            max_iter: 200,
            tol: 1e-6,
            reg_covar: 1e-6,
            n_init: 4,
            seed,
        }
    }
}

/// A fitted Gaussian mixture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GaussianMixtureModel {
    /// Mixing weights, summing to one.
    pub weights: Array1<f64>,
    /// Component means, `k × d`.
    pub means: Array2<f64>,
    /// Covariance structure.
    pub kind: CovarianceKind,
    /// Component covariances, each `d × d` (diagonal matrices for [`CovarianceKind::Diagonal`]).
    pub covariances: Vec<Array2<f64>>,
    /// Mean log-likelihood per row at the end of the fit.
    pub log_likelihood: f64,
    /// EM iterations run.
    pub iterations: usize,
    /// Whether the tolerance was reached within `max_iter`.
    pub converged: bool,
}

/// Lower-triangular Cholesky factor of a symmetric positive definite matrix.
pub(crate) fn cholesky(a: &Array2<f64>) -> Option<Array2<f64>> {
    let d = a.nrows();
    let mut l = Array2::<f64>::zeros((d, d));
    for i in 0..d {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[[i, k]] * l[[j, k]]).sum();
            if i == j {
                let v = a[[i, i]] - s;
                if v <= 0.0 || !v.is_finite() {
                    return None;
                }
                l[[i, i]] = v.sqrt();
            } else {
                l[[i, j]] = (a[[i, j]] - s) / l[[j, j]];
            }
        }
    }
    Some(l)
}

/// Precomputed Gaussian log-density of one component (row-major Cholesky factor in a
/// plain vector: slices keep the hot loop fast in debug builds too).
struct Density {
    mean: Vec<f64>,
    chol: Vec<f64>,
    log_norm: f64,
}

impl Density {
    fn new(mean: ArrayView1<'_, f64>, cov: &Array2<f64>, component: usize) -> Result<Self> {
        let d = mean.len();
        let chol = cholesky(cov).ok_or_else(|| Error::Numerical {
            what: "Gaussian mixture",
            reason: format!("covariance of component {component} is not positive definite"),
        })?;
        let log_det: f64 = 2.0 * (0..d).map(|i| chol[[i, i]].ln()).sum::<f64>();
        Ok(Density {
            mean: mean.to_vec(),
            chol: chol.iter().copied().collect(),
            log_norm: -0.5 * (d as f64 * (2.0 * PI).ln() + log_det),
        })
    }

    /// `log N(x | μ, Σ)` via forward substitution `L z = x − μ`.
    fn log_pdf(&self, x: &[f64], z: &mut [f64]) -> f64 {
        let d = self.mean.len();
        let mut q = 0.0;
        for i in 0..d {
            let li = &self.chol[i * d..(i + 1) * d];
            let mut s = 0.0;
            for k in 0..i {
                s += li[k] * z[k];
            }
            z[i] = (x[i] - self.mean[i] - s) / li[i];
            q += z[i] * z[i];
        }
        self.log_norm - 0.5 * q
    }
}

impl GaussianMixtureModel {
    fn densities(&self) -> Result<Vec<Density>> {
        self.covariances
            .iter()
            .enumerate()
            .map(|(c, cov)| Density::new(self.means.row(c), cov, c))
            .collect()
    }

    /// Log responsibilities `n × k` and the total log-likelihood.
    fn e_step(&self, x: ArrayView2<'_, f64>) -> Result<(Array2<f64>, f64)> {
        let dens = self.densities()?;
        let k = self.weights.len();
        let (n, d) = x.dim();
        let xs: Vec<f64> = x.iter().copied().collect();
        let log_w: Vec<f64> = self.weights.iter().map(|w| w.ln()).collect();
        let mut log_r = vec![0.0; n * k];
        let mut total = 0.0;
        let mut z = vec![0.0; d];
        for i in 0..n {
            let row = &xs[i * d..(i + 1) * d];
            let out = &mut log_r[i * k..(i + 1) * k];
            for c in 0..k {
                out[c] = log_w[c] + dens[c].log_pdf(row, &mut z);
            }
            let lse = log_sum_exp(out);
            total += lse;
            for v in out.iter_mut() {
                *v -= lse;
            }
        }
        let log_r = Array2::from_shape_vec((n, k), log_r).expect("invariant: n × k values");
        Ok((log_r, total))
    }

    /// Mean log-likelihood per row of `x` under the mixture.
    ///
    /// # Errors
    /// [`Error::FeatureCount`] or [`Error::NonFinite`] for bad input.
    pub fn mean_log_likelihood(&self, x: ArrayView2<'_, f64>) -> Result<f64> {
        check_features(x, Some(self.means.ncols()))?;
        Ok(self.e_step(x)?.1 / x.nrows().max(1) as f64)
    }
}

/// Mixture parameters produced by one M-step.
struct MixtureParams {
    weights: Array1<f64>,
    means: Array2<f64>,
    covariances: Vec<Array2<f64>>,
}

/// M-step: weights, means and covariances from responsibilities (Bishop eqs. (9.24)–(9.26)).
fn m_step(
    x: ArrayView2<'_, f64>,
    resp: &Array2<f64>,
    kind: CovarianceKind,
    reg: f64,
) -> Result<MixtureParams> {
    let (n, d) = x.dim();
    let k = resp.ncols();
    let xs: Vec<f64> = x.iter().copied().collect();
    let rs: Vec<f64> = resp.iter().copied().collect();
    let mut weights = Array1::<f64>::zeros(k);
    let mut means = Array2::<f64>::zeros((k, d));
    let mut covs = Vec::with_capacity(k);
    let mut dev = vec![0.0; d];
    for c in 0..k {
        let nk: f64 = (0..n).map(|i| rs[i * k + c]).sum();
        if nk < 1e-10 {
            return Err(Error::Numerical {
                what: "Gaussian mixture",
                reason: format!("component {c} lost all its rows (try fewer components)"),
            });
        }
        let mut m = vec![0.0; d];
        for i in 0..n {
            let r = rs[i * k + c];
            for a in 0..d {
                m[a] += r * xs[i * d + a];
            }
        }
        m.iter_mut().for_each(|v| *v /= nk);
        let mut cov = vec![0.0; d * d];
        for i in 0..n {
            let r = rs[i * k + c];
            for a in 0..d {
                dev[a] = xs[i * d + a] - m[a];
            }
            for a in 0..d {
                match kind {
                    CovarianceKind::Diagonal => cov[a * d + a] += r * dev[a] * dev[a],
                    CovarianceKind::Full => {
                        for b in 0..=a {
                            cov[a * d + b] += r * dev[a] * dev[b];
                        }
                    }
                }
            }
        }
        let mut cm = Array2::<f64>::zeros((d, d));
        for a in 0..d {
            for b in 0..=a {
                cm[[a, b]] = cov[a * d + b] / nk;
                cm[[b, a]] = cm[[a, b]];
            }
            cm[[a, a]] += reg;
        }
        weights[c] = nk / n as f64;
        means.row_mut(c).assign(&Array1::from(m));
        covs.push(cm);
    }
    Ok(MixtureParams {
        weights,
        means,
        covariances: covs,
    })
}

impl RegimeLearner for GaussianMixture {
    type Model = GaussianMixtureModel;

    fn fit(&self, x: ArrayView2<'_, f64>) -> Result<GaussianMixtureModel> {
        let k = self.n_components;
        check_training(x, k, "Gaussian mixture")?;
        check_param(self.max_iter >= 1, "max_iter", self.max_iter, ">= 1")?;
        check_param(self.tol > 0.0, "tol", self.tol, "> 0")?;
        check_param(self.reg_covar >= 0.0, "reg_covar", self.reg_covar, ">= 0")?;
        check_param(self.n_init >= 1, "n_init", self.n_init, ">= 1")?;
        let mut rng = StdRng::seed_from_u64(self.seed);
        let mut best: Option<GaussianMixtureModel> = None;
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

impl GaussianMixture {
    /// One EM run from one k-means++ start drawn from `rng`.
    fn fit_once(&self, x: ArrayView2<'_, f64>, rng: &mut StdRng) -> Result<GaussianMixtureModel> {
        let k = self.n_components;
        let n = x.nrows();
        let centres = kmeans_plus_plus(x, k, rng);
        // Start from hard nearest-centre responsibilities.
        let mut resp = Array2::<f64>::zeros((n, k));
        for (i, row) in x.outer_iter().enumerate() {
            let mut best = (0, f64::INFINITY);
            for c in 0..k {
                let dd: f64 = row
                    .iter()
                    .zip(centres.row(c))
                    .map(|(a, b)| (a - b).powi(2))
                    .sum();
                if dd < best.1 {
                    best = (c, dd);
                }
            }
            resp[[i, best.0]] = 1.0;
        }
        let p = m_step(x, &resp, self.covariance, self.reg_covar)?;
        let mut model = GaussianMixtureModel {
            weights: p.weights,
            means: p.means,
            kind: self.covariance,
            covariances: p.covariances,
            log_likelihood: f64::NEG_INFINITY,
            iterations: 0,
            converged: false,
        };
        let mut prev = f64::NEG_INFINITY;
        for it in 1..=self.max_iter {
            let (log_r, total) = model.e_step(x)?;
            let ll = total / n as f64;
            model.log_likelihood = ll;
            model.iterations = it;
            if (ll - prev).abs() < self.tol {
                model.converged = true;
                break;
            }
            prev = ll;
            let resp = log_r.mapv(f64::exp);
            let p = m_step(x, &resp, self.covariance, self.reg_covar)?;
            model.weights = p.weights;
            model.means = p.means;
            model.covariances = p.covariances;
        }
        Ok(model)
    }
}

impl RegimeModel for GaussianMixtureModel {
    fn name(&self) -> &'static str {
        "gaussian_mixture"
    }

    fn n_regimes(&self) -> usize {
        self.weights.len()
    }

    fn n_features(&self) -> usize {
        self.means.ncols()
    }

    fn regime_probabilities(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check_features(x, Some(self.n_features()))?;
        Ok(self.e_step(x)?.0.mapv(f64::exp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_distr::{Distribution, StandardNormal};

    /// Draws from a 2-component bivariate mixture with known parameters.
    fn simulate(n: usize, seed: u64) -> Array2<f64> {
        let mut rng = StdRng::seed_from_u64(seed);
        let u = rand_distr::Uniform::new(0.0, 1.0).unwrap();
        let mut x = Array2::zeros((n, 2));
        for i in 0..n {
            let z1: f64 = StandardNormal.sample(&mut rng);
            let z2: f64 = StandardNormal.sample(&mut rng);
            if u.sample(&mut rng) < 0.3 {
                // mean (-2, 1), cov [[1, 0.6], [0.6, 1]] via Cholesky [[1,0],[0.6,0.8]].
                x[[i, 0]] = -2.0 + z1;
                x[[i, 1]] = 1.0 + 0.6 * z1 + 0.8 * z2;
            } else {
                // mean (2, 0), cov diag(0.25, 2.25).
                x[[i, 0]] = 2.0 + 0.5 * z1;
                x[[i, 1]] = 1.5 * z2;
            }
        }
        x
    }

    /// EM recovers the simulated parameters. Tolerances are about five standard errors at
    /// n = 4000: a mean's SE is σ/√(n w) ≤ 1.5/√1200 ≈ 0.043 (tolerance 0.2), a weight's
    /// √(w(1−w)/n) ≈ 0.007 (tolerance 0.035), a covariance entry's ≈ σ²√(2/(n w)) ≤ 0.09
    /// (tolerance 0.3 for the 2.25 variance, 0.15 for the unit ones).
    #[test]
    fn full_covariance_em_recovers_a_simulated_mixture_across_seeds() {
        for seed in [1u64, 2, 3] {
            let x = simulate(4000, seed);
            let m = GaussianMixture::new(2, CovarianceKind::Full, seed)
                .fit(x.view())
                .unwrap();
            assert!(m.converged, "seed {seed}");
            // Label switching: the component with the negative first mean is "A".
            let a = usize::from(m.means[[0, 0]] > m.means[[1, 0]]);
            let b = 1 - a;
            assert!(
                (m.weights[a] - 0.3).abs() < 0.035,
                "seed {seed}: {}",
                m.weights
            );
            assert!((m.means[[a, 0]] + 2.0).abs() < 0.2 && (m.means[[a, 1]] - 1.0).abs() < 0.2);
            assert!((m.means[[b, 0]] - 2.0).abs() < 0.2 && m.means[[b, 1]].abs() < 0.2);
            let ca = &m.covariances[a];
            assert!((ca[[0, 0]] - 1.0).abs() < 0.15 && (ca[[1, 1]] - 1.0).abs() < 0.15);
            assert!((ca[[0, 1]] - 0.6).abs() < 0.15, "seed {seed}: {ca}");
            let cb = &m.covariances[b];
            assert!((cb[[0, 0]] - 0.25).abs() < 0.05 && (cb[[1, 1]] - 2.25).abs() < 0.3);
            assert!(cb[[0, 1]].abs() < 0.15);
        }
    }

    /// A diagonal fit cannot represent the correlation, so its likelihood on the same data
    /// is lower than the full fit's; its covariance matrices are diagonal.
    #[test]
    fn diagonal_fit_is_diagonal_and_fits_worse_than_full() {
        let x = simulate(2000, 9);
        let full = GaussianMixture::new(2, CovarianceKind::Full, 9)
            .fit(x.view())
            .unwrap();
        let diag = GaussianMixture::new(2, CovarianceKind::Diagonal, 9)
            .fit(x.view())
            .unwrap();
        for c in &diag.covariances {
            assert_eq!(c[[0, 1]], 0.0);
        }
        assert!(diag.log_likelihood < full.log_likelihood);
    }

    /// One component is the maximum-likelihood Gaussian: sample mean and (biased) sample
    /// covariance, in closed form.
    #[test]
    fn one_component_is_the_sample_mean_and_covariance() {
        let x = ndarray::array![[1.0, 2.0], [3.0, 1.0], [2.0, 6.0], [6.0, 3.0]];
        let m = GaussianMixture {
            reg_covar: 0.0,
            ..GaussianMixture::new(1, CovarianceKind::Full, 0)
        }
        .fit(x.view())
        .unwrap();
        assert!((m.means[[0, 0]] - 3.0).abs() < 1e-12 && (m.means[[0, 1]] - 3.0).abs() < 1e-12);
        // Deviations (-2,-1),(0,-2),(-1,3),(3,0): var x = 14/4, var y = 14/4, cov = (2+0-3+0)/4.
        let c = &m.covariances[0];
        assert!((c[[0, 0]] - 3.5).abs() < 1e-12 && (c[[1, 1]] - 3.5).abs() < 1e-12);
        assert!((c[[0, 1]] + 0.25).abs() < 1e-12);
    }

    #[test]
    fn bad_input_is_reported() {
        let mut x = simulate(50, 1);
        x[[7, 1]] = f64::INFINITY;
        let err = GaussianMixture::new(2, CovarianceKind::Diagonal, 1)
            .fit(x.view())
            .unwrap_err();
        assert!(
            matches!(err, Error::NonFinite { row: 7, col: 1, .. }),
            "{err}"
        );
        let small = ndarray::array![[1.0], [2.0], [3.0]];
        assert!(matches!(
            GaussianMixture::new(2, CovarianceKind::Diagonal, 1).fit(small.view()),
            Err(Error::TooFewRows { .. })
        ));
    }
}
