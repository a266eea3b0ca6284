//! The likelihood kernel: one pass over the data computing σ²ₜ, the normal log-likelihood and
//! (optionally) its analytic gradient; and the reparameterisation that turns `arch`'s
//! constrained problem into an unconstrained one for BFGS.

use super::{GarchModel, MeanModel, VolatilityProcess};
use crate::vol::VarianceBounds;

/// ln(2π).
const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// Index of each parameter in the full vector θ = (μ, ω, α, γ, β).
pub(crate) const MU: usize = 0;
pub(crate) const OMEGA: usize = 1;
pub(crate) const ALPHA: usize = 2;
pub(crate) const GAMMA: usize = 3;
pub(crate) const BETA: usize = 4;

/// Full parameter vector θ = (μ, ω, α, γ, β); fixed entries are zero.
pub(crate) type Theta = [f64; 5];

/// The data a likelihood is evaluated on, with `arch`'s fixed backcast and variance bounds
/// (both computed once from the residuals at the starting mean, as `arch` does).
#[derive(Debug, Clone)]
pub(crate) struct Data<'a> {
    pub(crate) y: &'a [f64],
    pub(crate) backcast: f64,
    pub(crate) bounds: VarianceBounds,
    /// μ is estimated (otherwise its derivative is not computed).
    pub(crate) mu_free: bool,
    /// γ is in the model (otherwise the asymmetric term and its derivative are skipped, and
    /// θ's γ must be 0).
    pub(crate) gjr: bool,
}

/// Optional per-observation outputs of [`loglik`].
#[derive(Default)]
pub(crate) struct Outputs<'o> {
    pub(crate) sigma2: Option<&'o mut [f64]>,
    pub(crate) contributions: Option<&'o mut [f64]>,
}

/// Σₜ ℓₜ with ℓₜ = −½(ln 2π + ln σ²ₜ + ε²ₜ/σ²ₜ), εₜ = yₜ − μ and
/// σ²ₜ = ω + (α + γ·1(εₜ₋₁<0))·ε²ₜ₋₁ + β·σ²ₜ₋₁, σ²₀ = ω + (α + γ/2 + β)·backcast,
/// each σ²ₜ passed through `arch`'s bounds check. When `grad` is given it receives ∂/∂θ of the
/// sum (all five entries; those of fixed parameters are simply ignored by callers).
pub(crate) fn loglik(
    data: &Data<'_>,
    th: &Theta,
    grad: Option<&mut Theta>,
    out: Outputs<'_>,
) -> f64 {
    let mut scratch = [0.0; 5];
    match (grad, data.mu_free, data.gjr) {
        (Some(g), false, false) => pass::<true, false, false>(data, th, g, out),
        (Some(g), false, true) => pass::<true, false, true>(data, th, g, out),
        (Some(g), true, false) => pass::<true, true, false>(data, th, g, out),
        (Some(g), true, true) => pass::<true, true, true>(data, th, g, out),
        (None, _, false) => pass::<false, false, false>(data, th, &mut scratch, out),
        (None, _, true) => pass::<false, false, true>(data, th, &mut scratch, out),
    }
}

