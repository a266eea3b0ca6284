//! Running observation normalisation and reward scaling (Engstrom et al. 2020,
//! "Implementation matters in deep policy gradients", §3 and appendix A.2).

use crate::error::{Error, Result};

/// Per-dimension running mean and variance of a stream of vectors, updated a batch at a
/// time with the pairwise merge of Chan, Golub & LeVeque (1979), "Updating formulae and a
/// pairwise algorithm for computing sample variances": merging `(n_a, μ_a, M_a)` with
/// `(n_b, μ_b, M_b)` gives `μ = μ_a + δ·n_b/n`, `M = M_a + M_b + δ²·n_a·n_b/n`, `δ = μ_b − μ_a`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunningMeanStd {
    count: f64,
    mean: Vec<f64>,
    /// Sum of squared deviations from the mean (`M`).
    m2: Vec<f64>,
}

impl RunningMeanStd {
    /// Statistics of nothing yet, for vectors of width `dim`.
    pub fn new(dim: usize) -> Self {
        RunningMeanStd {
            count: 0.0,
            mean: vec![0.0; dim],
            m2: vec![0.0; dim],
        }
    }

    /// Width of the vectors.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// Number of vectors seen.
    pub fn count(&self) -> f64 {
        self.count
    }

    /// Running means.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// Population variances (0 before two vectors have been seen).
    pub fn var(&self) -> Vec<f64> {
        if self.count == 0.0 {
            return vec![0.0; self.dim()];
        }
        self.m2.iter().map(|m| m / self.count).collect()
    }

    /// Adds a batch of row-major vectors (`batch.len()` a multiple of [`Self::dim`]).
    ///
    /// # Errors
    /// [`Error::Invalid`] when the batch is not whole rows or holds a non-finite value; the
    /// statistics are then unchanged.
    pub fn update(&mut self, batch: &[f64]) -> Result<()> {
        let d = self.dim();
        if d == 0 || !batch.len().is_multiple_of(d) {
            return Err(Error::Invalid {
                what: "normaliser batch",
                reason: format!("{} values are not whole rows of width {d}", batch.len()),
            });
        }
        if let Some(i) = batch.iter().position(|x| !x.is_finite()) {
            return Err(Error::Invalid {
                what: "normaliser batch",
                reason: format!("row {}, column {} is {}", i / d, i % d, batch[i]),
            });
        }
        let nb = (batch.len() / d) as f64;
        if nb == 0.0 {
            return Ok(());
        }
        let n = self.count + nb;
        for j in 0..d {
            let col = batch.iter().skip(j).step_by(d);
            let mb = col.clone().sum::<f64>() / nb;
            let m2b = col.map(|x| (x - mb) * (x - mb)).sum::<f64>();
            let delta = mb - self.mean[j];
            self.mean[j] += delta * nb / n;
            self.m2[j] += m2b + delta * delta * self.count * nb / n;
        }
        self.count = n;
        Ok(())
    }

    /// `clamp((x − μ)/√(σ² + 1e-8), ±clip)` element-wise, in place (row-major rows).
    ///
    /// # Errors
    /// [`Error::Invalid`] when `x` is not whole rows.
    pub fn normalize(&self, x: &mut [f64], clip: f64) -> Result<()> {
        let d = self.dim();
        if d == 0 || !x.len().is_multiple_of(d) {
            return Err(Error::Invalid {
                what: "normaliser input",
                reason: format!("{} values are not whole rows of width {d}", x.len()),
            });
        }
        let var = self.var();
        for row in x.chunks_exact_mut(d) {
            for ((v, m), s2) in row.iter_mut().zip(&self.mean).zip(&var) {
                *v = ((*v - m) / (s2 + 1e-8).sqrt()).clamp(-clip, clip);
            }
        }
        Ok(())
    }
}

/// Divides rewards by the running standard deviation of the discounted return
/// `R_t = γ·R_{t−1} + r_t` of each environment (reset at episode ends), without centring.
/// Rewards pass unchanged until two returns have been seen.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RewardScaler {
    gamma: f64,
    returns: Vec<f64>,
    stats: RunningMeanStd,
}

