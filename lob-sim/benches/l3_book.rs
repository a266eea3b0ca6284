//! Criterion benchmarks of `L3Book`: insert, cancel, matching, a realistic mixed request
//! stream, and feed replay through `apply`. Every input is generated from a fixed seed.
//!
//! Run with `cargo bench -p shortfall-lob-sim --bench l3_book`.
//!
//! `add` and `cancel` work on a book that ends a cycle with about 11,000 live orders (cancels
//! in random order, so most touch memory outside the L2 cache); `add_1k_live` and
//! `cancel_1k_live` repeat them on about 1,200 live orders.

use criterion::{Criterion, Throughput, criterion_group};
use shortfall_core::{
    BookView, ExecReport, MarketEvent, NewOrder, OrderId, OrderRequest, Price, Qty, Side,
    TimeInForce, TraderId, Ts,
};
use shortfall_lob_sim::book::{BookOutput, L3Book};
use std::hint::black_box;
use std::ops::Range;
use std::time::{Duration, Instant};

/// xorshift64*: a tiny deterministic generator, enough for benchmark inputs.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n` (n small; the modulo bias is irrelevant here).
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    fn side(&mut self) -> Side {
        if self.next_u64() & 1 == 0 {
            Side::Buy
        } else {
            Side::Sell
        }
    }
}

const MID: i64 = 10_000;
const TS: Ts = Ts(1);
/// Requests timed per measurement chunk in the insert and cancel benches.
const CHUNK: usize = 10_000;

fn limit(id: u64, owner: u32, side: Side, price: i64, qty: i64, tif: TimeInForce) -> OrderRequest {
    OrderRequest::New(NewOrder::limit(
        OrderId(id),
        TraderId(owner),
        side,
        Price(price),
        Qty(qty),
        tif,
    ))
}

/// A two-sided book: `levels` levels per side around `MID`, `per_level` orders of the market
/// at each, ids from 1.
fn background(levels: i64, per_level: i64) -> L3Book {
    // Room for every order the benches add, so no timed insert grows a table.
    let mut book = L3Book::with_capacity(16_384, 256);
    let mut out = BookOutput::with_capacity(4, 4);
    let mut id = 0;
    for k in 1..=levels {
        for _ in 0..per_level {
            for (side, price) in [(Side::Buy, MID - k), (Side::Sell, MID + k)] {
                id += 1;
                out.clear();
                book.submit(
                    TS,
                    &limit(id, 0, side, price, 5, TimeInForce::Gtc),
                    &mut out,
                );
            }
        }
    }
    book
}

/// Passive (non-crossing) limit orders near the touch of [`background`], fresh ids.
fn passive_orders(rng: &mut Rng, n: usize) -> Vec<OrderRequest> {
    (0..n)
        .map(|i| {
            let side = rng.side();
            let offset = rng.below(20) as i64;
            let price = match side {
                Side::Buy => MID - 1 - offset,
                Side::Sell => MID + 1 + offset,
            };
            let qty = 1 + rng.below(10) as i64;
            limit(1_000_000 + i as u64, 1, side, price, qty, TimeInForce::Gtc)
        })
        .collect()
}

fn cancels_of(orders: &[OrderRequest]) -> Vec<OrderRequest> {
    orders
        .iter()
        .map(|r| OrderRequest::Cancel {
            id: r.id(),
            owner: r.owner(),
        })
        .collect()
}

/// Shuffles in place (Fisher–Yates).
fn shuffle<T>(rng: &mut Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        items.swap(i, rng.below(i as u64 + 1) as usize);
    }
}

fn submit_all(book: &mut L3Book, out: &mut BookOutput, requests: &[OrderRequest]) {
    for request in requests {
        out.clear();
        book.submit(TS, request, out);
    }
}

/// A benchmark body: a cycle of `cycle_len` operations that starts from a state `prepare`
/// sets up (untimed); `run` performs operations `range` of the cycle (timed).
trait Workload {
    fn cycle_len(&self) -> usize;
    fn prepare(&mut self);
    fn run(&mut self, range: Range<usize>);
}

