//! Unit tests of every [`L3Book`] rule.

use super::*;
use shortfall_core::TimeInForce::{Fok, Gtc, Ioc, PostOnly};

const A: TraderId = TraderId(1);
const B: TraderId = TraderId(2);
const MKT: TraderId = TraderId::MARKET;
const T: Ts = Ts(7);

fn new(
    id: u64,
    owner: TraderId,
    side: Side,
    price: i64,
    qty: i64,
    tif: TimeInForce,
) -> OrderRequest {
    OrderRequest::New(NewOrder::limit(
        OrderId(id),
        owner,
        side,
        Price(price),
        Qty(qty),
        tif,
    ))
}

fn market(id: u64, owner: TraderId, side: Side, qty: i64) -> OrderRequest {
    OrderRequest::New(NewOrder::market(OrderId(id), owner, side, Qty(qty)))
}

fn cancel(id: u64, owner: TraderId) -> OrderRequest {
    OrderRequest::Cancel {
        id: OrderId(id),
        owner,
    }
}

fn modify(id: u64, owner: TraderId, price: i64, qty: i64) -> OrderRequest {
    OrderRequest::Modify {
        id: OrderId(id),
        owner,
        price: Price(price),
        qty: Qty(qty),
    }
}

fn run(book: &mut L3Book, request: OrderRequest) -> BookOutput {
    let mut out = BookOutput::new();
    book.submit(T, &request, &mut out);
    out
}

/// A book with the given resting GTC orders, all accepted without trading.
fn book_with(orders: &[(u64, TraderId, Side, i64, i64)]) -> L3Book {
    let mut book = L3Book::new();
    for &(id, owner, side, price, qty) in orders {
        let out = run(&mut book, new(id, owner, side, price, qty, Gtc));
        assert!(
            out.reports.len() == 1 && matches!(out.reports[0], ExecReport::Accepted { .. }),
            "setup order {id} should rest untouched: {:?}",
            out.reports
        );
    }
    book
}

fn rejected(reason: RejectReason, id: u64, owner: TraderId) -> ExecReport {
    ExecReport::Rejected {
        ts: T,
        id: OrderId(id),
        owner,
        reason,
    }
}

fn accepted(id: u64, owner: TraderId) -> ExecReport {
    ExecReport::Accepted {
        ts: T,
        id: OrderId(id),
        owner,
    }
}

/// (order id, liquidity, price, qty, leaves) of every fill, in report order.
fn fills(out: &BookOutput) -> Vec<(u64, Liquidity, i64, i64, i64)> {
    out.reports
        .iter()
        .filter_map(|r| match r {
            ExecReport::Fill(f) => Some((f.id.0, f.liquidity, f.price.0, f.qty.0, f.leaves_qty.0)),
            _ => None,
        })
        .collect()
}

fn levels(book: &L3Book, side: Side) -> Vec<(i64, i64)> {
    (0..book.level_count(side))
        .map(|i| {
            let l = book.level(side, i).expect("index below level_count");
            (l.price.0, l.qty.0)
        })
        .collect()
}

fn queue_ids(book: &L3Book, side: Side, price: i64) -> Vec<u64> {
    book.queue(side, Price(price)).map(|o| o.id.0).collect()
}

use Liquidity::{Maker, Taker};
use Side::{Buy, Sell};

#[test]
fn levels_are_sorted_best_first_on_both_sides() {
    let book = book_with(&[
        (1, A, Buy, 99, 1),
        (2, A, Buy, 101, 2),
        (3, A, Buy, 100, 3),
        (4, A, Sell, 105, 4),
        (5, A, Sell, 103, 5),
        (6, A, Sell, 104, 6),
        (7, A, Buy, 100, 7),
    ]);
    assert_eq!(levels(&book, Buy), [(101, 2), (100, 10), (99, 1)]);
    assert_eq!(levels(&book, Sell), [(103, 5), (104, 6), (105, 4)]);
    assert_eq!(book.best_bid().map(|l| l.price), Some(Price(101)));
    assert_eq!(book.best_ask().map(|l| l.price), Some(Price(103)));
    assert_eq!(book.depth(Buy, 2), Qty(12));
    let mut top = [PriceLevel::default(); 5];
    assert_eq!(book.top_levels(Sell, &mut top), 3);
    assert_eq!(
        top[2],
        PriceLevel {
            price: Price(105),
            qty: Qty(4)
        }
    );
    assert_eq!(book.level(Sell, 3), None);
    assert_eq!(book.len(), 7);
}

