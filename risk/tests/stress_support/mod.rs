//! Synthetic books and streams for the stress-detector and risk-posture tests, and a
//! stream driver that is generic over the book so that the end-to-end test in the simulator
//! can reuse it with a real book:
//!
//! ```ignore
//! #[path = "../risk/tests/stress_support/mod.rs"]
//! mod stress_support;
//! let outcome = stress_support::drive(&mut controller, &mut book, &events, |b, e| b.apply(e));
//! outcome.assert_gate_moved_on_detection(false, GateState::Reducing);
//! ```
#![allow(dead_code)]

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use shortfall_core::{BookView, MarketEvent, OrderSink, Price, PriceLevel, Qty, Side, Ts};
use shortfall_risk::gate::{AuditLog, GateState};
use shortfall_risk::posture::RiskController;
use shortfall_risk::stress::StressLevel;

/// A price-level book driven by `MarketEvent::Level` (qty 0 removes the level) and `Clear`;
/// other events leave it unchanged. Bids best (highest) first, asks best (lowest) first.
#[derive(Debug, Clone, Default)]
pub struct LevelBook {
    pub bids: Vec<PriceLevel>,
    pub asks: Vec<PriceLevel>,
}

impl LevelBook {
    pub fn apply(&mut self, event: &MarketEvent) {
        match *event {
            MarketEvent::Level {
                side, price, qty, ..
            } => {
                let levels = match side {
                    Side::Buy => &mut self.bids,
                    Side::Sell => &mut self.asks,
                };
                let better = |a: Price, b: Price| match side {
                    Side::Buy => a > b,
                    Side::Sell => a < b,
                };
                let pos = levels.iter().position(|l| !better(l.price, price));
                match pos {
                    Some(i) if levels[i].price == price => {
                        if qty.0 == 0 {
                            levels.remove(i);
                        } else {
                            levels[i].qty = qty;
                        }
                    }
                    Some(i) if qty.0 > 0 => levels.insert(i, PriceLevel { price, qty }),
                    None if qty.0 > 0 => levels.push(PriceLevel { price, qty }),
                    _ => {}
                }
            }
            MarketEvent::Clear { .. } => {
                self.bids.clear();
                self.asks.clear();
            }
            _ => {}
        }
    }
}

impl BookView for LevelBook {
    fn level(&self, side: Side, index: usize) -> Option<PriceLevel> {
        match side {
            Side::Buy => self.bids.get(index).copied(),
            Side::Sell => self.asks.get(index).copied(),
        }
    }

    fn level_count(&self, side: Side) -> usize {
        match side {
            Side::Buy => self.bids.len(),
            Side::Sell => self.asks.len(),
        }
    }
}

/// Bid 9 999 … 9 995 and ask 10 000 … 10 004, `qty` lots each: spread 1 tick.
pub fn initial_events(ts: i64, qty: i64) -> Vec<MarketEvent> {
    let mut out = Vec::new();
    for i in 0..5 {
        out.push(level(ts, Side::Buy, 9_999 - i, qty));
        out.push(level(ts, Side::Sell, 10_000 + i, qty));
    }
    out
}

pub fn level(ts: i64, side: Side, price: i64, qty: i64) -> MarketEvent {
    MarketEvent::Level {
        ts: Ts(ts),
        side,
        price: Price(price),
        qty: Qty(qty),
    }
}

pub fn trade(ts: i64, price: i64) -> MarketEvent {
    MarketEvent::Trade {
        ts: Ts(ts),
        price: Price(price),
        qty: Qty(1),
        aggressor: None,
    }
}

/// A stationary stream, one event every `step_ns`: each event either re-sizes one of the
/// ten levels to `qty` ± `noise` lots (uniform) or, with probability `trade_prob`, prints a
/// trade. Prices never move, so the spread stays at 1 tick and the book's depth wanders
/// around 5·`qty` per side.
pub fn stationary_stream(
    seed: u64,
    events: usize,
    start_ts: i64,
    step_ns: i64,
    qty: i64,
    noise: i64,
    trade_prob: f64,
) -> Vec<MarketEvent> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(events);
    for k in 0..events {
        let ts = start_ts + k as i64 * step_ns;
        if rng.random::<f64>() < trade_prob {
            out.push(trade(ts, 10_000));
            continue;
        }
        let i = rng.random_range(0..5);
        let q = qty + rng.random_range(-noise..=noise);
        if rng.random::<bool>() {
            out.push(level(ts, Side::Buy, 9_999 - i, q));
        } else {
            out.push(level(ts, Side::Sell, 10_000 + i, q));
        }
    }
    out
}

