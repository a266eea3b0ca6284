//! Property tests of `L3Book` over random request sequences, against a naive reference book.
//!
//! After every request: the reports equal the reference model's, the levels and every
//! queue equal the model's, the book is not crossed, quantity is conserved per order, unknown
//! ids are rejected, and a second book fed only the public events through `apply` holds the
//! same orders in the same queues.

use proptest::prelude::*;
use shortfall_core::{
    BookView, CancelReason, ExecReport, Fill, Liquidity, NewOrder, OrderId, OrderRequest,
    OrderType, Price, Qty, RejectReason, Side, TimeInForce, TraderId, TradingState, Ts,
};
use shortfall_lob_sim::book::{BookOutput, L3Book};
use std::collections::HashMap;

// ----- the reference model: a flat Vec of orders, searched in full for every decision -----

#[derive(Clone, Debug)]
struct RefOrder {
    id: OrderId,
    owner: TraderId,
    side: Side,
    price: Price,
    qty: Qty,
    seq: u64,
    post_only: bool,
}

#[derive(Debug)]
struct RefBook {
    orders: Vec<RefOrder>,
    next_seq: u64,
    state: TradingState,
}

/// True when an incoming order on `side` limited at `limit` (None: market) may trade with a
/// resting order at `resting`.
fn within(side: Side, limit: Option<Price>, resting: Price) -> bool {
    match (side, limit) {
        (_, None) => true,
        (Side::Buy, Some(l)) => resting <= l,
        (Side::Sell, Some(l)) => resting >= l,
    }
}

impl RefBook {
    fn new() -> Self {
        Self {
            orders: Vec::new(),
            next_seq: 0,
            state: TradingState::Trading,
        }
    }

    fn find(&self, id: OrderId) -> Option<usize> {
        self.orders.iter().position(|o| o.id == id)
    }

