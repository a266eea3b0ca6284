//! Binance (price-level) mode: queue positions estimated by a [`QueueModel`].

use super::engine::{Engine, Venue};
use super::orders::{AgentOrderState, AgentReplayConfig, AgentStats, crosses};
use super::queue::QueueModel;
use crate::book::L2Book;
use crate::book::l2::L2Error;
use crate::data::binance::{BinanceRecord, DepthSync, SyncOptions, Trade};
use crate::hash::IntMap;
use shortfall_core::{
    BookView, ExecReport, OrderId, OrderRequest, OrderSink, Price, Qty, Side, TradingState, Ts,
};

/// A resting agent order's estimated place in an L2 queue.
#[derive(Copy, Clone, Debug)]
pub(super) struct L2Queue {
    /// Expected quantity ahead (fractional: an expectation under the queue model).
    front: f64,
    /// The level's quantity when last seen.
    level: Qty,
    /// Trades at the price since the level last changed: the part of the next decrease
    /// they explain is not a cancellation.
    traded: Qty,
}

/// The historical L2 book with the agent's consumption.
struct L2Venue<'a> {
    book: &'a L2Book,
    ready: bool,
    consumed: &'a mut IntMap<(Side, Price), Qty>,
}

#[inline]
fn available(consumed: &IntMap<(Side, Price), Qty>, side: Side, price: Price, qty: Qty) -> Qty {
    match consumed.get(&(side, price)) {
        Some(&c) => qty.saturating_sub(c),
        None => qty,
    }
}

impl Venue for L2Venue<'_> {
    type Queue = L2Queue;

    fn ready(&self) -> bool {
        self.ready
    }

    fn state(&self) -> TradingState {
        TradingState::Trading
    }

    fn best_takeable(&self, taker: Side) -> Option<Price> {
        let side = taker.opposite();
        let mut i = 0;
        while let Some(l) = self.book.level(side, i) {
            if available(self.consumed, side, l.price, l.qty).is_positive() {
                return Some(l.price);
            }
            i += 1;
        }
        None
    }

    fn takeable(&self, taker: Side, limit: Option<Price>, cap: Qty) -> Qty {
        let side = taker.opposite();
        let mut total = Qty::ZERO;
        let mut i = 0;
        while let Some(l) = self.book.level(side, i) {
            if !crosses(taker, limit, l.price) || total >= cap {
                break;
            }
            total += available(self.consumed, side, l.price, l.qty);
            i += 1;
        }
        total
    }

    fn take(
        &mut self,
        taker: Side,
        limit: Option<Price>,
        qty: Qty,
        out: &mut Vec<(Price, Qty, OrderId)>,
    ) {
        let side = taker.opposite();
        let mut left = qty;
        let mut i = 0;
        while let Some(l) = self.book.level(side, i) {
            if !crosses(taker, limit, l.price) || !left.is_positive() {
                break;
            }
            let avail = available(self.consumed, side, l.price, l.qty);
            if avail.is_positive() {
                let take = avail.min(left);
                // Level data has no order ids: the counterparty is the anonymous level.
                out.push((l.price, take, OrderId(0)));
                *self.consumed.entry((side, l.price)).or_insert(Qty::ZERO) += take;
                left -= take;
            }
            i += 1;
        }
    }

    fn join(&self, side: Side, price: Price) -> L2Queue {
        let level = self.book.qty_at(side, price);
        L2Queue {
            front: available(self.consumed, side, price, level).0 as f64,
            level,
            traded: Qty::ZERO,
        }
    }
}