/// A flash crash on the bid side starting at `ts`, one event per `step_ns`: the deepest
/// four bid levels are pulled one by one (depth 5q → 4q → 3q → 2q → q), then the best bid
/// is pulled and a 5-lot bid appears 20 ticks lower (spread 1 → 21 ticks), followed by a
/// burst of `burst` trades.
pub fn flash_crash(ts: i64, step_ns: i64, burst: usize) -> Vec<MarketEvent> {
    let mut out = Vec::new();
    let mut t = ts;
    for i in (1..5).rev() {
        out.push(level(t, Side::Buy, 9_999 - i, 0));
        t += step_ns;
    }
    out.push(level(t, Side::Buy, 9_979, 5));
    t += step_ns;
    out.push(level(t, Side::Buy, 9_999, 0));
    t += step_ns;
    for _ in 0..burst {
        out.push(trade(t, 9_979));
        t += step_ns / 10;
    }
    out
}

/// What happened when a stream was driven through a controller.
#[derive(Debug, Clone, Default)]
pub struct DriveOutcome {
    /// Index of the first event the detector rated Elevated or worse.
    pub first_flag: Option<usize>,
    /// Index of the first event rated Severe.
    pub first_severe: Option<usize>,
    /// Index of the first event on which the gate's state changed, and the new state.
    pub first_gate_change: Option<(usize, GateState)>,
    /// Every reading's level.
    pub levels: Vec<StressLevel>,
    /// The gate's state after every event.
    pub states: Vec<GateState>,
}

impl DriveOutcome {
    /// Appends the outcome of a later stretch of the same stream (indices shifted by the
    /// number of events already in `self`), so a stream can be driven in pieces.
    pub fn extend(&mut self, later: DriveOutcome) {
        let offset = self.levels.len();
        self.first_flag = self.first_flag.or(later.first_flag.map(|i| i + offset));
        self.first_severe = self.first_severe.or(later.first_severe.map(|i| i + offset));
        self.first_gate_change = self
            .first_gate_change
            .or(later.first_gate_change.map(|(i, s)| (i + offset, s)));
        self.levels.extend(later.levels);
        self.states.extend(later.states);
    }

    /// The gate moved to at least `at_least` on the very event that first raised a flag
    /// strong enough to require it (Severe for the default posture rules).
    pub fn assert_gate_moved_on_detection(&self, severe: bool, at_least: GateState) {
        let detected = if severe {
            self.first_severe
        } else {
            self.first_flag
        }
        .expect("the detector raised no flag");
        let (changed, state) = self.first_gate_change.expect("the gate never moved");
        assert_eq!(
            changed, detected,
            "detection at event {detected}, gate moved at event {changed}"
        );
        assert!(state >= at_least, "gate moved to {state:?}");
    }
}

/// Feeds `events` to `controller`, applying each to `book` first with `apply` (so the
/// controller sees the book after the event). Generic over the book and the sink.
pub fn drive<B, S, A>(
    controller: &mut RiskController<S, A>,
    book: &mut B,
    events: &[MarketEvent],
    mut apply: impl FnMut(&mut B, &MarketEvent),
) -> DriveOutcome
where
    B: BookView,
    S: OrderSink,
    A: AuditLog,
{
    let mut out = DriveOutcome::default();
    for (i, ev) in events.iter().enumerate() {
        apply(book, ev);
        let step = controller
            .on_market_event(ev, book)
            .expect("timestamps are in order");
        if step.reading.level >= StressLevel::Elevated && out.first_flag.is_none() {
            out.first_flag = Some(i);
        }
        if step.reading.level == StressLevel::Severe && out.first_severe.is_none() {
            out.first_severe = Some(i);
        }
        if step.state_changed() && out.first_gate_change.is_none() {
            out.first_gate_change = Some((i, step.state_after));
        }
        out.levels.push(step.reading.level);
        out.states.push(step.state_after);
    }
    out
}
