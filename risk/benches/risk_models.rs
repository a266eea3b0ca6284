//! Criterion benchmarks of the covariance, VaR and stress models.
//!
//! - `stress/on_event/ns_per_event`: the market-stress detector (default config, N = 5
//!   levels) on a stationary stream of level updates and trades against a 10-level book.
//! - `stress/controller_on_event/ns_per_event`: the same through a `RiskController` (detector,
//!   posture rules and gate state).
//! - `cov/dcc_fit_p3_t2000`: a DCC(1,1) fit (three GARCH(1,1) fits plus step 2), 3 × 2 000.
//! - `cov/ledoit_wolf_p50_n100`: Ledoit–Wolf on 100 observations of 50 assets.
//! - `var/fhs_out_of_sample_10k`: 10 000 out-of-sample FHS forecasts at fixed parameters.

use std::convert::Infallible;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use shortfall_core::{
    BookView, Instrument, MarketEvent, OrderRequest, OrderSink, Price, PriceLevel, Qty, Side, Ts,
};
use shortfall_risk::cov::{Dcc, DccParams, Matrix, Mean, ledoit_wolf};
use shortfall_risk::gate::GateConfig;
use shortfall_risk::posture::{PostureConfig, RiskController};
use shortfall_risk::stress::StressConfig;
use shortfall_risk::var::FilteredHistorical;
use shortfall_risk::vol::{GarchModel, GarchParams, MeanModel};

/// Five fixed levels a side whose sizes the stream changes in place.
struct Book {
    bids: [PriceLevel; 5],
    asks: [PriceLevel; 5],
}

impl BookView for Book {
    fn level(&self, side: Side, i: usize) -> Option<PriceLevel> {
        match side {
            Side::Buy => self.bids.get(i).copied(),
            Side::Sell => self.asks.get(i).copied(),
        }
    }
    fn level_count(&self, _side: Side) -> usize {
        5
    }
}

fn stream(n: usize) -> Vec<MarketEvent> {
    let mut rng = StdRng::seed_from_u64(1);
    (0..n)
        .map(|k| {
            let ts = Ts(k as i64 * 10_000_000);
            if rng.random::<f64>() < 0.1 {
                MarketEvent::Trade {
                    ts,
                    price: Price(10_000),
                    qty: Qty(1),
                    aggressor: None,
                }
            } else {
                let i = rng.random_range(0..5);
                let buy = rng.random::<bool>();
                MarketEvent::Level {
                    ts,
                    side: if buy { Side::Buy } else { Side::Sell },
                    price: Price(if buy { 9_999 - i } else { 10_000 + i }),
                    qty: Qty(rng.random_range(80..=120)),
                }
            }
        })
        .collect()
}

fn apply(book: &mut Book, ev: &MarketEvent) {
    if let MarketEvent::Level {
        side, price, qty, ..
    } = *ev
    {
        let (levels, i) = match side {
            Side::Buy => (&mut book.bids, (9_999 - price.0) as usize),
            Side::Sell => (&mut book.asks, (price.0 - 10_000) as usize),
        };
        levels[i].qty = qty;
    }
}

fn new_book() -> Book {
    let lvl = |p, q| PriceLevel {
        price: Price(p),
        qty: Qty(q),
    };
    Book {
        bids: std::array::from_fn(|i| lvl(9_999 - i as i64, 100)),
        asks: std::array::from_fn(|i| lvl(10_000 + i as i64, 100)),
    }
}

struct Venue;
impl OrderSink for Venue {
    type Refusal = Infallible;
    fn submit(&mut self, _: Ts, _: OrderRequest) -> Result<(), Infallible> {
        Ok(())
    }
}

fn stress(c: &mut Criterion) {
    let events = stream(1 << 16);
    let mut g = c.benchmark_group("stress");
    g.bench_function("on_event/ns_per_event", |b| {
        let mut d = StressConfig::default().build().unwrap();
        let mut book = new_book();
        let mut i = 0usize;
        let mut base = 0i64;
        b.iter(|| {
            let mut ev = events[i & (events.len() - 1)];
            if i > 0 && i.is_multiple_of(events.len()) {
                base += events.len() as i64 * 10_000_000;
            }
            shift(&mut ev, base);
            apply(&mut book, &ev);
            i += 1;
            black_box(d.on_event(&ev, &book).unwrap())
        });
    });
    g.bench_function("controller_on_event/ns_per_event", |b| {
        let gate = GateConfig::default()
            .build(Instrument::new("B", 0.01, 1.0).unwrap(), Venue)
            .unwrap();
        let mut risk = RiskController::new(
            gate,
            StressConfig::default().build().unwrap(),
            PostureConfig::default(),
        )
        .unwrap();
        let mut book = new_book();
        let mut i = 0usize;
        let mut base = 0i64;
        b.iter(|| {
            let mut ev = events[i & (events.len() - 1)];
            if i > 0 && i.is_multiple_of(events.len()) {
                base += events.len() as i64 * 10_000_000;
            }
            shift(&mut ev, base);
            apply(&mut book, &ev);
            i += 1;
            black_box(risk.on_market_event(&ev, &book).unwrap())
        });
    });
    g.finish();
}

/// Moves an event `by` nanoseconds later (the stream repeats with rising timestamps).
fn shift(ev: &mut MarketEvent, by: i64) {
    match ev {
        MarketEvent::Trade { ts, .. } | MarketEvent::Level { ts, .. } => ts.0 += by,
        _ => {}
    }
}

fn models(c: &mut Criterion) {
    let mut g = c.benchmark_group("cov");
    g.sample_size(10);
    let garch = GarchParams {
        omega: 0.05,
        alpha: 0.08,
        beta: 0.9,
        ..GarchParams::default()
    };
    let qbar = Matrix::from_rows(&[
        vec![1.0, 0.5, 0.3],
        vec![0.5, 1.0, 0.4],
        vec![0.3, 0.4, 1.0],
    ])
    .unwrap();
    let sim = Dcc::simulate(
        &[garch; 3],
        &qbar,
        DccParams { a: 0.05, b: 0.9 },
        2000,
        500,
        1,
    )
    .unwrap();
    g.bench_function("dcc_fit_p3_t2000", |b| {
        b.iter(|| black_box(Dcc::default().fit(&sim.returns).unwrap()))
    });
    let mut rng = StdRng::seed_from_u64(2);
    let rows: Vec<Vec<f64>> = (0..100)
        .map(|_| (0..50).map(|_| StandardNormal.sample(&mut rng)).collect())
        .collect();
    g.bench_function("ledoit_wolf_p50_n100", |b| {
        b.iter(|| black_box(ledoit_wolf(&rows, Mean::Estimate).unwrap()))
    });
    g.finish();

    let model = GarchModel::garch(MeanModel::Zero);
    let y = model.simulate(&garch, 12_000, 500, 3).unwrap().returns;
    let fhs = FilteredHistorical::fit(model, &y[..2000]).unwrap();
    let mut g = c.benchmark_group("var");
    g.bench_function("fhs_out_of_sample_10k", |b| {
        b.iter(|| black_box(fhs.out_of_sample(&y[2000..], 0.01).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, stress, models);
criterion_main!(benches);