/// One pass; `MU_FREE` and `GJR` only prune work (derivatives of fixed parameters, the
/// asymmetric term of a symmetric model), they never change a tracked quantity.
#[inline(always)]
fn pass<const GRAD: bool, const MU_FREE: bool, const GJR: bool>(
    data: &Data<'_>,
    th: &Theta,
    grad: &mut Theta,
    mut out: Outputs<'_>,
) -> f64 {
    let [mu, omega, alpha, gamma, beta] = *th;
    let bc = data.backcast;
    let (lower, upper) = (&data.bounds.lower, &data.bounds.upper);
    // The recursion's view of the previous period. Before t = 0 it is the backcast:
    // ε²₋₁ = σ²₋₁ = b and E[1(ε₋₁ < 0)] = ½ (so σ²₀ = ω + (α + γ/2 + β)·b), and ε²₋₁ does not
    // depend on μ.
    let mut e2_prev = bc;
    let mut neg_prev = 0.5;
    let mut de2_dmu_prev = 0.0; // ∂ε²ₜ₋₁/∂μ = −2εₜ₋₁
    let mut s2_prev = bc;
    // ∂σ²ₜ/∂θ, one scalar per parameter so that they live in registers.
    let (mut d_mu, mut d_om, mut d_al, mut d_ga, mut d_be) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut g_mu, mut g_om, mut g_al, mut g_ga, mut g_be) = (0.0, 0.0, 0.0, 0.0, 0.0);
    // Σ ln σ²ₜ is accumulated as ln(Π σ²ₜ): the running product is renormalised to [1, 2)
    // after every factor, its binary exponents summed exactly, so one `ln` serves the whole
    // series instead of one per observation (σ²ₜ > 0 is normal: it is at least the lower bound).
    let per_obs = out.contributions.is_some();
    let mut total = 0.0;
    let mut log_mantissa = 1.0_f64;
    let mut log_exponent: i64 = 0;
    let mut sum_z2 = 0.0;
    for (t, &yt) in data.y.iter().enumerate() {
        let coef = if GJR { alpha + gamma * neg_prev } else { alpha };
        let raw = omega + coef * e2_prev + beta * s2_prev;
        if GRAD {
            if MU_FREE {
                d_mu = coef * de2_dmu_prev + beta * d_mu;
            }
            d_om = 1.0 + beta * d_om;
            d_al = e2_prev + beta * d_al;
            if GJR {
                d_ga = neg_prev * e2_prev + beta * d_ga;
            }
            d_be = s2_prev + beta * d_be;
        }
        // arch's bounds_check: floor at the lower bound, log-compress above the upper one.
        let (lo, hi) = (lower[t], upper[t]);
        let s2 = if raw >= lo && raw <= hi {
            raw
        } else {
            let s2 = bounded(raw, lo, hi);
            if GRAD {
                // Floored or infinite: σ² no longer moves with θ. Compressed: chain rule of
                // u + ln(raw/u), i.e. multiply by 1/raw.
                let k = if raw < lo || raw.is_infinite() || raw.is_nan() {
                    0.0
                } else {
                    1.0 / raw
                };
                d_mu *= k;
                d_om *= k;
                d_al *= k;
                d_ga *= k;
                d_be *= k;
            }
            s2
        };
        let e = yt - mu;
        let inv = 1.0 / s2;
        let z2 = e * e * inv;
        if per_obs {
            let lt = -0.5 * (LN_2PI + s2.ln() + z2);
            total += lt;
            if let Some(c) = out.contributions.as_deref_mut() {
                c[t] = lt;
            }
        } else {
            sum_z2 += z2;
            let (m, x) = split_exponent(log_mantissa * s2);
            log_mantissa = m;
            log_exponent += x;
        }
        if let Some(s) = out.sigma2.as_deref_mut() {
            s[t] = s2;
        }
        if GRAD {
            // ∂ℓₜ/∂σ²ₜ = −½(1 − ε²/σ²)/σ²; ∂ℓₜ/∂μ also has the direct term ε/σ².
            let w = -0.5 * inv * (1.0 - z2);
            if MU_FREE {
                g_mu += w * d_mu + e * inv;
            }
            g_om += w * d_om;
            g_al += w * d_al;
            if GJR {
                g_ga += w * d_ga;
            }
            g_be += w * d_be;
        }
        e2_prev = e * e;
        neg_prev = if e < 0.0 { 1.0 } else { 0.0 };
        de2_dmu_prev = -2.0 * e;
        s2_prev = s2;
    }
    if GRAD {
        *grad = [g_mu, g_om, g_al, g_ga, g_be];
    }
    if !per_obs {
        let n = data.y.len() as f64;
        let sum_ln = log_mantissa.ln() + log_exponent as f64 * std::f64::consts::LN_2;
        total = -0.5 * (n * LN_2PI + sum_ln + sum_z2);
    }
    total
}

