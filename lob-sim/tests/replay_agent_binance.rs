//! The Binance (L2) agent replay on hand-built records, each queue position worked out by
//! hand from the model formulas in the comments.

use shortfall_core::{
    ExecReport, NewOrder, OrderId, OrderRequest, OrderSink, Price, PriceLevel, Qty, RejectReason,
    Side, TimeInForce, TraderId, Ts,
};
use shortfall_lob_sim::data::binance::{BinanceRecord, DepthSnapshot, DepthUpdate, Trade};
use shortfall_lob_sim::replay::agent::{
    AgentReplayConfig, BinanceAgentReplay, LogProb, PowerLaw, QueueModel, RiskAverse,
};

const ME: TraderId = TraderId(2);

fn lv(p: i64, q: i64) -> PriceLevel {
    PriceLevel {
        price: Price(p),
        qty: Qty(q),
    }
}

fn snapshot(t: i64, id: u64, bids: Vec<PriceLevel>, asks: Vec<PriceLevel>) -> BinanceRecord {
    BinanceRecord::Snapshot(DepthSnapshot {
        recv_ns: Ts(t),
        last_update_id: id,
        event_time: None,
        transaction_time: None,
        bids,
        asks,
    })
}

/// A diff continuing the chain: updates `id - 1` to `id`, the previous one ending at
/// `id - 1` (so the first diff after a snapshot of `id - 1` straddles it, as Binance's
/// procedure requires).
fn diff(t: i64, id: u64, bids: Vec<PriceLevel>, asks: Vec<PriceLevel>) -> BinanceRecord {
    BinanceRecord::DepthUpdate(DepthUpdate {
        recv_ns: Ts(t),
        event_time: Ts(t),
        transaction_time: Ts(t),
        first_update_id: id - 1,
        final_update_id: id,
        prev_final_update_id: id - 1,
        bids,
        asks,
    })
}

fn sell_trade(t: i64, price: i64, qty: i64) -> BinanceRecord {
    BinanceRecord::Trade(Trade {
        recv_ns: Ts(t),
        event_time: Ts(t),
        trade_time: Ts(t),
        trade_id: t as u64,
        price: Price(price),
        qty: Qty(qty),
        buyer_is_maker: true,
    })
}

fn limit(id: u64, side: Side, price: i64, qty: i64, tif: TimeInForce) -> OrderRequest {
    OrderRequest::New(NewOrder::limit(
        OrderId(id),
        ME,
        side,
        Price(price),
        Qty(qty),
        tif,
    ))
}

fn filled<M: QueueModel>(r: &mut BinanceAgentReplay<M>) -> Vec<(i64, i64)> {
    r.drain_reports()
        .filter_map(|x| match x {
            ExecReport::Fill(f) => Some((f.price.0, f.qty.0)),
            _ => None,
        })
        .collect()
}

/// A bid of 4 joins 10 lots at 100; 15 lots join behind; then 6 are cancelled (25 -> 19).
fn after_cancel<M: QueueModel>(model: M) -> BinanceAgentReplay<M> {
    let mut r = BinanceAgentReplay::new(model, AgentReplayConfig::default()).unwrap();
    r.on_record(snapshot(1, 10, vec![lv(100, 10)], vec![lv(101, 10)]))
        .unwrap();
    r.submit(Ts(1), limit(1, Side::Buy, 100, 4, TimeInForce::Gtc))
        .unwrap();
    r.on_record(diff(2, 11, vec![lv(100, 25)], vec![])).unwrap();
    r.on_record(diff(3, 12, vec![lv(100, 19)], vec![])).unwrap();
    r
}

