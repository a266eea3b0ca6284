//! Classification and ranking metrics. Every function checks its inputs and fails with a
//! clear error on mismatched lengths, empty input or non-finite values.

use ndarray::ArrayView2;

use crate::error::{Error, Result};

fn check_len(what: &'static str, got: usize, expected: usize) -> Result<()> {
    if got != expected {
        return Err(Error::LengthMismatch {
            what,
            got,
            expected,
        });
    }
    if expected == 0 {
        return Err(Error::TooFewRows {
            what: what.to_string(),
            rows: 0,
            needed: 1,
        });
    }
    Ok(())
}

fn check_finite(what: &'static str, v: &[f64]) -> Result<()> {
    match v.iter().position(|x| !x.is_finite()) {
        Some(row) => Err(Error::NonFinite {
            what,
            row,
            col: 0,
            value: v[row],
        }),
        None => Ok(()),
    }
}

/// Fraction of rows where the predicted class equals the true class.
///
/// # Errors
/// [`Error::LengthMismatch`] or [`Error::TooFewRows`] (empty input).
pub fn accuracy(y_true: &[usize], y_pred: &[usize]) -> Result<f64> {
    check_len("predicted classes", y_pred.len(), y_true.len())?;
    let hits = y_true.iter().zip(y_pred).filter(|(a, b)| a == b).count();
    Ok(hits as f64 / y_true.len() as f64)
}

/// Macro-averaged F1: the unweighted mean over classes of `2·TP / (2·TP + FP + FN)`,
/// taken over the classes that occur in `y_true` or `y_pred` (a class absent from both has
/// no defined F1 and is skipped).
///
/// # Errors
/// [`Error::LengthMismatch`] or [`Error::TooFewRows`] (empty input).
pub fn macro_f1(y_true: &[usize], y_pred: &[usize]) -> Result<f64> {
    check_len("predicted classes", y_pred.len(), y_true.len())?;
    let k = y_true.iter().chain(y_pred).max().map_or(0, |m| m + 1);
    let (mut tp, mut fp, mut fneg) = (vec![0usize; k], vec![0usize; k], vec![0usize; k]);
    for (&t, &p) in y_true.iter().zip(y_pred) {
        if t == p {
            tp[t] += 1;
        } else {
            fp[p] += 1;
            fneg[t] += 1;
        }
    }
    let mut sum = 0.0;
    let mut classes = 0;
    for c in 0..k {
        let denom = 2 * tp[c] + fp[c] + fneg[c];
        if denom > 0 {
            sum += 2.0 * tp[c] as f64 / denom as f64;
            classes += 1;
        }
    }
    Ok(sum / classes as f64)
}

/// Mean negative log-likelihood of the true classes under predicted probabilities
/// (`n × k`), with probabilities clipped to `[1e-15, 1]` so a confident miss costs
/// `−ln 1e-15 ≈ 34.5` rather than infinity.
///
/// # Errors
/// [`Error::LengthMismatch`], [`Error::TooFewRows`], [`Error::NonFinite`] (a bad
/// probability, with its row and column) or [`Error::InvalidLabel`] (a class outside the
/// `k` columns).
pub fn log_loss(y_true: &[usize], proba: ArrayView2<'_, f64>) -> Result<f64> {
    check_len("probability rows", proba.nrows(), y_true.len())?;
    let mut s = 0.0;
    for (row, (&y, p)) in y_true.iter().zip(proba.outer_iter()).enumerate() {
        if let Some(col) = p.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                what: "probabilities",
                row,
                col,
                value: p[col],
            });
        }
        if y >= p.len() {
            return Err(Error::InvalidLabel {
                row,
                value: y as f64,
                reason: format!("class outside the {} probability columns", p.len()),
            });
        }
        s -= p[y].clamp(1e-15, 1.0).ln();
    }
    Ok(s / y_true.len() as f64)
}

/// Midranks (1-based; tied values share the mean of the ranks they span).
pub(crate) fn midranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut ranks = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            ranks[k] = r;
        }
        i = j + 1;
    }
    ranks
}

/// Area under the ROC curve for scores of the positive class, computed as the
/// Mann–Whitney statistic `U / (n₊ n₋)` with midranks, so a tied positive/negative pair
/// counts one half (Hanley & McNeil 1982, eq. (1); Mann & Whitney 1947).
///
/// # Errors
/// [`Error::LengthMismatch`], [`Error::TooFewRows`], [`Error::NonFinite`] (a score), or
/// [`Error::SingleClass`] when only positives or only negatives are present.
pub fn roc_auc(positive: &[bool], scores: &[f64]) -> Result<f64> {
    check_len("scores", scores.len(), positive.len())?;
    check_finite("scores", scores)?;
    let n_pos = positive.iter().filter(|&&p| p).count();
    let n_neg = positive.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return Err(Error::SingleClass {
            class: usize::from(n_pos > 0),
        });
    }
    let ranks = midranks(scores);
    let rank_sum: f64 = ranks
        .iter()
        .zip(positive)
        .filter(|(_, p)| **p)
        .map(|(r, _)| r)
        .sum();
    let u = rank_sum - (n_pos * (n_pos + 1)) as f64 / 2.0;
    Ok(u / (n_pos as f64 * n_neg as f64))
}