/// Log-likelihoods of several parameter vectors (no gradient): used to score `arch`'s
/// starting-value grid. Points that share μ are evaluated [`LANES`] at a time in lockstep, so
/// the independent recursions overlap and vectorise; anything else (or data so extreme that
/// a variance could leave the normal floating-point range) goes through [`loglik`] one by one.
pub(crate) fn loglik_many(data: &Data<'_>, ths: &[Theta]) -> Vec<f64> {
    let tame = data.bounds.lower.iter().all(|&v| v >= 1e-290)
        && data.bounds.upper.iter().all(|&v| v <= 1e290);
    let mut out = Vec::with_capacity(ths.len());
    for chunk in ths.chunks(LANES) {
        if tame && chunk.iter().all(|th| th[MU] == chunk[0][MU]) {
            let mut lanes = [chunk[0]; LANES];
            lanes[..chunk.len()].copy_from_slice(chunk);
            out.extend_from_slice(&lanes_pass(data, &lanes)[..chunk.len()]);
        } else {
            out.extend(
                chunk
                    .iter()
                    .map(|th| loglik(data, th, None, Outputs::default())),
            );
        }
    }
    out
}

/// Parameter vectors per lockstep pass.
const LANES: usize = 4;

/// [`LANES`] recursions sharing μ, branch-free in the common case where every raw variance is
/// inside the bounds. The log of each variance is accumulated with [`split_exponent`]'s
/// mantissa/exponent product, inlined without its range branch: the caller guarantees
/// (`tame`) that bounded variances stay within [10⁻²⁹⁰, 10²⁹⁰ + 710], so every product is a
/// normal number; a NaN parameter still yields NaN through Σ ε²/σ².
fn lanes_pass(data: &Data<'_>, th: &[Theta; LANES]) -> [f64; LANES] {
    const MANTISSA: u64 = (1 << 52) - 1;
    const ONE_EXP: u64 = 1023 << 52;
    let bc = data.backcast;
    let mu = th[0][MU];
    let (lower, upper) = (&data.bounds.lower, &data.bounds.upper);
    let omega: [f64; LANES] = std::array::from_fn(|l| th[l][OMEGA]);
    let alpha: [f64; LANES] = std::array::from_fn(|l| th[l][ALPHA]);
    let gamma: [f64; LANES] = std::array::from_fn(|l| th[l][GAMMA]);
    let beta: [f64; LANES] = std::array::from_fn(|l| th[l][BETA]);
    let mut s2: [f64; LANES] =
        std::array::from_fn(|l| omega[l] + (alpha[l] + 0.5 * gamma[l] + beta[l]) * bc);
    let mut mant = [1.0; LANES];
    let mut expo = [0_i64; LANES];
    let mut sum_z2 = [0.0; LANES];
    let mut e_prev = 0.0;
    for (t, &yt) in data.y.iter().enumerate() {
        let (lo, hi) = (lower[t], upper[t]);
        if t > 0 {
            let e2 = e_prev * e_prev;
            let neg = if e_prev < 0.0 { 1.0 } else { 0.0 };
            for l in 0..LANES {
                s2[l] = omega[l] + (alpha[l] + gamma[l] * neg) * e2 + beta[l] * s2[l];
            }
        }
        let mut inside = true;
        for v in &s2 {
            inside &= *v >= lo && *v <= hi;
        }
        if !inside {
            for v in &mut s2 {
                *v = bounded(*v, lo, hi);
            }
        }
        let e = yt - mu;
        let e2 = e * e;
        for l in 0..LANES {
            sum_z2[l] += e2 / s2[l];
            let bits = (mant[l] * s2[l]).to_bits();
            expo[l] += (bits >> 52) as i64 - 1023;
            mant[l] = f64::from_bits((bits & MANTISSA) | ONE_EXP);
        }
        e_prev = e;
    }
    let n = data.y.len() as f64;
    std::array::from_fn(|l| {
        let sum_ln = mant[l].ln() + expo[l] as f64 * std::f64::consts::LN_2;
        -0.5 * (n * LN_2PI + sum_ln + sum_z2[l])
    })
}

/// `arch`'s `bounds_check` on one raw variance.
#[inline(always)]
fn bounded(raw: f64, lo: f64, hi: f64) -> f64 {
    if raw < lo {
        lo
    } else if raw > hi {
        if raw.is_infinite() {
            hi + 1000.0
        } else {
            hi + (raw / hi).ln()
        }
    } else {
        raw
    }
}

