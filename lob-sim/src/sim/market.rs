//! The discrete-event kernel and the exchange: [`Market`].

use super::SimRng;
use super::flow::{BACKGROUND_ID_BIT, FlowCtx, OrderFlow};
use super::latency::{Latency, LatencyModel};
use super::queue::EventQueue;
use super::record::EventHash;
use crate::book::{BookOutput, L3Book};
use crate::error::{Error, Result};
use rand::SeedableRng;
use shortfall_core::{ExecReport, MarketEvent, OrderRequest, OrderSink, TraderId, Ts};
use std::collections::VecDeque;

/// A strategy's handle in a [`Market`] (returned by [`Market::add_strategy`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct StrategyId(usize);

/// How a strategy is connected to the exchange.
#[derive(Clone, Debug, PartialEq)]
pub struct StrategySpec {
    /// The owner id its orders carry (not [`TraderId::MARKET`], not one of the flow's).
    pub trader: TraderId,
    /// Delay from [`Market::submit`] to the exchange, and from the exchange back to the
    /// strategy for its execution reports.
    pub order_latency: Latency,
    /// Delay of the public event feed; `None` subscribes to no feed (the strategy reads the
    /// exchange's book directly with [`Market::book`], a co-located snapshot view).
    pub market_data: Option<Latency>,
}

impl StrategySpec {
    /// A co-located strategy (zero latency, no event feed).
    pub fn colocated(trader: TraderId) -> Self {
        Self {
            trader,
            order_latency: Latency::ZERO,
            market_data: None,
        }
    }
}

/// Why [`Market::submit`] refused a request before it reached the exchange.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SubmitRefusal {
    /// The request's owner is not the strategy's trader id.
    WrongOwner,
    /// The order id has [`BACKGROUND_ID_BIT`] set (reserved for background flow).
    ReservedOrderId,
    /// No strategy has this handle.
    UnknownStrategy,
}

/// Counts of what the exchange processed.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct MarketCounters {
    /// Requests the exchange processed (limit, market, cancel, modify): the simulator's
    /// "events".
    pub requests: u64,
    /// Public events it published (`Add`, `Cancel`, `Delete`, `Execute`).
    pub public_events: u64,
    /// Maker fills (`Execute` events).
    pub executions: u64,
    /// Lots traded.
    pub traded_lots: i64,
}

/// A message in flight to the exchange.
#[derive(Clone, Debug)]
struct Inbound {
    /// Index of the sending strategy, or `FLOW` for delayed background flow.
    from: usize,
    request: OrderRequest,
}

const FLOW: usize = usize::MAX;

/// One strategy's link: the FIFO order-entry clock and its delivery queues.
#[derive(Clone, Debug)]
struct Participant {
    spec: StrategySpec,
    last_arrival: Ts,
    reports: VecDeque<(Ts, ExecReport)>,
    last_report: Ts,
    feed: VecDeque<(Ts, MarketEvent)>,
    last_feed: Ts,
}

