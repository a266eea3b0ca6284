//! The LOBSTER agent replay on tiny hand-built message sequences, with every fill worked
//! out by hand in the comments.

use shortfall_core::{
    CancelReason, ExecReport, Liquidity, NewOrder, OrderId, OrderRequest, OrderSink, Price, Qty,
    RejectReason, Side, TimeInForce, TraderId, Ts,
};
use shortfall_lob_sim::data::lobster::{LobsterEventType, LobsterMessage};
use shortfall_lob_sim::replay::agent::{AgentReplayConfig, LobsterAgentReplay};

const AGENT: TraderId = TraderId(7);
const BID: Price = Price(100);
const ASK: Price = Price(102);

fn msg(
    t: i64,
    ty: LobsterEventType,
    id: u64,
    size: i64,
    price: Price,
    side: Side,
) -> LobsterMessage {
    LobsterMessage {
        time: Ts(t),
        event_type: ty,
        order_id: OrderId(id),
        size: Qty(size),
        price,
        direction: side,
    }
}

fn add(t: i64, id: u64, size: i64, price: Price, side: Side) -> LobsterMessage {
    msg(t, LobsterEventType::Submission, id, size, price, side)
}
fn cancel(t: i64, id: u64, size: i64, price: Price, side: Side) -> LobsterMessage {
    msg(t, LobsterEventType::Cancellation, id, size, price, side)
}
fn delete(t: i64, id: u64, size: i64, price: Price, side: Side) -> LobsterMessage {
    msg(t, LobsterEventType::Deletion, id, size, price, side)
}
fn execute(t: i64, id: u64, size: i64, price: Price, side: Side) -> LobsterMessage {
    msg(t, LobsterEventType::VisibleExecution, id, size, price, side)
}

fn replay() -> LobsterAgentReplay {
    LobsterAgentReplay::new(10, AgentReplayConfig::default()).unwrap()
}

fn limit(id: u64, side: Side, price: Price, qty: i64, tif: TimeInForce) -> OrderRequest {
    OrderRequest::New(NewOrder::limit(
        OrderId(id),
        AGENT,
        side,
        price,
        Qty(qty),
        tif,
    ))
}

/// (id, price, qty, liquidity, counterparty) of each fill.
fn fills(r: &mut LobsterAgentReplay) -> Vec<(u64, Price, i64, Liquidity, u64)> {
    r.drain_reports()
        .filter_map(|x| match x {
            ExecReport::Fill(f) => Some((f.id.0, f.price, f.qty.0, f.liquidity, f.counterparty.0)),
            _ => None,
        })
        .collect()
}

/// Submits at the replay's clock: the request reaches the book before the next message.
fn send(r: &mut LobsterAgentReplay, request: OrderRequest) {
    let now = r.clock();
    r.submit(now, request).unwrap();
}

/// Sends the request and lets it arrive now (processing the pending inbox).
fn send_now(r: &mut LobsterAgentReplay, request: OrderRequest) {
    send(r, request);
    r.finish();
}

/// A book with bids A (50) and B (30) at 100, asks X (30) and Y (20) at 102, Z (100) at 103.
fn seeded() -> LobsterAgentReplay {
    let mut r = replay();
    for m in [
        add(1, 1, 50, BID, Side::Buy),
        add(2, 2, 30, BID, Side::Buy),
        add(3, 11, 30, ASK, Side::Sell),
        add(4, 12, 20, ASK, Side::Sell),
        add(5, 13, 100, Price(103), Side::Sell),
    ] {
        r.process(&m, None);
    }
    r
}