/// ln(1 + d) for the small relative changes of finite differences: d − d²/2 + d³/3 for
/// |d| < 10⁻⁵ (relative truncation error < d³/4 < 3·10⁻¹⁶), the 8-term Taylor series for
/// |d| < 0.01 (truncation < d⁹/9), else `ln_1p`.
#[inline(always)]
fn ln_1p_small(d: f64) -> f64 {
    if d.abs() < 1e-5 {
        d * (1.0 + d * (-0.5 + d * (1.0 / 3.0)))
    } else if d.abs() < 0.01 {
        let mut acc = -1.0 / 8.0;
        for k in (1..8).rev() {
            let c = if k % 2 == 1 { 1.0 } else { -1.0 } / k as f64;
            acc = c + d * acc;
        }
        d * acc
    } else {
        d.ln_1p()
    }
}

/// Forward-difference scores sₜᵢ = (ℓₜ(θ⁺ᵢ) − ℓₜ(θ)) / hᵢ, θ⁺ᵢ = `plus[i]`, handed to `sink`
/// one observation (k = `plus.len()` ≤ 5 values) at a time: the base and all k shifted
/// recursions run in one pass. The difference is formed directly as
/// ℓ⁺ − ℓ = −½[ln(σ²⁺/σ²) + e⁺²/σ²⁺ − e²/σ²] with ln(σ²⁺/σ²) = ln(1 + d), d = (σ²⁺ − σ²)/σ²:
/// the same finite difference as subtracting two log-likelihoods, without the cancellation and
/// without an `ln` call per term.
pub(crate) fn forward_scores(
    data: &Data<'_>,
    base: &Theta,
    plus: &[Theta],
    steps: &[f64],
    sink: impl FnMut(&[f64]),
) {
    debug_assert_eq!(plus.len(), steps.len());
    // Monomorphised for the model sizes (3, 4 or 5 free parameters) so that every lane lives
    // in registers; other sizes (none today) pad to 5 lanes and drop the extra columns.
    match plus.len() {
        3 => scores_k::<3>(data, base, plus, steps, sink),
        4 => scores_k::<4>(data, base, plus, steps, sink),
        _ => scores_k::<5>(data, base, plus, steps, sink),
    }
}

fn scores_k<const K: usize>(
    data: &Data<'_>,
    base: &Theta,
    plus: &[Theta],
    steps: &[f64],
    mut sink: impl FnMut(&[f64]),
) {
    let k = plus.len().min(K);
    let lane = |i: usize| if i < k { plus[i] } else { *base };
    let mu: [f64; K] = std::array::from_fn(|i| lane(i)[MU]);
    let omega: [f64; K] = std::array::from_fn(|i| lane(i)[OMEGA]);
    let alpha: [f64; K] = std::array::from_fn(|i| lane(i)[ALPHA]);
    let gamma: [f64; K] = std::array::from_fn(|i| lane(i)[GAMMA]);
    let beta: [f64; K] = std::array::from_fn(|i| lane(i)[BETA]);
    let inv_h: [f64; K] = std::array::from_fn(|i| if i < k { 1.0 / steps[i] } else { 0.0 });
    let [mu0, omega0, alpha0, gamma0, beta0] = *base;
    let bc = data.backcast;
    let (lower, upper) = (&data.bounds.lower, &data.bounds.upper);
    // Previous-period state, starting from the backcast (see `pass`).
    let (mut e2p0, mut negp0, mut s2p0) = (bc, 0.5, bc);
    let mut e2p = [bc; K];
    let mut negp = [0.5; K];
    let mut s2p = [bc; K];
    let mut row = [0.0; K];
    for (t, &yt) in data.y.iter().enumerate() {
        let (lo, hi) = (lower[t], upper[t]);
        let s20 = bounded(
            omega0 + (alpha0 + gamma0 * negp0) * e2p0 + beta0 * s2p0,
            lo,
            hi,
        );
        let e0 = yt - mu0;
        let inv0 = 1.0 / s20;
        let z0 = e0 * e0 * inv0;
        for i in 0..K {
            let s2 = bounded(
                omega[i] + (alpha[i] + gamma[i] * negp[i]) * e2p[i] + beta[i] * s2p[i],
                lo,
                hi,
            );
            let e = yt - mu[i];
            let diff = -0.5 * (ln_1p_small((s2 - s20) * inv0) + e * e / s2 - z0);
            row[i] = diff * inv_h[i];
            e2p[i] = e * e;
            negp[i] = if e < 0.0 { 1.0 } else { 0.0 };
            s2p[i] = s2;
        }
        e2p0 = e0 * e0;
        negp0 = if e0 < 0.0 { 1.0 } else { 0.0 };
        s2p0 = s20;
        sink(&row[..k]);
    }
}

