//! One regression tree and its leaf-wise (best-first) growth on binned data.

use ndarray::ArrayView1;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::bins::{BinMapper, BinnedMatrix};
use super::hist::{self, BinStat, GradPair, Rows, SLOTS, Split, SplitRules};

/// A fitted regression tree.
///
/// Internal node `i` sends a row left when `x[feature[i]] <= threshold[i]`. A child index
/// `c >= 0` is an internal node, `c < 0` is leaf `!c`. A tree with one leaf has no internal
/// nodes. Leaf values already include the learning rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Tree {
    pub(crate) feature: Vec<u32>,
    pub(crate) threshold: Vec<f64>,
    /// The threshold as a bin of the training data (`bin <= threshold_bin` goes left).
    pub(crate) threshold_bin: Vec<u8>,
    pub(crate) left: Vec<i32>,
    pub(crate) right: Vec<i32>,
    /// Split gain of each internal node (importance by gain).
    pub(crate) gain: Vec<f64>,
    pub(crate) leaf_value: Vec<f64>,
}

impl Tree {
    /// The leaf a row of raw features falls in.
    #[inline]
    pub(crate) fn leaf(&self, row: ArrayView1<'_, f64>) -> usize {
        if self.feature.is_empty() {
            return 0;
        }
        let mut node = 0i32;
        while node >= 0 {
            let i = node as usize;
            node = if row[self.feature[i] as usize] <= self.threshold[i] {
                self.left[i]
            } else {
                self.right[i]
            };
        }
        !node as usize
    }

    /// The leaf training row `r` falls in, from its bins.
    #[inline]
    fn leaf_binned(&self, data: &BinnedMatrix, r: usize) -> usize {
        if self.feature.is_empty() {
            return 0;
        }
        let mut node = 0i32;
        while node >= 0 {
            let i = node as usize;
            node = if data.bins[self.feature[i] as usize * data.n_rows + r] <= self.threshold_bin[i]
            {
                self.left[i]
            } else {
                self.right[i]
            };
        }
        !node as usize
    }

    /// The tree's output for a row of raw features.
    #[inline]
    pub(crate) fn predict(&self, row: ArrayView1<'_, f64>) -> f64 {
        self.leaf_value[self.leaf(row)]
    }
}

/// Settings of one tree's growth.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GrowRules {
    pub(crate) max_leaves: usize,
    pub(crate) max_depth: Option<usize>,
    pub(crate) learning_rate: f64,
    pub(crate) split: SplitRules,
}

/// A leaf while the tree grows: its rows are `indices[start..start + len]`.
#[derive(Debug)]
struct Leaf {
    start: usize,
    len: usize,
    stats: BinStat,
    depth: usize,
    /// Histogram, kept while the leaf may still be split.
    hist: Option<Vec<BinStat>>,
    best: Option<Split>,
    /// The internal node whose child this leaf is, and on which side (`None` for the root).
    parent: Option<(usize, bool)>,
}

/// Reusable buffers and the training data for growing trees.
#[derive(Debug)]
pub(crate) struct Grower<'a> {
    data: &'a BinnedMatrix,
    mappers: &'a [BinMapper],
    n_bins: Vec<usize>,
    rules: GrowRules,
    indices: Vec<u32>,
    scratch: Vec<u32>,
    ordered: Vec<GradPair>,
    spare: Vec<Vec<BinStat>>,
}

impl<'a> Grower<'a> {
    pub(crate) fn new(data: &'a BinnedMatrix, mappers: &'a [BinMapper], rules: GrowRules) -> Self {
        Self {
            data,
            mappers,
            n_bins: mappers.iter().map(BinMapper::n_bins).collect(),
            rules,
            indices: Vec::with_capacity(data.n_rows),
            scratch: vec![0; data.n_rows],
            ordered: Vec::with_capacity(data.n_rows),
            spare: Vec::new(),
        }
    }

    fn take_hist(&mut self) -> Vec<BinStat> {
        self.spare
            .pop()
            .unwrap_or_else(|| vec![BinStat::default(); self.mappers.len() * SLOTS])
    }

    fn can_split(&self, len: usize, depth: usize) -> bool {
        len as u64 >= 2 * self.rules.split.min_data_in_leaf.max(1)
            && self.rules.max_depth.is_none_or(|d| depth < d)
    }

