//! End to end: a flash crash in the discrete-event simulator moves the pre-trade gate.
//!
//! A zero-intelligence market runs calmly; then a large seller fires a burst of sell market
//! orders (8, 100 ms apart, each the size of the best three bid levels when it is sent)
//! while the background flow keeps running — the footprint of 6 May 2010 in Kirilenko,
//! Kyle, Samadi & Tuzun (2017): an aggressive seller meeting the book, spreads widening, a
//! burst of trading. The market is stepped one exchange request at a time; every public
//! event the request published is applied to a mirror book (an `L3Book` fed only by the
//! public feed, checked against the exchange's book after every request), and fed with the
//! mirror *after that event* to a [`RiskController`] through the risk crate's reusable
//! driver (`risk/tests/stress_support`). The controller's gate protects a second strategy's
//! order entry into the same market (through the simulator's `StrategySink`).
//!
//! Asserted on five seeds, for two posture rule sets:
//! - calm phase (150 s, ≈ 23 000 events, beyond the detector's warm-up of 1 000 book events
//!   and 60 s): no flag and an Active gate on every event; every order the strategy sent
//!   passed the gate and reached the market (limit orders accepted, market buys filled,
//!   cancels answered);
//! - the crash raises a flag, and the gate moves on the very event that raised it (the
//!   acceptance asks for "within one event"; the tolerance is zero): to Reducing on the first
//!   Elevated event and to Halted on the first Severe one with Elevated mapped to Reducing;
//!   to Halted on the first Severe event with the default rules (Elevated keeps Active);
//! - right after the gate moved, a new buy is denied (`Halted`, or `NotReducing` on the long
//!   position), a reducing sell passes only in Reducing, and the cancel of a resting order
//!   passes and reaches the market.
//!
//! # Why a liquid book
//! The market is lob-sim's default zero-intelligence flow with the limit-order rates ×4 and
//! the market-order rate ×2. The default flow is a *thin* book: median top-5 depth ≈ 22
//! lots (≈ 10 orders) against market orders of up to 50 lots, spread 1 tick at the median
//! but 5 at the 99th percentile and up to 12 — ordinary trading there already crosses the
//! detector's relative thresholds (spread ≥ 4× its mean, top-5 depth ≤ 0.25× its mean):
//! 0.5–1 % of calm events are flagged (`the_default_thin_book_already_looks_stressed_…`
//! shows it). In a zero-intelligence book the mean queue is the limit rate over the cancel
//! rate, and its relative fluctuation shrinks like one over the square root of the number
//! of orders, so four times the limit rate gives top-5 depth ≈ 95 lots whose 0.1 % quantile
//! is ≈ 0.53 of the median, and a spread of at most 3 ticks over 270 s on three seeds —
//! well inside the thresholds. The detector keeps its documented defaults; the market is
//! made liquid, because a relative stress threshold is only meaningful where calm trading
//! is not already a string of small crashes.

#[path = "../risk/tests/stress_support/mod.rs"]
mod stress_support;

use shortfall_core::{
    BookView, ExecReport, MarketEvent, NewOrder, OrderId, OrderRequest, OrderSink, Price, Qty,
    Side, TimeInForce, TraderId, Ts,
};
use shortfall_lob_sim::book::L3Book;
use shortfall_lob_sim::sim::{
    Latency, SimConfig, SimMarket, StrategyId, StrategySpec, SubmitRefusal,
};
use shortfall_risk::gate::{Deny, GateConfig, GateState};
use shortfall_risk::posture::{PostureConfig, RiskController};
use shortfall_risk::stress::{StressConfig, StressLevel};
use std::cell::RefCell;
use std::rc::Rc;
use stress_support::{DriveOutcome, drive};

