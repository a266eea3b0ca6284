//! Random forests through smartcore 0.7 (Breiman 2001), behind the crate's [`Learner`].
//!
//! Classification: `n_trees` independently seeded single-tree smartcore forests (each one a
//! bootstrap sample with `max_features` candidate features per split, exactly one tree of
//! smartcore's `RandomForestClassifier`); class probabilities are the fraction of trees that
//! vote for each class (Breiman's majority vote, exposed as a distribution). smartcore's own
//! forest only returns the majority class, hence the one-tree-per-forest assembly.
//! Regression: smartcore's `RandomForestRegressor` (mean of the trees).
//!
//! Determinism: smartcore draws from `rand::rng()` when no seed is given; here every tree
//! gets an explicit seed drawn from a `StdRng` seeded by [`RandomForest::seed`].
//! smartcore's ndarray bindings take owned arrays, so inputs are copied once per call.
//! Sample weights are not supported (an error, not silently ignored).

use ndarray::{Array1, Array2, ArrayView2};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use smartcore::ensemble::random_forest_classifier::{
    RandomForestClassifier, RandomForestClassifierParameters,
};
use smartcore::ensemble::random_forest_regressor::{
    RandomForestRegressor, RandomForestRegressorParameters,
};

use crate::error::{Error, Result, check_param};
use crate::model::{Dataset, Learner, Model, Task, check_features};

type Tree = RandomForestClassifier<f64, u32, Array2<f64>, Array1<u32>>;
type Regressor = RandomForestRegressor<f64, f64, Array2<f64>, Array1<f64>>;

/// Configuration of a [`RandomForestModel`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RandomForest {
    /// Number of trees (default 100).
    pub n_trees: usize,
    /// Maximum tree depth (default `None`: grow until pure or `min_samples_split`).
    pub max_depth: Option<u16>,
    /// Minimum rows in a leaf (default 1).
    pub min_samples_leaf: usize,
    /// Minimum rows to split a node (default 2).
    pub min_samples_split: usize,
    /// Candidate features per split (default `None`: smartcore's `⌊√d⌋` for classification,
    /// `⌊d/3⌋` for regression).
    pub max_features: Option<usize>,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Default for RandomForest {
    fn default() -> Self {
        RandomForest {
            n_trees: 100,
            max_depth: None,
            min_samples_leaf: 1,
            min_samples_split: 2,
            max_features: None,
            seed: 0,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
enum Forest {
    Classifier { trees: Vec<Tree> },
    Regressor(Regressor),
}

/// A fitted random forest.
#[derive(Debug, Serialize, Deserialize)]
pub struct RandomForestModel {
    task: Task,
    n_features: usize,
    forest: Forest,
}

fn sc_err(model: &'static str) -> impl Fn(smartcore::error::Failed) -> Error {
    move |e| Error::Smartcore {
        model,
        reason: e.to_string(),
    }
}

impl Learner for RandomForest {
    type Model = RandomForestModel;

    fn fit(&self, data: &Dataset<'_>) -> Result<RandomForestModel> {
        check_param(self.n_trees >= 1, "n_trees", self.n_trees, ">= 1")?;
        check_param(
            self.min_samples_leaf >= 1,
            "min_samples_leaf",
            self.min_samples_leaf,
            ">= 1",
        )?;
        check_param(
            self.min_samples_split >= 2,
            "min_samples_split",
            self.min_samples_split,
            ">= 2",
        )?;
        if let Some(m) = self.max_features {
            check_param(
                m >= 1 && m <= data.n_features(),
                "max_features",
                m,
                "1 <= max_features <= number of features",
            )?;
        }
        if data.weights().is_some() {
            return Err(Error::Unsupported {
                model: "random_forest",
                what: "sample weights".into(),
            });
        }
        let x = data.features().to_owned();
        let task = data.task();
        let forest = if task.is_classification() {
            let y: Array1<u32> = data.labels().mapv(|v| v as u32);
            let mut rng = StdRng::seed_from_u64(self.seed);
            let mut trees = Vec::with_capacity(self.n_trees);
            for _ in 0..self.n_trees {
                let params = RandomForestClassifierParameters {
                    max_depth: self.max_depth,
                    min_samples_leaf: self.min_samples_leaf,
                    min_samples_split: self.min_samples_split,
                    n_trees: 1,
                    m: self.max_features,
                    keep_samples: false,
                    seed: rng.next_u64(),
                    ..RandomForestClassifierParameters::default()
                };
                trees.push(Tree::fit(&x, &y, params).map_err(sc_err("RandomForestClassifier"))?);
            }
            Forest::Classifier { trees }
        } else {
            let y = data.labels().to_owned();
            let params = RandomForestRegressorParameters {
                max_depth: self.max_depth,
                min_samples_leaf: self.min_samples_leaf,
                min_samples_split: self.min_samples_split,
                n_trees: self.n_trees,
                m: self.max_features,
                keep_samples: false,
                seed: self.seed,
            };
            Forest::Regressor(
                Regressor::fit(&x, &y, params).map_err(sc_err("RandomForestRegressor"))?,
            )
        };
        Ok(RandomForestModel {
            task,
            n_features: data.n_features(),
            forest,
        })
    }
}

impl Model for RandomForestModel {
    fn name(&self) -> &'static str {
        "random_forest"
    }

    fn task(&self) -> Task {
        self.task
    }

    fn n_features(&self) -> usize {
        self.n_features
    }

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check_features(x, Some(self.n_features))?;
        let owned = x.to_owned();
        match &self.forest {
            Forest::Classifier { trees } => {
                let k = self.task.n_outputs();
                let mut p = Array2::<f64>::zeros((x.nrows(), k));
                let share = 1.0 / trees.len() as f64;
                for tree in trees {
                    let votes = tree
                        .predict(&owned)
                        .map_err(sc_err("RandomForestClassifier"))?;
                    for (i, &c) in votes.iter().enumerate() {
                        p[[i, c as usize]] += share;
                    }
                }
                // Exact sums: renormalise away the rounding of repeated 1/n additions.
                for mut row in p.outer_iter_mut() {
                    let s = row.sum();
                    row.mapv_inplace(|v| v / s);
                }
                Ok(p)
            }
            Forest::Regressor(f) => {
                let y = f.predict(&owned).map_err(sc_err("RandomForestRegressor"))?;
                Ok(y.insert_axis(ndarray::Axis(1)))
            }
        }
    }
}