/// A Binance capture replay with an agent's orders overlaid, queue positions estimated
/// by the queue model `M`.
///
/// See the [module documentation](super) for the rules. Feed it the capture's records
/// with [`BinanceAgentReplay::on_record`]; the agent's requests go through its
/// [`OrderSink`] implementation.
///
/// ```
/// use shortfall_core::{ExecReport, NewOrder, OrderId, OrderRequest, OrderSink, Price, Qty, Side};
/// use shortfall_core::{TimeInForce, TraderId, Ts};
/// use shortfall_lob_sim::data::binance::{BinanceRecord, DepthSnapshot, Trade};
/// use shortfall_lob_sim::replay::agent::{AgentReplayConfig, BinanceAgentReplay, RiskAverse};
/// use shortfall_core::PriceLevel;
///
/// let mut replay = BinanceAgentReplay::new(RiskAverse, AgentReplayConfig::default())?;
/// let level = |p, q| PriceLevel { price: Price(p), qty: Qty(q) };
/// replay.on_record(BinanceRecord::Snapshot(DepthSnapshot {
///     recv_ns: Ts(1), last_update_id: 1, event_time: None, transaction_time: None,
///     bids: vec![level(100, 5)], asks: vec![level(101, 5)],
/// }))?;
/// // Join the bid behind its 5 lots.
/// let bid = NewOrder::limit(OrderId(1), TraderId(1), Side::Buy, Price(100), Qty(2), TimeInForce::Gtc);
/// replay.submit(Ts(1), OrderRequest::New(bid)).unwrap();
/// // A sell of 6 at 100: 5 go to the queue ahead, 1 to us.
/// replay.on_record(BinanceRecord::Trade(Trade {
///     recv_ns: Ts(2), event_time: Ts(2), trade_time: Ts(2), trade_id: 1,
///     price: Price(100), qty: Qty(6), buyer_is_maker: true,
/// }))?;
/// let fills: Vec<_> = replay.drain_reports().filter_map(|r| match r {
///     ExecReport::Fill(f) => Some(f.qty),
///     _ => None,
/// }).collect();
/// assert_eq!(fills, [Qty(1)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct BinanceAgentReplay<M> {
    sync: DepthSync,
    model: M,
    engine: Engine<L2Queue>,
    /// Historical liquidity the agent took, by level: at most the level's quantity,
    /// cleared when the level empties.
    consumed: IntMap<(Side, Price), Qty>,
    clock: Ts,
}

impl<M: QueueModel> BinanceAgentReplay<M> {
    /// A replay waiting for its first snapshot, with queue model `model`.
    ///
    /// # Errors
    /// As [`AgentReplayConfig::validate`].
    pub fn new(model: M, config: AgentReplayConfig) -> crate::Result<Self> {
        config.validate()?;
        Ok(Self {
            sync: DepthSync::new(SyncOptions::default()),
            model,
            engine: Engine::new(Ts(config.entry_latency_ns)),
            consumed: IntMap::default(),
            clock: Ts::MIN,
        })
    }

    /// The depth synchronisation underneath (and through it the historical book, never
    /// changed by the agent).
    pub fn sync(&self) -> &DepthSync {
        &self.sync
    }

    /// The historical book (without the agent's orders).
    pub fn book(&self) -> &L2Book {
        self.sync.book()
    }

    /// The queue model.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The receive time of the last record processed (`Ts::MIN` before the first).
    pub fn clock(&self) -> Ts {
        self.clock
    }

    /// The agent's counters.
    pub fn stats(&self) -> AgentStats {
        self.engine.out.stats
    }

    /// Requests still waiting out their entry latency.
    pub fn pending(&self) -> usize {
        self.engine.inbox.len()
    }

