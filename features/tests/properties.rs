//! Properties over random books and event streams: streaming and batch features agree
//! exactly, features never look ahead, outputs stay finite and in range, labels never read
//! past their horizon, online normalisers equal a refit on the past.

use ndarray::Array2;
use proptest::prelude::*;
use shortfall_core::{BookView, MarketEvent, Price, PriceLevel, Qty, Side, Ts};
use shortfall_features::{
    BookSnapshot, DatasetBuilder, EwZScore, FeaturePipeline, LabelSpec, Normaliser, RollingMinMax,
    Smoothing, VerticalBarrier, ZScore,
};
use std::collections::BTreeMap;

/// A plain price-level book for the tests (independent of the simulator's books).
#[derive(Default, Clone)]
struct MapBook {
    bids: BTreeMap<i64, i64>,
    asks: BTreeMap<i64, i64>,
}

impl MapBook {
    fn apply(&mut self, e: &MarketEvent) {
        match *e {
            MarketEvent::Level {
                side, price, qty, ..
            } => {
                let m = if side == Side::Buy {
                    &mut self.bids
                } else {
                    &mut self.asks
                };
                if qty.0 == 0 {
                    m.remove(&price.0);
                } else {
                    m.insert(price.0, qty.0);
                }
            }
            MarketEvent::Clear { .. } => {
                self.bids.clear();
                self.asks.clear();
            }
            _ => {}
        }
    }
}

impl BookView for MapBook {
    fn level(&self, side: Side, index: usize) -> Option<PriceLevel> {
        let (p, q) = match side {
            Side::Buy => self.bids.iter().rev().nth(index)?,
            Side::Sell => self.asks.iter().nth(index)?,
        };
        Some(PriceLevel {
            price: Price(*p),
            qty: Qty(*q),
        })
    }
    fn level_count(&self, side: Side) -> usize {
        match side {
            Side::Buy => self.bids.len(),
            Side::Sell => self.asks.len(),
        }
    }
}

/// Random events around a price of 1000 ticks: level updates (a quarter remove the
/// level), trades with and without an aggressor, rare clears; the book can be empty,
/// one-sided or crossed. Timestamps advance by 0 to 2 s.
fn events() -> impl Strategy<Value = Vec<MarketEvent>> {
    let one = (
        0u8..20,
        any::<bool>(),
        -6i64..6,
        0i64..40,
        0i64..2_000_000_000,
    );
    prop::collection::vec(one, 1..300).prop_map(|raw| {
        let mut ts = 30_000_000_000_000i64;
        raw.into_iter()
            .map(|(kind, buy, off, qty, dt)| {
                ts += dt;
                let ts = Ts(ts);
                match kind {
                    0 => MarketEvent::Clear { ts },
                    1..=3 => MarketEvent::Trade {
                        ts,
                        price: Price(1000 + off),
                        qty: Qty(qty + 1),
                        aggressor: match kind {
                            1 => Some(Side::Buy),
                            2 => Some(Side::Sell),
                            _ => None,
                        },
                    },
                    _ => {
                        let side = if buy { Side::Buy } else { Side::Sell };
                        // bids mostly below 1000, asks mostly above; some cross
                        let price = if buy { 998 + off } else { 1002 + off };
                        let qty = if kind < 8 { 0 } else { qty };
                        MarketEvent::Level {
                            ts,
                            side,
                            price: Price(price),
                            qty: Qty(qty),
                        }
                    }
                }
            })
            .collect()
    })
}

fn streaming_rows(events: &[MarketEvent]) -> Vec<Vec<f64>> {
    let mut p = FeaturePipeline::default();
    let mut book = MapBook::default();
    events
        .iter()
        .map(|e| {
            book.apply(e);
            let mut row = vec![0.0; p.width()];
            p.update(e, &book, &mut row).unwrap();
            row
        })
        .collect()
}

fn batch_features(events: &[MarketEvent]) -> Array2<f64> {
    let mut book = MapBook::default();
    let pairs: Vec<(MarketEvent, BookSnapshot<16>)> = events
        .iter()
        .map(|e| {
            book.apply(e);
            (*e, BookSnapshot::of(&book))
        })
        .collect();
    let mut b = DatasetBuilder::new(FeaturePipeline::default(), vec![]).unwrap();
    b.extend(pairs).unwrap();
    b.finish().unwrap().features
}

fn column(names: &[String], name: &str) -> usize {
    names.iter().position(|n| n == name).unwrap()
}

