//! Helpers shared by the gate's integration tests.
#![allow(dead_code)]

use shortfall_core::{
    CancelReason, ExecReport, Fill, Instrument, Liquidity, NewOrder, OrderId, OrderRequest,
    OrderSink, Price, Qty, Side, TimeInForce, TraderId, Ts,
};
use shortfall_risk::gate::{GateConfig, PreTradeGate, RingAuditLog};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

pub const ME: TraderId = TraderId(7);
/// 100.00 with a 0.01 tick.
pub const REF: Price = Price(10_000);

/// A venue that records what reaches it and can be told to refuse.
#[derive(Clone, Debug, Default)]
pub struct Venue {
    pub received: Rc<RefCell<Vec<OrderRequest>>>,
    pub refuse: Rc<Cell<bool>>,
}

impl OrderSink for Venue {
    type Refusal = &'static str;

    fn submit(&mut self, _now: Ts, request: OrderRequest) -> Result<(), Self::Refusal> {
        if self.refuse.get() {
            return Err("venue closed");
        }
        self.received.borrow_mut().push(request);
        Ok(())
    }
}

pub fn instrument() -> Instrument {
    Instrument::new("TEST", 0.01, 1.0).expect("a valid instrument")
}

/// Small limits that tests can reach in a few orders.
pub const TEST_TOML: &str = r#"
max_order_qty = 100
max_order_notional = 5000.0
max_long_position = 120
max_short_position = 80
collar_bps = 100
max_daily_loss = 1000.0
max_open_orders = 8
audit_capacity = 4

[order_rate]
capacity = 5
refill_per_sec = 1

[cancel_rate]
capacity = 3
refill_per_sec = 1
"#;

pub fn config() -> GateConfig {
    GateConfig::from_toml_str(TEST_TOML).expect("the test config parses")
}

/// A gate with the test limits and a reference price of 100.00; returns the venue's
/// handles alongside.
pub fn gate_with(config: GateConfig) -> (PreTradeGate<Venue, RingAuditLog>, Venue) {
    let venue = Venue::default();
    let mut gate = config
        .build(instrument(), venue.clone())
        .expect("the test config is valid");
    gate.on_reference_price(REF);
    (gate, venue)
}

pub fn gate() -> (PreTradeGate<Venue, RingAuditLog>, Venue) {
    gate_with(config())
}

pub fn limit(id: u64, side: Side, price: i64, qty: i64) -> OrderRequest {
    OrderRequest::New(NewOrder::limit(
        OrderId(id),
        ME,
        side,
        Price(price),
        Qty(qty),
        TimeInForce::Gtc,
    ))
}

pub fn buy(id: u64, price: i64, qty: i64) -> OrderRequest {
    limit(id, Side::Buy, price, qty)
}

pub fn sell(id: u64, price: i64, qty: i64) -> OrderRequest {
    limit(id, Side::Sell, price, qty)
}

pub fn market(id: u64, side: Side, qty: i64) -> OrderRequest {
    OrderRequest::New(NewOrder::market(OrderId(id), ME, side, Qty(qty)))
}

pub fn cancel(id: u64) -> OrderRequest {
    OrderRequest::Cancel {
        id: OrderId(id),
        owner: ME,
    }
}

pub fn modify(id: u64, price: i64, qty: i64) -> OrderRequest {
    OrderRequest::Modify {
        id: OrderId(id),
        owner: ME,
        price: Price(price),
        qty: Qty(qty),
    }
}

pub fn fill(id: u64, side: Side, price: i64, qty: i64, leaves: i64) -> ExecReport {
    ExecReport::Fill(Fill {
        ts: Ts(0),
        id: OrderId(id),
        owner: ME,
        side,
        price: Price(price),
        qty: Qty(qty),
        leaves_qty: Qty(leaves),
        liquidity: Liquidity::Taker,
        counterparty: OrderId(u64::MAX),
    })
}

pub fn cancelled(id: u64, qty: i64) -> ExecReport {
    ExecReport::Cancelled {
        ts: Ts(0),
        id: OrderId(id),
        owner: ME,
        qty: Qty(qty),
        reason: CancelReason::Requested,
    }
}
