//! Criterion benchmarks of the pre-trade risk gate.
//!
//! - `gate/submit_default_chain/ns_per_order`: a limit order that passes every check of the
//!   default configuration (state, duplicate id, open-order count, quantity, collar,
//!   notional, position, self-trade, order-rate throttle), is forwarded to a counting
//!   no-op sink and audited in the default ring; then the venue's cancel report that
//!   releases it (so the open-order book stays one order deep, as it would for a strategy
//!   that keeps one quote working). The clock advances 20 ms per order, the default
//!   throttle's refill interval, and a new day starts every 65 536 orders (amortised in).
//! - `gate/submit_default_chain_no_audit/ns_per_order`: the same with [`NoAuditLog`].
//! - `gate/submit_denied_position_limit/ns_per_order`: a buy denied by the position limit
//!   (the last check before the throttle), counted and audited.

use std::convert::Infallible;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use shortfall_core::{
    CancelReason, ExecReport, Instrument, NewOrder, OrderId, OrderRequest, OrderSink, Price, Qty,
    Side, TimeInForce, TraderId, Ts,
};
use shortfall_risk::gate::{AuditLog, GateConfig, NoAuditLog, PreTradeGate};

/// The venue stand-in: counts what reaches it.
#[derive(Debug, Default)]
struct CountingSink {
    count: u64,
}

impl OrderSink for CountingSink {
    type Refusal = Infallible;

    fn submit(&mut self, _now: Ts, _request: OrderRequest) -> Result<(), Infallible> {
        self.count += 1;
        Ok(())
    }
}

const OWNER: TraderId = TraderId(1);
const MID: Price = Price(10_000);

fn instrument() -> Instrument {
    Instrument::new("BENCH", 0.01, 1.0).expect("a valid instrument")
}

fn buy(id: u64, qty: i64) -> OrderRequest {
    OrderRequest::New(NewOrder::limit(
        OrderId(id),
        OWNER,
        Side::Buy,
        MID,
        Qty(qty),
        TimeInForce::Gtc,
    ))
}

fn forward_and_release<A: AuditLog>(
    gate: &mut PreTradeGate<CountingSink, A>,
    iters: u64,
    next_id: &mut u64,
) -> Duration {
    let step = Ts::from_millis(20).0;
    let start = Instant::now();
    for _ in 0..iters {
        *next_id += 1;
        let id = *next_id;
        if id.is_multiple_of(65_536) {
            gate.new_day();
        }
        let now = Ts(id as i64 * step);
        let outcome = gate.submit(now, black_box(buy(id, 1)));
        debug_assert!(outcome.is_ok(), "{outcome:?}");
        black_box(outcome).ok();
        gate.on_exec_report(&ExecReport::Cancelled {
            ts: now,
            id: OrderId(id),
            owner: OWNER,
            qty: Qty(1),
            reason: CancelReason::Requested,
        });
    }
    start.elapsed()
}

fn submit(c: &mut Criterion) {
    let mut g = c.benchmark_group("gate");

    let mut gate = GateConfig::default()
        .build(instrument(), CountingSink::default())
        .expect("the default config is valid");
    gate.on_mark(MID);
    let mut next_id = 0;
    g.bench_function("submit_default_chain/ns_per_order", |b| {
        b.iter_custom(|iters| forward_and_release(&mut gate, iters, &mut next_id))
    });
    assert_eq!(gate.counters().total_denied(), 0, "every order passed");
    assert_eq!(gate.counters().forwarded(), gate.into_inner().count);

    let mut quiet = GateConfig::default()
        .build_with_audit(instrument(), CountingSink::default(), NoAuditLog)
        .expect("the default config is valid");
    quiet.on_mark(MID);
    let mut next_id = 0;
    g.bench_function("submit_default_chain_no_audit/ns_per_order", |b| {
        b.iter_custom(|iters| forward_and_release(&mut quiet, iters, &mut next_id))
    });

    // Ten open buys of 1 000 fill the default long limit of 10 000.
    let mut full = GateConfig::default()
        .build(instrument(), CountingSink::default())
        .expect("the default config is valid");
    full.on_mark(MID);
    for id in 1..=10 {
        full.submit(Ts(id), buy(id as u64, 1_000))
            .expect("within the limits");
    }
    g.bench_function("submit_denied_position_limit/ns_per_order", |b| {
        b.iter(|| full.submit(Ts(100), black_box(buy(11, 1))))
    });
    g.finish();
}

criterion_group!(benches, submit);
criterion_main!(benches);
