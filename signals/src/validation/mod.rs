//! Out-of-sample validation: time-ordered splits that respect label horizons (walk-forward,
//! purged k-fold with embargo), classification and ranking metrics, and calibration.

pub mod calibration;
pub mod metrics;
pub mod split;

pub use calibration::{CalibrationCurve, ReliabilityBin, calibration_curve};
pub use metrics::{accuracy, information_coefficient, log_loss, macro_f1, roc_auc};
pub use split::{Fold, PurgedKFold, WalkForward, Window, fixed_horizon};
