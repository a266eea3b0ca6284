//! Index generators for time-ordered validation that respect label horizons.
//!
//! Rows are in time order. A row's label may look ahead: `label_end[i] ≥ i` is the last row
//! whose information the label of row `i` uses (for a k-step mid-price move,
//! `label_end[i] = i + k`, see [`fixed_horizon`]). A training row *leaks* into a test block
//! when its label interval `[i, label_end[i]]` overlaps the test block's interval
//! `[first test row, last test label end]`; such rows are *purged*. Rows just after a test
//! block are also dropped for `embargo` rows, to guard against serial correlation (López de
//! Prado, *Advances in Financial Machine Learning*, 2018, ch. 7, §7.4.1–7.4.2).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_param};

/// One train/test split (row indices, increasing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fold {
    /// Training rows.
    pub train: Vec<usize>,
    /// Test rows.
    pub test: Vec<usize>,
}

/// `label_end[i] = min(i + horizon, n − 1)`: labels that look `horizon` rows ahead.
pub fn fixed_horizon(n: usize, horizon: usize) -> Vec<usize> {
    (0..n)
        .map(|i| (i + horizon).min(n.saturating_sub(1)))
        .collect()
}

fn check_label_end(label_end: &[usize]) -> Result<()> {
    let n = label_end.len();
    for (i, &e) in label_end.iter().enumerate() {
        if e < i || e >= n {
            return Err(Error::InvalidParameter {
                name: "label_end",
                value: format!("{e} at row {i}"),
                allowed: "row <= label_end < number of rows",
            });
        }
    }
    Ok(())
}

/// Whether training row `i` must be dropped for a test block `[a, b)`: its label interval
/// overlaps `[a, test_end + embargo]` where `test_end` is the last label end in the block.
fn leaks(i: usize, label_end: &[usize], a: usize, test_end: usize, embargo: usize) -> bool {
    i <= test_end + embargo && label_end[i] >= a
}

/// Purged k-fold cross-validation with embargo (López de Prado 2018, §7.4): the rows are
/// cut into `n_splits` contiguous test blocks; each fold trains on every other row whose
/// label interval does not overlap the test block, minus an embargo after the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurgedKFold {
    /// Number of folds (≥ 2).
    pub n_splits: usize,
    /// Rows dropped from training after each test block's last label end.
    pub embargo: usize,
}

impl PurgedKFold {
    /// The folds for rows with the given label ends.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `n_splits < 2` or a malformed `label_end`;
    /// [`Error::TooFewRows`] when there are fewer rows than folds, or purging leaves a fold
    /// with no training rows.
    pub fn split(&self, label_end: &[usize]) -> Result<Vec<Fold>> {
        check_param(self.n_splits >= 2, "n_splits", self.n_splits, ">= 2")?;
        check_label_end(label_end)?;
        let n = label_end.len();
        if n < self.n_splits {
            return Err(Error::TooFewRows {
                what: format!("purged {}-fold split", self.n_splits),
                rows: n,
                needed: self.n_splits,
            });
        }
        let mut folds = Vec::with_capacity(self.n_splits);
        for f in 0..self.n_splits {
            // Block sizes differ by at most one, larger blocks first (as numpy.array_split).
            let a = f * (n / self.n_splits) + f.min(n % self.n_splits);
            let b = a + n / self.n_splits + usize::from(f < n % self.n_splits);
            let test_end = label_end[a..b].iter().copied().max().unwrap_or(a);
            let train: Vec<usize> = (0..n)
                .filter(|&i| (i < a || i >= b) && !leaks(i, label_end, a, test_end, self.embargo))
                .collect();
            if train.is_empty() {
                return Err(Error::TooFewRows {
                    what: format!(
                        "fold {f} of a purged {}-fold split (embargo {}) after purging",
                        self.n_splits, self.embargo
                    ),
                    rows: n,
                    needed: n + 1,
                });
            }
            folds.push(Fold {
                train,
                test: (a..b).collect(),
            });
        }
        Ok(folds)
    }
}

/// How a walk-forward training window grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Window {
    /// Train on every row from the start.
    Expanding,
    /// Train on (at most) the last `rows` rows before the test block.
    Rolling {
        /// Window length in rows.
        rows: usize,
    },
}

/// Walk-forward validation: test blocks of `test_size` rows marching forward by `step`,
/// each trained only on earlier rows whose labels end before the test block starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalkForward {
    /// Rows before the first test block (the first training window, before purging).
    pub initial_train: usize,
    /// Rows per test block.
    pub test_size: usize,
    /// Rows the test block advances each fold (usually `test_size`).
    pub step: usize,
    /// Expanding or rolling training window.
    pub window: Window,
}

