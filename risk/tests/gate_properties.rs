//! Property: whatever a strategy sends and however the venue fills what the gate
//! forwarded, the position never passes the configured limits and open quantity never goes
//! negative.

mod gate_support;

use gate_support::*;
use proptest::prelude::*;
use shortfall_core::{
    CancelReason, ExecReport, NewOrder, OrderId, OrderRequest, OrderSink, Price, Qty, RejectReason,
    Side, Ts,
};
use shortfall_risk::gate::{GateConfig, GateState, PreTradeGate, RingAuditLog};

#[derive(Clone, Debug)]
enum Action {
    New {
        id: u64,
        side: Side,
        market: bool,
        offset: i64,
        qty: i64,
    },
    Cancel {
        id: u64,
    },
    Modify {
        id: u64,
        offset: i64,
        qty: i64,
    },
    /// Fill part of the `pick`-th order live at the venue, at any price.
    Fill {
        pick: usize,
        qty: i64,
        price: i64,
    },
    Expire {
        pick: usize,
    },
    Mark {
        price: i64,
    },
    SetState(GateState),
    ResetKillSwitch,
    NewDay,
    Wait {
        millis: i64,
    },
}

fn side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Buy), Just(Side::Sell)]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        6 => (0..40u64, side(), any::<bool>(), -150..150i64, -2..130i64).prop_map(
            |(id, side, market, offset, qty)| Action::New { id, side, market, offset, qty }
        ),
        2 => (0..40u64).prop_map(|id| Action::Cancel { id }),
        2 => (0..40u64, -150..150i64, -2..130i64)
            .prop_map(|(id, offset, qty)| Action::Modify { id, offset, qty }),
        5 => (any::<usize>(), 1..200i64, 1..30_000i64)
            .prop_map(|(pick, qty, price)| Action::Fill { pick, qty, price }),
        1 => any::<usize>().prop_map(|pick| Action::Expire { pick }),
        1 => (5_000..15_000i64).prop_map(|price| Action::Mark { price }),
        1 => prop_oneof![
            Just(GateState::Active),
            Just(GateState::Reducing),
            Just(GateState::Halted)
        ]
        .prop_map(Action::SetState),
        1 => Just(Action::ResetKillSwitch),
        1 => Just(Action::NewDay),
        2 => (0..3_000i64).prop_map(|millis| Action::Wait { millis }),
    ]
}

/// The venue's side of the story: what is live there, and the position from its fills.
#[derive(Default)]
struct VenueModel {
    live: Vec<(OrderId, Side, i64)>,
    position: i64,
}

impl VenueModel {
    /// Answers what reached the venue, as a venue would, feeding the reports to the gate.
    fn process(&mut self, gate: &mut PreTradeGate<Venue, RingAuditLog>, venue: &Venue, now: Ts) {
        let requests: Vec<OrderRequest> = venue.received.borrow_mut().drain(..).collect();
        for request in requests {
            let id = request.id();
            let at = self.live.iter().position(|o| o.0 == id);
            let report = match (request, at) {
                (OrderRequest::New(o), None) => {
                    self.live.push((o.id, o.side, o.qty.0));
                    ExecReport::Accepted {
                        ts: now,
                        id,
                        owner: ME,
                    }
                }
                (OrderRequest::Modify { qty, .. }, Some(i)) => {
                    self.live[i].2 = qty.0;
                    ExecReport::Accepted {
                        ts: now,
                        id,
                        owner: ME,
                    }
                }
                (OrderRequest::Cancel { .. }, Some(i)) => {
                    let (_, _, leaves) = self.live.remove(i);
                    ExecReport::Cancelled {
                        ts: now,
                        id,
                        owner: ME,
                        qty: Qty(leaves),
                        reason: CancelReason::Requested,
                    }
                }
                (OrderRequest::New(_), Some(_)) => ExecReport::Rejected {
                    ts: now,
                    id,
                    owner: ME,
                    reason: RejectReason::DuplicateOrderId,
                },
                (_, None) => ExecReport::Rejected {
                    ts: now,
                    id,
                    owner: ME,
                    reason: RejectReason::UnknownOrder,
                },
            };
            gate.on_exec_report(&report);
        }
    }

    fn open(&self, side: Side) -> i64 {
        self.live.iter().filter(|o| o.1 == side).map(|o| o.2).sum()
    }
}

fn request(action: &Action) -> Option<OrderRequest> {
    Some(match *action {
        Action::New {
            id,
            side,
            market,
            offset,
            qty,
        } => OrderRequest::New(if market {
            NewOrder::market(OrderId(id), ME, side, Qty(qty))
        } else {
            match limit(id, side, REF.0 + offset, qty) {
                OrderRequest::New(o) => o,
                _ => unreachable!("limit() builds a new order"),
            }
        }),
        Action::Cancel { id } => cancel(id),
        Action::Modify { id, offset, qty } => modify(id, REF.0 + offset, qty),
        _ => return None,
    })
}

fn property_config() -> GateConfig {
    let mut config = config();
    config.max_order_notional = 1e6;
    config
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_sequence_of_requests_and_fills_takes_the_position_past_the_limits(
        actions in prop::collection::vec(action(), 1..150)
    ) {
        let config = property_config();
        let (max_long, max_short) = (config.max_long_position, config.max_short_position);
        let (mut gate, venue) = gate_with(config);
        let mut model = VenueModel::default();
        let mut now = Ts(0);

        for action in &actions {
            if let Some(request) = request(action) {
                let _ = gate.submit(now, request);
                model.process(&mut gate, &venue, now);
            }
            match *action {
                Action::Fill { pick, qty, price } if !model.live.is_empty() => {
                    let i = pick % model.live.len();
                    let (id, side, leaves) = model.live[i];
                    let qty = 1 + (qty - 1) % leaves;
                    let left = leaves - qty;
                    if left == 0 {
                        model.live.remove(i);
                    } else {
                        model.live[i].2 = left;
                    }
                    model.position += side.sign() * qty;
                    gate.on_exec_report(&fill(id.0, side, price, qty, left));
                }
                Action::Expire { pick } if !model.live.is_empty() => {
                    let (id, _, leaves) = model.live.remove(pick % model.live.len());
                    gate.on_exec_report(&ExecReport::Expired {
                        ts: now, id, owner: ME, qty: Qty(leaves),
                    });
                }
                Action::Mark { price } => gate.on_mark(Price(price)),
                Action::SetState(state) => { let _ = gate.set_state(state); }
                Action::ResetKillSwitch => { gate.reset_kill_switch(); }
                Action::NewDay => gate.new_day(),
                Action::Wait { millis } => now = Ts(now.0 + Ts::from_millis(millis).0),
                _ => {}
            }

            let position = gate.position().0;
            prop_assert_eq!(position, model.position);
            prop_assert!(
                -max_short <= position && position <= max_long,
                "position {} outside [-{}, {}]", position, max_short, max_long
            );
            for side in [Side::Buy, Side::Sell] {
                let open = gate.open_qty(side).0;
                prop_assert!(open >= 0, "open {} quantity {} is negative", side, open);
                prop_assert!(
                    open >= model.open(side),
                    "the gate counts {} open {} but the venue has {}", open, side, model.open(side)
                );
            }
        }
    }
}