/// Passive limit orders into a two-sided book of 50 levels × 10 orders per side.
struct Add {
    base: L3Book,
    book: L3Book,
    out: BookOutput,
    adds: Vec<OrderRequest>,
}

/// Cancels, in random order, of the orders [`Add`] inserted.
struct Cancel {
    add: Add,
    cancels: Vec<OrderRequest>,
}

/// Aggressive IOC buys that each take exactly `levels` whole ask levels of 4 orders.
struct Match {
    book: L3Book,
    out: BookOutput,
    makers: Vec<OrderRequest>,
    takers: Vec<OrderRequest>,
}

/// The mixed request stream, from its start book.
struct Mixed {
    start: L3Book,
    book: L3Book,
    out: BookOutput,
    requests: Vec<OrderRequest>,
}

/// The mixed stream's public feed, replayed into an empty book through `apply`.
struct Replay {
    book: L3Book,
    feed: Vec<MarketEvent>,
}

impl Add {
    /// `CHUNK` passive orders into 50 levels × 10 orders per side (about 11,000 live
    /// orders at the end of a cycle).
    fn new(rng: &mut Rng) -> Self {
        Self::sized(rng, 50, 10, CHUNK)
    }

    /// `adds` passive orders into a background of `levels` × `per_level` orders per side.
    fn sized(rng: &mut Rng, levels: i64, per_level: i64, adds: usize) -> Self {
        let base = background(levels, per_level);
        let mut book = base.clone();
        // Warm the destination's capacity to the cycle's peak, as a running book has.
        book.clone_from(&base);
        Self {
            book,
            base,
            out: BookOutput::with_capacity(16, 16),
            adds: passive_orders(rng, adds),
        }
    }
}

impl Workload for Add {
    fn cycle_len(&self) -> usize {
        self.adds.len()
    }
    fn prepare(&mut self) {
        self.book.clone_from(&self.base);
    }
    fn run(&mut self, range: Range<usize>) {
        for request in &self.adds[range] {
            self.out.clear();
            self.book.submit(TS, black_box(request), &mut self.out);
            black_box(&self.out);
        }
    }
}

impl Workload for Cancel {
    fn cycle_len(&self) -> usize {
        self.cancels.len()
    }
    fn prepare(&mut self) {
        self.add.prepare();
        self.add.run(0..self.add.adds.len());
    }
    fn run(&mut self, range: Range<usize>) {
        let (book, out) = (&mut self.add.book, &mut self.add.out);
        for request in &self.cancels[range] {
            out.clear();
            book.submit(TS, black_box(request), out);
            black_box(&*out);
        }
    }
}

impl Match {
    fn new(levels: i64) -> Self {
        const LADDER: i64 = 1_000;
        let mut makers = Vec::new();
        // Worst price first so the touch is built last; ids are reused after every refill.
        for k in (1..=LADDER).rev() {
            for j in 0..4 {
                let id = (k * 4 + j) as u64;
                let owner = (j % 3 + 1) as u32;
                makers.push(limit(id, owner, Side::Sell, MID + k, 2, TimeInForce::Gtc));
            }
        }
        let takers = (0..LADDER / levels)
            .map(|t| {
                let worst = MID + (t + 1) * levels;
                let id = 1_000_000 + t as u64;
                limit(id, 9, Side::Buy, worst, 8 * levels, TimeInForce::Ioc)
            })
            .collect();
        Self {
            book: L3Book::with_capacity(makers.len(), LADDER as usize),
            out: BookOutput::with_capacity(256, 128),
            makers,
            takers,
        }
    }
}

impl Workload for Match {
    fn cycle_len(&self) -> usize {
        self.takers.len()
    }
    fn prepare(&mut self) {
        self.book.clear();
        submit_all(&mut self.book, &mut self.out, &self.makers);
    }
    fn run(&mut self, range: Range<usize>) {
        for request in &self.takers[range] {
            self.out.clear();
            self.book.submit(TS, black_box(request), &mut self.out);
            black_box(&self.out);
        }
    }
}

