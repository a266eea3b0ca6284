//! # shortfall-signals
//!
//! Signal models behind one trait (gradient boosting, random forest, SVM, logistic and
//! online linear models, clustering and HMM regimes, LSTM and Transformer on burn) and
//! walk-forward validation.
//!
//! Every supervised model is a [`model::Learner`] (configured, unfitted) whose fit returns
//! a serialisable [`model::Model`] that predicts class probabilities or values for a
//! validated [`model::Dataset`].
#![deny(missing_docs)]
// Numerical kernels index several arrays with one subscript, as the cited formulas do.
#![allow(clippy::needless_range_loop)]

pub mod conformance;
pub mod error;
pub mod gbdt;
pub mod linear;
pub mod model;
mod optim;
pub mod regime;
pub mod validation;

pub use error::{Error, Result};
pub use model::{Dataset, DynLearner, Learner, Model, OnlineModel, OwnedDataset, Task};
