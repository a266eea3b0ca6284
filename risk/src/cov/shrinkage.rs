//! Ledoit–Wolf shrinkage of the sample covariance towards a scaled identity.
//!
//! Ledoit, O. & Wolf, M. (2004). A well-conditioned estimator for large-dimensional
//! covariance matrices. *Journal of Multivariate Analysis* 88, 365–411. The target is the
//! **scaled identity** m·I of that paper (not the constant-correlation target of their
//! "Honey, I shrunk the sample covariance matrix" paper), and the intensity is their
//! consistent estimator of the optimal one (Lemmas 3.2–3.3, Theorem 3.4, eq. (14)).
//! With the norm ‖A‖² = tr(AAᵀ)/p and ⟨A, B⟩ = tr(ABᵀ)/p, data x₁ … xₙ ∈ ℝᵖ (centred)
//! and S = (1/n) Σₖ xₖxₖᵀ:
//!
//! - m = ⟨S, I⟩ = tr(S)/p,
//! - d² = ‖S − m·I‖²,
//! - b̄² = (1/n²) Σₖ ‖xₖxₖᵀ − S‖², b² = min(b̄², d²), a² = d² − b²,
//! - S* = (b²/d²)·m·I + (a²/d²)·S, intensity δ = b²/d² ∈ [0, 1].
//!
//! The sum in b̄² is evaluated in O(np) as Σₖ |xₖ|⁴ − n·tr(S²), since
//! ‖xxᵀ − S‖²·p = |x|⁴ − 2xᵀSx + tr(S²) and Σₖ xₖᵀSxₖ = n·tr(S²).
//! S* is positive definite whenever m > 0 and δ > 0, even when p > n.
//!
//! **Centring**: [`Mean::Estimate`] subtracts the sample mean and keeps the divisor n (as
//! the paper, and as scikit-learn's `LedoitWolf`); [`Mean::Zero`] takes the data as
//! already centred.

use super::{Matrix, check_rows};
use crate::error::Result;

/// How the data are centred before the covariance is formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mean {
    /// Subtract the sample mean of each column.
    Estimate,
    /// The data have mean zero already (e.g. returns under RiskMetrics' assumption).
    Zero,
}

/// The Ledoit–Wolf estimate and its ingredients.
#[derive(Debug, Clone, PartialEq)]
pub struct Shrinkage {
    /// The shrunk covariance S* = δ·m·I + (1 − δ)·S.
    pub covariance: Matrix,
    /// The sample covariance S (divisor n) it was built from.
    pub sample: Matrix,
    /// m = tr(S)/p, the scale of the identity target.
    pub target_scale: f64,
    /// The shrinkage intensity δ = b²/d² ∈ [0, 1] (0 when S is already a multiple of I).
    pub intensity: f64,
}

