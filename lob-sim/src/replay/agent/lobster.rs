//! LOBSTER (order-by-order) mode: exact queue positions against a replayed L3 book.

use super::engine::{Engine, Venue};
use super::orders::{AgentOrderState, AgentReplayConfig, AgentStats, crosses};
use crate::book::L3Book;
use crate::data::lobster::{LobsterBookRow, LobsterEventType, LobsterMessage};
use crate::hash::{IntMap, IntSet};
use crate::replay::LobsterReplay;
use shortfall_core::{
    BookView, ExecReport, OrderId, OrderRequest, OrderSink, Price, Qty, Side, TradingState, Ts,
};

/// A resting agent order's place in an L3 queue.
#[derive(Clone, Debug)]
pub(super) struct L3Queue {
    /// The historical orders that were at the price when the agent's order joined: they
    /// are ahead of it for as long as they stay.
    members: IntSet<OrderId>,
    /// Their remaining quantity, less what the agent has taken from them, plus any
    /// pre-existing quantity the replay learned at the price later (see the mode's docs).
    ahead: Qty,
}

/// The historical L3 book with the agent's consumption.
struct L3Venue<'a> {
    book: &'a L3Book,
    ready: bool,
    consumed: &'a mut IntMap<OrderId, Qty>,
}

#[inline]
fn available(consumed: &IntMap<OrderId, Qty>, id: OrderId, qty: Qty) -> Qty {
    match consumed.get(&id) {
        Some(&c) => qty - c,
        None => qty,
    }
}

fn effective_ahead(
    book: &L3Book,
    consumed: &IntMap<OrderId, Qty>,
    side: Side,
    price: Price,
    members: &IntSet<OrderId>,
) -> Qty {
    let mut ahead = Qty::ZERO;
    for o in book.queue(side, price) {
        if members.contains(&o.id) || LobsterReplay::is_pre_existing(o.id) {
            ahead += available(consumed, o.id, o.qty);
        }
    }
    ahead
}

impl Venue for L3Venue<'_> {
    type Queue = L3Queue;

    fn ready(&self) -> bool {
        self.ready
    }

    fn state(&self) -> TradingState {
        self.book.trading_state()
    }

    fn best_takeable(&self, taker: Side) -> Option<Price> {
        let side = taker.opposite();
        let mut i = 0;
        while let Some(level) = self.book.level(side, i) {
            if self.consumed.is_empty()
                || self
                    .book
                    .queue(side, level.price)
                    .any(|o| available(self.consumed, o.id, o.qty).is_positive())
            {
                return Some(level.price);
            }
            i += 1;
        }
        None
    }

    fn takeable(&self, taker: Side, limit: Option<Price>, cap: Qty) -> Qty {
        let side = taker.opposite();
        let mut total = Qty::ZERO;
        let mut i = 0;
        while let Some(level) = self.book.level(side, i) {
            if !crosses(taker, limit, level.price) || total >= cap {
                break;
            }
            for o in self.book.queue(side, level.price) {
                total += available(self.consumed, o.id, o.qty);
            }
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
        while let Some(level) = self.book.level(side, i) {
            if !crosses(taker, limit, level.price) || !left.is_positive() {
                break;
            }
            for o in self.book.queue(side, level.price) {
                let avail = available(self.consumed, o.id, o.qty);
                if !avail.is_positive() {
                    continue;
                }
                let take = avail.min(left);
                out.push((level.price, take, o.id));
                *self.consumed.entry(o.id).or_insert(Qty::ZERO) += take;
                left -= take;
                if !left.is_positive() {
                    return;
                }
            }
            i += 1;
        }
    }

    fn join(&self, side: Side, price: Price) -> L3Queue {
        let members: IntSet<OrderId> = self.book.queue(side, price).map(|o| o.id).collect();
        let ahead = effective_ahead(self.book, self.consumed, side, price, &members);
        L3Queue { members, ahead }
    }
}

