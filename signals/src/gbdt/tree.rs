//! One regression tree and its leaf-wise (best-first) growth on binned data.

use ndarray::ArrayView1;
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

    /// Copies the gradients of `indices[start..start + len]` into `ordered`.
    fn gather(&mut self, start: usize, len: usize, grads: &[GradPair]) {
        self.ordered.clear();
        self.ordered.extend(
            self.indices[start..start + len]
                .iter()
                .map(|&r| grads[r as usize]),
        );
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
    /// is `<= bin` first. Returns the size of the left part.
    fn partition(&mut self, start: usize, len: usize, feature: usize, bin: u8) -> usize {
        let col = self.data.column(feature);
        let range = &mut self.indices[start..start + len];
        let scratch = &mut self.scratch[..len];
        let (mut nl, mut nr) = (0usize, 0usize);
        for k in 0..len {
            let r = range[k];
            // Branch-free: write to both sides, advance one.
            let left = usize::from(col[r as usize] <= bin);
            range[nl] = r;
            scratch[nr] = r;
            nl += left;
            nr += 1 - left;
        }
        range[nl..].copy_from_slice(&scratch[..nr]);
        nl
    }
}