#[test]
fn each_model_places_the_cancellation_by_its_formula() {
    // Risk-averse: nothing moves.
    let ra = after_cancel(RiskAverse);
    assert_eq!(ra.queue_ahead(OrderId(1)).unwrap(), 10.0);
    // x^1: 10 / 25 of 6 = 2.4 ahead.
    let p1 = after_cancel(PowerLaw::new(1.0).unwrap());
    assert!((p1.queue_ahead(OrderId(1)).unwrap() - 7.6).abs() < 1e-12);
    // x^2: 100 / (100 + 225) of 6.
    let p2 = after_cancel(PowerLaw::new(2.0).unwrap());
    let want = 10.0 - 6.0 * 100.0 / 325.0;
    assert!((p2.queue_ahead(OrderId(1)).unwrap() - want).abs() < 1e-12);
    // ln(1+x): ln 11 / (ln 11 + ln 16) of 6.
    let lg = after_cancel(LogProb);
    let want = 10.0 - 6.0 * 11f64.ln() / (11f64.ln() + 16f64.ln());
    assert!((lg.queue_ahead(OrderId(1)).unwrap() - want).abs() < 1e-12);
}

#[test]
fn trades_reduce_the_queue_first_and_fill_whole_lots_beyond_it() {
    // A sell of 9 at 100: ahead 10 (risk-averse) gets no fill; 7.6 (x^1) leaves 1.4, so
    // one whole lot; 8.15 (x^2) leaves 0.85, no lot; log 7.22 leaves 1.78, one lot.
    let mut ra = after_cancel(RiskAverse);
    let mut p1 = after_cancel(PowerLaw::new(1.0).unwrap());
    let mut p2 = after_cancel(PowerLaw::new(2.0).unwrap());
    let mut lg = after_cancel(LogProb);
    ra.on_record(sell_trade(4, 100, 9)).unwrap();
    p1.on_record(sell_trade(4, 100, 9)).unwrap();
    p2.on_record(sell_trade(4, 100, 9)).unwrap();
    lg.on_record(sell_trade(4, 100, 9)).unwrap();
    let fills = |v: Vec<(i64, i64)>| v.iter().map(|f| f.1).sum::<i64>();
    assert_eq!(fills(filled(&mut ra)), 0);
    assert_eq!(fills(filled(&mut p1)), 1);
    assert_eq!(fills(filled(&mut p2)), 0);
    assert_eq!(fills(filled(&mut lg)), 1);
    assert_eq!(ra.queue_ahead(OrderId(1)), Some(1.0));
    // The depth update that shows the trade (19 -> 10) explains itself: no cancellation.
    ra.on_record(diff(5, 13, vec![lv(100, 10)], vec![]))
        .unwrap();
    assert_eq!(ra.queue_ahead(OrderId(1)), Some(1.0));
    // The next sell of 3: 1 ahead, 2 to us.
    ra.on_record(sell_trade(6, 100, 3)).unwrap();
    assert_eq!(filled(&mut ra), [(100, 2)]);
}

#[test]
fn a_bid_inside_the_spread_is_first_in_line() {
    let mut r = BinanceAgentReplay::new(RiskAverse, AgentReplayConfig::default()).unwrap();
    r.on_record(snapshot(1, 10, vec![lv(100, 10)], vec![lv(103, 10)]))
        .unwrap();
    r.submit(Ts(1), limit(1, Side::Buy, 101, 5, TimeInForce::Gtc))
        .unwrap();
    // A sell of 3 at the old best bid 100 would have hit us at 101 first.
    r.on_record(sell_trade(2, 100, 3)).unwrap();
    assert_eq!(filled(&mut r), [(101, 3)]);
    assert_eq!(r.queue_ahead(OrderId(1)), Some(0.0));
}

