//! Price-level (L2) book for level-update feeds (Binance diff depth, MBP).
//!
//! [`L2Book`] keeps the aggregate quantity of every live price level on each side. Each side
//! is a `Vec<PriceLevel>` sorted so that the best level is the *last* element: reading the
//! touch and the first few levels is an index from the end (O(1)), and the updates that real
//! feeds send most often, near the touch, move only the few elements behind them. A price is
//! found by binary search, so an update anywhere in the book costs `O(log n)` comparisons
//! plus the shift of the levels better than it.
//!
//! # Crossed books
//! The book stores what the feed says and never matches: a level update that puts the best
//! bid at or above the best ask is stored as given, and [`BookView::is_crossed`] reports it.
//! Binance diff-depth messages are applied one at a time, so a crossed book may be seen
//! between two diffs that the venue published as one book state; a consumer that needs an
//! uncrossed book checks `is_crossed` after each complete update.

use shortfall_core::{BookView, MarketEvent, Price, PriceLevel, Qty, Side};

/// Why a level update or event was refused by an [`L2Book`]; the book is left unchanged.
#[derive(Copy, Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum L2Error {
    /// A level quantity was negative (zero removes a level; negative has no meaning).
    #[error("negative quantity {qty} for {side} level at {price}")]
    NegativeQty {
        /// The side of the update.
        side: Side,
        /// The level price.
        price: Price,
        /// The quantity given.
        qty: Qty,
    },
    /// An order-by-order event (`Add`, `Cancel`, `Delete`, `Execute`) was given to a
    /// price-level book, which has no orders to apply it to.
    #[error("{kind} is an order-by-order event, not a price-level event")]
    NotALevelEvent {
        /// The event's variant name.
        kind: &'static str,
    },
}

/// A price-level book: the aggregate visible quantity at each price, per side.
///
/// Memory is proportional to the live levels: removed levels are dropped, and a side whose
/// level count falls to a quarter of its allocation gives half of the allocation back.
/// [`L2Book::clear`] keeps the allocation, because a snapshot usually follows at once;
/// [`L2Book::shrink_to_fit`] releases it.
///
/// ```
/// use shortfall_core::{BookView, MarketEvent, Price, PriceLevel, Qty, Side, Ts};
/// use shortfall_lob_sim::book::L2Book;
///
/// let mut book = L2Book::new();
/// book.set_level(Side::Buy, Price(100), Qty(5))?;
/// book.set_level(Side::Buy, Price(99), Qty(7))?;
/// book.apply(&MarketEvent::Level { ts: Ts(1), side: Side::Sell, price: Price(102), qty: Qty(3) })?;
/// assert_eq!(book.best_bid(), Some(PriceLevel { price: Price(100), qty: Qty(5) }));
/// assert_eq!(book.level(Side::Buy, 1).map(|l| l.price), Some(Price(99)));
/// assert_eq!(book.spread(), Some(Price(2)));
///
/// book.set_level(Side::Buy, Price(100), Qty(0))?; // zero removes the level
/// assert_eq!(book.best_bid().map(|l| l.price), Some(Price(99)));
/// assert!(book.set_level(Side::Sell, Price(101), Qty(-1)).is_err()); // refused, not a panic
/// # Ok::<(), shortfall_lob_sim::book::l2::L2Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct L2Book {
    /// Bids by ascending price: the best (highest) bid is last.
    bids: Vec<PriceLevel>,
    /// Asks by descending price: the best (lowest) ask is last.
    asks: Vec<PriceLevel>,
}

/// Allocations below this many levels are never shrunk.
const MIN_SHRINK_CAPACITY: usize = 64;

impl L2Book {
    /// An empty book.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the aggregate quantity at `price` on `side`; zero removes the level.
    ///
    /// Returns the quantity the level had before (zero when it did not exist).
    ///
    /// # Errors
    /// [`L2Error::NegativeQty`] when `qty` is negative; the book is unchanged.
    pub fn set_level(&mut self, side: Side, price: Price, qty: Qty) -> Result<Qty, L2Error> {
        if qty.0 < 0 {
            return Err(L2Error::NegativeQty { side, price, qty });
        }
        let levels = self.side_mut(side);
        let found = search(levels, side, price);
        Ok(match found {
            Ok(i) if qty.0 == 0 => {
                let old = levels.remove(i).qty;
                maybe_shrink(levels);
                old
            }
            Ok(i) => std::mem::replace(&mut levels[i].qty, qty),
            Err(_) if qty.0 == 0 => Qty::ZERO,
            Err(i) => {
                levels.insert(i, PriceLevel { price, qty });
                Qty::ZERO
            }
        })
    }