#[test]
fn cancels_ahead_advance_the_agent_and_cancels_behind_do_not() {
    let mut r = seeded();
    send(&mut r, limit(100, Side::Buy, BID, 10, TimeInForce::Gtc));
    r.process(&add(10, 3, 40, BID, Side::Buy), None); // C joins behind the agent
    // Ahead: A 50 + B 30.
    assert_eq!(r.queue_ahead(OrderId(100)), Some(Qty(80)));
    r.process(&delete(11, 3, 40, BID, Side::Buy), None); // behind: no change
    assert_eq!(r.queue_ahead(OrderId(100)), Some(Qty(80)));
    r.process(&cancel(12, 1, 20, BID, Side::Buy), None); // A 50 -> 30
    assert_eq!(r.queue_ahead(OrderId(100)), Some(Qty(60)));
    r.process(&delete(13, 2, 30, BID, Side::Buy), None); // B leaves
    assert_eq!(r.queue_ahead(OrderId(100)), Some(Qty(30)));
    r.process(&execute(14, 1, 25, BID, Side::Buy), None); // 25 of A trade: 5 ahead
    assert_eq!(r.queue_ahead(OrderId(100)), Some(Qty(5)));
    r.process(&add(15, 4, 20, BID, Side::Buy), None); // D behind
    r.process(&execute(16, 1, 5, BID, Side::Buy), None); // A's last 5: none left ahead
    assert_eq!(r.queue_ahead(OrderId(100)), Some(Qty(0)));
    assert!(fills(&mut r).is_empty(), "nothing reached the agent yet");
    // An execution of D, behind us: with us in the queue it would have hit us first.
    r.process(&execute(17, 4, 8, BID, Side::Buy), None);
    assert_eq!(fills(&mut r), [(100, BID, 8, Liquidity::Maker, 4)]);
    let state = r.orders().next().unwrap();
    assert_eq!(state.leaves, Qty(2));
}

#[test]
fn an_execution_beyond_the_queue_ahead_fills_the_agent_with_the_overflow_only() {
    let mut r = seeded();
    send(&mut r, limit(100, Side::Buy, BID, 10, TimeInForce::Gtc));
    r.process(&add(10, 3, 50, BID, Side::Buy), None);
    // One sell of 84 sweeps A (50), B (30) and 4 of C: the 4 would have been ours.
    r.process(&execute(20, 1, 50, BID, Side::Buy), None);
    r.process(&execute(20, 2, 30, BID, Side::Buy), None);
    assert!(fills(&mut r).is_empty());
    r.process(&execute(20, 3, 4, BID, Side::Buy), None);
    assert_eq!(fills(&mut r), [(100, BID, 4, Liquidity::Maker, 3)]);
    // Another 25 of C: we have 6 left, so 6, not 25.
    r.process(&execute(21, 3, 25, BID, Side::Buy), None);
    assert_eq!(fills(&mut r), [(100, BID, 6, Liquidity::Maker, 3)]);
    assert_eq!(r.orders().count(), 0, "filled orders leave");
    r.process(&execute(22, 3, 5, BID, Side::Buy), None);
    assert!(fills(&mut r).is_empty());
    assert_eq!(r.stats().filled_qty, 10);
    assert_eq!(r.stats().maker_qty, 10);
}

#[test]
fn an_order_that_improves_the_best_price_is_first_in_line() {
    let mut r = seeded();
    // Bid at 101, inside the 100/102 spread: nothing historical is ahead of it.
    send(
        &mut r,
        limit(100, Side::Buy, Price(101), 20, TimeInForce::Gtc),
    );
    r.process(&add(10, 3, 5, BID, Side::Buy), None);
    assert_eq!(r.queue_ahead(OrderId(100)), Some(Qty(0)));
    // A sell of 15 hits A at 100: it would have hit us at 101 first.
    r.process(&execute(11, 1, 15, BID, Side::Buy), None);
    assert_eq!(fills(&mut r), [(100, Price(101), 15, Liquidity::Maker, 1)]);
    // A second agent bid at 100 (behind A 35, B 30, C 5) gets only what passes both.
    send(&mut r, limit(101, Side::Buy, BID, 50, TimeInForce::Gtc));
    r.process(&add(12, 4, 1, Price(99), Side::Buy), None);
    assert_eq!(r.queue_ahead(OrderId(101)), Some(Qty(70)));
    // 35 of A trade: the first 5 go to our 101 bid (its last 5), the other 30 would have
    // met A's 35 ahead of the 100 bid: nothing for it.
    r.process(&execute(13, 1, 35, BID, Side::Buy), None);
    assert_eq!(fills(&mut r), [(100, Price(101), 5, Liquidity::Maker, 1)]);
}

