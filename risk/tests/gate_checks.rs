//! One test per deny reason: the request that is denied, and one just inside the limit
//! that passes.

mod gate_support;

use gate_support::*;
use shortfall_core::{ExecReport, OrderId, OrderSink, Price, Qty, RejectReason, Side, Ts};
use shortfall_risk::gate::{Deny, DenyKind, GateConfig};

#[test]
fn order_above_the_maximum_quantity_is_denied_and_the_maximum_passes() {
    let mut config = config();
    config.max_order_notional = 1e9;
    let (mut gate, venue) = gate_with(config);
    assert_eq!(
        gate.submit(Ts(1), buy(1, 10_000, 101)),
        Err(Deny::MaxOrderQty {
            limit: Qty(100),
            qty: Qty(101)
        })
    );
    assert_eq!(gate.submit(Ts(2), buy(2, 10_000, 100)), Ok(()));
    assert_eq!(venue.received.borrow().len(), 1);
}

#[test]
fn order_above_the_maximum_notional_is_denied_and_the_notional_at_the_limit_passes() {
    let (mut gate, _venue) = gate();
    // 51 lots × 100.00 = 5 100 > 5 000.
    match gate.submit(Ts(1), buy(1, 10_000, 51)) {
        Err(Deny::MaxNotional { limit, notional }) => {
            assert_eq!(limit, 5_000.0);
            assert!((notional - 5_100.0).abs() < 1e-6, "{notional}");
        }
        other => panic!("expected a notional denial, got {other:?}"),
    }
    assert_eq!(gate.submit(Ts(2), buy(2, 10_000, 50)), Ok(()));
}

#[test]
fn market_order_notional_is_valued_at_the_reference_price() {
    let (mut gate, _venue) = gate();
    gate.on_reference_price(Price(12_500)); // 125.00: 40 lots = 5 000, 41 lots = 5 125
    assert!(matches!(
        gate.submit(Ts(1), market(1, Side::Sell, 41)),
        Err(Deny::MaxNotional { .. })
    ));
    assert_eq!(gate.submit(Ts(2), market(2, Side::Sell, 40)), Ok(()));
}

#[test]
fn buy_that_could_take_the_position_past_the_long_limit_counting_open_orders_is_denied() {
    let (mut gate, _venue) = gate();
    gate.submit(Ts(1), buy(1, 10_000, 50)).unwrap();
    gate.on_exec_report(&fill(1, Side::Buy, 10_000, 50, 0));
    gate.submit(Ts(2), buy(2, 9_990, 50)).unwrap(); // open: worst case 100
    assert_eq!(
        gate.submit(Ts(3), buy(3, 9_990, 21)),
        Err(Deny::PositionLimit {
            side: Side::Buy,
            limit: Qty(120),
            would_be: Qty(121)
        })
    );
    assert_eq!(gate.submit(Ts(4), buy(4, 9_990, 20)), Ok(()));
    assert_eq!(gate.position(), Qty(50));
    assert_eq!(gate.open_qty(Side::Buy), Qty(70));
}

#[test]
fn sell_that_could_take_the_position_past_the_short_limit_is_denied() {
    let (mut gate, _venue) = gate();
    gate.submit(Ts(1), sell(1, 10_000, 50)).unwrap();
    assert_eq!(
        gate.submit(Ts(2), sell(2, 10_010, 31)),
        Err(Deny::PositionLimit {
            side: Side::Sell,
            limit: Qty(80),
            would_be: Qty(-81)
        })
    );
    assert_eq!(gate.submit(Ts(3), sell(3, 10_010, 30)), Ok(()));
}

#[test]
fn modify_that_grows_an_order_past_the_position_limit_is_denied() {
    let (mut gate, _venue) = gate();
    gate.submit(Ts(1), sell(1, 10_000, 50)).unwrap();
    gate.submit(Ts(2), sell(2, 10_010, 30)).unwrap();
    assert!(matches!(
        gate.submit(Ts(3), modify(2, 10_010, 31)),
        Err(Deny::PositionLimit {
            would_be: Qty(-81),
            ..
        })
    ));
    assert_eq!(gate.submit(Ts(4), modify(2, 10_020, 20)), Ok(()));
}

