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
//! The [`Task`] of the training [`Dataset`] picks the loss ([`Objective`]): binary log-loss
//! for [`Task::Binary`], squared loss for [`Task::Regression`]; multiclass is refused.
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
//! use ndarray::{Array1, Array2};
//! use shortfall_signals::gbdt::{Gbdt, GbdtParams, Importance};
//! use shortfall_signals::{Dataset, Learner, Model, Task};
//!
//! // y = 1 when x0 > 0.5; x1 is an unrelated feature.
//! let n = 400;
//! let x = Array2::from_shape_fn((n, 2), |(i, j)| ((i * (1 + 6 * j)) % n) as f64 / n as f64);
//! let y = Array1::from_shape_fn(n, |i| f64::from(u8::from(x[[i, 0]] > 0.5)));
//! let data = Dataset::new(x.view(), y.view(), Task::Binary)?;
//! let params = GbdtParams { rounds: 20, threads: 1, ..GbdtParams::default() };
//! let model = Gbdt::new(params)?.fit(&data)?;
//! let p = model.predict(x.view())?; // n × 2: [P(0), P(1)]
//! assert!(p[[0, 1]] < 0.1 && p[[n - 1, 1]] > 0.9); // x0 = 0 and x0 = 0.9975
//! let gain = model.importance(Importance::Gain);
//! assert!(gain[0] > gain[1]);
//! # Ok::<(), shortfall_signals::Error>(())
//! ```

mod bins;
mod hist;
mod tree;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, s};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_param};
use crate::model::{Dataset, Learner, Model, Task, check_features};

use bins::BinnedMatrix;
use hist::{GradPair, SplitRules};
use tree::{GrowRules, Grower, Tree};

/// The loss a model minimises, chosen by the [`Task`] of the training set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Binary log-loss on labels 0/1 (LightGBM `binary`) for [`Task::Binary`]; scores are
    /// log-odds.
    LogLoss,
    /// Squared error (LightGBM `regression`/`l2`) for [`Task::Regression`].
    SquaredError,
}

impl Objective {
    fn for_task(task: Task) -> Result<Self> {
        match task {
            Task::Binary => Ok(Objective::LogLoss),
            Task::Regression => Ok(Objective::SquaredError),
            Task::Multiclass { n_classes } => Err(Error::Unsupported {
                model: MODEL_NAME,
                what: format!("{n_classes}-class classification (binary and regression only)"),
            }),
        }
    }
}

/// Feature importance measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Importance {
    /// Total split gain of the feature over all trees.
    Gain,
    /// Number of splits on the feature over all trees.
    SplitCount,
}

const MODEL_NAME: &str = "gbdt";

/// Parameters of a [`Gbdt`] fit. The defaults equal LightGBM's (see the [module
/// docs](self)); checked by [`Gbdt::new`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GbdtParams {
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
    /// With early stopping and [`Learner::fit`]: the fraction of rows, taken from the *end*
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
    /// [`Error::InvalidParameter`] naming the first parameter out of range.
    pub fn validate(&self) -> Result<()> {
        let p = self;
        check_param(p.rounds >= 1, "rounds", p.rounds, ">= 1")?;
        check_param(
            p.learning_rate.is_finite() && p.learning_rate > 0.0,
            "learning_rate",
            p.learning_rate,
            "finite and > 0",
        )?;
        check_param(
            (2..=65_536).contains(&p.max_leaves),
            "max_leaves",
            p.max_leaves,
            "2 ..= 65536",
        )?;
        check_param(p.max_depth != Some(0), "max_depth", 0, ">= 1 or None")?;
        check_param(
            (2..=255).contains(&p.max_bins),
            "max_bins",
            p.max_bins,
            "2 ..= 255",
        )?;
        check_param(p.bin_sample_rows >= 1, "bin_sample_rows", 0, ">= 1")?;
        check_param(p.min_data_in_leaf >= 1, "min_data_in_leaf", 0, ">= 1")?;
        for (name, v) in [
            ("min_sum_hessian_in_leaf", p.min_sum_hessian_in_leaf),
            ("lambda_l2", p.lambda_l2),
            ("min_gain_to_split", p.min_gain_to_split),
        ] {
            check_param(v.is_finite() && v >= 0.0, name, v, "finite and >= 0")?;
        }
        for (name, v) in [
            ("feature_fraction", p.feature_fraction),
            ("row_fraction", p.row_fraction),
        ] {
            check_param(v > 0.0 && v <= 1.0, name, v, "0 < value <= 1")?;
        }
        check_param(
            p.early_stopping_rounds != Some(0),
            "early_stopping_rounds",
            0,
            ">= 1 or None",
        )?;
        check_param(
            p.validation_fraction > 0.0 && p.validation_fraction < 1.0,
            "validation_fraction",
            p.validation_fraction,
            "0 < value < 1",
        )
    }
}

