//! The risk controller end to end on a synthetic flash crash driven through an in-crate
//! fake book: the gate must move on the same event the detector flags.

mod stress_support;

use shortfall_core::{
    ExecReport, Instrument, NewOrder, OrderId, OrderRequest, OrderSink, Price, Qty, Side,
    TimeInForce, TraderId, Ts,
};
use shortfall_risk::gate::{Deny, GateConfig, GateState, PreTradeGate, RingAuditLog};
use shortfall_risk::posture::{PostureConfig, Regime, RiskController};
use shortfall_risk::stress::{StressConfig, StressLevel};
use std::convert::Infallible;
use stress_support::{LevelBook, drive, flash_crash, initial_events, stationary_stream};

const STEP_NS: i64 = 10_000_000;

#[derive(Debug, Default)]
struct Venue;

impl OrderSink for Venue {
    type Refusal = Infallible;
    fn submit(&mut self, _now: Ts, _request: OrderRequest) -> Result<(), Infallible> {
        Ok(())
    }
}

fn gate() -> PreTradeGate<Venue, RingAuditLog> {
    let mut g = GateConfig::default()
        .build(Instrument::new("TEST", 0.01, 1.0).unwrap(), Venue)
        .unwrap();
    g.on_reference_price(Price(10_000));
    g
}

fn controller(rules: PostureConfig) -> RiskController<Venue> {
    RiskController::new(gate(), StressConfig::default().build().unwrap(), rules).unwrap()
}

fn buy(id: u64) -> OrderRequest {
    OrderRequest::New(NewOrder::limit(
        OrderId(id),
        TraderId(1),
        Side::Buy,
        Price(9_999),
        Qty(10),
        TimeInForce::Gtc,
    ))
}

/// Quiet warm-up (3 000 events), then the flash crash of `stress_support::flash_crash`.
fn scenario(seed: u64) -> Vec<shortfall_core::MarketEvent> {
    let mut events = initial_events(0, 100);
    events.extend(stationary_stream(seed, 3_000, 0, STEP_NS, 100, 10, 0.05));
    events.extend(flash_crash(3_000 * STEP_NS, STEP_NS, 30));
    events
}

#[test]
fn flash_crash_halts_the_gate_on_the_event_of_detection() {
    for seed in 0..3 {
        let mut risk = controller(PostureConfig::default());
        let mut book = LevelBook::default();
        let events = scenario(seed);
        let outcome = drive(&mut risk, &mut book, &events, |b, e| b.apply(e));
        // Default rules: Elevated stress keeps the gate Active, Severe halts it.
        outcome.assert_gate_moved_on_detection(true, GateState::Halted);
        let severe = outcome.first_severe.unwrap();
        assert_eq!(
            severe,
            events.len() - 30 - 1,
            "the best bid is pulled at this event"
        );
        assert!(
            outcome.states[..severe]
                .iter()
                .all(|s| *s == GateState::Active)
        );
        assert_eq!(risk.gate().state(), GateState::Halted);
        assert_eq!(risk.posture().max_participation, 0.0);
    }
}

#[test]
fn orders_pass_before_the_crash_and_are_denied_right_after_it() {
    let mut risk = controller(PostureConfig::default());
    let mut book = LevelBook::default();
    let events = scenario(7);
    let crash_at = events.len() - 30 - 1;
    let (before, after) = events.split_at(crash_at);
    drive(&mut risk, &mut book, before, |b, e| b.apply(e));
    assert_eq!(risk.submit(Ts(1), buy(1)), Ok(()));
    // The event that pulls the best bid, then an order in the same instant.
    let step = {
        book.apply(&after[0]);
        risk.on_market_event(&after[0], &book).unwrap()
    };
    assert_eq!(step.reading.level, StressLevel::Severe);
    assert_eq!(
        (step.state_before, step.state_after),
        (GateState::Active, GateState::Halted)
    );
    assert_eq!(risk.submit(Ts(2), buy(2)), Err(Deny::Halted));
    // Cancels still pass while halted.
    let cancel = OrderRequest::Cancel {
        id: OrderId(1),
        owner: TraderId(1),
    };
    assert_eq!(risk.submit(Ts(3), cancel), Ok(()));
}

#[test]
fn reducing_on_elevated_stress_then_halted_on_severe() {
    let rules = PostureConfig {
        elevated_stress_state: GateState::Reducing,
        ..PostureConfig::default()
    };
    let mut risk = controller(rules);
    let mut book = LevelBook::default();
    let events = scenario(3);
    let outcome = drive(&mut risk, &mut book, &events, |b, e| b.apply(e));
    outcome.assert_gate_moved_on_detection(false, GateState::Reducing);
    let first = outcome.first_flag.unwrap();
    let severe = outcome.first_severe.unwrap();
    assert_eq!(
        severe,
        first + 2,
        "depth collapses two events before the spread blows out"
    );
    assert_eq!(outcome.states[first], GateState::Reducing);
    assert_eq!(outcome.states[severe - 1], GateState::Reducing);
    assert_eq!(outcome.states[severe], GateState::Halted);
}