impl RewardScaler {
    /// A scaler for `envs` parallel environments.
    ///
    /// # Errors
    /// [`Error::Invalid`] when `gamma` is outside `[0, 1]` or `envs` is 0.
    pub fn new(envs: usize, gamma: f64) -> Result<Self> {
        if !(0.0..=1.0).contains(&gamma) || envs == 0 {
            return Err(Error::Invalid {
                what: "reward scaler",
                reason: format!("needs γ in [0, 1] and ≥ 1 env, got γ = {gamma}, {envs} envs"),
            });
        }
        Ok(RewardScaler {
            gamma,
            returns: vec![0.0; envs],
            stats: RunningMeanStd::new(1),
        })
    }

    /// Scales one step's rewards (one per environment) in place; `ends[i]` resets env `i`'s
    /// running return after this step.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the lengths differ from the number of environments or a
    /// reward is not finite.
    pub fn scale(&mut self, rewards: &mut [f64], ends: &[bool]) -> Result<()> {
        let n = self.returns.len();
        if rewards.len() != n || ends.len() != n {
            return Err(Error::Invalid {
                what: "reward scaler input",
                reason: format!(
                    "{} rewards and {} end flags for {n} environments",
                    rewards.len(),
                    ends.len()
                ),
            });
        }
        for (ret, r) in self.returns.iter_mut().zip(rewards.iter()) {
            *ret = self.gamma * *ret + r;
        }
        self.stats.update(&self.returns)?;
        // Until two returns have been seen there is no spread to divide by.
        let sd = if self.stats.count() < 2.0 {
            1.0
        } else {
            (self.stats.var()[0] + 1e-8).sqrt()
        };
        for r in rewards.iter_mut() {
            *r /= sd;
        }
        for (ret, &end) in self.returns.iter_mut().zip(ends) {
            if end {
                *ret = 0.0;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batched_moments_equal_the_two_pass_formulas() {
        let data: Vec<f64> = (0..30)
            .map(|i| ((i * 37) % 11) as f64 * 0.7 - 2.0)
            .collect();
        // Rows of width 3, fed in uneven batches.
        let mut rms = RunningMeanStd::new(3);
        rms.update(&data[..3]).unwrap();
        rms.update(&data[3..15]).unwrap();
        rms.update(&data[15..]).unwrap();
        assert_eq!(rms.count(), 10.0);
        for j in 0..3 {
            let col: Vec<f64> = data.iter().skip(j).step_by(3).copied().collect();
            let m = col.iter().sum::<f64>() / 10.0;
            let v = col.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 10.0;
            assert!((rms.mean()[j] - m).abs() < 1e-12);
            assert!((rms.var()[j] - v).abs() < 1e-12);
        }
        let mut x = data[..3].to_vec();
        rms.normalize(&mut x, 1.0).unwrap();
        assert!(x.iter().all(|v| v.abs() <= 1.0));
    }

    #[test]
    fn bad_batches_are_errors_and_leave_the_statistics_alone() {
        let mut rms = RunningMeanStd::new(2);
        rms.update(&[1.0, 2.0]).unwrap();
        let before = rms.clone();
        assert!(rms.update(&[1.0, 2.0, 3.0]).is_err());
        let err = rms.update(&[1.0, f64::NAN]).unwrap_err().to_string();
        assert!(err.contains("column 1"), "{err}");
        assert_eq!(rms, before);
    }

    #[test]
    fn reward_scaler_divides_by_the_return_standard_deviation() {
        // One env, γ = 0.5, rewards 1 then 1: returns 1 then 1.5; after the second step the
        // population s.d. of {1, 1.5} is 0.25, so the second reward scales to 1/0.25 = 4.
        let mut s = RewardScaler::new(1, 0.5).unwrap();
        let mut r = [1.0];
        s.scale(&mut r, &[false]).unwrap();
        // First step: no spread yet, the reward passes unchanged.
        assert_eq!(r[0], 1.0);
        let mut r = [1.0];
        s.scale(&mut r, &[false]).unwrap();
        assert!((r[0] - 1.0 / (0.0625f64 + 1e-8).sqrt()).abs() < 1e-9);
        // With a reset after the first step the second return is 1 again: s.d. of {1, 1}
        // is 0 and the reward is divided by √1e-8.
        let mut s = RewardScaler::new(1, 0.5).unwrap();
        s.scale(&mut [1.0], &[true]).unwrap();
        let mut r = [1.0];
        s.scale(&mut r, &[false]).unwrap();
        assert!((r[0] - 1e4).abs() < 1e-6);
        assert!(RewardScaler::new(1, 1.5).is_err());
        assert!(s.scale(&mut [1.0, 2.0], &[false, false]).is_err());
    }
}