#[test]
fn limit_price_outside_the_collar_is_denied_and_the_collar_edge_passes() {
    let (mut gate, _venue) = gate();
    // 1 % of 100.00 is 1.00 = 100 ticks.
    assert_eq!(
        gate.submit(Ts(1), buy(1, 10_101, 1)),
        Err(Deny::PriceCollar {
            price: Price(10_101),
            reference: REF,
            deviation_bps: 101,
            collar_bps: 100
        })
    );
    assert!(matches!(
        gate.submit(Ts(2), sell(2, 9_899, 1)),
        Err(Deny::PriceCollar { .. })
    ));
    assert_eq!(gate.submit(Ts(3), buy(3, 10_100, 1)), Ok(()));
    assert_eq!(
        gate.submit(Ts(4), sell(4, 9_900, 1)),
        Err(Deny::SelfTrade {
            resting_id: OrderId(3),
            resting_price: Price(10_100)
        })
    );
}

#[test]
fn without_a_reference_price_orders_are_denied_unless_configured_otherwise() {
    let venue = Venue::default();
    let mut gate = config().build(instrument(), venue.clone()).unwrap();
    assert_eq!(
        gate.submit(Ts(1), buy(1, 10_000, 1)),
        Err(Deny::NoReferencePrice)
    );

    let mut relaxed = config();
    relaxed.require_reference_price = false;
    let mut gate = relaxed.build(instrument(), venue).unwrap();
    assert_eq!(gate.submit(Ts(1), buy(1, 10_000, 1)), Ok(()));
    // A market order has no price to value it at without a reference.
    assert_eq!(
        gate.submit(Ts(2), market(2, Side::Buy, 1)),
        Err(Deny::NoReferencePrice)
    );
}

#[test]
fn zero_or_negative_quantity_is_denied() {
    let (mut gate, _venue) = gate();
    assert_eq!(
        gate.submit(Ts(1), buy(1, 10_000, 0)),
        Err(Deny::InvalidQuantity { qty: Qty(0) })
    );
    assert_eq!(
        gate.submit(Ts(2), sell(2, 10_000, -3)),
        Err(Deny::InvalidQuantity { qty: Qty(-3) })
    );
    assert_eq!(gate.submit(Ts(3), buy(3, 10_000, 1)), Ok(()));
}

#[test]
fn order_that_would_cross_an_own_resting_order_is_denied_and_one_just_outside_passes() {
    let (mut gate, _venue) = gate();
    gate.submit(Ts(1), sell(1, 10_010, 5)).unwrap();
    gate.submit(Ts(2), sell(2, 10_020, 5)).unwrap();
    let crossing = Err(Deny::SelfTrade {
        resting_id: OrderId(1),
        resting_price: Price(10_010),
    });
    assert_eq!(gate.submit(Ts(3), buy(3, 10_010, 1)), crossing);
    assert_eq!(gate.submit(Ts(4), buy(4, 10_050, 1)), crossing);
    assert_eq!(gate.submit(Ts(5), market(5, Side::Buy, 1)), crossing);
    assert_eq!(gate.submit(Ts(6), buy(6, 10_009, 1)), Ok(()));
    // Once the resting sell is gone, the price it blocked is free.
    gate.on_exec_report(&cancelled(1, 5));
    gate.on_exec_report(&cancelled(2, 5));
    assert_eq!(gate.submit(Ts(7), buy(7, 10_010, 1)), Ok(()));
}

#[test]
fn self_trade_check_can_be_switched_off() {
    let mut config = config();
    config.self_trade_check = false;
    let (mut gate, _venue) = gate_with(config);
    gate.submit(Ts(1), sell(1, 10_010, 5)).unwrap();
    assert_eq!(gate.submit(Ts(2), buy(2, 10_010, 1)), Ok(()));
}

