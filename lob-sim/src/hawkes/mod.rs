//! Multivariate Hawkes processes with exponential kernels: validated parameters, an exact
//! streaming sampler ([`HawkesSampler`], [`simulate`]), the log-likelihood
//! ([`log_likelihood`]), and maximum-likelihood fitting with standard errors ([`fit`]).
//!
//! Time is in seconds (`f64`); event types are `usize` in `0..dim`. The intensity of type `i` is
//!
//! λ_i(t) = μ_i + Σ_j Σ_{t_k^j < t} α_ij · exp(−β_ij · (t − t_k^j))
//!
//! (Hawkes 1971). G_ij = α_ij / β_ij is the branching matrix and ρ(G) < 1 is required
//! ([`HawkesParams`]).
//!
//! ```
//! use rand::SeedableRng;
//! use rand::rngs::StdRng;
//! use shortfall_lob_sim::hawkes::{HawkesParams, simulate};
//!
//! // One dimension: μ = 1/s, α = 0.5/s, β = 1/s, so the branching ratio is 0.5 and the
//! // stationary rate μ / (1 − α/β) = 2 events per second.
//! let p = HawkesParams::new(vec![1.0], vec![vec![0.5]], vec![vec![1.0]])?;
//! assert_eq!(p.branching_ratio(), 0.5);
//! assert!((p.stationary_rates()[0] - 2.0).abs() < 1e-12);
//! let events = simulate(&p, 100.0, &mut StdRng::seed_from_u64(7));
//! assert!(events.windows(2).all(|w| w[0].0 < w[1].0));
//! assert!(events.iter().all(|&(t, k)| t > 0.0 && t <= 100.0 && k == 0));
//! # Ok::<(), shortfall_lob_sim::Error>(())
//! ```

mod fit;
mod likelihood;
mod optim;
mod params;
mod sampler;

pub use fit::{BetaMode, FitOptions, HawkesFit, fit};
pub use likelihood::log_likelihood;
pub use params::{HawkesParams, spectral_radius_nonneg};
pub use sampler::{HawkesSampler, simulate};

#[cfg(test)]
mod tests;