impl Workload for Mixed {
    fn cycle_len(&self) -> usize {
        self.requests.len()
    }
    fn prepare(&mut self) {
        self.book.clone_from(&self.start);
    }
    fn run(&mut self, range: Range<usize>) {
        for request in &self.requests[range] {
            self.out.clear();
            self.book.submit(TS, request, &mut self.out);
            black_box(&self.out);
        }
    }
}

impl Workload for Replay {
    fn cycle_len(&self) -> usize {
        self.feed.len()
    }
    fn prepare(&mut self) {
        self.book.clear();
    }
    fn run(&mut self, range: Range<usize>) {
        let mut mismatches = 0u32;
        for event in &self.feed[range] {
            mismatches += u32::from(self.book.apply(black_box(event)).is_err());
        }
        assert_eq!(mismatches, 0, "the engine's own feed replays cleanly");
    }
}

/// Wall time of `iters` operations, cycle after cycle, excluding `prepare`.
fn timed<W: Workload>(workload: &mut W, iters: u64) -> Duration {
    let mut total = Duration::ZERO;
    let mut done = 0u64;
    while done < iters {
        let n = (iters - done).min(workload.cycle_len() as u64) as usize;
        workload.prepare();
        let start = Instant::now();
        workload.run(0..n);
        total += start.elapsed();
        done += n as u64;
    }
    total
}

/// Times windows of at most `WINDOW` operations over a few cycles and prints the fastest,
/// 10th-percentile and median ns per operation. On a machine shared with other jobs, short
/// windows that ran without being descheduled show what the code costs on a quiet core.
fn best_windows<W: Workload>(name: &str, workload: &mut W) {
    let filter = std::env::var("L3_BENCH_WINDOWS").unwrap_or_default();
    if !name.contains(filter.as_str()) {
        return;
    }
    const WINDOW: usize = 2_000;
    let mut per_op = Vec::new();
    let start = Instant::now();
    while per_op.len() < 400 && start.elapsed() < Duration::from_secs(5) {
        workload.prepare();
        let len = workload.cycle_len();
        let mut at = 0;
        while at < len {
            let end = (at + WINDOW).min(len);
            let t = Instant::now();
            workload.run(at..end);
            per_op.push(t.elapsed().as_nanos() as f64 / (end - at) as f64);
            at = end;
        }
    }
    per_op.sort_by(f64::total_cmp);
    let pick = |q: f64| per_op[((per_op.len() - 1) as f64 * q) as usize];
    println!(
        "{name:<36} best {:>8.1} ns/op  p10 {:>8.1}  p50 {:>8.1}  ({} windows)",
        pick(0.0),
        pick(0.1),
        pick(0.5),
        per_op.len()
    );
}

/// Live orders the mixed stream keeps the book near.
const TARGET_LIVE: usize = 3_000;

/// A seeded, realistic request stream and the feed it produces.
struct Stream {
    /// The book before the first request.
    start: L3Book,
    /// The requests.
    requests: Vec<OrderRequest>,
    /// Every public event from an empty book: the start book's adds, then the stream's.
    feed: Vec<MarketEvent>,
}

