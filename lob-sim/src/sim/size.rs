//! Order-size distributions for background flow.

use super::SimRng;
use crate::error::{Error, Result};
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use shortfall_core::Qty;

/// An order-size distribution in lots, as configured (`{ kind = "constant", lots = 10 }`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SizeConfig {
    /// Every order has `lots` lots.
    Constant {
        /// Order size in lots (≥ 1).
        lots: i64,
    },
    /// Sizes drawn from observed values with the given weights (a calibration's histogram).
    Empirical {
        /// The sizes in lots (each ≥ 1).
        lots: Vec<i64>,
        /// Non-negative weights, one per size, not all zero (normalised internally).
        weights: Vec<f64>,
    },
    /// `round(exp(mu + sigma·Z))` lots, clamped to `[1, max_lots]`.
    LogNormal {
        /// Mean of the log size.
        mu: f64,
        /// Standard deviation of the log size (≥ 0).
        sigma: f64,
        /// Largest size drawn.
        max_lots: i64,
    },
}

impl Default for SizeConfig {
    fn default() -> Self {
        SizeConfig::Constant { lots: 1 }
    }
}

impl SizeConfig {
    /// Validates into a sampler; `field` names it in errors.
    ///
    /// # Errors
    /// [`Error::Config`] for sizes below one lot, negative, non-finite or all-zero weights,
    /// mismatched lengths, or a non-finite `mu`/`sigma`.
    pub fn build(&self, field: &str) -> Result<SizeDist> {
        let bad = |name: &str, reason: String| Error::Config {
            field: format!("{field}.{name}"),
            reason,
        };
        match self {
            SizeConfig::Constant { lots } => {
                if *lots < 1 {
                    return Err(bad("lots", format!("must be ≥ 1 lot, got {lots}")));
                }
                Ok(SizeDist::Constant(Qty(*lots)))
            }
            SizeConfig::Empirical { lots, weights } => {
                if lots.is_empty() {
                    return Err(bad("lots", "needs at least one size".into()));
                }
                if lots.len() != weights.len() {
                    return Err(bad(
                        "weights",
                        format!("has {} entries but lots has {}", weights.len(), lots.len()),
                    ));
                }
                let mut cumulative = Vec::with_capacity(lots.len());
                let mut total = 0.0;
                for (i, (&l, &w)) in lots.iter().zip(weights).enumerate() {
                    if l < 1 {
                        return Err(bad(&format!("lots[{i}]"), format!("must be ≥ 1, got {l}")));
                    }
                    if !(w.is_finite() && w >= 0.0) {
                        return Err(bad(
                            &format!("weights[{i}]"),
                            format!("must be finite and ≥ 0, got {w}"),
                        ));
                    }
                    total += w;
                    cumulative.push(total);
                }
                if total <= 0.0 {
                    return Err(bad("weights", "all weights are zero".into()));
                }
                for c in &mut cumulative {
                    *c /= total;
                }
                Ok(SizeDist::Empirical {
                    lots: lots.iter().map(|&l| Qty(l)).collect(),
                    cumulative,
                })
            }
            SizeConfig::LogNormal {
                mu,
                sigma,
                max_lots,
            } => {
                if !mu.is_finite() {
                    return Err(bad("mu", format!("must be finite, got {mu}")));
                }
                if !(sigma.is_finite() && *sigma >= 0.0) {
                    return Err(bad("sigma", format!("must be finite and ≥ 0, got {sigma}")));
                }
                if *max_lots < 1 {
                    return Err(bad("max_lots", format!("must be ≥ 1, got {max_lots}")));
                }
                Ok(SizeDist::LogNormal {
                    mu: *mu,
                    sigma: *sigma,
                    max: *max_lots,
                })
            }
        }
    }
}

/// A validated order-size sampler (see [`SizeConfig`]).
#[derive(Clone, Debug, PartialEq)]
pub enum SizeDist {
    /// Always this size.
    Constant(Qty),
    /// Inverse-CDF sampling over observed sizes.
    Empirical {
        /// Sizes.
        lots: Vec<Qty>,
        /// Cumulative probabilities (last is 1).
        cumulative: Vec<f64>,
    },
    /// Rounded, clamped log-normal.
    LogNormal {
        /// Mean of the log size.
        mu: f64,
        /// Standard deviation of the log size.
        sigma: f64,
        /// Largest size.
        max: i64,
    },
}

