//! # shortfall-signals
//!
//! Signal models behind one trait (gradient boosting, random forest, SVM, logistic and
//! online linear models, clustering and HMM regimes, LSTM and Transformer on burn) and
//! walk-forward validation.
//!
//! Status: this crate is a placeholder for the signals issue; it exports nothing yet.
#![deny(missing_docs)]

pub mod gbdt;