/// A histogram gradient-boosting learner: checked [`GbdtParams`]. Fits binary
/// classification (log-loss) and regression (squared loss) datasets through [`Learner`].
#[derive(Debug, Clone, PartialEq)]
pub struct Gbdt {
    params: GbdtParams,
}

impl Learner for Gbdt {
    type Model = GbdtModel;

    /// Fits on the dataset (with its sample weights). With
    /// [`GbdtParams::early_stopping_rounds`] set, the last
    /// [`GbdtParams::validation_fraction`] of the rows are held out as the validation fold
    /// (unweighted).
    ///
    /// # Errors
    /// [`Error::Unsupported`] for a multiclass task; [`Error::TooFewRows`] when early
    /// stopping leaves no rows on one side of the cut; the errors of [`Dataset::new`] for a
    /// validation fold that holds a single class; [`Error::InvalidParameter`] (`threads`)
    /// when the thread pool cannot start.
    fn fit(&self, data: &Dataset<'_>) -> Result<GbdtModel> {
        let objective = Objective::for_task(data.task())?;
        if self.params.early_stopping_rounds.is_none() {
            return self.fit_inner(objective, data, None);
        }
        let n = data.n_rows();
        let n_valid = (n as f64 * self.params.validation_fraction).round() as usize;
        if n_valid == 0 || n_valid >= n {
            return Err(Error::TooFewRows {
                what: format!(
                    "early stopping with validation_fraction {} (a training part and a validation fold)",
                    self.params.validation_fraction
                ),
                rows: n,
                needed: (1.0
                    / self
                        .params
                        .validation_fraction
                        .min(1.0 - self.params.validation_fraction))
                .ceil() as usize,
            });
        }
        let cut = n - n_valid;
        let x = data.features();
        let y = data.labels();
        let mut train = Dataset::new(x.slice(s![..cut, ..]), y.slice(s![..cut]), data.task())?;
        if let Some(w) = data.weights() {
            train = train.with_weights(w.slice_move(s![..cut]))?;
        }
        let valid = Dataset::new(x.slice(s![cut.., ..]), y.slice(s![cut..]), data.task())?;
        self.fit_inner(objective, &train, Some(&valid))
    }
}

impl Gbdt {
    /// A learner with these parameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when a parameter is out of range.
    pub fn new(params: GbdtParams) -> Result<Self> {
        params.validate()?;
        Ok(Self { params })
    }

    /// The parameters.
    pub fn params(&self) -> &GbdtParams {
        &self.params
    }

    /// Fits on `train` and records the validation loss on `valid` after every round; with
    /// [`GbdtParams::early_stopping_rounds`] set, stops early on it. `valid`'s weights are
    /// not used.
    ///
    /// # Errors
    /// As [`Learner::fit`]; [`Error::FeatureCount`] when `valid` has another column count,
    /// [`Error::Unsupported`] when its task differs from `train`'s.
    pub fn fit_with_validation(
        &self,
        train: &Dataset<'_>,
        valid: &Dataset<'_>,
    ) -> Result<GbdtModel> {
        let objective = Objective::for_task(train.task())?;
        if valid.n_features() != train.n_features() {
            return Err(Error::FeatureCount {
                got: valid.n_features(),
                expected: train.n_features(),
            });
        }
        if valid.task() != train.task() {
            return Err(Error::Unsupported {
                model: MODEL_NAME,
                what: format!(
                    "a {} validation set for a {} fit",
                    valid.task(),
                    train.task()
                ),
            });
        }
        self.fit_inner(objective, train, Some(valid))
    }

