//! The shared model boundary: a validated [`Dataset`], a [`Learner`] that fits it, and the
//! fitted [`Model`] that predicts.
//!
//! # Design
//!
//! Two traits, split where configuration ends and data begins:
//!
//! - [`Learner`] is the *configured, unfitted* algorithm (hyper-parameters and seed). Its
//!   associated [`Learner::Model`] is the concrete fitted type, which must implement serde's
//!   `Serialize + DeserializeOwned`, so every model saves and loads through its own type with
//!   full static typing (generic code such as the conformance suite and cross-validation uses
//!   this path).
//! - [`Model`] is the *fitted* predictor. It is object safe (no generic methods, no
//!   associated types or constants), so a stack assembled from configuration can hold
//!   `Box<dyn Model>`; [`DynLearner`] is the matching object-safe face of every `Learner`
//!   (blanket implementation), returning boxed models.
//!
//! Labels are one `f64` per row for every task: class indices `0, 1, …, k-1` for
//! classification (checked to be integers in range), real values for regression. One label
//! type keeps gradient-based learners (boosting, logistic regression) free of conversions.
//! [`Dataset::new`] validates once — finite features (naming row and column), label length,
//! label range, at least two classes, non-negative finite weights — so learners may assume a
//! clean input. Predictions are an `n × k` matrix of class probabilities (rows sum to one;
//! binary tasks give two columns, `[P(0), P(1)]`) or an `n × 1` matrix of values for
//! regression, so one evaluation path serves every model.
//!
//! Determinism: a learner that draws random numbers takes an explicit seed in its
//! configuration; fitting the same learner on the same dataset twice gives bit-identical
//! models.

use std::fmt;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::error::{Error, Result};

/// What a model predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Task {
    /// Two classes, labels `0` and `1`; predictions are `n × 2` probabilities.
    Binary,
    /// `n_classes ≥ 3` classes, labels `0..n_classes`; predictions are `n × n_classes`
    /// probabilities. (Two classes are [`Task::Binary`].)
    Multiclass {
        /// Number of classes (at least 3).
        n_classes: usize,
    },
    /// Real-valued target; predictions are `n × 1` values.
    Regression,
}

impl Task {
    /// Number of prediction columns: the number of classes, or 1 for regression.
    pub fn n_outputs(self) -> usize {
        match self {
            Task::Binary => 2,
            Task::Multiclass { n_classes } => n_classes,
            Task::Regression => 1,
        }
    }

    /// Number of classes, `None` for regression.
    pub fn n_classes(self) -> Option<usize> {
        match self {
            Task::Binary => Some(2),
            Task::Multiclass { n_classes } => Some(n_classes),
            Task::Regression => None,
        }
    }

    /// Whether the task is a classification.
    pub fn is_classification(self) -> bool {
        !matches!(self, Task::Regression)
    }

    /// Checks that the task itself is well formed (`Multiclass` needs `n_classes ≥ 3`).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `Multiclass { n_classes < 3 }`.
    pub fn validate(self) -> Result<()> {
        match self {
            Task::Multiclass { n_classes } if n_classes < 3 => Err(Error::InvalidParameter {
                name: "n_classes",
                value: n_classes.to_string(),
                allowed: ">= 3 (use Task::Binary for two classes)",
            }),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Task::Binary => write!(f, "binary classification"),
            Task::Multiclass { n_classes } => {
                write!(f, "{n_classes}-class classification")
            }
            Task::Regression => write!(f, "regression"),
        }
    }
}

/// A validated, borrowed training set: features (`n × d`), one label per row, optional
/// non-negative sample weights, and the task.
#[derive(Debug, Clone, Copy)]
pub struct Dataset<'a> {
    features: ArrayView2<'a, f64>,
    labels: ArrayView1<'a, f64>,
    weights: Option<ArrayView1<'a, f64>>,
    task: Task,
}

