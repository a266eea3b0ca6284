//! `l2_book/level_update/ns_per_update`: one `L2Book::set_level` in a book of realistic depth,
//! with most updates near the touch (as diff-depth feeds send them).

use criterion::{Criterion, criterion_group, criterion_main};
use shortfall_core::{BookView, Price, Qty, Side};
use shortfall_lob_sim::book::L2Book;
use std::hint::black_box;

/// Deterministic update stream: a linear congruential generator, no RNG dependency.
fn updates(n: usize) -> Vec<(Side, Price, Qty)> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        x >> 33
    };
    (0..n)
        .map(|_| {
            let side = if next() % 2 == 0 {
                Side::Buy
            } else {
                Side::Sell
            };
            // 80 % within 20 ticks of the touch, the rest anywhere in 1,000 ticks
            let distance = if next() % 5 == 0 {
                next() % 1000
            } else {
                next() % 20
            } as i64;
            let price = match side {
                Side::Buy => 100_000 - 1 - distance,
                Side::Sell => 100_000 + distance,
            };
            let qty = if next() % 4 == 0 {
                0
            } else {
                (next() % 5000) as i64 + 1
            };
            (side, Price(price), Qty(qty))
        })
        .collect()
}

fn level_update(c: &mut Criterion) {
    let stream = updates(1 << 16);
    let mut book = L2Book::new();
    for p in 0..1000 {
        book.set_level(Side::Buy, Price(100_000 - 1 - p), Qty(10))
            .ok();
        book.set_level(Side::Sell, Price(100_000 + p), Qty(10)).ok();
    }
    let mut group = c.benchmark_group("l2_book/level_update");
    group.bench_function("ns_per_update", |b| {
        let mut i = 0usize;
        b.iter(|| {
            let (side, price, qty) = stream[i & (stream.len() - 1)];
            i = i.wrapping_add(1);
            black_box(book.set_level(side, price, qty).ok());
            black_box(book.best_bid());
        })
    });
    group.finish();
}

criterion_group!(benches, level_update);
criterion_main!(benches);
