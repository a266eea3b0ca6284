//! `L2Book` against a `BTreeMap` reference model under arbitrary level updates.

use proptest::prelude::*;
use shortfall_core::{BookView, MarketEvent, Price, PriceLevel, Qty, Side, Ts};
use shortfall_lob_sim::book::L2Book;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
enum Op {
    Set(Side, i64, i64),
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        20 => (prop_oneof![Just(Side::Buy), Just(Side::Sell)], 0i64..60, -2i64..6)
            .prop_map(|(s, p, q)| Op::Set(s, p, q)),
        1 => Just(Op::Clear),
    ]
}

/// The model: one ordered map per side, zero quantities never stored.
#[derive(Default)]
struct Model {
    bids: BTreeMap<i64, i64>,
    asks: BTreeMap<i64, i64>,
}

impl Model {
    fn best_first(&self, side: Side) -> Vec<PriceLevel> {
        let to_level = |(&p, &q): (&i64, &i64)| PriceLevel {
            price: Price(p),
            qty: Qty(q),
        };
        match side {
            Side::Buy => self.bids.iter().rev().map(to_level).collect(),
            Side::Sell => self.asks.iter().map(to_level).collect(),
        }
    }
}

proptest! {
    #[test]
    fn l2_book_agrees_with_a_btreemap_model_after_every_update(
        ops in proptest::collection::vec(op(), 0..300),
        through_events in any::<bool>(),
    ) {
        let mut book = L2Book::new();
        let mut model = Model::default();
        for op in ops {
            match op {
                Op::Set(side, p, q) => {
                    let result = if through_events {
                        book.apply(&MarketEvent::Level { ts: Ts(0), side, price: Price(p), qty: Qty(q) })
                    } else {
                        book.set_level(side, Price(p), Qty(q)).map(|_| ())
                    };
                    prop_assert_eq!(result.is_err(), q < 0);
                    let map = if side == Side::Buy { &mut model.bids } else { &mut model.asks };
                    if q == 0 {
                        map.remove(&p);
                    } else if q > 0 {
                        map.insert(p, q);
                    }
                }
                Op::Clear => {
                    book.clear();
                    model = Model::default();
                }
            }
            for side in [Side::Buy, Side::Sell] {
                let expected = model.best_first(side);
                prop_assert_eq!(book.level_count(side), expected.len());
                let got: Vec<_> = book.levels(side).collect();
                prop_assert_eq!(&got, &expected);
                for (i, level) in expected.iter().enumerate().take(5) {
                    prop_assert_eq!(book.level(side, i), Some(*level));
                }
                prop_assert_eq!(book.level(side, expected.len()), None);
            }
            let crossed = matches!(
                (model.bids.keys().next_back(), model.asks.keys().next()),
                (Some(b), Some(a)) if b >= a
            );
            prop_assert_eq!(book.is_crossed(), crossed);
        }
    }
}