/// The replay's counters that move when it changes the book beyond the message itself
/// (initialisation, unknown ids, over-reductions, learning): when they move, every agent
/// queue position is recomputed.
fn side_effects(replay: &LobsterReplay) -> [i64; 9] {
    let s = replay.stats();
    [
        s.seeded_levels as i64,
        s.unknown_id_messages as i64,
        s.over_reductions as i64,
        s.feed_mismatches as i64,
        s.levels_learned as i64,
        s.learned_qty_added,
        s.learned_qty_removed,
        s.removed_out_of_range_qty,
        s.orders_removed_out_of_range as i64,
    ]
}

/// A LOBSTER replay with an agent's orders overlaid, queue positions exact.
///
/// See the [module documentation](super) for the rules. Drive it with
/// [`LobsterAgentReplay::process`] per message (as [`LobsterReplay::process`]), send the
/// agent's requests through its [`OrderSink`] implementation, and read the agent's
/// [`ExecReport`]s with [`LobsterAgentReplay::drain_reports`].
///
/// ```
/// use shortfall_core::{NewOrder, OrderId, OrderRequest, OrderSink, Price, Qty, Side};
/// use shortfall_core::{ExecReport, TimeInForce, TraderId, Ts};
/// use shortfall_lob_sim::data::lobster::{LobsterBookRow, LobsterReader, MessageReader, OrderbookReader};
/// use shortfall_lob_sim::replay::agent::{AgentReplayConfig, LobsterAgentReplay};
///
/// // Level 1: a bid of 100 rests (order 1); 40 more join behind it (order 2);
/// // then a sell of 120 executes order 1 (100) and 20 of order 2.
/// let messages = b"1.0,1,1,100,1000000,1\n3.0,1,2,40,1000000,1\n\
///                  4.0,4,1,100,1000000,1\n4.0,4,2,20,1000000,1\n";
/// let book = b"1010000,5,1000000,100\n1010000,5,1000000,140\n\
///              1010000,5,1000000,40\n1010000,5,1000000,20\n";
/// let mut reader = LobsterReader::new(
///     MessageReader::new(&messages[..], "m.csv"),
///     OrderbookReader::new(&book[..], "b.csv", 1)?,
/// );
/// let mut replay = LobsterAgentReplay::new(1, AgentReplayConfig::default())?;
/// let agent = TraderId(7);
/// let mut row = LobsterBookRow::new(1);
/// while let Some(message) = reader.read_into(&mut row)? {
///     replay.process(&message, Some(&row));
///     if message.time == Ts::from_secs(1) {
///         // Join the bid at 2 s, behind order 1's 100 (order 2 comes later, behind us).
///         let bid = NewOrder::limit(OrderId(9), agent, Side::Buy, Price(1_000_000), Qty(30), TimeInForce::Gtc);
///         replay.submit(Ts::from_secs(2), OrderRequest::New(bid)).unwrap();
///     }
/// }
/// replay.finish();
/// // The 20 that executed order 2 would have reached us first: we fill 20 of 30.
/// let filled: i64 = replay.drain_reports().filter_map(|r| match r {
///     ExecReport::Fill(f) => Some(f.qty.0),
///     _ => None,
/// }).sum();
/// assert_eq!(filled, 20);
/// # Ok::<(), shortfall_lob_sim::Error>(())
/// ```
#[derive(Debug)]
pub struct LobsterAgentReplay {
    replay: LobsterReplay,
    engine: Engine<L3Queue>,
    /// Historical liquidity the agent took, by historical order: at most that order's
    /// remaining quantity, cleared when it leaves the book.
    consumed: IntMap<OrderId, Qty>,
    clock: Ts,
}

impl LobsterAgentReplay {
    /// A replay of a level-`depth` LOBSTER file (LOBSTER's N) with an agent overlay.
    ///
    /// # Errors
    /// As [`AgentReplayConfig::validate`].
    pub fn new(depth: usize, config: AgentReplayConfig) -> crate::Result<Self> {
        config.validate()?;
        Ok(Self {
            replay: LobsterReplay::new(depth),
            engine: Engine::new(Ts(config.entry_latency_ns)),
            consumed: IntMap::default(),
            clock: Ts::MIN,
        })
    }

    /// The historical replay underneath: never changed by the agent.
    pub fn replay(&self) -> &LobsterReplay {
        &self.replay
    }

