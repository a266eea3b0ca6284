//! Trading states, the kill switch, and the audit trail.

mod gate_support;

use gate_support::*;
use shortfall_core::{OrderId, OrderRequest, OrderSink, Price, Qty, Side, Ts};
use shortfall_risk::Error;
use shortfall_risk::gate::{Deny, DenyKind, GateState, NoAuditLog, Outcome};

#[test]
fn active_gate_forwards_orders_that_pass_every_check() {
    let (mut gate, venue) = gate();
    assert_eq!(gate.state(), GateState::Active);
    gate.submit(Ts(1), buy(1, 10_000, 1)).unwrap();
    gate.submit(Ts(2), modify(1, 10_001, 2)).unwrap();
    gate.submit(Ts(3), cancel(1)).unwrap();
    assert_eq!(venue.received.borrow().len(), 3);
}

#[test]
fn reducing_gate_passes_only_orders_that_reduce_the_position_and_cancels() {
    let (mut gate, _venue) = gate();
    gate.submit(Ts(1), buy(1, 10_000, 30)).unwrap();
    gate.on_exec_report(&fill(1, Side::Buy, 10_000, 30, 0));
    gate.submit(Ts(2), buy(2, 9_990, 5)).unwrap();
    gate.set_state(GateState::Reducing).unwrap();

    assert_eq!(
        gate.submit(Ts(3), buy(3, 9_990, 1)),
        Err(Deny::NotReducing {
            position: Qty(30),
            would_be: Qty(36)
        })
    );
    // Selling more than the position would flip it short.
    assert_eq!(
        gate.submit(Ts(4), sell(4, 10_010, 31)),
        Err(Deny::NotReducing {
            position: Qty(30),
            would_be: Qty(-1)
        })
    );
    assert_eq!(gate.submit(Ts(5), sell(5, 10_010, 30)), Ok(()));
    // The open sell already covers the whole position.
    assert!(matches!(
        gate.submit(Ts(6), sell(6, 10_010, 1)),
        Err(Deny::NotReducing { .. })
    ));
    // A modify may shrink an order but not grow it.
    assert!(matches!(
        gate.submit(Ts(7), modify(2, 9_990, 6)),
        Err(Deny::NotReducing { .. })
    ));
    assert_eq!(gate.submit(Ts(8), modify(2, 9_990, 4)), Ok(()));
    assert_eq!(gate.submit(Ts(9), cancel(2)), Ok(()));
}

#[test]
fn reducing_gate_with_a_flat_position_passes_no_new_order() {
    let (mut gate, _venue) = gate();
    gate.set_state(GateState::Reducing).unwrap();
    assert!(matches!(
        gate.submit(Ts(1), buy(1, 10_000, 1)),
        Err(Deny::NotReducing {
            position: Qty(0),
            ..
        })
    ));
    assert!(matches!(
        gate.submit(Ts(2), sell(2, 10_000, 1)),
        Err(Deny::NotReducing {
            position: Qty(0),
            ..
        })
    ));
}

#[test]
fn halted_gate_passes_only_cancels() {
    let (mut gate, _venue) = gate();
    gate.submit(Ts(1), buy(1, 10_000, 1)).unwrap();
    gate.set_state(GateState::Halted).unwrap();
    assert_eq!(gate.submit(Ts(2), buy(2, 10_000, 1)), Err(Deny::Halted));
    assert_eq!(gate.submit(Ts(3), modify(1, 10_000, 2)), Err(Deny::Halted));
    assert_eq!(gate.submit(Ts(4), cancel(1)), Ok(()));
    // Resetting a kill switch that never tripped does not lift an operator's halt.
    assert_eq!(gate.reset_kill_switch(), None);
    assert_eq!(gate.state(), GateState::Halted);
    gate.set_state(GateState::Active).unwrap();
    assert_eq!(gate.submit(Ts(5), buy(2, 10_000, 1)), Ok(()));
}