/// x = m·2ᵏ with m ∈ [1, 2), for finite positive normal x; anything else (NaN, ±inf, zero,
/// subnormal) is returned unchanged with k = 0 so that it propagates into the final `ln`.
#[inline(always)]
fn split_exponent(x: f64) -> (f64, i64) {
    const MANTISSA: u64 = (1 << 52) - 1;
    const ONE_EXP: u64 = 1023 << 52;
    let bits = x.to_bits();
    let biased = (bits >> 52) as i64; // sign bit is 0 for x > 0
    if biased > 0 && biased < 0x7ff {
        (f64::from_bits((bits & MANTISSA) | ONE_EXP), biased - 1023)
    } else {
        (x, 0)
    }
}

/// The unconstrained coordinates u ↦ θ used by the optimiser.
///
/// `arch` maximises over ω > 0 (in [10⁻⁸v, 10v]), α ≥ 0, α + γ ≥ 0, β ≥ 0 and
/// α + γ/2 + β ≤ 1 with SLSQP. Here the same region is mapped onto ℝᵐ:
/// μ = μ₀ + s·u_μ, ω = v·exp(u_ω), persistence P = α + γ/2 + β = logistic(u_P), and P is split
/// into non-negative shares by a softmax — GARCH: (α, β) = P·softmax(u_a, 0); GJR:
/// (α/2, (α+γ)/2, β) = P·softmax(u_a, u_g, 0). Every u is feasible and every interior point
/// of `arch`'s region has a u. (The box bounds α ≤ 1, γ ∈ [−1, 2] and ω ≤ 10v of `arch`
/// are not imposed: they never bind at an interior optimum.)
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reparam {
    pub(crate) model: GarchModel,
    pub(crate) mu0: f64,
    pub(crate) mu_scale: f64,
    pub(crate) omega_scale: f64,
}

fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

impl Reparam {
    fn has_mu(&self) -> bool {
        self.model.mean == MeanModel::Constant
    }

    fn gjr(&self) -> bool {
        self.model.process == VolatilityProcess::GjrGarch
    }

    /// Dimension of u.
    pub(crate) fn dim(&self) -> usize {
        usize::from(self.has_mu()) + 3 + usize::from(self.gjr())
    }

    /// Persistence and shares (P, s) from u.
    fn split(&self, u: &[f64]) -> (f64, [f64; 3], usize) {
        let o = usize::from(self.has_mu());
        let p = logistic(u[o + 1]);
        let mut s = [0.0; 3];
        let m = if self.gjr() { 3 } else { 2 };
        let free = &u[o + 2..o + 1 + m];
        let top = free.iter().fold(0.0_f64, |a, &b| a.max(b));
        let mut sum = 0.0;
        for i in 0..m {
            let ui = if i + 1 < m { free[i] } else { 0.0 };
            s[i] = (ui - top).exp();
            sum += s[i];
        }
        for v in &mut s[..m] {
            *v /= sum;
        }
        (p, s, m)
    }

    pub(crate) fn theta(&self, u: &[f64]) -> Theta {
        let o = usize::from(self.has_mu());
        let mut th = [0.0; 5];
        if self.has_mu() {
            th[MU] = self.mu0 + self.mu_scale * u[0];
        }
        // ω > 0 is part of the parameter region: far-out u would underflow e^u to zero.
        th[OMEGA] = (self.omega_scale * u[o].exp()).max(f64::MIN_POSITIVE);
        let (p, s, _) = self.split(u);
        if self.gjr() {
            th[ALPHA] = 2.0 * p * s[0];
            th[GAMMA] = 2.0 * p * (s[1] - s[0]);
            th[BETA] = p * s[2];
        } else {
            th[ALPHA] = p * s[0];
            th[BETA] = p * s[1];
        }
        // α + γ/2 + β = p ≤ 1 exactly, but rounding can land an ulp above 1 when the
        // logistic saturates; keep the point inside the region (as `GarchParams::persistence`
        // adds it up).
        while th[ALPHA] + 0.5 * th[GAMMA] + th[BETA] > 1.0 && th[BETA] > 0.0 {
            th[BETA] = th[BETA].next_down();
        }
        th
    }

