//! [`BookView`]: the read-only view of a limit order book shared by books, features,
//! baselines and risk.

use crate::units::{Price, Qty, Side};
use serde::{Deserialize, Serialize};

/// The aggregate of one price level.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PriceLevel {
    /// Level price.
    pub price: Price,
    /// Total visible quantity at the level.
    pub qty: Qty,
}

/// Read-only view of a limit order book, by price level.
///
/// # Design
/// Features, baselines and risk checks only ever need level aggregates, so this is the
/// whole contract between a book and its readers: an L3 book (order by order) and an L2 book
/// (level updates) both implement it and are interchangeable to every consumer. Level 0 is
/// the touch. Implementations should make `level(side, i)` cheap for small `i`, since
/// streaming features call it on every event; the provided methods are written in terms
/// of it and may be overridden with faster versions.
pub trait BookView {
    /// The `index`-th best level on `side` (0 is the best), or `None` past the last level.
    fn level(&self, side: Side, index: usize) -> Option<PriceLevel>;

    /// Number of non-empty price levels on `side`.
    fn level_count(&self, side: Side) -> usize;

    /// Best bid level.
    #[inline]
    fn best_bid(&self) -> Option<PriceLevel> {
        self.level(Side::Buy, 0)
    }

    /// Best ask level.
    #[inline]
    fn best_ask(&self) -> Option<PriceLevel> {
        self.level(Side::Sell, 0)
    }

    /// Fills `out` with the best levels on `side`, best first; returns how many were written.
    fn top_levels(&self, side: Side, out: &mut [PriceLevel]) -> usize {
        let mut written = 0;
        for (i, slot) in out.iter_mut().enumerate() {
            match self.level(side, i) {
                Some(level) => {
                    *slot = level;
                    written += 1;
                }
                None => break,
            }
        }
        written
    }

    /// Mid price in ticks (may be half a tick), when both sides are present.
    #[inline]
    fn mid(&self) -> Option<f64> {
        match (self.best_bid(), self.best_ask()) {
            (Some(b), Some(a)) => Some((b.price.0 as f64 + a.price.0 as f64) * 0.5),
            _ => None,
        }
    }

    /// Best ask minus best bid, when both sides are present.
    #[inline]
    fn spread(&self) -> Option<Price> {
        match (self.best_bid(), self.best_ask()) {
            (Some(b), Some(a)) => Some(a.price - b.price),
            _ => None,
        }
    }

    /// Total quantity over the best `levels` levels of `side`.
    fn depth(&self, side: Side, levels: usize) -> Qty {
        let mut total = Qty::ZERO;
        for i in 0..levels {
            match self.level(side, i) {
                Some(l) => total += l.qty,
                None => break,
            }
        }
        total
    }

    /// True when the best bid is at or above the best ask (never true after matching).
    fn is_crossed(&self) -> bool {
        matches!((self.best_bid(), self.best_ask()), (Some(b), Some(a)) if b.price >= a.price)
    }
}
