//! Diff-depth synchronisation: a local [`L2Book`] kept from a REST snapshot and the diff
//! stream, following Binance's procedure for USD-M futures ("How to manage a local order
//! book correctly").

use super::record::{DepthSnapshot, DepthUpdate};
use crate::book::L2Book;
use crate::book::l2::L2Error;
use serde::{Deserialize, Serialize};
use shortfall_core::{PriceLevel, Side, Ts};
use std::collections::VecDeque;

/// At most this many gaps are kept in [`DepthSync::gaps`]; all are counted.
const MAX_RECORDED_GAPS: usize = 1024;

/// Limits of a [`DepthSync`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncOptions {
    /// Diffs kept while waiting for a snapshot (before the first one, and after a gap).
    /// When full, the oldest is dropped and counted in [`SyncCounters::buffer_overflows`].
    /// Default 8,192: over seven minutes of `@depth@0ms` BTCUSDT traffic (about 19 diffs
    /// a second in the shared capture), far longer than a REST answer takes.
    pub max_buffered_diffs: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            max_buffered_diffs: 8192,
        }
    }
}

/// A break in the diff chain. The book is cleared and the next snapshot re-anchors it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DepthGap {
    /// A diff's `pu` is not the previous applied diff's `u`.
    Chain {
        /// Receive time of the diff that broke the chain.
        recv_ns: Ts,
        /// The `pu` that would continue the chain (the last applied `u`).
        expected_pu: u64,
        /// The diff's `pu`.
        got_pu: u64,
    },
    /// The first diff after a snapshot starts after it (`U > lastUpdateId`): the updates
    /// in between were never seen (or were dropped from a full buffer).
    Anchor {
        /// Receive time of the diff.
        recv_ns: Ts,
        /// The snapshot's `lastUpdateId`.
        last_update_id: u64,
        /// The diff's `U`.
        first_update_id: u64,
    },
}

/// What happened to one diff.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DiffOutcome {
    /// Applied to the book.
    Applied,
    /// Kept until a snapshot arrives.
    Buffered,
    /// Dropped: it ends before the snapshot (`u < lastUpdateId`).
    Stale,
    /// It breaks the chain: the book was cleared, and the diff buffered for the next snapshot.
    Gap(DepthGap),
}

/// What happened to one snapshot.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SnapshotOutcome {
    /// The book was loaded from the snapshot; `applied_from_buffer` buffered diffs were
    /// then applied (a gap among them leaves the book waiting for the next snapshot).
    Anchored {
        /// Buffered diffs applied after loading.
        applied_from_buffer: usize,
    },
    /// The book is already in sync at or beyond the snapshot's `lastUpdateId`; loading an
    /// older state would move it back in time, so the snapshot is not used.
    Ignored,
}

/// A moment in the life of the synchronised book, passed to observers.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BookPoint {
    /// The book is about to move from update id `from` (`None`: it reflects nothing) to
    /// `to`, by loading a snapshot or applying a diff. The book passed is the state before.
    BeforeUpdate {
        /// The update id the book reflects now.
        from: Option<u64>,
        /// The update id it will reflect.
        to: u64,
    },
    /// The book now reflects every update through `update_id`.
    At {
        /// The snapshot's `lastUpdateId` or the applied diff's `u`.
        update_id: u64,
    },
    /// The book was cleared after a gap and reflects nothing until the next snapshot.
    Cleared,
}

