//! Order-by-order (L3) book with price-time priority matching.
//!
//! [`L3Book`] both matches orders ([`L3Book::submit`]) and replays an order-by-order feed
//! without matching ([`L3Book::apply`]). The public events that matching emits are a valid
//! feed: applying them to another `L3Book` reproduces the book, order by order.

mod feed;
mod index;
mod store;
#[cfg(test)]
mod tests;

pub use feed::FeedMismatch;

use index::IdIndex;
use shortfall_core::{
    BookView, CancelReason, ExecReport, Fill, Liquidity, MarketEvent, NewOrder, OrderId,
    OrderRequest, OrderType, Price, PriceLevel, Qty, RejectReason, Side, TimeInForce, TraderId,
    TradingState, Ts,
};
use store::{Ladder, NIL, OrderNode, Slab};

/// A resting order as the book sees it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RestingOrder {
    /// The order's id.
    pub id: OrderId,
    /// Its owner ([`TraderId::MARKET`] for orders from a feed).
    pub owner: TraderId,
    /// Its side.
    pub side: Side,
    /// Its limit price.
    pub price: Price,
    /// Its remaining (open) quantity.
    pub qty: Qty,
    /// When it took its current place in the queue (arrival, or its last priority-losing
    /// modify).
    pub ts: Ts,
    /// True for a post-only order (a re-price that would cross is rejected).
    pub post_only: bool,
}

impl RestingOrder {
    fn from_node(node: &OrderNode) -> Self {
        Self {
            id: node.id,
            owner: node.owner,
            side: node.side,
            price: node.price,
            qty: node.qty,
            ts: node.ts,
            post_only: node.post_only,
        }
    }
}

/// What one [`L3Book::submit`] produces: private execution reports and public feed events.
///
/// `submit` appends to both vectors; the caller reads them and calls [`BookOutput::clear`]
/// before reusing the buffers, so a warm hot path does not allocate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BookOutput {
    /// Reports to the owners of the orders involved, in the order they happened.
    pub reports: Vec<ExecReport>,
    /// Public order-by-order events (`Add`, `Cancel`, `Delete`, `Execute`) in feed order.
    pub events: Vec<MarketEvent>,
}

impl BookOutput {
    /// Empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Empty buffers with room for `reports` reports and `events` events.
    pub fn with_capacity(reports: usize, events: usize) -> Self {
        Self {
            reports: Vec::with_capacity(reports),
            events: Vec::with_capacity(events),
        }
    }

    /// Empties both buffers, keeping their capacity.
    pub fn clear(&mut self) {
        self.reports.clear();
        self.events.clear();
    }
}

