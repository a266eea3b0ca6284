//! The core of the `signals_benchmark` example, shared with the root integration test:
//! real LOBSTER data → default feature pipeline → mid-price direction labels → purged
//! walk-forward folds → every model side by side → per-fold metrics.
//!
//! Needs a sibling module `replay_rows` (`examples/support/replay_rows.rs`) at the crate root.
//!
//! # Task
//! For each horizon `k` (events), the label of row `t` is the FI-2010 direction label
//! (Ntakaris et al. 2018): the mean of the next `k` mids against the current mid,
//! `lₜ = (m⁺ₜ − mₜ)/mₜ` ([`Smoothing::FutureMean`]), up when `lₜ > α`, down when
//! `lₜ < −α`, flat otherwise. Flat rows are dropped and the models predict **up against
//! down** (a binary task: "given that the mid moves, which way?"); the share of flat rows
//! is reported. Rows with an invalid (empty, one-sided or crossed) book are dropped too.
//!
//! # Features
//! The default pipeline's 26 outputs minus `book_valid` (constant 1 once invalid books are
//! dropped) and `mid` (the price level itself: non-stationary, a model splitting on it
//! learns the day's path, not a signal), z-scored with statistics of the training fold only.
//!
//! # Splits
//! Walk-forward with an expanding window ([`WalkForward`]): the first `1/(folds+1)` of the
//! labelled rows train the first fold; the rest is cut into `folds` test blocks. A training
//! row is purged when its label's last event (`t + k`) reaches the test block
//! (`label_end`), so no label overlaps the test block.

use crate::replay_rows::{self, GlueError};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use shortfall::features::{
    self as features, DatasetBuilder, FeaturePipeline, LabelSpec, Normaliser, Smoothing, ZScore,
};
use shortfall::signals::forest::RandomForest;
use shortfall::signals::gbdt::{Gbdt, GbdtParams, Importance};
use shortfall::signals::linear::{Logistic, Rls};
use shortfall::signals::regime::{CovarianceKind, GaussianMixture, RegimeLearner, RegimeModel};
use shortfall::signals::svm::{Svm, SvmKernel};
use shortfall::signals::validation::{
    WalkForward, Window, accuracy, information_coefficient, log_loss, macro_f1, roc_auc,
};
use shortfall::signals::{Dataset, Learner, Model, OnlineModel, Task};
use std::path::Path;
use std::time::Instant;

/// Boxed error of the benchmark.
pub type BenchError = Box<dyn std::error::Error>;

/// The models, in report order.
pub const MODELS: [&str; 6] = [
    "majority",
    "logistic",
    "gbdt",
    "random_forest",
    "svm",
    "rls_online",
];

/// Features left out of the default pipeline (see the module documentation).
pub const DROPPED_FEATURES: [&str; 2] = ["book_valid", "mid"];

/// Features the regime model (a two-component Gaussian mixture) reads.
pub const REGIME_FEATURES: [&str; 2] = ["realized_vol_bps_ev1000", "spread_bps"];

/// Benchmark settings.
#[derive(Clone, Debug)]
pub struct BenchConfig {
    /// Label horizons `k` in events.
    pub horizons: Vec<usize>,
    /// Walk-forward test blocks.
    pub folds: usize,
    /// Seed of every random choice (GBDT, forest, SVM, mixture).
    pub seed: u64,
    /// Direction threshold `α` on the relative smoothed change.
    pub threshold: f64,
    /// GBDT: maximum rounds (early stopping on the last 20 % of each training fold).
    pub gbdt_rounds: usize,
    /// Random forest: trees.
    pub rf_trees: usize,
    /// Random forest: trained on at most this many most recent training rows.
    pub rf_rows: usize,
    /// SVM: trained on at most this many most recent training rows.
    pub svm_rows: usize,
    /// Print each model's time per fold on stderr.
    pub progress: bool,
}

impl Default for BenchConfig {
    fn default() -> Self {
        Self {
            horizons: vec![10, 50, 100],
            folds: 5,
            seed: 7,
            threshold: 0.0,
            gbdt_rounds: 300,
            rf_trees: 40,
            rf_rows: 4_000,
            svm_rows: 400,
            progress: true,
        }
    }
}

