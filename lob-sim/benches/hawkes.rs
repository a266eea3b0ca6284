//! Hawkes throughput:
//! - `hawkes/sample/dim{1,2,4}/events_per_s`: accepted events from `HawkesSampler::next_event`
//!   (exact thinning; each iteration draws 1 000 events);
//! - `hawkes/log_likelihood/dim2/events_per_s`: the O(N·dim²) likelihood recursion over
//!   10 000 events.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;
use shortfall_lob_sim::hawkes::{HawkesParams, HawkesSampler, log_likelihood, simulate};
use std::hint::black_box;

/// A `d`-variate process with self-excitation 0.4 and cross-excitation 0.1/(d−1) per pair
/// (ρ(G) = 0.5), β = 100/s and μ = 1/s per dimension.
fn params(d: usize) -> HawkesParams {
    let beta = 100.0;
    let cross = if d > 1 { 0.1 / (d - 1) as f64 } else { 0.0 };
    let alpha = (0..d)
        .map(|i| {
            (0..d)
                .map(|j| beta * if i == j { 0.4 } else { cross })
                .collect()
        })
        .collect();
    HawkesParams::new(vec![1.0; d], alpha, vec![vec![beta; d]; d]).expect("valid benchmark process")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("hawkes/sample");
    for d in [1, 2, 4] {
        let mut sampler = HawkesSampler::new(params(d), 0.0);
        let mut rng = StdRng::seed_from_u64(1);
        g.throughput(Throughput::Elements(1000));
        g.bench_function(format!("dim{d}/events_per_s"), |b| {
            b.iter(|| {
                for _ in 0..1000 {
                    black_box(sampler.next_event(&mut rng));
                }
            })
        });
    }
    g.finish();
    let p = params(2);
    let t_end = 10_000.0 / p.stationary_rates().iter().sum::<f64>();
    let events = simulate(&p, t_end, &mut StdRng::seed_from_u64(2));
    let mut g = c.benchmark_group("hawkes/log_likelihood");
    g.throughput(Throughput::Elements(events.len() as u64));
    g.bench_function("dim2/events_per_s", |b| {
        b.iter(|| black_box(log_likelihood(&p, &events, t_end).expect("valid events")))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
