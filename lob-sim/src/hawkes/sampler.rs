//! Exact simulation of a multivariate exponential Hawkes process by Ogata thinning.

use rand::{Rng, RngExt};

use super::HawkesParams;

/// A streaming exact sampler of a [`HawkesParams`] process (Ogata 1981, thinning, with the
/// Markov property of exponential kernels).
///
/// The state is the excitation e_ij(t) = Σ_{t_k^j < t} α_ij exp(−β_ij (t − t_k^j)) of every
/// pair, so λ_i(t) = μ_i + Σ_j e_ij(t). Between events every e_ij only decays, so the total
/// intensity λ̄ = Σ_i λ_i(now) bounds the total intensity until the next event. Each step
/// draws a candidate time now + Exp(λ̄), decays the state to it (O(dim²)), and accepts it with
/// probability λ(candidate)/λ̄; an accepted event's type is drawn in proportion to the λ_i, and
/// its excitation α_·j is added (O(dim)). Rejected candidates only move the clock forward,
/// which is exact because the process has no event in between. No allocation happens per
/// event: the state lives in two buffers sized at construction.
///
/// Random numbers: two uniforms (`f64` in \[0, 1)) per candidate.
#[derive(Debug, Clone)]
pub struct HawkesSampler {
    params: HawkesParams,
    now: f64,
    /// e_ij at `now`, row-major.
    excite: Vec<f64>,
    /// λ_i at `now`.
    rates: Vec<f64>,
}

impl HawkesSampler {
    /// A sampler with empty history at time `t0` (seconds): λ_i(t0) = μ_i.
    pub fn new(params: HawkesParams, t0: f64) -> Self {
        let d = params.dim();
        let rates = params.mu().to_vec();
        Self {
            params,
            now: t0,
            excite: vec![0.0; d * d],
            rates,
        }
    }

    /// Draws the next event strictly after [`now`](Self::now), advances the clock to it,
    /// applies its excitation, and returns `(time, dim)`.
    pub fn next_event<R: Rng + ?Sized>(&mut self, rng: &mut R) -> (f64, usize) {
        let d = self.params.dim();
        loop {
            let bound: f64 = self.rates.iter().sum();
            // Exp(1) by inversion; 1 − u ∈ (0, 1].
            let u: f64 = rng.random();
            let wait = -(1.0 - u).ln() / bound;
            let mut t = self.now + wait;
            if t <= self.now {
                t = self.now.next_up();
            }
            self.decay_to(t);
            let total: f64 = self.rates.iter().sum();
            let v: f64 = rng.random::<f64>() * bound;
            if v < total {
                // Same summation order as `total`, so some prefix sum exceeds v.
                let mut acc = 0.0;
                let mut kind = d - 1;
                for (i, r) in self.rates.iter().enumerate() {
                    acc += r;
                    if v < acc {
                        kind = i;
                        break;
                    }
                }
                self.excite_by(kind);
                return (t, kind);
            }
        }
    }

    /// The current time (seconds): the last event's time, or `t0` before the first.
    pub fn now(&self) -> f64 {
        self.now
    }

    /// λ_i at [`now`](Self::now), including the excitation of an event at `now` itself (the
    /// intensity just after it).
    ///
    /// # Panics
    /// If `i` is not below the dimension.
    pub fn intensity(&self, i: usize) -> f64 {
        self.rates[i]
    }

    /// The process being sampled.
    pub fn params(&self) -> &HawkesParams {
        &self.params
    }

    fn decay_to(&mut self, t: f64) {
        let d = self.params.dim();
        let dt = t - self.now;
        let mu = self.params.mu();
        let beta = self.params.beta_flat();
        let rows = self.excite.chunks_exact_mut(d).zip(beta.chunks_exact(d));
        for ((rate, &m), (excite, beta)) in self.rates.iter_mut().zip(mu).zip(rows) {
            let mut r = m;
            for (e, b) in excite.iter_mut().zip(beta) {
                if *e != 0.0 {
                    *e *= (-b * dt).exp();
                    r += *e;
                }
            }
            *rate = r;
        }
        self.now = t;
    }

    fn excite_by(&mut self, j: usize) {
        let d = self.params.dim();
        let alpha = self.params.alpha_flat();
        for i in 0..d {
            let a = alpha[i * d + j];
            self.excite[i * d + j] += a;
            self.rates[i] += a;
        }
    }
}

/// Simulates the process on (0, `t_end`] from empty history at 0 and returns the events as
/// `(time, dim)` in time order. A `t_end` that is not finite and positive gives no events
/// (an infinite horizon would never return).
pub fn simulate<R: Rng + ?Sized>(p: &HawkesParams, t_end: f64, rng: &mut R) -> Vec<(f64, usize)> {
    if !(t_end.is_finite() && t_end > 0.0) {
        return Vec::new();
    }
    let mut sampler = HawkesSampler::new(p.clone(), 0.0);
    let expected: f64 = p.stationary_rates().iter().sum::<f64>() * t_end;
    let mut out = Vec::with_capacity((expected * 1.1) as usize + 16);
    loop {
        let (t, k) = sampler.next_event(rng);
        if t > t_end {
            return out;
        }
        out.push((t, k));
    }
}
