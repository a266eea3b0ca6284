//! Goodness of fit by the time-rescaling theorem.

use super::HawkesParams;
use super::likelihood::validate_events;
use crate::error::Result;

/// The compensator increments Λ_i(t_k^i) − Λ_i(t_{k−1}^i) between consecutive events of each
/// type `i` (from 0 for the first), where Λ_i(t) = ∫_0^t λ_i is the compensator. Under the
/// true model each type's increments are i.i.d. Exp(1) (time-rescaling theorem: Brown,
/// Barbieri, Ventura, Kass & Frank 2002; Daley & Vere-Jones 2003, thm 7.4.I), so their
/// distribution checks a fit ([`ks_exponential`]).
///
/// Computed with the likelihood's recursion, O(N·dim²):
/// Λ_i(t) = μ_i t + Σ_j (α_ij/β_ij)(N_j(t⁻) − A_ij(t)), A_ij(t) = Σ_{s<t, type j} e^{−β_ij (t−s)}.
/// Equal times are taken in list order, as in [`log_likelihood`](super::log_likelihood).
///
/// # Errors
/// As [`log_likelihood`](super::log_likelihood) for invalid events.
pub fn time_rescaled_intervals(
    p: &HawkesParams,
    events: &[(f64, usize)],
    t_end: f64,
) -> Result<Vec<Vec<f64>>> {
    let d = p.dim();
    validate_events(events, d, t_end)?;
    let (mu, alpha, beta) = (p.mu(), p.alpha_flat(), p.beta_flat());
    let mut a = vec![0.0; d * d];
    let mut counts = vec![0.0; d];
    let mut last = vec![0.0; d];
    let mut out: Vec<Vec<f64>> = vec![Vec::new(); d];
    let mut prev_t = 0.0;
    let mut prev_kind: Option<usize> = None;
    for &(t, i) in events {
        let dt = t - prev_t;
        if let Some(j) = prev_kind {
            counts[j] += 1.0;
        }
        for (k, ak) in a.iter_mut().enumerate() {
            let plus = if prev_kind == Some(k % d) { 1.0 } else { 0.0 };
            *ak = (*ak + plus) * (-beta[k] * dt).exp();
        }
        let row = i * d..(i + 1) * d;
        let big: f64 = mu[i] * t
            + row
                .clone()
                .map(|k| alpha[k] / beta[k] * (counts[k % d] - a[k]))
                .sum::<f64>();
        out[i].push(big - last[i]);
        last[i] = big;
        prev_t = t;
        prev_kind = Some(i);
    }
    Ok(out)
}

/// The Kolmogorov–Smirnov statistic D = sup |F̂(x) − (1 − e^{−x})| of a sample against the
/// unit exponential distribution; NaN for an empty sample. Under H0, √n·D exceeds 1.36 with
/// probability 5% and 1.95 with probability 0.1% (asymptotic Kolmogorov distribution).
pub fn ks_exponential(sample: &[f64]) -> f64 {
    if sample.is_empty() {
        return f64::NAN;
    }
    let mut x = sample.to_vec();
    x.sort_by(f64::total_cmp);
    let n = x.len() as f64;
    let mut d: f64 = 0.0;
    for (k, &v) in x.iter().enumerate() {
        let f = 1.0 - (-v).exp();
        d = d.max((k as f64 + 1.0) / n - f).max(f - k as f64 / n);
    }
    d
}
