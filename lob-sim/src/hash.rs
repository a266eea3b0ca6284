//! A fast, deterministic hasher for small integer keys (order ids, prices, sides) in the
//! crate's side tables. Not DoS-resistant: keys come from a simulation or a data file.

use std::hash::{BuildHasherDefault, Hasher};

/// 2⁶⁴ divided by the golden ratio, odd: the multiplier of Fibonacci hashing (Knuth,
/// *TAOCP* vol. 3, §6.4), shared with the L3 book's id index.
pub(crate) const FIBONACCI: u64 = 0x9e37_79b9_7f4a_7c15;

/// Folds each written integer into the state with a 64×64→128-bit multiply.
#[derive(Copy, Clone, Debug, Default)]
pub(crate) struct IntHasher(u64);

impl Hasher for IntHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u64(&mut self, value: u64) {
        let product = u128::from(self.0 ^ value) * u128::from(FIBONACCI);
        self.0 = (product as u64) ^ ((product >> 64) as u64);
    }

    #[inline]
    fn write_u8(&mut self, value: u8) {
        self.write_u64(u64::from(value));
    }

    #[inline]
    fn write_u32(&mut self, value: u32) {
        self.write_u64(u64::from(value));
    }

    #[inline]
    fn write_i64(&mut self, value: i64) {
        self.write_u64(value as u64);
    }

    #[inline]
    fn write_isize(&mut self, value: isize) {
        self.write_u64(value as u64);
    }

    #[inline]
    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// `HashMap` with [`IntHasher`].
pub(crate) type IntMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<IntHasher>>;
/// `HashSet` with [`IntHasher`].
pub(crate) type IntSet<K> = std::collections::HashSet<K, BuildHasherDefault<IntHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hash;

    fn hash_of(value: impl Hash) -> u64 {
        let mut h = IntHasher::default();
        value.hash(&mut h);
        h.finish()
    }

    #[test]
    fn nearby_keys_spread_and_equal_keys_agree() {
        assert_eq!(hash_of((1u8, 5i64)), hash_of((1u8, 5i64)));
        let hashes: std::collections::HashSet<u64> = (0..10_000i64).map(hash_of).collect();
        assert_eq!(hashes.len(), 10_000);
        assert_ne!(hash_of([1u8, 2, 3]), hash_of([1u8, 2, 4]));
    }
}