impl<'a> Dataset<'a> {
    /// Checks and wraps a training set.
    ///
    /// # Errors
    /// - [`Error::TooFewRows`] for zero rows or zero columns;
    /// - [`Error::NonFinite`] at the first NaN/±inf feature (row, column) or label;
    /// - [`Error::LengthMismatch`] when `labels.len()` differs from the number of rows;
    /// - [`Error::InvalidLabel`] for a classification label that is not an integer in
    ///   `0..n_classes`;
    /// - [`Error::SingleClass`] when a classification has only one class present;
    /// - [`Error::InvalidParameter`] for a malformed task.
    pub fn new(
        features: ArrayView2<'a, f64>,
        labels: ArrayView1<'a, f64>,
        task: Task,
    ) -> Result<Self> {
        task.validate()?;
        let (n, d) = features.dim();
        if n == 0 || d == 0 {
            return Err(Error::TooFewRows {
                what: format!("a dataset ({n} rows × {d} columns)"),
                rows: n,
                needed: 1,
            });
        }
        check_features(features, None)?;
        if labels.len() != n {
            return Err(Error::LengthMismatch {
                what: "labels",
                got: labels.len(),
                expected: n,
            });
        }
        for (row, &y) in labels.iter().enumerate() {
            if !y.is_finite() {
                return Err(Error::NonFinite {
                    what: "labels",
                    row,
                    col: 0,
                    value: y,
                });
            }
        }
        if let Some(k) = task.n_classes() {
            let mut seen = vec![false; k];
            for (row, &y) in labels.iter().enumerate() {
                if y < 0.0 || y.fract() != 0.0 || y >= k as f64 {
                    return Err(Error::InvalidLabel {
                        row,
                        value: y,
                        reason: format!("{task} needs an integer class index in 0..{k}"),
                    });
                }
                seen[y as usize] = true;
            }
            let present: Vec<usize> = (0..k).filter(|&c| seen[c]).collect();
            if present.len() < 2 {
                return Err(Error::SingleClass { class: present[0] });
            }
        }
        Ok(Dataset {
            features,
            labels,
            weights: None,
            task,
        })
    }

    /// Adds per-row sample weights (finite, non-negative, positive total).
    ///
    /// # Errors
    /// [`Error::LengthMismatch`], [`Error::NonFinite`], or [`Error::InvalidParameter`] for a
    /// negative weight or an all-zero weight vector.
    pub fn with_weights(mut self, weights: ArrayView1<'a, f64>) -> Result<Self> {
        if weights.len() != self.n_rows() {
            return Err(Error::LengthMismatch {
                what: "sample weights",
                got: weights.len(),
                expected: self.n_rows(),
            });
        }
        let mut total = 0.0;
        for (row, &w) in weights.iter().enumerate() {
            if !w.is_finite() {
                return Err(Error::NonFinite {
                    what: "sample weights",
                    row,
                    col: 0,
                    value: w,
                });
            }
            if w < 0.0 {
                return Err(Error::InvalidParameter {
                    name: "sample weight",
                    value: format!("{w} (row {row})"),
                    allowed: ">= 0",
                });
            }
            total += w;
        }
        if total <= 0.0 {
            return Err(Error::InvalidParameter {
                name: "sample weights",
                value: "all zero".into(),
                allowed: "a positive total",
            });
        }
        self.weights = Some(weights);
        Ok(self)
    }