#[test]
fn losses_through_fills_and_the_mark_trip_a_sticky_kill_switch_until_reset() {
    let (mut gate, _venue) = gate();
    // Long 50 at 100.00; the loss limit is 1 000.00, i.e. 20.00 a lot.
    gate.submit(Ts(1), buy(1, 10_000, 50)).unwrap();
    gate.on_exec_report(&fill(1, Side::Buy, 10_000, 50, 0));
    gate.submit(Ts(2), sell(2, 10_050, 10)).unwrap();
    gate.on_mark(Price(8_000)); // -1 000.00: at the limit, not beyond it
    assert_eq!(gate.kill_switch(), None);
    assert_eq!(gate.state(), GateState::Active);

    gate.on_mark(Price(7_999)); // -1 000.50
    let trip = gate.kill_switch().expect("the loss limit was breached");
    assert!((trip.daily_pnl + 1_000.5).abs() < 1e-9, "{trip:?}");
    assert_eq!(trip.limit, 1_000.0);
    assert_eq!(gate.state(), GateState::Halted);

    // Only cancels pass.
    assert!(matches!(
        gate.submit(Ts(3), sell(3, 8_000, 1)),
        Err(Deny::KillSwitch { .. })
    ));
    assert!(matches!(
        gate.submit(Ts(4), modify(2, 8_000, 10)),
        Err(Deny::KillSwitch { .. })
    ));
    assert_eq!(gate.submit(Ts(5), cancel(2)), Ok(()));
    // Sticky: operators cannot just switch it back on, and a new day keeps it.
    assert!(matches!(
        gate.set_state(GateState::Active),
        Err(Error::KillSwitchEngaged {
            requested: "active"
        })
    ));
    gate.new_day();
    assert!(gate.kill_switch().is_some());
    assert!(matches!(
        gate.submit(Ts(6), sell(6, 8_000, 1)),
        Err(Deny::KillSwitch { .. })
    ));

    // Reset restores trading.
    assert_eq!(gate.reset_kill_switch(), Some(trip));
    assert_eq!(gate.state(), GateState::Active);
    assert_eq!(gate.submit(Ts(7), sell(7, 8_000, 1)), Ok(()));
    assert_eq!(gate.counters().denied(DenyKind::KillSwitch), 3);
}

#[test]
fn realised_losses_alone_trip_the_kill_switch() {
    let (mut gate, _venue) = gate();
    gate.submit(Ts(1), buy(1, 10_000, 50)).unwrap();
    gate.on_exec_report(&fill(1, Side::Buy, 10_000, 50, 0));
    gate.on_reference_price(Price(9_000));
    gate.submit(Ts(2), sell(2, 9_000, 50)).unwrap();
    gate.on_exec_report(&fill(2, Side::Sell, 7_900, 50, 0)); // -1 050.00 realised
    assert_eq!(gate.position(), Qty(0));
    assert!((gate.realised_pnl() + 1_050.0).abs() < 1e-9);
    assert!(gate.kill_switch().is_some());
}

#[test]
fn new_day_restarts_the_daily_pnl_and_keeps_the_position() {
    let (mut gate, _venue) = gate();
    gate.submit(Ts(1), buy(1, 10_000, 50)).unwrap();
    gate.on_exec_report(&fill(1, Side::Buy, 10_000, 50, 0));
    gate.on_mark(Price(8_500)); // -750.00
    gate.new_day();
    assert_eq!(gate.daily_pnl(), 0.0);
    assert_eq!(gate.position(), Qty(50));
    gate.on_mark(Price(7_000)); // -750.00 more today: within the limit
    assert_eq!(gate.kill_switch(), None);
    assert!((gate.unrealised_pnl() + 1_500.0).abs() < 1e-9);
}

#[test]
fn audit_log_records_every_decision_in_order() {
    let (mut gate, _venue) = gate();
    gate.submit(Ts(1), buy(1, 10_000, 1)).unwrap();
    let _ = gate.submit(Ts(2), buy(2, 10_000, 500));
    gate.submit(Ts(3), cancel(1)).unwrap();
    let records: Vec<_> = gate.audit().iter().cloned().collect();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0].ts, Ts(1));
    assert_eq!(records[0].request, buy(1, 10_000, 1));
    assert_eq!(records[0].outcome, Outcome::Forwarded);
    assert_eq!(
        records[1].outcome,
        Outcome::Denied(Deny::MaxOrderQty {
            limit: Qty(100),
            qty: Qty(500)
        })
    );
    assert_eq!(records[2].request, cancel(1));
    assert_eq!(gate.audit().dropped(), 0);
}

#[test]
fn audit_ring_overwrites_the_oldest_records_and_counts_them() {
    let (mut gate, _venue) = gate(); // audit_capacity = 4
    for id in 1..=6 {
        let _ = gate.submit(Ts(id as i64), buy(id, 10_000, 0));
    }
    assert_eq!(gate.audit().len(), 4);
    assert_eq!(gate.audit().dropped(), 2);
    let ids: Vec<OrderId> = gate.audit().iter().map(|r| r.request.id()).collect();
    assert_eq!(ids, [OrderId(3), OrderId(4), OrderId(5), OrderId(6)]);
}

#[test]
fn no_op_audit_log_keeps_nothing_but_the_counters_still_count() {
    let mut gate = config()
        .build_with_audit(instrument(), Venue::default(), NoAuditLog)
        .unwrap();
    gate.on_reference_price(REF);
    let request: OrderRequest = buy(1, 10_000, 1);
    gate.submit(Ts(1), request).unwrap();
    assert_eq!(gate.counters().forwarded(), 1);
    assert_eq!(*gate.audit(), NoAuditLog);
}
