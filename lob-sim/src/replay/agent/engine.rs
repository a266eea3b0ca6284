//! The agent's side of the venue, shared by both modes: requests (new, cancel, modify),
//! time in force, self-trade prevention, the agent's resting orders, and how aggressive
//! historical flow that reaches the agent's prices is shared among them.
//!
//! What differs between the modes is behind [`Venue`]: which historical liquidity the agent
//! may take, and how a resting order's place in the queue is recorded (`Q`).

use super::orders::{
    AgentOrder, Inbox, Reporter, at_or_better, crosses, is_post_only, validate_new,
};
use shortfall_core::{
    CancelReason, Liquidity, NewOrder, OrderId, OrderRequest, OrderType, Price, Qty, RejectReason,
    Side, TimeInForce, TraderId, TradingState, Ts,
};

/// The historical book as the agent's orders see it.
pub(super) trait Venue {
    /// A resting agent order's place in the queue.
    type Queue;
    /// True once the historical book exists (initialised, synchronised).
    fn ready(&self) -> bool;
    /// The historical trading state.
    fn state(&self) -> TradingState;
    /// The best opposite price with quantity a taker on `taker` may still take.
    fn best_takeable(&self, taker: Side) -> Option<Price>;
    /// How much a taker on `taker` could take within `limit`, counting up to `cap`.
    fn takeable(&self, taker: Side, limit: Option<Price>, cap: Qty) -> Qty;
    /// Takes up to `qty` for a taker on `taker` within `limit`, best price first, records
    /// the consumption, and appends `(price, qty, counterparty)` per piece to `out`.
    fn take(
        &mut self,
        taker: Side,
        limit: Option<Price>,
        qty: Qty,
        out: &mut Vec<(Price, Qty, OrderId)>,
    );
    /// The queue place of a new resting order at `price` on `side`.
    fn join(&self, side: Side, price: Price) -> Self::Queue;
}

/// The agent's orders, reports and latency queue.
#[derive(Clone, Debug)]
pub(super) struct Engine<Q> {
    pub resting: Vec<(AgentOrder, Q)>,
    pub out: Reporter,
    pub inbox: Inbox,
    next_seq: u64,
    pieces: Vec<(Price, Qty, OrderId)>,
    order_scratch: Vec<usize>,
}

impl<Q> Engine<Q> {
    pub fn new(latency: Ts) -> Self {
        Self {
            resting: Vec::new(),
            out: Reporter::default(),
            inbox: Inbox::new(latency),
            next_seq: 0,
            pieces: Vec::new(),
            order_scratch: Vec::new(),
        }
    }

    pub fn find(&self, id: OrderId) -> Option<usize> {
        self.resting.iter().position(|(o, _)| o.id == id)
    }

    /// Handles one request arriving at `ts`.
    pub fn handle<V: Venue<Queue = Q>>(&mut self, ts: Ts, request: OrderRequest, venue: &mut V) {
        self.out.stats.requests += 1;
        match request {
            OrderRequest::New(order) => self.new_order(ts, order, venue),
            OrderRequest::Cancel { id, owner } => match self.owned(id, owner) {
                Err(reason) => self.out.reject(ts, id, owner, reason),
                Ok(i) => {
                    let (order, _) = self.resting.remove(i);
                    self.out
                        .cancelled(ts, id, owner, order.leaves, CancelReason::Requested);
                }
            },
            OrderRequest::Modify {
                id,
                owner,
                price,
                qty,
            } => self.modify(ts, id, owner, price, qty, venue),
        }
    }

    fn owned(&self, id: OrderId, owner: TraderId) -> Result<usize, RejectReason> {
        let i = self.find(id).ok_or(RejectReason::UnknownOrder)?;
        if self.resting[i].0.owner != owner {
            return Err(RejectReason::NotOwner);
        }
        Ok(i)
    }

    /// Whether an order on `side` limited at `limit` would meet historical liquidity, and
    /// whether it crosses one of the agent's own resting orders.
    fn would_cross<V: Venue<Queue = Q>>(
        &self,
        side: Side,
        limit: Option<Price>,
        venue: &V,
        skip: Option<OrderId>,
    ) -> (bool, bool) {
        let historical = venue
            .best_takeable(side)
            .is_some_and(|best| crosses(side, limit, best));
        let own = self.resting.iter().any(|(o, _)| {
            Some(o.id) != skip && o.side == side.opposite() && crosses(side, limit, o.price)
        });
        (historical, own)
    }

