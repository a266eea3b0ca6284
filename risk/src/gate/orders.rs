//! The orders the gate forwarded and the venue has not finished: their worst-case
//! quantity per side, and their limit prices for the self-trade check.

use shortfall_core::{OrderId, Price, Qty, Side};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A multiplicative hasher for order ids (the Fx hash step): ids are chosen by the gate's
/// own strategy, so there is no adversary to defend against, and SipHash would be most of
/// the gate's time budget.
#[derive(Default, Clone, Copy, Debug)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Hash-map state for [`IdHasher`].
pub(crate) type IdBuild = BuildHasherDefault<IdHasher>;

/// One open order, as the gate knows it.
#[derive(Copy, Clone, Debug)]
struct OpenOrder {
    side: Side,
    /// Limit price (`None` for a market order).
    price: Option<Price>,
    /// Quantity still open at the venue, as last reported.
    leaves: i64,
    /// A forwarded modify the venue has not answered: new price and quantity.
    pending: Option<(Price, i64)>,
    /// The venue acknowledged the new order.
    accepted: bool,
}

impl OpenOrder {
    /// The most this order can still fill: while a modify is pending, either version.
    #[inline]
    fn exposure(&self) -> i64 {
        match self.pending {
            Some((_, q)) => self.leaves.max(q),
            None => self.leaves,
        }
    }
}

/// The open orders, with per-side totals kept incrementally.
#[derive(Clone, Debug)]
pub(crate) struct OpenOrders {
    orders: HashMap<OrderId, OpenOrder, IdBuild>,
    /// Σ exposure of open buys and open sells.
    open: [i64; 2],
    /// Limit prices of open orders per side, sorted ascending, for the self-trade check
    /// (a modify in flight contributes both its old and its new price).
    prices: [Vec<(Price, OrderId)>; 2],
}

#[inline]
fn ix(side: Side) -> usize {
    match side {
        Side::Buy => 0,
        Side::Sell => 1,
    }
}

