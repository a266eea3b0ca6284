//! Background order flow: the anonymous rest of the market, behind one [`OrderFlow`] trait.
//!
//! - [`ZeroIntelligence`]: Poisson limit, market and cancel orders (Smith, Farmer, Gillemot,
//!   Krishnamurthy 2003).
//! - [`QueueReactive`]: intensities that depend on the size of each of the first K queues
//!   (Huang, Lehalle, Rosenbaum 2015).
//! - [`HawkesFlow`]: arrivals timed by a multivariate exponential Hawkes process.
//! - [`AgentFlow`]: ABIDES-style value, momentum and noise traders around market makers
//!   whose quotes learn from order flow.

mod agents;
mod hawkes;
mod qr;
mod zi;

pub use agents::{AGENT_TRADER_BASE, AgentFlow, AgentParams};
pub use hawkes::{HAWKES_EVENT_TYPES, HawkesFlow, HawkesFlowParams};
pub use qr::{QueueReactive, QueueReactiveParams};
pub use zi::{ZeroIntelligence, ZiParams};

use super::SimRng;
use super::size::SizeDist;
use crate::book::{BookOutput, L3Book};
use shortfall_core::{NewOrder, OrderId, OrderRequest, Price, Side, TimeInForce, TraderId, Ts};

/// The bit that marks an order id as background flow's (set by [`FlowCtx::next_order_id`]).
/// Strategies may not use ids with this bit set; the market refuses them.
pub const BACKGROUND_ID_BIT: u64 = 1 << 63;

/// What a flow may read and use while it acts: the time, the exchange's book, the market's
/// random stream, and the id allocator for new orders.
#[derive(Debug)]
pub struct FlowCtx<'a> {
    /// The current simulated time.
    pub now: Ts,
    /// The exchange's book as it is now.
    pub book: &'a L3Book,
    /// The flow's random stream (seeded from the market's seed).
    pub rng: &'a mut SimRng,
    pub(crate) next_id: &'a mut u64,
}

impl FlowCtx<'_> {
    /// A fresh order id with [`BACKGROUND_ID_BIT`] set, unique within the market.
    #[inline]
    pub fn next_order_id(&mut self) -> OrderId {
        *self.next_id += 1;
        OrderId(BACKGROUND_ID_BIT | *self.next_id)
    }
}

/// A background order-flow model.
///
/// # Design
/// Background flow is the bulk of a simulated market's events, so the kernel treats it
/// specially: it is generic (monomorphised into the event loop), it never sits in the event
/// queue (the kernel compares [`OrderFlow::next_time`] with the queue's head), and, when it
/// is co-located (zero latency), its requests reach the book directly. A flow sees every
/// exchange output ([`OrderFlow::on_output`]), whoever caused it, so it can keep track of its
/// own resting orders, and it is asked to [`OrderFlow::schedule`] its next action after
/// every change to the book: a Markov flow (zero-intelligence, queue-reactive) redraws its
/// next event time from the new intensities, which is exact because exponential waiting
/// times are memoryless; a self-exciting flow keeps its own clock.
pub trait OrderFlow {
    /// The absolute time of the flow's next action ([`Ts::MAX`] when none is due).
    fn next_time(&self) -> Ts;