#[test]
fn the_gate_relaxes_only_after_the_recovery_streak() {
    let rules = PostureConfig {
        recovery_events: 50,
        ..PostureConfig::default()
    };
    let mut risk = controller(rules);
    let mut book = LevelBook::default();
    let events = scenario(5);
    drive(&mut risk, &mut book, &events, |b, e| b.apply(e));
    assert_eq!(risk.gate().state(), GateState::Halted);
    // The book refills: bid levels 9 999 … 9 995 back at 100 lots, the stray bid removed.
    let t0 = events.last().unwrap().ts().0 + STEP_NS;
    let mut recovery = vec![stress_support::level(t0, Side::Buy, 9_979, 0)];
    recovery.extend(initial_events(t0, 100));
    let calm_from = recovery.len() - 1; // the book is whole again after the last refill
    recovery.extend(stationary_stream(
        11,
        200,
        t0 + STEP_NS,
        STEP_NS,
        100,
        10,
        0.0,
    ));
    let outcome = drive(&mut risk, &mut book, &recovery, |b, e| b.apply(e));
    // The first refill leaves the book one-sided → Severe; from the next event on the
    // reading is at most Elevated (depth still short while the levels come back), which the
    // default rules map to Active: the streak of less strict postures starts there.
    assert_eq!(outcome.levels[0], StressLevel::Severe);
    let lenient = outcome
        .levels
        .iter()
        .position(|l| *l < StressLevel::Severe)
        .unwrap();
    assert_eq!(lenient, 1);
    assert!(
        outcome.levels[calm_from..]
            .iter()
            .all(|l| *l == StressLevel::Calm)
    );
    let (relaxed_at, state) = outcome.first_gate_change.unwrap();
    assert_eq!(state, GateState::Active);
    // 50 consecutive lenient events, the 50th of which relaxes the gate.
    assert_eq!(relaxed_at, lenient + 49);
    assert!(
        outcome.states[..relaxed_at]
            .iter()
            .all(|s| *s == GateState::Halted)
    );
}

#[test]
fn volatility_regime_and_floor_move_the_gate_at_once() {
    let mut risk = controller(PostureConfig::default());
    assert_eq!(risk.gate().state(), GateState::Active);
    let p = risk.set_volatility_ratio(Some(2.5)).unwrap();
    assert_eq!(p.trading_state, GateState::Reducing);
    assert_eq!(risk.gate().state(), GateState::Reducing);
    risk.set_volatility_ratio(Some(1.0)).unwrap();
    // Relaxation waits for market events, not for new inputs.
    assert_eq!(risk.gate().state(), GateState::Reducing);
    risk.set_regime(Regime::Crisis);
    assert_eq!(risk.posture().trading_state, GateState::Reducing);
    risk.set_floor(GateState::Halted);
    assert_eq!(risk.gate().state(), GateState::Halted);
    assert!(risk.set_volatility_ratio(Some(f64::NAN)).is_err());
}

#[test]
fn an_engaged_kill_switch_is_left_to_the_operator() {
    let rules = PostureConfig {
        recovery_events: 1,
        ..PostureConfig::default()
    };
    let mut risk = controller(rules);
    // A fill far below the mark: loss beyond the default 50 000 limit trips the switch.
    risk.gate_mut()
        .on_exec_report(&ExecReport::Fill(shortfall_core::Fill {
            ts: Ts(0),
            id: OrderId(99),
            owner: TraderId(1),
            side: Side::Buy,
            price: Price(10_000),
            qty: Qty(1_000),
            leaves_qty: Qty(0),
            liquidity: shortfall_core::Liquidity::Taker,
            counterparty: OrderId(0),
        }));
    risk.gate_mut().on_mark(Price(4_000));
    assert!(risk.gate().kill_switch().is_some());
    let mut book = LevelBook::default();
    let events = initial_events(0, 100);
    let outcome = drive(&mut risk, &mut book, &events, |b, e| b.apply(e));
    assert!(outcome.states.iter().all(|s| *s == GateState::Halted));
}

mod monotone {
    use proptest::prelude::*;
    use shortfall_risk::posture::{PostureConfig, PostureInputs, Regime};
    use shortfall_risk::stress::StressLevel;

    fn regime(i: u8) -> Regime {
        [Regime::Normal, Regime::Turbulent, Regime::Crisis][i as usize % 3]
    }

    fn stress(i: u8) -> StressLevel {
        [
            StressLevel::Calm,
            StressLevel::Elevated,
            StressLevel::Severe,
        ][i as usize % 3]
    }

    proptest! {
        /// Worse inputs never give a more permissive posture: the trading state never
        /// loosens and the participation cap never grows when the volatility ratio, the
        /// regime or the stress level gets worse (default rules).
        #[test]
        fn a_worse_input_never_loosens_the_posture(
            r1 in 0.0f64..10.0, dr in 0.0f64..10.0,
            g1 in 0u8..3, dg in 0u8..3,
            s1 in 0u8..3, ds in 0u8..3,
        ) {
            let rules = PostureConfig::default();
            let a = PostureInputs { vol_ratio: Some(r1), regime: regime(g1), stress: stress(s1) };
            let b = PostureInputs {
                vol_ratio: Some(r1 + dr),
                regime: regime((g1 + dg).min(2)),
                stress: stress((s1 + ds).min(2)),
            };
            let (pa, pb) = (rules.posture(&a), rules.posture(&b));
            prop_assert!(pb.trading_state >= pa.trading_state, "{:?} -> {:?}", pa, pb);
            prop_assert!(pb.max_participation <= pa.max_participation, "{:?} -> {:?}", pa, pb);
            prop_assert!(pb.max_participation >= 0.0 && pb.max_participation <= rules.base_participation);
        }
    }
}