    /// The historical book (without the agent's orders).
    pub fn book(&self) -> &L3Book {
        self.replay.book()
    }

    /// The time of the last message processed (`Ts::MIN` before the first).
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
            queue_ahead: q.ahead.0 as f64,
        })
    }

    /// The exact historical quantity ahead of the agent's resting order `id`.
    pub fn queue_ahead(&self, id: OrderId) -> Option<Qty> {
        let i = self.engine.find(id)?;
        Some(self.engine.resting[i].1.ahead)
    }

    /// Historical liquidity the agent has taken that is still in the historical book.
    pub fn consumed_qty(&self) -> Qty {
        self.consumed.values().fold(Qty::ZERO, |a, &c| a + c)
    }

    /// Replays one message (`row`: LOBSTER's book after it, as for
    /// [`LobsterReplay::process`]). First, agent requests that arrive before the message's
    /// time reach the book; then the message's aggressive flow (an execution) reaches the
    /// agent's orders it would have met first; then the message is applied to the
    /// historical book, unchanged, and the agent's queue positions follow it.
    pub fn process(&mut self, message: &LobsterMessage, row: Option<&LobsterBookRow>) {
        self.flush(Some(message.time));
        let is_execution = matches!(
            message.event_type,
            LobsterEventType::VisibleExecution | LobsterEventType::HiddenExecution
        );
        if is_execution && !self.engine.resting.is_empty() {
            self.engine.share_flow(
                message.time,
                message.direction,
                message.price,
                message.size,
                message.order_id,
                |q| q.ahead.0 as f64,
            );
        }
        let before = side_effects(&self.replay);
        self.replay.process(message, row);
        self.replay.learn_pending();
        if side_effects(&self.replay) != before {
            self.refresh_all();
        } else if matches!(
            message.event_type,
            LobsterEventType::Cancellation
                | LobsterEventType::Deletion
                | LobsterEventType::VisibleExecution
        ) {
            if !self.consumed.is_empty() {
                self.cap_consumed(message.order_id);
            }
            self.refresh_level(message.direction, message.price);
        }
        self.engine.out.stats.events += 1;
        self.clock = message.time;
    }

    /// Lets every request still waiting reach the book (call at the end of the data).
    pub fn finish(&mut self) {
        self.flush(None);
    }

    fn flush(&mut self, before: Option<Ts>) {
        while let Some(p) = self.engine.inbox.pop_before(before) {
            let mut venue = L3Venue {
                book: self.replay.book(),
                ready: self.replay.is_initialised(),
                consumed: &mut self.consumed,
            };
            self.engine.handle(p.arrival, p.request, &mut venue);
        }
    }

    fn cap_consumed(&mut self, id: OrderId) {
        if let Some(c) = self.consumed.get_mut(&id) {
            match self.replay.book().order(id) {
                Some(o) if o.qty.is_positive() => *c = (*c).min(o.qty),
                _ => {
                    self.consumed.remove(&id);
                }
            }
        }
    }

    fn refresh_level(&mut self, side: Side, price: Price) {
        let book = self.replay.book();
        for (o, q) in &mut self.engine.resting {
            if o.side == side && o.price == price {
                q.ahead = effective_ahead(book, &self.consumed, side, price, &q.members);
            }
        }
    }

    #[cold]
    fn refresh_all(&mut self) {
        let book = self.replay.book();
        self.consumed.retain(|id, c| match book.order(*id) {
            Some(o) => {
                *c = (*c).min(o.qty);
                c.is_positive()
            }
            None => false,
        });
        for (o, q) in &mut self.engine.resting {
            q.ahead = effective_ahead(book, &self.consumed, o.side, o.price, &q.members);
        }
    }
}

impl OrderSink for LobsterAgentReplay {
    type Refusal = std::convert::Infallible;

    /// Queues the request; it reaches the book `entry_latency_ns` after `now` (never
    /// before the last message processed). Outcomes arrive as reports.
    fn submit(&mut self, now: Ts, request: OrderRequest) -> Result<(), Self::Refusal> {
        self.engine.inbox.push(now, self.clock, request);
        Ok(())
    }
}