proptest! {
    #[test]
    fn streaming_and_batch_features_agree_bit_for_bit(events in events()) {
        let stream = streaming_rows(&events);
        let batch = batch_features(&events);
        prop_assert_eq!(batch.nrows(), stream.len());
        for (r, row) in stream.iter().enumerate() {
            for (c, x) in row.iter().enumerate() {
                prop_assert_eq!(x.to_bits(), batch[[r, c]].to_bits(), "row {} column {}", r, c);
            }
        }
    }

    #[test]
    fn features_never_look_ahead(events in events(), cut in 0usize..300) {
        let cut = cut.min(events.len());
        let full = streaming_rows(&events);
        let prefix = streaming_rows(&events[..cut]);
        prop_assert_eq!(&full[..cut], &prefix[..]);
    }

    #[test]
    fn outputs_are_finite_and_in_range(events in events()) {
        let names = FeaturePipeline::default().names().to_vec();
        let rows = streaming_rows(&events);
        let bounded: Vec<usize> = names
            .iter()
            .enumerate()
            .filter(|(_, n)| n.starts_with("imbalance") || n.starts_with("trade_imbalance"))
            .map(|(i, _)| i)
            .collect();
        let spreads = [column(&names, "spread_ticks"), column(&names, "spread_bps")];
        for row in &rows {
            prop_assert!(row.iter().all(|x| x.is_finite()), "{:?}", row);
            for &i in &bounded {
                prop_assert!((-1.0..=1.0).contains(&row[i]), "{} = {}", names[i], row[i]);
            }
            for &i in &spreads {
                prop_assert!(row[i] >= 0.0, "{} = {}", names[i], row[i]);
            }
        }
    }

    #[test]
    fn labels_never_read_past_their_horizon(
        mids in prop::collection::vec(prop::option::weighted(0.97, 90.0f64..110.0), 2..120),
        noise in prop::collection::vec(50.0f64..150.0, 120),
        t in 0usize..120,
        k in 1usize..8,
        threshold in 0.0f64..0.01,
    ) {
        // the carried mid: once defined, defined afterwards
        let mut seen = false;
        let mids: Vec<Option<f64>> = mids
            .into_iter()
            .map(|m| {
                seen |= m.is_some();
                if seen { Some(m.unwrap_or(100.0)) } else { None }
            })
            .collect();
        let t = t % mids.len();
        let specs = [
            LabelSpec::Direction { horizon: k, threshold, smoothing: Smoothing::None },
            LabelSpec::Direction { horizon: k, threshold, smoothing: Smoothing::FutureMean },
            LabelSpec::Direction { horizon: k, threshold, smoothing: Smoothing::PastMean },
            LabelSpec::FutureReturn { horizon: k },
            LabelSpec::TripleBarrier { horizon: k, upper: 0.01, lower: 0.02, vertical: VerticalBarrier::Sign },
        ];
        // change every mid after t + k
        let mut perturbed = mids.clone();
        for (i, m) in perturbed.iter_mut().enumerate().skip(t + k + 1) {
            *m = Some(noise[i]);
        }
        for spec in &specs {
            let before = spec.compute(&mids);
            let after = spec.compute(&perturbed);
            prop_assert_eq!(&before[..=t], &after[..=t], "{}", spec.name());
        }
        // and the horizon is exactly k: the future return at t moves with the mid at t + k
        if t + k < mids.len() && mids[t].is_some() {
            let spec = LabelSpec::FutureReturn { horizon: k };
            let mut shifted = mids.clone();
            shifted[t + k] = shifted[t + k].map(|m| m * 1.01);
            prop_assert_ne!(spec.label_at(&mids, t), spec.label_at(&shifted, t));
        }
    }

    #[test]
    fn online_normalisers_equal_a_refit_on_the_rows_before(
        rows in prop::collection::vec(prop::collection::vec(-1e3f64..1e3, 3), 1..40),
        half_life in 0.5f64..20.0,
        window in 1usize..10,
    ) {
        let makers: [Box<dyn Fn() -> Box<dyn Normaliser>>; 3] = [
            Box::new(|| Box::new(ZScore::new())),
            Box::new(move || Box::new(EwZScore::new(half_life).unwrap())),
            Box::new(move || Box::new(RollingMinMax::new(window).unwrap())),
        ];
        for make in &makers {
            let mut online = make();
            for i in 0..rows.len() {
                let mut got = rows[i].clone();
                online.update_transform(&mut got).unwrap();
                let mut want = rows[i].clone();
                if i == 0 {
                    let neutral = make().neutral();
                    want.iter_mut().for_each(|x| *x = neutral);
                } else {
                    let mut refit = make();
                    let past = Array2::from_shape_fn((i, 3), |(r, c)| rows[r][c]);
                    refit.fit(past.view()).unwrap();
                    refit.transform_row(&mut want).unwrap();
                }
                let same = got.iter().zip(&want).all(|(a, b)| a.to_bits() == b.to_bits());
                prop_assert!(same, "row {}: {:?} vs {:?}", i, got, want);
            }
        }
    }
}

#[test]
fn a_nan_from_a_custom_feature_is_caught_with_its_name_and_row() {
    use shortfall_features::{Error, FeatureExtractor, Observation};
    struct Ratio;
    impl FeatureExtractor for Ratio {
        fn width(&self) -> usize {
            1
        }
        fn names(&self) -> Vec<String> {
            vec!["bid_over_ask_qty".into()]
        }
        fn update(&mut self, obs: &Observation<'_>, out: &mut [f64]) {
            let q = |l: &[PriceLevel]| l.first().map_or(0.0, |l| l.qty.0 as f64);
            out[0] = q(obs.bids) / q(obs.asks);
        }
        fn reset(&mut self) {}
    }
    let p = FeaturePipeline::from_toml("[[features]]\nkind = \"mid\"")
        .unwrap()
        .with_extractor(Box::new(Ratio))
        .unwrap();
    let mut b = DatasetBuilder::new(p, vec![]).unwrap();
    let lv = |p, q| PriceLevel {
        price: Price(p),
        qty: Qty(q),
    };
    let e = MarketEvent::Clear { ts: Ts(0) };
    b.push(
        &e,
        &BookSnapshot::<1>::from_levels(&[lv(99, 1)], &[lv(101, 2)]),
    )
    .unwrap();
    let err = b.push(&e, &BookSnapshot::<1>::default()).unwrap_err();
    assert!(
        matches!(err, Error::NonFinite { ref feature, column: 1, row: 1, .. } if feature == "bid_over_ask_qty"),
        "{err}"
    );
}
