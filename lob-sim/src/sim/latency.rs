//! Latency models: how long a message takes between a participant and the exchange.

use super::SimRng;
use crate::error::{Error, Result};
use rand::RngExt;
use rand_distr::{Distribution, Exp1, StandardNormal};
use serde::{Deserialize, Serialize};
use shortfall_core::Ts;

/// Draws one message latency.
///
/// # Design
/// A latency is a property of one direction of one participant's link (order entry, or
/// market data), so the trait only draws durations; the kernel decides what they delay and
/// keeps each link first-in first-out (a message never overtakes an earlier one on the same
/// link, as on a TCP session), whatever the draws.
pub trait LatencyModel {
    /// One latency (≥ 0).
    fn sample(&self, rng: &mut SimRng) -> Ts;

    /// True when every draw is zero (the kernel then skips the event queue).
    fn is_zero(&self) -> bool;
}

/// The latency models a configuration can name. Durations are in microseconds in the TOML
/// file (`{ kind = "constant", us = 50.0 }`) and nanoseconds inside.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Latency {
    /// Always the same.
    Constant {
        /// Microseconds.
        us: f64,
    },
    /// Uniform on `[min_us, max_us]`.
    Uniform {
        /// Lower bound, microseconds.
        min_us: f64,
        /// Upper bound, microseconds.
        max_us: f64,
    },
    /// `floor_us` plus an exponential with mean `mean_us`.
    Exponential {
        /// Minimum latency, microseconds.
        floor_us: f64,
        /// Mean of the exponential part, microseconds.
        mean_us: f64,
    },
    /// `floor_us` plus a log-normal with median `median_us` and log-scale `sigma`.
    LogNormal {
        /// Minimum latency, microseconds.
        floor_us: f64,
        /// Median of the log-normal part, microseconds.
        median_us: f64,
        /// Standard deviation of its logarithm.
        sigma: f64,
    },
    /// Resampled uniformly from observed latencies (microseconds).
    Empirical {
        /// The observed latencies.
        samples_us: Vec<f64>,
    },
}

impl Default for Latency {
    /// Zero latency (co-located).
    fn default() -> Self {
        Latency::Constant { us: 0.0 }
    }
}

fn us_to_ns(us: f64) -> i64 {
    (us * 1e3).round() as i64
}

impl Latency {
    /// Zero latency.
    pub const ZERO: Latency = Latency::Constant { us: 0.0 };

    /// Checks every parameter; `field` names the model in errors (`strategy.order_latency`).
    ///
    /// # Errors
    /// [`Error::Config`] for a negative or non-finite duration, `min_us > max_us`, a
    /// non-positive mean, median or sigma, or an empty sample.
    pub fn validate(&self, field: &str) -> Result<()> {
        let bad = |name: &str, reason: String| Error::Config {
            field: format!("{field}.{name}"),
            reason,
        };
        let non_negative = |name: &str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(bad(
                    name,
                    format!("must be a finite number ≥ 0 µs, got {v}"),
                ))
            }
        };
        let positive = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(bad(name, format!("must be a finite number > 0, got {v}")))
            }
        };
        match self {
            Latency::Constant { us } => non_negative("us", *us),
            Latency::Uniform { min_us, max_us } => {
                non_negative("min_us", *min_us)?;
                non_negative("max_us", *max_us)?;
                if min_us > max_us {
                    return Err(bad("max_us", format!("{max_us} is below min_us {min_us}")));
                }
                Ok(())
            }
            Latency::Exponential { floor_us, mean_us } => {
                non_negative("floor_us", *floor_us)?;
                positive("mean_us", *mean_us)
            }
            Latency::LogNormal {
                floor_us,
                median_us,
                sigma,
            } => {
                non_negative("floor_us", *floor_us)?;
                positive("median_us", *median_us)?;
                positive("sigma", *sigma)
            }
            Latency::Empirical { samples_us } => {
                if samples_us.is_empty() {
                    return Err(bad("samples_us", "needs at least one sample".into()));
                }
                for (i, &v) in samples_us.iter().enumerate() {
                    non_negative(&format!("samples_us[{i}]"), v)?;
                }
                Ok(())
            }
        }
    }
}