    /// Grows one tree on `grads` (indexed by row) over the rows in `bag` (sorted; `None`:
    /// all rows) and the `active` features, then adds its output to `scores` for the bagged
    /// rows and, by walking the tree on the bins, for the others. Runs on the current rayon
    /// pool; the result does not depend on its size.
    pub(crate) fn grow(
        &mut self,
        grads: &[GradPair],
        bag: Option<&[u32]>,
        active: &[bool],
        scores: &mut [f64],
    ) -> Tree {
        let n_rows = self.data.n_rows;
        self.indices.clear();
        match bag {
            Some(b) => self.indices.extend_from_slice(b),
            None => self.indices.extend(0..n_rows as u32),
        }
        let mut root_stats = BinStat::default();
        for &r in &self.indices {
            let p = grads[r as usize];
            root_stats.g += f64::from(p.g);
            root_stats.h += f64::from(p.h);
            root_stats.n += 1;
        }
        let mut tree = Tree {
            feature: Vec::new(),
            threshold: Vec::new(),
            threshold_bin: Vec::new(),
            left: Vec::new(),
            right: Vec::new(),
            gain: Vec::new(),
            leaf_value: Vec::new(),
        };
        let mut leaves = vec![Leaf {
            start: 0,
            len: self.indices.len(),
            stats: root_stats,
            depth: 0,
            hist: None,
            best: None,
            parent: None,
        }];
        if self.rules.max_leaves > 1 && self.can_split(self.indices.len(), 0) {
            let mut h = self.take_hist();
            if bag.is_some() {
                self.gather(0, self.indices.len(), grads);
                hist::build(
                    &mut h,
                    self.data,
                    active,
                    Rows::Subset(&self.indices),
                    &self.ordered,
                );
            } else {
                hist::build(&mut h, self.data, active, Rows::All, grads);
            }
            leaves[0].best =
                hist::best_split(&h, &self.n_bins, active, root_stats, &self.rules.split);
            leaves[0].hist = Some(h);
        }

        while leaves.len() < self.rules.max_leaves {
            // The leaf with the largest gain; ties to the lowest leaf id.
            let mut chosen: Option<(usize, f64)> = None;
            for (i, l) in leaves.iter().enumerate() {
                if let Some(s) = &l.best
                    && chosen.is_none_or(|(_, g)| s.gain > g)
                {
                    chosen = Some((i, s.gain));
                }
            }
            let Some((li, _)) = chosen else { break };
            self.split_leaf(li, &mut leaves, &mut tree, grads, active);
        }

        for l in &mut leaves {
            if let Some(h) = l.hist.take() {
                self.spare.push(h);
            }
        }
        tree.leaf_value = leaves
            .iter()
            .map(|l| self.rules.split.leaf_value(l.stats) * self.rules.learning_rate)
            .collect();

        // In-bag rows: their leaves are known from the partition.
        for (l, &v) in leaves.iter().zip(&tree.leaf_value) {
            for &r in &self.indices[l.start..l.start + l.len] {
                scores[r as usize] += v;
            }
        }
        if let Some(b) = bag {
            let mut in_bag = b.iter().copied().peekable();
            for (r, s) in scores.iter_mut().enumerate() {
                if in_bag.peek() == Some(&(r as u32)) {
                    in_bag.next();
                    continue;
                }
                *s += tree.leaf_value[tree.leaf_binned(self.data, r)];
            }
        }
        tree
    }

    /// Copies the gradients of `indices[start..start + len]` into `ordered` (in parallel
    /// for large leaves; the copy is the same either way).
    fn gather(&mut self, start: usize, len: usize, grads: &[GradPair]) {
        let rows = &self.indices[start..start + len];
        self.ordered.clear();
        if len >= PARALLEL_ROWS {
            self.ordered
                .par_extend(rows.par_iter().map(|&r| grads[r as usize]));
        } else {
            self.ordered.extend(rows.iter().map(|&r| grads[r as usize]));
        }
    }

