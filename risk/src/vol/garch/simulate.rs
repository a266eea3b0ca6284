//! Seeded simulation of GARCH / GJR-GARCH paths.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

use super::{GarchModel, GarchParams};
use crate::error::{Error, Result};

/// A simulated path: returns yₜ = μ + σₜzₜ and their conditional variances σ²ₜ.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulated {
    /// The simulated returns.
    pub returns: Vec<f64>,
    /// The conditional variance of each return.
    pub variance: Vec<f64>,
}

impl GarchModel {
    /// Simulates `n` returns after discarding `burn` warm-up draws, with standard normal
    /// innovations from a ChaCha12 generator (`rand::rngs::StdRng`) seeded by `seed`. The
    /// recursion starts at the unconditional variance (as `arch`'s `simulate`). The same seed
    /// always gives the same path with this crate's version of `rand`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for parameters outside the model's region or persistence ≥ 1
    /// (no unconditional variance to start from), or `n == 0`.
    pub fn simulate(
        &self,
        params: &GarchParams,
        n: usize,
        burn: usize,
        seed: u64,
    ) -> Result<Simulated> {
        self.validate(params)?;
        if n == 0 {
            return Err(Error::InvalidParameter {
                name: "n",
                value: 0.0,
                allowed: ">= 1",
            });
        }
        let Some(mut s2) = params.unconditional_variance() else {
            return Err(Error::InvalidParameter {
                name: "alpha + gamma/2 + beta",
                value: params.persistence(),
                allowed: "< 1 to simulate (stationary)",
            });
        };
        let mut rng = StdRng::seed_from_u64(seed);
        let mut returns = Vec::with_capacity(n);
        let mut variance = Vec::with_capacity(n);
        for t in 0..n + burn {
            let z: f64 = StandardNormal.sample(&mut rng);
            let e = s2.sqrt() * z;
            if t >= burn {
                returns.push(params.mu + e);
                variance.push(s2);
            }
            let neg = if e < 0.0 { 1.0 } else { 0.0 };
            s2 = params.omega + (params.alpha + params.gamma * neg) * e * e + params.beta * s2;
        }
        Ok(Simulated { returns, variance })
    }
}
