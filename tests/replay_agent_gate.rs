//! The pre-trade risk gate wraps an agent replay's order-entry handle: the strategy is
//! given the gate, the driver keeps the replay, denied orders never reach the replay, and
//! the replay's reports feed the gate's position.

use shortfall::core::{
    ExecReport, Instrument, NewOrder, OrderId, OrderRequest, OrderSink, Price, Qty, Side,
    TimeInForce, TraderId, Ts,
};
use shortfall::lob_sim::data::lobster::{LobsterEventType, LobsterMessage};
use shortfall::lob_sim::replay::agent::{AgentReplayConfig, LobsterAgentReplay};
use shortfall::risk::gate::{Deny, GateConfig};

fn add(t: i64, id: u64, qty: i64, price: i64, side: Side) -> LobsterMessage {
    LobsterMessage {
        time: Ts(t),
        event_type: LobsterEventType::Submission,
        order_id: OrderId(id),
        size: Qty(qty),
        price: Price(price),
        direction: side,
    }
}

#[test]
fn a_gated_strategy_reaches_the_replay_only_through_the_gate() {
    let mut replay = LobsterAgentReplay::new(10, AgentReplayConfig::default()).unwrap();
    replay.process(&add(1, 1, 50, 10_000, Side::Buy), None);
    replay.process(&add(2, 2, 30, 10_200, Side::Sell), None);

    let config = GateConfig::from_toml_str(
        "max_order_qty = 20\nmax_order_notional = 1000000.0\ncollar_bps = 500\n",
    )
    .unwrap();
    let instrument = Instrument::new("TEST", 0.01, 1.0).unwrap();
    let mut gate = config.build(instrument, replay.order_entry()).unwrap();
    gate.on_reference_price(Price(10_100));

    let me = TraderId(9);
    let buy = |id, qty| {
        OrderRequest::New(NewOrder::limit(
            OrderId(id),
            me,
            Side::Buy,
            Price(10_200),
            Qty(qty),
            TimeInForce::Ioc,
        ))
    };
    // Too large: the gate says no and the replay never hears of it.
    assert_eq!(
        gate.submit(Ts(2), buy(1, 25)),
        Err(Deny::MaxOrderQty {
            limit: Qty(20),
            qty: Qty(25)
        })
    );
    assert_eq!(gate.submit(Ts(2), buy(2, 20)), Ok(()));
    replay.process(&add(3, 3, 5, 9_900, Side::Buy), None);
    let reports: Vec<ExecReport> = replay.drain_reports().collect();
    for report in &reports {
        gate.on_exec_report(report);
    }
    assert_eq!(replay.stats().requests, 1, "only the allowed order arrived");
    assert_eq!(replay.stats().taker_qty, 20);
    assert_eq!(gate.position(), Qty(20));
}