#[test]
fn deep_levels_are_found_past_the_linear_scan() {
    let mut book = L3Book::new();
    for i in 0..40 {
        run(&mut book, new(i, A, Buy, 100 + i as i64, 1, Gtc));
    }
    run(&mut book, new(100, A, Buy, 102, 5, Gtc));
    assert_eq!(
        book.level(Buy, 37),
        Some(PriceLevel {
            price: Price(102),
            qty: Qty(6)
        })
    );
    run(&mut book, cancel(2, A));
    assert_eq!(
        book.level(Buy, 37),
        Some(PriceLevel {
            price: Price(102),
            qty: Qty(5)
        })
    );
    run(&mut book, cancel(100, A));
    assert_eq!(book.level_count(Buy), 39);
    assert_eq!(book.level(Buy, 37).map(|l| l.price), Some(Price(101)));
}

#[test]
fn an_accepted_resting_order_reports_accepted_and_publishes_add() {
    let mut book = L3Book::new();
    let out = run(&mut book, new(1, A, Buy, 100, 5, Gtc));
    assert_eq!(out.reports, [accepted(1, A)]);
    assert_eq!(
        out.events,
        [MarketEvent::Add {
            ts: T,
            order_id: OrderId(1),
            side: Buy,
            price: Price(100),
            qty: Qty(5)
        }]
    );
    let order = book.order(OrderId(1)).expect("order 1 rests");
    assert_eq!(
        (order.owner, order.side, order.price, order.qty, order.ts),
        (A, Buy, Price(100), Qty(5), T)
    );
}

#[test]
fn better_price_trades_before_earlier_time() {
    let mut book = book_with(&[(1, A, Sell, 101, 5), (2, A, Sell, 100, 5)]);
    let out = run(&mut book, new(3, B, Buy, 101, 6, Gtc));
    assert_eq!(
        fills(&out),
        [
            (2, Maker, 100, 5, 0),
            (3, Taker, 100, 5, 1),
            (1, Maker, 101, 1, 4),
            (3, Taker, 101, 1, 0)
        ]
    );
}

#[test]
fn at_one_price_the_earlier_order_trades_first() {
    let mut book = book_with(&[
        (1, A, Sell, 100, 2),
        (2, MKT, Sell, 100, 2),
        (3, A, Sell, 100, 2),
    ]);
    let out = run(&mut book, new(4, B, Buy, 100, 3, Ioc));
    assert_eq!(
        fills(&out),
        [
            (1, Maker, 100, 2, 0),
            (4, Taker, 100, 2, 1),
            (2, Maker, 100, 1, 1),
            (4, Taker, 100, 1, 0)
        ]
    );
    assert_eq!(queue_ids(&book, Sell, 100), [2, 3]);
}

#[test]
fn every_fill_names_its_counterparty_and_publishes_an_execute() {
    let mut book = book_with(&[(1, A, Buy, 100, 4)]);
    let out = run(&mut book, new(2, B, Sell, 99, 4, Gtc));
    assert_eq!(out.reports[0], accepted(2, B));
    let (ExecReport::Fill(maker), ExecReport::Fill(taker)) = (out.reports[1], out.reports[2])
    else {
        panic!("expected two fills: {:?}", out.reports);
    };
    assert_eq!(
        (maker.counterparty, taker.counterparty),
        (OrderId(2), OrderId(1))
    );
    assert_eq!((maker.side, taker.side), (Buy, Sell));
    assert_eq!(
        out.events,
        [MarketEvent::Execute {
            ts: T,
            order_id: OrderId(1),
            side: Buy,
            price: Price(100),
            qty: Qty(4)
        }]
    );
    assert!(book.is_empty());
}

#[test]
fn a_partly_filled_maker_keeps_its_place_at_the_head() {
    let mut book = book_with(&[(1, A, Sell, 100, 10), (2, A, Sell, 100, 1)]);
    run(&mut book, new(3, B, Buy, 100, 4, Ioc));
    assert_eq!(book.order(OrderId(1)).map(|o| o.qty), Some(Qty(6)));
    assert_eq!(queue_ids(&book, Sell, 100), [1, 2]);
    assert_eq!(levels(&book, Sell), [(100, 7)]);
}

#[test]
fn gtc_rests_what_it_could_not_trade() {
    let mut book = book_with(&[(1, A, Sell, 100, 3)]);
    let out = run(&mut book, new(2, B, Buy, 101, 5, Gtc));
    assert_eq!(fills(&out), [(1, Maker, 100, 3, 0), (2, Taker, 100, 3, 2)]);
    assert_eq!(
        out.events.last(),
        Some(&MarketEvent::Add {
            ts: T,
            order_id: OrderId(2),
            side: Buy,
            price: Price(101),
            qty: Qty(2)
        })
    );
    assert_eq!(levels(&book, Buy), [(101, 2)]);
    assert!(levels(&book, Sell).is_empty());
}

