//! Reliability (calibration) curves: predicted probability against observed frequency in
//! equal-width bins (DeGroot & Fienberg 1983; Niculescu-Mizil & Caruana 2005), with the
//! expected calibration error `Σ_b (n_b / n) |ō_b − p̄_b|` (Naeini, Cooper & Hauskrecht 2015).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_param};

/// One reliability bin, `[lower, upper)` (the last bin includes 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    /// Lower edge.
    pub lower: f64,
    /// Upper edge.
    pub upper: f64,
    /// Predictions that fell in the bin.
    pub count: usize,
    /// Mean predicted probability in the bin (`NaN` when empty).
    pub mean_predicted: f64,
    /// Fraction of positives in the bin (`NaN` when empty).
    pub observed_frequency: f64,
}

/// A reliability curve and its expected calibration error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationCurve {
    /// The bins, in increasing order.
    pub bins: Vec<ReliabilityBin>,
    /// Expected calibration error over the non-empty bins.
    pub expected_calibration_error: f64,
}

/// Bins predicted probabilities of the positive event into `n_bins` equal-width bins.
///
/// # Errors
/// [`Error::LengthMismatch`], [`Error::TooFewRows`] (empty), [`Error::InvalidParameter`]
/// for `n_bins == 0`, or [`Error::NonFinite`] / [`Error::InvalidParameter`] for a
/// probability outside `[0, 1]` (naming its row).
pub fn calibration_curve(
    positive: &[bool],
    prob: &[f64],
    n_bins: usize,
) -> Result<CalibrationCurve> {
    check_param(n_bins > 0, "n_bins", n_bins, ">= 1")?;
    if prob.len() != positive.len() {
        return Err(Error::LengthMismatch {
            what: "probabilities",
            got: prob.len(),
            expected: positive.len(),
        });
    }
    if prob.is_empty() {
        return Err(Error::TooFewRows {
            what: "calibration curve".into(),
            rows: 0,
            needed: 1,
        });
    }
    let mut count = vec![0usize; n_bins];
    let mut sum_p = vec![0.0; n_bins];
    let mut pos = vec![0usize; n_bins];
    for (row, (&p, &y)) in prob.iter().zip(positive).enumerate() {
        if !p.is_finite() {
            return Err(Error::NonFinite {
                what: "probabilities",
                row,
                col: 0,
                value: p,
            });
        }
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::InvalidParameter {
                name: "probability",
                value: format!("{p} (row {row})"),
                allowed: "0 <= p <= 1",
            });
        }
        let b = ((p * n_bins as f64) as usize).min(n_bins - 1);
        count[b] += 1;
        sum_p[b] += p;
        pos[b] += usize::from(y);
    }
    let n = prob.len() as f64;
    let mut ece = 0.0;
    let bins = (0..n_bins)
        .map(|b| {
            let (mp, of) = if count[b] > 0 {
                let c = count[b] as f64;
                (sum_p[b] / c, pos[b] as f64 / c)
            } else {
                (f64::NAN, f64::NAN)
            };
            if count[b] > 0 {
                ece += count[b] as f64 / n * (of - mp).abs();
            }
            ReliabilityBin {
                lower: b as f64 / n_bins as f64,
                upper: (b + 1) as f64 / n_bins as f64,
                count: count[b],
                mean_predicted: mp,
                observed_frequency: of,
            }
        })
        .collect();
    Ok(CalibrationCurve {
        bins,
        expected_calibration_error: ece,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_by_hand() {
        let p = [0.05, 0.15, 0.45, 0.55, 0.95, 1.0];
        let y = [false, true, false, true, true, true];
        let c = calibration_curve(&y, &p, 2).unwrap();
        assert_eq!(c.bins[0].count, 3);
        assert!((c.bins[0].mean_predicted - 0.65 / 3.0).abs() < 1e-15);
        assert!((c.bins[0].observed_frequency - 1.0 / 3.0).abs() < 1e-15);
        assert_eq!(c.bins[1].count, 3);
        assert!((c.bins[1].observed_frequency - 1.0).abs() < 1e-15);
        let want = 0.5 * (1.0 / 3.0 - 0.65 / 3.0f64).abs() + 0.5 * (1.0 - 2.5 / 3.0f64).abs();
        assert!((c.expected_calibration_error - want).abs() < 1e-15);
    }

    #[test]
    fn probability_outside_unit_interval_names_the_row() {
        let err = calibration_curve(&[true, false], &[0.5, 1.5], 10).unwrap_err();
        assert!(err.to_string().contains("row 1"), "{err}");
    }
}