/// The gated strategy's venue: submits to the shared simulated market through the
/// simulator's own [`shortfall_lob_sim::sim::StrategySink`]. The market is shared
/// (`Rc<RefCell<…>>`) because the test loop also advances it between submissions.
#[derive(Debug)]
struct SimVenue {
    market: Rc<RefCell<SimMarket>>,
    strategy: StrategyId,
}

impl OrderSink for SimVenue {
    type Refusal = SubmitRefusal;

    fn submit(&mut self, now: Ts, request: OrderRequest) -> Result<(), SubmitRefusal> {
        self.market
            .borrow_mut()
            .sink(self.strategy)
            .submit(now, request)
    }
}

const ME: TraderId = TraderId(7);
const SELLER: TraderId = TraderId(900);

/// Gated-strategy order ids start here; the seller's start at 1.
const MY_FIRST_ID: u64 = 1_000_000;

/// What one scenario is made of (all times in simulated seconds from the market's start).
#[derive(Debug, Clone)]
struct Scenario {
    seed: u64,
    /// Run before anything is observed, so the book reaches the flow's stationary state.
    market_warmup_s: i64,
    /// Observed calm trading before the crash (covers the detector's warm-up).
    calm_s: i64,
    /// Sell market orders in the burst.
    crash_orders: usize,
    /// Time between two of them.
    crash_spacing_ms: i64,
    /// Each order sells what rests on this many best bid levels when it is sent.
    sweep_levels: usize,
    /// Observed time after the last crash order.
    after_s: i64,
    /// The posture rules of the controller.
    rules: PostureConfig,
}

impl Scenario {
    fn new(seed: u64, rules: PostureConfig) -> Self {
        Self {
            seed,
            market_warmup_s: 30,
            calm_s: 150,
            crash_orders: 8,
            crash_spacing_ms: 100,
            sweep_levels: 3,
            after_s: 2,
            rules,
        }
    }
}

/// What the gated strategy saw when it probed the gate after the crash had moved it.
#[derive(Debug)]
struct Probe {
    /// Events fed to the controller before the probe.
    at_event: usize,
    state: GateState,
    /// A 1-lot buy market order (increases the long position).
    buy: Result<(), Deny>,
    /// A 1-lot sell market order (reduces the long position).
    sell: Result<(), Deny>,
    /// The cancel of the resting sell placed before the crash.
    cancel: Result<(), Deny>,
    cancelled_id: OrderId,
}

#[derive(Debug)]
struct Run {
    outcome: DriveOutcome,
    /// Index of the first event caused by the crash (the first sell's first execution).
    crash_start: usize,
    detector_warmed_at_crash: bool,
    /// Every request the gated strategy sent before the crash, with the gate's answer.
    calm_requests: Vec<(OrderRequest, Result<(), Deny>)>,
    /// Every execution report the gated strategy received, in order.
    reports: Vec<ExecReport>,
    probe: Option<Probe>,
    /// Lots the seller sold.
    sold: i64,
    /// Best bid just before the crash and lowest best bid during it (ticks).
    bid_before: i64,
    bid_low: i64,
}

fn best(book: &impl BookView, side: Side) -> Option<i64> {
    book.level(side, 0).map(|l| l.price.0)
}

fn market_order(id: u64, owner: TraderId, side: Side, qty: i64) -> OrderRequest {
    OrderRequest::New(NewOrder::market(OrderId(id), owner, side, Qty(qty)))
}

fn limit_order(id: u64, side: Side, price: i64) -> OrderRequest {
    OrderRequest::New(NewOrder::limit(
        OrderId(id),
        ME,
        side,
        Price(price),
        Qty(1),
        TimeInForce::Gtc,
    ))
}

/// lob-sim's default zero-intelligence flow with four times the limit-order arrival rates
/// and twice the market-order rate: a liquid book (see the module docs for why the
/// default, thinner book is not used).
fn liquid_market(seed: u64) -> SimConfig {
    let mut config = SimConfig {
        seed,
        ..SimConfig::default()
    };
    for rate in &mut config.flow.zi.limit_rate_per_s_by_distance {
        *rate *= 4.0;
    }
    config.flow.zi.market_rate_per_s *= 2.0;
    config
}