    /// The quantity at `price` on `side` (zero when there is no such level).
    pub fn qty_at(&self, side: Side, price: Price) -> Qty {
        let levels = self.side(side);
        match search(levels, side, price) {
            Ok(i) => levels[i].qty,
            Err(_) => Qty::ZERO,
        }
    }

    /// Removes every level on both sides (the allocation is kept for the reload that
    /// usually follows; see [`L2Book::shrink_to_fit`]).
    pub fn clear(&mut self) {
        self.bids.clear();
        self.asks.clear();
    }

    /// Releases memory not needed for the live levels.
    pub fn shrink_to_fit(&mut self) {
        self.bids.shrink_to_fit();
        self.asks.shrink_to_fit();
    }

    /// True when both sides are empty.
    pub fn is_empty(&self) -> bool {
        self.bids.is_empty() && self.asks.is_empty()
    }

    /// Applies one market event.
    ///
    /// `Level` sets a level and `Clear` empties the book; `Trade` and `Status` do not change
    /// a price-level book (the feed's next level updates carry their effect) and are accepted
    /// as no-ops.
    ///
    /// # Errors
    /// [`L2Error::NegativeQty`] for a `Level` with negative quantity, and
    /// [`L2Error::NotALevelEvent`] for order-by-order events; the book is unchanged.
    pub fn apply(&mut self, event: &MarketEvent) -> Result<(), L2Error> {
        match *event {
            MarketEvent::Level {
                side, price, qty, ..
            } => self.set_level(side, price, qty).map(|_| ()),
            MarketEvent::Clear { .. } => {
                self.clear();
                Ok(())
            }
            MarketEvent::Trade { .. } | MarketEvent::Status { .. } => Ok(()),
            MarketEvent::Add { .. } => Err(L2Error::NotALevelEvent { kind: "Add" }),
            MarketEvent::Cancel { .. } => Err(L2Error::NotALevelEvent { kind: "Cancel" }),
            MarketEvent::Delete { .. } => Err(L2Error::NotALevelEvent { kind: "Delete" }),
            MarketEvent::Execute { .. } => Err(L2Error::NotALevelEvent { kind: "Execute" }),
        }
    }

    /// All levels of `side`, best first.
    pub fn levels(&self, side: Side) -> impl ExactSizeIterator<Item = PriceLevel> + '_ {
        self.side(side).iter().rev().copied()
    }

    #[inline]
    fn side(&self, side: Side) -> &Vec<PriceLevel> {
        match side {
            Side::Buy => &self.bids,
            Side::Sell => &self.asks,
        }
    }

    #[inline]
    fn side_mut(&mut self, side: Side) -> &mut Vec<PriceLevel> {
        match side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        }
    }
}

/// Binary search for `price` in a side stored worst-first.
#[inline]
fn search(levels: &[PriceLevel], side: Side, price: Price) -> Result<usize, usize> {
    match side {
        // ascending prices
        Side::Buy => levels.binary_search_by(|l| l.price.cmp(&price)),
        // descending prices
        Side::Sell => levels.binary_search_by(|l| price.cmp(&l.price)),
    }
}

/// Halves the allocation once at most a quarter of it is used (amortised O(1)).
#[inline]
fn maybe_shrink(levels: &mut Vec<PriceLevel>) {
    let cap = levels.capacity();
    if cap > MIN_SHRINK_CAPACITY && levels.len() <= cap / 4 {
        levels.shrink_to(cap / 2);
    }
}

impl BookView for L2Book {
    #[inline]
    fn level(&self, side: Side, index: usize) -> Option<PriceLevel> {
        let levels = self.side(side);
        let pos = levels.len().checked_sub(index + 1)?;
        Some(levels[pos])
    }

    #[inline]
    fn level_count(&self, side: Side) -> usize {
        self.side(side).len()
    }

    #[inline]
    fn best_bid(&self) -> Option<PriceLevel> {
        self.bids.last().copied()
    }