/// A simulated market: an exchange (an [`L3Book`] with price-time matching) fed by one
/// background [`OrderFlow`] and any number of strategies, advanced by a discrete-event
/// kernel.
///
/// # Kernel
/// Messages to the exchange wait in a time-ordered queue ([`EventQueue`]: by time, then by
/// insertion, so equal times never depend on the heap's layout). The background flow is not
/// queued: the kernel compares its [`OrderFlow::next_time`] with the queue's head and fires
/// it in place, and a co-located flow's requests go straight to the book, so a
/// zero-intelligence market does no heap work per event. At equal times, queued messages go
/// first. Execution reports and the public feed travel back on per-strategy FIFO links
/// (latency drawn per message, never overtaking an earlier one), so they need no heap
/// either; a strategy collects what has arrived by the current time with
/// [`Market::drain_reports`] and [`Market::drain_market_data`].
///
/// # Determinism
/// Everything random comes from two generators seeded from the market's seed (one for the
/// flow, one for latencies), so the same seed, flow and calls give the same event stream;
/// [`Market::event_hash`] fingerprints it. `Clone` copies the whole state (book, flow,
/// queues, generators): a clone and the original evolve identically until they are given
/// different inputs or [`Market::reseed`]ed, which is what paired evaluation needs.
///
/// # Example
/// ```
/// use shortfall_core::{BookView, ExecReport, NewOrder, OrderId, OrderRequest, Qty, Side, TraderId, Ts};
/// use shortfall_lob_sim::sim::{Latency, Market, StrategySpec, ZeroIntelligence, ZiParams};
/// use shortfall_lob_sim::book::L3Book;
/// use shortfall_core::Price;
///
/// let flow = ZeroIntelligence::new(&ZiParams::default(), "flow.zi", Price(10_000))?;
/// let mut market = Market::new(L3Book::new(), flow, Latency::ZERO, 42, Ts(0));
/// market.seed_book(Price(10_000), 10, 5, Qty(1))?;
/// let me = market
///     .add_strategy(StrategySpec {
///         trader: TraderId(7),
///         order_latency: Latency::Constant { us: 100.0 },
///         market_data: None,
///     })?;
/// market.run_until(Ts::from_secs(1));
/// let buy = NewOrder::market(OrderId(1), TraderId(7), Side::Buy, Qty(3));
/// market.submit(me, OrderRequest::New(buy)).unwrap();
/// market.run_until(Ts::from_secs(2));
/// let mut reports = Vec::new();
/// market.drain_reports(me, &mut reports);
/// let bought: i64 = reports.iter().filter_map(|r| match r {
///     ExecReport::Fill(f) => Some(f.qty.0),
///     _ => None,
/// }).sum();
/// assert_eq!(bought, 3);
/// assert!(market.book().mid().is_some());
/// # Ok::<(), shortfall_lob_sim::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Market<F> {
    now: Ts,
    book: L3Book,
    out: BookOutput,
    flow: F,
    flow_latency: Latency,
    flow_colocated: bool,
    flow_buf: Vec<OrderRequest>,
    rng: SimRng,
    latency_rng: SimRng,
    next_id: u64,
    queue: EventQueue<Inbound>,
    participants: Vec<Participant>,
    counters: MarketCounters,
    hash: EventHash,
    log: Option<Vec<MarketEvent>>,
}

/// The two generators of a market seed: flow and latency streams (SplitMix-style offsets so
/// that they differ).
fn generators(seed: u64) -> (SimRng, SimRng) {
    (
        SimRng::seed_from_u64(seed),
        SimRng::seed_from_u64(seed ^ 0x6a09_e667_f3bc_c908),
    )
}

impl<F: OrderFlow> Market<F> {
    /// A market at time `start` around `book` (usually empty; see [`Market::seed_book`]),
    /// with background `flow` whose requests reach the exchange after `flow_latency`, and
    /// all randomness drawn from `seed`.
    pub fn new(book: L3Book, flow: F, flow_latency: Latency, seed: u64, start: Ts) -> Self {
        let (rng, latency_rng) = generators(seed);
        let mut market = Self {
            now: start,
            book,
            out: BookOutput::with_capacity(64, 64),
            flow,
            flow_colocated: flow_latency.is_zero(),
            flow_latency,
            flow_buf: Vec::with_capacity(16),
            rng,
            latency_rng,
            next_id: 0,
            queue: EventQueue::new(),
            participants: Vec::new(),
            counters: MarketCounters::default(),
            hash: EventHash::new(),
            log: None,
        };
        market.reschedule_flow();
        market
    }

    /// Seeds a symmetric book around `mid` (in ticks): `levels` levels per side starting one
    /// tick from `mid` (a two-tick spread), `orders_per_level` background orders of `size`
    /// at each. The flow adopts these orders as its own.
    ///
    /// # Errors
    /// [`Error::Config`] when a seeded price would not be positive or `size` is not.
    pub fn seed_book(
        &mut self,
        mid: shortfall_core::Price,
        levels: u32,
        orders_per_level: u32,
        size: shortfall_core::Qty,
    ) -> Result<()> {
        use shortfall_core::{NewOrder, Price, Side, TimeInForce};
        if mid.0 - i64::from(levels) < 1 {
            return Err(Error::Config {
                field: "initial_book.levels".into(),
                reason: format!("{levels} levels below mid {mid} reach a price ≤ 0"),
            });
        }
        if !size.is_positive() {
            return Err(Error::Config {
                field: "initial_book.order_size_lots".into(),
                reason: format!("must be ≥ 1, got {}", size.0),
            });
        }
        for k in 1..=i64::from(levels) {
            for _ in 0..orders_per_level {
                for (side, price) in [(Side::Buy, mid.0 - k), (Side::Sell, mid.0 + k)] {
                    self.next_id += 1;
                    let order = NewOrder::limit(
                        shortfall_core::OrderId(BACKGROUND_ID_BIT | self.next_id),
                        TraderId::MARKET,
                        side,
                        Price(price),
                        size,
                        TimeInForce::Gtc,
                    );
                    self.execute(OrderRequest::New(order), FLOW);
                }
            }
        }
        self.reschedule_flow();
        Ok(())
    }