    fn new_order<V: Venue<Queue = Q>>(&mut self, ts: Ts, order: NewOrder, venue: &mut V) {
        self.out.stats.new_orders += 1;
        self.out.stats.ordered_qty += order.qty.0;
        let (id, owner) = (order.id, order.owner);
        if let Err(reason) = validate_new(&order, self.find(id).is_some()) {
            return self.out.reject(ts, id, owner, reason);
        }
        let state = venue.state();
        if !venue.ready() || state == TradingState::Halted {
            return self.out.reject(ts, id, owner, RejectReason::Halted);
        }
        let limit = order.limit_price();
        let (historical, own) = self.would_cross(order.side, limit, venue, None);
        let quoting = state == TradingState::Quoting;
        let tif = match order.order_type {
            OrderType::Market => {
                if quoting {
                    return self.out.reject(ts, id, owner, RejectReason::Halted);
                }
                if !historical {
                    return self.out.reject(ts, id, owner, RejectReason::NoLiquidity);
                }
                None
            }
            OrderType::Limit { tif, .. } => Some(tif),
        };
        if is_post_only(&order) && (historical || own) {
            return self
                .out
                .reject(ts, id, owner, RejectReason::PostOnlyWouldCross);
        }
        if quoting && historical {
            return self.out.reject(ts, id, owner, RejectReason::Halted);
        }
        if tif == Some(TimeInForce::Fok) && venue.takeable(order.side, limit, order.qty) < order.qty
        {
            return self.out.reject(ts, id, owner, RejectReason::FokNotFillable);
        }
        self.out.accept(ts, id, owner);
        self.execute(ts, order, tif, venue);
    }

    /// Trades an accepted order against historical liquidity, then rests or expires the
    /// remainder according to its time in force (`None`: a market order).
    fn execute<V: Venue<Queue = Q>>(
        &mut self,
        ts: Ts,
        order: NewOrder,
        tif: Option<TimeInForce>,
        venue: &mut V,
    ) {
        let limit = order.limit_price();
        let key = (order.id, order.owner, order.side);
        let mut leaves = order.qty;
        if tif != Some(TimeInForce::PostOnly) {
            self.self_trade_prevention(ts, order.side, limit);
            let mut pieces = std::mem::take(&mut self.pieces);
            pieces.clear();
            venue.take(order.side, limit, leaves, &mut pieces);
            for &(price, qty, counterparty) in &pieces {
                leaves -= qty;
                self.out
                    .fill(ts, key, price, qty, leaves, Liquidity::Taker, counterparty);
            }
            self.pieces = pieces;
        }
        if !leaves.is_positive() {
            return;
        }
        match (tif, limit) {
            (Some(TimeInForce::Gtc | TimeInForce::PostOnly), Some(price)) => {
                let queue = venue.join(order.side, price);
                let seq = self.next_seq;
                self.next_seq += 1;
                self.resting.push((
                    AgentOrder {
                        id: order.id,
                        owner: order.owner,
                        side: order.side,
                        price,
                        leaves,
                        post_only: tif == Some(TimeInForce::PostOnly),
                        entered: ts,
                        seq,
                    },
                    queue,
                ));
            }
            _ => self.out.expired(ts, order.id, order.owner, leaves),
        }
    }

    /// Cancels the agent's resting orders on the other side that an order on `side`
    /// limited at `limit` would trade with ("cancel resting", as the L3 book does).
    fn self_trade_prevention(&mut self, ts: Ts, side: Side, limit: Option<Price>) {
        let mut i = 0;
        while i < self.resting.len() {
            let o = &self.resting[i].0;
            if o.side == side.opposite() && crosses(side, limit, o.price) {
                let (o, _) = self.resting.remove(i);
                self.out.cancelled(
                    ts,
                    o.id,
                    o.owner,
                    o.leaves,
                    CancelReason::SelfTradePrevention,
                );
            } else {
                i += 1;
            }
        }
    }