/// An order-by-order limit order book with price-time priority matching.
///
/// # Rules
/// - **Priority**: better price first, then earlier arrival (one FIFO queue per level).
///   Trades execute at the resting (maker) order's price.
/// - **Time in force**: `Gtc` rests what does not trade; `Ioc` and market orders trade what
///   they can and the remainder is `Expired`; `Fok` trades its whole quantity or is
///   `Rejected { FokNotFillable }` without touching the book; `PostOnly` is
///   `Rejected { PostOnlyWouldCross }` if it would trade on arrival. A market order that meets
///   an empty opposite side is `Rejected { NoLiquidity }`.
/// - **Self-trade prevention**, policy *cancel resting*: when an incoming order would trade
///   with a resting order of the same owner, the resting order is cancelled
///   (`Cancelled { reason: SelfTradePrevention }` to its owner, a public `Delete`) and matching
///   goes on with the next order. Orders of [`TraderId::MARKET`] (anonymous feed flow) never
///   self-trade. A `Fok` order counts only other owners' quantity as fillable, and a rejected
///   `Fok` cancels nothing.
/// - **Modify**: a pure size reduction at the same price keeps queue priority (public
///   `Cancel` of the difference); a price change or a size increase loses it (public `Delete`
///   then `Add` at the back), and a re-priced order that crosses trades like a new `Gtc` limit,
///   except that a resting post-only order that would cross is rejected and stays as it was.
///   A modify to the order's current price and size is `Rejected { NoChange }`.
/// - **Validation**, checked in this order: a new order's quantity (`InvalidQty`), limit price
///   (`InvalidPrice`), id (`DuplicateOrderId`); a cancel's or modify's id (`UnknownOrder`) and
///   owner (`NotOwner`), then a modify's quantity and price. Then the trading state:
///   `Halted` rejects new orders and modifies (`Halted`) but lets cancels through; `Quoting`
///   accepts only requests that would not trade and rejects the others with `Halted`.
///   Rejections change nothing and are reports, never panics.
/// - **Reports** go to both sides of every match (maker `Fill` with [`Liquidity::Maker`],
///   taker with [`Liquidity::Taker`]); an accepted new order or modify gets `Accepted` before
///   its fills.
/// - **Public events** follow L3 feed semantics: `Execute` (maker id, side and price) per maker
///   fill, `Add` when a remainder rests, `Cancel { qty }` for a partial reduction, `Delete`
///   when an order leaves without trading. Orders that never rest (the expired part of an
///   IOC, a market order) appear only through the `Execute`s of the orders they hit.
///
/// # Costs
/// Order ids map to slab slots through a hash map, so cancels and feed messages by id are
/// O(1) plus the level lookup: a scan of the 8 levels nearest the touch, then a binary
/// search. Creating or removing a level far from the touch moves the levels better than it
/// (a `Vec` shift). Memory is proportional to the live orders and levels; freed slots are
/// reused.
///
/// # Example
/// ```
/// use shortfall_core::{BookView, ExecReport, NewOrder, OrderId, OrderRequest, Price, Qty, Side,
///     TimeInForce, TraderId, Ts};
/// use shortfall_lob_sim::book::{BookOutput, L3Book};
///
/// let mut book = L3Book::new();
/// let mut out = BookOutput::new();
/// let (alice, bob) = (TraderId(1), TraderId(2));
/// let sell = NewOrder::limit(OrderId(1), alice, Side::Sell, Price(101), Qty(5), TimeInForce::Gtc);
/// book.submit(Ts(1), &OrderRequest::New(sell), &mut out);
/// assert_eq!(book.best_ask().map(|l| (l.price, l.qty)), Some((Price(101), Qty(5))));
///
/// out.clear();
/// let buy = NewOrder::limit(OrderId(2), bob, Side::Buy, Price(102), Qty(3), TimeInForce::Ioc);
/// book.submit(Ts(2), &OrderRequest::New(buy), &mut out);
/// let fills: Vec<_> = out.reports.iter().filter_map(|r| match r {
///     ExecReport::Fill(f) => Some((f.id, f.price, f.qty)),
///     _ => None,
/// }).collect();
/// assert_eq!(fills, [(OrderId(1), Price(101), Qty(3)), (OrderId(2), Price(101), Qty(3))]);
///
/// // The public events rebuild the book elsewhere.
/// let mut mirror = L3Book::new();
/// mirror.apply(&shortfall_core::MarketEvent::Add {
///     ts: Ts(1), order_id: OrderId(1), side: Side::Sell, price: Price(101), qty: Qty(5),
/// })?;
/// for event in &out.events {
///     mirror.apply(event)?;
/// }
/// assert_eq!(mirror.best_ask(), book.best_ask());
/// # Ok::<(), shortfall_lob_sim::book::FeedMismatch>(())
/// ```
#[derive(Debug)]
pub struct L3Book {
    slab: Slab,
    ids: IdIndex,
    /// Indexed by `Side as usize`: bids, then asks.
    ladders: [Ladder; 2],
    state: TradingState,
}

impl Default for L3Book {
    fn default() -> Self {
        Self::new()
    }
}

/// `clone_from` reuses the destination's buffers, so restoring a saved book (an episode
/// reset, a benchmark's start state) costs a copy and no allocation once the destination
/// has held a book as large.
impl Clone for L3Book {
    fn clone(&self) -> Self {
        Self {
            slab: self.slab.clone(),
            ids: self.ids.clone(),
            ladders: self.ladders.clone(),
            state: self.state,
        }
    }

    fn clone_from(&mut self, source: &Self) {
        self.slab.clone_from(&source.slab);
        self.ids.clone_from(&source.ids);
        for (mine, theirs) in self.ladders.iter_mut().zip(&source.ladders) {
            mine.clone_from(theirs);
        }
        self.state = source.state;
    }
}

/// An incoming order while it matches.
struct Taker {
    id: OrderId,
    owner: TraderId,
    side: Side,
    remaining: Qty,
}

impl L3Book {
    /// An empty book in [`TradingState::Trading`].
    pub fn new() -> Self {
        Self::with_capacity(0, 0)
    }