#[test]
fn duplicate_order_id_is_denied_even_after_the_order_finished_until_the_next_day() {
    let (mut gate, _venue) = gate();
    gate.submit(Ts(1), buy(1, 10_000, 1)).unwrap();
    assert_eq!(
        gate.submit(Ts(2), buy(1, 10_000, 1)),
        Err(Deny::DuplicateOrderId { id: OrderId(1) })
    );
    gate.on_exec_report(&cancelled(1, 1));
    assert_eq!(
        gate.submit(Ts(3), buy(1, 10_000, 1)),
        Err(Deny::DuplicateOrderId { id: OrderId(1) })
    );
    assert_eq!(gate.submit(Ts(4), buy(2, 10_000, 1)), Ok(()));
    gate.new_day();
    assert_eq!(gate.submit(Ts(5), buy(1, 10_000, 1)), Ok(()));
    // Still open across the day boundary: still a duplicate.
    assert_eq!(
        gate.submit(Ts(6), buy(2, 10_000, 1)),
        Err(Deny::DuplicateOrderId { id: OrderId(2) })
    );
}

#[test]
fn cancel_or_modify_of_an_unknown_order_is_denied_not_forwarded() {
    let (mut gate, venue) = gate();
    assert_eq!(
        gate.submit(Ts(1), cancel(9)),
        Err(Deny::UnknownOrder { id: OrderId(9) })
    );
    assert_eq!(
        gate.submit(Ts(2), modify(9, 10_000, 1)),
        Err(Deny::UnknownOrder { id: OrderId(9) })
    );
    gate.submit(Ts(3), buy(9, 10_000, 1)).unwrap();
    assert_eq!(gate.submit(Ts(4), cancel(9)), Ok(()));
    assert_eq!(venue.received.borrow().len(), 2);
}

#[test]
fn more_open_orders_than_configured_are_denied() {
    let (mut gate, _venue) = gate();
    let mut config = config();
    config.order_rate.capacity = 100;
    let (mut roomy, _v) = gate_with(config);
    for id in 1..=8 {
        roomy.submit(Ts(id as i64), buy(id, 10_000, 1)).unwrap();
    }
    assert_eq!(
        roomy.submit(Ts(9), buy(9, 10_000, 1)),
        Err(Deny::TooManyOpenOrders { limit: 8 })
    );
    roomy.on_exec_report(&cancelled(1, 1));
    assert_eq!(roomy.submit(Ts(10), buy(10, 10_000, 1)), Ok(()));
    // The small gate is untouched.
    assert_eq!(gate.open_orders(), 0);
    assert_eq!(gate.submit(Ts(1), buy(1, 10_000, 1)), Ok(()));
}

#[test]
fn order_rate_throttle_denies_beyond_its_burst_and_refills_over_time() {
    let (mut gate, _venue) = gate();
    for id in 1..=5 {
        gate.submit(Ts(0), buy(id, 10_000, 1)).unwrap();
    }
    assert_eq!(
        gate.submit(Ts(0), buy(6, 10_000, 1)),
        Err(Deny::OrderRate {
            capacity: 5,
            refill_per_sec: 1,
            retry_after: Some(Ts::from_secs(1))
        })
    );
    // Half a second later: still half a token short.
    assert!(matches!(
        gate.submit(Ts::from_millis(500), buy(7, 10_000, 1)),
        Err(Deny::OrderRate {
            retry_after: Some(Ts(500_000_000)),
            ..
        })
    ));
    // One second after the burst: exactly one token.
    assert_eq!(gate.submit(Ts::from_secs(1), buy(8, 10_000, 1)), Ok(()));
    assert!(gate.submit(Ts::from_secs(1), buy(9, 10_000, 1)).is_err());
    // A denied order spends no token: the next second still has exactly one.
    gate.on_exec_report(&cancelled(1, 1));
    assert_eq!(gate.submit(Ts::from_secs(2), buy(10, 10_000, 1)), Ok(()));
}