#[test]
fn ioc_remainder_expires_and_never_rests() {
    let mut book = book_with(&[(1, A, Sell, 100, 3)]);
    let out = run(&mut book, new(2, B, Buy, 101, 5, Ioc));
    assert_eq!(
        out.reports.last(),
        Some(&ExecReport::Expired {
            ts: T,
            id: OrderId(2),
            owner: B,
            qty: Qty(2)
        })
    );
    assert!(book.is_empty());
    let out = run(&mut book, new(3, B, Buy, 101, 5, Ioc));
    assert_eq!(
        out.reports,
        [
            accepted(3, B),
            ExecReport::Expired {
                ts: T,
                id: OrderId(3),
                owner: B,
                qty: Qty(5)
            }
        ]
    );
    assert!(out.events.is_empty());
}

#[test]
fn fok_that_cannot_fill_is_rejected_and_changes_nothing() {
    let mut book = book_with(&[(1, A, Sell, 100, 3), (2, A, Sell, 102, 3)]);
    let out = run(&mut book, new(3, B, Buy, 101, 4, Fok));
    assert_eq!(out.reports, [rejected(RejectReason::FokNotFillable, 3, B)]);
    assert!(out.events.is_empty());
    assert_eq!(levels(&book, Sell), [(100, 3), (102, 3)]);
    let out = run(&mut book, new(4, B, Buy, 99, 1, Fok));
    assert_eq!(out.reports, [rejected(RejectReason::FokNotFillable, 4, B)]);
}

#[test]
fn fok_that_can_fill_trades_its_whole_quantity() {
    let mut book = book_with(&[(1, A, Sell, 100, 3), (2, A, Sell, 102, 3)]);
    let out = run(&mut book, new(3, B, Buy, 102, 5, Fok));
    assert_eq!(
        fills(&out),
        [
            (1, Maker, 100, 3, 0),
            (3, Taker, 100, 3, 2),
            (2, Maker, 102, 2, 1),
            (3, Taker, 102, 2, 0)
        ]
    );
    assert!(
        !out.reports
            .iter()
            .any(|r| matches!(r, ExecReport::Expired { .. }))
    );
}

#[test]
fn fok_does_not_count_its_owners_own_orders_as_liquidity() {
    let mut book = book_with(&[(1, B, Sell, 100, 3), (2, A, Sell, 100, 3)]);
    let out = run(&mut book, new(3, B, Buy, 100, 4, Fok));
    assert_eq!(out.reports, [rejected(RejectReason::FokNotFillable, 3, B)]);
    assert_eq!(book.len(), 2, "a rejected FOK cancels nothing");
    let out = run(&mut book, new(4, B, Buy, 100, 3, Fok));
    assert_eq!(fills(&out), [(2, Maker, 100, 3, 0), (4, Taker, 100, 3, 0)]);
    assert!(book.is_empty(), "the own order was cancelled by STP");
}

#[test]
fn post_only_rests_when_it_does_not_cross_and_is_rejected_when_it_would() {
    let mut book = book_with(&[(1, A, Sell, 100, 3)]);
    let out = run(&mut book, new(2, B, Buy, 100, 1, PostOnly));
    assert_eq!(
        out.reports,
        [rejected(RejectReason::PostOnlyWouldCross, 2, B)]
    );
    assert!(out.events.is_empty());
    let out = run(&mut book, new(3, B, Buy, 99, 1, PostOnly));
    assert_eq!(out.reports, [accepted(3, B)]);
    assert!(book.order(OrderId(3)).is_some_and(|o| o.post_only));
}

#[test]
fn market_order_sweeps_levels_and_the_remainder_expires() {
    let mut book = book_with(&[(1, A, Buy, 100, 2), (2, A, Buy, 98, 2)]);
    let out = run(&mut book, market(3, B, Sell, 5));
    assert_eq!(
        fills(&out),
        [
            (1, Maker, 100, 2, 0),
            (3, Taker, 100, 2, 3),
            (2, Maker, 98, 2, 0),
            (3, Taker, 98, 2, 1)
        ]
    );
    assert_eq!(
        out.reports.last(),
        Some(&ExecReport::Expired {
            ts: T,
            id: OrderId(3),
            owner: B,
            qty: Qty(1)
        })
    );
    assert!(book.is_empty());
}

#[test]
fn market_order_on_an_empty_side_is_rejected_for_no_liquidity() {
    let mut book = book_with(&[(1, A, Buy, 100, 2)]);
    let out = run(&mut book, market(2, B, Buy, 5));
    assert_eq!(out.reports, [rejected(RejectReason::NoLiquidity, 2, B)]);
    assert_eq!(book.len(), 1);
}