/// Counters of a [`DepthSync`].
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncCounters {
    /// Snapshots received.
    pub snapshots: u64,
    /// Snapshots the book was loaded from.
    pub snapshots_applied: u64,
    /// Snapshots not used because the book was already in sync beyond them.
    pub snapshots_ignored: u64,
    /// Diffs applied to the book.
    pub diffs_applied: u64,
    /// Diffs dropped because they end before the anchoring snapshot (`u < lastUpdateId`).
    pub diffs_stale: u64,
    /// Diffs put in the wait-for-snapshot buffer (a diff may be counted again if a gap
    /// sends it back to the buffer while it is being replayed).
    pub diffs_buffered: u64,
    /// Buffered diffs dropped because the buffer was full (oldest first).
    pub buffer_overflows: u64,
    /// Gaps (chain breaks and failed anchors).
    pub gaps: u64,
    /// Level updates (`Level` events) and clears applied to the book.
    pub book_events: u64,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum State {
    /// No usable snapshot: diffs are buffered.
    AwaitingSnapshot,
    /// Loaded from a snapshot with this `lastUpdateId`; no diff applied since.
    Anchored(u64),
    /// At least one diff applied after the anchor; the chain continues from `last_applied`.
    Synced,
}

/// Keeps an [`L2Book`] in sync with a Binance USD-M diff-depth stream.
///
/// # Rules, as implemented
/// 1. Before the first snapshot, and after a gap, diffs are buffered (bounded by
///    [`SyncOptions::max_buffered_diffs`], oldest dropped first), because a capture may
///    record the REST answer after diffs that it must be combined with.
/// 2. A snapshot clears the book and loads its levels; the book then reflects
///    `lastUpdateId` (`L`). The buffered diffs are then processed in arrival order as if
///    they arrived now. A snapshot received while the book is in sync at or beyond `L` is
///    ignored (loading it would move the book back in time).
/// 3. After a snapshot, diffs with `u < L` are dropped as stale. The first diff applied must
///    have `U <= L <= u`; one with `U > L` is an anchor gap.
/// 4. Every later diff must have `pu` equal to the previous applied diff's `u`; otherwise
///    it is a chain gap.
/// 5. On a gap the book is cleared, the gap is counted and recorded (the first 1,024 are
///    kept), the offending diff is buffered, and rule 1 applies until the next snapshot.
///
/// A snapshot holds at most the venue's depth limit (1,000 levels per side), so levels
/// beyond it appear only once a diff touches them; the top of the book is exact.
///
/// ```
/// use shortfall_core::{BookView, Price, PriceLevel, Qty, Ts};
/// use shortfall_lob_sim::data::binance::{DepthSnapshot, DepthSync, DepthUpdate, DiffOutcome};
///
/// let lv = |p, q| PriceLevel { price: Price(p), qty: Qty(q) };
/// let diff = |first, last, prev, bids: Vec<PriceLevel>| DepthUpdate {
///     recv_ns: Ts(0), event_time: Ts(0), transaction_time: Ts(0),
///     first_update_id: first, final_update_id: last, prev_final_update_id: prev,
///     bids, asks: vec![],
/// };
/// let mut sync = DepthSync::default();
/// // a diff received before the snapshot is buffered ...
/// assert_eq!(sync.on_depth(diff(95, 105, 94, vec![lv(100, 7)]))?, DiffOutcome::Buffered);
/// // ... and applied when the snapshot (L = 100) arrives, since 95 <= 100 <= 105
/// sync.on_snapshot(&DepthSnapshot {
///     recv_ns: Ts(1), last_update_id: 100, event_time: None, transaction_time: None,
///     bids: vec![lv(100, 5)], asks: vec![lv(101, 3)],
/// })?;
/// assert_eq!(sync.last_applied_update_id(), Some(105));
/// assert_eq!(sync.book().best_bid(), Some(lv(100, 7)));
/// // the chain continues only from pu == 105
/// assert!(matches!(sync.on_depth(diff(110, 112, 109, vec![]))?, DiffOutcome::Gap(_)));
/// assert_eq!(sync.counters().gaps, 1);
/// assert!(sync.book().best_bid().is_none()); // cleared until the next snapshot
/// # Ok::<(), shortfall_lob_sim::book::l2::L2Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct DepthSync {
    book: L2Book,
    state: State,
    last_applied: Option<u64>,
    buffer: VecDeque<DepthUpdate>,
    options: SyncOptions,
    counters: SyncCounters,
    gaps: Vec<DepthGap>,
}