impl OpenOrders {
    /// Room for `capacity` orders, allocated now.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            orders: HashMap::with_capacity_and_hasher(capacity, IdBuild::default()),
            open: [0; 2],
            prices: [
                Vec::with_capacity(capacity.saturating_mul(2)),
                Vec::with_capacity(capacity.saturating_mul(2)),
            ],
        }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.orders.len()
    }

    #[inline]
    pub(crate) fn contains(&self, id: OrderId) -> bool {
        self.orders.contains_key(&id)
    }

    pub(crate) fn ids(&self) -> impl Iterator<Item = OrderId> + '_ {
        self.orders.keys().copied()
    }

    /// Σ worst-case open quantity on `side`.
    #[inline]
    pub(crate) fn open_qty(&self, side: Side) -> i64 {
        self.open[ix(side)]
    }

    /// Side and current exposure of an open order.
    #[inline]
    pub(crate) fn side_and_exposure(&self, id: OrderId) -> Option<(Side, i64)> {
        self.orders.get(&id).map(|o| (o.side, o.exposure()))
    }

    /// The own resting order on `side` that an incoming order on the other side limited at
    /// `limit` (`None`: a market order) would trade against, if any: the best-priced one.
    #[inline]
    pub(crate) fn crossing(&self, side: Side, limit: Option<Price>) -> Option<(Price, OrderId)> {
        let list = &self.prices[ix(side)];
        let best = match side {
            Side::Buy => list.last(),
            Side::Sell => list.first(),
        }
        .copied()?;
        match limit {
            Some(p) if !side.crosses(best.0, p) => None,
            _ => Some(best),
        }
    }

    fn add_price(&mut self, side: Side, price: Price, id: OrderId) {
        let list = &mut self.prices[ix(side)];
        let at = list.partition_point(|&(p, i)| (p, i) < (price, id));
        list.insert(at, (price, id));
    }

    fn remove_price(&mut self, side: Side, price: Price, id: OrderId) {
        let list = &mut self.prices[ix(side)];
        let at = list.partition_point(|&(p, i)| (p, i) < (price, id));
        if list.get(at) == Some(&(price, id)) {
            list.remove(at);
        }
    }

    /// Records a forwarded new order.
    pub(crate) fn open(&mut self, id: OrderId, side: Side, price: Option<Price>, qty: Qty) {
        let order = OpenOrder {
            side,
            price,
            leaves: qty.0,
            pending: None,
            accepted: false,
        };
        self.open[ix(side)] += qty.0;
        if let Some(p) = price {
            self.add_price(side, p, id);
        }
        if let Some(old) = self.orders.insert(id, order) {
            // The gate never forwards an id that is open; keep the totals right regardless.
            self.open[ix(old.side)] -= old.exposure();
        }
    }

    /// Changes one order through `f`, keeping the side totals and the price lists right;
    /// removes the order when nothing of it can fill any more.
    fn update(&mut self, id: OrderId, f: impl FnOnce(&mut OpenOrder)) {
        let Some(order) = self.orders.get_mut(&id) else {
            return;
        };
        let before = *order;
        f(order);
        let after = *order;
        let side = ix(after.side);
        self.open[side] += after.exposure() - before.exposure();
        let done = after.exposure() <= 0;
        if done {
            self.orders.remove(&id);
        }
        // Price-list bookkeeping: compare the prices the order rested at before and after.
        let rest = |o: &OpenOrder, gone: bool| -> [Option<Price>; 2] {
            if gone {
                [None, None]
            } else {
                [o.price, o.pending.map(|(p, _)| p)]
            }
        };
        let old = rest(&before, false);
        let new = rest(&after, done);
        for p in old.into_iter().flatten() {
            self.remove_price(after.side, p, id);
        }
        for p in new.into_iter().flatten() {
            self.add_price(after.side, p, id);
        }
    }

    /// Records a forwarded modify (the venue has not answered yet).
    pub(crate) fn modify(&mut self, id: OrderId, price: Price, qty: Qty) {
        self.update(id, |o| o.pending = Some((price, qty.0)));
    }

    /// The venue accepted the new order, or (when a modify is pending) the modify.
    pub(crate) fn accepted(&mut self, id: OrderId) {
        self.update(id, |o| {
            if !o.accepted {
                o.accepted = true;
            } else if let Some((p, q)) = o.pending.take() {
                o.price = Some(p);
                o.leaves = q;
            }
        });
    }

    /// The venue rejected a request about `id`: a new order is gone; a pending modify is
    /// dropped; a rejected cancel changes nothing.
    pub(crate) fn rejected(&mut self, id: OrderId) {
        self.update(id, |o| {
            if !o.accepted {
                o.leaves = 0;
                o.pending = None;
            } else {
                o.pending = None;
            }
        });
    }

    /// A fill left `leaves` open.
    pub(crate) fn filled(&mut self, id: OrderId, leaves: Qty) {
        self.update(id, |o| {
            o.accepted = true;
            o.leaves = leaves.0.max(0);
        });
    }

    /// The order was cancelled or expired at the venue: nothing of it can fill any more.
    pub(crate) fn finished(&mut self, id: OrderId) {
        self.update(id, |o| {
            o.leaves = 0;
            o.pending = None;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_and_prices_follow_the_life_of_an_order() {
        let mut o = OpenOrders::with_capacity(4);
        o.open(OrderId(1), Side::Sell, Some(Price(101)), Qty(5));
        o.open(OrderId(2), Side::Sell, Some(Price(103)), Qty(2));
        assert_eq!(o.open_qty(Side::Sell), 7);
        assert_eq!(
            o.crossing(Side::Sell, Some(Price(101))),
            Some((Price(101), OrderId(1)))
        );
        assert_eq!(o.crossing(Side::Sell, Some(Price(100))), None);
        o.accepted(OrderId(1));
        o.modify(OrderId(1), Price(105), Qty(8));
        assert_eq!(
            o.open_qty(Side::Sell),
            10,
            "a pending modify counts its larger size"
        );
        o.accepted(OrderId(1));
        assert_eq!(o.open_qty(Side::Sell), 10);
        assert_eq!(
            o.crossing(Side::Sell, Some(Price(104))),
            Some((Price(103), OrderId(2)))
        );
        o.filled(OrderId(2), Qty(0));
        assert_eq!(o.crossing(Side::Sell, Some(Price(104))), None);
        o.finished(OrderId(1));
        assert_eq!(o.open_qty(Side::Sell), 0);
        assert_eq!(o.len(), 0);
        assert!(o.prices[1].is_empty());
    }
}