/// Runs `sc` event by event: one exchange request at a time, every public event it
/// published applied to a mirror book and fed to the controller with the mirror after it.
fn run(sc: &Scenario) -> Run {
    let config = liquid_market(sc.seed);
    let mut m = config.build().expect("the default configuration is valid");
    m.run_until(Ts::from_secs(sc.market_warmup_s));
    let me = m
        .add_strategy(StrategySpec {
            trader: ME,
            order_latency: Latency::Constant { us: 100.0 },
            market_data: None,
        })
        .expect("trader 7 is free");
    let seller = m
        .add_strategy(StrategySpec::colocated(SELLER))
        .expect("trader 900 is free");
    m.record_events(true);
    // The mirror starts as the book at the moment recording starts; from then on it sees
    // only the public feed, so it is the book after each event, not after each request.
    let mut mirror: L3Book = m.book().clone();
    let market = Rc::new(RefCell::new(m));
    let mut gate = GateConfig::default()
        .build(
            config.instrument.clone(),
            SimVenue {
                market: Rc::clone(&market),
                strategy: me,
            },
        )
        .expect("the default gate configuration is valid");
    gate.on_reference_price(Price(best(&mirror, Side::Buy).expect("a seeded book")));
    let mut risk = RiskController::new(
        gate,
        StressConfig::default()
            .build()
            .expect("the default detector configuration is valid"),
        sc.rules.clone(),
    )
    .expect("the posture rules are valid");

    let crash_at = Ts::from_secs(sc.market_warmup_s + sc.calm_s);
    let spacing = Ts::from_millis(sc.crash_spacing_ms);
    let end = Ts(crash_at.0 + spacing.0 * sc.crash_orders as i64 + Ts::from_secs(sc.after_s).0);
    let mut outcome = DriveOutcome::default();
    let mut batch: Vec<MarketEvent> = Vec::new();
    let mut new_reports: Vec<ExecReport> = Vec::new();
    let mut out = Run {
        outcome: DriveOutcome::default(),
        crash_start: usize::MAX,
        detector_warmed_at_crash: false,
        calm_requests: Vec::new(),
        reports: Vec::new(),
        probe: None,
        sold: 0,
        bid_before: 0,
        bid_low: i64::MAX,
    };
    let mut my_id = MY_FIRST_ID;
    let mut seller_id = 0;
    let mut open_mine: Vec<OrderId> = Vec::new();
    let mut next_tick = Ts::from_secs(sc.market_warmup_s + 10);
    let mut resting_sell: Option<OrderId> = None;
    let mut crash_sent = 0usize;

    loop {
        let now = {
            let mut m = market.borrow_mut();
            if m.now() >= end || m.run_requests(1) == 0 {
                break;
            }
            m.take_events(&mut batch);
            m.drain_reports(me, &mut new_reports);
            m.now()
        };
        let step = drive(&mut risk, &mut mirror, &batch, |b, e| {
            b.apply(e)
                .expect("the public feed reproduces the exchange's book");
        });
        outcome.extend(step);
        batch.clear();
        {
            let m = market.borrow();
            for side in [Side::Buy, Side::Sell] {
                for i in 0..5 {
                    assert_eq!(
                        mirror.level(side, i),
                        m.book().level(side, i),
                        "mirror and exchange books agree after each request"
                    );
                }
            }
        }
        for r in new_reports.drain(..) {
            risk.gate_mut().on_exec_report(&r);
            match r {
                ExecReport::Fill(f) if f.leaves_qty.0 == 0 => open_mine.retain(|&id| id != f.id),
                ExecReport::Cancelled { id, .. } | ExecReport::Expired { id, .. } => {
                    open_mine.retain(|&o| o != id)
                }
                _ => {}
            }
            out.reports.push(r);
        }
        let (bid, ask) = (best(&mirror, Side::Buy), best(&mirror, Side::Sell));
        if let (Some(b), Some(a)) = (bid, ask) {
            risk.gate_mut().on_reference_price(Price((a + b) / 2));
        }
        if crash_sent > 0
            && let Some(b) = bid
        {
            out.bid_low = out.bid_low.min(b);
        }

        // The gated strategy during the calm phase: every 10 s, one marketable 1-lot buy,
        // a cancel of its previous passive order if still open, and a new passive 1-lot buy
        // three ticks under the best bid.
        if now >= next_tick && now < Ts(crash_at.0 - Ts::from_secs(5).0) {
            next_tick = Ts(next_tick.0 + Ts::from_secs(10).0);
            let mut requests = vec![market_order(my_id, ME, Side::Buy, 1)];
            my_id += 1;
            if let Some(&id) = open_mine.first() {
                requests.push(OrderRequest::Cancel { id, owner: ME });
            }
            if let Some(b) = bid {
                requests.push(limit_order(my_id, Side::Buy, b - 3));
                open_mine.push(OrderId(my_id));
                my_id += 1;
            }
            for r in requests {
                let answer = risk.submit(now, r);
                out.calm_requests.push((r, answer));
            }
        }
        // Two seconds before the crash, the passive buys are cancelled and a 1-lot sell
        // rests twenty ticks above the best ask.
        if resting_sell.is_none()
            && now >= Ts(crash_at.0 - Ts::from_secs(2).0)
            && let Some(a) = ask
        {
            for &id in &open_mine {
                let r = OrderRequest::Cancel { id, owner: ME };
                let answer = risk.submit(now, r);
                out.calm_requests.push((r, answer));
            }
            let r = limit_order(my_id, Side::Sell, a + 20);
            resting_sell = Some(OrderId(my_id));
            open_mine.push(OrderId(my_id));
            my_id += 1;
            let answer = risk.submit(now, r);
            out.calm_requests.push((r, answer));
        }
        // The crash: a burst of sell market orders, each sweeping the best bid levels.
        if crash_sent < sc.crash_orders && now >= Ts(crash_at.0 + spacing.0 * crash_sent as i64) {
            if crash_sent == 0 {
                out.crash_start = outcome.levels.len();
                out.detector_warmed_at_crash = risk.detector().warmed_up();
                out.bid_before = bid.unwrap_or(0);
            }
            let qty = mirror.depth(Side::Buy, sc.sweep_levels).0.max(1);
            seller_id += 1;
            market
                .borrow_mut()
                .submit(seller, market_order(seller_id, SELLER, Side::Sell, qty))
                .expect("the seller's orders carry its id");
            out.sold += qty;
            crash_sent += 1;
        }
        // The gated strategy right after the gate moved: try to trade, and cancel.
        if out.probe.is_none() && crash_sent > 0 && risk.gate().state() != GateState::Active {
            let state = risk.gate().state();
            let buy = risk.submit(now, market_order(my_id, ME, Side::Buy, 1));
            my_id += 1;
            let sell = risk.submit(now, market_order(my_id, ME, Side::Sell, 1));
            my_id += 1;
            let id = resting_sell.expect("placed before the crash");
            let cancel = risk.submit(now, OrderRequest::Cancel { id, owner: ME });
            out.probe = Some(Probe {
                at_event: outcome.levels.len(),
                state,
                buy,
                sell,
                cancel,
                cancelled_id: id,
            });
        }
    }
    out.outcome = outcome;
    out
}