#[test]
fn consumed_liquidity_is_not_taken_twice_and_decays_as_history_removes_it() {
    let mut r = seeded();
    // IOC buy 40 at 102: X 30 then 10 of Y.
    send_now(&mut r, limit(200, Side::Buy, ASK, 40, TimeInForce::Ioc));
    assert_eq!(
        fills(&mut r),
        [
            (200, ASK, 30, Liquidity::Taker, 11),
            (200, ASK, 10, Liquidity::Taker, 12)
        ]
    );
    assert_eq!(r.consumed_qty(), Qty(40));
    // The historical book still shows all 50 at 102: the replay is unchanged.
    assert_eq!(
        r.book()
            .queue(Side::Sell, ASK)
            .map(|o| o.qty.0)
            .sum::<i64>(),
        50
    );
    // A market buy of 15: only Y's other 10 at 102 are left, then 5 of Z at 103.
    send_now(
        &mut r,
        OrderRequest::New(NewOrder::market(OrderId(201), AGENT, Side::Buy, Qty(15))),
    );
    assert_eq!(
        fills(&mut r),
        [
            (201, ASK, 10, Liquidity::Taker, 12),
            (201, Price(103), 5, Liquidity::Taker, 13)
        ]
    );
    assert_eq!(r.consumed_qty(), Qty(55));
    // History cancels 15 of Y (20 -> 5): we had taken all 20, so 5 stay consumed.
    r.process(&cancel(30, 12, 15, ASK, Side::Sell), None);
    assert_eq!(r.consumed_qty(), Qty(40)); // X 30 + Y 5 + Z 5
    // History deletes X: its consumption goes with it.
    r.process(&delete(31, 11, 30, ASK, Side::Sell), None);
    assert_eq!(r.consumed_qty(), Qty(10));
    // History cancels 20 of Z (100 -> 80): the 5 we took stay deducted.
    r.process(&cancel(32, 13, 20, Price(103), Side::Sell), None);
    assert_eq!(r.consumed_qty(), Qty(10));
    // An IOC for 200 at 103 finds Y 0 and Z 75 available.
    send_now(
        &mut r,
        limit(202, Side::Buy, Price(103), 200, TimeInForce::Ioc),
    );
    let reports: Vec<_> = r.drain_reports().collect();
    assert!(matches!(
        reports[1],
        ExecReport::Fill(f) if f.qty == Qty(75) && f.price == Price(103) && f.leaves_qty == Qty(125)
    ));
    assert!(matches!(
        reports[2],
        ExecReport::Expired { qty: Qty(125), .. }
    ));
    assert_eq!(r.stats().taker_qty, 40 + 15 + 75);
}

#[test]
fn liquidity_the_agent_took_is_not_counted_ahead_of_its_own_resting_order() {
    let mut r = seeded();
    // Take 20 of X (30) at 102, then rest a sell at 102 behind X's other 10 and Y's 20.
    send_now(&mut r, limit(300, Side::Buy, ASK, 20, TimeInForce::Ioc));
    fills(&mut r);
    send(&mut r, limit(301, Side::Sell, ASK, 15, TimeInForce::Gtc));
    r.process(&add(10, 14, 10, ASK, Side::Sell), None);
    assert_eq!(r.queue_ahead(OrderId(301)), Some(Qty(30)));
    // X's owner deletes it (history shows all 30; only 10 were really left).
    r.process(&delete(11, 11, 30, ASK, Side::Sell), None);
    assert_eq!(r.queue_ahead(OrderId(301)), Some(Qty(20)));
    assert_eq!(r.consumed_qty(), Qty(0));
    // A buy of 27 executes Y (20) and 7 of the order behind us: those 7 are ours.
    r.process(&execute(12, 12, 20, ASK, Side::Sell), None);
    r.process(&execute(12, 14, 7, ASK, Side::Sell), None);
    assert_eq!(fills(&mut r), [(301, ASK, 7, Liquidity::Maker, 14)]);
}