impl LatencyModel for Latency {
    #[inline]
    fn sample(&self, rng: &mut SimRng) -> Ts {
        let us = match self {
            Latency::Constant { us } => *us,
            Latency::Uniform { min_us, max_us } => min_us + (max_us - min_us) * rng.random::<f64>(),
            Latency::Exponential { floor_us, mean_us } => {
                let e: f64 = Exp1.sample(rng);
                floor_us + mean_us * e
            }
            Latency::LogNormal {
                floor_us,
                median_us,
                sigma,
            } => {
                let z: f64 = StandardNormal.sample(rng);
                floor_us + median_us * (sigma * z).exp()
            }
            Latency::Empirical { samples_us } => samples_us[rng.random_range(0..samples_us.len())],
        };
        Ts(us_to_ns(us).max(0))
    }

    fn is_zero(&self) -> bool {
        match self {
            Latency::Constant { us } => us_to_ns(*us) == 0,
            Latency::Uniform { max_us, .. } => us_to_ns(*max_us) == 0,
            Latency::Empirical { samples_us } => samples_us.iter().all(|&v| us_to_ns(v) == 0),
            Latency::Exponential { .. } | Latency::LogNormal { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn mean_of(model: &Latency, n: usize) -> f64 {
        let mut rng = SimRng::seed_from_u64(3);
        (0..n).map(|_| model.sample(&mut rng).0 as f64).sum::<f64>() / n as f64
    }

    #[test]
    fn sample_means_match_the_closed_forms() {
        // n = 200k draws: the standard error of each mean is below 0.5 % of it.
        let n = 200_000;
        let exp = Latency::Exponential {
            floor_us: 10.0,
            mean_us: 40.0,
        };
        assert!((mean_of(&exp, n) - 50_000.0).abs() < 2_000.0 * 0.5);
        // Log-normal: E = median · exp(σ²/2).
        let ln = Latency::LogNormal {
            floor_us: 0.0,
            median_us: 100.0,
            sigma: 0.5,
        };
        let want = 100_000.0 * (0.125f64).exp();
        assert!((mean_of(&ln, n) - want).abs() < want * 0.01);
        let uni = Latency::Uniform {
            min_us: 20.0,
            max_us: 60.0,
        };
        assert!((mean_of(&uni, n) - 40_000.0).abs() < 200.0);
        let con = Latency::Constant { us: 7.5 };
        assert_eq!(mean_of(&con, 10), 7_500.0);
    }

    #[test]
    fn empirical_latency_only_returns_observed_values() {
        let model = Latency::Empirical {
            samples_us: vec![1.0, 2.0, 5.0],
        };
        let mut rng = SimRng::seed_from_u64(1);
        let mut seen = [false; 3];
        for _ in 0..1000 {
            match model.sample(&mut rng).0 {
                1_000 => seen[0] = true,
                2_000 => seen[1] = true,
                5_000 => seen[2] = true,
                other => panic!("latency {other} ns was never observed"),
            }
        }
        assert_eq!(seen, [true; 3]);
    }

    #[test]
    fn invalid_latencies_name_the_field() {
        let err = Latency::Uniform {
            min_us: 5.0,
            max_us: 1.0,
        }
        .validate("strategy.order_latency")
        .unwrap_err();
        assert!(
            err.to_string().contains("strategy.order_latency.max_us"),
            "{err}"
        );
        let err = Latency::Constant { us: f64::NAN }
            .validate("x")
            .unwrap_err();
        assert!(err.to_string().contains("x.us"), "{err}");
        let err = Latency::Empirical {
            samples_us: Vec::new(),
        }
        .validate("md")
        .unwrap_err();
        assert!(err.to_string().contains("md.samples_us"), "{err}");
        assert!(Latency::ZERO.is_zero());
    }
}
