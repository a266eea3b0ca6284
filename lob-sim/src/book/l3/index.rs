//! The order-id index of [`super::L3Book`]: an open-addressing table from order id to slab
//! slot, built for the one job it has.
//!
//! Keys are spread with Fibonacci hashing (multiply by 2⁶⁴/φ and keep the top bits; Knuth,
//! *TAOCP* vol. 3, §6.4), collisions are resolved by linear probing, and deletion shifts
//! later entries of the probe run back instead of leaving tombstones (Knuth's Algorithm R),
//! so lookups never slow down as orders come and go. The load stays between 1/8 and 1/2:
//! the table grows and shrinks with the number of live orders. Each entry is 16 bytes, four
//! to a cache line, and a lookup usually reads one line.
//!
//! Compared with `std::collections::HashMap` (SwissTable) with a fast hasher, this halves the
//! cost of an insert-and-remove pair on the machines we measure on; the table is not
//! resistant to adversarial keys, which order ids from a simulation or a data file are not.

/// An empty bucket.
const EMPTY: u32 = u32::MAX;

/// The smallest table (buckets).
const MIN_BUCKETS: usize = 16;

use crate::hash::FIBONACCI;

#[derive(Copy, Clone)]
struct Entry {
    key: u64,
    slot: u32,
}

const VACANT: Entry = Entry {
    key: 0,
    slot: EMPTY,
};

/// Order id → slab slot.
pub(super) struct IdIndex {
    entries: Vec<Entry>,
    /// `64 - log2(buckets)`: the home bucket of a key is its hash's top bits.
    shift: u32,
    len: usize,
    /// The table never shrinks below this (the capacity asked for at construction).
    floor: usize,
}

impl std::fmt::Debug for IdIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdIndex")
            .field("len", &self.len)
            .field("buckets", &self.entries.len())
            .field("floor", &self.floor)
            .finish()
    }
}

impl Clone for IdIndex {
    fn clone(&self) -> Self {
        Self {
            entries: self.entries.clone(),
            shift: self.shift,
            len: self.len,
            floor: self.floor,
        }
    }

    fn clone_from(&mut self, source: &Self) {
        self.entries.clone_from(&source.entries);
        self.shift = source.shift;
        self.len = source.len;
        self.floor = source.floor;
    }
}

impl Default for IdIndex {
    fn default() -> Self {
        Self::with_capacity(0)
    }
}

impl IdIndex {
    /// A table that holds `n` ids without growing, and never shrinks below that.
    pub fn with_capacity(n: usize) -> Self {
        let buckets = n
            .saturating_mul(2)
            .max(MIN_BUCKETS)
            .checked_next_power_of_two()
            .unwrap_or(1 << 62);
        Self {
            entries: vec![VACANT; buckets],
            shift: 64 - buckets.trailing_zeros(),
            len: 0,
            floor: buckets.max(MIN_BUCKETS * 4),
        }
    }

