//! Statistics for paired policy comparisons: bootstrap confidence intervals, the Wilcoxon
//! signed-rank test and the Benjamini–Hochberg correction.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use statrs::distribution::{ContinuousCDF, Normal};

/// Sample mean (0 for an empty sample).
pub fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        0.0
    } else {
        x.iter().sum::<f64>() / x.len() as f64
    }
}

/// Sample standard deviation with the `n − 1` denominator (0 for fewer than 2 values).
pub fn std_dev(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return 0.0;
    }
    let m = mean(x);
    (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64).sqrt()
}

/// Percentile bootstrap 95 % confidence interval of the mean (Efron & Tibshirani 1993,
/// ch. 13): `resamples` resamples with replacement drawn by a ChaCha12 generator seeded
/// with `seed`; the interval is the 2.5 % and 97.5 % quantiles (linear interpolation
/// between order statistics) of the resampled means. `[mean, mean]` for fewer than two
/// values or no resamples.
pub fn bootstrap_ci95(x: &[f64], resamples: usize, seed: u64) -> [f64; 2] {
    let n = x.len();
    if n < 2 || resamples == 0 {
        let m = mean(x);
        return [m, m];
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut means: Vec<f64> = (0..resamples)
        .map(|_| {
            let mut s = 0.0;
            for _ in 0..n {
                s += x[rng.random_range(0..n)];
            }
            s / n as f64
        })
        .collect();
    means.sort_by(f64::total_cmp);
    [
        quantile_sorted(&means, 0.025),
        quantile_sorted(&means, 0.975),
    ]
}

/// The `q` quantile of sorted values, interpolating between order statistics (type 7).
fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Result of a two-sided Wilcoxon signed-rank test.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Wilcoxon {
    /// Sum of the ranks of the positive differences, `W⁺`.
    pub w_plus: f64,
    /// Number of non-zero differences (zeros are discarded).
    pub n: usize,
    /// Two-sided p-value.
    pub p_value: f64,
    /// True when `p_value` is exact, false for the normal approximation.
    pub exact: bool,
}

/// Largest `n` for which the exact null distribution is used (when there are no ties).
pub const WILCOXON_EXACT_MAX_N: usize = 50;

/// Two-sided Wilcoxon signed-rank test of paired differences `d` (Wilcoxon 1945).
///
/// - Zero differences are discarded (Wilcoxon's original treatment; scipy's
///   `zero_method="wilcox"`); with none left the p-value is 1.
/// - Tied `|d|` get their average rank.
/// - **Exact** when no `|d|` are tied and at most [`WILCOXON_EXACT_MAX_N`] differences
///   remain: the null distribution of `W⁺` over all `2ⁿ` sign patterns is counted by dynamic
///   programming, and `p = min(1, 2 min(P(W⁺ ≤ w), P(W⁺ ≥ w)))`.
/// - Otherwise the **normal approximation** with the tie correction of the variance,
///   `Var = n(n+1)(2n+1)/24 − Σ(t³ − t)/48` over tie groups of size `t`, and a continuity
///   correction of ½ towards the mean (Hollander & Wolfe 1999, §3.1); `Φ` from statrs.
pub fn wilcoxon_signed_rank(d: &[f64]) -> Wilcoxon {
    let mut nz: Vec<f64> = d
        .iter()
        .copied()
        .filter(|v| *v != 0.0 && !v.is_nan())
        .collect();
    let n = nz.len();
    if n == 0 {
        return Wilcoxon {
            w_plus: 0.0,
            n: 0,
            p_value: 1.0,
            exact: true,
        };
    }
    nz.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
    // Average ranks over runs of equal |d|; collect tie-group sizes.
    let mut w_plus = 0.0;
    let mut tie_term = 0.0;
    let mut ties = false;
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && nz[j].abs() == nz[i].abs() {
            j += 1;
        }
        let t = (j - i) as f64;
        if j - i > 1 {
            ties = true;
            tie_term += t * t * t - t;
        }
        let rank = (i + 1 + j) as f64 / 2.0; // average of ranks i+1 ..= j
        w_plus += rank * nz[i..j].iter().filter(|v| **v > 0.0).count() as f64;
        i = j;
    }
    let nf = n as f64;
    if !ties && n <= WILCOXON_EXACT_MAX_N {
        // counts[w] = number of subsets of {1..n} with rank sum w.
        let max = n * (n + 1) / 2;
        let mut counts = vec![0.0f64; max + 1];
        counts[0] = 1.0;
        for r in 1..=n {
            for w in (r..=max).rev() {
                counts[w] += counts[w - r];
            }
        }
        let total = 2f64.powi(n as i32);
        let w = w_plus.round() as usize;
        let lower: f64 = counts[..=w].iter().sum::<f64>() / total;
        let upper: f64 = counts[w..].iter().sum::<f64>() / total;
        return Wilcoxon {
            w_plus,
            n,
            p_value: (2.0 * lower.min(upper)).min(1.0),
            exact: true,
        };
    }
    let mu = nf * (nf + 1.0) / 4.0;
    let var = nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - tie_term / 48.0;
    let p_value = if var <= 0.0 {
        1.0
    } else {
        let dev = w_plus - mu;
        let corrected = (dev.abs() - 0.5).max(0.0);
        let z = corrected / var.sqrt();
        let normal = Normal::standard();
        (2.0 * (1.0 - normal.cdf(z))).min(1.0)
    };
    Wilcoxon {
        w_plus,
        n,
        p_value,
        exact: false,
    }
}