#[test]
fn self_trade_cancels_the_resting_order_and_matching_continues() {
    let mut book = book_with(&[
        (1, A, Sell, 100, 2),
        (2, B, Sell, 100, 2),
        (3, A, Sell, 101, 2),
    ]);
    let out = run(&mut book, new(4, A, Buy, 101, 3, Gtc));
    assert_eq!(
        out.reports,
        [
            accepted(4, A),
            ExecReport::Cancelled {
                ts: T,
                id: OrderId(1),
                owner: A,
                qty: Qty(2),
                reason: CancelReason::SelfTradePrevention
            },
            out.reports[2],
            out.reports[3],
            ExecReport::Cancelled {
                ts: T,
                id: OrderId(3),
                owner: A,
                qty: Qty(2),
                reason: CancelReason::SelfTradePrevention
            },
        ]
    );
    assert_eq!(fills(&out), [(2, Maker, 100, 2, 0), (4, Taker, 100, 2, 1)]);
    assert_eq!(
        out.events[0],
        MarketEvent::Delete {
            ts: T,
            order_id: OrderId(1)
        }
    );
    assert_eq!(levels(&book, Buy), [(101, 1)]);
    assert!(levels(&book, Sell).is_empty());
}

#[test]
fn market_participant_orders_never_self_trade() {
    let mut book = book_with(&[(1, MKT, Sell, 100, 2)]);
    let out = run(&mut book, new(2, MKT, Buy, 100, 2, Gtc));
    assert_eq!(fills(&out), [(1, Maker, 100, 2, 0), (2, Taker, 100, 2, 0)]);
}

#[test]
fn size_reduction_keeps_queue_priority() {
    let mut book = book_with(&[(1, A, Buy, 100, 5), (2, B, Buy, 100, 5)]);
    let out = run(&mut book, modify(1, A, 100, 2));
    assert_eq!(out.reports, [accepted(1, A)]);
    assert_eq!(
        out.events,
        [MarketEvent::Cancel {
            ts: T,
            order_id: OrderId(1),
            qty: Qty(3)
        }]
    );
    assert_eq!(queue_ids(&book, Buy, 100), [1, 2]);
    assert_eq!(levels(&book, Buy), [(100, 7)]);
    assert_eq!(book.order(OrderId(1)).map(|o| o.ts), Some(T));
}

#[test]
fn size_increase_loses_queue_priority() {
    let mut book = book_with(&[(1, A, Buy, 100, 5), (2, B, Buy, 100, 5)]);
    let out = run(&mut book, modify(1, A, 100, 6));
    assert_eq!(out.reports, [accepted(1, A)]);
    assert_eq!(
        out.events,
        [
            MarketEvent::Delete {
                ts: T,
                order_id: OrderId(1)
            },
            MarketEvent::Add {
                ts: T,
                order_id: OrderId(1),
                side: Buy,
                price: Price(100),
                qty: Qty(6)
            }
        ]
    );
    assert_eq!(queue_ids(&book, Buy, 100), [2, 1]);
    assert_eq!(book.queue_ahead(OrderId(1)), Some(Qty(5)));
}

#[test]
fn price_change_loses_queue_priority() {
    let mut book = book_with(&[(1, A, Buy, 100, 5), (2, B, Buy, 99, 5)]);
    run(&mut book, modify(1, A, 99, 5));
    assert_eq!(queue_ids(&book, Buy, 99), [2, 1]);
    assert_eq!(levels(&book, Buy), [(99, 10)]);
}

#[test]
fn crossing_reprice_trades_like_a_new_limit_order() {
    let mut book = book_with(&[(1, A, Buy, 99, 5), (2, B, Sell, 101, 3)]);
    let out = run(&mut book, modify(1, A, 101, 5));
    assert_eq!(out.reports[0], accepted(1, A));
    assert_eq!(fills(&out), [(2, Maker, 101, 3, 0), (1, Taker, 101, 3, 2)]);
    assert_eq!(levels(&book, Buy), [(101, 2)]);
    assert!(levels(&book, Sell).is_empty());
}

#[test]
fn crossing_reprice_of_a_post_only_order_is_rejected_and_it_stays() {
    let mut book = book_with(&[(2, B, Sell, 101, 3)]);
    run(&mut book, new(1, A, Buy, 99, 5, PostOnly));
    let out = run(&mut book, modify(1, A, 101, 5));
    assert_eq!(
        out.reports,
        [rejected(RejectReason::PostOnlyWouldCross, 1, A)]
    );
    assert!(out.events.is_empty());
    assert_eq!(
        book.order(OrderId(1)).map(|o| (o.price, o.qty)),
        Some((Price(99), Qty(5)))
    );
    let out = run(&mut book, modify(1, A, 100, 5));
    assert_eq!(out.reports, [accepted(1, A)]);
    assert!(
        book.order(OrderId(1)).is_some_and(|o| o.post_only),
        "still post-only"
    );
}

#[test]
fn modify_that_changes_nothing_is_rejected() {
    let mut book = book_with(&[(1, A, Buy, 100, 5)]);
    let out = run(&mut book, modify(1, A, 100, 5));
    assert_eq!(out.reports, [rejected(RejectReason::NoChange, 1, A)]);
    assert!(out.events.is_empty());
}