    /// u for an interior θ (shares are floored at 10⁻¹² so boundary points map to far-out u).
    pub(crate) fn u(&self, th: &Theta) -> Vec<f64> {
        let mut u = Vec::with_capacity(self.dim());
        if self.has_mu() {
            u.push((th[MU] - self.mu0) / self.mu_scale);
        }
        u.push((th[OMEGA] / self.omega_scale).ln());
        let q: Vec<f64> = if self.gjr() {
            vec![0.5 * th[ALPHA], 0.5 * (th[ALPHA] + th[GAMMA]), th[BETA]]
        } else {
            vec![th[ALPHA], th[BETA]]
        }
        .into_iter()
        .map(|v| v.max(1e-12))
        .collect();
        let p: f64 = q.iter().sum::<f64>().min(1.0 - 1e-12);
        u.push((p / (1.0 - p)).ln());
        let last = q[q.len() - 1];
        for v in &q[..q.len() - 1] {
            u.push((v / last).ln());
        }
        u
    }

    /// Chain rule: ∂F/∂u from ∂F/∂θ at u.
    pub(crate) fn grad_u(&self, u: &[f64], th: &Theta, dth: &Theta, out: &mut [f64]) {
        let o = usize::from(self.has_mu());
        if self.has_mu() {
            out[0] = self.mu_scale * dth[MU];
        }
        out[o] = th[OMEGA] * dth[OMEGA];
        let (p, s, m) = self.split(u);
        let mut dq = [0.0; 3];
        if self.gjr() {
            dq[0] = 2.0 * (dth[ALPHA] - dth[GAMMA]);
            dq[1] = 2.0 * dth[GAMMA];
            dq[2] = dth[BETA];
        } else {
            dq[0] = dth[ALPHA];
            dq[1] = dth[BETA];
        }
        let mean: f64 = (0..m).map(|i| s[i] * dq[i]).sum();
        out[o + 1] = p * (1.0 - p) * mean;
        for j in 0..m - 1 {
            out[o + 2 + j] = p * s[j] * (dq[j] - mean);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vol::backcast;

    fn series() -> Vec<f64> {
        (0..300)
            .map(|i| ((i as f64 * 1.7).sin() + 0.3 * (i as f64 * 0.11).cos()) * 0.9)
            .collect()
    }

    fn data(y: &[f64]) -> Data<'_> {
        Data {
            y,
            backcast: backcast(y),
            bounds: VarianceBounds::new(y),
            mu_free: true,
            gjr: true,
        }
    }

    #[test]
    fn product_form_of_the_log_sum_matches_per_observation_logs() {
        let y = series();
        let d = data(&y);
        let th = [0.05, 0.1, 0.08, 0.06, 0.8];
        let mut c = vec![0.0; y.len()];
        let fast = loglik(&d, &th, None, Outputs::default());
        let slow_total = loglik(
            &d,
            &th,
            None,
            Outputs {
                sigma2: None,
                contributions: Some(&mut c),
            },
        );
        let sum: f64 = c.iter().sum();
        assert!(
            (fast - slow_total).abs() < 1e-11 * fast.abs(),
            "{fast} vs {slow_total}"
        );
        assert!((sum - slow_total).abs() < 1e-11 * fast.abs());
        assert_eq!(split_exponent(12.0), (1.5, 3));
        assert_eq!(split_exponent(0.375), (1.5, -2));
        assert!(split_exponent(f64::NAN).0.is_nan());
    }

    #[test]
    fn lockstep_grid_scores_match_single_passes() {
        let y = series();
        let d = data(&y);
        // Seven points sharing μ (lockstep lanes), three with their own μ (one by one).
        let mut ths: Vec<Theta> = (0..7)
            .map(|i| [0.02, 0.05 + 0.01 * i as f64, 0.05, 0.02 * i as f64, 0.8])
            .collect();
        ths.extend((0..3).map(|i| [0.01 * i as f64, 0.05, 0.05, 0.02, 0.8]));
        let many = loglik_many(&d, &ths);
        assert_eq!(many.len(), 10);
        for (th, got) in ths.iter().zip(&many) {
            let want = loglik(&d, th, None, Outputs::default());
            assert!((got - want).abs() < 1e-10 * want.abs(), "{got} vs {want}");
        }
    }

    #[test]
    fn one_pass_scores_equal_differences_of_contributions() {
        let y = series();
        let d = data(&y);
        let th = [0.05, 0.1, 0.08, 0.06, 0.8];
        let h = [1e-5, 2e-6, 3e-6, 1e-6, 5e-6];
        let plus: Vec<Theta> = (0..5)
            .map(|i| {
                let mut p = th;
                p[i] += h[i];
                p
            })
            .collect();
        let mut scores = Vec::with_capacity(y.len() * 5);
        forward_scores(&d, &th, &plus, &h, |row| scores.extend_from_slice(row));
        let (mut cp, mut c0) = (vec![0.0; y.len()], vec![0.0; y.len()]);
        fn out(c: &mut [f64]) -> Outputs<'_> {
            Outputs {
                sigma2: None,
                contributions: Some(c),
            }
        }
        loglik(&d, &th, None, out(&mut c0));
        for i in 0..5 {
            loglik(&d, &plus[i], None, out(&mut cp));
            for t in 0..y.len() {
                let want = (cp[t] - c0[t]) / h[i];
                let got = scores[t * 5 + i];
                let tol = 1e-6 * (1.0 + want.abs());
                assert!((got - want).abs() < tol, "t{t} i{i}: {got} vs {want}");
            }
        }
        assert!((ln_1p_small(1e-3) - 1e-3f64.ln_1p()).abs() < 1e-18);
        assert!((ln_1p_small(9e-6) - 9e-6f64.ln_1p()).abs() < 1e-20);
        assert!((ln_1p_small(-3e-9) - (-3e-9f64).ln_1p()).abs() < 1e-24);
        assert!((ln_1p_small(-0.009) - (-0.009f64).ln_1p()).abs() < 1e-17);
        assert!((ln_1p_small(0.5) - 0.5f64.ln_1p()).abs() < 1e-16);
    }

