//! Histogram gradient-boosted decision trees (binary log-loss and squared loss).
//!
//! The algorithm is LightGBM's (Ke et al. 2017, "LightGBM: A Highly Efficient Gradient
//! Boosting Decision Tree", NeurIPS), written here from the papers:
//!
//! - **Binning.** Each feature is cut at its empirical quantiles into at most 255 bins
//!   ([`GbdtParams::max_bins`]) from up to [`GbdtParams::bin_sample_rows`] evenly spaced rows;
//!   the training matrix is stored as `u8` bins, feature-major.
//! - **Second-order boosting** (Friedman 2001; Chen & Guestrin 2016, eqs. (6)–(7)): every
//!   round computes the gradient `g` and Hessian `h` of the loss at the current scores; a split
//!   of a leaf with sums `(G, H)` into `(G_L, H_L)`, `(G_R, H_R)` has gain
//!   `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)` and a leaf's value is the Newton step
//!   `−G/(H+λ)` times the learning rate.
//! - **Leaf-wise (best-first) growth** up to [`GbdtParams::max_leaves`] leaves: the leaf whose
//!   best split has the largest gain is split next (Shi 2007; LightGBM's default).
//! - **Histogram subtraction**: only the smaller child's histogram is built from its rows; the
//!   larger child's is the parent's minus the smaller's.
//! - **Threads**: histograms and binning run one task per feature on a local rayon pool of
//!   [`GbdtParams::threads`] threads. Every sum runs in a fixed order on one thread, so a fit
//!   is bit-identical for any thread count; randomness (row and feature subsampling) comes
//!   from one generator seeded by [`GbdtParams::seed`].
//!
//! Losses: binary log-loss on labels 0/1 with `p = σ(score)`, `g = p − y`, `h = p(1 − p)`,
//! started from the log-odds of the (weighted) base rate; squared loss `½(score − y)²` with
//! `g = score − y`, `h = 1`, started from the (weighted) mean. Sample weights multiply `g` and
//! `h`.
//!
//! # Defaults and LightGBM
//!
//! The defaults equal LightGBM 4.x's defaults under these names:
//!
//! | ours | LightGBM | default |
//! | --- | --- | --- |
//! | `rounds` | `num_iterations` | 100 |
//! | `learning_rate` | `learning_rate` | 0.1 |
//! | `max_leaves` | `num_leaves` | 31 |
//! | `max_depth` (`None`) | `max_depth` (−1) | no limit |
//! | `max_bins` | `max_bin` | 255 |
//! | `bin_sample_rows` | `bin_construct_sample_cnt` | 200 000 |
//! | `min_data_in_leaf` | `min_data_in_leaf` | 20 |
//! | `min_sum_hessian_in_leaf` | `min_sum_hessian_in_leaf` | 1e−3 |
//! | `lambda_l2` | `lambda_l2` | 0 |
//! | `min_gain_to_split` | `min_gain_to_split` | 0 |
//! | `feature_fraction` | `feature_fraction` (per tree) | 1 |
//! | `row_fraction` | `bagging_fraction` with `bagging_freq = 1` | 1 |
//! | `early_stopping_rounds` | `early_stopping_round` | off |
//! | `threads` (0 = all cores) | `num_threads` (0 = OpenMP default) | 0 |
//!
//! Differences: LightGBM's binning also merges bins to keep `min_data_in_bin = 3` rows and
//! treats zero and missing values specially (we reject NaN); it estimates leaf counts from
//! Hessians where we count rows exactly; bagging here draws exactly `round(fraction · n)` rows
//! every round.
//!
//! # Example
//!
//! ```
//! use ndarray::Array2;
//! use shortfall_signals::gbdt::{Gbdt, GbdtParams, Importance};
//!
//! // y = 1 when x0 > 0.5; x1 is an unrelated feature.
//! let n = 400;
//! let x = Array2::from_shape_fn((n, 2), |(i, j)| ((i * (1 + 6 * j)) % n) as f64 / n as f64);
//! let y: Vec<f64> = (0..n).map(|i| f64::from(u8::from(x[[i, 0]] > 0.5))).collect();
//! let params = GbdtParams { rounds: 20, threads: 1, ..GbdtParams::default() };
//! let model = Gbdt::new(params)?.fit(x.view(), &y, None)?;
//! let p = model.predict_proba(x.view())?;
//! assert!(p[0] < 0.1 && p[n - 1] > 0.9); // x0 = 0 and x0 = 0.9975
//! let gain = model.feature_importance(Importance::Gain);
//! assert!(gain[0] > gain[1]);
//! # Ok::<(), shortfall_signals::gbdt::GbdtError>(())
//! ```