const SEEDS: [u64; 5] = [1, 2, 3, 4, 5];

/// Elevated stress restricts to Reducing (the default keeps Active), Severe halts.
fn reduce_on_elevated() -> PostureConfig {
    PostureConfig {
        elevated_stress_state: GateState::Reducing,
        ..PostureConfig::default()
    }
}

/// The calm phase: past the detector's warm-up, no flag and an Active gate on every
/// event; every order the gated strategy sent passed and reached the market.
fn assert_calm_phase(run: &Run, seed: u64) {
    let o = &run.outcome;
    assert!(run.crash_start < o.levels.len(), "seed {seed}: no crash");
    assert!(
        run.detector_warmed_at_crash,
        "seed {seed}: the detector is still warming up when the crash starts"
    );
    // The trade-rate flag warms up for 60 s of event time; the calm phase lasts 150 s.
    assert!(
        run.crash_start as u64 > 2 * StressConfig::default().warmup_events,
        "seed {seed}: only {} calm events",
        run.crash_start
    );
    for i in 0..run.crash_start {
        assert_eq!(
            o.levels[i],
            StressLevel::Calm,
            "seed {seed}: flag at calm event {i}"
        );
        assert_eq!(
            o.states[i],
            GateState::Active,
            "seed {seed}: gate moved at calm event {i}"
        );
    }
    let (mut new_orders, mut cancels) = (0, 0);
    for (request, answer) in &run.calm_requests {
        assert_eq!(
            *answer,
            Ok(()),
            "seed {seed}: calm request {request:?} denied"
        );
        let id = request.id();
        let reports: Vec<&ExecReport> = run.reports.iter().filter(|r| r.id() == id).collect();
        match *request {
            OrderRequest::New(order) if order.limit_price().is_none() => {
                new_orders += 1;
                let filled: i64 = reports
                    .iter()
                    .map(|r| match r {
                        ExecReport::Fill(f) => f.qty.0,
                        _ => 0,
                    })
                    .sum();
                assert_eq!(
                    filled, 1,
                    "seed {seed}: market buy {id} filled {filled} lots"
                );
            }
            OrderRequest::New(_) => {
                new_orders += 1;
                assert!(
                    matches!(reports.first(), Some(ExecReport::Accepted { .. })),
                    "seed {seed}: limit order {id} was not accepted: {reports:?}"
                );
            }
            OrderRequest::Cancel { .. } => {
                cancels += 1;
                // The order may fill while the cancel is on its way (100 µs): then the
                // venue rejects the cancel; either way the cancel reached the market.
                assert!(
                    reports.iter().any(|r| matches!(
                        r,
                        ExecReport::Cancelled { .. } | ExecReport::Rejected { .. }
                    )) || reports
                        .iter()
                        .any(|r| matches!(r, ExecReport::Fill(f) if f.leaves_qty.0 == 0)),
                    "seed {seed}: cancel of {id} left no trace: {reports:?}"
                );
            }
            OrderRequest::Modify { .. } => unreachable!("the strategy sends no modify"),
        }
    }
    assert!(
        new_orders >= 20 && cancels >= 10,
        "seed {seed}: {new_orders} orders, {cancels} cancels"
    );
}

