//! Fit-and-score over precomputed folds (walk-forward or purged k-fold): one fresh fit per
//! fold, out-of-sample metrics per fold.

use serde::{Deserialize, Serialize};

use super::metrics::{accuracy, information_coefficient, log_loss, macro_f1, roc_auc};
use super::split::Fold;
use crate::error::{Error, Result};
use crate::model::{Dataset, DynLearner};

/// Out-of-sample scores of one fold. Metrics that do not apply to the task are `None`
/// (e.g. AUC for regression); so is AUC on a binary test block that holds one class only,
/// and IC on a constant forecast or outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldScores {
    /// Fold number (zero-based).
    pub fold: usize,
    /// Training rows used.
    pub n_train: usize,
    /// Test rows scored.
    pub n_test: usize,
    /// Classification accuracy.
    pub accuracy: Option<f64>,
    /// Macro-averaged F1.
    pub macro_f1: Option<f64>,
    /// Log-loss.
    pub log_loss: Option<f64>,
    /// ROC AUC of `P(class 1)` (binary tasks).
    pub roc_auc: Option<f64>,
    /// Information coefficient (Spearman) of forecasts against outcomes (regression).
    pub information_coefficient: Option<f64>,
    /// Mean squared error (regression).
    pub mse: Option<f64>,
}

/// Fits `learner` on each fold's training rows and scores its test rows.
///
/// # Errors
/// Errors from selecting the rows (e.g. a training set with a single class), fitting or
/// predicting, passed on unchanged; a fold with no test rows is [`Error::TooFewRows`].
pub fn evaluate_folds(
    learner: &dyn DynLearner,
    data: &Dataset<'_>,
    folds: &[Fold],
) -> Result<Vec<FoldScores>> {
    let task = data.task();
    let mut out = Vec::with_capacity(folds.len());
    for (f, fold) in folds.iter().enumerate() {
        if fold.test.is_empty() {
            return Err(Error::TooFewRows {
                what: format!("test block of fold {f}"),
                rows: 0,
                needed: 1,
            });
        }
        let train = data.select(&fold.train)?;
        let model = learner.fit_boxed(&train.view()?)?;
        let x_test = data.features().select(ndarray::Axis(0), &fold.test);
        let y_test: Vec<f64> = fold.test.iter().map(|&i| data.labels()[i]).collect();
        let p = model.predict(x_test.view())?;
        let mut s = FoldScores {
            fold: f,
            n_train: fold.train.len(),
            n_test: fold.test.len(),
            accuracy: None,
            macro_f1: None,
            log_loss: None,
            roc_auc: None,
            information_coefficient: None,
            mse: None,
        };
        if task.is_classification() {
            let truth: Vec<usize> = y_test.iter().map(|&y| y as usize).collect();
            let pred = model.predict_class(x_test.view())?;
            s.accuracy = Some(accuracy(&truth, &pred)?);
            s.macro_f1 = Some(macro_f1(&truth, &pred)?);
            s.log_loss = Some(log_loss(&truth, p.view())?);
            if task.n_outputs() == 2 {
                let pos: Vec<bool> = truth.iter().map(|&c| c == 1).collect();
                s.roc_auc = roc_auc(&pos, &p.column(1).to_vec()).ok();
            }
        } else {
            let forecast = p.column(0).to_vec();
            s.mse = Some(
                forecast
                    .iter()
                    .zip(&y_test)
                    .map(|(a, b)| (a - b).powi(2))
                    .sum::<f64>()
                    / y_test.len() as f64,
            );
            s.information_coefficient = information_coefficient(&forecast, &y_test).ok();
        }
        out.push(s);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::synthetic;
    use crate::linear::{Logistic, Rls};
    use crate::model::Task;
    use crate::validation::{WalkForward, Window, fixed_horizon};

    #[test]
    fn walk_forward_logistic_scores_every_fold_out_of_sample() {
        let d = synthetic(Task::Binary, 500, 3);
        let data = d.view().unwrap();
        let folds = WalkForward {
            initial_train: 200,
            test_size: 100,
            step: 100,
            window: Window::Expanding,
        }
        .split(&fixed_horizon(500, 2))
        .unwrap();
        let scores = evaluate_folds(&Logistic::default(), &data, &folds).unwrap();
        assert_eq!(scores.len(), 3);
        for s in &scores {
            assert_eq!(s.n_test, 100);
            // The synthetic task is learnable: well above chance on every fold.
            assert!(
                s.accuracy.unwrap() > 0.7 && s.roc_auc.unwrap() > 0.8,
                "{s:?}"
            );
            assert!(s.mse.is_none() && s.information_coefficient.is_none());
        }
        assert_eq!(
            scores[0].n_train, 198,
            "two rows purged before the first block"
        );
    }

    #[test]
    fn regression_folds_report_mse_and_ic() {
        let d = synthetic(Task::Regression, 300, 3);
        let data = d.view().unwrap();
        let folds = crate::validation::PurgedKFold {
            n_splits: 3,
            embargo: 0,
        }
        .split(&fixed_horizon(300, 0))
        .unwrap();
        let rls = Rls {
            forgetting: 1.0,
            delta: 1e-3,
        };
        let scores = evaluate_folds(&rls, &data, &folds).unwrap();
        for s in &scores {
            assert!(s.information_coefficient.unwrap() > 0.6, "{s:?}");
            assert!(s.accuracy.is_none());
        }
    }
}
