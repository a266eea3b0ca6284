//! # shortfall-signals
//!
//! Signal models behind one trait (gradient boosting, random forest, SVM, logistic and
//! online linear models, clustering and HMM regimes, LSTM and Transformer on burn) and
//! walk-forward validation.
//!
//! Every supervised model is a [`model::Learner`] (configured, unfitted) whose fit returns
//! a serialisable [`model::Model`] that predicts class probabilities or values for a
//! validated [`model::Dataset`].
//!
//! | module | what |
//! | --- | --- |
//! | [`model`] | `Learner`, `Model`, `DynLearner`, `OnlineModel`, `Dataset`, `Task` |
//! | [`linear`] | L2 multinomial logistic regression (L-BFGS); recursive least squares with forgetting |
//! | [`forest`], [`svm`] | random forest and SVM through smartcore 0.7 |
//! | [`regime`] | k-means (smartcore), Gaussian mixture (EM), Gaussian HMM (Baum–Welch, Viterbi, filtering) |
//! | [`drift`] | Page–Hinkley, ADWIN-style window, refit-on-drift hook |
//! | [`validation`] | purged k-fold with embargo, walk-forward, metrics, reliability curves and plots |
//! | [`data`] | FI-2010 loader |
//! | [`conformance`] | the conformance suite every model passes |
//!
//! ```
//! use shortfall_signals::conformance::synthetic;
//! use shortfall_signals::linear::Logistic;
//! use shortfall_signals::validation::{PurgedKFold, fixed_horizon, roc_auc};
//! use shortfall_signals::{Learner, Model, Task};
//!
//! let data = synthetic(Task::Binary, 600, 7);
//! let all = data.view()?;
//! // Labels look 5 rows ahead: purge overlapping rows and embargo 5 more after each block.
//! let folds = PurgedKFold { n_splits: 3, embargo: 5 }.split(&fixed_horizon(600, 5))?;
//! for fold in &folds {
//!     let train = all.select(&fold.train)?;
//!     let test = all.select(&fold.test)?;
//!     let model = Logistic::default().fit(&train.view()?)?;
//!     let p = model.predict(test.features.view())?;
//!     let positive: Vec<bool> = test.labels.iter().map(|&y| y == 1.0).collect();
//!     let auc = roc_auc(&positive, &p.column(1).to_vec())?;
//!     assert!(auc > 0.8, "fold AUC {auc}");
//! }
//! # Ok::<(), shortfall_signals::Error>(())
//! ```
//!
//! ## Feature flags
//! - `plots` (default): SVG reliability diagrams in `validation::plot` (plotters, SVG
//!   backend only, no system fonts). `default-features = false` drops plotters.
#![deny(missing_docs)]
// Numerical kernels index several arrays with one subscript, as the cited formulas do.
#![allow(clippy::needless_range_loop)]

pub mod conformance;
pub mod data;
pub mod drift;
pub mod error;
pub mod gbdt;
pub mod forest;
pub mod linear;
pub mod model;
mod optim;
pub mod regime;
pub mod svm;
pub mod validation;

pub use error::{Error, Result};
pub use model::{Dataset, DynLearner, Learner, Model, OnlineModel, OwnedDataset, Task};