    /// Index of the opposite order that trades first with an incoming `side` order.
    fn best_opposite(&self, side: Side, limit: Option<Price>) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, o) in self.orders.iter().enumerate() {
            if o.side == side || !within(side, limit, o.price) {
                continue;
            }
            best = match best {
                None => Some(i),
                Some(b) => {
                    let cur = &self.orders[b];
                    let better = o.side.is_better(o.price, cur.price)
                        || (o.price == cur.price && o.seq < cur.seq);
                    Some(if better { i } else { b })
                }
            };
        }
        best
    }

    fn rest(&mut self, id: OrderId, owner: TraderId, side: Side, price: Price, qty: Qty, po: bool) {
        self.orders.push(RefOrder {
            id,
            owner,
            side,
            price,
            qty,
            seq: self.next_seq,
            post_only: po,
        });
        self.next_seq += 1;
    }

    /// Matches an incoming order; returns what is left of it.
    #[allow(clippy::too_many_arguments)]
    fn trade(
        &mut self,
        ts: Ts,
        id: OrderId,
        owner: TraderId,
        side: Side,
        limit: Option<Price>,
        mut qty: Qty,
        out: &mut Vec<ExecReport>,
    ) -> Qty {
        while qty.is_positive() {
            let Some(i) = self.best_opposite(side, limit) else {
                break;
            };
            let maker = self.orders[i].clone();
            if maker.owner == owner && owner != TraderId::MARKET {
                out.push(ExecReport::Cancelled {
                    ts,
                    id: maker.id,
                    owner,
                    qty: maker.qty,
                    reason: CancelReason::SelfTradePrevention,
                });
                self.orders.remove(i);
                continue;
            }
            let q = qty.min(maker.qty);
            qty -= q;
            let fill = Fill {
                ts,
                id: maker.id,
                owner: maker.owner,
                side: maker.side,
                price: maker.price,
                qty: q,
                leaves_qty: maker.qty - q,
                liquidity: Liquidity::Maker,
                counterparty: id,
            };
            out.push(ExecReport::Fill(fill));
            out.push(ExecReport::Fill(Fill {
                id,
                owner,
                side,
                leaves_qty: qty,
                liquidity: Liquidity::Taker,
                counterparty: maker.id,
                ..fill
            }));
            if maker.qty == q {
                self.orders.remove(i);
            } else {
                self.orders[i].qty -= q;
            }
        }
        qty
    }

    fn submit(&mut self, ts: Ts, request: &OrderRequest) -> Vec<ExecReport> {
        let mut out = Vec::new();
        let reject = |out: &mut Vec<ExecReport>, reason| {
            out.push(ExecReport::Rejected {
                ts,
                id: request.id(),
                owner: request.owner(),
                reason,
            });
        };
        match *request {
            OrderRequest::New(o) => {
                let (limit, tif) = match o.order_type {
                    OrderType::Limit { price, tif } => (Some(price), tif),
                    OrderType::Market => (None, TimeInForce::Ioc),
                };
                if !o.qty.is_positive() {
                    reject(&mut out, RejectReason::InvalidQty);
                } else if limit.is_some_and(|p| !p.is_positive()) {
                    reject(&mut out, RejectReason::InvalidPrice);
                } else if self.find(o.id).is_some() {
                    reject(&mut out, RejectReason::DuplicateOrderId);
                } else if self.state == TradingState::Halted {
                    reject(&mut out, RejectReason::Halted);
                } else if self.best_opposite(o.side, limit).is_none() {
                    match (limit, tif) {
                        (None, _) => reject(&mut out, RejectReason::NoLiquidity),
                        (_, TimeInForce::Fok) => reject(&mut out, RejectReason::FokNotFillable),
                        (_, TimeInForce::Ioc) => {
                            out.push(ExecReport::Accepted {
                                ts,
                                id: o.id,
                                owner: o.owner,
                            });
                            out.push(ExecReport::Expired {
                                ts,
                                id: o.id,
                                owner: o.owner,
                                qty: o.qty,
                            });
                        }
                        (Some(p), _) => {
                            out.push(ExecReport::Accepted {
                                ts,
                                id: o.id,
                                owner: o.owner,
                            });
                            self.rest(
                                o.id,
                                o.owner,
                                o.side,
                                p,
                                o.qty,
                                tif == TimeInForce::PostOnly,
                            );
                        }
                    }
                } else if self.state == TradingState::Quoting {
                    reject(&mut out, RejectReason::Halted);
                } else if tif == TimeInForce::PostOnly {
                    reject(&mut out, RejectReason::PostOnlyWouldCross);
                } else if tif == TimeInForce::Fok && {
                    let available: i64 = self
                        .orders
                        .iter()
                        .filter(|r| r.side != o.side && within(o.side, limit, r.price))
                        .filter(|r| o.owner == TraderId::MARKET || r.owner != o.owner)
                        .map(|r| r.qty.0)
                        .sum();
                    available < o.qty.0
                } {
                    reject(&mut out, RejectReason::FokNotFillable);
                } else {
                    out.push(ExecReport::Accepted {
                        ts,
                        id: o.id,
                        owner: o.owner,
                    });
                    let left = self.trade(ts, o.id, o.owner, o.side, limit, o.qty, &mut out);
                    if left.is_positive() {
                        match (limit, tif) {
                            (Some(p), TimeInForce::Gtc) => {
                                self.rest(o.id, o.owner, o.side, p, left, false)
                            }
                            _ => out.push(ExecReport::Expired {
                                ts,
                                id: o.id,
                                owner: o.owner,
                                qty: left,
                            }),
                        }
                    }
                }
            }
            OrderRequest::Cancel { id, owner } => match self.find(id) {
                None => reject(&mut out, RejectReason::UnknownOrder),
                Some(i) if self.orders[i].owner != owner => {
                    reject(&mut out, RejectReason::NotOwner)
                }
                Some(i) => {
                    let o = self.orders.remove(i);
                    out.push(ExecReport::Cancelled {
                        ts,
                        id,
                        owner,
                        qty: o.qty,
                        reason: CancelReason::Requested,
                    });
                }
            },
            OrderRequest::Modify {
                id,
                owner,
                price,
                qty,
            } => match self.find(id) {
                None => reject(&mut out, RejectReason::UnknownOrder),
                Some(i) if self.orders[i].owner != owner => {
                    reject(&mut out, RejectReason::NotOwner)
                }
                Some(_) if !qty.is_positive() => reject(&mut out, RejectReason::InvalidQty),
                Some(_) if !price.is_positive() => reject(&mut out, RejectReason::InvalidPrice),
                Some(_) if self.state == TradingState::Halted => {
                    reject(&mut out, RejectReason::Halted)
                }
                Some(i) => {
                    let old = self.orders[i].clone();
                    let crosses = self.best_opposite(old.side, Some(price)).is_some();
                    if price == old.price && qty == old.qty {
                        reject(&mut out, RejectReason::NoChange);
                    } else if price == old.price && qty < old.qty {
                        self.orders[i].qty = qty;
                        out.push(ExecReport::Accepted { ts, id, owner });
                    } else if crosses && self.state == TradingState::Quoting {
                        reject(&mut out, RejectReason::Halted);
                    } else if crosses && old.post_only {
                        reject(&mut out, RejectReason::PostOnlyWouldCross);
                    } else {
                        self.orders.remove(i);
                        out.push(ExecReport::Accepted { ts, id, owner });
                        let left = self.trade(ts, id, owner, old.side, Some(price), qty, &mut out);
                        if left.is_positive() {
                            self.rest(id, owner, old.side, price, left, old.post_only);
                        }
                    }
                }
            },
        }
        out
    }

    /// (price, total qty) best first.
    fn levels(&self, side: Side) -> Vec<(Price, Qty)> {
        let mut prices: Vec<Price> = self
            .orders
            .iter()
            .filter(|o| o.side == side)
            .map(|o| o.price)
            .collect();
        prices.sort_by(|a, b| match side {
            Side::Buy => b.cmp(a),
            Side::Sell => a.cmp(b),
        });
        prices.dedup();
        prices
            .into_iter()
            .map(|p| {
                (
                    p,
                    self.queue(side, p)
                        .iter()
                        .map(|&(_, q)| q)
                        .fold(Qty::ZERO, |a, q| a + q),
                )
            })
            .collect()
    }

    /// (id, qty) of the orders at one level in time priority.
    fn queue(&self, side: Side, price: Price) -> Vec<(OrderId, Qty)> {
        let mut at: Vec<&RefOrder> = self
            .orders
            .iter()
            .filter(|o| o.side == side && o.price == price)
            .collect();
        at.sort_by_key(|o| o.seq);
        at.into_iter().map(|o| (o.id, o.qty)).collect()
    }
}