    /// The feature matrix, `n × d`.
    pub fn features(&self) -> ArrayView2<'a, f64> {
        self.features
    }

    /// The labels, one per row.
    pub fn labels(&self) -> ArrayView1<'a, f64> {
        self.labels
    }

    /// The sample weights, if any.
    pub fn weights(&self) -> Option<ArrayView1<'a, f64>> {
        self.weights
    }

    /// The weight of row `i` (1 when the dataset is unweighted).
    ///
    /// # Panics
    /// If `i` is out of range.
    pub fn weight(&self, i: usize) -> f64 {
        self.weights.map_or(1.0, |w| w[i])
    }

    /// The class index of row `i` (meaningful for classification only).
    ///
    /// # Panics
    /// If `i` is out of range.
    pub fn class(&self, i: usize) -> usize {
        self.labels[i] as usize
    }

    /// The task.
    pub fn task(&self) -> Task {
        self.task
    }

    /// Number of rows (samples).
    pub fn n_rows(&self) -> usize {
        self.features.nrows()
    }

    /// Number of feature columns.
    pub fn n_features(&self) -> usize {
        self.features.ncols()
    }

    /// Copies the given rows into an owned dataset (for cross-validation folds).
    ///
    /// # Errors
    /// [`Error::TooFewRows`] for an empty selection, [`Error::SingleClass`] when the rows of
    /// a classification hold one class, [`Error::LengthMismatch`] for an out-of-range index
    /// (reported as the index against the row count).
    pub fn select(&self, rows: &[usize]) -> Result<OwnedDataset> {
        if let Some(&bad) = rows.iter().find(|&&r| r >= self.n_rows()) {
            return Err(Error::LengthMismatch {
                what: "row index into dataset",
                got: bad,
                expected: self.n_rows(),
            });
        }
        let owned = OwnedDataset {
            features: self.features.select(Axis(0), rows),
            labels: self.labels.select(Axis(0), rows),
            weights: self.weights.map(|w| w.select(Axis(0), rows)),
            task: self.task,
        };
        owned.view()?;
        Ok(owned)
    }
}

/// An owned dataset (e.g. one cross-validation fold); [`OwnedDataset::view`] checks and
/// borrows it as a [`Dataset`].
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedDataset {
    /// Features, `n × d`.
    pub features: Array2<f64>,
    /// Labels, one per row.
    pub labels: Array1<f64>,
    /// Optional sample weights, one per row.
    pub weights: Option<Array1<f64>>,
    /// The task.
    pub task: Task,
}

impl OwnedDataset {
    /// Validates and borrows the data (see [`Dataset::new`] and [`Dataset::with_weights`]).
    ///
    /// # Errors
    /// As [`Dataset::new`] and [`Dataset::with_weights`].
    pub fn view(&self) -> Result<Dataset<'_>> {
        let d = Dataset::new(self.features.view(), self.labels.view(), self.task)?;
        match &self.weights {
            Some(w) => d.with_weights(w.view()),
            None => Ok(d),
        }
    }
}

/// Fails with [`Error::FeatureCount`] when `x` has a column count other than `expected`
/// (when given), and with [`Error::NonFinite`] at the first NaN/±inf, naming row and column.
/// Every [`Model::predict`] calls this on its input.
///
/// # Errors
/// As described.
pub fn check_features(x: ArrayView2<'_, f64>, expected: Option<usize>) -> Result<()> {
    if let Some(expected) = expected
        && x.ncols() != expected
    {
        return Err(Error::FeatureCount {
            got: x.ncols(),
            expected,
        });
    }
    for (row, r) in x.outer_iter().enumerate() {
        for (col, &v) in r.iter().enumerate() {
            if !v.is_finite() {
                return Err(Error::NonFinite {
                    what: "features",
                    row,
                    col,
                    value: v,
                });
            }
        }
    }
    Ok(())
}

/// A configured, unfitted learning algorithm.
///
/// # Design
/// The learner owns hyper-parameters and the seed; [`Learner::fit`] borrows a validated
/// [`Dataset`] and returns a concrete, serialisable model type, so generic code keeps full
/// static types (and the compiler specialises hot loops). Object-safe use goes through
/// [`DynLearner`], implemented for every `Learner`.
pub trait Learner {
    /// The fitted model.
    type Model: Model + Serialize + DeserializeOwned + 'static;

