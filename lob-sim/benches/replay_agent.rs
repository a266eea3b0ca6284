//! Replay throughput with the agent overlay against the plain replay, in the same run:
//! `cargo bench -p shortfall-lob-sim --bench replay_agent`.
//!
//! LOBSTER AMZN level 1 (57,515 messages, pre-parsed with their book rows, so only the
//! book side is timed):
//! - `replay_agent/amzn_l1/plain`: [`LobsterReplay::process`] per message;
//! - `replay_agent/amzn_l1/overlay_idle`: [`LobsterAgentReplay::process`] with no orders;
//! - `replay_agent/amzn_l1/overlay_bid_at_best`: the overlay with an agent bid of 100
//!   always resting at the best bid (re-posted at the current best every 500 messages and
//!   whenever it fills), the costliest case: most messages touch its level.
//!
//! Binance BTCUSDT (the capture's records pre-parsed; each iteration clones them, in both
//! variants):
//! - `replay_agent/binance/plain`: [`DepthSync`] on the depth records, trades counted;
//! - `replay_agent/binance/overlay_bid_at_best`: [`BinanceAgentReplay`] with a power-law
//!   (n = 2) queue and a bid at the best re-posted every 2,000 records.
//!
//! Skips with a notice when `../shared/data` is absent.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shortfall_core::{
    BookView, NewOrder, OrderId, OrderRequest, OrderSink, PriceLevel, Qty, Side, TimeInForce,
    TraderId, Ts,
};
use shortfall_lob_sim::data::binance::{BinanceReader, BinanceRecord, DepthSync, btcusdt};
use shortfall_lob_sim::data::lobster::{LobsterBookRow, LobsterMessage, LobsterReader};
use shortfall_lob_sim::replay::LobsterReplay;
use shortfall_lob_sim::replay::agent::{
    AgentReplayConfig, BinanceAgentReplay, LobsterAgentReplay, PowerLaw,
};
use std::hint::black_box;
use std::path::PathBuf;

const ME: TraderId = TraderId(1);

fn data(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(relative)
}

fn amzn() -> Option<Vec<(LobsterMessage, LobsterBookRow)>> {
    let m = data("lobster-amzn-l1/AMZN_2012-06-21_34200000_57600000_message_1.csv");
    let o = data("lobster-amzn-l1/AMZN_2012-06-21_34200000_57600000_orderbook_1.csv");
    let mut reader = LobsterReader::open(m, o, 1).ok()?;
    let mut out = Vec::new();
    let mut row = LobsterBookRow::new(1);
    while let Some(message) = reader.read_into(&mut row).ok()? {
        out.push((message, row.clone()));
    }
    Some(out)
}

/// Cancels the agent's bid (if any) and posts a new one of 100 at `best`.
fn repost(sink: &mut impl OrderSink, best: Option<PriceLevel>, id: &mut u64, now: Ts) {
    let cancel = OrderRequest::Cancel {
        id: OrderId(*id),
        owner: ME,
    };
    let _ = sink.submit(now, cancel);
    if let Some(best) = best {
        *id += 1;
        let bid = NewOrder::limit(
            OrderId(*id),
            ME,
            Side::Buy,
            best.price,
            Qty(100),
            TimeInForce::Gtc,
        );
        let _ = sink.submit(now, OrderRequest::New(bid));
    }
}

fn bench_lobster(c: &mut Criterion) {
    let Some(messages) = amzn() else {
        println!("skipping replay_agent/amzn_l1: ../shared/data/lobster-amzn-l1 not found");
        return;
    };
    let mut group = c.benchmark_group("replay_agent/amzn_l1");
    group.throughput(Throughput::Elements(messages.len() as u64));
    group.sample_size(20);
    group.bench_function("plain", |b| {
        b.iter(|| {
            let mut replay = LobsterReplay::new(1);
            for (m, row) in &messages {
                replay.process(m, Some(row));
            }
            black_box(replay.stats().rows_matching)
        })
    });
    group.bench_function("overlay_idle", |b| {
        b.iter(|| {
            let mut replay = LobsterAgentReplay::new(1, AgentReplayConfig::default())
                .expect("the default configuration is valid");
            for (m, row) in &messages {
                replay.process(m, Some(row));
            }
            black_box(replay.replay().stats().rows_matching)
        })
    });
    group.bench_function("overlay_bid_at_best", |b| {
        b.iter(|| {
            let mut replay = LobsterAgentReplay::new(1, AgentReplayConfig::default())
                .expect("the default configuration is valid");
            let mut id = 0u64;
            for (i, (m, row)) in messages.iter().enumerate() {
                replay.process(m, Some(row));
                let filled = replay.drain_reports().count() > 0 && replay.orders().next().is_none();
                if i % 500 == 0 || filled {
                    let best = replay.book().best_bid();
                    repost(&mut replay, best, &mut id, m.time);
                }
            }
            black_box(replay.stats().filled_qty)
        })
    });
    group.finish();
}

fn bench_binance(c: &mut Criterion) {
    let path = data("binance-usdm-btcusdt/usdm_btcusdt_20240808.gz");
    let Some(records) = BinanceReader::open(&path, btcusdt())
        .ok()
        .and_then(|r| r.collect::<Result<Vec<_>, _>>().ok())
    else {
        println!(
            "skipping replay_agent/binance: {} not found",
            path.display()
        );
        return;
    };
    let mut group = c.benchmark_group("replay_agent/binance");
    group.throughput(Throughput::Elements(records.len() as u64));
    group.sample_size(10);
    group.bench_function("plain", |b| {
        b.iter(|| {
            let mut sync = DepthSync::default();
            let mut trades = 0u64;
            for record in &records {
                match record.clone() {
                    BinanceRecord::Snapshot(s) => {
                        let _ = sync.on_snapshot(&s);
                    }
                    BinanceRecord::DepthUpdate(d) => {
                        let _ = sync.on_depth(d);
                    }
                    BinanceRecord::Trade(_) => trades += 1,
                    BinanceRecord::BookTicker(_) => {}
                }
            }
            black_box((sync.counters().diffs_applied, trades))
        })
    });
    group.bench_function("overlay_bid_at_best", |b| {
        b.iter(|| {
            let model = PowerLaw::new(2.0).expect("2 is a valid exponent");
            let mut replay = BinanceAgentReplay::new(model, AgentReplayConfig::default())
                .expect("the default configuration is valid");
            let mut id = 0u64;
            for (i, record) in records.iter().enumerate() {
                let now = record.recv_ns();
                let _ = replay.on_record(record.clone());
                let filled = replay.drain_reports().count() > 0 && replay.orders().next().is_none();
                if replay.sync().is_synced() && (i % 2_000 == 0 || filled) {
                    let best = replay.book().best_bid();
                    repost(&mut replay, best, &mut id, now);
                }
            }
            black_box(replay.stats().filled_qty)
        })
    });
    group.finish();
}

criterion_group!(benches, bench_lobster, bench_binance);
criterion_main!(benches);