    /// Performs the action due at `ctx.now` (= [`OrderFlow::next_time`]) by pushing requests
    /// into `out`; they reach the exchange in order, now (co-located) or after the flow's
    /// latency.
    fn fire(&mut self, ctx: &mut FlowCtx<'_>, out: &mut Vec<OrderRequest>);

    /// Sees what one exchange request produced (reports to every owner and the public
    /// events), whoever sent the request.
    fn on_output(&mut self, now: Ts, output: &BookOutput);

    /// Draws the time of the next action from the current state. Called once at the start,
    /// after each [`OrderFlow::fire`] once its requests were submitted or sent, and after
    /// every book change that someone else caused.
    fn schedule(&mut self, ctx: &mut FlowCtx<'_>);

    /// True when orders of `trader` belong to this flow (the kernel refuses strategies
    /// with these ids). [`TraderId::MARKET`] always belongs to background flow.
    fn owns(&self, trader: TraderId) -> bool {
        trader == TraderId::MARKET
    }

    /// A short name for reports (`"zi"`, `"qr"`, `"hawkes"`, `"abides"`).
    fn name(&self) -> &'static str;
}

impl<F: OrderFlow + ?Sized> OrderFlow for Box<F> {
    #[inline]
    fn next_time(&self) -> Ts {
        (**self).next_time()
    }
    #[inline]
    fn fire(&mut self, ctx: &mut FlowCtx<'_>, out: &mut Vec<OrderRequest>) {
        (**self).fire(ctx, out);
    }
    #[inline]
    fn on_output(&mut self, now: Ts, output: &BookOutput) {
        (**self).on_output(now, output);
    }
    #[inline]
    fn schedule(&mut self, ctx: &mut FlowCtx<'_>) {
        (**self).schedule(ctx);
    }
    fn owns(&self, trader: TraderId) -> bool {
        (**self).owns(trader)
    }
    fn name(&self) -> &'static str {
        (**self).name()
    }
}

/// `now` plus an exponential waiting time of total intensity `rate` per second, drawn from
/// one standard exponential `e` (`Ts::MAX` for a zero rate).
#[inline]
pub(crate) fn after_exponential(now: Ts, rate: f64, e: f64) -> Ts {
    if rate > 0.0 {
        let dt = (e / rate * 1e9).round();
        if dt < 9.0e18 {
            return Ts(now.0.saturating_add(dt as i64));
        }
    }
    Ts::MAX
}

/// The best price on `side`, or `fallback` when that side is empty.
#[inline]
pub(crate) fn best_or(book: &L3Book, side: Side, fallback: Price) -> Price {
    use shortfall_core::BookView;
    book.level(side, 0).map_or(fallback, |l| l.price)
}

/// The distance in ticks (1, 2, …) whose cumulative share first exceeds `u`: `cumulative`
/// holds the running sums of the per-distance rates (distance `i + 1` at index `i`).
#[inline]
pub(crate) fn distance_at(cumulative: &[f64], u: f64) -> i64 {
    cumulative
        .partition_point(|&c| c <= u)
        .min(cumulative.len() - 1) as i64
        + 1
}

/// Pushes a background GTC limit order on `side`, `distance` ticks from the opposite best
/// quote (the last one seen, `last_best`, when that side is empty; buys never below one
/// tick), its size drawn from `size`.
#[inline]
pub(crate) fn push_limit_from_opposite(
    ctx: &mut FlowCtx<'_>,
    last_best: &mut [Price; 2],
    side: Side,
    distance: i64,
    size: &SizeDist,
    out: &mut Vec<OrderRequest>,
) {
    let opposite = side.opposite();
    let best = best_or(ctx.book, opposite, last_best[opposite as usize]);
    last_best[opposite as usize] = best;
    let price = match side {
        Side::Buy => Price((best.0 - distance).max(1)),
        Side::Sell => Price(best.0 + distance),
    };
    let qty = size.sample(ctx.rng);
    let id = ctx.next_order_id();
    out.push(OrderRequest::New(NewOrder::limit(
        id,
        TraderId::MARKET,
        side,
        price,
        qty,
        TimeInForce::Gtc,
    )));
}

/// Pushes a background market order on `side`, its size drawn from `size`.
#[inline]
pub(crate) fn push_market(
    ctx: &mut FlowCtx<'_>,
    side: Side,
    size: &SizeDist,
    out: &mut Vec<OrderRequest>,
) {
    let qty = size.sample(ctx.rng);
    let id = ctx.next_order_id();
    out.push(OrderRequest::New(NewOrder::market(
        id,
        TraderId::MARKET,
        side,
        qty,
    )));
}

/// Live background order ids with O(1) insert, remove by id and uniform choice: a dense
/// vector plus a position map (a removal swaps the last id into the hole).
#[derive(Clone, Debug, Default)]
pub(crate) struct LiveOrders {
    ids: Vec<OrderId>,
    position: crate::hash::IntMap<u64, u32>,
}

impl LiveOrders {
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    pub(crate) fn insert(&mut self, id: OrderId) {
        self.position.insert(id.0, self.ids.len() as u32);
        self.ids.push(id);
    }

    /// Removes `id` if present; returns whether it was.
    pub(crate) fn remove(&mut self, id: OrderId) -> bool {
        let Some(index) = self.position.remove(&id.0) else {
            return false;
        };
        let index = index as usize;
        self.ids.swap_remove(index);
        if let Some(moved) = self.ids.get(index) {
            self.position.insert(moved.0, index as u32);
        }
        true
    }

    pub(crate) fn get(&self, index: usize) -> OrderId {
        self.ids[index]
    }

    #[cfg(test)]
    pub(crate) fn contains(&self, id: OrderId) -> bool {
        self.position.contains_key(&id.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_orders_stay_dense_and_consistent_under_removal() {
        let mut live = LiveOrders::default();
        for i in 0..10 {
            live.insert(OrderId(i));
        }
        assert!(live.remove(OrderId(3)));
        assert!(!live.remove(OrderId(3)));
        assert!(live.remove(OrderId(9)));
        assert!(live.remove(OrderId(0)));
        assert_eq!(live.len(), 7);
        let mut seen: Vec<u64> = (0..live.len()).map(|i| live.get(i).0).collect();
        seen.sort_unstable();
        assert_eq!(seen, [1, 2, 4, 5, 6, 7, 8]);
        for &id in &seen {
            assert!(live.contains(OrderId(id)));
        }
    }

    #[test]
    fn exponential_waiting_times_round_to_nanoseconds() {
        assert_eq!(after_exponential(Ts(10), 2.0, 1.0), Ts(10 + 500_000_000));
        assert_eq!(after_exponential(Ts(10), 0.0, 1.0), Ts::MAX);
    }
}
