//! Position and P&L from fills, with average-cost accounting.
//!
//! Money is kept exactly, in "tick-lots" (one tick of price times one lot of quantity),
//! in `i128`; it becomes quote currency only at the edges (`tick_size × lot_size`).

use shortfall_core::{Price, Qty, Side};

/// The position of the gate's account and its P&L.
#[derive(Clone, Debug, Default)]
pub(crate) struct Ledger {
    /// Signed position in lots (positive long).
    position: i64,
    /// Signed cost of the open position: Σ side × price × qty of the lots still held
    /// (positive for a long position, negative for a short one).
    cost: i128,
    /// Realised P&L since the gate was built.
    realised: i128,
    /// Total P&L (realised + unrealised) when the day started.
    day_start: i128,
    /// Last mark price.
    mark: Option<Price>,
}

impl Ledger {
    pub(crate) fn position(&self) -> i64 {
        self.position
    }

    pub(crate) fn mark(&self) -> Option<Price> {
        self.mark
    }

    pub(crate) fn set_mark(&mut self, mark: Price) {
        self.mark = Some(mark);
    }

    /// Applies a fill: lots that reduce the position realise `(exit − average cost) × qty`
    /// (signed by the position); lots that add to it (or open it, after a flip) join the
    /// average cost.
    pub(crate) fn apply_fill(&mut self, side: Side, price: Price, qty: Qty) {
        if qty.0 <= 0 {
            return;
        }
        let sign = i128::from(side.sign());
        let p = i128::from(price.0);
        let mut q = i128::from(qty.0);
        let pos = i128::from(self.position);
        if pos != 0 && pos.signum() != sign {
            let held = pos.abs();
            let closing = q.min(held);
            // The share of the cost basis that leaves with the closed lots (exact when
            // the position closes completely).
            let removed = self.cost * closing / held;
            self.realised += -(sign * p * closing) - removed;
            self.cost -= removed;
            self.position = saturate(pos + sign * closing);
            q -= closing;
        }
        if q > 0 {
            self.cost += sign * p * q;
            self.position = saturate(i128::from(self.position) + sign * q);
        }
    }

    /// Realised P&L since the gate was built, in tick-lots.
    pub(crate) fn realised(&self) -> i128 {
        self.realised
    }

    /// Unrealised P&L at the mark, in tick-lots (zero without a mark).
    pub(crate) fn unrealised(&self) -> i128 {
        match self.mark {
            Some(m) => i128::from(self.position) * i128::from(m.0) - self.cost,
            None => 0,
        }
    }

    /// Realised plus unrealised P&L since the start of the day, in tick-lots.
    pub(crate) fn daily(&self) -> i128 {
        self.realised + self.unrealised() - self.day_start
    }

    /// Starts a new day: the daily P&L restarts from zero; the position and its average
    /// cost are kept.
    pub(crate) fn new_day(&mut self) {
        self.day_start = self.realised + self.unrealised();
    }
}

fn saturate(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_cost_realises_on_reduction_and_restarts_after_a_flip() {
        let mut l = Ledger::default();
        l.apply_fill(Side::Buy, Price(100), Qty(2));
        l.apply_fill(Side::Buy, Price(104), Qty(2)); // average 102
        l.apply_fill(Side::Sell, Price(105), Qty(1));
        assert_eq!(l.realised(), 3);
        assert_eq!(l.position(), 3);
        // Sell 5 at 101: closes 3 (realises -3) and opens 2 short at 101.
        l.apply_fill(Side::Sell, Price(101), Qty(5));
        assert_eq!(l.realised(), 0);
        assert_eq!(l.position(), -2);
        l.set_mark(Price(99));
        assert_eq!(l.unrealised(), 4);
        assert_eq!(l.daily(), 4);
        l.new_day();
        assert_eq!(l.daily(), 0);
        l.set_mark(Price(100));
        assert_eq!(l.daily(), -2);
    }
}