    /// The agent's reports since the last call, oldest first.
    pub fn drain_reports(&mut self) -> std::vec::Drain<'_, ExecReport> {
        self.engine.out.reports.drain(..)
    }

    /// The agent's resting orders, in the order they came to rest.
    pub fn orders(&self) -> impl Iterator<Item = AgentOrderState> + '_ {
        self.engine.resting.iter().map(|(o, q)| AgentOrderState {
            id: o.id,
            owner: o.owner,
            side: o.side,
            price: o.price,
            leaves: o.leaves,
            entered: o.entered,
            queue_ahead: q.front,
        })
    }

    /// The expected historical quantity ahead of the agent's resting order `id`.
    pub fn queue_ahead(&self, id: OrderId) -> Option<f64> {
        let i = self.engine.find(id)?;
        Some(self.engine.resting[i].1.front)
    }

    /// Historical liquidity the agent has taken that is still counted against the book.
    pub fn consumed_qty(&self) -> Qty {
        self.consumed.values().fold(Qty::ZERO, |a, &c| a + c)
    }

    /// Processes one record of the capture. Agent requests that arrive before its receive
    /// time reach the book first. A trade's aggressive flow reaches the agent's orders
    /// (ahead quantity first); a depth change at an agent's price is split into what
    /// trades explain and a cancellation placed by the queue model.
    ///
    /// # Errors
    /// [`L2Error::NegativeQty`] for a level with a negative quantity (the reader never
    /// produces one); nothing changes.
    pub fn on_record(&mut self, record: BinanceRecord) -> Result<(), L2Error> {
        let ts = record.recv_ns();
        self.flush(Some(ts));
        match record {
            BinanceRecord::Snapshot(s) => {
                self.sync.on_snapshot(&s)?;
                self.after_depth();
            }
            BinanceRecord::DepthUpdate(d) => {
                self.sync.on_depth(d)?;
                self.after_depth();
            }
            BinanceRecord::Trade(t) => self.on_trade(&t),
            BinanceRecord::BookTicker(_) => {}
        }
        self.engine.out.stats.events += 1;
        self.clock = ts;
        Ok(())
    }

    /// Lets every request still waiting reach the book (call at the end of the data).
    pub fn finish(&mut self) {
        self.flush(None);
    }

    fn flush(&mut self, before: Option<Ts>) {
        while let Some(p) = self.engine.inbox.pop_before(before) {
            let mut venue = L2Venue {
                book: self.sync.book(),
                ready: self.sync.is_synced(),
                consumed: &mut self.consumed,
            };
            self.engine.handle(p.arrival, p.request, &mut venue);
        }
    }

    fn on_trade(&mut self, trade: &Trade) {
        if self.engine.resting.is_empty() {
            return;
        }
        let maker = trade.aggressor().opposite();
        self.engine.share_flow(
            trade.recv_ns,
            maker,
            trade.price,
            trade.qty,
            OrderId(trade.trade_id),
            |q| q.front,
        );
        for (o, q) in &mut self.engine.resting {
            if o.side == maker && o.price == trade.price {
                q.traded += trade.qty;
                q.front = (q.front - trade.qty.0 as f64).max(0.0);
            }
        }
    }

    /// After a snapshot or diff: each agent order whose level changed moves in its queue.
    fn after_depth(&mut self) {
        if !self.sync.is_synced() {
            // Cleared after a gap: positions wait for the next snapshot.
            return;
        }
        let book = self.sync.book();
        for (o, q) in &mut self.engine.resting {
            let now = book.qty_at(o.side, o.price);
            if now == q.level {
                continue;
            }
            q.front = next_front(&self.model, q.front, q.level, now, q.traded);
            q.level = now;
            q.traded = Qty::ZERO;
        }
        if !self.consumed.is_empty() {
            self.consumed.retain(|&(side, price), c| {
                *c = (*c).min(book.qty_at(side, price));
                c.is_positive()
            });
        }
    }
}

/// The expected quantity ahead after a level moves from `before` to `after` lots, `traded`
/// of which trades at the price already took (and already took off `front`).
///
/// A decrease beyond `traded` is a cancellation of `c` lots. With `behind = before −
/// traded − front` (the level as it stood after the trades, less the part ahead), the
/// model puts a fraction `p` of `c` ahead and `1 − p` behind; what would take more than
/// `behind` from behind comes from ahead instead. An increase is new orders, which join
/// behind. The result is clamped to `[0, after]`.
pub(super) fn next_front<M: QueueModel>(
    model: &M,
    front: f64,
    before: Qty,
    after: Qty,
    traded: Qty,
) -> f64 {
    let mut front = front;
    let cancelled = (before.0 - after.0 - traded.0) as f64;
    if cancelled > 0.0 {
        let behind = ((before.0 - traded.0) as f64 - front).max(0.0);
        let p = model.fraction_ahead(front, behind).clamp(0.0, 1.0);
        let from_behind = (1.0 - p) * cancelled;
        let overflow = (from_behind - behind).max(0.0);
        front -= p * cancelled + overflow;
    }
    front.clamp(0.0, after.0 as f64)
}

impl<M: QueueModel> OrderSink for BinanceAgentReplay<M> {
    type Refusal = std::convert::Infallible;

    /// Queues the request; it reaches the book `entry_latency_ns` after `now` (never
    /// before the last record processed). Outcomes arrive as reports.
    fn submit(&mut self, now: Ts, request: OrderRequest) -> Result<(), Self::Refusal> {
        self.engine.inbox.push(now, self.clock, request);
        Ok(())
    }
}