#[test]
fn invalid_new_orders_are_rejected_with_their_reason() {
    let mut book = book_with(&[(1, A, Buy, 100, 5)]);
    let cases = [
        (new(2, A, Buy, 100, 0, Gtc), RejectReason::InvalidQty),
        (new(2, A, Buy, 100, -1, Gtc), RejectReason::InvalidQty),
        (market(2, A, Sell, 0), RejectReason::InvalidQty),
        (new(2, A, Buy, 0, 1, Gtc), RejectReason::InvalidPrice),
        (new(2, A, Buy, -5, 1, Ioc), RejectReason::InvalidPrice),
        (new(1, B, Sell, 101, 1, Gtc), RejectReason::DuplicateOrderId),
    ];
    for (request, reason) in cases {
        let out = run(&mut book, request);
        assert_eq!(
            out.reports,
            [rejected(reason, request.id().0, request.owner())],
            "{request:?}"
        );
        assert!(out.events.is_empty());
    }
    assert_eq!(levels(&book, Buy), [(100, 5)]);
}

#[test]
fn a_filled_id_may_be_used_again() {
    let mut book = book_with(&[(1, A, Buy, 100, 5)]);
    run(&mut book, new(2, B, Sell, 100, 5, Ioc));
    let out = run(&mut book, new(1, A, Buy, 100, 5, Gtc));
    assert_eq!(out.reports, [accepted(1, A)]);
}

#[test]
fn cancel_of_unknown_order_is_rejected_not_panicked() {
    let mut book = book_with(&[(1, A, Buy, 100, 5)]);
    assert_eq!(
        run(&mut book, cancel(9, A)).reports,
        [rejected(RejectReason::UnknownOrder, 9, A)]
    );
    assert_eq!(
        run(&mut book, modify(9, A, 100, 1)).reports,
        [rejected(RejectReason::UnknownOrder, 9, A)]
    );
}

#[test]
fn cancel_or_modify_by_another_owner_is_rejected() {
    let mut book = book_with(&[(1, A, Buy, 100, 5)]);
    assert_eq!(
        run(&mut book, cancel(1, B)).reports,
        [rejected(RejectReason::NotOwner, 1, B)]
    );
    assert_eq!(
        run(&mut book, modify(1, B, 100, 1)).reports,
        [rejected(RejectReason::NotOwner, 1, B)]
    );
    assert_eq!(book.len(), 1);
}

#[test]
fn invalid_modify_values_are_rejected() {
    let mut book = book_with(&[(1, A, Buy, 100, 5)]);
    assert_eq!(
        run(&mut book, modify(1, A, 100, 0)).reports,
        [rejected(RejectReason::InvalidQty, 1, A)]
    );
    assert_eq!(
        run(&mut book, modify(1, A, 0, 3)).reports,
        [rejected(RejectReason::InvalidPrice, 1, A)]
    );
}

#[test]
fn cancel_removes_the_order_and_publishes_delete() {
    let mut book = book_with(&[(1, A, Buy, 100, 5), (2, A, Buy, 100, 1)]);
    let out = run(&mut book, cancel(1, A));
    assert_eq!(
        out.reports,
        [ExecReport::Cancelled {
            ts: T,
            id: OrderId(1),
            owner: A,
            qty: Qty(5),
            reason: CancelReason::Requested
        }]
    );
    assert_eq!(
        out.events,
        [MarketEvent::Delete {
            ts: T,
            order_id: OrderId(1)
        }]
    );
    assert_eq!(levels(&book, Buy), [(100, 1)]);
    assert_eq!(
        run(&mut book, cancel(1, A)).reports,
        [rejected(RejectReason::UnknownOrder, 1, A)]
    );
}

#[test]
fn halted_book_rejects_orders_and_modifies_but_lets_cancels_through() {
    let mut book = book_with(&[(1, A, Buy, 100, 5), (2, A, Buy, 99, 5)]);
    book.set_trading_state(TradingState::Halted);
    for request in [
        new(3, B, Buy, 98, 1, Gtc),
        market(3, B, Sell, 1),
        modify(1, A, 100, 1),
    ] {
        let out = run(&mut book, request);
        assert_eq!(
            out.reports,
            [rejected(
                RejectReason::Halted,
                request.id().0,
                request.owner()
            )]
        );
    }
    let out = run(&mut book, cancel(2, A));
    assert!(matches!(out.reports[..], [ExecReport::Cancelled { .. }]));
    assert_eq!(levels(&book, Buy), [(100, 5)]);
}