    #[inline]
    fn best_ask(&self) -> Option<PriceLevel> {
        self.asks.last().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shortfall_core::{OrderId, Ts};

    fn lv(price: i64, qty: i64) -> PriceLevel {
        PriceLevel {
            price: Price(price),
            qty: Qty(qty),
        }
    }

    #[test]
    fn levels_are_read_best_first_on_both_sides() {
        let mut b = L2Book::new();
        for (p, q) in [(100, 1), (98, 2), (99, 3)] {
            b.set_level(Side::Buy, Price(p), Qty(q)).unwrap();
        }
        for (p, q) in [(103, 4), (101, 5), (102, 6)] {
            b.set_level(Side::Sell, Price(p), Qty(q)).unwrap();
        }
        let bids: Vec<_> = b.levels(Side::Buy).collect();
        let asks: Vec<_> = b.levels(Side::Sell).collect();
        assert_eq!(bids, vec![lv(100, 1), lv(99, 3), lv(98, 2)]);
        assert_eq!(asks, vec![lv(101, 5), lv(102, 6), lv(103, 4)]);
        assert_eq!(b.level(Side::Buy, 2), Some(lv(98, 2)));
        assert_eq!(b.level(Side::Buy, 3), None);
        assert_eq!(b.level_count(Side::Sell), 3);
        assert_eq!(b.spread(), Some(Price(1)));
        assert_eq!(b.depth(Side::Sell, 2), Qty(11));
    }

    #[test]
    fn zero_quantity_removes_and_replacement_returns_the_old_quantity() {
        let mut b = L2Book::new();
        assert_eq!(b.set_level(Side::Sell, Price(5), Qty(2)), Ok(Qty(0)));
        assert_eq!(b.set_level(Side::Sell, Price(5), Qty(7)), Ok(Qty(2)));
        assert_eq!(b.qty_at(Side::Sell, Price(5)), Qty(7));
        assert_eq!(b.set_level(Side::Sell, Price(5), Qty(0)), Ok(Qty(7)));
        assert_eq!(b.set_level(Side::Sell, Price(6), Qty(0)), Ok(Qty(0)));
        assert!(b.is_empty());
    }

    #[test]
    fn negative_quantity_is_refused_and_leaves_the_book_unchanged() {
        let mut b = L2Book::new();
        b.set_level(Side::Buy, Price(5), Qty(2)).unwrap();
        let before = b.clone();
        let err = b.set_level(Side::Buy, Price(5), Qty(-1)).unwrap_err();
        assert_eq!(
            err,
            L2Error::NegativeQty {
                side: Side::Buy,
                price: Price(5),
                qty: Qty(-1)
            }
        );
        assert_eq!(b, before);
    }

    #[test]
    fn order_by_order_events_are_typed_as_not_level_events() {
        let mut b = L2Book::new();
        let add = MarketEvent::Add {
            ts: Ts(0),
            order_id: OrderId(1),
            side: Side::Buy,
            price: Price(1),
            qty: Qty(1),
        };
        assert_eq!(b.apply(&add), Err(L2Error::NotALevelEvent { kind: "Add" }));
        let trade = MarketEvent::Trade {
            ts: Ts(0),
            price: Price(1),
            qty: Qty(1),
            aggressor: None,
        };
        assert_eq!(b.apply(&trade), Ok(()));
        assert!(b.is_empty());
    }

    #[test]
    fn a_crossing_update_is_stored_and_reported_as_crossed() {
        let mut b = L2Book::new();
        b.set_level(Side::Sell, Price(100), Qty(1)).unwrap();
        b.set_level(Side::Buy, Price(101), Qty(1)).unwrap();
        assert!(b.is_crossed());
        assert_eq!(b.spread(), Some(Price(-1)));
        b.apply(&MarketEvent::Clear { ts: Ts(1) }).unwrap();
        assert!(b.is_empty() && !b.is_crossed());
    }

    #[test]
    fn allocation_shrinks_when_most_levels_are_removed() {
        let mut b = L2Book::new();
        for p in 0..1000 {
            b.set_level(Side::Buy, Price(p), Qty(1)).unwrap();
        }
        let full = b.bids.capacity();
        for p in 0..990 {
            b.set_level(Side::Buy, Price(p), Qty(0)).unwrap();
        }
        assert!(
            b.bids.capacity() < full / 4,
            "{} of {full}",
            b.bids.capacity()
        );
        assert_eq!(b.level_count(Side::Buy), 10);
        assert_eq!(b.best_bid(), Some(lv(999, 1)));
    }
}