impl Default for DepthSync {
    fn default() -> Self {
        Self::new(SyncOptions::default())
    }
}

impl DepthSync {
    /// An empty book waiting for its first snapshot.
    pub fn new(options: SyncOptions) -> Self {
        Self {
            book: L2Book::new(),
            state: State::AwaitingSnapshot,
            last_applied: None,
            buffer: VecDeque::new(),
            options,
            counters: SyncCounters::default(),
            gaps: Vec::new(),
        }
    }

    /// The synchronised book.
    pub fn book(&self) -> &L2Book {
        &self.book
    }

    /// The update id the book reflects: the last applied diff's `u`, or the anchoring
    /// snapshot's `lastUpdateId` before any diff; `None` before the first snapshot and
    /// after a gap.
    pub fn last_applied_update_id(&self) -> Option<u64> {
        self.last_applied
    }

    /// True when the book reflects a known update id (anchored or synced).
    pub fn is_synced(&self) -> bool {
        self.last_applied.is_some()
    }

    /// The counters.
    pub fn counters(&self) -> &SyncCounters {
        &self.counters
    }

    /// The recorded gaps, oldest first (at most the first 1,024; all are counted).
    pub fn gaps(&self) -> &[DepthGap] {
        &self.gaps
    }

    /// Diffs waiting for a snapshot.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }

    /// Processes one diff.
    ///
    /// # Errors
    /// [`L2Error::NegativeQty`] when a level has a negative quantity; nothing changes.
    pub fn on_depth(&mut self, diff: DepthUpdate) -> Result<DiffOutcome, L2Error> {
        self.on_depth_with(diff, &mut |_, _| {})
    }

    /// Processes one diff, calling `observe` at each [`BookPoint`].
    ///
    /// # Errors
    /// As [`DepthSync::on_depth`].
    pub fn on_depth_with(
        &mut self,
        diff: DepthUpdate,
        observe: &mut dyn FnMut(BookPoint, &L2Book),
    ) -> Result<DiffOutcome, L2Error> {
        validate(&diff.bids, Side::Buy)?;
        validate(&diff.asks, Side::Sell)?;
        Ok(self.process(diff, observe))
    }

    /// Processes one snapshot.
    ///
    /// # Errors
    /// [`L2Error::NegativeQty`] when a level has a negative quantity; nothing changes.
    pub fn on_snapshot(&mut self, snapshot: &DepthSnapshot) -> Result<SnapshotOutcome, L2Error> {
        self.on_snapshot_with(snapshot, &mut |_, _| {})
    }

    /// Processes one snapshot, calling `observe` at each [`BookPoint`].
    ///
    /// # Errors
    /// As [`DepthSync::on_snapshot`].
    pub fn on_snapshot_with(
        &mut self,
        snapshot: &DepthSnapshot,
        observe: &mut dyn FnMut(BookPoint, &L2Book),
    ) -> Result<SnapshotOutcome, L2Error> {
        validate(&snapshot.bids, Side::Buy)?;
        validate(&snapshot.asks, Side::Sell)?;
        self.counters.snapshots += 1;
        let id = snapshot.last_update_id;
        if self.state == State::Synced && self.last_applied.is_some_and(|u| u >= id) {
            self.counters.snapshots_ignored += 1;
            return Ok(SnapshotOutcome::Ignored);
        }
        observe(
            BookPoint::BeforeUpdate {
                from: self.last_applied,
                to: id,
            },
            &self.book,
        );
        self.book.clear();
        for (side, levels) in [(Side::Buy, &snapshot.bids), (Side::Sell, &snapshot.asks)] {
            for l in levels {
                self.set(side, l);
            }
        }
        self.counters.book_events += 1;
        self.counters.snapshots_applied += 1;
        self.state = State::Anchored(id);
        self.last_applied = Some(id);
        observe(BookPoint::At { update_id: id }, &self.book);

        let buffered = std::mem::take(&mut self.buffer);
        let before = self.counters.diffs_applied;
        for diff in buffered {
            self.process(diff, observe);
        }
        let applied_from_buffer = (self.counters.diffs_applied - before) as usize;
        Ok(SnapshotOutcome::Anchored {
            applied_from_buffer,
        })
    }

