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

pub mod error;
pub mod model;

pub use error::{Error, Result};
pub use model::{Dataset, DynLearner, Learner, Model, OwnedDataset, Task};
