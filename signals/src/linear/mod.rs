//! Linear models: L2-regularised multinomial logistic regression and the exponentially
//! weighted recursive least squares filter for regime-adaptive signals.

pub mod logistic;
pub mod rls;

pub use logistic::{Logistic, LogisticModel};
pub use rls::{Rls, RlsModel};

use ndarray::{Array1, ArrayView2};

/// Column means and standard deviations (population, weighted); constant columns get a
/// standard deviation of 1 so they pass through centred.
pub(crate) fn standardiser(x: ArrayView2<'_, f64>, w: &[f64]) -> (Array1<f64>, Array1<f64>) {
    let d = x.ncols();
    let total: f64 = w.iter().sum();
    let mut mean = Array1::<f64>::zeros(d);
    for (row, &wi) in x.outer_iter().zip(w) {
        mean.scaled_add(wi / total, &row);
    }
    let mut var = Array1::<f64>::zeros(d);
    for (row, &wi) in x.outer_iter().zip(w) {
        for j in 0..d {
            var[j] += wi / total * (row[j] - mean[j]).powi(2);
        }
    }
    let sd = var.mapv(|v| if v > 1e-24 { v.sqrt() } else { 1.0 });
    (mean, sd)
}
