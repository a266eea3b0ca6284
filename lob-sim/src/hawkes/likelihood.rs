//! The exact log-likelihood of an exponential Hawkes process and its gradient, by the
//! O(N·dim²) recursion of Ogata (1978) / Ozaki (1979).

use super::HawkesParams;
use crate::error::{Error, Result};

/// Checks an event list for [`log_likelihood`] and [`fit`](super::fit): times finite, in
/// \[0, `t_end`\] and non-decreasing; types below `dim`; `t_end` finite and positive.
pub(crate) fn validate_events(events: &[(f64, usize)], dim: usize, t_end: f64) -> Result<()> {
    let bad = |what: String, reason: String| Error::InvalidParameter { what, reason };
    if !(t_end.is_finite() && t_end > 0.0) {
        return Err(bad(
            "t_end".into(),
            format!("must be finite and > 0, got {t_end}"),
        ));
    }
    let mut prev = 0.0;
    for (k, &(t, j)) in events.iter().enumerate() {
        if !(t.is_finite() && (0.0..=t_end).contains(&t)) {
            return Err(bad(
                format!("events[{k}].time"),
                format!("must be finite and in [0, t_end = {t_end}], got {t}"),
            ));
        }
        if t < prev {
            return Err(bad(
                format!("events[{k}].time"),
                format!("times must be non-decreasing, got {t} after {prev}"),
            ));
        }
        if j >= dim {
            return Err(bad(
                format!("events[{k}].dim"),
                format!("must be below the dimension {dim}, got {j}"),
            ));
        }
        prev = t;
    }
    Ok(())
}

/// The log-likelihood of `events` on \[0, `t_end`\] under `p`, with empty history before 0:
///
/// ℓ = Σ_i [ Σ_{t_k^i} ln λ_i(t_k^i) − ∫_0^T λ_i(s) ds ],
/// ∫_0^T λ_i = μ_i T + Σ_j (α_ij/β_ij) Σ_{t_k^j} (1 − e^{−β_ij (T − t_k^j)})
///
/// (Daley & Vere-Jones 2003, prop. 7.2.III), evaluated with the recursion
/// A_ij(t_k) = e^{−β_ij (t_k − t_{k−1})} (A_ij(t_{k−1}) + 1\[type of k−1 = j\]) so that
/// λ_i(t_k) = μ_i + Σ_j α_ij A_ij(t_k) (Ozaki 1979): O(N·dim²) time, O(dim²) memory.
/// Events with equal times are taken in list order, each counting as before the next (a
/// Hawkes process has no simultaneous events, but data rounded to a clock may).
///
/// # Errors
/// [`Error::InvalidParameter`] for an event list that [`fit`](super::fit) would also
/// reject: a time not finite or outside \[0, `t_end`\], decreasing times, a type ≥ `dim`, or
/// `t_end` not finite and positive.
pub fn log_likelihood(p: &HawkesParams, events: &[(f64, usize)], t_end: f64) -> Result<f64> {
    validate_events(events, p.dim(), t_end)?;
    let mut work = Workspace::new(p.dim());
    Ok(work.evaluate(events, t_end, p.mu(), p.alpha_flat(), p.beta_flat(), false))
}

/// Buffers for [`Workspace::evaluate`], reused across the evaluations of one fit.
#[derive(Debug, Clone)]
pub(crate) struct Workspace {
    dim: usize,
    /// A_ij = Σ_{s of type j, s before t} e^{−β_ij (t − s)}.
    a: Vec<f64>,
    /// B_ij = Σ (t − s) e^{−β_ij (t − s)} = −∂A_ij/∂β_ij.
    b: Vec<f64>,
    /// Event counts per type.
    counts: Vec<f64>,
    /// ∂ℓ/∂μ_i.
    pub(crate) g_mu: Vec<f64>,
    /// ∂ℓ/∂α_ij.
    pub(crate) g_alpha: Vec<f64>,
    /// ∂ℓ/∂β_ij.
    pub(crate) g_beta: Vec<f64>,
}