/// Replays a LOBSTER pair (at most `max_events` messages when given) through the default
/// pipeline and labels every row with the direction and the raw future return (bps) at
/// each horizon; rows without a valid book or without every label are dropped.
///
/// # Errors
/// Reading or replaying the files, or a non-finite feature.
pub fn load_lobster(
    messages: &Path,
    orderbook: &Path,
    horizons: &[usize],
    threshold: f64,
    max_events: Option<usize>,
) -> Result<features::Dataset, BenchError> {
    let mut labels = Vec::new();
    for &k in horizons {
        labels.push(LabelSpec::Direction {
            horizon: k,
            threshold,
            smoothing: Smoothing::FutureMean,
        });
    }
    for &k in horizons {
        labels.push(LabelSpec::FutureReturn { horizon: k });
    }
    let mut builder = DatasetBuilder::new(FeaturePipeline::default(), labels)?;
    let limit = max_events.unwrap_or(usize::MAX);
    let mut seen = 0usize;
    replay_rows::lobster_events(messages, orderbook, 1, |e, book| -> Result<(), GlueError> {
        seen += 1;
        if seen <= limit {
            builder.push(e, book)?;
        }
        Ok(())
    })?;
    Ok(builder.finish()?)
}

/// Scores of one model on one fold. Metrics that are undefined are `None` (log-loss for
/// the RLS scorer, which gives no probabilities; IC for a constant forecast).
#[derive(Clone, Debug, PartialEq)]
pub struct FoldMetrics {
    /// Accuracy.
    pub accuracy: f64,
    /// Macro-F1 over up and down.
    pub macro_f1: f64,
    /// Log-loss of the predicted probabilities.
    pub log_loss: Option<f64>,
    /// ROC AUC of the up score.
    pub auc: Option<f64>,
    /// Spearman IC of the up score against the raw future return at the horizon.
    pub ic: Option<f64>,
}

/// One model at one horizon.
#[derive(Clone, Debug)]
pub struct ModelResult {
    /// Model name (one of [`MODELS`]).
    pub model: String,
    /// Per fold.
    pub folds: Vec<FoldMetrics>,
    /// Training rows used per fold (after subsampling).
    pub train_rows: Vec<usize>,
    /// Fit and predict seconds, summed over folds.
    pub seconds: f64,
}

/// One walk-forward fold: rows of the labelled dataset (indices into
/// [`features::Dataset`]).
#[derive(Clone, Debug)]
pub struct FoldRows {
    /// Training rows (after purging).
    pub train: Vec<usize>,
    /// Test rows.
    pub test: Vec<usize>,
}

/// Pooled test accuracy of a model inside one regime.
#[derive(Clone, Debug)]
pub struct RegimeRow {
    /// Regime index (0 = lower realised volatility).
    pub regime: usize,
    /// Test rows in the regime, over all folds.
    pub rows: usize,
    /// Accuracy of each model of [`MODELS`] in the regime.
    pub accuracy: Vec<f64>,
}

/// Everything at one horizon.
#[derive(Clone, Debug)]
pub struct HorizonResult {
    /// Horizon `k` in events.
    pub horizon: usize,
    /// Labelled rows that moved up.
    pub up: usize,
    /// Labelled rows that moved down.
    pub down: usize,
    /// Flat rows (dropped).
    pub flat: usize,
    /// Rows dropped for an invalid book.
    pub invalid_book: usize,
    /// The folds.
    pub folds: Vec<FoldRows>,
    /// One entry per model of [`MODELS`], in that order.
    pub models: Vec<ModelResult>,
    /// Per-regime accuracies (empty when the regime features are missing).
    pub regimes: Vec<RegimeRow>,
    /// Out-of-sample `(is_up, P(up))` of every model, pooled over folds (for calibration).
    pub pooled: Vec<(Vec<bool>, Vec<f64>)>,
    /// GBDT gain importance per feature, normalised per fold and averaged over folds.
    pub gbdt_importance: Vec<f64>,
}

/// The whole benchmark.
#[derive(Clone, Debug)]
pub struct BenchResults {
    /// Rows of the feature dataset (every label defined).
    pub rows: usize,
    /// Events replayed.
    pub events: usize,
    /// Feature names the models read.
    pub features: Vec<String>,
    /// Per horizon.
    pub horizons: Vec<HorizonResult>,
}

/// Mean and standard error (sample sd / √n; 0 for one value) of the values present.
pub fn mean_se(values: impl IntoIterator<Item = Option<f64>>) -> Option<(f64, f64)> {
    let v: Vec<f64> = values.into_iter().flatten().collect();
    if v.is_empty() {
        return None;
    }
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let se = if v.len() > 1 {
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0) / n).sqrt()
    } else {
        0.0
    };
    Some((m, se))
}