/// After the gate moved: new risk is denied, cancels pass and reach the market.
fn assert_probe(run: &Run, seed: u64) {
    let probe = run
        .probe
        .as_ref()
        .expect("the gate moved, so the strategy probed it");
    let first = run.outcome.first_gate_change.expect("the gate moved").0;
    assert!(
        probe.at_event > first,
        "seed {seed}: probe before the gate moved"
    );
    assert_eq!(run.outcome.states[probe.at_event - 1], probe.state);
    match probe.state {
        GateState::Halted => {
            assert_eq!(probe.buy, Err(Deny::Halted), "seed {seed}");
            assert_eq!(probe.sell, Err(Deny::Halted), "seed {seed}");
        }
        GateState::Reducing => {
            assert!(
                matches!(probe.buy, Err(Deny::NotReducing { .. })),
                "seed {seed}: a buy on a long position passed in Reducing: {:?}",
                probe.buy
            );
            assert_eq!(
                probe.sell,
                Ok(()),
                "seed {seed}: a reducing sell was denied"
            );
        }
        GateState::Active => panic!("seed {seed}: probed an Active gate"),
    }
    assert_eq!(probe.cancel, Ok(()), "seed {seed}: a cancel was denied");
    assert!(
        run.reports.iter().any(|r| matches!(
            r,
            ExecReport::Cancelled { id, .. } if *id == probe.cancelled_id
        )),
        "seed {seed}: the cancel did not reach the market"
    );
}