    fn split_leaf(
        &mut self,
        li: usize,
        leaves: &mut Vec<Leaf>,
        tree: &mut Tree,
        grads: &[GradPair],
        active: &[bool],
    ) {
        let split = leaves[li]
            .best
            .take()
            .expect("split_leaf is called only on a leaf with a best split");
        let (start, len, depth) = (leaves[li].start, leaves[li].len, leaves[li].depth);
        let n_left = self.partition(start, len, split.feature, split.bin);
        debug_assert_eq!(
            n_left as u64, split.left.n,
            "histogram counts match the partition"
        );

        // The new internal node replaces the leaf in its parent.
        let node = tree.feature.len();
        if let Some((p, is_left)) = leaves[li].parent {
            if is_left {
                tree.left[p] = node as i32;
            } else {
                tree.right[p] = node as i32;
            }
        }
        let ri = leaves.len();
        tree.feature.push(split.feature as u32);
        tree.threshold
            .push(self.mappers[split.feature].upper[usize::from(split.bin)]);
        tree.threshold_bin.push(split.bin);
        tree.left.push(!(li as i32));
        tree.right.push(!(ri as i32));
        tree.gain.push(split.gain);

        let parent_hist = leaves[li].hist.take();
        leaves[li] = Leaf {
            start,
            len: n_left,
            stats: split.left,
            depth: depth + 1,
            hist: None,
            best: None,
            parent: Some((node, true)),
        };
        leaves.push(Leaf {
            start: start + n_left,
            len: len - n_left,
            stats: split.right,
            depth: depth + 1,
            hist: None,
            best: None,
            parent: Some((node, false)),
        });

        let mut parent_hist = parent_hist.expect("a leaf with a best split keeps its histogram");
        let left_ok = self.can_split(n_left, depth + 1);
        let right_ok = self.can_split(len - n_left, depth + 1);
        if leaves.len() >= self.rules.max_leaves || !(left_ok || right_ok) {
            self.spare.push(parent_hist);
            return;
        }
        // Build the smaller child, derive the larger one by subtraction.
        let (small, large) = if n_left <= len - n_left {
            (li, ri)
        } else {
            (ri, li)
        };
        let mut small_hist = self.take_hist();
        self.gather(leaves[small].start, leaves[small].len, grads);
        let rows = &self.indices[leaves[small].start..leaves[small].start + leaves[small].len];
        hist::build(
            &mut small_hist,
            self.data,
            active,
            Rows::Subset(rows),
            &self.ordered,
        );
        hist::subtract(&mut parent_hist, &small_hist, active);
        for (i, h) in [(small, small_hist), (large, parent_hist)] {
            let l = &mut leaves[i];
            if self.can_split(l.len, l.depth) {
                l.best = hist::best_split(&h, &self.n_bins, active, l.stats, &self.rules.split);
            }
            if l.best.is_some() {
                l.hist = Some(h);
            } else {
                self.spare.push(h);
            }
        }
    }

    /// Stable in-place partition of `indices[start..start + len]`: rows whose bin of `feature`
    /// is `<= bin` first. Returns the size of the left part. Large ranges are cut into
    /// fixed-size chunks that are partitioned in parallel and then concatenated (all left
    /// parts in chunk order, then all right parts), which is the same stable result.
    fn partition(&mut self, start: usize, len: usize, feature: usize, bin: u8) -> usize {
        let col = self.data.column(feature);
        let range = &mut self.indices[start..start + len];
        let scratch = &mut self.scratch[..len];
        if len < 2 * PARTITION_CHUNK || rayon::current_num_threads() == 1 {
            let n_left = split_into(range, scratch, col, bin);
            range.copy_from_slice(scratch);
            return n_left;
        }
        let lefts: Vec<usize> = range
            .par_chunks(PARTITION_CHUNK)
            .zip(scratch.par_chunks_mut(PARTITION_CHUNK))
            .map(|(src, dst)| split_into(src, dst, col, bin))
            .collect();
        let n_left: usize = lefts.iter().sum();
        // Destination slices, in the order of the chunks: left parts, then right parts.
        let (mut left_dst, mut right_dst) = range.split_at_mut(n_left);
        let mut jobs: Vec<(&[u32], &mut [u32])> = Vec::with_capacity(2 * lefts.len());
        for (src, &nl) in scratch.chunks(PARTITION_CHUNK).zip(&lefts) {
            let (l, r) = src.split_at(nl);
            let (dl, rest) = std::mem::take(&mut left_dst).split_at_mut(nl);
            left_dst = rest;
            let (dr, rest) = std::mem::take(&mut right_dst).split_at_mut(r.len());
            right_dst = rest;
            jobs.push((l, dl));
            jobs.push((r, dr));
        }
        jobs.into_par_iter()
            .for_each(|(src, dst)| dst.copy_from_slice(src));
        n_left
    }
}

/// Rows (at or above this many) for which a pass over a leaf's rows runs on the pool.
const PARALLEL_ROWS: usize = 32 * 1024;

/// Rows per chunk of a parallel partition.
const PARTITION_CHUNK: usize = 16 * 1024;