/// Information coefficient: Spearman's rank correlation between forecasts and realised
/// outcomes (Pearson correlation of midranks, so ties are handled; Grinold & Kahn,
/// *Active Portfolio Management*, 2nd ed., ch. 6).
///
/// # Errors
/// [`Error::LengthMismatch`], [`Error::TooFewRows`] (fewer than 2 rows), [`Error::NonFinite`],
/// or [`Error::Numerical`] when either input is constant (the correlation is undefined).
pub fn information_coefficient(forecast: &[f64], realised: &[f64]) -> Result<f64> {
    check_len("realised values", realised.len(), forecast.len())?;
    if forecast.len() < 2 {
        return Err(Error::TooFewRows {
            what: "information coefficient".into(),
            rows: forecast.len(),
            needed: 2,
        });
    }
    check_finite("forecasts", forecast)?;
    check_finite("realised values", realised)?;
    let (a, b) = (midranks(forecast), midranks(realised));
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(&b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma).powi(2);
        sbb += (y - mb).powi(2);
    }
    if saa == 0.0 || sbb == 0.0 {
        return Err(Error::Numerical {
            what: "information coefficient",
            reason: "a constant input has no rank correlation".into(),
        });
    }
    Ok(sab / (saa * sbb).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn accuracy_and_macro_f1_by_hand() {
        let t = [0, 0, 1, 1, 2, 2];
        let p = [0, 1, 1, 1, 2, 0];
        assert!((accuracy(&t, &p).unwrap() - 4.0 / 6.0).abs() < 1e-15);
        // class 0: TP1 FP1 FN1 → 2/4; class 1: TP2 FP1 FN0 → 4/5; class 2: TP1 FP0 FN1 → 2/3.
        let want = (0.5 + 0.8 + 2.0 / 3.0) / 3.0;
        assert!((macro_f1(&t, &p).unwrap() - want).abs() < 1e-15);
        assert!(matches!(
            accuracy(&t, &p[..5]),
            Err(Error::LengthMismatch {
                got: 5,
                expected: 6,
                ..
            })
        ));
    }

    #[test]
    fn log_loss_by_hand() {
        let p = array![[0.8, 0.2], [0.3, 0.7], [1.0, 0.0]];
        let got = log_loss(&[0, 1, 1], p.view()).unwrap();
        let want = (-(0.8f64.ln()) - 0.7f64.ln() - 1e-15f64.ln()) / 3.0;
        assert!((got - want).abs() < 1e-12);
        assert!(matches!(
            log_loss(&[0, 2, 1], p.view()),
            Err(Error::InvalidLabel { row: 1, .. })
        ));
    }

    #[test]
    fn auc_counts_ties_as_half_by_pair_enumeration() {
        // Pairs (pos, neg): pos scores {0.9, 0.5, 0.5}, neg {0.5, 0.1}.
        // 0.9>0.5,0.9>0.1, 0.5=0.5 (½), 0.5>0.1, 0.5=0.5 (½), 0.5>0.1 → 5/6.
        let pos = [true, false, true, true, false];
        let s = [0.9, 0.5, 0.5, 0.5, 0.1];
        assert!((roc_auc(&pos, &s).unwrap() - 5.0 / 6.0).abs() < 1e-15);
        assert!(matches!(
            roc_auc(&[true, true], &[0.1, 0.2]),
            Err(Error::SingleClass { class: 1 })
        ));
    }

    #[test]
    fn information_coefficient_is_one_for_monotone_and_handles_ties() {
        let f = [1.0, 2.0, 3.0, 4.0];
        let r = [10.0, 20.0, 25.0, 100.0];
        assert!((information_coefficient(&f, &r).unwrap() - 1.0).abs() < 1e-15);
        // Ranks of [1,2,2,3] = [1,2.5,2.5,4]; of [1,3,2,4] = [1,3,2,4]:
        // centred a = [-1.5,0,0,1.5], b = [-1.5,.5,-.5,1.5]; Σab = 4.5, Σa² = 4.5, Σb² = 5.
        let ic = information_coefficient(&[1.0, 2.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 4.0]).unwrap();
        assert!((ic - 4.5 / (4.5f64 * 5.0).sqrt()).abs() < 1e-15);
        assert!(information_coefficient(&[1.0, 1.0], &[1.0, 2.0]).is_err());
    }
}