mod bins;
mod error;
mod hist;
mod tree;

use ndarray::ArrayView2;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use error::{GbdtError, Result};

use bins::BinnedMatrix;
use hist::{GradPair, SplitRules};
use tree::{GrowRules, Grower, Tree};

/// The loss a model minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Binary log-loss on labels 0/1 (LightGBM `binary`); scores are log-odds.
    #[default]
    LogLoss,
    /// Squared error (LightGBM `regression`/`l2`).
    SquaredError,
}

/// Feature importance measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Importance {
    /// Total split gain of the feature over all trees.
    Gain,
    /// Number of splits on the feature over all trees.
    SplitCount,
}

/// Parameters of a [`Gbdt`] fit. The defaults equal LightGBM's (see the [module
/// docs](self)); validated by [`Gbdt::new`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GbdtParams {
    /// Loss to minimise. Default log-loss.
    pub objective: Objective,
    /// Boosting rounds (trees), at least 1. Default 100.
    pub rounds: usize,
    /// Shrinkage applied to every leaf value, in (0, ∞). Default 0.1.
    pub learning_rate: f64,
    /// Maximum leaves per tree, 2 … 65 536. Default 31.
    pub max_leaves: usize,
    /// Maximum depth of a leaf (root = 0), at least 1; `None` for no limit. Default `None`.
    pub max_depth: Option<usize>,
    /// Maximum bins per feature, 2 … 255. Default 255.
    pub max_bins: usize,
    /// Rows sampled (evenly spaced) to find the bin edges, at least 1. Default 200 000.
    pub bin_sample_rows: usize,
    /// Minimum rows in a leaf, at least 1. Default 20.
    pub min_data_in_leaf: usize,
    /// Minimum sum of Hessians in a leaf, ≥ 0. Default 1e-3.
    pub min_sum_hessian_in_leaf: f64,
    /// L2 regularisation λ of leaf values, ≥ 0. Default 0.
    pub lambda_l2: f64,
    /// Minimum gain for a split, ≥ 0 (a split needs gain strictly above it). Default 0.
    pub min_gain_to_split: f64,
    /// Fraction of features drawn (without replacement) for each tree, in (0, 1]. Default 1.
    pub feature_fraction: f64,
    /// Fraction of rows drawn (without replacement) for each tree, in (0, 1]. Default 1.
    pub row_fraction: f64,
    /// Stop when the validation loss has not improved for this many rounds and keep the
    /// trees up to the best round; `None` trains all rounds. Default `None`.
    pub early_stopping_rounds: Option<usize>,
    /// With early stopping and [`Gbdt::fit`]: the fraction of rows, taken from the *end*
    /// (the most recent rows of a time-ordered set), held out as the validation fold, in
    /// (0, 1). Default 0.2.
    pub validation_fraction: f64,
    /// Worker threads of the fit's local pool; 0 for rayon's default (all cores). Default 0.
    pub threads: usize,
    /// Seed of row and feature subsampling. Default 0.
    pub seed: u64,
}

impl Default for GbdtParams {
    fn default() -> Self {
        Self {
            objective: Objective::LogLoss,
            rounds: 100,
            learning_rate: 0.1,
            max_leaves: 31,
            max_depth: None,
            max_bins: 255,
            bin_sample_rows: 200_000,
            min_data_in_leaf: 20,
            min_sum_hessian_in_leaf: 1e-3,
            lambda_l2: 0.0,
            min_gain_to_split: 0.0,
            feature_fraction: 1.0,
            row_fraction: 1.0,
            early_stopping_rounds: None,
            validation_fraction: 0.2,
            threads: 0,
            seed: 0,
        }
    }
}

