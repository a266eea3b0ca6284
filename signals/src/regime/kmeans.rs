//! k-means clustering through smartcore 0.7 (Lloyd iterations over a BBD tree, k-means++
//! seeding from an explicit seed), behind [`RegimeLearner`].
//!
//! smartcore's ndarray bindings implement its matrix traits for *owned* `ndarray::Array2`
//! only, so the borrowed input is copied once per fit and per prediction.

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};
use smartcore::cluster::kmeans::{KMeans as ScKMeans, KMeansParameters};

use super::{RegimeLearner, RegimeModel, check_training};
use crate::error::{Error, Result, check_param};
use crate::model::check_features;

type Inner = ScKMeans<f64, u32, Array2<f64>, Array1<u32>>;

/// Configuration of a [`KMeansModel`] fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KMeans {
    /// Number of clusters (≥ 2, smartcore's lower limit).
    pub k: usize,
    /// Maximum Lloyd iterations (default 100).
    pub max_iter: usize,
    /// Seed of the k-means++ initialisation.
    pub seed: u64,
}

impl KMeans {
    /// `k` clusters, 100 iterations, the given seed.
    pub fn new(k: usize, seed: u64) -> Self {
        KMeans {
            k,
            max_iter: 100,
            seed,
        }
    }
}

/// A fitted k-means model (smartcore's, serialised with it).
#[derive(Debug, Serialize, Deserialize)]
pub struct KMeansModel {
    inner: Inner,
    k: usize,
    n_features: usize,
}

impl RegimeLearner for KMeans {
    type Model = KMeansModel;

    fn fit(&self, x: ArrayView2<'_, f64>) -> Result<KMeansModel> {
        check_param(self.k >= 2, "k", self.k, ">= 2")?;
        check_param(self.max_iter >= 1, "max_iter", self.max_iter, ">= 1")?;
        check_training(x, self.k, "k-means")?;
        let mut params = KMeansParameters::default()
            .with_k(self.k)
            .with_max_iter(self.max_iter);
        params.seed = Some(self.seed);
        let inner = Inner::fit(&x.to_owned(), params).map_err(|e| Error::Smartcore {
            model: "KMeans",
            reason: e.to_string(),
        })?;
        Ok(KMeansModel {
            inner,
            k: self.k,
            n_features: x.ncols(),
        })
    }
}

impl RegimeModel for KMeansModel {
    fn name(&self) -> &'static str {
        "kmeans"
    }

    fn n_regimes(&self) -> usize {
        self.k
    }

    fn n_features(&self) -> usize {
        self.n_features
    }

    /// One-hot: probability 1 for the nearest centroid.
    fn regime_probabilities(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check_features(x, Some(self.n_features))?;
        let labels = self
            .inner
            .predict(&x.to_owned())
            .map_err(|e| Error::Smartcore {
                model: "KMeans",
                reason: e.to_string(),
            })?;
        let mut p = Array2::zeros((x.nrows(), self.k));
        for (i, &c) in labels.iter().enumerate() {
            p[[i, c as usize]] = 1.0;
        }
        Ok(p)
    }
}