impl SizeDist {
    /// One size (≥ 1 lot).
    #[inline]
    pub fn sample(&self, rng: &mut SimRng) -> Qty {
        match self {
            SizeDist::Constant(q) => *q,
            SizeDist::Empirical { lots, cumulative } => {
                let u: f64 = rng.random();
                let i = cumulative.partition_point(|&c| c <= u).min(lots.len() - 1);
                lots[i]
            }
            SizeDist::LogNormal { mu, sigma, max } => {
                let z: f64 = StandardNormal.sample(rng);
                let x = (mu + sigma * z).exp().round();
                Qty((x as i64).clamp(1, *max))
            }
        }
    }

    /// The mean size in lots (exact for constant and empirical; for the log-normal, the
    /// mean of the unrounded, unclamped law `exp(mu + sigma²/2)`).
    pub fn mean(&self) -> f64 {
        match self {
            SizeDist::Constant(q) => q.0 as f64,
            SizeDist::Empirical { lots, cumulative } => {
                let mut previous = 0.0;
                let mut mean = 0.0;
                for (l, &c) in lots.iter().zip(cumulative) {
                    mean += l.0 as f64 * (c - previous);
                    previous = c;
                }
                mean
            }
            SizeDist::LogNormal { mu, sigma, .. } => (mu + 0.5 * sigma * sigma).exp(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn empirical_sizes_follow_their_weights() {
        let dist = SizeConfig::Empirical {
            lots: vec![1, 5, 100],
            weights: vec![2.0, 1.0, 1.0],
        }
        .build("size")
        .unwrap();
        let mut rng = SimRng::seed_from_u64(9);
        let n = 100_000;
        let mut counts = [0usize; 3];
        for _ in 0..n {
            match dist.sample(&mut rng).0 {
                1 => counts[0] += 1,
                5 => counts[1] += 1,
                100 => counts[2] += 1,
                other => panic!("size {other} not in the support"),
            }
        }
        // Binomial standard error of a 1/2 share over 1e5 draws is 0.0016; allow 4 sigma.
        assert!(
            (counts[0] as f64 / n as f64 - 0.5).abs() < 0.0064,
            "{counts:?}"
        );
        assert!(
            (counts[2] as f64 / n as f64 - 0.25).abs() < 0.0056,
            "{counts:?}"
        );
        assert!((dist.mean() - (0.5 + 1.25 + 25.0)).abs() < 1e-12);
    }

    #[test]
    fn log_normal_sizes_are_clamped_and_centred() {
        let dist = SizeConfig::LogNormal {
            mu: 3.0,
            sigma: 0.3,
            max_lots: 1000,
        }
        .build("size")
        .unwrap();
        let mut rng = SimRng::seed_from_u64(4);
        let mut draws: Vec<i64> = (0..20_001).map(|_| dist.sample(&mut rng).0).collect();
        draws.sort_unstable();
        // The median of exp(3 + 0.3 Z) is e³ ≈ 20.09; rounding moves it by at most 0.5.
        let median = draws[10_000];
        assert!((19..=21).contains(&median), "median {median}");
        assert!(draws.iter().all(|&d| (1..=1000).contains(&d)));
    }

    #[test]
    fn bad_sizes_name_the_field() {
        let e = SizeConfig::Constant { lots: 0 }
            .build("flow.zi.size")
            .unwrap_err();
        assert!(e.to_string().contains("flow.zi.size.lots"), "{e}");
        let e = SizeConfig::Empirical {
            lots: vec![1, 2],
            weights: vec![1.0, f64::NAN],
        }
        .build("s")
        .unwrap_err();
        assert!(e.to_string().contains("s.weights[1]"), "{e}");
        let e = SizeConfig::Empirical {
            lots: vec![1],
            weights: vec![0.0],
        }
        .build("s")
        .unwrap_err();
        assert!(e.to_string().contains("all weights are zero"), "{e}");
    }
}