/// About half passive adds within 10 ticks of the touch (a fifth of them improving the
/// touch), a third cancels of live orders, one in twenty a modify, and one in ten marketable
/// (IOC limits up to two ticks through the touch, market orders). Eight owners plus the market,
/// so self-trade prevention happens now and then. The book hovers around `TARGET_LIVE` orders.
fn mixed_stream(seed: u64, len: usize) -> Stream {
    let mut rng = Rng::new(seed);
    let mut book = L3Book::with_capacity(16_384, 256);
    let mut out = BookOutput::with_capacity(256, 256);
    let mut feed = Vec::new();
    let mut next_id = 1u64;
    let mut live: Vec<(OrderId, TraderId)> = Vec::new();
    for k in 1..=30 {
        for _ in 0..20 {
            for (side, price) in [(Side::Buy, MID - k), (Side::Sell, MID + k)] {
                out.clear();
                let owner = rng.below(9) as u32;
                let qty = 1 + rng.below(10) as i64;
                book.submit(
                    TS,
                    &limit(next_id, owner, side, price, qty, TimeInForce::Gtc),
                    &mut out,
                );
                live.push((OrderId(next_id), TraderId(owner)));
                next_id += 1;
                feed.extend_from_slice(&out.events);
            }
        }
    }
    let start = book.clone();
    let mut requests = Vec::with_capacity(len);
    let (mut rejected, mut fills) = (0usize, 0usize);
    // A random live order, dropping ids that have since traded away.
    let pick_live = |rng: &mut Rng, live: &mut Vec<(OrderId, TraderId)>, book: &L3Book| loop {
        if live.is_empty() {
            return None;
        }
        let i = rng.below(live.len() as u64) as usize;
        if book.order(live[i].0).is_some() {
            return Some(live[i]);
        }
        live.swap_remove(i);
    };
    while requests.len() < len {
        let bid = book.best_bid().map_or(MID - 1, |l| l.price.0);
        let ask = book.best_ask().map_or(MID + 1, |l| l.price.0);
        let roll = rng.below(100);
        // Adds outnumber cancels while the book is below its target size, so it hovers there.
        let adds = if book.len() < TARGET_LIVE { 60 } else { 45 };
        let request = if roll < adds || live.is_empty() {
            let side = rng.side();
            let offset = rng.below(4) as i64 + rng.below(4) as i64 + rng.below(3) as i64;
            let improve = ask - bid > 1 && rng.below(5) == 0;
            let price = match side {
                Side::Buy if improve => bid + 1,
                Side::Buy => (bid - offset).min(ask - 1),
                Side::Sell if improve => ask - 1,
                Side::Sell => (ask + offset).max(bid + 1),
            };
            let tif = if rng.below(20) == 0 {
                TimeInForce::PostOnly
            } else {
                TimeInForce::Gtc
            };
            let owner = rng.below(9) as u32;
            let id = next_id;
            next_id += 1;
            live.push((OrderId(id), TraderId(owner)));
            limit(id, owner, side, price.max(1), 1 + rng.below(10) as i64, tif)
        } else if roll < 90 {
            let Some((id, owner)) = pick_live(&mut rng, &mut live, &book) else {
                continue;
            };
            if roll < 85 {
                OrderRequest::Cancel { id, owner }
            } else {
                let order = book.order(id).expect("pick_live returns live orders");
                let (price, qty) = if order.qty.0 > 1 && rng.below(2) == 0 {
                    (order.price, Qty(order.qty.0 - 1))
                } else {
                    let away = if order.side == Side::Buy { -1 } else { 1 };
                    (Price(order.price.0 + away), order.qty)
                };
                OrderRequest::Modify {
                    id,
                    owner,
                    price,
                    qty,
                }
            }
        } else {
            let side = rng.side();
            let owner = rng.below(9) as u32;
            let id = next_id;
            next_id += 1;
            if rng.below(10) < 3 {
                OrderRequest::New(NewOrder::market(
                    OrderId(id),
                    TraderId(owner),
                    side,
                    Qty(1 + rng.below(10) as i64),
                ))
            } else {
                let through = rng.below(3) as i64;
                let price = match side {
                    Side::Buy => ask + through,
                    Side::Sell => (bid - through).max(1),
                };
                limit(
                    id,
                    owner,
                    side,
                    price,
                    1 + rng.below(20) as i64,
                    TimeInForce::Ioc,
                )
            }
        };
        out.clear();
        book.submit(TS, &request, &mut out);
        rejected += out
            .reports
            .iter()
            .filter(|r| matches!(r, ExecReport::Rejected { .. }))
            .count();
        fills += out
            .reports
            .iter()
            .filter(|r| matches!(r, ExecReport::Fill(_)))
            .count();
        feed.extend_from_slice(&out.events);
        requests.push(request);
    }
    eprintln!(
        "mixed stream: {} requests, {} rejected, {} fill reports, {} feed events, {} orders live at the end",
        requests.len(),
        rejected,
        fills,
        feed.len(),
        book.len()
    );
    Stream {
        start,
        requests,
        feed,
    }
}