    /// Fits a model. The same learner and dataset always give the same model.
    ///
    /// # Errors
    /// [`Error::Unsupported`] when the learner cannot do `data.task()`; invalid
    /// hyper-parameters ([`Error::InvalidParameter`]); numerical breakdown
    /// ([`Error::Numerical`]) or a wrapped library error.
    fn fit(&self, data: &Dataset<'_>) -> Result<Self::Model>;
}

/// A fitted model that predicts class probabilities or values.
///
/// # Design
/// Object safe, so configuration-assembled stacks can hold `Box<dyn Model>`. Predictions
/// share one shape convention (`n × k` probabilities or `n × 1` values, see [`Task`]);
/// classification helpers ([`Model::predict_class`]) are provided on top. Serialisation is a
/// bound on [`Learner::Model`] rather than here, because serde's traits are not object safe.
pub trait Model: fmt::Debug + Send + Sync {
    /// A short name for reports (e.g. `"logistic"`, `"random_forest"`).
    fn name(&self) -> &'static str;

    /// The task the model was fitted for.
    fn task(&self) -> Task;

    /// Number of feature columns the model was fitted on.
    fn n_features(&self) -> usize;

    /// Predicts for each row of `x` (`n × n_features`): an `n × k` matrix of class
    /// probabilities (rows sum to one) for classification, an `n × 1` matrix of values for
    /// regression.
    ///
    /// # Errors
    /// [`Error::FeatureCount`] or [`Error::NonFinite`] for bad input (see
    /// [`check_features`]).
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>>;

    /// Non-negative feature importances, one per feature, summing to one — or `None` where
    /// the model has no meaningful notion of importance.
    fn feature_importance(&self) -> Option<Array1<f64>> {
        None
    }

    /// The most probable class of each row (ties go to the lower class index); for
    /// regression, [`Error::Unsupported`].
    ///
    /// # Errors
    /// As [`Model::predict`], or [`Error::Unsupported`] for a regression model.
    fn predict_class(&self, x: ArrayView2<'_, f64>) -> Result<Vec<usize>> {
        if !self.task().is_classification() {
            return Err(Error::Unsupported {
                model: self.name(),
                what: "predict_class on a regression model".into(),
            });
        }
        let p = self.predict(x)?;
        Ok(p.outer_iter().map(argmax).collect())
    }
}

/// Index of the largest value (the first on ties; NaN never wins).
pub(crate) fn argmax(v: ArrayView1<'_, f64>) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] || (v[best].is_nan() && !x.is_nan()) {
            best = i;
        }
    }
    best
}