    fn process(
        &mut self,
        diff: DepthUpdate,
        observe: &mut dyn FnMut(BookPoint, &L2Book),
    ) -> DiffOutcome {
        match self.state {
            State::AwaitingSnapshot => {
                self.push_buffer(diff);
                DiffOutcome::Buffered
            }
            State::Anchored(last_update_id) => {
                if diff.final_update_id < last_update_id {
                    self.counters.diffs_stale += 1;
                    DiffOutcome::Stale
                } else if diff.first_update_id > last_update_id {
                    let gap = DepthGap::Anchor {
                        recv_ns: diff.recv_ns,
                        last_update_id,
                        first_update_id: diff.first_update_id,
                    };
                    self.gap(gap, diff, observe)
                } else {
                    self.apply(&diff, observe);
                    DiffOutcome::Applied
                }
            }
            State::Synced => {
                // invariant: `Synced` is entered only by `apply`, which sets `last_applied`
                let expected = self.last_applied.unwrap_or_default();
                if diff.prev_final_update_id == expected {
                    self.apply(&diff, observe);
                    DiffOutcome::Applied
                } else {
                    let gap = DepthGap::Chain {
                        recv_ns: diff.recv_ns,
                        expected_pu: expected,
                        got_pu: diff.prev_final_update_id,
                    };
                    self.gap(gap, diff, observe)
                }
            }
        }
    }

    fn apply(&mut self, diff: &DepthUpdate, observe: &mut dyn FnMut(BookPoint, &L2Book)) {
        let to = diff.final_update_id;
        observe(
            BookPoint::BeforeUpdate {
                from: self.last_applied,
                to,
            },
            &self.book,
        );
        for l in &diff.bids {
            self.set(Side::Buy, l);
        }
        for l in &diff.asks {
            self.set(Side::Sell, l);
        }
        self.counters.diffs_applied += 1;
        self.state = State::Synced;
        self.last_applied = Some(to);
        observe(BookPoint::At { update_id: to }, &self.book);
    }

    #[inline]
    fn set(&mut self, side: Side, level: &PriceLevel) {
        // quantities were validated as non-negative on entry, so this cannot fail
        let _ = self.book.set_level(side, level.price, level.qty);
        self.counters.book_events += 1;
    }

    fn gap(
        &mut self,
        gap: DepthGap,
        diff: DepthUpdate,
        observe: &mut dyn FnMut(BookPoint, &L2Book),
    ) -> DiffOutcome {
        self.counters.gaps += 1;
        if self.gaps.len() < MAX_RECORDED_GAPS {
            self.gaps.push(gap);
        }
        self.book.clear();
        self.counters.book_events += 1;
        self.state = State::AwaitingSnapshot;
        self.last_applied = None;
        observe(BookPoint::Cleared, &self.book);
        self.push_buffer(diff);
        DiffOutcome::Gap(gap)
    }

    fn push_buffer(&mut self, diff: DepthUpdate) {
        if self.options.max_buffered_diffs == 0 {
            self.counters.buffer_overflows += 1;
            return;
        }
        if self.buffer.len() >= self.options.max_buffered_diffs {
            self.buffer.pop_front();
            self.counters.buffer_overflows += 1;
        }
        self.buffer.push_back(diff);
        self.counters.diffs_buffered += 1;
    }
}