#[test]
fn taken_levels_are_consumed_until_the_level_falls_or_empties() {
    let mut r = BinanceAgentReplay::new(RiskAverse, AgentReplayConfig::default()).unwrap();
    r.on_record(snapshot(
        1,
        10,
        vec![lv(100, 10)],
        vec![lv(101, 10), lv(102, 5)],
    ))
    .unwrap();
    // IOC 12 at 102: 10 at 101, 2 at 102.
    r.submit(Ts(1), limit(1, Side::Buy, 102, 12, TimeInForce::Ioc))
        .unwrap();
    r.finish();
    assert_eq!(filled(&mut r), [(101, 10), (102, 2)]);
    // IOC 5 at 102: only 3 left at 102; 2 expire.
    r.submit(Ts(1), limit(2, Side::Buy, 102, 5, TimeInForce::Ioc))
        .unwrap();
    r.finish();
    let reports: Vec<_> = r.drain_reports().collect();
    assert!(matches!(reports[1], ExecReport::Fill(f) if f.qty == Qty(3) && f.price == Price(102)));
    assert!(matches!(
        reports[2],
        ExecReport::Expired { qty: Qty(2), .. }
    ));
    assert_eq!(r.consumed_qty(), Qty(15));
    // 102 falls to 1 and 101 empties: what we took is capped, then cleared.
    r.on_record(diff(2, 11, vec![], vec![lv(101, 0), lv(102, 1)]))
        .unwrap();
    assert_eq!(r.consumed_qty(), Qty(1));
    // 101 refills with 7: all 7 can be taken; 102's single lot is still ours.
    r.on_record(diff(3, 12, vec![], vec![lv(101, 7)])).unwrap();
    r.submit(Ts(3), limit(3, Side::Buy, 102, 9, TimeInForce::Fok))
        .unwrap();
    r.finish();
    assert!(matches!(
        r.drain_reports().next(),
        Some(ExecReport::Rejected {
            reason: RejectReason::FokNotFillable,
            ..
        })
    ));
    r.submit(Ts(3), limit(4, Side::Buy, 102, 9, TimeInForce::Ioc))
        .unwrap();
    r.finish();
    assert_eq!(filled(&mut r), [(101, 7)]);
}

#[test]
fn orders_wait_for_a_synchronised_book_and_positions_survive_a_gap() {
    let mut r = BinanceAgentReplay::new(RiskAverse, AgentReplayConfig::default()).unwrap();
    r.submit(Ts(0), limit(1, Side::Buy, 100, 1, TimeInForce::Gtc))
        .unwrap();
    r.on_record(snapshot(1, 10, vec![lv(100, 10)], vec![lv(101, 10)]))
        .unwrap();
    assert!(matches!(
        r.drain_reports().next(),
        Some(ExecReport::Rejected {
            reason: RejectReason::Halted,
            ..
        })
    ));
    r.submit(Ts(1), limit(2, Side::Buy, 100, 1, TimeInForce::Gtc))
        .unwrap();
    r.on_record(diff(2, 11, vec![lv(100, 12)], vec![])).unwrap();
    assert_eq!(r.queue_ahead(OrderId(2)), Some(10.0));
    // A diff that breaks the chain clears the book until the next snapshot.
    let mut broken = diff(3, 20, vec![lv(100, 1)], vec![]);
    if let BinanceRecord::DepthUpdate(d) = &mut broken {
        d.prev_final_update_id = 15;
    }
    r.on_record(broken).unwrap();
    assert!(!r.sync().is_synced());
    assert_eq!(
        r.queue_ahead(OrderId(2)),
        Some(10.0),
        "kept while out of sync"
    );
    // Re-anchored with 100 at 6: the level fell from 12 by 6; with nothing explained by
    // trades and 2 behind, risk-averse takes 2 from behind and 4 from ahead.
    r.on_record(snapshot(4, 30, vec![lv(100, 6)], vec![lv(101, 10)]))
        .unwrap();
    assert_eq!(r.queue_ahead(OrderId(2)), Some(6.0));
}

#[test]
fn new_asks_through_an_improved_bid_trade_with_it() {
    let mut r = BinanceAgentReplay::new(RiskAverse, AgentReplayConfig::default()).unwrap();
    r.on_record(snapshot(1, 10, vec![lv(100, 10)], vec![lv(103, 10)]))
        .unwrap();
    r.submit(Ts(1), limit(1, Side::Buy, 101, 4, TimeInForce::Gtc))
        .unwrap();
    // An ask level of 3 appears at 101: those sellers would have hit our bid.
    r.on_record(diff(2, 11, vec![], vec![lv(101, 3)])).unwrap();
    assert_eq!(filled(&mut r), [(101, 3)]);
    assert_eq!(r.consumed_qty(), Qty(3));
    r.on_record(diff(3, 12, vec![], vec![lv(101, 5)])).unwrap();
    // 101 grows by 2: our last lot, and 1 rests.
    assert_eq!(filled(&mut r), [(101, 1)]);
    assert_eq!(r.consumed_qty(), Qty(4));
}