/// A fitted model that keeps learning one observation at a time (e.g. recursive least
/// squares with forgetting).
///
/// # Design
/// Separate from [`Model`] because most models are batch-only; a drift-aware pipeline
/// (the `drift` module) feeds each new labelled row here and the returned a-priori
/// error into a drift detector.
pub trait OnlineModel: Model {
    /// Predicts row `x` with the current state, then learns from `(x, y)`; returns the
    /// a-priori error `y − prediction`.
    ///
    /// # Errors
    /// [`Error::FeatureCount`] or [`Error::NonFinite`] for bad input (the state is left
    /// unchanged).
    fn update(&mut self, x: ArrayView1<'_, f64>, y: f64) -> Result<f64>;
}

/// The object-safe face of a [`Learner`]: fits and returns a boxed model.
///
/// # Design
/// Implemented for every `Learner` (blanket implementation), so a stack built from
/// configuration can hold `Vec<Box<dyn DynLearner>>` without each model writing glue.
pub trait DynLearner: fmt::Debug + Send + Sync {
    /// Fits and boxes the model (see [`Learner::fit`]).
    ///
    /// # Errors
    /// As [`Learner::fit`].
    fn fit_boxed(&self, data: &Dataset<'_>) -> Result<Box<dyn Model>>;
}

impl<L> DynLearner for L
where
    L: Learner + fmt::Debug + Send + Sync,
{
    fn fit_boxed(&self, data: &Dataset<'_>) -> Result<Box<dyn Model>> {
        Ok(Box::new(self.fit(data)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn nan_feature_is_reported_with_row_and_column() {
        let x = array![[1.0, 2.0], [3.0, f64::NAN], [5.0, 6.0]];
        let y = array![0.0, 1.0, 0.0];
        let err = Dataset::new(x.view(), y.view(), Task::Binary).unwrap_err();
        assert!(
            matches!(
                err,
                Error::NonFinite {
                    what: "features",
                    row: 1,
                    col: 1,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("row 1, column 1"));
    }

    #[test]
    fn infinite_feature_is_rejected_at_predict_time_too() {
        let x = array![[f64::INFINITY, 0.0]];
        let err = check_features(x.view(), Some(2)).unwrap_err();
        assert!(matches!(err, Error::NonFinite { row: 0, col: 0, .. }));
        let err = check_features(x.view(), Some(3)).unwrap_err();
        assert!(matches!(
            err,
            Error::FeatureCount {
                got: 2,
                expected: 3
            }
        ));
    }

    #[test]
    fn label_length_mismatch_is_an_error() {
        let x = array![[1.0], [2.0], [3.0]];
        let y = array![0.0, 1.0];
        let err = Dataset::new(x.view(), y.view(), Task::Binary).unwrap_err();
        assert!(matches!(
            err,
            Error::LengthMismatch {
                what: "labels",
                got: 2,
                expected: 3
            }
        ));
    }

    #[test]
    fn single_class_is_an_error() {
        let x = array![[1.0], [2.0], [3.0]];
        let y = array![1.0, 1.0, 1.0];
        let err = Dataset::new(x.view(), y.view(), Task::Binary).unwrap_err();
        assert!(matches!(err, Error::SingleClass { class: 1 }));
    }

    #[test]
    fn out_of_range_and_fractional_labels_are_errors() {
        let x = array![[1.0], [2.0], [3.0]];
        let y = array![0.0, 1.0, 3.0];
        let task = Task::Multiclass { n_classes: 3 };
        let err = Dataset::new(x.view(), y.view(), task).unwrap_err();
        assert!(matches!(err, Error::InvalidLabel { row: 2, .. }));
        let y = array![0.0, 0.5, 1.0];
        let err = Dataset::new(x.view(), y.view(), Task::Binary).unwrap_err();
        assert!(matches!(err, Error::InvalidLabel { row: 1, .. }));
    }

    #[test]
    fn multiclass_with_two_classes_is_rejected() {
        let x = array![[1.0], [2.0]];
        let y = array![0.0, 1.0];
        let err = Dataset::new(x.view(), y.view(), Task::Multiclass { n_classes: 2 }).unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidParameter {
                name: "n_classes",
                ..
            }
        ));
    }

    #[test]
    fn negative_weight_and_wrong_weight_length_are_errors() {
        let x = array![[1.0], [2.0]];
        let y = array![0.0, 1.0];
        let d = Dataset::new(x.view(), y.view(), Task::Binary).unwrap();
        let w = array![1.0, -1.0];
        assert!(matches!(
            d.with_weights(w.view()).unwrap_err(),
            Error::InvalidParameter { .. }
        ));
        let w = array![1.0];
        assert!(matches!(
            d.with_weights(w.view()).unwrap_err(),
            Error::LengthMismatch {
                what: "sample weights",
                got: 1,
                expected: 2
            }
        ));
    }

    #[test]
    fn select_copies_rows_and_keeps_task() {
        let x = array![[1.0], [2.0], [3.0], [4.0]];
        let y = array![0.0, 1.0, 0.0, 1.0];
        let d = Dataset::new(x.view(), y.view(), Task::Binary).unwrap();
        let s = d.select(&[3, 0]).unwrap();
        assert_eq!(s.features, array![[4.0], [1.0]]);
        assert_eq!(s.labels, array![1.0, 0.0]);
        assert!(d.select(&[0, 2]).is_err(), "one class only");
        assert!(d.select(&[7]).is_err(), "out of range");
    }

    #[test]
    fn argmax_takes_first_of_ties() {
        assert_eq!(argmax(array![0.2, 0.4, 0.4].view()), 1);
        assert_eq!(argmax(array![0.5, 0.5].view()), 0);
        assert_eq!(argmax(array![f64::NAN, 0.5].view()), 1);
    }
}
