//! [`BookSnapshot`]: a fixed-size copy of the top of a book, for recording book states next
//! to their events (the batch API's `(event, book)` pairs) without keeping the book.

use crate::unroll::by_len;
use shortfall_core::{BookView, PriceLevel, Side};

/// The best `N` levels of each side of a book at one moment; implements [`BookView`].
///
/// ```
/// use shortfall_core::{BookView, Price, PriceLevel, Qty, Side};
/// use shortfall_features::BookSnapshot;
///
/// let lv = |p, q| PriceLevel { price: Price(p), qty: Qty(q) };
/// let snap = BookSnapshot::<2>::from_levels(&[lv(99, 5), lv(98, 1), lv(97, 9)], &[lv(101, 2)]);
/// assert_eq!(snap.level_count(Side::Buy), 2); // only the best two are kept
/// assert_eq!(snap.mid(), Some(100.0));
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct BookSnapshot<const N: usize> {
    bids: [PriceLevel; N],
    asks: [PriceLevel; N],
    bid_count: u8,
    ask_count: u8,
}

impl<const N: usize> Default for BookSnapshot<N> {
    fn default() -> Self {
        Self {
            bids: [PriceLevel::default(); N],
            asks: [PriceLevel::default(); N],
            bid_count: 0,
            ask_count: 0,
        }
    }
}

impl<const N: usize> BookSnapshot<N> {
    /// Largest supported `N` (the level counts are stored in a byte).
    pub const MAX_LEVELS: usize = 255;

    /// The top `N` levels of `book`.
    ///
    /// # Panics
    /// When `N > 255` (a programming error).
    pub fn of<B: BookView + ?Sized>(book: &B) -> Self {
        assert!(
            N <= Self::MAX_LEVELS,
            "BookSnapshot supports at most 255 levels"
        );
        let mut s = Self::default();
        s.bid_count = book.top_levels(Side::Buy, &mut s.bids) as u8;
        s.ask_count = book.top_levels(Side::Sell, &mut s.asks) as u8;
        s
    }

    /// A snapshot from level lists, best first; levels beyond `N` are dropped.
    ///
    /// # Panics
    /// When `N > 255` (a programming error).
    pub fn from_levels(bids: &[PriceLevel], asks: &[PriceLevel]) -> Self {
        assert!(
            N <= Self::MAX_LEVELS,
            "BookSnapshot supports at most 255 levels"
        );
        let mut s = Self::default();
        let nb = bids.len().min(N);
        let na = asks.len().min(N);
        s.bids[..nb].copy_from_slice(&bids[..nb]);
        s.asks[..na].copy_from_slice(&asks[..na]);
        s.bid_count = nb as u8;
        s.ask_count = na as u8;
        s
    }

    /// The kept levels of `side`, best first.
    pub fn levels(&self, side: Side) -> &[PriceLevel] {
        match side {
            Side::Buy => &self.bids[..self.bid_count as usize],
            Side::Sell => &self.asks[..self.ask_count as usize],
        }
    }
}

impl<const N: usize> BookView for BookSnapshot<N> {
    #[inline]
    fn level(&self, side: Side, index: usize) -> Option<PriceLevel> {
        self.levels(side).get(index).copied()
    }

    #[inline]
    fn level_count(&self, side: Side) -> usize {
        self.levels(side).len()
    }

    #[inline]
    fn top_levels(&self, side: Side, out: &mut [PriceLevel]) -> usize {
        let levels = self.levels(side);
        let n = levels.len().min(out.len());
        // a copy of constant length for the common depths (no call to `memcpy`)
        by_len!(&levels[..n], |from| out[..from.len()].copy_from_slice(from));
        n
    }
}
