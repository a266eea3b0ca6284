//! Unsupervised regime models: k-means (smartcore), Gaussian mixtures and Gaussian hidden
//! Markov models (written here), behind one pair of traits.

pub mod gmm;
pub mod hmm;
pub mod kmeans;

pub use gmm::{CovarianceKind, GaussianMixture, GaussianMixtureModel};
pub use hmm::{GaussianHmm, GaussianHmmModel, HmmFilter};
pub use kmeans::{KMeans, KMeansModel};

use std::fmt;

use ndarray::{Array2, ArrayView2};
use rand::RngExt;
use rand::rngs::StdRng;
use serde::{Serialize, de::DeserializeOwned};

use crate::error::{Error, Result};
use crate::model::argmax;

/// A configured, unfitted regime (clustering) algorithm.
///
/// # Design
/// The unsupervised twin of [`crate::Learner`]: it fits on features alone (rows in time
/// order for sequence models) and returns a concrete, serialisable model. Kept separate
/// because regimes have no labels to validate and no "beats a constant" notion.
pub trait RegimeLearner {
    /// The fitted model.
    type Model: RegimeModel + Serialize + DeserializeOwned + 'static;

    /// Fits the model; the same configuration (seed included) and data give the same model.
    ///
    /// # Errors
    /// [`Error::NonFinite`] (row, column), [`Error::TooFewRows`], [`Error::InvalidParameter`]
    /// or [`Error::Numerical`].
    fn fit(&self, x: ArrayView2<'_, f64>) -> Result<Self::Model>;
}

/// A fitted regime model that gives each row a probability per regime.
///
/// # Design
/// Object safe (a pipeline may hold `Box<dyn RegimeModel>`); hard assignments are derived
/// from the probabilities.
pub trait RegimeModel: fmt::Debug + Send + Sync {
    /// A short name for reports.
    fn name(&self) -> &'static str;

    /// Number of regimes (clusters, components, states).
    fn n_regimes(&self) -> usize;

    /// Number of feature columns.
    fn n_features(&self) -> usize;

    /// `n × n_regimes` regime probabilities for the rows of `x` (responsibilities for a
    /// mixture, smoothed state posteriors for an HMM, one-hot for k-means).
    ///
    /// # Errors
    /// [`Error::FeatureCount`] or [`Error::NonFinite`] for bad input.
    fn regime_probabilities(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>>;

    /// The most probable regime of each row.
    ///
    /// # Errors
    /// As [`RegimeModel::regime_probabilities`].
    fn assign(&self, x: ArrayView2<'_, f64>) -> Result<Vec<usize>> {
        Ok(self
            .regime_probabilities(x)?
            .outer_iter()
            .map(argmax)
            .collect())
    }
}

/// Checks a training matrix for a regime model with `k` regimes.
pub(crate) fn check_training(x: ArrayView2<'_, f64>, k: usize, what: &str) -> Result<()> {
    crate::error::check_param(k >= 1, "n_regimes", k, ">= 1")?;
    if x.ncols() == 0 || x.nrows() < 2 * k {
        return Err(Error::TooFewRows {
            what: format!("{what} with {k} regimes and {} columns", x.ncols()),
            rows: x.nrows(),
            needed: 2 * k,
        });
    }
    crate::model::check_features(x, None)
}

/// k-means++ seeding (Arthur & Vassilvitskii 2007, §2.2): the first centre uniformly at
/// random, each next one with probability proportional to the squared distance to the
/// nearest centre chosen so far. Returns `k × d` centres.
pub(crate) fn kmeans_plus_plus(x: ArrayView2<'_, f64>, k: usize, rng: &mut StdRng) -> Array2<f64> {
    let (n, d) = x.dim();
    let mut centres = Array2::<f64>::zeros((k, d));
    let first = rng.random_range(0..n);
    centres.row_mut(0).assign(&x.row(first));
    let mut dist = vec![f64::INFINITY; n];
    for c in 1..k {
        let prev = centres.row(c - 1).to_owned();
        let mut total = 0.0;
        for (i, row) in x.outer_iter().enumerate() {
            let dd: f64 = row.iter().zip(&prev).map(|(a, b)| (a - b).powi(2)).sum();
            dist[i] = dist[i].min(dd);
            total += dist[i];
        }
        let pick = if total > 0.0 {
            let mut u = rng.random::<f64>() * total;
            let mut pick = n - 1;
            for (i, &di) in dist.iter().enumerate() {
                if u < di {
                    pick = i;
                    break;
                }
                u -= di;
            }
            pick
        } else {
            rng.random_range(0..n)
        };
        centres.row_mut(c).assign(&x.row(pick));
    }
    centres
}

/// `log Σ exp(v)` without overflow.
pub(crate) fn log_sum_exp(v: &[f64]) -> f64 {
    let m = v.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + v.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_sum_exp_survives_large_and_small_values() {
        assert!((log_sum_exp(&[1000.0, 1000.0]) - (1000.0 + 2f64.ln())).abs() < 1e-12);
        assert!((log_sum_exp(&[-1000.0, -1000.0]) - (-1000.0 + 2f64.ln())).abs() < 1e-12);
        assert_eq!(log_sum_exp(&[f64::NEG_INFINITY]), f64::NEG_INFINITY);
    }
}