impl GbdtParams {
    /// Checks every parameter against its documented range.
    ///
    /// # Errors
    /// [`GbdtError::InvalidParameter`] naming the first parameter out of range.
    pub fn validate(&self) -> Result<()> {
        fn bad(
            name: &'static str,
            value: impl std::fmt::Display,
            allowed: &'static str,
        ) -> Result<()> {
            Err(GbdtError::InvalidParameter {
                name,
                value: value.to_string(),
                allowed,
            })
        }
        let p = self;
        if p.rounds == 0 {
            return bad("rounds", p.rounds, ">= 1");
        }
        if !(p.learning_rate.is_finite() && p.learning_rate > 0.0) {
            return bad("learning_rate", p.learning_rate, "finite and > 0");
        }
        if !(2..=65_536).contains(&p.max_leaves) {
            return bad("max_leaves", p.max_leaves, "2 ..= 65536");
        }
        if p.max_depth == Some(0) {
            return bad("max_depth", 0, ">= 1 or None");
        }
        if !(2..=255).contains(&p.max_bins) {
            return bad("max_bins", p.max_bins, "2 ..= 255");
        }
        if p.bin_sample_rows == 0 {
            return bad("bin_sample_rows", 0, ">= 1");
        }
        if p.min_data_in_leaf == 0 {
            return bad("min_data_in_leaf", 0, ">= 1");
        }
        for (name, v) in [
            ("min_sum_hessian_in_leaf", p.min_sum_hessian_in_leaf),
            ("lambda_l2", p.lambda_l2),
            ("min_gain_to_split", p.min_gain_to_split),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return bad(name, v, "finite and >= 0");
            }
        }
        for (name, v) in [
            ("feature_fraction", p.feature_fraction),
            ("row_fraction", p.row_fraction),
        ] {
            if !(v > 0.0 && v <= 1.0) {
                return bad(name, v, "0 < value <= 1");
            }
        }
        if p.early_stopping_rounds == Some(0) {
            return bad("early_stopping_rounds", 0, ">= 1 or None");
        }
        if !(p.validation_fraction > 0.0 && p.validation_fraction < 1.0) {
            return bad(
                "validation_fraction",
                p.validation_fraction,
                "0 < value < 1",
            );
        }
        Ok(())
    }
}

/// A histogram gradient-boosting learner: validated [`GbdtParams`].
#[derive(Debug, Clone, PartialEq)]
pub struct Gbdt {
    params: GbdtParams,
}

/// A borrowed labelled set: features (rows × features), labels, optional weights.
#[derive(Debug, Clone, Copy)]
struct Labelled<'a> {
    x: ArrayView2<'a, f64>,
    y: &'a [f64],
    weights: Option<&'a [f64]>,
}

impl Gbdt {
    /// A learner with these parameters.
    ///
    /// # Errors
    /// [`GbdtError::InvalidParameter`] when a parameter is out of range.
    pub fn new(params: GbdtParams) -> Result<Self> {
        params.validate()?;
        Ok(Self { params })
    }

    /// The parameters.
    pub fn params(&self) -> &GbdtParams {
        &self.params
    }

    /// Fits on `x` (rows × features), labels `y` (0/1 for log-loss) and optional non-negative
    /// sample `weights`. With [`GbdtParams::early_stopping_rounds`] set, the last
    /// [`GbdtParams::validation_fraction`] of the rows are held out as the validation fold.
    ///
    /// # Errors
    /// A non-finite feature or label, a label other than 0/1 for log-loss, a single class,
    /// lengths that differ from the row count, bad weights, no rows or features, a validation
    /// fold or training part with no rows, or a thread pool that cannot start.
    pub fn fit(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[f64],
        weights: Option<&[f64]>,
    ) -> Result<GbdtModel> {
        check_lengths(x, y, weights, "training labels")?;
        let Some(_) = self.params.early_stopping_rounds else {
            return self.fit_inner(Labelled { x, y, weights }, None);
        };
        let n = x.nrows();
        let n_valid = (n as f64 * self.params.validation_fraction).round() as usize;
        if n_valid == 0 || n_valid >= n {
            return Err(GbdtError::TooFew {
                unit: "rows",
                what: "a training part and a validation fold of validation_fraction",
                got: n,
                needed: (2.0
                    / self
                        .params
                        .validation_fraction
                        .min(1.0 - self.params.validation_fraction))
                .ceil() as usize,
            });
        }
        let cut = n - n_valid;
        let train = Labelled {
            x: x.slice(ndarray::s![..cut, ..]),
            y: &y[..cut],
            weights: weights.map(|w| &w[..cut]),
        };
        let valid = Labelled {
            x: x.slice(ndarray::s![cut.., ..]),
            y: &y[cut..],
            weights: None,
        };
        self.fit_inner(train, Some(valid))
    }