fn column(data: &features::Dataset, name: &str) -> Result<usize, BenchError> {
    data.feature_names
        .iter()
        .position(|n| n == name)
        .ok_or_else(|| format!("the pipeline has no feature {name:?}").into())
}

/// Runs every model at every horizon on `data` (from [`load_lobster`] with the same
/// horizons, in the same order).
///
/// # Errors
/// Bad settings (no horizon, zero folds, a horizon without a label column), too few rows
/// for the folds, a single class in a training fold, or a model's error.
pub fn run(data: &features::Dataset, cfg: &BenchConfig) -> Result<BenchResults, BenchError> {
    if cfg.horizons.is_empty() {
        return Err("no horizons given".into());
    }
    if cfg.folds == 0 {
        return Err("--folds must be at least 1".into());
    }
    let valid_col = column(data, "book_valid")?;
    let keep_cols: Vec<usize> = (0..data.feature_names.len())
        .filter(|&c| !DROPPED_FEATURES.contains(&data.feature_names[c].as_str()))
        .collect();
    let regime_cols: Option<Vec<usize>> = REGIME_FEATURES
        .iter()
        .map(|n| data.feature_names.iter().position(|f| f == n))
        .collect();
    let mut out = Vec::new();
    for &k in &cfg.horizons {
        let dir_name = format!("direction_future_mean_k{k}");
        let ret_name = format!("future_return_bps_k{k}");
        let dir_col = data
            .label_names
            .iter()
            .position(|n| *n == dir_name)
            .ok_or_else(|| format!("the dataset has no label {dir_name}"))?;
        let ret_col = data
            .label_names
            .iter()
            .position(|n| *n == ret_name)
            .ok_or_else(|| format!("the dataset has no label {ret_name}"))?;
        out.push(run_horizon(
            data,
            cfg,
            k,
            dir_col,
            ret_col,
            valid_col,
            &keep_cols,
            regime_cols.as_deref(),
        )?);
    }
    Ok(BenchResults {
        rows: data.len(),
        events: data.events,
        features: keep_cols
            .iter()
            .map(|&c| data.feature_names[c].clone())
            .collect(),
        horizons: out,
    })
}

/// Metrics of an up-score on a test block. `proba` gives the log-loss when present.
fn score(
    up: &[bool],
    score_up: &[f64],
    proba: Option<&[f64]>,
    realised: &[f64],
) -> Result<FoldMetrics, BenchError> {
    let truth: Vec<usize> = up.iter().map(|&u| usize::from(u)).collect();
    // Class 1 (up) when the score is above the decision point (0.5 for probabilities,
    // 0 for the RLS forecast); ties go to class 0, as `Model::predict_class`.
    let cut = if proba.is_some() { 0.5 } else { 0.0 };
    let pred: Vec<usize> = score_up.iter().map(|&s| usize::from(s > cut)).collect();
    let log_loss = match proba {
        Some(p) => {
            let m = Array2::from_shape_fn(
                (p.len(), 2),
                |(i, j)| if j == 1 { p[i] } else { 1.0 - p[i] },
            );
            Some(log_loss(&truth, m.view())?)
        }
        None => None,
    };
    Ok(FoldMetrics {
        accuracy: accuracy(&truth, &pred)?,
        macro_f1: macro_f1(&truth, &pred)?,
        log_loss,
        auc: roc_auc(up, score_up).ok(),
        ic: information_coefficient(score_up, realised).ok(),
    })
}

/// The last `cap` rows of `rows`.
fn recent(rows: &[usize], cap: usize) -> &[usize] {
    &rows[rows.len().saturating_sub(cap)..]
}

/// One model's test-block up-scores and whether they are probabilities.
struct Prediction {
    score_up: Vec<f64>,
    is_probability: bool,
    train_rows: usize,
}