fn print_indices(label: &str, seed: u64, run: &Run) {
    let o = &run.outcome;
    println!(
        "{label} seed {seed}: events {} crash_start {} first_flag {:?} first_severe {:?} \
         first_gate_change {:?} probe {:?} sold {} lots, best bid {} -> low {}",
        o.levels.len(),
        run.crash_start,
        o.first_flag,
        o.first_severe,
        o.first_gate_change,
        run.probe.as_ref().map(|p| (p.at_event, p.state)),
        run.sold,
        run.bid_before,
        run.bid_low,
    );
}

#[test]
fn simulated_flash_crash_moves_the_gate_on_the_event_of_detection() {
    for seed in SEEDS {
        let run = run(&Scenario::new(seed, reduce_on_elevated()));
        print_indices("reduce-on-elevated", seed, &run);
        assert_calm_phase(&run, seed);
        let o = &run.outcome;
        let flag = o.first_flag.expect("the crash raised a flag");
        assert!(flag >= run.crash_start);
        // Within one event: here on the very event that raised the first flag.
        o.assert_gate_moved_on_detection(false, GateState::Reducing);
        // And Halted on the very event rated Severe.
        let severe = o.first_severe.expect("the crash reached Severe");
        assert_eq!(o.states[severe], GateState::Halted, "seed {seed}");
        assert!(o.states[..severe].iter().all(|&s| s < GateState::Halted));
        // The crash was a real one: the seller took out several levels.
        assert!(
            run.bid_before - run.bid_low >= 5,
            "seed {seed}: bid fell only {} ticks",
            run.bid_before - run.bid_low
        );
        assert_probe(&run, seed);
    }
}

#[test]
fn default_posture_halts_the_gate_on_the_first_severe_event() {
    for seed in SEEDS {
        let run = run(&Scenario::new(seed, PostureConfig::default()));
        print_indices("default-posture", seed, &run);
        assert_calm_phase(&run, seed);
        let o = &run.outcome;
        // Elevated keeps the gate Active under the default rules; Severe halts it at once.
        o.assert_gate_moved_on_detection(true, GateState::Halted);
        assert!(o.first_severe.unwrap() >= run.crash_start);
        assert_probe(&run, seed);
    }
}

/// Why the test market is the liquid variant: in lob-sim's default zero-intelligence book
/// (median top-5 depth about 22 lots, market orders of up to 50 lots) ordinary trading
/// already produces what the detector's relative thresholds call stress.
#[test]
fn the_default_thin_book_already_looks_stressed_in_calm_trading() {
    let mut flagged = 0;
    for seed in [1, 2, 3] {
        let mut m = SimConfig {
            seed,
            ..SimConfig::default()
        }
        .build()
        .expect("the default configuration is valid");
        m.run_until(Ts::from_secs(30));
        m.record_events(true);
        let mut mirror = m.book().clone();
        m.run_until(Ts::from_secs(180));
        let mut events = Vec::new();
        m.take_events(&mut events);
        let mut detector = StressConfig::default().build().expect("valid defaults");
        for e in &events {
            mirror.apply(e).expect("the feed reproduces the book");
            let reading = detector.on_event(e, &mirror).expect("ordered timestamps");
            flagged += usize::from(reading.level >= StressLevel::Elevated);
        }
    }
    println!("default thin book: {flagged} flagged events over 3 × 150 s of calm trading");
    assert!(flagged > 0);
}