#[test]
fn quoting_accepts_only_orders_that_would_not_trade() {
    let mut book = book_with(&[(1, A, Sell, 101, 5), (2, A, Buy, 99, 5)]);
    book.set_trading_state(TradingState::Quoting);
    assert_eq!(
        run(&mut book, new(3, B, Buy, 100, 1, Gtc)).reports,
        [accepted(3, B)]
    );
    let out = run(&mut book, new(4, B, Buy, 101, 1, Gtc));
    assert_eq!(out.reports, [rejected(RejectReason::Halted, 4, B)]);
    let out = run(&mut book, market(5, B, Sell, 1));
    assert_eq!(out.reports, [rejected(RejectReason::Halted, 5, B)]);
    let out = run(&mut book, modify(2, A, 101, 5));
    assert_eq!(out.reports, [rejected(RejectReason::Halted, 2, A)]);
    assert_eq!(
        run(&mut book, modify(2, A, 98, 5)).reports,
        [accepted(2, A)]
    );
    assert_eq!(levels(&book, Sell), [(101, 5)]);
}

#[test]
fn queue_ahead_sums_the_earlier_orders_at_the_level_only() {
    let book = book_with(&[
        (1, A, Buy, 100, 5),
        (2, B, Buy, 101, 50),
        (3, A, Buy, 100, 2),
        (4, B, Buy, 100, 7),
    ]);
    assert_eq!(book.queue_ahead(OrderId(1)), Some(Qty(0)));
    assert_eq!(book.queue_ahead(OrderId(3)), Some(Qty(5)));
    assert_eq!(book.queue_ahead(OrderId(4)), Some(Qty(7)));
    assert_eq!(book.queue_ahead(OrderId(9)), None);
}

#[test]
fn freed_slots_are_reused() {
    let mut book = L3Book::new();
    for round in 0..10 {
        for i in 0..100 {
            run(
                &mut book,
                new(round * 1000 + i, A, Buy, 100 + (i as i64 % 7), 1, Gtc),
            );
        }
        for i in 0..100 {
            run(&mut book, cancel(round * 1000 + i, A));
        }
    }
    assert!(book.is_empty());
    assert_eq!(book.slab.nodes.len(), 100);
    assert_eq!(book.level_count(Buy), 0);
}

// ----- feed replay -----

fn add(id: u64, side: Side, price: i64, qty: i64) -> MarketEvent {
    MarketEvent::Add {
        ts: T,
        order_id: OrderId(id),
        side,
        price: Price(price),
        qty: Qty(qty),
    }
}

#[test]
fn feed_add_appends_without_matching() {
    let mut book = L3Book::new();
    book.apply(&add(1, Sell, 100, 5)).unwrap();
    book.apply(&add(2, Buy, 101, 5)).unwrap();
    book.apply(&add(3, Buy, 101, 1)).unwrap();
    assert!(
        book.is_crossed(),
        "the feed is authoritative, even when crossed"
    );
    assert_eq!(queue_ids(&book, Buy, 101), [2, 3]);
    assert_eq!(
        book.order(OrderId(2)).map(|o| o.owner),
        Some(TraderId::MARKET)
    );
}

#[test]
fn feed_add_of_a_live_id_is_a_mismatch_and_changes_nothing() {
    let mut book = L3Book::new();
    book.apply(&add(1, Sell, 100, 5)).unwrap();
    assert_eq!(
        book.apply(&add(1, Buy, 90, 2)),
        Err(FeedMismatch::DuplicateOrderId {
            order_id: OrderId(1)
        })
    );
    assert_eq!(levels(&book, Sell), [(100, 5)]);
    assert!(levels(&book, Buy).is_empty());
    assert_eq!(
        book.apply(&add(2, Buy, 90, 0)),
        Err(FeedMismatch::NonPositiveQty {
            order_id: OrderId(2),
            qty: Qty(0)
        })
    );
    assert_eq!(book.len(), 1);
}

#[test]
fn feed_cancel_reduces_and_over_cancel_removes_with_both_quantities() {
    let mut book = L3Book::new();
    book.apply(&add(1, Sell, 100, 5)).unwrap();
    book.apply(&add(2, Sell, 100, 5)).unwrap();
    book.apply(&MarketEvent::Cancel {
        ts: T,
        order_id: OrderId(1),
        qty: Qty(2),
    })
    .unwrap();
    assert_eq!(levels(&book, Sell), [(100, 8)]);
    assert_eq!(
        queue_ids(&book, Sell, 100),
        [1, 2],
        "a partial cancel keeps priority"
    );
    assert_eq!(
        book.apply(&MarketEvent::Cancel {
            ts: T,
            order_id: OrderId(1),
            qty: Qty(4)
        }),
        Err(FeedMismatch::QtyExceedsRemaining {
            order_id: OrderId(1),
            event_qty: Qty(4),
            remaining: Qty(3)
        })
    );
    assert_eq!(book.order(OrderId(1)), None);
    assert_eq!(levels(&book, Sell), [(100, 5)]);
    book.apply(&MarketEvent::Cancel {
        ts: T,
        order_id: OrderId(2),
        qty: Qty(5),
    })
    .unwrap();
    assert!(book.is_empty() && book.level_count(Sell) == 0);
}