/// Benjamini–Hochberg (1995) adjusted p-values (false-discovery-rate q-values), in the
/// input's order: `q_(i) = min_{j ≥ i} min(1, m p_(j) / j)` over the sorted p-values.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|a, b| p[*a].total_cmp(&p[*b]));
    let mut q = vec![0.0; m];
    let mut running = 1.0f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min(p[i] * m as f64 / (rank + 1) as f64).min(1.0);
        q[i] = running;
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_distr::{Distribution, StandardNormal};

    #[test]
    fn exact_wilcoxon_matches_hand_counts() {
        // All five positive: W+ = 15, P(W+ >= 15) = 1/32, two-sided 1/16.
        let w = wilcoxon_signed_rank(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert!(w.exact && w.w_plus == 15.0 && (w.p_value - 0.0625).abs() < 1e-15);
        // One negative of rank 2 among six: W- = 2; subsets of {1..6} with sum <= 2 are
        // {}, {1}, {2}: P = 3/64, two-sided 6/64.
        let w = wilcoxon_signed_rank(&[1.0, -2.0, 3.0, 4.0, 5.0, 6.0]);
        assert!(w.exact && w.w_plus == 19.0 && (w.p_value - 6.0 / 64.0).abs() < 1e-15);
        // Zeros are dropped: same as above.
        let w2 = wilcoxon_signed_rank(&[0.0, 1.0, -2.0, 0.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(w, w2);
        // Perfectly balanced: p = 1.
        let w = wilcoxon_signed_rank(&[1.0, -2.0, -3.0, 4.0]);
        // W+ = 5 = mean; P(W+ <= 5) = 9/16 (subsets of {1,2,3,4} by sum 0..5: 1,1,1,2,2,2).
        assert!((w.p_value - 1.0).abs() < 1e-15);
        assert_eq!(wilcoxon_signed_rank(&[0.0, 0.0]).p_value, 1.0);
    }

    #[test]
    fn tied_wilcoxon_uses_the_corrected_normal_approximation() {
        // d = [1, 1, -1, 2, 2, 3]: |d| ranks: the three 1s share ranks 1-3 (avg 2), the two
        // 2s share 4-5 (avg 4.5), 3 is rank 6. W+ = 2 + 2 + 4.5 + 4.5 + 6 = 19.
        // n = 6: mean 10.5, Var = 6*7*13/24 - ((27-3) + (8-2))/48 = 22.75 - 0.625 = 22.125.
        // z = (19 - 10.5 - 0.5)/sqrt(22.125) = 8/4.70372 = 1.70078; p = 2(1 - Phi(z)).
        let w = wilcoxon_signed_rank(&[1.0, 1.0, -1.0, 2.0, 2.0, 3.0]);
        assert!(!w.exact && w.w_plus == 19.0 && w.n == 6);
        let z: f64 = 8.0 / 22.125f64.sqrt();
        let expected = 2.0 * (1.0 - Normal::standard().cdf(z));
        assert!((w.p_value - expected).abs() < 1e-12);
        // Phi(1.70078) = 0.95551 from tables: p ~ 0.0890.
        assert!((w.p_value - 0.0890).abs() < 5e-4, "{}", w.p_value);
    }

    #[test]
    fn wilcoxon_holds_its_size_and_detects_a_shift() {
        // Under the null (symmetric about 0) about 5 % of tests reject at 5 %; with a shift
        // of 0.5 sd and n = 60 the power is near 1 (normal-theory power ~ 0.98).
        let mut rng = StdRng::seed_from_u64(2026);
        let mut reject_null = 0;
        let mut reject_shift = 0;
        let reps = 300;
        for _ in 0..reps {
            let d: Vec<f64> = (0..60).map(|_| StandardNormal.sample(&mut rng)).collect();
            if wilcoxon_signed_rank(&d).p_value < 0.05 {
                reject_null += 1;
            }
            let s: Vec<f64> = d.iter().map(|v| v + 0.5).collect();
            if wilcoxon_signed_rank(&s).p_value < 0.05 {
                reject_shift += 1;
            }
        }
        // Binomial(300, 0.05): mean 15, sd 3.8; allow 4 sd.
        assert!(reject_null < 31, "{reject_null}");
        assert!(reject_shift > 270, "{reject_shift}");
    }

    #[test]
    fn benjamini_hochberg_matches_the_hand_computation() {
        // Sorted: 0.01, 0.03, 0.04, 0.20 -> 4p/j = 0.04, 0.06, 0.0533, 0.20; step-up minima:
        // 0.04, 0.0533, 0.0533, 0.20.
        let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.20]);
        let e = [0.04, 0.16 / 3.0, 0.16 / 3.0, 0.20];
        for (a, b) in q.iter().zip(e) {
            assert!((a - b).abs() < 1e-12, "{q:?}");
        }
        assert!(benjamini_hochberg(&[]).is_empty());
        assert_eq!(benjamini_hochberg(&[0.9, 0.8]), vec![0.9, 0.9]);
    }

    #[test]
    fn bootstrap_interval_has_the_normal_theory_width_and_is_seeded() {
        let mut rng = StdRng::seed_from_u64(5);
        let x: Vec<f64> = (0..400).map(|_| StandardNormal.sample(&mut rng)).collect();
        let ci = bootstrap_ci95(&x, 2000, 1);
        let m = mean(&x);
        assert!(ci[0] < m && m < ci[1]);
        // Normal theory: 2 * 1.96 * s / sqrt(n); the bootstrap's Monte Carlo error with
        // 2000 resamples is a few percent.
        let width = 2.0 * 1.96 * std_dev(&x) / 20.0;
        assert!(
            ((ci[1] - ci[0]) / width - 1.0).abs() < 0.1,
            "{ci:?} vs {width}"
        );
        assert_eq!(ci, bootstrap_ci95(&x, 2000, 1));
        assert_eq!(bootstrap_ci95(&[3.0], 100, 1), [3.0, 3.0]);
    }

    #[test]
    fn mean_and_std_match_hand_values() {
        assert_eq!(mean(&[1.0, 2.0, 3.0, 6.0]), 3.0);
        // Deviations -2, -1, 0, 3: sum of squares 14, / 3.
        assert!((std_dev(&[1.0, 2.0, 3.0, 6.0]) - (14.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!(std_dev(&[1.0]), 0.0);
    }
}