#[allow(clippy::too_many_arguments)]
fn run_horizon(
    data: &features::Dataset,
    cfg: &BenchConfig,
    k: usize,
    dir_col: usize,
    ret_col: usize,
    valid_col: usize,
    keep_cols: &[usize],
    regime_cols: Option<&[usize]>,
) -> Result<HorizonResult, BenchError> {
    let dir = data.labels.column(dir_col);
    let (mut up, mut down, mut flat, mut invalid_book) = (0, 0, 0, 0);
    let mut rows = Vec::new();
    for r in 0..data.len() {
        if data.features[[r, valid_col]] != 1.0 {
            invalid_book += 1;
            continue;
        }
        if dir[r] == 1.0 {
            up += 1;
            rows.push(r);
        } else if dir[r] == -1.0 {
            down += 1;
            rows.push(r);
        } else {
            flat += 1;
        }
    }
    let n = rows.len();
    if n < 2 * (cfg.folds + 1) {
        return Err(format!(
            "horizon {k}: {n} labelled rows with a move are too few for {} walk-forward folds",
            cfg.folds
        )
        .into());
    }
    // label_end in the labelled rows' index space: the last labelled row whose event is at
    // most the label's last event (t + k).
    let events: Vec<usize> = rows.iter().map(|&r| data.rows[r]).collect();
    let label_end: Vec<usize> = events
        .iter()
        .enumerate()
        .map(|(i, &e)| {
            let last = events.partition_point(|&x| x <= e + k) - 1;
            last.max(i)
        })
        .collect();
    let initial = n / (cfg.folds + 1);
    let test_size = (n - initial).div_ceil(cfg.folds);
    let splits = WalkForward {
        initial_train: initial,
        test_size,
        step: test_size,
        window: Window::Expanding,
    }
    .split(&label_end)?;

    let x_all = data.features.select(Axis(1), keep_cols);
    let is_up: Vec<bool> = rows.iter().map(|&r| dir[r] == 1.0).collect();
    let y01: Vec<f64> = is_up.iter().map(|&u| f64::from(u8::from(u))).collect();
    let realised: Vec<f64> = rows.iter().map(|&r| data.labels[[r, ret_col]]).collect();
    let d = keep_cols.len();

    let mut models: Vec<ModelResult> = MODELS
        .iter()
        .map(|m| ModelResult {
            model: (*m).to_owned(),
            folds: Vec::new(),
            train_rows: Vec::new(),
            seconds: 0.0,
        })
        .collect();
    let mut pooled: Vec<(Vec<bool>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); MODELS.len()];
    let mut importance = vec![0.0; d];
    // Regime tallies: [regime][model] = (hits, rows).
    let mut regime_hits = vec![vec![0usize; MODELS.len()]; 2];
    let mut regime_rows = [0usize; 2];
    let mut folds = Vec::new();

    for (f, split) in splits.iter().enumerate() {
        // Normaliser fitted on the training fold only.
        let sel = |idx: &[usize]| -> Array2<f64> {
            let r: Vec<usize> = idx.iter().map(|&i| rows[i]).collect();
            x_all.select(Axis(0), &r)
        };
        let mut x_train = sel(&split.train);
        let mut x_test = sel(&split.test);
        let mut z = ZScore::new();
        for row in x_train.outer_iter() {
            z.update(row.as_slice().ok_or("feature rows are contiguous")?)?;
        }
        for mut row in x_train.outer_iter_mut().chain(x_test.outer_iter_mut()) {
            z.transform_row(row.as_slice_mut().ok_or("feature rows are contiguous")?)?;
        }
        let y_train: Array1<f64> = split.train.iter().map(|&i| y01[i]).collect();
        let test_up: Vec<bool> = split.test.iter().map(|&i| is_up[i]).collect();
        let test_ret: Vec<f64> = split.test.iter().map(|&i| realised[i]).collect();
        let ctx = FoldCtx {
            x_train: x_train.view(),
            y_train: &y_train,
            x_test: x_test.view(),
            cfg,
            fold: f,
        };

        // Regimes of the test rows: a two-component mixture on the training fold's
        // regime features, components ordered by their mean realised volatility.
        let regimes = match regime_cols {
            Some(cols) => {
                let pos: Vec<usize> = cols
                    .iter()
                    .map(|c| keep_cols.iter().position(|k| k == c))
                    .collect::<Option<_>>()
                    .ok_or("regime features are among the model features")?;
                let tr = x_train.select(Axis(1), &pos);
                let te = x_test.select(Axis(1), &pos);
                let gmm =
                    GaussianMixture::new(2, CovarianceKind::Diagonal, cfg.seed).fit(tr.view())?;
                let flip = gmm.means[[0, 0]] > gmm.means[[1, 0]];
                let a = gmm.assign(te.view())?;
                Some(
                    a.into_iter()
                        .map(|r| if flip { 1 - r } else { r })
                        .collect::<Vec<_>>(),
                )
            }
            None => None,
        };

        for (m, name) in MODELS.iter().enumerate() {
            let t0 = Instant::now();
            let p = match *name {
                "majority" => majority(&ctx),
                "logistic" => logistic(&ctx)?,
                "gbdt" => {
                    let (p, gain) = gbdt(&ctx)?;
                    let total: f64 = gain.iter().sum();
                    if total > 0.0 {
                        for (acc, g) in importance.iter_mut().zip(&gain) {
                            *acc += g / total / splits.len() as f64;
                        }
                    }
                    p
                }
                "random_forest" => forest(&ctx, split)?,
                "svm" => svm(&ctx, split)?,
                "rls_online" => rls_online(&ctx, split, &label_end, &y01)?,
                other => return Err(format!("unknown model {other}").into()),
            };
            let seconds = t0.elapsed().as_secs_f64();
            if cfg.progress {
                eprintln!("  k = {k}, fold {f}: {name} {seconds:.2} s");
            }
            let proba = p.is_probability.then_some(p.score_up.as_slice());
            let metrics = score(&test_up, &p.score_up, proba, &test_ret)?;
            let mr = &mut models[m];
            mr.folds.push(metrics);
            mr.train_rows.push(p.train_rows);
            mr.seconds += seconds;
            if p.is_probability {
                pooled[m].0.extend_from_slice(&test_up);
                pooled[m].1.extend_from_slice(&p.score_up);
            }
            if let Some(reg) = &regimes {
                let cut = if p.is_probability { 0.5 } else { 0.0 };
                for ((&r, &s), &u) in reg.iter().zip(&p.score_up).zip(&test_up) {
                    regime_hits[r][m] += usize::from((s > cut) == u);
                    if m == 0 {
                        regime_rows[r] += 1;
                    }
                }
            }
        }
        folds.push(FoldRows {
            train: split.train.iter().map(|&i| rows[i]).collect(),
            test: split.test.iter().map(|&i| rows[i]).collect(),
        });
    }
    let regimes = if regime_cols.is_some() {
        (0..2)
            .map(|r| RegimeRow {
                regime: r,
                rows: regime_rows[r],
                accuracy: regime_hits[r]
                    .iter()
                    .map(|&h| h as f64 / regime_rows[r].max(1) as f64)
                    .collect(),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(HorizonResult {
        horizon: k,
        up,
        down,
        flat,
        invalid_book,
        folds,
        models,
        regimes,
        pooled,
        gbdt_importance: importance,
    })
}

/// One fold's normalised matrices.
struct FoldCtx<'a> {
    x_train: ArrayView2<'a, f64>,
    y_train: &'a Array1<f64>,
    x_test: ArrayView2<'a, f64>,
    cfg: &'a BenchConfig,
    fold: usize,
}

impl FoldCtx<'_> {
    fn seed(&self, model: u64) -> u64 {
        self.cfg
            .seed
            .wrapping_mul(1_000_003)
            .wrapping_add(1000 * model + self.fold as u64)
    }
}