/// Writes `src` stably partitioned into `dst` (same length): rows whose bin in `col` is
/// `<= bin` first. Returns how many went left.
fn split_into(src: &[u32], dst: &mut [u32], col: &[u8], bin: u8) -> usize {
    let n = src.len();
    let (mut nl, mut nr) = (0usize, 0usize);
    for &r in src {
        // Branch-free: lefts fill from the front, rights from the back (reversed); write to
        // both places and advance one. The two slots coincide only for the last row.
        let left = usize::from(col[r as usize] <= bin);
        dst[nl] = r;
        dst[n - 1 - nr] = r;
        nl += left;
        nr += 1 - left;
    }
    dst[nl..].reverse();
    nl
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> GrowRules {
        GrowRules {
            max_leaves: 31,
            max_depth: None,
            learning_rate: 0.1,
            split: SplitRules {
                min_data_in_leaf: 1,
                min_sum_hessian: 0.0,
                lambda_l2: 0.0,
                min_gain_to_split: 0.0,
            },
        }
    }

    #[test]
    fn partition_is_stable_and_the_same_on_one_and_two_threads() {
        // 40 000 rows is above the parallel threshold (two chunks of 16 Ki and a remainder).
        let n = 40_000usize;
        let data = BinnedMatrix {
            n_rows: n,
            bins: (0..n).map(|i| ((i * 7919) % 251) as u8).collect(),
        };
        let mappers = vec![BinMapper {
            upper: (0..251).map(f64::from).collect(),
        }];
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut g = Grower::new(&data, &mappers, rules());
            // Every third row, so the range is not the identity.
            g.indices = (0..n as u32).filter(|r| r % 3 != 1).collect();
            let before = g.indices.clone();
            let len = before.len();
            let n_left = pool.install(|| g.partition(0, len, 0, 100));
            let want_left: Vec<u32> = before
                .iter()
                .copied()
                .filter(|&r| data.bins[r as usize] <= 100)
                .collect();
            let want_right: Vec<u32> = before
                .iter()
                .copied()
                .filter(|&r| data.bins[r as usize] > 100)
                .collect();
            assert_eq!(n_left, want_left.len(), "{threads} threads");
            assert_eq!(&g.indices[..n_left], &want_left[..], "{threads} threads");
            assert_eq!(&g.indices[n_left..], &want_right[..], "{threads} threads");
        }
    }

    #[test]
    fn score_updates_match_the_raw_tree_for_bagged_and_out_of_bag_rows() {
        // Rows in the bag get their leaf from the partition, the others by walking the tree on
        // their bins; both must equal walking the tree on the raw features.
        let n = 3000;
        let x = ndarray::Array2::from_shape_fn((n, 3), |(i, j)| {
            ((i * (31 + 17 * j) + 7 * j) % 1009) as f64 / 101.0 - 3.0
        });
        let (mappers, data) = super::super::bins::bin_features(x.view(), 255, 200_000);
        let grads: Vec<GradPair> = (0..n)
            .map(|i| GradPair {
                g: ((i * 7919) % 613) as f32 / 613.0 - 0.5 + (x[[i, 0]] as f32) * 0.3,
                h: 0.25,
            })
            .collect();
        let bag: Vec<u32> = (0..n as u32).filter(|r| r % 3 != 0).collect();
        let active = vec![true; 3];
        let mut g = Grower::new(&data, &mappers, rules());
        for bag in [None, Some(bag.as_slice())] {
            let mut scores = vec![0.0; n];
            let tree = g.grow(&grads, bag, &active, &mut scores);
            assert!(tree.leaf_value.len() > 10, "the tree grew");
            for (r, &s) in scores.iter().enumerate() {
                assert_eq!(s, tree.predict(x.row(r)), "row {r}");
            }
        }
    }

    #[test]
    fn split_into_handles_all_left_all_right_and_empty() {
        let col = [0u8, 5, 9];
        let mut dst = [0u32; 3];
        assert_eq!(split_into(&[0, 1, 2], &mut dst, &col, 9), 3);
        assert_eq!(dst, [0, 1, 2]);
        assert_eq!(split_into(&[0, 1, 2], &mut dst, &col, 0), 1);
        assert_eq!(dst, [0, 1, 2]);
        assert_eq!(split_into(&[2, 1, 0], &mut dst, &col, 5), 2);
        assert_eq!(dst, [1, 0, 2]);
        assert_eq!(split_into(&[], &mut [], &col, 5), 0);
    }
}