#[test]
fn feed_execute_reduces_and_reports_a_price_mismatch_after_applying() {
    let mut book = L3Book::new();
    book.apply(&add(1, Buy, 100, 5)).unwrap();
    let exec = |qty, price| MarketEvent::Execute {
        ts: T,
        order_id: OrderId(1),
        side: Buy,
        price: Price(price),
        qty: Qty(qty),
    };
    book.apply(&exec(1, 100)).unwrap();
    assert_eq!(
        book.apply(&exec(1, 101)),
        Err(FeedMismatch::PriceMismatch {
            order_id: OrderId(1),
            event_price: Price(101),
            order_price: Price(100)
        })
    );
    assert_eq!(levels(&book, Buy), [(100, 3)]);
    assert_eq!(
        book.apply(&exec(9, 100)),
        Err(FeedMismatch::QtyExceedsRemaining {
            order_id: OrderId(1),
            event_qty: Qty(9),
            remaining: Qty(3)
        })
    );
    assert!(book.is_empty());
}

#[test]
fn feed_events_for_unknown_ids_are_mismatches_not_panics() {
    let mut book = L3Book::new();
    let id = OrderId(42);
    let unknown = Err(FeedMismatch::UnknownOrder { order_id: id });
    assert_eq!(
        book.apply(&MarketEvent::Delete {
            ts: T,
            order_id: id
        }),
        unknown
    );
    assert_eq!(
        book.apply(&MarketEvent::Cancel {
            ts: T,
            order_id: id,
            qty: Qty(1)
        }),
        unknown
    );
    let exec = MarketEvent::Execute {
        ts: T,
        order_id: id,
        side: Buy,
        price: Price(1),
        qty: Qty(1),
    };
    assert_eq!(book.apply(&exec), unknown);
}

#[test]
fn feed_clear_status_trade_and_level_events() {
    let mut book = L3Book::new();
    book.apply(&add(1, Buy, 100, 5)).unwrap();
    book.apply(&MarketEvent::Trade {
        ts: T,
        price: Price(100),
        qty: Qty(1),
        aggressor: None,
    })
    .unwrap();
    assert_eq!(book.len(), 1);
    book.apply(&MarketEvent::Status {
        ts: T,
        state: TradingState::Halted,
    })
    .unwrap();
    assert_eq!(book.trading_state(), TradingState::Halted);
    assert_eq!(
        book.apply(&MarketEvent::Level {
            ts: T,
            side: Buy,
            price: Price(100),
            qty: Qty(1)
        }),
        Err(FeedMismatch::NotOrderByOrder)
    );
    book.apply(&MarketEvent::Delete {
        ts: T,
        order_id: OrderId(1),
    })
    .unwrap();
    book.apply(&add(2, Buy, 100, 5)).unwrap();
    book.apply(&MarketEvent::Clear { ts: T }).unwrap();
    assert!(book.is_empty() && book.level_count(Buy) == 0);
    assert_eq!(
        book.trading_state(),
        TradingState::Halted,
        "clear keeps the state"
    );
    book.apply(&add(2, Buy, 100, 5)).unwrap();
    assert_eq!(levels(&book, Buy), [(100, 5)]);
}

#[test]
fn feed_mismatches_read_as_sentences() {
    let e = FeedMismatch::QtyExceedsRemaining {
        order_id: OrderId(3),
        event_qty: Qty(4),
        remaining: Qty(2),
    };
    assert_eq!(
        e.to_string(),
        "order #3: event removes 4l but only 2l remained"
    );
}

#[test]
fn many_levels_on_both_sides_match_a_sorted_map_through_inserts_and_cancels() {
    use std::collections::BTreeMap;
    let mut book = L3Book::new();
    let mut expected: [BTreeMap<i64, i64>; 2] = [BTreeMap::new(), BTreeMap::new()];
    let mut x = 12345u64;
    let mut live = Vec::new();
    for id in 0..600u64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let side = if x & 1 == 0 { Buy } else { Sell };
        let depth = (x >> 8) as i64 % 70;
        let price = if side == Buy {
            1000 - depth
        } else {
            1001 + depth
        };
        if (x >> 20).is_multiple_of(3) && !live.is_empty() {
            let (cid, cside, cprice, cqty) = live.swap_remove((x >> 24) as usize % live.len());
            run(&mut book, cancel(cid, A));
            let level = expected[cside as usize]
                .get_mut(&cprice)
                .expect("live order's level");
            *level -= cqty;
            if *level == 0 {
                expected[cside as usize].remove(&cprice);
            }
        } else {
            let qty = 1 + (x >> 32) as i64 % 5;
            run(&mut book, new(id, A, side, price, qty, Gtc));
            *expected[side as usize].entry(price).or_default() += qty;
            live.push((id, side, price, qty));
        }
        let bids: Vec<(i64, i64)> = expected[0].iter().rev().map(|(&p, &q)| (p, q)).collect();
        let asks: Vec<(i64, i64)> = expected[1].iter().map(|(&p, &q)| (p, q)).collect();
        assert_eq!(levels(&book, Buy), bids, "after order {id}");
        assert_eq!(levels(&book, Sell), asks, "after order {id}");
    }
    assert!(book.level_count(Buy) > 40 && book.level_count(Sell) > 40);
}

