//! The default feature pipeline on a synthetic stream of recorded book states.
//!
//! - `features/default_pipeline/update`: [`FeaturePipeline::update`] per event into one row
//!   buffer (the streaming path).
//! - `features/default_pipeline/batch_push`: [`DatasetBuilder::push`] (the update, the NaN
//!   check and the row copy into the matrix storage).
//!
//! The stream: 100,000 events 1 ms apart cycling through 4,096 recorded book states
//! ([`BookSnapshot`]s, five levels a side around a random-walk mid that moves one tick on
//! 10 % of states, spreads of 1–3 ticks) of which 5 % are trades with a known aggressor.
//! The states fit in cache, as a live book does, so the features are what is timed.
//! Throughput is in events.
//! Run: `cargo bench -p shortfall-features --bench pipeline -- --warm-up-time 1 --measurement-time 3`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shortfall_core::{MarketEvent, Price, PriceLevel, Qty, Side, Ts};
use shortfall_features::{BookSnapshot, DatasetBuilder, FeaturePipeline};
use std::hint::black_box;

/// xorshift64*: a fixed, dependency-free generator (the stream is the same every run).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n) as i64
    }
}

/// Distinct book states and event kinds, cycled: small enough to stay in cache, as a live
/// book would be.
const STATES: usize = 4096;

/// One synthetic event: its kind and the book after it (timestamps are added when the
/// stream is replayed, so that they keep increasing).
struct Step {
    trade: Option<(Price, Qty, Side)>,
    book: BookSnapshot<5>,
}

fn steps() -> Vec<Step> {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut bid = 100_000i64;
    (0..STATES)
        .map(|_| {
            if rng.below(10) == 0 {
                bid += if rng.below(2) == 0 { 1 } else { -1 };
            }
            let spread = 1 + rng.below(3);
            let bids: Vec<PriceLevel> = (0..5)
                .map(|k| PriceLevel {
                    price: Price(bid - k),
                    qty: Qty(1 + rng.below(500)),
                })
                .collect();
            let asks: Vec<PriceLevel> = (0..5)
                .map(|k| PriceLevel {
                    price: Price(bid + spread + k),
                    qty: Qty(1 + rng.below(500)),
                })
                .collect();
            let trade = (rng.below(20) == 0).then(|| {
                let side = if rng.below(2) == 0 {
                    Side::Buy
                } else {
                    Side::Sell
                };
                (Price(bid + spread), Qty(1 + rng.below(100)), side)
            });
            Step {
                trade,
                book: BookSnapshot::from_levels(&bids, &asks),
            }
        })
        .collect()
}

/// The `i`-th event of the replayed stream (1 ms apart).
#[inline]
fn event(i: usize, step: &Step) -> MarketEvent {
    let ts = Ts(34_200_000_000_000 + i as i64 * 1_000_000);
    match step.trade {
        Some((price, qty, side)) => MarketEvent::Trade {
            ts,
            price,
            qty,
            aggressor: Some(side),
        },
        None => MarketEvent::Level {
            ts,
            side: Side::Buy,
            price: Price(0),
            qty: Qty(0),
        },
    }
}

const EVENTS: usize = 100_000;

fn default_pipeline(c: &mut Criterion) {
    let steps = steps();
    let mut group = c.benchmark_group("features/default_pipeline");
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.bench_function("update", |b| {
        let mut p = FeaturePipeline::default();
        let mut row = vec![0.0; p.width()];
        b.iter(|| {
            p.reset();
            for i in 0..EVENTS {
                let step = &steps[i % STATES];
                p.update(&event(i, step), &step.book, &mut row)
                    .expect("row has the pipeline's width");
                black_box(&row);
            }
        })
    });
    group.bench_function("batch_push", |b| {
        b.iter(|| {
            let mut builder = DatasetBuilder::new(FeaturePipeline::default(), vec![])
                .expect("no labels to validate");
            builder.reserve(EVENTS);
            for i in 0..EVENTS {
                let step = &steps[i % STATES];
                builder
                    .push(&event(i, step), &step.book)
                    .expect("features are finite");
            }
            black_box(builder.rows())
        })
    });
    group.finish();
}

criterion_group!(benches, default_pipeline);
criterion_main!(benches);