impl WalkForward {
    /// The folds for rows with the given label ends. A final partial test block is kept.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for zero sizes or a malformed `label_end`;
    /// [`Error::TooFewRows`] when no test block fits or purging empties the first window.
    pub fn split(&self, label_end: &[usize]) -> Result<Vec<Fold>> {
        check_param(self.test_size > 0, "test_size", self.test_size, ">= 1")?;
        check_param(self.step > 0, "step", self.step, ">= 1")?;
        check_param(
            self.initial_train > 0,
            "initial_train",
            self.initial_train,
            ">= 1",
        )?;
        if let Window::Rolling { rows } = self.window {
            check_param(rows > 0, "window rows", rows, ">= 1")?;
        }
        check_label_end(label_end)?;
        let n = label_end.len();
        if n <= self.initial_train {
            return Err(Error::TooFewRows {
                what: format!(
                    "walk-forward with {} initial training rows",
                    self.initial_train
                ),
                rows: n,
                needed: self.initial_train + 1,
            });
        }
        let mut folds = Vec::new();
        let mut a = self.initial_train;
        while a < n {
            let b = (a + self.test_size).min(n);
            let start = match self.window {
                Window::Expanding => 0,
                Window::Rolling { rows } => a.saturating_sub(rows),
            };
            let train: Vec<usize> = (start..a).filter(|&i| label_end[i] < a).collect();
            if train.is_empty() {
                return Err(Error::TooFewRows {
                    what: format!(
                        "walk-forward fold starting at row {a}: every training label reaches into the test block"
                    ),
                    rows: a - start,
                    needed: a - start + 1,
                });
            }
            folds.push(Fold {
                train,
                test: (a..b).collect(),
            });
            a += self.step;
        }
        Ok(folds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn purged_kfold_by_hand() {
        // 10 rows, horizon 1, 2 folds, embargo 1.
        // Fold 0: test 0..5, label ends up to 5; train rows i with i > 5 + 1 → 7, 8, 9.
        // Fold 1: test 5..10; train i < 5 with label_end[i] = i + 1 < 5 → 0, 1, 2, 3.
        let folds = PurgedKFold {
            n_splits: 2,
            embargo: 1,
        }
        .split(&fixed_horizon(10, 1))
        .unwrap();
        assert_eq!(folds[0].test, vec![0, 1, 2, 3, 4]);
        assert_eq!(folds[0].train, vec![7, 8, 9]);
        assert_eq!(folds[1].test, vec![5, 6, 7, 8, 9]);
        assert_eq!(folds[1].train, vec![0, 1, 2, 3]);
    }

    #[test]
    fn uneven_blocks_put_the_extra_rows_first() {
        let folds = PurgedKFold {
            n_splits: 3,
            embargo: 0,
        }
        .split(&fixed_horizon(7, 0))
        .unwrap();
        let sizes: Vec<usize> = folds.iter().map(|f| f.test.len()).collect();
        assert_eq!(sizes, vec![3, 2, 2]);
        assert_eq!(folds[1].train, vec![0, 1, 2, 5, 6]);
    }

    #[test]
    fn walk_forward_expanding_and_rolling_by_hand() {
        let ends = fixed_horizon(10, 2);
        let wf = WalkForward {
            initial_train: 4,
            test_size: 3,
            step: 3,
            window: Window::Expanding,
        };
        let folds = wf.split(&ends).unwrap();
        // Test blocks 4..7, 7..10; training labels must end before the block: i + 2 < a.
        assert_eq!(folds.len(), 2);
        assert_eq!(folds[0].train, vec![0, 1]);
        assert_eq!(folds[0].test, vec![4, 5, 6]);
        assert_eq!(folds[1].train, vec![0, 1, 2, 3, 4]);
        let rolling = WalkForward {
            window: Window::Rolling { rows: 4 },
            ..wf
        };
        let folds = rolling.split(&ends).unwrap();
        assert_eq!(folds[1].train, vec![3, 4]);
    }

    #[test]
    fn too_few_rows_for_the_folds_is_an_error() {
        let err = PurgedKFold {
            n_splits: 5,
            embargo: 0,
        }
        .split(&fixed_horizon(3, 0))
        .unwrap_err();
        assert!(
            matches!(
                err,
                Error::TooFewRows {
                    rows: 3,
                    needed: 5,
                    ..
                }
            ),
            "{err}"
        );
        // A horizon as long as the data purges everything.
        assert!(
            PurgedKFold {
                n_splits: 2,
                embargo: 0
            }
            .split(&fixed_horizon(6, 5))
            .is_err()
        );
        let wf = WalkForward {
            initial_train: 10,
            test_size: 2,
            step: 2,
            window: Window::Expanding,
        };
        assert!(matches!(
            wf.split(&fixed_horizon(8, 1)),
            Err(Error::TooFewRows { .. })
        ));
    }

    proptest! {
        /// No training label interval overlaps a test block or its embargo, every row is
        /// tested exactly once, and train and test are disjoint.
        #[test]
        fn purged_folds_never_leak(n in 4usize..80, k in 2usize..5, h in 0usize..4, emb in 0usize..4) {
            prop_assume!(n >= k);
            let ends = fixed_horizon(n, h);
            let Ok(folds) = (PurgedKFold { n_splits: k, embargo: emb }).split(&ends) else {
                return Ok(());
            };
            let mut tested = vec![0; n];
            for f in &folds {
                let a = f.test[0];
                let last = *f.test.last().unwrap();
                let test_end = ends[last];
                for &t in &f.test { tested[t] += 1; }
                for &i in &f.train {
                    prop_assert!(!f.test.contains(&i));
                    let overlaps = i <= test_end + emb && ends[i] >= a;
                    prop_assert!(!overlaps, "row {} (ends {}) leaks into test {}..={}", i, ends[i], a, last);
                }
            }
            prop_assert!(tested.iter().all(|&c| c == 1));
        }

        /// Walk-forward training rows always precede the test block and their labels end
        /// before it starts.
        #[test]
        fn walk_forward_never_looks_ahead(n in 5usize..80, init in 3usize..20, size in 1usize..10, h in 0usize..3) {
            let ends = fixed_horizon(n, h);
            let wf = WalkForward { initial_train: init, test_size: size, step: size, window: Window::Expanding };
            if let Ok(folds) = wf.split(&ends) {
                for f in &folds {
                    for &i in &f.train {
                        prop_assert!(ends[i] < f.test[0]);
                    }
                }
            }
        }
    }
}
