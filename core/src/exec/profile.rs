//! Intraday volume profiles.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The expected share of the horizon's market volume in each of `n` equal time bins.
///
/// Used by VWAP schedules (trade in proportion to expected volume) and by environments that
/// generate market volume. Weights are normalised to sum to 1 on construction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<f64>", into = "Vec<f64>")]
pub struct VolumeProfile {
    weights: Vec<f64>,
    /// `cumulative[i]` = share of volume in bins `0..i` (`n + 1` entries, from 0 to 1).
    cumulative: Vec<f64>,
}

impl TryFrom<Vec<f64>> for VolumeProfile {
    type Error = Error;
    fn try_from(w: Vec<f64>) -> Result<Self> {
        VolumeProfile::new(w)
    }
}

impl From<VolumeProfile> for Vec<f64> {
    fn from(p: VolumeProfile) -> Self {
        p.weights
    }
}

impl VolumeProfile {
    /// A profile from non-negative bin weights (normalised to sum to 1).
    ///
    /// # Errors
    /// [`Error::Invalid`] when empty, a weight is negative or not finite, or all are 0.
    pub fn new(weights: Vec<f64>) -> Result<Self> {
        let invalid = |reason: String| Error::Invalid {
            what: "volume profile",
            reason,
        };
        if weights.is_empty() {
            return Err(invalid("no bins".into()));
        }
        if let Some((i, w)) = weights
            .iter()
            .enumerate()
            .find(|(_, w)| !w.is_finite() || **w < 0.0)
        {
            return Err(invalid(format!("bin {i} has weight {w}")));
        }
        let total: f64 = weights.iter().sum();
        if total <= 0.0 || !total.is_finite() {
            return Err(invalid(format!("weights sum to {total}")));
        }
        let weights: Vec<f64> = weights.iter().map(|w| w / total).collect();
        let mut cumulative = Vec::with_capacity(weights.len() + 1);
        let mut acc = 0.0;
        cumulative.push(0.0);
        for w in &weights {
            acc += w;
            cumulative.push(acc);
        }
        // Remove rounding drift so the profile ends exactly at 1.
        *cumulative.last_mut().expect("n + 1 >= 2 entries") = 1.0;
        Ok(VolumeProfile {
            weights,
            cumulative,
        })
    }

    /// Equal volume in each of `bins` bins.
    ///
    /// # Errors
    /// [`Error::Invalid`] when `bins` is 0.
    pub fn flat(bins: usize) -> Result<Self> {
        Self::new(vec![1.0; bins])
    }

    /// The default intraday U shape over `bins` bins: density `1 + 2 (2u − 1)²` at time
    /// fraction `u` of the day, integrated exactly over each bin, so the open and the close
    /// trade three times the midday rate — the stylised U of equity volume (Admati &
    /// Pfleiderer 1988; Jain & Joh 1988 report open and close rates 2–3 × midday).
    ///
    /// # Errors
    /// [`Error::Invalid`] when `bins` is 0.
    pub fn u_shape(bins: usize) -> Result<Self> {
        // Antiderivative of 1 + 2(2u-1)^2 is u + (2u-1)^3 / 3.
        let f = |u: f64| u + (2.0 * u - 1.0).powi(3) / 3.0;
        let n = bins as f64;
        Self::new(
            (0..bins)
                .map(|i| f((i + 1) as f64 / n) - f(i as f64 / n))
                .collect(),
        )
    }