#[test]
fn memory_follows_live_orders_not_messages() {
    let mut book = L3Book::new();
    let mut out = BookOutput::new();
    // 1000 orders live at a time, a million messages through the book.
    for round in 0..1_000u64 {
        for k in 0..500u64 {
            let id = round * 1_000 + k;
            let price = Price(10_000 + (k % 50) as i64 + 1);
            out.clear();
            book.submit(
                Ts(0),
                &OrderRequest::New(NewOrder::limit(
                    OrderId(id),
                    TraderId(1),
                    Side::Sell,
                    price,
                    Qty(5),
                    TimeInForce::Gtc,
                )),
                &mut out,
            );
            if round > 0 {
                out.clear();
                book.submit(
                    Ts(0),
                    &OrderRequest::Cancel {
                        id: OrderId(id - 1_000),
                        owner: TraderId(1),
                    },
                    &mut out,
                );
            }
        }
        if round == 1 {
            let after_warm_up = book.memory_bytes();
            assert!(
                after_warm_up < 200_000,
                "{after_warm_up} bytes for 1000 orders"
            );
        }
    }
    assert_eq!(book.len(), 500);
    assert!(
        book.memory_bytes() < 200_000,
        "{} bytes",
        book.memory_bytes()
    );
}

#[test]
fn cancels_inside_a_long_queue_keep_time_priority_and_free_their_slots() {
    // 100 asks of 1..=100 lots at one price; cancel every order whose id is not a multiple
    // of 5, except the head.
    let mut book = L3Book::new();
    for id in 1..=100u64 {
        run(&mut book, new(id, A, Sell, 100, id as i64, Gtc));
    }
    for id in 2..=100u64 {
        if id % 5 != 0 {
            run(&mut book, cancel(id, A));
        }
    }
    let live: Vec<u64> = std::iter::once(1).chain((5..=100).step_by(5)).collect();
    assert_eq!(queue_ids(&book, Sell, 100), live);
    assert_eq!(book.len(), live.len());
    let total: i64 = live.iter().map(|&id| id as i64).sum();
    assert_eq!(levels(&book, Sell), vec![(100, total)]);
    // Quantity ahead of order 50: orders 1, 5, 10, …, 45.
    let ahead: i64 = live
        .iter()
        .take_while(|&&id| id < 50)
        .map(|&id| id as i64)
        .sum();
    assert_eq!(book.queue_ahead(OrderId(50)), Some(Qty(ahead)));
    // The 79 cancelled slots are free: 60 new orders reuse them instead of growing the slab.
    let slots = book.slab.nodes.len();
    assert_eq!(slots, 100);
    for id in 1_000..1_060u64 {
        run(&mut book, new(id, A, Sell, 100, 1, Gtc));
    }
    assert_eq!(book.slab.nodes.len(), slots, "freed slots are reused");
    // A buy for everything trades the survivors in time order.
    let out = run(&mut book, new(5_000, B, Buy, 100, total + 60, Ioc));
    let makers: Vec<u64> = fills(&out)
        .iter()
        .filter(|f| f.1 == Maker)
        .map(|f| f.0)
        .collect();
    let expected: Vec<u64> = live.iter().copied().chain(1_000..1_060).collect();
    assert_eq!(makers, expected);
    assert!(book.is_empty());
    assert_eq!(book.level_count(Sell), 0);
}

#[test]
fn cancelling_around_and_at_the_head_leaves_the_next_order_first() {
    let mut book = L3Book::new();
    for id in 1..=5u64 {
        run(&mut book, new(id, A, Buy, 99, 10, Gtc));
    }
    // 2, 3 and 4 leave from behind the head; cancelling the head leaves 5 first in line.
    for id in [2, 3, 4, 1] {
        run(&mut book, cancel(id, A));
    }
    assert_eq!(queue_ids(&book, Buy, 99), vec![5]);
    assert_eq!(book.queue_ahead(OrderId(5)), Some(Qty(0)));
    assert_eq!(levels(&book, Buy), vec![(99, 10)]);
    let out = run(&mut book, new(9, B, Sell, 99, 10, Ioc));
    assert_eq!(fills(&out)[0].0, 5);
    assert!(book.is_empty());
    // The level went with its last live order and every slot is free for reuse.
    let slots = book.slab.nodes.len();
    for id in 20..25u64 {
        run(&mut book, new(id, A, Buy, 98, 1, Gtc));
    }
    assert_eq!(book.slab.nodes.len(), slots);
}