#[test]
fn cancel_rate_throttle_denies_beyond_its_burst_and_refills_over_time() {
    let (mut gate, _venue) = gate();
    for id in 1..=4 {
        gate.submit(Ts(0), buy(id, 10_000, 1)).unwrap();
    }
    for id in 1..=3 {
        gate.submit(Ts(0), cancel(id)).unwrap();
    }
    assert!(matches!(
        gate.submit(Ts(0), cancel(4)),
        Err(Deny::CancelRate { capacity: 3, .. })
    ));
    assert_eq!(gate.submit(Ts::from_secs(1), cancel(4)), Ok(()));
}

#[test]
fn venue_refusal_is_a_denial_and_leaves_no_open_order() {
    let (mut gate, venue) = gate();
    venue.refuse.set(true);
    assert_eq!(
        gate.submit(Ts(1), buy(1, 10_000, 1)),
        Err(Deny::Venue("\"venue closed\"".into()))
    );
    assert_eq!(gate.open_orders(), 0);
    venue.refuse.set(false);
    assert_eq!(gate.submit(Ts(2), buy(1, 10_000, 1)), Ok(()));
}

#[test]
fn venue_reports_release_open_quantity() {
    let (mut gate, _venue) = gate();
    gate.submit(Ts(1), buy(1, 10_000, 10)).unwrap();
    gate.submit(Ts(2), buy(2, 10_000, 10)).unwrap();
    gate.submit(Ts(3), buy(3, 10_000, 10)).unwrap();
    gate.on_exec_report(&fill(1, Side::Buy, 10_000, 4, 6));
    assert_eq!(gate.open_qty(Side::Buy), Qty(26));
    gate.on_exec_report(&cancelled(1, 6));
    gate.on_exec_report(&ExecReport::Expired {
        ts: Ts(4),
        id: OrderId(2),
        owner: ME,
        qty: Qty(10),
    });
    gate.on_exec_report(&ExecReport::Rejected {
        ts: Ts(5),
        id: OrderId(3),
        owner: ME,
        reason: RejectReason::NoLiquidity,
    });
    assert_eq!(gate.open_qty(Side::Buy), Qty(0));
    assert_eq!(gate.open_orders(), 0);
    assert_eq!(gate.position(), Qty(4));
}

#[test]
fn counters_count_forwards_and_each_deny_reason() {
    let (mut gate, _venue) = gate();
    gate.submit(Ts(1), buy(1, 10_000, 1)).unwrap();
    let _ = gate.submit(Ts(2), buy(1, 10_000, 1));
    let _ = gate.submit(Ts(3), buy(2, 10_000, 0));
    let _ = gate.submit(Ts(4), buy(3, 10_000, 0));
    let c = gate.counters();
    assert_eq!(c.forwarded(), 1);
    assert_eq!(c.denied(DenyKind::DuplicateOrderId), 1);
    assert_eq!(c.denied(DenyKind::InvalidQuantity), 2);
    assert_eq!(c.denied(DenyKind::PositionLimit), 0);
    assert_eq!(c.total_denied(), 3);
}

#[test]
fn a_strategy_holding_only_the_trait_object_can_submit_through_the_gate() {
    fn strategy(sink: &mut dyn OrderSink<Refusal = Deny>) -> Result<(), Deny> {
        sink.submit(Ts(1), buy(1, 10_000, 1))?;
        sink.submit(Ts(2), buy(2, 10_000, 1_000)).map(|_| ())
    }
    let (mut gate, venue) = gate();
    assert!(matches!(strategy(&mut gate), Err(Deny::MaxOrderQty { .. })));
    assert_eq!(venue.received.borrow().len(), 1);
    // The operator, who owns the gate, gets the venue back.
    let venue_back = gate.into_inner();
    assert_eq!(venue_back.received.borrow().len(), 1);
    let _ = GateConfig::default();
}
