//! The kernel's time-ordered event queue with deterministic tie-breaking.

use shortfall_core::Ts;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// One scheduled item: its time, its insertion number, and what it carries.
#[derive(Clone, Debug)]
struct Entry<T> {
    ts: Ts,
    seq: u64,
    item: T,
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.ts == other.ts && self.seq == other.seq
    }
}

impl<T> Eq for Entry<T> {}

impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Entry<T> {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest time, then the earliest
    /// insertion.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.ts, other.seq).cmp(&(self.ts, self.seq))
    }
}

/// A priority queue of items by time; items with equal times come out in insertion order,
/// so a run never depends on the heap's internal layout.
#[derive(Clone, Debug)]
pub struct EventQueue<T> {
    heap: BinaryHeap<Entry<T>>,
    seq: u64,
}

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> EventQueue<T> {
    /// An empty queue.
    pub fn new() -> Self {
        Self {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }

    /// Schedules `item` at `ts`.
    #[inline]
    pub fn push(&mut self, ts: Ts, item: T) {
        self.seq += 1;
        self.heap.push(Entry {
            ts,
            seq: self.seq,
            item,
        });
    }

    /// The time of the earliest item, or [`Ts::MAX`] when empty.
    #[inline]
    pub fn peek_time(&self) -> Ts {
        self.heap.peek().map_or(Ts::MAX, |e| e.ts)
    }

    /// Removes and returns the earliest item with its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(Ts, T)> {
        self.heap.pop().map(|e| (e.ts, e.item))
    }

    /// Number of scheduled items.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_times_pop_in_insertion_order_and_earlier_times_first() {
        let mut q = EventQueue::new();
        q.push(Ts(5), 'a');
        q.push(Ts(3), 'b');
        q.push(Ts(5), 'c');
        q.push(Ts(3), 'd');
        q.push(Ts(4), 'e');
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, x)| x)).collect();
        assert_eq!(order, ['b', 'd', 'e', 'a', 'c']);
        assert_eq!(q.peek_time(), Ts::MAX);
    }
}