    /// The current simulated time.
    #[inline]
    pub fn now(&self) -> Ts {
        self.now
    }

    /// The exchange's book (a [`shortfall_core::BookView`]), as it is now.
    #[inline]
    pub fn book(&self) -> &L3Book {
        &self.book
    }

    /// The background flow.
    pub fn flow(&self) -> &F {
        &self.flow
    }

    /// What the exchange has processed so far.
    #[inline]
    pub fn counters(&self) -> &MarketCounters {
        &self.counters
    }

    /// The FNV fingerprint of every public event so far (see [`EventHash`]).
    pub fn event_hash(&self) -> u64 {
        self.hash.value()
    }

    /// Starts (or stops) keeping a copy of every public event for [`Market::take_events`].
    pub fn record_events(&mut self, on: bool) {
        self.log = on.then(Vec::new);
    }

    /// Moves the recorded public events into `out` (appending).
    pub fn take_events(&mut self, out: &mut Vec<MarketEvent>) {
        if let Some(log) = &mut self.log {
            out.append(log);
        }
    }

    /// Replaces both random streams with ones seeded from `seed`, from now on. A clone
    /// reseeded differently branches into an independent continuation of the same state.
    pub fn reseed(&mut self, seed: u64) {
        let (rng, latency_rng) = generators(seed);
        self.rng = rng;
        self.latency_rng = latency_rng;
        self.reschedule_flow();
    }

    /// Connects a strategy.
    ///
    /// # Errors
    /// [`Error::Config`] when its trader id belongs to the background flow or to another
    /// strategy.
    pub fn add_strategy(&mut self, spec: StrategySpec) -> Result<StrategyId> {
        if self.flow.owns(spec.trader) {
            return Err(Error::Config {
                field: "strategy.trader".into(),
                reason: format!("{} belongs to the background flow", spec.trader),
            });
        }
        if self
            .participants
            .iter()
            .any(|p| p.spec.trader == spec.trader)
        {
            return Err(Error::Config {
                field: "strategy.trader".into(),
                reason: format!("{} is already connected", spec.trader),
            });
        }
        spec.order_latency.validate("strategy.order_latency")?;
        if let Some(md) = &spec.market_data {
            md.validate("strategy.market_data")?;
        }
        self.participants.push(Participant {
            spec,
            last_arrival: self.now,
            reports: VecDeque::new(),
            last_report: self.now,
            feed: VecDeque::new(),
            last_feed: self.now,
        });
        Ok(StrategyId(self.participants.len() - 1))
    }

    /// Sends `request` from `strategy` now; it reaches the exchange after the strategy's
    /// order-entry latency (never before an earlier request of the same strategy).
    ///
    /// # Errors
    /// The refusal, for a request that does not carry the strategy's trader id, an order id
    /// reserved for background flow, or an unknown handle. Nothing is sent then.
    pub fn submit(
        &mut self,
        strategy: StrategyId,
        request: OrderRequest,
    ) -> std::result::Result<(), SubmitRefusal> {
        let Some(p) = self.participants.get_mut(strategy.0) else {
            return Err(SubmitRefusal::UnknownStrategy);
        };
        if request.owner() != p.spec.trader {
            return Err(SubmitRefusal::WrongOwner);
        }
        if request.id().0 & BACKGROUND_ID_BIT != 0 {
            return Err(SubmitRefusal::ReservedOrderId);
        }
        let arrival = Ts(self.now.0 + p.spec.order_latency.sample(&mut self.latency_rng).0)
            .max(p.last_arrival);
        p.last_arrival = arrival;
        self.queue.push(
            arrival,
            Inbound {
                from: strategy.0,
                request,
            },
        );
        Ok(())
    }