    /// Fits on a training set and, when [`GbdtParams::early_stopping_rounds`] is set, stops
    /// early on the given validation set (otherwise the validation loss is only recorded).
    ///
    /// # Errors
    /// As [`Gbdt::fit`], for both sets; the validation set must have the training set's
    /// feature count.
    pub fn fit_with_validation(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[f64],
        weights: Option<&[f64]>,
        x_valid: ArrayView2<'_, f64>,
        y_valid: &[f64],
    ) -> Result<GbdtModel> {
        check_lengths(x, y, weights, "training labels")?;
        check_lengths(x_valid, y_valid, None, "validation labels")?;
        self.fit_inner(
            Labelled { x, y, weights },
            Some(Labelled {
                x: x_valid,
                y: y_valid,
                weights: None,
            }),
        )
    }

    fn fit_inner(&self, train: Labelled<'_>, valid: Option<Labelled<'_>>) -> Result<GbdtModel> {
        let p = &self.params;
        let (n_rows, n_features) = train.x.dim();
        if n_rows == 0 {
            return Err(GbdtError::TooFew {
                unit: "rows",
                what: "a fit",
                got: 0,
                needed: 1,
            });
        }
        if n_features == 0 || n_features > u32::MAX as usize {
            return Err(GbdtError::TooFew {
                unit: "features",
                what: "a fit",
                got: n_features,
                needed: 1,
            });
        }
        bins::check_finite(train.x, "training features")?;
        check_labels(p.objective, train.y, "training labels")?;
        if let Some(w) = train.weights {
            check_weights(w)?;
        }
        if let Some(v) = &valid {
            if v.x.ncols() != n_features {
                return Err(GbdtError::FeatureCountMismatch {
                    what: "validation features",
                    got: v.x.ncols(),
                    expected: n_features,
                });
            }
            if v.x.nrows() == 0 {
                return Err(GbdtError::TooFew {
                    unit: "rows",
                    what: "the validation fold",
                    got: 0,
                    needed: 1,
                });
            }
            bins::check_finite(v.x, "validation features")?;
            check_labels(p.objective, v.y, "validation labels")?;
        }
        if p.objective == Objective::LogLoss {
            let ones = train.y.iter().filter(|&&v| v == 1.0).count();
            if ones == 0 || ones == n_rows {
                return Err(GbdtError::SingleClass {
                    rows: n_rows,
                    class: u8::from(ones > 0),
                });
            }
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(p.threads)
            .build()
            .map_err(|e| GbdtError::ThreadPool {
                threads: p.threads,
                reason: e.to_string(),
            })?;
        pool.install(|| self.boost(train, valid))
    }

    /// The boosting loop, on the fit's pool.
    fn boost(&self, train: Labelled<'_>, valid: Option<Labelled<'_>>) -> Result<GbdtModel> {
        let p = &self.params;
        let (n_rows, n_features) = train.x.dim();
        let (mappers, data): (_, BinnedMatrix) =
            bins::bin_features(train.x, p.max_bins, p.bin_sample_rows);
        let init_score = initial_score(p.objective, train.y, train.weights);
        let rules = GrowRules {
            max_leaves: p.max_leaves,
            max_depth: p.max_depth,
            learning_rate: p.learning_rate,
            split: SplitRules {
                min_data_in_leaf: p.min_data_in_leaf as u64,
                min_sum_hessian: p.min_sum_hessian_in_leaf,
                lambda_l2: p.lambda_l2,
                min_gain_to_split: p.min_gain_to_split,
            },
        };
        let mut grower = Grower::new(&data, &mappers, rules);
        let mut rng = StdRng::seed_from_u64(p.seed);
        let mut scores = vec![init_score; n_rows];
        let mut grads = vec![GradPair::default(); n_rows];
        let mut valid_scores = valid.map(|v| vec![init_score; v.x.nrows()]);
        let mut trees: Vec<Tree> = Vec::with_capacity(p.rounds);
        let mut history = Vec::new();
        let mut best: Option<(usize, f64)> = None;
        let n_sub_features =
            ((p.feature_fraction * n_features as f64).round() as usize).clamp(1, n_features);
        let n_sub_rows = ((p.row_fraction * n_rows as f64).round() as usize).clamp(1, n_rows);
        let mut active = vec![true; n_features];
        let mut bag: Vec<u32> = Vec::new();

        for round in 0..p.rounds {
            compute_gradients(p.objective, &scores, train.y, train.weights, &mut grads);
            if n_sub_features < n_features {
                sample_features(&mut rng, n_sub_features, &mut active);
            }
            let bag_ref = if n_sub_rows < n_rows {
                sample_rows(&mut rng, n_rows, n_sub_rows, &mut bag);
                Some(bag.as_slice())
            } else {
                None
            };
            let tree = grower.grow(&grads, bag_ref, &active, &mut scores);
            if let (Some(v), Some(vs)) = (&valid, &mut valid_scores) {
                vs.par_iter_mut()
                    .enumerate()
                    .for_each(|(i, s)| *s += tree.predict(v.x.row(i)));
                let loss = mean_loss(p.objective, vs, v.y);
                history.push(loss);
                if best.is_none_or(|(_, b)| loss < b) {
                    best = Some((round, loss));
                }
            }
            trees.push(tree);
            if let (Some(stop), Some((best_round, _))) = (p.early_stopping_rounds, best)
                && round >= best_round + stop
            {
                break;
            }
        }
        let best_iteration = match (p.early_stopping_rounds, best) {
            (Some(_), Some((r, _))) => {
                trees.truncate(r + 1);
                Some(r + 1)
            }
            _ => None,
        };
        Ok(GbdtModel {
            objective: p.objective,
            n_features,
            init_score,
            trees,
            best_iteration,
            validation_loss: history,
        })
    }
}

/// A fitted boosted ensemble. Serialises with serde; the trees carry their raw-value
/// thresholds, so a deserialised model predicts without the training data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GbdtModel {
    objective: Objective,
    n_features: usize,
    init_score: f64,
    trees: Vec<Tree>,
    best_iteration: Option<usize>,
    validation_loss: Vec<f64>,
}