// ----- checks against the book -----

fn book_levels(book: &L3Book, side: Side) -> Vec<(Price, Qty)> {
    (0..book.level_count(side))
        .map(|i| {
            let l = book.level(side, i).expect("index below level_count");
            (l.price, l.qty)
        })
        .collect()
}

fn book_queue(book: &L3Book, side: Side, price: Price) -> Vec<(OrderId, Qty)> {
    book.queue(side, price).map(|o| (o.id, o.qty)).collect()
}

/// The same orders in the same queues at the same levels.
fn assert_same_book(book: &L3Book, model: &RefBook, what: &str) -> Result<(), TestCaseError> {
    for side in [Side::Buy, Side::Sell] {
        let levels = book_levels(book, side);
        prop_assert_eq!(&levels, &model.levels(side), "{} {:?} levels", what, side);
        for &(price, _) in &levels {
            prop_assert_eq!(
                book_queue(book, side, price),
                model.queue(side, price),
                "{} {:?} queue at {}",
                what,
                side,
                price
            );
        }
    }
    prop_assert_eq!(book.len(), model.orders.len(), "{} live orders", what);
    Ok(())
}

/// Quantity accounts of one order, from its reports.
#[derive(Clone, Copy, Debug, Default)]
struct Ledger {
    submitted: i64,
    filled: i64,
    cancelled: i64,
    expired: i64,
}

// ----- request generation -----

#[derive(Clone, Debug)]
enum Op {
    Request(OrderRequest),
    SetState(TradingState),
}

fn owner() -> impl Strategy<Value = TraderId> {
    (0u32..3).prop_map(TraderId)
}

fn price() -> impl Strategy<Value = Price> {
    prop_oneof![20 => (96i64..=104).prop_map(Price), 1 => (-1i64..=0).prop_map(Price)]
}

fn qty() -> impl Strategy<Value = Qty> {
    prop_oneof![20 => (1i64..=8).prop_map(Qty), 1 => (-1i64..=0).prop_map(Qty)]
}

fn id() -> impl Strategy<Value = OrderId> {
    (0u64..24).prop_map(OrderId)
}