    fn modify<V: Venue<Queue = Q>>(
        &mut self,
        ts: Ts,
        id: OrderId,
        owner: TraderId,
        price: Price,
        qty: Qty,
        venue: &mut V,
    ) {
        let i = match self.owned(id, owner) {
            Ok(i) => i,
            Err(reason) => return self.out.reject(ts, id, owner, reason),
        };
        if !qty.is_positive() {
            return self.out.reject(ts, id, owner, RejectReason::InvalidQty);
        }
        if !price.is_positive() {
            return self.out.reject(ts, id, owner, RejectReason::InvalidPrice);
        }
        let current = &self.resting[i].0;
        if price == current.price && qty == current.leaves {
            return self.out.reject(ts, id, owner, RejectReason::NoChange);
        }
        let state = venue.state();
        if !venue.ready() || state == TradingState::Halted {
            return self.out.reject(ts, id, owner, RejectReason::Halted);
        }
        if price == current.price && qty < current.leaves {
            // A pure size reduction keeps its place in the queue.
            self.resting[i].0.leaves = qty;
            return self.out.accept(ts, id, owner);
        }
        let (side, post_only) = (current.side, current.post_only);
        let (historical, own) = self.would_cross(side, Some(price), venue, Some(id));
        if post_only && (historical || own) {
            return self
                .out
                .reject(ts, id, owner, RejectReason::PostOnlyWouldCross);
        }
        if state == TradingState::Quoting && historical {
            return self.out.reject(ts, id, owner, RejectReason::Halted);
        }
        // A price change or a size increase loses priority: out, then in at the back.
        self.resting.remove(i);
        self.out.accept(ts, id, owner);
        let tif = if post_only {
            TimeInForce::PostOnly
        } else {
            TimeInForce::Gtc
        };
        let order = NewOrder::limit(id, owner, side, price, qty, tif);
        self.execute(ts, order, Some(tif), venue);
    }

    /// Shares `flow` lots of aggressive historical flow that reached `price` on the maker
    /// side `side` among the agent's resting orders there, and fills them.
    ///
    /// The flow meets the agent's orders in price-time priority (better prices first, then
    /// earlier entry). At one price, an agent order gets what is left of the flow beyond
    /// the quantity before it: the historical quantity ahead of it (`ahead`) plus the
    /// leaves of the agent's earlier orders at that price. What orders at a better price
    /// take is no longer available at worse ones. Fractional quantities (the expected queue
    /// positions of L2 mode) are rounded down: a lot is filled only when all of it is due.
    pub fn share_flow(
        &mut self,
        ts: Ts,
        side: Side,
        price: Price,
        flow: Qty,
        counterparty: OrderId,
        ahead: impl Fn(&Q) -> f64,
    ) {
        let mut eligible = std::mem::take(&mut self.order_scratch);
        eligible.clear();
        eligible.extend(
            self.resting
                .iter()
                .enumerate()
                .filter(|(_, (o, _))| o.side == side && at_or_better(side, o.price, price))
                .map(|(i, _)| i),
        );
        if eligible.is_empty() {
            self.order_scratch = eligible;
            return;
        }
        let resting = &self.resting;
        eligible.sort_by(|&a, &b| {
            let (oa, ob) = (&resting[a].0, &resting[b].0);
            let better = match side {
                Side::Buy => ob.price.cmp(&oa.price),
                Side::Sell => oa.price.cmp(&ob.price),
            };
            better.then(oa.seq.cmp(&ob.seq))
        });
        let mut remaining = flow.0 as f64;
        let mut k = 0;
        while k < eligible.len() && remaining > 0.0 {
            let level_price = self.resting[eligible[k]].0.price;
            let mut agents_before = 0.0;
            let mut taken_here = 0.0;
            while k < eligible.len() && self.resting[eligible[k]].0.price == level_price {
                let (order, queue) = &self.resting[eligible[k]];
                let before = ahead(queue) + agents_before;
                let due = (remaining - before).floor();
                let take = if due >= 1.0 {
                    Qty((due as i64).min(order.leaves.0))
                } else {
                    Qty::ZERO
                };
                agents_before += order.leaves.0 as f64;
                if take.is_positive() {
                    let order = &mut self.resting[eligible[k]].0;
                    order.leaves -= take;
                    taken_here += take.0 as f64;
                    let key = (order.id, order.owner, order.side);
                    let (px, leaves) = (order.price, order.leaves);
                    self.out
                        .fill(ts, key, px, take, leaves, Liquidity::Maker, counterparty);
                }
                k += 1;
            }
            remaining -= taken_here;
        }
        self.order_scratch = eligible;
        self.resting.retain(|(o, _)| o.leaves.is_positive());
    }
}
