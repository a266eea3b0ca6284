//! Covariance and correlation models for several return series: RiskMetrics EWMA
//! covariance, Ledoit–Wolf shrinkage towards a scaled identity, and Engle's DCC(1,1) with
//! one-step forecasts; plus the small dense linear algebra they need ([`Matrix`],
//! [`Cholesky`]), written here so the crate needs no linear-algebra dependency.
//!
//! Multivariate returns are passed as T rows of p values (`rows[t][i]` is asset i in
//! period t), as any `&[R]` with `R: AsRef<[f64]>` (`Vec<f64>`, `[f64; P]`, slices).
//!
//! ```
//! use shortfall_risk::cov::{EwmaCovariance, Mean, ledoit_wolf};
//! # fn main() -> shortfall_risk::Result<()> {
//! let rows: Vec<[f64; 3]> = (0..40)
//!     .map(|t| {
//!         let x = t as f64;
//!         [(0.7 * x).sin(), (1.3 * x).cos() + 0.5 * (0.7 * x).sin(), (0.3 * x).sin()]
//!     })
//!     .collect();
//! let lw = ledoit_wolf(&rows, Mean::Estimate)?;
//! assert!((0.0..=1.0).contains(&lw.intensity));
//! lw.covariance.cholesky("shrunk covariance")?; // always positive definite
//! let ewma = EwmaCovariance::batch(0.94, &rows)?;
//! assert_eq!(ewma.in_sample.len(), 40);
//! # Ok(()) }
//! ```

mod dcc;
mod ewma;
mod matrix;
mod shrinkage;

pub use dcc::{Dcc, DccFit, DccForecast, DccParams, DccSimulated};
pub use ewma::{EwmaCovariance, EwmaCovariancePath};
pub use matrix::{Cholesky, Matrix};
pub use shrinkage::{Mean, Shrinkage, ledoit_wolf};

use crate::error::{Error, Result};

/// Checks T×p rows: at least `needed` rows, all of one length p ≥ 1, all finite. Returns p.
/// A bad value is reported with its row-major index t·p + i.
pub(crate) fn check_rows<R: AsRef<[f64]>>(
    what: &'static str,
    rows: &[R],
    needed: usize,
) -> Result<usize> {
    crate::error::check_len(what, rows.len(), needed.max(1))?;
    let p = rows[0].as_ref().len();
    if p == 0 {
        return Err(Error::LengthMismatch {
            what: "return row (number of assets)",
            got: 0,
            expected: 1,
        });
    }
    for (t, row) in rows.iter().enumerate() {
        let r = row.as_ref();
        if r.len() != p {
            return Err(Error::LengthMismatch {
                what: "return row (each row needs one value per asset, as row 0)",
                got: r.len(),
                expected: p,
            });
        }
        if let Some(i) = r.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                what: "returns (row-major index t·p + asset)",
                index: t * p + i,
                value: r[i],
            });
        }
    }
    Ok(p)
}