#[test]
fn post_only_is_rejected_when_it_would_cross_and_rests_otherwise() {
    let mut r = seeded();
    send_now(&mut r, limit(400, Side::Buy, ASK, 5, TimeInForce::PostOnly));
    send_now(
        &mut r,
        limit(401, Side::Buy, Price(101), 5, TimeInForce::PostOnly),
    );
    let reports: Vec<_> = r.drain_reports().collect();
    assert!(matches!(
        reports[0],
        ExecReport::Rejected {
            id: OrderId(400),
            reason: RejectReason::PostOnlyWouldCross,
            ..
        }
    ));
    assert!(matches!(
        reports[1],
        ExecReport::Accepted {
            id: OrderId(401),
            ..
        }
    ));
    assert_eq!(r.orders().count(), 1);
    assert_eq!(
        r.consumed_qty(),
        Qty(0),
        "a rejected post-only takes nothing"
    );
    // A post-only sell at 101 would cross the agent's own bid: rejected too.
    send_now(
        &mut r,
        limit(402, Side::Sell, Price(101), 5, TimeInForce::PostOnly),
    );
    assert!(matches!(
        r.drain_reports().next(),
        Some(ExecReport::Rejected {
            reason: RejectReason::PostOnlyWouldCross,
            ..
        })
    ));
}

#[test]
fn fill_or_kill_is_all_or_none() {
    let mut r = seeded();
    // 102 and 103 hold 50 + 100; at limit 102 only 50.
    send_now(&mut r, limit(500, Side::Buy, ASK, 51, TimeInForce::Fok));
    assert!(matches!(
        r.drain_reports().next(),
        Some(ExecReport::Rejected {
            reason: RejectReason::FokNotFillable,
            ..
        })
    ));
    assert_eq!(r.consumed_qty(), Qty(0));
    send_now(&mut r, limit(501, Side::Buy, ASK, 50, TimeInForce::Fok));
    let f = fills(&mut r);
    assert_eq!(f.iter().map(|x| x.2).sum::<i64>(), 50);
    // Everything at 102 is now ours: a FOK for 1 at 102 cannot fill.
    send_now(&mut r, limit(502, Side::Buy, ASK, 1, TimeInForce::Fok));
    assert!(matches!(
        r.drain_reports().next(),
        Some(ExecReport::Rejected {
            reason: RejectReason::FokNotFillable,
            ..
        })
    ));
}

#[test]
fn size_down_keeps_priority_and_price_change_or_size_up_loses_it() {
    let mut r = seeded();
    send(&mut r, limit(600, Side::Buy, BID, 10, TimeInForce::Gtc));
    r.process(&add(10, 3, 40, BID, Side::Buy), None); // behind us
    assert_eq!(r.queue_ahead(OrderId(600)), Some(Qty(80)));
    let modify = |price, qty| OrderRequest::Modify {
        id: OrderId(600),
        owner: AGENT,
        price,
        qty: Qty(qty),
    };
    send_now(&mut r, modify(BID, 6));
    assert_eq!(
        r.queue_ahead(OrderId(600)),
        Some(Qty(80)),
        "size down keeps its place"
    );
    send_now(&mut r, modify(BID, 8));
    assert_eq!(
        r.queue_ahead(OrderId(600)),
        Some(Qty(120)),
        "size up goes behind C"
    );
    send_now(&mut r, modify(Price(99), 8));
    assert_eq!(
        r.queue_ahead(OrderId(600)),
        Some(Qty(0)),
        "a new, empty price"
    );
    send_now(&mut r, modify(Price(99), 8));
    let reports: Vec<_> = r.drain_reports().collect();
    // The new order's acceptance, three accepted modifies, then the no-op.
    assert_eq!(reports.len(), 5);
    assert!(matches!(
        reports[4],
        ExecReport::Rejected {
            reason: RejectReason::NoChange,
            ..
        }
    ));
    // A re-price through the ask trades like a new limit: 50 at 102, 3 rest at 102.
    send_now(&mut r, modify(ASK, 53));
    assert_eq!(fills(&mut r).iter().map(|x| x.2).sum::<i64>(), 50);
    assert_eq!(
        r.orders().next().map(|o| (o.price, o.leaves)),
        Some((ASK, Qty(3)))
    );
}

