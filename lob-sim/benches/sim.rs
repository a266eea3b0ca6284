//! Criterion benchmark of the discrete-event market: throughput of a zero-intelligence
//! market (exchange requests per second, one core), from a warmed-up state cloned per batch.
//!
//! Run with `cargo bench -p shortfall-lob-sim --bench sim -- --warm-up-time 1 --measurement-time 3`.

use criterion::{BatchSize, Criterion, Throughput, criterion_group};
use shortfall_core::{Price, Qty, Ts};
use shortfall_lob_sim::book::L3Book;
use shortfall_lob_sim::sim::{Latency, Market, ZeroIntelligence, ZiParams};
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
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