impl Workspace {
    pub(crate) fn new(dim: usize) -> Self {
        Self {
            dim,
            a: vec![0.0; dim * dim],
            b: vec![0.0; dim * dim],
            counts: vec![0.0; dim],
            g_mu: vec![0.0; dim],
            g_alpha: vec![0.0; dim * dim],
            g_beta: vec![0.0; dim * dim],
        }
    }

    /// ℓ at (μ, α, β) (flat row-major matrices); with `gradient`, also fills `g_*` with the
    /// exact partial derivatives:
    ///
    /// - ∂ℓ/∂μ_i = Σ_{k∈i} 1/λ_i(t_k) − T
    /// - ∂ℓ/∂α_ij = Σ_{k∈i} A_ij(t_k)/λ_i(t_k) − C_ij, C_ij = (N_j − A_ij(T⁺))/β_ij
    /// - ∂ℓ/∂β_ij = −α_ij Σ_{k∈i} B_ij(t_k)/λ_i(t_k) − α_ij (B_ij(T⁺) − C_ij)/β_ij
    ///
    /// where B follows B(t_k) = e^{−βΔ}(B(t_{k−1}) + Δ·(A(t_{k−1}) + 1[type j])), Δ = t_k − t_{k−1},
    /// and T⁺ includes events at T. Callers validate the events and parameters (μ > 0, α ≥ 0,
    /// β > 0, all finite).
    pub(crate) fn evaluate(
        &mut self,
        events: &[(f64, usize)],
        t_end: f64,
        mu: &[f64],
        alpha: &[f64],
        beta: &[f64],
        gradient: bool,
    ) -> f64 {
        let d = self.dim;
        self.a.fill(0.0);
        self.b.fill(0.0);
        self.counts.fill(0.0);
        if gradient {
            self.g_mu.fill(0.0);
            self.g_alpha.fill(0.0);
            self.g_beta.fill(0.0);
        }
        let mut ll = 0.0;
        let mut prev_t = 0.0;
        let mut prev_kind: Option<usize> = None;
        for &(t, i) in events {
            let dt = t - prev_t;
            self.advance(dt, prev_kind, beta, gradient);
            // λ_i(t) from row i only.
            let row = i * d..(i + 1) * d;
            let lam = mu[i]
                + alpha[row.clone()]
                    .iter()
                    .zip(&self.a[row.clone()])
                    .map(|(x, y)| x * y)
                    .sum::<f64>();
            ll += lam.ln();
            if gradient {
                let inv = 1.0 / lam;
                self.g_mu[i] += inv;
                for k in row {
                    self.g_alpha[k] += self.a[k] * inv;
                    self.g_beta[k] -= alpha[k] * self.b[k] * inv;
                }
            }
            self.counts[i] += 1.0;
            prev_t = t;
            prev_kind = Some(i);
        }
        self.advance(t_end - prev_t, prev_kind, beta, gradient);
        // Compensator: μ_i T + Σ_j α_ij C_ij with C_ij = Σ_s (1 − e^{−β_ij (T − s)}) / β_ij.
        for (i, &m) in mu.iter().enumerate() {
            ll -= m * t_end;
            if gradient {
                self.g_mu[i] -= t_end;
            }
            for j in 0..d {
                let k = i * d + j;
                let c = (self.counts[j] - self.a[k]) / beta[k];
                ll -= alpha[k] * c;
                if gradient {
                    self.g_alpha[k] -= c;
                    // ∂C/∂β = Σ τ e^{−βτ}/β − C/β = (B(T) − C)/β.
                    self.g_beta[k] -= alpha[k] * (self.b[k] - c) / beta[k];
                }
            }
        }
        ll
    }

    /// Moves A (and B) forward by `dt`, first adding the event of type `kind` that happened
    /// at the start of the interval.
    fn advance(&mut self, dt: f64, kind: Option<usize>, beta: &[f64], gradient: bool) {
        let d = self.dim;
        for i in 0..d {
            for j in 0..d {
                let k = i * d + j;
                let a_plus = self.a[k] + if kind == Some(j) { 1.0 } else { 0.0 };
                let decay = (-beta[k] * dt).exp();
                if gradient {
                    self.b[k] = decay * (self.b[k] + dt * a_plus);
                }
                self.a[k] = decay * a_plus;
            }
        }
    }
}