#[test]
fn cancels_answer_with_the_leaves_and_reject_strangers_and_unknown_ids() {
    let mut r = seeded();
    send_now(
        &mut r,
        limit(700, Side::Sell, Price(104), 9, TimeInForce::Gtc),
    );
    send_now(
        &mut r,
        OrderRequest::Cancel {
            id: OrderId(700),
            owner: TraderId(8),
        },
    );
    send_now(
        &mut r,
        OrderRequest::Cancel {
            id: OrderId(700),
            owner: AGENT,
        },
    );
    send_now(
        &mut r,
        OrderRequest::Cancel {
            id: OrderId(700),
            owner: AGENT,
        },
    );
    let reports: Vec<_> = r.drain_reports().collect();
    assert!(matches!(
        reports[1],
        ExecReport::Rejected {
            reason: RejectReason::NotOwner,
            ..
        }
    ));
    assert!(matches!(
        reports[2],
        ExecReport::Cancelled {
            qty: Qty(9),
            reason: CancelReason::Requested,
            ..
        }
    ));
    assert!(matches!(
        reports[3],
        ExecReport::Rejected {
            reason: RejectReason::UnknownOrder,
            ..
        }
    ));
}

#[test]
fn a_crossing_agent_order_cancels_the_agents_own_resting_order_first() {
    let mut r = seeded();
    send_now(
        &mut r,
        limit(800, Side::Sell, Price(101), 5, TimeInForce::Gtc),
    );
    send_now(
        &mut r,
        limit(801, Side::Buy, Price(101), 5, TimeInForce::Gtc),
    );
    let reports: Vec<_> = r.drain_reports().collect();
    assert!(reports.iter().any(|x| matches!(
        x,
        ExecReport::Cancelled {
            id: OrderId(800),
            reason: CancelReason::SelfTradePrevention,
            ..
        }
    )));
    assert_eq!(r.orders().map(|o| o.id.0).collect::<Vec<_>>(), [801]);
}

#[test]
fn entry_latency_puts_history_first_until_the_order_arrives() {
    let config = AgentReplayConfig {
        entry_latency_ns: 5,
    };
    let mut r = LobsterAgentReplay::new(10, config).unwrap();
    r.process(&add(10, 1, 50, BID, Side::Buy), None);
    // Sent at 10, arrives at 15: C at 12 and D at 15 (a tie) are ahead of it.
    r.submit(Ts(10), limit(900, Side::Buy, BID, 5, TimeInForce::Gtc))
        .unwrap();
    r.process(&add(12, 2, 7, BID, Side::Buy), None);
    assert_eq!(r.pending(), 1);
    r.process(&add(15, 3, 8, BID, Side::Buy), None);
    r.process(&add(16, 4, 9, BID, Side::Buy), None);
    assert_eq!(r.pending(), 0);
    assert_eq!(r.queue_ahead(OrderId(900)), Some(Qty(65)));
    assert!(matches!(
        r.drain_reports().next(),
        Some(ExecReport::Accepted { ts: Ts(15), .. })
    ));
    assert!(
        AgentReplayConfig {
            entry_latency_ns: -1
        }
        .validate()
        .is_err()
    );
}

#[test]
fn halts_and_an_uninitialised_book_reject_new_orders() {
    let mut r = replay();
    send_now(&mut r, limit(1, Side::Buy, BID, 5, TimeInForce::Gtc));
    r.process(&add(1, 1, 50, BID, Side::Buy), None);
    r.process(
        &msg(2, LobsterEventType::TradingHalt, 0, 0, Price(-1), Side::Buy),
        None,
    );
    send_now(&mut r, limit(2, Side::Buy, BID, 5, TimeInForce::Gtc));
    let reasons: Vec<_> = r
        .drain_reports()
        .filter_map(|x| match x {
            ExecReport::Rejected { reason, .. } => Some(reason),
            _ => None,
        })
        .collect();
    assert_eq!(reasons, [RejectReason::Halted, RejectReason::Halted]);
    // Invalid quantities and prices are rejected before anything else.
    send_now(&mut r, limit(3, Side::Buy, BID, 0, TimeInForce::Gtc));
    send_now(&mut r, limit(4, Side::Buy, Price(0), 1, TimeInForce::Gtc));
    let reasons: Vec<_> = r
        .drain_reports()
        .filter_map(|x| match x {
            ExecReport::Rejected { reason, .. } => Some(reason),
            _ => None,
        })
        .collect();
    assert_eq!(
        reasons,
        [RejectReason::InvalidQty, RejectReason::InvalidPrice]
    );
}
