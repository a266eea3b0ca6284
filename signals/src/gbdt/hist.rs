//! Gradient histograms (the hot loop) and the best split of a leaf.
//!
//! A leaf's histogram holds, for every feature and bin, the sums of the first and second
//! derivatives of the loss over the leaf's rows and their count. The best split of a feature
//! is one left-to-right scan over its bins. Second-order gain and leaf values are those of
//! XGBoost (Chen & Guestrin 2016, eqs. (6) and (7)) without the γ term:
//!
//! ```text
//! gain = G_L² / (H_L + λ) + G_R² / (H_R + λ) − G² / (H + λ),   w* = −G / (H + λ)
//! ```
//!
//! (LightGBM reports this un-halved gain as split importance; so do we.)

use rayon::prelude::*;

use super::bins::BinnedMatrix;

/// Bins per feature in a histogram: every `u8` value has a slot, so indexing by a bin needs
/// no bounds check.
pub(crate) const SLOTS: usize = 256;

/// First and second derivative of the loss at one row (weighted), single precision as in
/// LightGBM; sums are kept in `f64`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct GradPair {
    pub(crate) g: f32,
    pub(crate) h: f32,
}

/// Sums over the rows that fall in one bin (or one leaf). Aligned to 32 bytes so that no bin
/// straddles two cache lines.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[repr(align(32))]
pub(crate) struct BinStat {
    pub(crate) g: f64,
    pub(crate) h: f64,
    pub(crate) n: u64,
}

impl BinStat {
    #[inline]
    fn add(&mut self, p: GradPair) {
        self.g += f64::from(p.g);
        self.h += f64::from(p.h);
        self.n += 1;
    }

    #[inline]
    pub(crate) fn minus(self, o: BinStat) -> BinStat {
        BinStat {
            g: self.g - o.g,
            h: self.h - o.h,
            n: self.n - o.n,
        }
    }
}

/// Which rows a histogram covers.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rows<'a> {
    /// Every row `0..n_rows`; the gradients are indexed by row.
    All,
    /// These rows; the gradients are *ordered*: `grads[k]` belongs to row `rows[k]`.
    Subset(&'a [u32]),
}

/// Rows × active features below which a histogram is built on one thread (rayon's task
/// overhead would dominate).
const PARALLEL_MIN_WORK: usize = 32 * 1024;

/// Fills `hist` (`n_features * SLOTS` entries) with the histograms of the active features,
/// one rayon task per feature on the current pool. Each feature's sums run over the rows in
/// their given order on one thread, so the result is bit-identical for any thread count.
pub(crate) fn build(
    hist: &mut [BinStat],
    data: &BinnedMatrix,
    active: &[bool],
    rows: Rows<'_>,
    grads: &[GradPair],
) {
    let n = match rows {
        Rows::All => data.n_rows,
        Rows::Subset(r) => r.len(),
    };
    let n_active = active.iter().filter(|&&a| a).count();
    let one = |(f, h): (usize, &mut [BinStat])| {
        if !active[f] {
            return;
        }
        let h: &mut [BinStat; SLOTS] = h.try_into().expect("histogram chunks have SLOTS bins");
        h.fill(BinStat::default());
        let col = data.column(f);
        match rows {
            Rows::All => accumulate_all(h, col, grads),
            Rows::Subset(r) => accumulate_subset(h, col, r, grads),
        }
    };
    if n * n_active >= PARALLEL_MIN_WORK {
        hist.par_chunks_mut(SLOTS).enumerate().for_each(one);
    } else {
        hist.chunks_mut(SLOTS).enumerate().for_each(one);
    }
}

#[inline]
fn accumulate_all(h: &mut [BinStat; SLOTS], col: &[u8], grads: &[GradPair]) {
    for (&b, &p) in col.iter().zip(grads) {
        h[usize::from(b)].add(p);
    }
}

#[inline]
fn accumulate_subset(h: &mut [BinStat; SLOTS], col: &[u8], rows: &[u32], grads: &[GradPair]) {
    for (&r, &p) in rows.iter().zip(grads) {
        h[usize::from(col[r as usize])].add(p);
    }
}

/// `parent -= child` over the active features: the histogram subtraction trick (Ke et al.
/// 2017, § 2): the larger child's histogram is the parent's minus the smaller child's.
pub(crate) fn subtract(parent: &mut [BinStat], child: &[BinStat], active: &[bool]) {
    for ((p, c), &on) in parent
        .chunks_mut(SLOTS)
        .zip(child.chunks(SLOTS))
        .zip(active)
    {
        if on {
            for (a, b) in p.iter_mut().zip(c) {
                *a = a.minus(*b);
            }
        }
    }
}

/// Constraints and regularisation for split search.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SplitRules {
    pub(crate) min_data_in_leaf: u64,
    pub(crate) min_sum_hessian: f64,
    pub(crate) lambda_l2: f64,
    pub(crate) min_gain_to_split: f64,
}

impl SplitRules {
    /// `G² / (H + λ)`, the (doubled, negated) optimal loss reduction of one leaf.
    #[inline]
    fn score(&self, g: f64, h: f64) -> f64 {
        g * g / (h + self.lambda_l2)
    }

    /// The Newton step `−G / (H + λ)` (before the learning rate).
    #[inline]
    pub(crate) fn leaf_value(&self, s: BinStat) -> f64 {
        -s.g / (s.h + self.lambda_l2)
    }
}

/// The best split found for a leaf.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Split {
    pub(crate) feature: usize,
    /// Rows with bin `<= bin` go left.
    pub(crate) bin: u8,
    pub(crate) gain: f64,
    pub(crate) left: BinStat,
    pub(crate) right: BinStat,
}

/// The best split of a leaf with sums `total` over the active features, or `None` when no
/// split satisfies the rules with gain above `min_gain_to_split`. Ties go to the lower feature,
/// then the lower bin, so the choice is deterministic.
pub(crate) fn best_split(
    hist: &[BinStat],
    n_bins: &[usize],
    active: &[bool],
    total: BinStat,
    rules: &SplitRules,
) -> Option<Split> {
    let parent = rules.score(total.g, total.h);
    let mut best: Option<Split> = None;
    for (f, h) in hist.chunks(SLOTS).enumerate() {
        if !active[f] || n_bins[f] < 2 {
            continue;
        }
        let mut left = BinStat::default();
        for (b, &s) in h[..n_bins[f] - 1].iter().enumerate() {
            left.g += s.g;
            left.h += s.h;
            left.n += s.n;
            if left.n < rules.min_data_in_leaf || left.h < rules.min_sum_hessian {
                continue;
            }
            let right = total.minus(left);
            if right.n < rules.min_data_in_leaf {
                break;
            }
            if right.h < rules.min_sum_hessian {
                continue;
            }
            let gain = rules.score(left.g, left.h) + rules.score(right.g, right.h) - parent;
            if gain > rules.min_gain_to_split && best.is_none_or(|s| gain > s.gain) {
                best = Some(Split {
                    feature: f,
                    bin: b as u8,
                    gain,
                    left,
                    right,
                });
            }
        }
    }
    best
}