    fn fit_inner(
        &self,
        objective: Objective,
        train: &Dataset<'_>,
        valid: Option<&Dataset<'_>>,
    ) -> Result<GbdtModel> {
        let threads = self.params.threads;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::InvalidParameter {
                name: "threads",
                value: format!("{threads} (the pool did not start: {e})"),
                allowed: "a thread count the system can start",
            })?;
        let y: Vec<f64> = train.labels().to_vec();
        let w: Option<Vec<f64>> = train.weights().map(|w| w.to_vec());
        let v = valid.map(|v| (v.features(), v.labels().to_vec()));
        pool.install(|| {
            self.boost(
                objective,
                train.features(),
                &y,
                w.as_deref(),
                v.as_ref().map(|(x, y)| (*x, y.as_slice())),
            )
        })
    }

    /// The boosting loop, on the fit's pool.
    fn boost(
        &self,
        objective: Objective,
        x: ArrayView2<'_, f64>,
        y: &[f64],
        weights: Option<&[f64]>,
        valid: Option<(ArrayView2<'_, f64>, &[f64])>,
    ) -> Result<GbdtModel> {
        let p = &self.params;
        let (n_rows, n_features) = x.dim();
        let (mappers, data): (_, BinnedMatrix) =
            bins::bin_features(x, p.max_bins, p.bin_sample_rows);
        let init_score = initial_score(objective, y, weights);
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
        let mut valid_scores = valid.map(|(vx, _)| vec![init_score; vx.nrows()]);
        let mut trees: Vec<Tree> = Vec::with_capacity(p.rounds);
        let mut history = Vec::new();
        let mut best: Option<(usize, f64)> = None;
        let n_sub_features =
            ((p.feature_fraction * n_features as f64).round() as usize).clamp(1, n_features);
        let n_sub_rows = ((p.row_fraction * n_rows as f64).round() as usize).clamp(1, n_rows);
        let mut active = vec![true; n_features];
        let mut bag: Vec<u32> = Vec::new();

        for round in 0..p.rounds {
            compute_gradients(objective, &scores, y, weights, &mut grads);
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
            if let (Some((vx, vy)), Some(vs)) = (valid, &mut valid_scores) {
                vs.par_iter_mut()
                    .enumerate()
                    .for_each(|(i, s)| *s += tree.predict(vx.row(i)));
                let loss = mean_loss(objective, vs, vy);
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
            objective,
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
#[serde(deny_unknown_fields)]
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

    /// Raw score of one row (log-odds for log-loss, the value for squared loss), unchecked.
    fn raw_row(&self, row: ArrayView1<'_, f64>) -> f64 {
        self.init_score + self.trees.iter().map(|t| t.predict(row)).sum::<f64>()
    }

    /// Raw scores: log-odds for log-loss, predicted values for squared loss.
    ///
    /// # Errors
    /// [`Error::FeatureCount`] or [`Error::NonFinite`] (see [`check_features`]).
    pub fn predict_raw(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        check_features(x, Some(self.n_features))?;
        Ok(x.outer_iter().map(|row| self.raw_row(row)).collect())
    }

    /// P(y = 1) for each row of a log-loss model (the second column of [`Model::predict`]).
    ///
    /// # Errors
    /// [`Error::Unsupported`] for a squared-loss model, otherwise as
    /// [`GbdtModel::predict_raw`].
    pub fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        if self.objective != Objective::LogLoss {
            return Err(Error::Unsupported {
                model: MODEL_NAME,
                what: "class probabilities from a squared-loss (regression) model".into(),
            });
        }
        Ok(self.predict_raw(x)?.into_iter().map(sigmoid).collect())
    }

    /// Per-feature importance, unnormalised: total split gain or number of splits over all
    /// kept trees. ([`Model::feature_importance`] is the gain normalised to sum to one.)
    pub fn importance(&self, kind: Importance) -> Vec<f64> {
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

impl Model for GbdtModel {
    fn name(&self) -> &'static str {
        MODEL_NAME
    }

    fn task(&self) -> Task {
        match self.objective {
            Objective::LogLoss => Task::Binary,
            Objective::SquaredError => Task::Regression,
        }
    }

    fn n_features(&self) -> usize {
        self.n_features
    }

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let raw = self.predict_raw(x)?;
        Ok(match self.objective {
            Objective::LogLoss => Array2::from_shape_fn((raw.len(), 2), |(i, c)| {
                let p1 = sigmoid(raw[i]);
                if c == 1 { p1 } else { 1.0 - p1 }
            }),
            Objective::SquaredError => Array2::from_shape_fn((raw.len(), 1), |(i, _)| raw[i]),
        })
    }

    /// Total split gain per feature, normalised to sum to one; `None` when no tree split.
    fn feature_importance(&self) -> Option<Array1<f64>> {
        let gain = self.importance(Importance::Gain);
        let total: f64 = gain.iter().sum();
        (total > 0.0).then(|| gain.iter().map(|g| g / total).collect())
    }
}

fn sigmoid(s: f64) -> f64 {
    1.0 / (1.0 + (-s).exp())
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