/// The constant baseline: the training fold's majority class (down on a tie), with the
/// training up-rate as its probability.
fn majority(ctx: &FoldCtx<'_>) -> Prediction {
    let rate = ctx.y_train.mean().unwrap_or(0.5);
    Prediction {
        score_up: vec![rate; ctx.x_test.nrows()],
        is_probability: true,
        train_rows: ctx.y_train.len(),
    }
}

fn up_column(p: &Array2<f64>) -> Vec<f64> {
    p.column(1).to_vec()
}

fn logistic(ctx: &FoldCtx<'_>) -> Result<Prediction, BenchError> {
    let data = Dataset::new(ctx.x_train, ctx.y_train.view(), Task::Binary)?;
    let model = Logistic {
        l2: 1e-3,
        ..Logistic::default()
    }
    .fit(&data)?;
    Ok(Prediction {
        score_up: up_column(&model.predict(ctx.x_test)?),
        is_probability: true,
        train_rows: ctx.y_train.len(),
    })
}

/// The histogram GBDT through its `Learner` implementation: early stopping on the last 20 %
/// of the training fold. Returns the test up-probabilities and the gain importance.
fn gbdt(ctx: &FoldCtx<'_>) -> Result<(Prediction, Vec<f64>), BenchError> {
    let params = GbdtParams {
        rounds: ctx.cfg.gbdt_rounds,
        learning_rate: 0.05,
        max_leaves: 15,
        min_data_in_leaf: 100,
        lambda_l2: 1.0,
        feature_fraction: 0.8,
        early_stopping_rounds: Some(30),
        validation_fraction: 0.2,
        threads: 2,
        seed: ctx.seed(2),
        ..GbdtParams::default()
    };
    let y: Vec<f64> = ctx.y_train.to_vec();
    let data = Dataset::new(ctx.x_train, ndarray::ArrayView1::from(&y), Task::Binary)?;
    let model = Gbdt::new(params)?.fit(&data)?;
    let p = model.predict_proba(ctx.x_test)?;
    let gain = model.importance(Importance::Gain);
    Ok((
        Prediction {
            score_up: p,
            is_probability: true,
            train_rows: y.len(),
        },
        gain,
    ))
}