fn op() -> impl Strategy<Value = Op> {
    let side = prop_oneof![Just(Side::Buy), Just(Side::Sell)];
    let tif = prop_oneof![
        4 => Just(Some(TimeInForce::Gtc)),
        2 => Just(Some(TimeInForce::Ioc)),
        1 => Just(Some(TimeInForce::Fok)),
        1 => Just(Some(TimeInForce::PostOnly)),
        1 => Just(None),
    ];
    let new = (id(), owner(), side, price(), qty(), tif).prop_map(
        |(id, owner, side, price, qty, tif)| {
            Op::Request(OrderRequest::New(match tif {
                Some(tif) => NewOrder::limit(id, owner, side, price, qty, tif),
                None => NewOrder::market(id, owner, side, qty),
            }))
        },
    );
    let cancel =
        (id(), owner()).prop_map(|(id, owner)| Op::Request(OrderRequest::Cancel { id, owner }));
    let modify = (id(), owner(), price(), qty()).prop_map(|(id, owner, price, qty)| {
        Op::Request(OrderRequest::Modify {
            id,
            owner,
            price,
            qty,
        })
    });
    let state = prop_oneof![
        3 => Just(TradingState::Trading),
        1 => Just(TradingState::Quoting),
        1 => Just(TradingState::Halted),
    ]
    .prop_map(Op::SetState);
    prop_oneof![12 => new, 4 => cancel, 4 => modify, 1 => state]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_request_sequences_keep_every_book_invariant(ops in prop::collection::vec(op(), 1..160)) {
        let mut book = L3Book::new();
        let mut mirror = L3Book::new();
        let mut model = RefBook::new();
        let mut ledgers: HashMap<OrderId, Ledger> = HashMap::new();
        let mut out = BookOutput::new();
        for (step, op) in ops.iter().enumerate() {
            let ts = Ts(step as i64);
            let request = match op {
                Op::SetState(state) => {
                    let event = shortfall_core::MarketEvent::Status { ts, state: *state };
                    prop_assert!(book.apply(&event).is_ok());
                    prop_assert!(mirror.apply(&event).is_ok());
                    model.state = *state;
                    continue;
                }
                Op::Request(request) => request,
            };
            let was_live = model.find(request.id()).is_some();
            out.clear();
            book.submit(ts, request, &mut out);
            let expected = model.submit(ts, request);
            let what = format!("step {step}: {request:?}");
            prop_assert_eq!(&out.reports, &expected, "{} reports", &what);

            // Unknown ids are rejections, never anything else.
            if !was_live && !matches!(request, OrderRequest::New(_)) {
                prop_assert!(matches!(out.reports[..], [ExecReport::Rejected { reason: RejectReason::UnknownOrder, .. }]), "{}", &what);
            }

            // Quantity is conserved per order.
            for report in &out.reports {
                match *report {
                    ExecReport::Accepted { id, .. } => match request {
                        OrderRequest::New(o) => { ledgers.insert(id, Ledger { submitted: o.qty.0, ..Ledger::default() }); }
                        OrderRequest::Modify { qty, .. } => {
                            let l = ledgers.get_mut(&id).expect("a modified order has a ledger");
                            l.submitted = l.filled + l.cancelled + l.expired + qty.0;
                        }
                        OrderRequest::Cancel { .. } => prop_assert!(false, "a cancel is never Accepted"),
                    },
                    ExecReport::Fill(f) => ledgers.get_mut(&f.id).expect("a filled order has a ledger").filled += f.qty.0,
                    ExecReport::Cancelled { id, qty, .. } => ledgers.get_mut(&id).expect("a cancelled order has a ledger").cancelled += qty.0,
                    ExecReport::Expired { id, qty, .. } => ledgers.get_mut(&id).expect("an expired order has a ledger").expired += qty.0,
                    ExecReport::Rejected { .. } => {}
                }
            }
            for (id, l) in &ledgers {
                let resting = book.order(*id).map_or(0, |o| o.qty.0);
                prop_assert_eq!(resting + l.filled + l.cancelled + l.expired, l.submitted, "{} ledger of {:?}: {:?}", &what, id, l);
            }

            prop_assert!(!book.is_crossed(), "{} crossed", &what);
            assert_same_book(&book, &model, &what)?;

            // The public events alone rebuild the same book.
            for event in &out.events {
                prop_assert_eq!(mirror.apply(event), Ok(()), "{} event {:?}", &what, event);
            }
            for side in [Side::Buy, Side::Sell] {
                let levels = book_levels(&book, side);
                prop_assert_eq!(&book_levels(&mirror, side), &levels, "{} mirror {:?}", &what, side);
                for &(price, _) in &levels {
                    prop_assert_eq!(book_queue(&mirror, side, price), book_queue(&book, side, price), "{} mirror queue", &what);
                }
            }
        }
    }
}
