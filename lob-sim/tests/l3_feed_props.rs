//! Property tests of `L3Book::apply` over random order-by-order feeds (valid and invalid
//! events, unknown and reused ids) against a naive reference: the same result for every
//! event, and the same orders in the same queues afterwards.

use proptest::prelude::*;
use shortfall_core::{BookView, MarketEvent, OrderId, Price, Qty, Side, Ts};
use shortfall_lob_sim::book::{FeedMismatch, L3Book};

/// Live orders in arrival order: (id, side, price, qty).
type Model = Vec<(OrderId, Side, Price, Qty)>;

/// What `apply` must do, written the obvious way.
fn apply_to_model(model: &mut Model, event: &MarketEvent) -> Result<(), FeedMismatch> {
    let find = |model: &Model, id: OrderId| model.iter().position(|o| o.0 == id);
    let mut reduce = |order_id: OrderId, qty: Qty| -> Result<Price, FeedMismatch> {
        let Some(i) = find(model, order_id) else {
            return Err(FeedMismatch::UnknownOrder { order_id });
        };
        if qty.0 <= 0 {
            return Err(FeedMismatch::NonPositiveQty { order_id, qty });
        }
        let (remaining, price) = (model[i].3, model[i].2);
        if qty < remaining {
            model[i].3 -= qty;
            return Ok(price);
        }
        model.remove(i);
        if qty > remaining {
            return Err(FeedMismatch::QtyExceedsRemaining {
                order_id,
                event_qty: qty,
                remaining,
            });
        }
        Ok(price)
    };
    match *event {
        MarketEvent::Add {
            order_id,
            side,
            price,
            qty,
            ..
        } => {
            if qty.0 <= 0 {
                Err(FeedMismatch::NonPositiveQty { order_id, qty })
            } else if find(model, order_id).is_some() {
                Err(FeedMismatch::DuplicateOrderId { order_id })
            } else {
                model.push((order_id, side, price, qty));
                Ok(())
            }
        }
        MarketEvent::Cancel { order_id, qty, .. } => reduce(order_id, qty).map(|_| ()),
        MarketEvent::Execute {
            order_id,
            price,
            qty,
            ..
        } => {
            let order_price = reduce(order_id, qty)?;
            if order_price != price {
                return Err(FeedMismatch::PriceMismatch {
                    order_id,
                    event_price: price,
                    order_price,
                });
            }
            Ok(())
        }
        MarketEvent::Delete { order_id, .. } => match find(model, order_id) {
            Some(i) => {
                model.remove(i);
                Ok(())
            }
            None => Err(FeedMismatch::UnknownOrder { order_id }),
        },
        MarketEvent::Clear { .. } => {
            model.clear();
            Ok(())
        }
        MarketEvent::Level { .. } => Err(FeedMismatch::NotOrderByOrder),
        MarketEvent::Trade { .. } | MarketEvent::Status { .. } => Ok(()),
    }
}

fn event() -> impl Strategy<Value = MarketEvent> {
    let ts = Ts(0);
    let id = (0u64..16).prop_map(OrderId);
    let side = prop_oneof![Just(Side::Buy), Just(Side::Sell)];
    let price = (95i64..=105).prop_map(Price);
    let qty = prop_oneof![10 => (1i64..=6).prop_map(Qty), 1 => (-1i64..=0).prop_map(Qty)];
    prop_oneof![
        8 => (id.clone(), side.clone(), price.clone(), qty.clone()).prop_map(move |(order_id, side, price, qty)| MarketEvent::Add { ts, order_id, side, price, qty }),
        3 => (id.clone(), qty.clone()).prop_map(move |(order_id, qty)| MarketEvent::Cancel { ts, order_id, qty }),
        3 => id.clone().prop_map(move |order_id| MarketEvent::Delete { ts, order_id }),
        3 => (id, side.clone(), price.clone(), qty.clone()).prop_map(move |(order_id, side, price, qty)| MarketEvent::Execute { ts, order_id, side, price, qty }),
        1 => (price.clone(), qty.clone()).prop_map(move |(price, qty)| MarketEvent::Trade { ts, price, qty, aggressor: None }),
        1 => (side, price, qty).prop_map(move |(side, price, qty)| MarketEvent::Level { ts, side, price, qty }),
        1 => Just(MarketEvent::Clear { ts }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_feeds_apply_exactly_like_the_reference(events in prop::collection::vec(event(), 1..200)) {
        let mut book = L3Book::new();
        let mut model = Model::new();
        for (step, event) in events.iter().enumerate() {
            let expected = apply_to_model(&mut model, event);
            prop_assert_eq!(book.apply(event), expected, "step {}: {:?}", step, event);
            prop_assert_eq!(book.len(), model.len());
            for side in [Side::Buy, Side::Sell] {
                let mut prices: Vec<Price> = model.iter().filter(|o| o.1 == side).map(|o| o.2).collect();
                prices.sort_by(|a, b| if side == Side::Buy { b.cmp(a) } else { a.cmp(b) });
                prices.dedup();
                prop_assert_eq!(book.level_count(side), prices.len());
                for (i, price) in prices.into_iter().enumerate() {
                    let queue: Vec<(OrderId, Qty)> = model.iter().filter(|o| o.1 == side && o.2 == price).map(|o| (o.0, o.3)).collect();
                    let total = queue.iter().fold(Qty::ZERO, |a, o| a + o.1);
                    let level = book.level(side, i).expect("level count checked above");
                    prop_assert_eq!((level.price, level.qty), (price, total), "step {}", step);
                    let book_queue: Vec<(OrderId, Qty)> = book.queue(side, price).map(|o| (o.id, o.qty)).collect();
                    prop_assert_eq!(book_queue, queue, "step {}", step);
                }
            }
        }
    }
}