    /// An empty book with room for `orders` live orders and `levels` levels per side.
    pub fn with_capacity(orders: usize, levels: usize) -> Self {
        let ids = IdIndex::with_capacity(orders);
        Self {
            slab: Slab::with_capacity(orders),
            ids,
            ladders: [
                Ladder::new(Side::Buy, levels),
                Ladder::new(Side::Sell, levels),
            ],
            state: TradingState::Trading,
        }
    }

    /// Number of live (resting) orders.
    #[inline]
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Bytes the book has allocated: order slots, the id index and the price ladders, at
    /// their capacity. It follows the peak number of live orders and levels (freed slots
    /// are reused), not the number of messages seen or the price range.
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        let slots = self.slab.nodes.capacity() * size_of::<OrderNode>();
        let index = self.ids.memory_bytes();
        let ladders: usize = self
            .ladders
            .iter()
            .map(|l| l.levels.capacity() * size_of::<store::Level>())
            .sum();
        size_of::<Self>() + slots + index + ladders
    }

    /// True when no order rests.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The current trading state (set by `Status` events through [`L3Book::apply`] or by
    /// [`L3Book::set_trading_state`]).
    #[inline]
    pub fn trading_state(&self) -> TradingState {
        self.state
    }

    /// Sets the trading state.
    pub fn set_trading_state(&mut self, state: TradingState) {
        self.state = state;
    }

    /// The live order `id`, if it rests in the book.
    #[inline]
    pub fn order(&self, id: OrderId) -> Option<RestingOrder> {
        let slot = self.ids.get(id.0)?;
        Some(RestingOrder::from_node(&self.slab.nodes[slot as usize]))
    }

    /// The quantity resting ahead of order `id` at its price level (orders that arrived
    /// earlier and trade first), or `None` when `id` is not live.
    ///
    /// Cost: O(k) for k orders ahead of it (a walk to the head of its queue).
    pub fn queue_ahead(&self, id: OrderId) -> Option<Qty> {
        let nodes = &self.slab.nodes;
        let mut slot = nodes[self.ids.get(id.0)? as usize].prev;
        let mut ahead = Qty::ZERO;
        while slot != NIL {
            let node = &nodes[slot as usize];
            ahead += node.qty;
            slot = node.prev;
        }
        Some(ahead)
    }

    /// The orders at `price` on `side` in time priority (first to trade first); empty when
    /// there is no such level.
    pub fn queue(&self, side: Side, price: Price) -> Queue<'_> {
        let ladder = &self.ladders[side as usize];
        let next = match ladder.find(ladder.key(price)) {
            Ok(index) => ladder.levels[index].head,
            Err(_) => NIL,
        };
        Queue {
            nodes: &self.slab.nodes,
            next,
        }
    }

    /// Processes one request at time `ts`, appending reports and public events to `out`.
    ///
    /// Every request gets at least one report: `Rejected` (nothing changed), `Cancelled` for
    /// a cancel, or `Accepted` followed by what happened (fills, STP cancels, `Expired`).
    pub fn submit(&mut self, ts: Ts, request: &OrderRequest, out: &mut BookOutput) {
        match *request {
            OrderRequest::New(ref order) => self.submit_new(ts, order, out),
            OrderRequest::Cancel { id, owner } => self.cancel(ts, id, owner, out),
            OrderRequest::Modify {
                id,
                owner,
                price,
                qty,
            } => self.modify(ts, id, owner, price, qty, out),
        }
    }

    fn submit_new(&mut self, ts: Ts, order: &NewOrder, out: &mut BookOutput) {
        let reject = |out: &mut BookOutput, reason| {
            out.reports.push(ExecReport::Rejected {
                ts,
                id: order.id,
                owner: order.owner,
                reason,
            });
        };
        if !order.qty.is_positive() {
            return reject(out, RejectReason::InvalidQty);
        }
        let (limit, tif) = match order.order_type {
            OrderType::Limit { price, tif } => {
                if !price.is_positive() {
                    return reject(out, RejectReason::InvalidPrice);
                }
                (Some(price), tif)
            }
            OrderType::Market => (None, TimeInForce::Ioc),
        };
        let limit_key = self.opposite_key(order.side, limit);
        let crosses = self.crosses(order.side, limit_key);
        // One hash lookup on the common path: the vacant entry takes the new order's slot.
        let vacant = match self.ids.find_or_vacant(order.id.0) {
            Ok(_) => return reject(out, RejectReason::DuplicateOrderId),
            Err(bucket) => bucket,
        };
        if self.state == TradingState::Halted {
            return reject(out, RejectReason::Halted);
        }
        if !crosses {
            return match (limit, tif) {
                (None, _) => reject(out, RejectReason::NoLiquidity),
                (Some(_), TimeInForce::Fok) => reject(out, RejectReason::FokNotFillable),
                (Some(_), TimeInForce::Ioc) => {
                    push_accepted(out, ts, order.id, order.owner);
                    out.reports.push(ExecReport::Expired {
                        ts,
                        id: order.id,
                        owner: order.owner,
                        qty: order.qty,
                    });
                }
                (Some(price), TimeInForce::Gtc | TimeInForce::PostOnly) => {
                    push_accepted(out, ts, order.id, order.owner);
                    let node = Self::node(ts, order, price, tif == TimeInForce::PostOnly);
                    let slot = self.slab.alloc(node);
                    self.ids.insert_at(vacant, order.id.0, slot);
                    self.ladders[node.side as usize].insert(&mut self.slab.nodes, slot);
                    out.events.push(add_event(&node));
                }
            };
        }
        if self.state == TradingState::Quoting {
            return reject(out, RejectReason::Halted);
        }
        match tif {
            TimeInForce::PostOnly => return reject(out, RejectReason::PostOnlyWouldCross),
            TimeInForce::Fok
                if self.lacks_liquidity_for(order.side, limit_key, order.owner, order.qty) =>
            {
                return reject(out, RejectReason::FokNotFillable);
            }
            _ => {}
        }
        push_accepted(out, ts, order.id, order.owner);
        let mut taker = Taker {
            id: order.id,
            owner: order.owner,
            side: order.side,
            remaining: order.qty,
        };
        self.match_against_book(ts, &mut taker, limit_key, out);
        if !taker.remaining.is_positive() {
            return;
        }
        match (limit, tif) {
            (Some(price), TimeInForce::Gtc) => {
                let mut node = Self::node(ts, order, price, false);
                node.qty = taker.remaining;
                self.rest(node, out);
            }
            _ => out.reports.push(ExecReport::Expired {
                ts,
                id: order.id,
                owner: order.owner,
                qty: taker.remaining,
            }),
        }
    }

    fn node(ts: Ts, order: &NewOrder, price: Price, post_only: bool) -> OrderNode {
        OrderNode {
            id: order.id,
            qty: order.qty,
            price,
            ts,
            owner: order.owner,
            prev: NIL,
            next: NIL,
            side: order.side,
            post_only,
        }
    }

    /// The opposite ladder's key for an incoming order's limit (`i64::MIN`, crossing every
    /// level, for a market order). The incoming order crosses a level iff this is ≤ its key.
    #[inline]
    fn opposite_key(&self, side: Side, limit: Option<Price>) -> i64 {
        match limit {
            Some(price) => self.ladders[side.opposite() as usize].key(price),
            None => i64::MIN,
        }
    }

    /// True when an incoming order on `side` with `limit_key` would meet the opposite touch.
    #[inline]
    fn crosses(&self, side: Side, limit_key: i64) -> bool {
        self.ladders[side.opposite() as usize]
            .levels
            .last()
            .is_some_and(|touch| limit_key <= touch.key)
    }

    /// True when the opposite side within the limit holds less than `want` that `owner` may
    /// trade with (its own orders would be cancelled by STP, not traded).
    fn lacks_liquidity_for(&self, side: Side, limit_key: i64, owner: TraderId, want: Qty) -> bool {
        let nodes = &self.slab.nodes;
        let mut found = Qty::ZERO;
        for level in self.ladders[side.opposite() as usize].levels.iter().rev() {
            if limit_key > level.key {
                break;
            }
            if owner == TraderId::MARKET {
                found += level.qty;
            } else {
                let mut slot = level.head;
                while slot != NIL && found < want {
                    let node = &nodes[slot as usize];
                    if node.owner != owner {
                        found += node.qty;
                    }
                    slot = node.next;
                }
            }
            if found >= want {
                return false;
            }
        }
        true
    }

    /// Rests `node` at the back of its level, registers its id and publishes an `Add`.
    #[inline]
    fn rest(&mut self, node: OrderNode, out: &mut BookOutput) {
        let slot = self.slab.alloc(node);
        self.ids.insert(node.id.0, slot);
        self.ladders[node.side as usize].insert(&mut self.slab.nodes, slot);
        out.events.push(add_event(&node));
    }

    /// Trades `taker` against the opposite side, best level first and oldest order first,
    /// while it has quantity left and the touch is within `limit_key`.
    fn match_against_book(
        &mut self,
        ts: Ts,
        taker: &mut Taker,
        limit_key: i64,
        out: &mut BookOutput,
    ) {
        let ladder = &mut self.ladders[taker.side.opposite() as usize];
        // `key ^ mask` is a level's price (see `store::Ladder`); the key of price 0 is the mask.
        let mask = ladder.key(Price::ZERO);
        let Slab { nodes, free } = &mut self.slab;
        while taker.remaining.is_positive() {
            let Some(level) = ladder.levels.last_mut() else {
                break;
            };
            if limit_key > level.key {
                break;
            }
            let price = Price(level.key ^ mask);
            let slot = level.head;
            let maker = &mut nodes[slot as usize];
            let traded = if maker.owner == taker.owner && taker.owner != TraderId::MARKET {
                out.reports.push(ExecReport::Cancelled {
                    ts,
                    id: maker.id,
                    owner: maker.owner,
                    qty: maker.qty,
                    reason: CancelReason::SelfTradePrevention,
                });
                out.events.push(MarketEvent::Delete {
                    ts,
                    order_id: maker.id,
                });
                maker.qty
            } else {
                let qty = maker.qty.min(taker.remaining);
                taker.remaining -= qty;
                let fill = Fill {
                    ts,
                    id: maker.id,
                    owner: maker.owner,
                    side: maker.side,
                    price,
                    qty,
                    leaves_qty: maker.qty - qty,
                    liquidity: Liquidity::Maker,
                    counterparty: taker.id,
                };
                out.reports.push(ExecReport::Fill(fill));
                out.reports.push(ExecReport::Fill(Fill {
                    id: taker.id,
                    owner: taker.owner,
                    side: taker.side,
                    leaves_qty: taker.remaining,
                    liquidity: Liquidity::Taker,
                    counterparty: maker.id,
                    ..fill
                }));
                out.events.push(MarketEvent::Execute {
                    ts,
                    order_id: maker.id,
                    side: maker.side,
                    price,
                    qty,
                });
                qty
            };
            maker.qty -= traded;
            level.qty -= traded;
            if maker.qty.is_positive() {
                continue;
            }
            // The head order is done: pop it, and the level with it when it empties.
            let (id, next) = (maker.id, maker.next);
            level.head = next;
            if next == NIL {
                level.tail = NIL;
                ladder.levels.pop();
            } else {
                nodes[next as usize].prev = NIL;
            }
            self.ids.remove(id.0);
            // `Slab::release`, written out because the slab's fields are borrowed apart.
            nodes[slot as usize].next = *free;
            *free = slot;
        }
    }

    fn cancel(&mut self, ts: Ts, id: OrderId, owner: TraderId, out: &mut BookOutput) {
        let Some((bucket, slot)) = self.owned_bucket(ts, id, owner, out) else {
            return;
        };
        self.ids.remove_at(bucket);
        let node = self.unlink_and_free(slot);
        out.reports.push(ExecReport::Cancelled {
            ts,
            id,
            owner,
            qty: node.qty,
            reason: CancelReason::Requested,
        });
        out.events.push(MarketEvent::Delete { ts, order_id: id });
    }

    /// The id-index bucket and slab slot of live order `id` if `owner` owns it; otherwise
    /// reports the rejection (`UnknownOrder` or `NotOwner`).
    #[inline(always)]
    fn owned_bucket(
        &self,
        ts: Ts,
        id: OrderId,
        owner: TraderId,
        out: &mut BookOutput,
    ) -> Option<(usize, u32)> {
        let reason = match self.ids.find(id.0) {
            Some(bucket) => {
                let slot = self.ids.slot_at(bucket);
                if self.slab.nodes[slot as usize].owner == owner {
                    return Some((bucket, slot));
                }
                RejectReason::NotOwner
            }
            None => RejectReason::UnknownOrder,
        };
        out.reports.push(ExecReport::Rejected {
            ts,
            id,
            owner,
            reason,
        });
        None
    }

    /// Unlinks the order in `slot`, forgets its id and frees the slot; returns the node.
    #[inline]
    fn remove(&mut self, slot: u32) -> OrderNode {
        let node = self.unlink_and_free(slot);
        self.ids.remove(node.id.0);
        node
    }

    /// Unlinks the order in `slot` from its level and frees the slot, leaving the id map to
    /// the caller; returns the node.
    #[inline(always)]
    fn unlink_and_free(&mut self, slot: u32) -> OrderNode {
        let node = self.slab.nodes[slot as usize];
        self.ladders[node.side as usize].unlink(&mut self.slab.nodes, slot);
        self.slab.release(slot);
        node
    }

    fn modify(
        &mut self,
        ts: Ts,
        id: OrderId,
        owner: TraderId,
        price: Price,
        qty: Qty,
        out: &mut BookOutput,
    ) {
        let Some((_, slot)) = self.owned_bucket(ts, id, owner, out) else {
            return;
        };
        let reject = |out: &mut BookOutput, reason| {
            out.reports.push(ExecReport::Rejected {
                ts,
                id,
                owner,
                reason,
            });
        };
        if !qty.is_positive() {
            return reject(out, RejectReason::InvalidQty);
        }
        if !price.is_positive() {
            return reject(out, RejectReason::InvalidPrice);
        }
        if self.state == TradingState::Halted {
            return reject(out, RejectReason::Halted);
        }
        let old = self.slab.nodes[slot as usize];
        if price == old.price {
            if qty == old.qty {
                return reject(out, RejectReason::NoChange);
            }
            if qty < old.qty {
                // Pure reduction: keeps its place in the queue.
                let cut = old.qty - qty;
                self.ladders[old.side as usize].reduce(&mut self.slab.nodes, slot, cut);
                push_accepted(out, ts, id, owner);
                out.events.push(MarketEvent::Cancel {
                    ts,
                    order_id: id,
                    qty: cut,
                });
                return;
            }
        }
        let limit_key = self.opposite_key(old.side, Some(price));
        let crosses = self.crosses(old.side, limit_key);
        if crosses && self.state == TradingState::Quoting {
            return reject(out, RejectReason::Halted);
        }
        if crosses && old.post_only {
            return reject(out, RejectReason::PostOnlyWouldCross);
        }
        // Loses priority: leave the queue, then enter again as a new limit order.
        self.remove(slot);
        out.events.push(MarketEvent::Delete { ts, order_id: id });
        push_accepted(out, ts, id, owner);
        let mut taker = Taker {
            id,
            owner,
            side: old.side,
            remaining: qty,
        };
        if crosses {
            self.match_against_book(ts, &mut taker, limit_key, out);
        }
        if taker.remaining.is_positive() {
            let node = OrderNode {
                qty: taker.remaining,
                price,
                ts,
                ..old
            };
            self.rest(node, out);
        }
    }
}