fn validate(levels: &[PriceLevel], side: Side) -> Result<(), L2Error> {
    match levels.iter().find(|l| l.qty.0 < 0) {
        Some(l) => Err(L2Error::NegativeQty {
            side,
            price: l.price,
            qty: l.qty,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shortfall_core::{BookView, Price, Qty};

    fn lv(p: i64, q: i64) -> PriceLevel {
        PriceLevel {
            price: Price(p),
            qty: Qty(q),
        }
    }

    fn diff(first: u64, last: u64, prev: u64, bids: Vec<PriceLevel>) -> DepthUpdate {
        DepthUpdate {
            recv_ns: Ts(last as i64),
            event_time: Ts(0),
            transaction_time: Ts(0),
            first_update_id: first,
            final_update_id: last,
            prev_final_update_id: prev,
            bids,
            asks: vec![],
        }
    }

    fn snap(id: u64, bids: Vec<PriceLevel>) -> DepthSnapshot {
        DepthSnapshot {
            recv_ns: Ts(0),
            last_update_id: id,
            event_time: None,
            transaction_time: None,
            bids,
            asks: vec![lv(1000, 1)],
        }
    }

    #[test]
    fn buffered_diffs_before_the_anchor_are_dropped_and_the_straddling_one_applied() {
        let mut s = DepthSync::default();
        s.on_depth(diff(80, 90, 79, vec![lv(1, 1)])).unwrap();
        s.on_depth(diff(91, 105, 90, vec![lv(2, 2)])).unwrap();
        s.on_depth(diff(106, 110, 105, vec![lv(3, 3)])).unwrap();
        let out = s.on_snapshot(&snap(100, vec![lv(5, 5)])).unwrap();
        assert_eq!(
            out,
            SnapshotOutcome::Anchored {
                applied_from_buffer: 2
            }
        );
        assert_eq!(s.counters().diffs_stale, 1);
        assert_eq!(s.last_applied_update_id(), Some(110));
        let bids: Vec<_> = s.book().levels(Side::Buy).collect();
        assert_eq!(bids, vec![lv(5, 5), lv(3, 3), lv(2, 2)]);
    }

    #[test]
    fn a_first_diff_that_starts_after_the_snapshot_is_an_anchor_gap() {
        let mut s = DepthSync::default();
        s.on_snapshot(&snap(100, vec![lv(5, 5)])).unwrap();
        let out = s.on_depth(diff(102, 110, 101, vec![])).unwrap();
        assert_eq!(
            out,
            DiffOutcome::Gap(DepthGap::Anchor {
                recv_ns: Ts(110),
                last_update_id: 100,
                first_update_id: 102
            })
        );
        assert!(s.book().is_empty() && !s.is_synced());
        assert_eq!(s.buffered(), 1);
    }

    #[test]
    fn an_older_snapshot_does_not_move_a_synced_book_back() {
        let mut s = DepthSync::default();
        s.on_snapshot(&snap(100, vec![lv(5, 5)])).unwrap();
        s.on_depth(diff(99, 120, 98, vec![lv(6, 1)])).unwrap();
        assert_eq!(
            s.on_snapshot(&snap(110, vec![])).unwrap(),
            SnapshotOutcome::Ignored
        );
        assert_eq!(s.book().best_bid(), Some(lv(6, 1)));
        assert_eq!(s.counters().snapshots_ignored, 1);
    }

    #[test]
    fn the_buffer_keeps_the_newest_diffs_and_counts_overflow() {
        let mut s = DepthSync::new(SyncOptions {
            max_buffered_diffs: 2,
        });
        for i in 0..5u64 {
            s.on_depth(diff(10 * i + 1, 10 * i + 10, 10 * i, vec![]))
                .unwrap();
        }
        assert_eq!((s.buffered(), s.counters().buffer_overflows), (2, 3));
        s.on_snapshot(&snap(35, vec![])).unwrap();
        assert_eq!(s.last_applied_update_id(), Some(50));
    }

    #[test]
    fn negative_quantities_are_refused_before_anything_changes() {
        let mut s = DepthSync::default();
        assert!(s.on_depth(diff(1, 2, 0, vec![lv(1, -1)])).is_err());
        assert_eq!(s.buffered(), 0);
    }
}