    /// An [`OrderSink`] that submits as `strategy` (its `now` argument is ignored: requests
    /// leave at the market's current time).
    pub fn sink(&mut self, strategy: StrategyId) -> StrategySink<'_, F> {
        StrategySink {
            market: self,
            strategy,
        }
    }

    /// Moves the execution reports that have reached `strategy` by now into `out`.
    pub fn drain_reports(&mut self, strategy: StrategyId, out: &mut Vec<ExecReport>) {
        if let Some(p) = self.participants.get_mut(strategy.0) {
            while let Some(&(ts, report)) = p.reports.front() {
                if ts > self.now {
                    break;
                }
                out.push(report);
                p.reports.pop_front();
            }
        }
    }

    /// Moves the public events that have reached `strategy`'s feed by now into `out`
    /// (nothing when it has no feed).
    pub fn drain_market_data(&mut self, strategy: StrategyId, out: &mut Vec<MarketEvent>) {
        if let Some(p) = self.participants.get_mut(strategy.0) {
            while let Some(&(ts, event)) = p.feed.front() {
                if ts > self.now {
                    break;
                }
                out.push(event);
                p.feed.pop_front();
            }
        }
    }

    /// Processes every event up to and including time `until`, then sets the clock to
    /// `until` (never backwards). Returns the number of exchange requests processed.
    pub fn run_until(&mut self, until: Ts) -> u64 {
        let before = self.counters.requests;
        loop {
            let flow_time = self.flow.next_time();
            let queue_time = self.queue.peek_time();
            if queue_time <= flow_time {
                if queue_time > until {
                    break;
                }
                let Some((ts, inbound)) = self.queue.pop() else {
                    break;
                };
                self.now = ts;
                self.execute(inbound.request, inbound.from);
                self.reschedule_flow();
            } else {
                if flow_time > until {
                    break;
                }
                self.now = flow_time;
                self.fire_flow();
            }
        }
        self.now = self.now.max(until);
        self.counters.requests - before
    }

    /// Processes events until `n` more exchange requests have been processed or nothing is
    /// left to do; returns how many were.
    pub fn run_requests(&mut self, n: u64) -> u64 {
        let target = self.counters.requests + n;
        while self.counters.requests < target {
            let next = self.flow.next_time().min(self.queue.peek_time());
            if next == Ts::MAX {
                break;
            }
            self.run_until(next);
        }
        self.counters.requests + n - target
    }

    #[inline]
    fn fire_flow(&mut self) {
        let mut requests = std::mem::take(&mut self.flow_buf);
        requests.clear();
        let mut ctx = FlowCtx {
            now: self.now,
            book: &self.book,
            rng: &mut self.rng,
            next_id: &mut self.next_id,
        };
        self.flow.fire(&mut ctx, &mut requests);
        if self.flow_colocated {
            for &request in &requests {
                self.execute(request, FLOW);
            }
        } else {
            for &request in &requests {
                let delay = self.flow_latency.sample(&mut self.latency_rng);
                self.queue.push(
                    Ts(self.now.0 + delay.0),
                    Inbound {
                        from: FLOW,
                        request,
                    },
                );
            }
        }
        self.flow_buf = requests;
        self.reschedule_flow();
    }

    #[inline]
    fn reschedule_flow(&mut self) {
        let mut ctx = FlowCtx {
            now: self.now,
            book: &self.book,
            rng: &mut self.rng,
            next_id: &mut self.next_id,
        };
        self.flow.schedule(&mut ctx);
    }

    /// The exchange: matches one request and routes what it produced.
    #[inline]
    fn execute(&mut self, request: OrderRequest, _from: usize) {
        self.out.clear();
        self.book.submit(self.now, &request, &mut self.out);
        self.counters.requests += 1;
        self.counters.public_events += self.out.events.len() as u64;
        for event in &self.out.events {
            self.hash.event(event);
            if let MarketEvent::Execute { qty, .. } = *event {
                self.counters.executions += 1;
                self.counters.traded_lots += qty.0;
            }
        }
        if let Some(log) = &mut self.log {
            log.extend_from_slice(&self.out.events);
        }
        self.flow.on_output(self.now, &self.out);
        if self.participants.is_empty() {
            return;
        }
        let now = self.now;
        for report in &self.out.reports {
            let owner = report.owner();
            if owner == TraderId::MARKET {
                continue;
            }
            if let Some(p) = self
                .participants
                .iter_mut()
                .find(|p| p.spec.trader == owner)
            {
                let at = Ts(now.0 + p.spec.order_latency.sample(&mut self.latency_rng).0)
                    .max(p.last_report);
                p.last_report = at;
                p.reports.push_back((at, *report));
            }
        }
        for p in &mut self.participants {
            if let Some(md) = &p.spec.market_data {
                for event in &self.out.events {
                    let at = Ts(now.0 + md.sample(&mut self.latency_rng).0).max(p.last_feed);
                    p.last_feed = at;
                    p.feed.push_back((at, *event));
                }
            }
        }
    }
}

/// [`Market::sink`]: an [`OrderSink`] for one strategy.
#[derive(Debug)]
pub struct StrategySink<'a, F> {
    market: &'a mut Market<F>,
    strategy: StrategyId,
}

impl<F: OrderFlow> OrderSink for StrategySink<'_, F> {
    type Refusal = SubmitRefusal;

    fn submit(
        &mut self,
        _now: Ts,
        request: OrderRequest,
    ) -> std::result::Result<(), SubmitRefusal> {
        self.market.submit(self.strategy, request)
    }
}
