//! Quantile binning of raw features into at most 255 `u8` bins, stored feature-major.

use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The bin edges of one feature.
///
/// Bin `b` holds the values `v` with `upper[b - 1] < v <= upper[b]`; the last edge is `+inf`,
/// so every finite value has a bin. A split "bin <= t" is therefore exactly the raw test
/// "v <= upper[t]", which is what the fitted trees store and what prediction evaluates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct BinMapper {
    /// Inclusive upper edges, strictly increasing, last one `+inf`.
    pub(crate) upper: Vec<f64>,
}

impl BinMapper {
    /// Equal-frequency edges from a sample of one feature (finite values, any order).
    ///
    /// Distinct values are counted; with at most `max_bins` of them each gets its own bin.
    /// Otherwise the sorted values are walked once and a bin is closed as soon as the running
    /// count reaches the next multiple of `n / max_bins` — the empirical quantiles at
    /// `k / max_bins`, k = 1 … max_bins − 1 (a value whose mass spans several quantiles closes
    /// one bin, so heavy ties give fewer bins). Edges sit halfway between neighbouring distinct
    /// values, as in LightGBM (Ke et al. 2017, § 2 "histogram-based algorithm").
    pub(crate) fn from_sample(mut values: Vec<f64>, max_bins: usize) -> Self {
        values.sort_unstable_by(f64::total_cmp);
        let mut distinct: Vec<(f64, usize)> = Vec::new();
        for v in values.iter().copied() {
            match distinct.last_mut() {
                Some((last, count)) if *last == v => *count += 1,
                _ => distinct.push((v, 1)),
            }
        }
        let mut upper = Vec::with_capacity(max_bins.min(distinct.len()));
        if distinct.len() <= max_bins {
            for w in distinct.windows(2) {
                upper.push(midpoint(w[0].0, w[1].0));
            }
        } else {
            let n = values.len() as f64;
            let per_bin = n / max_bins as f64;
            let mut cumulative = 0usize;
            for w in distinct.windows(2) {
                if upper.len() + 1 >= max_bins {
                    break;
                }
                cumulative += w[0].1;
                if cumulative as f64 >= per_bin * (upper.len() + 1) as f64 {
                    upper.push(midpoint(w[0].0, w[1].0));
                }
            }
        }
        upper.push(f64::INFINITY);
        Self { upper }
    }

    /// Number of bins (at most 255).
    pub(crate) fn n_bins(&self) -> usize {
        self.upper.len()
    }

    /// The bin of a finite value: the first edge that is `>= v`.
    #[inline]
    pub(crate) fn bin(&self, v: f64) -> u8 {
        // The last edge is +inf, so the index is < upper.len() <= 255.
        self.upper.partition_point(|&u| u < v) as u8
    }
}

/// A point `m` with `a <= m < b` for finite `a < b`, halfway where representable.
fn midpoint(a: f64, b: f64) -> f64 {
    let m = a + (b - a) / 2.0;
    if m.is_finite() && m >= a && m < b {
        m
    } else {
        a
    }
}

/// Training features as bins, feature-major: feature `f`'s bins for all rows are
/// `bins[f * n_rows .. (f + 1) * n_rows]`, so a histogram pass over one feature reads one
/// contiguous byte column.
#[derive(Debug, Clone)]
pub(crate) struct BinnedMatrix {
    pub(crate) n_rows: usize,
    pub(crate) bins: Vec<u8>,
}

impl BinnedMatrix {
    /// Feature `f`'s column of bins.
    #[inline]
    pub(crate) fn column(&self, f: usize) -> &[u8] {
        &self.bins[f * self.n_rows..(f + 1) * self.n_rows]
    }
}

/// Fits one [`BinMapper`] per feature on (at most `sample_rows` evenly spaced rows of) `x` and
/// bins all of `x`. Runs on the current rayon pool, one task per feature; the result does not
/// depend on the number of threads. `x` must already be checked finite.
pub(crate) fn bin_features(
    x: ArrayView2<'_, f64>,
    max_bins: usize,
    sample_rows: usize,
) -> (Vec<BinMapper>, BinnedMatrix) {
    let (n_rows, n_features) = x.dim();
    let step = n_rows.div_ceil(sample_rows.max(1)).max(1);
    let mappers: Vec<BinMapper> = (0..n_features)
        .into_par_iter()
        .map(|f| {
            let col = x.column(f);
            let sample: Vec<f64> = col.iter().step_by(step).copied().collect();
            BinMapper::from_sample(sample, max_bins)
        })
        .collect();
    let mut bins = vec![0u8; n_rows * n_features];
    if n_rows > 0 {
        bins.par_chunks_mut(n_rows)
            .zip(mappers.par_iter())
            .enumerate()
            .for_each(|(f, (out, mapper))| {
                for (o, &v) in out.iter_mut().zip(x.column(f).iter()) {
                    *o = mapper.bin(v);
                }
            });
    }
    (mappers, BinnedMatrix { n_rows, bins })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_get_one_bin_each_with_midpoint_edges() {
        let m = BinMapper::from_sample(vec![3.0, 1.0, 2.0, 1.0, 3.0], 255);
        assert_eq!(m.upper, vec![1.5, 2.5, f64::INFINITY]);
        assert_eq!(m.bin(1.0), 0);
        assert_eq!(m.bin(1.5), 0);
        assert_eq!(m.bin(1.6), 1);
        assert_eq!(m.bin(-100.0), 0);
        assert_eq!(m.bin(1e300), 2);
    }

    #[test]
    fn many_distinct_values_give_equal_frequency_bins() {
        // 1000 distinct values into 10 bins: each bin holds 100 of them.
        let m = BinMapper::from_sample((0..1000).map(f64::from).collect(), 10);
        assert_eq!(m.n_bins(), 10);
        let mut counts = [0usize; 10];
        for v in 0..1000 {
            counts[m.bin(f64::from(v)) as usize] += 1;
        }
        assert_eq!(counts, [100; 10]);
    }

    #[test]
    fn at_most_255_bins_and_edges_increase() {
        let m = BinMapper::from_sample((0..100_000).map(|i| (i as f64).sin()).collect(), 255);
        assert!(m.n_bins() <= 255 && m.n_bins() > 250, "{}", m.n_bins());
        assert!(m.upper.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn adjacent_floats_stay_in_separate_bins() {
        let a = 1.0f64;
        let b = f64::from_bits(a.to_bits() + 1);
        let m = BinMapper::from_sample(vec![a, b], 255);
        assert_eq!((m.bin(a), m.bin(b)), (0, 1));
    }
}