    /// Number of ids held.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no id is held.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes allocated.
    pub fn memory_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<Entry>()
    }

    /// Removes every id, keeping the allocation.
    pub fn clear(&mut self) {
        self.entries.fill(VACANT);
        self.len = 0;
    }

    #[inline]
    fn mask(&self) -> usize {
        self.entries.len() - 1
    }

    #[inline]
    fn home(&self, key: u64) -> usize {
        (key.wrapping_mul(FIBONACCI) >> self.shift) as usize
    }

    /// `Ok(bucket)` holding `key`, or `Err(bucket)`: the empty bucket that ends its probe run.
    #[inline]
    fn probe(&self, key: u64) -> Result<usize, usize> {
        let mask = self.mask();
        let mut i = self.home(key);
        loop {
            let e = self.entries[i];
            if e.slot == EMPTY {
                return Err(i);
            }
            if e.key == key {
                return Ok(i);
            }
            i = (i + 1) & mask;
        }
    }

    /// The slot of `key`.
    #[inline]
    pub fn get(&self, key: u64) -> Option<u32> {
        self.probe(key).ok().map(|i| self.entries[i].slot)
    }

    /// The bucket holding `key`, for [`IdIndex::slot_at`] and [`IdIndex::remove_at`].
    #[inline]
    pub fn find(&self, key: u64) -> Option<usize> {
        self.probe(key).ok()
    }

    /// The slot stored in `bucket` (from [`IdIndex::find`]).
    #[inline]
    pub fn slot_at(&self, bucket: usize) -> u32 {
        self.entries[bucket].slot
    }

    /// `Ok(bucket)` when `key` is present; otherwise `Err(bucket)`, where
    /// [`IdIndex::insert_at`] may put it, valid until the table is next changed. Grows the
    /// table first when one more id would pass the maximum load.
    #[inline]
    pub fn find_or_vacant(&mut self, key: u64) -> Result<usize, usize> {
        if (self.len + 1) * 2 > self.entries.len() {
            self.resize(self.entries.len() * 2);
        }
        self.probe(key)
    }

    /// Stores `key → slot` in the vacant `bucket` returned by [`IdIndex::find_or_vacant`].
    #[inline]
    pub fn insert_at(&mut self, bucket: usize, key: u64, slot: u32) {
        debug_assert!(
            self.entries[bucket].slot == EMPTY,
            "insert_at needs a vacant bucket"
        );
        self.entries[bucket] = Entry { key, slot };
        self.len += 1;
    }

    /// Stores `key → slot`; returns false (and changes nothing) when `key` is present.
    #[inline]
    pub fn insert(&mut self, key: u64, slot: u32) -> bool {
        match self.find_or_vacant(key) {
            Ok(_) => false,
            Err(bucket) => {
                self.insert_at(bucket, key, slot);
                true
            }
        }
    }

    /// Removes `key`, returning its slot.
    #[inline]
    pub fn remove(&mut self, key: u64) -> Option<u32> {
        let bucket = self.find(key)?;
        Some(self.remove_at(bucket))
    }

    /// Removes the id in `bucket` (from [`IdIndex::find`]), returning its slot.
    #[inline(always)]
    pub fn remove_at(&mut self, bucket: usize) -> u32 {
        let slot = self.entries[bucket].slot;
        let mask = self.mask();
        // Shift later members of the probe run back into the hole when their home bucket
        // does not lie cyclically in (hole, j].
        let mut hole = bucket;
        let mut j = (bucket + 1) & mask;
        loop {
            let e = self.entries[j];
            if e.slot == EMPTY {
                break;
            }
            let home = self.home(e.key);
            if (hole.wrapping_sub(home) & mask) <= (j.wrapping_sub(home) & mask) {
                self.entries[hole] = e;
                hole = j;
            }
            j = (j + 1) & mask;
        }
        self.entries[hole] = VACANT;
        self.len -= 1;
        if self.len * 8 < self.entries.len() && self.entries.len() > self.floor {
            self.resize(self.entries.len() / 2);
        }
        slot
    }

    #[cold]
    #[inline(never)]
    fn resize(&mut self, buckets: usize) {
        let old = std::mem::replace(&mut self.entries, vec![VACANT; buckets]);
        self.shift = 64 - buckets.trailing_zeros();
        self.len = 0;
        for e in old {
            if e.slot != EMPTY {
                let bucket = self
                    .probe(e.key)
                    .expect_err("keys are unique, so a re-inserted key is never present");
                self.insert_at(bucket, e.key, e.slot);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn index_agrees_with_a_hash_map_through_growth_deletion_and_shrinking() {
        let mut index = IdIndex::with_capacity(0);
        let mut model = HashMap::new();
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        for step in 0..200_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Keys in a small range collide often; in the second half removals dominate, so
            // the table grows and then shrinks.
            let key = x % 5_000 * 1_000_003;
            let insert = if step < 100_000 {
                x >> 32 & 1 == 0
            } else {
                (x >> 32).is_multiple_of(20)
            };
            if insert {
                assert_eq!(index.insert(key, step), !model.contains_key(&key));
                model.entry(key).or_insert(step);
            } else {
                assert_eq!(index.remove(key), model.remove(&key));
            }
            assert_eq!(index.len(), model.len());
        }
        for (&k, &v) in &model {
            assert_eq!(index.get(k), Some(v));
        }
        // Shrunk back to at most 16 buckets per id (the shrink threshold is 8, rounded to a
        // power of two).
        assert!(index.len() < 1_000);
        let bound = 16 * (16 * index.len()).next_power_of_two().max(MIN_BUCKETS * 4);
        assert!(
            index.memory_bytes() <= bound,
            "{} bytes for {}",
            index.memory_bytes(),
            index.len()
        );
    }

    #[test]
    fn the_reserved_capacity_is_a_floor_the_table_does_not_shrink_below() {
        let mut index = IdIndex::with_capacity(1_000);
        let reserved = index.memory_bytes();
        for k in 0..1_000 {
            assert!(index.insert(k, k as u32));
        }
        assert_eq!(
            index.memory_bytes(),
            reserved,
            "no growth within the reservation"
        );
        for k in 0..1_000 {
            assert_eq!(index.remove(k), Some(k as u32));
        }
        assert_eq!(index.memory_bytes(), reserved, "no shrinking below it");
    }

    #[test]
    fn key_zero_and_u64_max_are_ordinary_keys() {
        let mut index = IdIndex::default();
        assert!(index.insert(0, 7));
        assert!(index.insert(u64::MAX, 8));
        assert_eq!(index.get(0), Some(7));
        assert_eq!(index.remove(u64::MAX), Some(8));
        assert_eq!(index.get(u64::MAX), None);
    }
}