#[inline]
fn push_accepted(out: &mut BookOutput, ts: Ts, id: OrderId, owner: TraderId) {
    out.reports.push(ExecReport::Accepted { ts, id, owner });
}

/// The public `Add` of a resting order.
#[inline]
fn add_event(node: &OrderNode) -> MarketEvent {
    MarketEvent::Add {
        ts: node.ts,
        order_id: node.id,
        side: node.side,
        price: node.price,
        qty: node.qty,
    }
}

/// The orders of one price level in time priority; see [`L3Book::queue`].
#[derive(Clone, Debug)]
pub struct Queue<'a> {
    nodes: &'a [OrderNode],
    next: u32,
}

impl Iterator for Queue<'_> {
    type Item = RestingOrder;

    fn next(&mut self) -> Option<RestingOrder> {
        if self.next == NIL {
            return None;
        }
        let node = &self.nodes[self.next as usize];
        self.next = node.next;
        Some(RestingOrder::from_node(node))
    }
}

impl BookView for L3Book {
    #[inline]
    fn level(&self, side: Side, index: usize) -> Option<PriceLevel> {
        self.ladders[side as usize].view(index)
    }

    #[inline]
    fn level_count(&self, side: Side) -> usize {
        self.ladders[side as usize].levels.len()
    }

    fn top_levels(&self, side: Side, out: &mut [PriceLevel]) -> usize {
        let ladder = &self.ladders[side as usize];
        let mut written = 0;
        for (slot, level) in out.iter_mut().zip(ladder.levels.iter().rev()) {
            *slot = PriceLevel {
                price: ladder.price(level.key),
                qty: level.qty,
            };
            written += 1;
        }
        written
    }

    fn depth(&self, side: Side, levels: usize) -> Qty {
        let mut total = Qty::ZERO;
        for level in self.ladders[side as usize].levels.iter().rev().take(levels) {
            total += level.qty;
        }
        total
    }
}