    /// The average profile of observed per-bin volumes (e.g. one row per past day, from
    /// data or a simulator): each row is normalised to shares, then the shares are averaged,
    /// so heavy days do not dominate.
    ///
    /// # Errors
    /// [`Error::Invalid`] when there are no rows, rows differ in length, or a row is not a
    /// valid profile.
    pub fn estimate<R: AsRef<[f64]>>(rows: &[R]) -> Result<Self> {
        let first = rows.first().ok_or_else(|| Error::Invalid {
            what: "volume profile estimate",
            reason: "no rows".into(),
        })?;
        let bins = first.as_ref().len();
        let mut mean = vec![0.0; bins];
        for (r, row) in rows.iter().enumerate() {
            let row = row.as_ref();
            if row.len() != bins {
                return Err(Error::Invalid {
                    what: "volume profile estimate",
                    reason: format!("row {r} has {} bins, row 0 has {bins}", row.len()),
                });
            }
            let p = Self::new(row.to_vec()).map_err(|e| Error::Invalid {
                what: "volume profile estimate",
                reason: format!("row {r}: {e}"),
            })?;
            for (m, w) in mean.iter_mut().zip(&p.weights) {
                *m += w / rows.len() as f64;
            }
        }
        Self::new(mean)
    }

    /// The normalised bin weights (summing to 1).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Number of bins.
    pub fn bins(&self) -> usize {
        self.weights.len()
    }

    /// Share of the horizon's volume expected by time fraction `u` (clamped to `[0, 1]`),
    /// linear within bins; 0 at `u = 0`, exactly 1 at `u = 1`.
    pub fn cumulative(&self, u: f64) -> f64 {
        if u.is_nan() || u <= 0.0 {
            return 0.0;
        }
        if u >= 1.0 {
            return 1.0;
        }
        let x = u * self.bins() as f64;
        let i = (x.floor() as usize).min(self.bins() - 1);
        let frac = x - i as f64;
        self.cumulative[i] + frac * self.weights[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u_shape_integrates_the_documented_density() {
        let p = VolumeProfile::u_shape(2).unwrap();
        // Symmetric: each half holds half the volume.
        assert!((p.weights()[0] - 0.5).abs() < 1e-15);
        let p = VolumeProfile::u_shape(4).unwrap();
        // Total integral is 1 + 2/3 = 5/3. First quarter: 1/4 + ((-1/2)^3 - (-1)^3)/3
        // = 1/4 + (7/8)/3 = 13/24; share = (13/24)/(5/3) = 13/40.
        assert!((p.weights()[0] - 13.0 / 40.0).abs() < 1e-15);
        assert!((p.weights()[1] - (0.5 - 13.0 / 40.0)).abs() < 1e-15);
        assert!(p.weights()[0] > 1.8 * p.weights()[1]);
    }

    #[test]
    fn cumulative_interpolates_within_bins() {
        let p = VolumeProfile::new(vec![1.0, 3.0]).unwrap();
        assert_eq!(p.cumulative(0.0), 0.0);
        assert!((p.cumulative(0.25) - 0.125).abs() < 1e-15);
        assert!((p.cumulative(0.5) - 0.25).abs() < 1e-15);
        assert!((p.cumulative(0.75) - 0.625).abs() < 1e-15);
        assert_eq!(p.cumulative(1.0), 1.0);
        let flat = VolumeProfile::flat(7).unwrap();
        for k in 0..=7 {
            let u = k as f64 / 7.0;
            assert!((flat.cumulative(u) - u).abs() < 1e-15);
        }
    }

    #[test]
    fn estimate_averages_shares_not_volumes() {
        let rows = [vec![10.0, 30.0], vec![1000.0, 1000.0]];
        let p = VolumeProfile::estimate(&rows).unwrap();
        assert!((p.weights()[0] - (0.25 + 0.5) / 2.0).abs() < 1e-15);
        assert!(VolumeProfile::estimate(&[vec![1.0], vec![1.0, 2.0]]).is_err());
        assert!(VolumeProfile::estimate::<Vec<f64>>(&[]).is_err());
    }

    #[test]
    fn bad_profiles_are_rejected_with_the_bin() {
        assert!(VolumeProfile::new(vec![]).is_err());
        assert!(VolumeProfile::new(vec![0.0, 0.0]).is_err());
        let e = VolumeProfile::new(vec![1.0, -1.0]).unwrap_err().to_string();
        assert!(e.contains("bin 1"), "{e}");
        assert!(VolumeProfile::flat(0).is_err());
    }
}