fn subset(
    ctx: &FoldCtx<'_>,
    split: &shortfall::signals::validation::Fold,
    cap: usize,
) -> (Array2<f64>, Array1<f64>) {
    // Positions within the training fold of its most recent `cap` rows.
    let n = split.train.len();
    let from = n - recent(&split.train, cap).len();
    let x = ctx.x_train.slice(ndarray::s![from.., ..]).to_owned();
    let y = ctx.y_train.slice(ndarray::s![from..]).to_owned();
    (x, y)
}

fn forest(
    ctx: &FoldCtx<'_>,
    split: &shortfall::signals::validation::Fold,
) -> Result<Prediction, BenchError> {
    let (x, y) = subset(ctx, split, ctx.cfg.rf_rows);
    let data = Dataset::new(x.view(), y.view(), Task::Binary)?;
    let model = RandomForest {
        n_trees: ctx.cfg.rf_trees,
        max_depth: Some(10),
        min_samples_leaf: 20,
        min_samples_split: 40,
        max_features: None,
        seed: ctx.seed(3),
    }
    .fit(&data)?;
    Ok(Prediction {
        score_up: up_column(&model.predict(ctx.x_test)?),
        is_probability: true,
        train_rows: y.len(),
    })
}

fn svm(
    ctx: &FoldCtx<'_>,
    split: &shortfall::signals::validation::Fold,
) -> Result<Prediction, BenchError> {
    let (x, y) = subset(ctx, split, ctx.cfg.svm_rows);
    let data = Dataset::new(x.view(), y.view(), Task::Binary)?;
    let model = Svm {
        c: 1.0,
        kernel: SvmKernel::Rbf {
            gamma: 1.0 / x.ncols() as f64,
        },
        seed: ctx.seed(4),
        ..Svm::default()
    }
    .fit(&data)?;
    Ok(Prediction {
        score_up: up_column(&model.predict(ctx.x_test)?),
        is_probability: true,
        train_rows: y.len(),
    })
}

/// Recursive least squares (forgetting 0.999) regressing the ±1 direction on the features:
/// run over the training fold, then through the test block online, learning each test
/// row's label only once it is known (its label's last event precedes the row being
/// scored), so no test label is used before it exists. The forecast is the up-score;
/// there is no probability, so no log-loss.
fn rls_online(
    ctx: &FoldCtx<'_>,
    split: &shortfall::signals::validation::Fold,
    label_end: &[usize],
    y01: &[f64],
) -> Result<Prediction, BenchError> {
    let target = |y: f64| 2.0 * y - 1.0;
    let mut model = Rls {
        forgetting: 0.999,
        delta: 1e-2,
    }
    .start(ctx.x_train.ncols())?;
    for (row, &y) in ctx.x_train.outer_iter().zip(ctx.y_train.iter()) {
        model.update(row, target(y))?;
    }
    let mut next = 0; // next test position whose label is not yet learned
    let mut score_up = Vec::with_capacity(split.test.len());
    for (j, &i) in split.test.iter().enumerate() {
        while next < j && label_end[split.test[next]] < i {
            let t = split.test[next];
            model.update(ctx.x_test.row(next), target(y01[t]))?;
            next += 1;
        }
        let p = model.predict(ctx.x_test.slice(ndarray::s![j..=j, ..]))?;
        score_up.push(p[[0, 0]]);
    }
    Ok(Prediction {
        score_up,
        is_probability: false,
        train_rows: ctx.y_train.len(),
    })
}
