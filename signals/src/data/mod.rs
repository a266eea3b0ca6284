//! Loaders for public benchmark datasets (users bring their own copies).

pub mod fi2010;

pub use fi2010::{FI2010_FEATURES, FI2010_HORIZONS, Fi2010, load_fi2010};