struct Workloads {
    add: Add,
    cancel: Cancel,
    add_small: Add,
    cancel_small: Cancel,
    match_1: Match,
    match_10: Match,
    mixed: Mixed,
    replay: Replay,
}

fn workloads() -> Workloads {
    let mut rng = Rng::new(0x5eed_0001);
    let add = Add::new(&mut rng);
    let mut cancels = cancels_of(&add.adds);
    shuffle(&mut rng, &mut cancels);
    let stream = mixed_stream(0x5eed_0002, 200_000);
    // The same, in a book of about 1,200 live orders (fits in L2 cache).
    let mut rng_small = Rng::new(0x5eed_0003);
    let add_small = Add::sized(&mut rng_small, 20, 5, 1_000);
    let mut cancels_small = cancels_of(&add_small.adds);
    shuffle(&mut rng_small, &mut cancels_small);
    Workloads {
        cancel_small: Cancel {
            add: Add::sized(&mut Rng::new(0x5eed_0003), 20, 5, 1_000),
            cancels: cancels_small,
        },
        add_small,
        cancel: Cancel {
            add: Add::new(&mut Rng::new(0x5eed_0001)),
            cancels,
        },
        add,
        match_1: Match::new(1),
        match_10: Match::new(10),
        mixed: Mixed {
            book: stream.start.clone(),
            start: stream.start,
            out: BookOutput::with_capacity(256, 256),
            requests: stream.requests,
        },
        replay: Replay {
            book: L3Book::with_capacity(16_384, 256),
            feed: stream.feed,
        },
    }
}

fn bench_l3_book(c: &mut Criterion) {
    let mut w = workloads();
    let mut group = c.benchmark_group("l3_book");
    // Every iteration is one operation, so time reads as ns per operation and throughput as
    // operations (orders, requests or feed messages) per second.
    group.throughput(Throughput::Elements(1));
    group.bench_function("add/ns_per_order", |b| {
        b.iter_custom(|n| timed(&mut w.add, n))
    });
    group.bench_function("cancel/ns_per_order", |b| {
        b.iter_custom(|n| timed(&mut w.cancel, n))
    });
    group.bench_function("add_1k_live/ns_per_order", |b| {
        b.iter_custom(|n| timed(&mut w.add_small, n))
    });
    group.bench_function("cancel_1k_live/ns_per_order", |b| {
        b.iter_custom(|n| timed(&mut w.cancel_small, n))
    });
    group.bench_function("match_1_level/ns_per_order", |b| {
        b.iter_custom(|n| timed(&mut w.match_1, n))
    });
    group.bench_function("match_10_levels/ns_per_order", |b| {
        b.iter_custom(|n| timed(&mut w.match_10, n))
    });
    group.bench_function("mixed_stream/msgs", |b| {
        b.iter_custom(|n| timed(&mut w.mixed, n))
    });
    group.bench_function("apply_replay/msgs", |b| {
        b.iter_custom(|n| timed(&mut w.replay, n))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = bench_l3_book
}

/// `L3_BENCH_WINDOWS=/ cargo bench -p shortfall-lob-sim --bench l3_book` prints the
/// best-window estimates instead of running criterion (only for the bench names that contain
/// the variable's value, e.g. `L3_BENCH_WINDOWS=cancel`).
fn main() {
    if std::env::var_os("L3_BENCH_WINDOWS").is_some() {
        let mut w = workloads();
        best_windows("l3_book/add/ns_per_order", &mut w.add);
        best_windows("l3_book/cancel/ns_per_order", &mut w.cancel);
        best_windows("l3_book/add_1k_live/ns_per_order", &mut w.add_small);
        best_windows("l3_book/cancel_1k_live/ns_per_order", &mut w.cancel_small);
        best_windows("l3_book/match_1_level/ns_per_order", &mut w.match_1);
        best_windows("l3_book/match_10_levels/ns_per_order", &mut w.match_10);
        best_windows("l3_book/mixed_stream/ns_per_msg", &mut w.mixed);
        best_windows("l3_book/apply_replay/ns_per_msg", &mut w.replay);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
