//! Order-size distributions: empirical quantiles, moments and a log-normal fit.

use serde::{Deserialize, Serialize};

/// The probabilities at which [`SizeDistribution::quantiles`] are reported.
pub const SIZE_QUANTILE_PROBS: [f64; 9] = [0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99];

/// One empirical quantile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quantile {
    /// The probability p.
    pub p: f64,
    /// The smallest observed size x with F̂(x) ≥ p (inverse of the empirical CDF, type 1 of
    /// Hyndman & Fan 1996), in shares.
    pub value: f64,
}

/// The distribution of order sizes (shares) in a sample.
///
/// The log-normal fit is the maximum-likelihood one: `lognormal_mu` and `lognormal_sigma` are
/// the mean and the standard deviation (divisor n) of ln(size), so a simulator draws
/// `exp(lognormal_mu + lognormal_sigma · Z)` with Z standard normal (round to whole shares).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SizeDistribution {
    /// Orders in the sample.
    pub count: u64,
    /// Total shares.
    pub total: i64,
    /// Mean size (shares); NaN when the sample is empty.
    pub mean: f64,
    /// Sample standard deviation (divisor n − 1); NaN below two orders.
    pub sd: f64,
    /// Smallest size.
    pub min: i64,
    /// Largest size.
    pub max: i64,
    /// Empirical quantiles at [`SIZE_QUANTILE_PROBS`].
    pub quantiles: Vec<Quantile>,
    /// Mean of ln(size) (the log-normal μ).
    pub lognormal_mu: f64,
    /// Standard deviation of ln(size), divisor n (the log-normal σ, MLE).
    pub lognormal_sigma: f64,
    /// Share of orders whose size is a multiple of 100 shares (round lots).
    pub round_lot_share: f64,
}

impl SizeDistribution {
    /// Summarises `sizes` (shares, each ≥ 1; the caller drops zero sizes). An empty sample
    /// gives count 0 and NaN statistics.
    pub fn from_sizes(mut sizes: Vec<i64>) -> Self {
        sizes.sort_unstable();
        let n = sizes.len();
        let nf = n as f64;
        let total: i64 = sizes.iter().sum();
        let mean = if n == 0 { f64::NAN } else { total as f64 / nf };
        let sd = if n < 2 {
            f64::NAN
        } else {
            (sizes
                .iter()
                .map(|&s| (s as f64 - mean).powi(2))
                .sum::<f64>()
                / (nf - 1.0))
                .sqrt()
        };
        let logs: Vec<f64> = sizes.iter().map(|&s| (s as f64).ln()).collect();
        let lmu = if n == 0 {
            f64::NAN
        } else {
            logs.iter().sum::<f64>() / nf
        };
        let lsigma = if n == 0 {
            f64::NAN
        } else {
            (logs.iter().map(|l| (l - lmu).powi(2)).sum::<f64>() / nf).sqrt()
        };
        let quantiles = if n == 0 {
            Vec::new()
        } else {
            SIZE_QUANTILE_PROBS
                .iter()
                .map(|&p| {
                    // Smallest index k (1-based) with k/n ≥ p.
                    let k = ((p * nf).ceil() as usize).clamp(1, n);
                    Quantile {
                        p,
                        value: sizes[k - 1] as f64,
                    }
                })
                .collect()
        };
        let round = sizes.iter().filter(|&&s| s % 100 == 0).count();
        Self {
            count: n as u64,
            total,
            mean,
            sd,
            min: sizes.first().copied().unwrap_or(0),
            max: sizes.last().copied().unwrap_or(0),
            quantiles,
            lognormal_mu: lmu,
            lognormal_sigma: lsigma,
            round_lot_share: if n == 0 { f64::NAN } else { round as f64 / nf },
        }
    }

    /// The empirical quantile at probability `p` if it is one of [`SIZE_QUANTILE_PROBS`].
    pub fn quantile(&self, p: f64) -> Option<f64> {
        self.quantiles
            .iter()
            .find(|q| (q.p - p).abs() < 1e-12)
            .map(|q| q.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_a_hand_computed_sample() {
        // Sizes 100, 200, 300, 400: mean 250, sd √(50 000/3), median (type 1) 200.
        let d = SizeDistribution::from_sizes(vec![400, 100, 300, 200]);
        assert_eq!((d.count, d.total, d.min, d.max), (4, 1000, 100, 400));
        assert_eq!(d.mean, 250.0);
        assert!((d.sd - (50_000.0_f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(d.quantile(0.5), Some(200.0));
        assert_eq!(d.quantile(0.75), Some(300.0));
        assert_eq!(d.quantile(0.99), Some(400.0));
        assert_eq!(d.quantile(0.01), Some(100.0));
        let logs = [
            100.0_f64.ln(),
            200.0_f64.ln(),
            300.0_f64.ln(),
            400.0_f64.ln(),
        ];
        let m = logs.iter().sum::<f64>() / 4.0;
        let s = (logs.iter().map(|l| (l - m).powi(2)).sum::<f64>() / 4.0).sqrt();
        assert!((d.lognormal_mu - m).abs() < 1e-12 && (d.lognormal_sigma - s).abs() < 1e-12);
        assert_eq!(d.round_lot_share, 1.0);
        let e = SizeDistribution::from_sizes(vec![]);
        assert_eq!(e.count, 0);
        assert!(e.mean.is_nan() && e.quantiles.is_empty());
    }
}