impl GbdtModel {
    /// The loss the model was fitted with.
    pub fn objective(&self) -> Objective {
        self.objective
    }

    /// Number of features the model expects.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of trees kept (after early stopping, the best round's count).
    pub fn n_trees(&self) -> usize {
        self.trees.len()
    }

    /// The starting score every prediction adds the trees to (log-odds of the base rate, or
    /// the mean label).
    pub fn init_score(&self) -> f64 {
        self.init_score
    }

    /// With early stopping: the number of rounds up to and including the best validation loss.
    pub fn best_iteration(&self) -> Option<usize> {
        self.best_iteration
    }

    /// Validation loss after each round trained (mean log-loss or mean squared error); empty
    /// without a validation set.
    pub fn validation_loss(&self) -> &[f64] {
        &self.validation_loss
    }

    /// Raw scores: log-odds for log-loss, predicted values for squared loss.
    ///
    /// # Errors
    /// [`GbdtError::FeatureCountMismatch`] or [`GbdtError::NonFiniteFeature`].
    pub fn predict_raw(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        if x.ncols() != self.n_features {
            return Err(GbdtError::FeatureCountMismatch {
                what: "features",
                got: x.ncols(),
                expected: self.n_features,
            });
        }
        bins::check_finite(x, "features")?;
        Ok(x.outer_iter()
            .map(|row| self.init_score + self.trees.iter().map(|t| t.predict(row)).sum::<f64>())
            .collect())
    }

    /// P(y = 1) for each row of a log-loss model.
    ///
    /// # Errors
    /// [`GbdtError::NotAClassifier`] for a squared-loss model, otherwise as
    /// [`GbdtModel::predict_raw`].
    pub fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        if self.objective != Objective::LogLoss {
            return Err(GbdtError::NotAClassifier);
        }
        Ok(self.predict_raw(x)?.into_iter().map(sigmoid).collect())
    }

    /// Predicted class (0 or 1, at P(y = 1) > 0.5) for log-loss, predicted value for squared
    /// loss.
    ///
    /// # Errors
    /// As [`GbdtModel::predict_raw`].
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        let raw = self.predict_raw(x)?;
        Ok(match self.objective {
            Objective::LogLoss => raw
                .into_iter()
                .map(|s| f64::from(u8::from(s > 0.0)))
                .collect(),
            Objective::SquaredError => raw,
        })
    }

    /// Per-feature importance: total split gain or number of splits over all kept trees.
    pub fn feature_importance(&self, kind: Importance) -> Vec<f64> {
        let mut out = vec![0.0; self.n_features];
        for t in &self.trees {
            for (&f, &g) in t.feature.iter().zip(&t.gain) {
                out[f as usize] += match kind {
                    Importance::Gain => g,
                    Importance::SplitCount => 1.0,
                };
            }
        }
        out
    }
}

fn sigmoid(s: f64) -> f64 {
    1.0 / (1.0 + (-s).exp())
}

