//! Criterion benchmarks of the discrete-event market: throughput (exchange requests per
//! second, one core) of a zero-intelligence market with a deep book, and of each flow model
//! of the default configuration, from a warmed-up state cloned per batch; plus the cost of
//! one simulated second of the default (zero-intelligence) market, the unit of work of an
//! execution environment stepping in 1 s.
//!
//! Run with `cargo bench -p shortfall-lob-sim --bench sim -- --warm-up-time 1 --measurement-time 3`.

use criterion::{BatchSize, Criterion, Throughput, criterion_group};
use shortfall_core::{Price, Qty, Ts};
use shortfall_lob_sim::book::L3Book;
use shortfall_lob_sim::sim::{FlowModel, Latency, Market, SimConfig, ZeroIntelligence, ZiParams};
use std::hint::black_box;

/// Requests timed per iteration.
const REQUESTS: u64 = 100_000;

fn zi_market() -> Market<ZeroIntelligence> {
    let flow = ZeroIntelligence::new(&ZiParams::default(), "flow.zi", Price(10_000))
        .expect("default parameters are valid");
    let mut market = Market::new(
        L3Book::with_capacity(16_384, 256),
        flow,
        Latency::ZERO,
        7,
        Ts(0),
    );
    market
        .seed_book(Price(10_000), 10, 20, Qty(1))
        .expect("valid initial book");
    // Warm up to the stationary book.
    market.run_until(Ts::from_secs(60));
    market
}

fn bench(c: &mut Criterion) {
    let warm = zi_market();
    let mut group = c.benchmark_group("sim");
    group.throughput(Throughput::Elements(REQUESTS));
    group.bench_function("zi_market/requests_per_s", |b| {
        b.iter_batched_ref(
            || warm.clone(),
            |market| black_box(market.run_requests(REQUESTS)),
            BatchSize::LargeInput,
        );
    });
    for model in [
        FlowModel::Zi,
        FlowModel::Qr,
        FlowModel::Hawkes,
        FlowModel::Abides,
    ] {
        let mut config = SimConfig::default();
        config.flow.model = model;
        let mut warm = config.build().expect("the default config is valid");
        warm.run_until(Ts::from_secs(60));
        group.throughput(Throughput::Elements(REQUESTS / 10));
        group.bench_function(format!("default_{}/requests_per_s", model.name()), |b| {
            b.iter_batched_ref(
                || warm.clone(),
                |market| black_box(market.run_requests(REQUESTS / 10)),
                BatchSize::LargeInput,
            );
        });
    }
    let mut config = SimConfig::default();
    config.flow.model = FlowModel::Zi;
    let mut warm = config.build().expect("the default config is valid");
    warm.run_until(Ts::from_secs(60));
    group.throughput(Throughput::Elements(1));
    group.bench_function("default_zi/one_simulated_second", |b| {
        b.iter_batched_ref(
            || warm.clone(),
            |market| {
                let t = Ts(market.now().0 + Ts::from_secs(1).0);
                black_box(market.run_until(t))
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
