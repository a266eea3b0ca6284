//! Out-of-sample validation: time-ordered splits that respect label horizons (walk-forward,
//! purged k-fold with embargo), fit-and-score over folds, classification and ranking
//! metrics, and calibration.

pub mod calibration;
pub mod evaluate;
pub mod metrics;
#[cfg(feature = "plots")]
pub mod plot;
pub mod split;

pub use calibration::{CalibrationCurve, ReliabilityBin, calibration_curve};
pub use evaluate::{FoldScores, evaluate_folds};
pub use metrics::{accuracy, information_coefficient, log_loss, macro_f1, roc_auc};
pub use split::{Fold, PurgedKFold, WalkForward, Window, fixed_horizon};