fn check_lengths(
    x: ArrayView2<'_, f64>,
    y: &[f64],
    w: Option<&[f64]>,
    what: &'static str,
) -> Result<()> {
    if y.len() != x.nrows() {
        return Err(GbdtError::LengthMismatch {
            what,
            got: y.len(),
            expected: x.nrows(),
        });
    }
    if let Some(w) = w
        && w.len() != x.nrows()
    {
        return Err(GbdtError::LengthMismatch {
            what: "sample weights",
            got: w.len(),
            expected: x.nrows(),
        });
    }
    Ok(())
}

fn check_labels(objective: Objective, y: &[f64], what: &'static str) -> Result<()> {
    for (row, &value) in y.iter().enumerate() {
        if !value.is_finite() {
            return Err(GbdtError::NonFiniteLabel { what, row, value });
        }
        if objective == Objective::LogLoss && value != 0.0 && value != 1.0 {
            return Err(GbdtError::InvalidLabel { what, row, value });
        }
    }
    Ok(())
}

fn check_weights(w: &[f64]) -> Result<()> {
    for (row, &value) in w.iter().enumerate() {
        if !(value.is_finite() && value >= 0.0) {
            return Err(GbdtError::InvalidWeight { row, value });
        }
    }
    if w.iter().all(|&v| v == 0.0) {
        return Err(GbdtError::InvalidWeight {
            row: w.len() - 1,
            value: 0.0,
        });
    }
    Ok(())
}

/// The constant score minimising the (weighted) loss: log-odds of the base rate or the mean.
fn initial_score(objective: Objective, y: &[f64], w: Option<&[f64]>) -> f64 {
    let (sw, swy) = match w {
        Some(w) => w
            .iter()
            .zip(y)
            .fold((0.0, 0.0), |(a, b), (&wi, &yi)| (a + wi, b + wi * yi)),
        None => (y.len() as f64, y.iter().sum::<f64>()),
    };
    let mean = swy / sw;
    match objective {
        Objective::LogLoss => {
            // Both classes have positive weight or the fit was refused; clamp guards weights
            // that zero out one class.
            let p = mean.clamp(1e-15, 1.0 - 1e-15);
            (p / (1.0 - p)).ln()
        }
        Objective::SquaredError => mean,
    }
}

/// Rows per rayon task for element-wise passes.
const CHUNK: usize = 8192;

fn compute_gradients(
    objective: Objective,
    scores: &[f64],
    y: &[f64],
    w: Option<&[f64]>,
    grads: &mut [GradPair],
) {
    grads
        .par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(c, out)| {
            let base = c * CHUNK;
            for (k, gp) in out.iter_mut().enumerate() {
                let i = base + k;
                let (g, h) = match objective {
                    Objective::LogLoss => {
                        let p = sigmoid(scores[i]);
                        (p - y[i], p * (1.0 - p))
                    }
                    Objective::SquaredError => (scores[i] - y[i], 1.0),
                };
                let wi = w.map_or(1.0, |w| w[i]);
                *gp = GradPair {
                    g: (g * wi) as f32,
                    h: (h * wi) as f32,
                };
            }
        });
}

fn mean_loss(objective: Objective, scores: &[f64], y: &[f64]) -> f64 {
    let total: f64 = scores
        .iter()
        .zip(y)
        .map(|(&s, &yi)| match objective {
            // log(1 + e^s) − y·s, written to avoid overflow.
            Objective::LogLoss => s.max(0.0) + (-s.abs()).exp().ln_1p() - yi * s,
            Objective::SquaredError => (s - yi) * (s - yi),
        })
        .sum();
    total / scores.len() as f64
}

/// Marks `k` features drawn uniformly without replacement (partial Fisher–Yates).
fn sample_features(rng: &mut StdRng, k: usize, active: &mut [bool]) {
    let mut order: Vec<usize> = (0..active.len()).collect();
    for i in 0..k {
        let j = rng.random_range(i..order.len());
        order.swap(i, j);
    }
    active.fill(false);
    for &f in &order[..k] {
        active[f] = true;
    }
}

/// Draws exactly `k` of `0..n` uniformly without replacement, in increasing order (Knuth's
/// selection sampling, TAOCP vol. 2, § 3.4.2, Algorithm S).
fn sample_rows(rng: &mut StdRng, n: usize, k: usize, out: &mut Vec<u32>) {
    out.clear();
    let mut needed = k;
    for r in 0..n {
        if needed == 0 {
            break;
        }
        let left = n - r;
        if rng.random_range(0..left) < needed {
            out.push(r as u32);
            needed -= 1;
        }
    }
}