    #[test]
    fn analytic_gradient_matches_central_differences() {
        let y = series();
        let d = data(&y);
        let th = [0.05, 0.1, 0.08, 0.06, 0.8];
        let mut g = [0.0; 5];
        loglik(&d, &th, Some(&mut g), Outputs::default());
        for j in 0..5 {
            let h = 1e-6;
            let (mut a, mut b) = (th, th);
            a[j] += h;
            b[j] -= h;
            let fd = (loglik(&d, &a, None, Outputs::default())
                - loglik(&d, &b, None, Outputs::default()))
                / (2.0 * h);
            assert!(
                (fd - g[j]).abs() < 1e-5 * (1.0 + fd.abs()),
                "{j}: {fd} vs {}",
                g[j]
            );
        }
    }

    #[test]
    fn reparameterisation_round_trips_and_chain_rule_holds() {
        for model in [
            GarchModel::garch(MeanModel::Constant),
            GarchModel::gjr(MeanModel::Constant),
        ] {
            let r = Reparam {
                model,
                mu0: 0.01,
                mu_scale: 0.5,
                omega_scale: 0.7,
            };
            let gamma = if model.process == VolatilityProcess::GjrGarch {
                0.07
            } else {
                0.0
            };
            let th = [0.03, 0.05, 0.06, gamma, 0.85];
            let u = r.u(&th);
            let back = r.theta(&u);
            for j in 0..5 {
                assert!((back[j] - th[j]).abs() < 1e-12, "{model:?} {j}");
            }
            // F(θ) = Σ cⱼθⱼ: ∂F/∂u by chain rule vs central differences in u.
            let c = [0.3, -1.1, 0.7, 0.4, -0.2];
            let f = |u: &[f64]| -> f64 {
                let t = r.theta(u);
                (0..5).map(|j| c[j] * t[j]).sum()
            };
            let mut gu = vec![0.0; r.dim()];
            r.grad_u(&u, &th, &c, &mut gu);
            for i in 0..r.dim() {
                let (mut a, mut b) = (u.clone(), u.clone());
                a[i] += 1e-6;
                b[i] -= 1e-6;
                let fd = (f(&a) - f(&b)) / 2e-6;
                assert!(
                    (fd - gu[i]).abs() < 1e-7,
                    "{model:?} u{i}: {fd} vs {}",
                    gu[i]
                );
            }
        }
    }
}