/// The Ledoit–Wolf (2004) shrinkage estimate of the covariance of T×p data `rows` (see the
/// module docs for the formulas).
///
/// # Errors
/// [`crate::Error::TooShort`] for fewer than 2 rows, [`crate::Error::LengthMismatch`] for
/// ragged rows, [`crate::Error::NonFinite`] at the first NaN/inf.
pub fn ledoit_wolf<R: AsRef<[f64]>>(rows: &[R], mean: Mean) -> Result<Shrinkage> {
    let p = check_rows("Ledoit-Wolf shrinkage", rows, 2)?;
    let n = rows.len();
    let mut mu = vec![0.0; p];
    if mean == Mean::Estimate {
        for row in rows {
            for (m, v) in mu.iter_mut().zip(row.as_ref()) {
                *m += v;
            }
        }
        mu.iter_mut().for_each(|m| *m /= n as f64);
    }
    let mut s = vec![0.0; p * p];
    let mut sum_norm4 = 0.0;
    let mut x = vec![0.0; p];
    for row in rows {
        for (xi, (v, m)) in x.iter_mut().zip(row.as_ref().iter().zip(&mu)) {
            *xi = v - m;
        }
        let norm2: f64 = x.iter().map(|v| v * v).sum();
        sum_norm4 += norm2 * norm2;
        for i in 0..p {
            for j in 0..=i {
                s[i * p + j] += x[i] * x[j];
            }
        }
    }
    for i in 0..p {
        for j in 0..=i {
            s[i * p + j] /= n as f64;
            s[j * p + i] = s[i * p + j];
        }
    }
    let pf = p as f64;
    let m = (0..p).map(|i| s[i * p + i]).sum::<f64>() / pf;
    let tr_s2: f64 = s.iter().map(|v| v * v).sum();
    // d² = ‖S − mI‖² = (tr S² − 2m·tr S + m²p)/p = tr S²/p − m².
    let d2 = (tr_s2 / pf - m * m).max(0.0);
    let b_bar2 = ((sum_norm4 - n as f64 * tr_s2) / pf / (n as f64 * n as f64)).max(0.0);
    let b2 = b_bar2.min(d2);
    let intensity = if d2 > 0.0 { b2 / d2 } else { 0.0 };
    let mut shrunk = s.clone();
    shrunk.iter_mut().for_each(|v| *v *= 1.0 - intensity);
    for i in 0..p {
        shrunk[i * p + i] += intensity * m;
    }
    Ok(Shrinkage {
        covariance: Matrix::from_parts(p, shrunk),
        sample: Matrix::from_parts(p, s),
        target_scale: m,
        intensity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    /// The paper's formulas written out with explicit p×p matrices for every observation —
    /// deliberately the slow, literal way, independent of the O(np) shortcut above.
    fn literal(rows: &[Vec<f64>], centre: bool) -> (Vec<f64>, f64) {
        let n = rows.len();
        let p = rows[0].len();
        let mu: Vec<f64> = (0..p)
            .map(|i| {
                if centre {
                    rows.iter().map(|r| r[i]).sum::<f64>() / n as f64
                } else {
                    0.0
                }
            })
            .collect();
        let xs: Vec<Vec<f64>> = rows
            .iter()
            .map(|r| r.iter().zip(&mu).map(|(a, b)| a - b).collect())
            .collect();
        let outer = |x: &Vec<f64>| -> Vec<f64> {
            let mut o = vec![0.0; p * p];
            for i in 0..p {
                for j in 0..p {
                    o[i * p + j] = x[i] * x[j];
                }
            }
            o
        };
        let mut s = vec![0.0; p * p];
        for x in &xs {
            for (a, b) in s.iter_mut().zip(outer(x)) {
                *a += b / n as f64;
            }
        }
        let norm2 = |a: &[f64]| a.iter().map(|v| v * v).sum::<f64>() / p as f64;
        let m = (0..p).map(|i| s[i * p + i]).sum::<f64>() / p as f64;
        let mut s_minus = s.clone();
        for i in 0..p {
            s_minus[i * p + i] -= m;
        }
        let d2 = norm2(&s_minus);
        let mut b_bar2 = 0.0;
        for x in &xs {
            let diff: Vec<f64> = outer(x).iter().zip(&s).map(|(a, b)| a - b).collect();
            b_bar2 += norm2(&diff);
        }
        b_bar2 /= (n * n) as f64;
        let b2 = b_bar2.min(d2);
        let a2 = d2 - b2;
        let mut star = vec![0.0; p * p];
        for i in 0..p {
            for j in 0..p {
                let target = if i == j { m } else { 0.0 };
                star[i * p + j] = b2 / d2 * target + a2 / d2 * s[i * p + j];
            }
        }
        (star, b2 / d2)
    }

    fn sample() -> Vec<Vec<f64>> {
        // Eight observations of three assets (arbitrary, with some correlation).
        vec![
            vec![0.5, 1.0, -0.3],
            vec![-1.2, -0.7, 0.4],
            vec![0.3, 0.9, 1.1],
            vec![2.0, 1.4, -0.8],
            vec![-0.6, 0.1, 0.0],
            vec![0.9, -0.2, 0.6],
            vec![-1.5, -1.9, -0.4],
            vec![0.1, 0.6, 0.2],
        ]
    }

    #[test]
    fn matches_the_literal_closed_form() {
        for (mean, centre) in [(Mean::Estimate, true), (Mean::Zero, false)] {
            let got = ledoit_wolf(&sample(), mean).unwrap();
            let (want, delta) = literal(&sample(), centre);
            assert!((got.intensity - delta).abs() < 1e-12, "{got:?} vs {delta}");
            for (g, w) in got.covariance.as_slice().iter().zip(&want) {
                assert!((g - w).abs() < 1e-12, "{g} vs {w}");
            }
            assert!(got.intensity > 0.0 && got.intensity < 1.0);
        }
    }

    #[test]
    fn scaled_identity_sample_needs_no_shrinkage() {
        // ±e₁, ±e₂ (mean zero): S = I/2 exactly, so d² = 0 and S* = S.
        let rows = vec![
            vec![1.0, 0.0],
            vec![-1.0, 0.0],
            vec![0.0, 1.0],
            vec![0.0, -1.0],
        ];
        let lw = ledoit_wolf(&rows, Mean::Estimate).unwrap();
        assert_eq!(lw.intensity, 0.0);
        assert_eq!(lw.covariance, lw.sample);
        assert!((lw.target_scale - 0.5).abs() < 1e-15);
    }

    #[test]
    fn more_assets_than_observations_still_gives_a_positive_definite_estimate() {
        // p = 6 > n = 4: S has rank ≤ 3 and fails Cholesky; S* does not.
        let rows: Vec<Vec<f64>> = (0..4)
            .map(|t| {
                (0..6)
                    .map(|i| ((t * 7 + i * 3) as f64 * 0.9).sin())
                    .collect()
            })
            .collect();
        let lw = ledoit_wolf(&rows, Mean::Estimate).unwrap();
        assert!(matches!(
            lw.sample.cholesky("sample"),
            Err(Error::NotPositiveDefinite { .. })
        ));
        lw.covariance.cholesky("shrunk").unwrap();
    }

    #[test]
    fn too_few_rows_or_nan_is_an_error() {
        assert!(matches!(
            ledoit_wolf(&[vec![1.0, 2.0]], Mean::Estimate),
            Err(Error::TooShort { needed: 2, .. })
        ));
        assert!(matches!(
            ledoit_wolf(&[vec![1.0, 2.0], vec![f64::NAN, 0.0]], Mean::Estimate),
            Err(Error::NonFinite { index: 2, .. })
        ));
    }
}
