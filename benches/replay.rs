//! AMZN-day LOBSTER replay, with parsing and the book measured separately.
//!
//! Reads `../shared/data/lobster-amzn-l1` (skips with a notice when it is absent).
//!
//! - `replay/amzn_l1/parse_messages`: message-file parsing alone, from memory.
//! - `replay/amzn_l1/parse_both`: message and orderbook files parsed in step, from memory.
//! - `replay/amzn_l1/book_apply`: the raw book: the day's messages as [`MarketEvent`]s
//!   applied to an [`L3Book`] (no initial state, no checks; unknown ids are rejected and
//!   counted, as they cost the same).
//! - `replay/amzn_l1/book`: the book side alone: pre-parsed messages and rows through
//!   [`LobsterReplay::process`] (apply, check the row, learn from it).
//! - `replay/amzn_l1/parse_book_check`: both, end to end (what the `replay` example does,
//!   without the file reads).
//!
//! The raw speed of the order book on a feed is `l3_book/apply_replay` in
//! `cargo bench -p shortfall-lob-sim --bench l3_book`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shortfall::core::MarketEvent;
use shortfall::lob_sim::book::L3Book;
use shortfall::lob_sim::data::lobster::{
    LobsterBookRow, LobsterMessage, LobsterReader, MessageReader, OrderbookReader,
};
use shortfall::lob_sim::replay::LobsterReplay;
use std::hint::black_box;
use std::path::PathBuf;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/lobster-amzn-l1")
}

const MESSAGES: &str = "AMZN_2012-06-21_34200000_57600000_message_1.csv";
const ORDERBOOK: &str = "AMZN_2012-06-21_34200000_57600000_orderbook_1.csv";

fn parse_all(bytes: &[u8]) -> Vec<LobsterMessage> {
    let mut reader = MessageReader::new(bytes, MESSAGES);
    let mut out = Vec::with_capacity(60_000);
    while let Some(m) = reader.read_message().expect("the AMZN file parses") {
        out.push(m);
    }
    out
}

fn amzn(c: &mut Criterion) {
    let dir = data_dir();
    let (Ok(messages), Ok(orderbook)) = (
        std::fs::read(dir.join(MESSAGES)),
        std::fs::read(dir.join(ORDERBOOK)),
    ) else {
        eprintln!("skipping replay benches: {} not found", dir.display());
        return;
    };
    let parsed = parse_all(&messages);
    let rows: Vec<LobsterBookRow> = OrderbookReader::new(&orderbook[..], ORDERBOOK, 1)
        .expect("valid depth")
        .collect::<Result<_, _>>()
        .expect("the AMZN orderbook file parses");
    assert_eq!(rows.len(), parsed.len(), "one row per message");

    let mut group = c.benchmark_group("replay/amzn_l1");
    group.throughput(Throughput::Elements(parsed.len() as u64));
    group.sample_size(30);
    group.bench_function("parse_messages", |b| {
        b.iter(|| {
            let mut reader = MessageReader::new(&messages[..], MESSAGES);
            let mut n = 0u64;
            while let Some(m) = reader.read_message().expect("parses") {
                n += m.size.0 as u64;
            }
            black_box(n)
        })
    });
    group.bench_function("parse_both", |b| {
        b.iter(|| {
            let mut reader = LobsterReader::new(
                MessageReader::new(&messages[..], MESSAGES),
                OrderbookReader::new(&orderbook[..], ORDERBOOK, 1).expect("valid depth"),
            );
            let mut row = LobsterBookRow::new(1);
            let mut n = 0u64;
            while let Some(m) = reader.read_into(&mut row).expect("parses") {
                n += m.size.0 as u64 + row.depth() as u64;
            }
            black_box(n)
        })
    });
    let events: Vec<MarketEvent> = parsed.iter().map(|m| m.to_market_event()).collect();
    let mut book = L3Book::with_capacity(16_384, 1_024);
    group.bench_function("book_apply", |b| {
        b.iter(|| {
            book.clear();
            let mut mismatches = 0u32;
            for e in &events {
                mismatches += u32::from(book.apply(e).is_err());
            }
            black_box(mismatches)
        })
    });
    group.bench_function("book", |b| {
        b.iter(|| {
            let mut replay = LobsterReplay::new(1);
            for (m, row) in parsed.iter().zip(&rows) {
                replay.process(m, Some(row));
            }
            black_box(replay.stats().rows_matching)
        })
    });
    group.bench_function("parse_book_check", |b| {
        b.iter(|| {
            let mut reader = LobsterReader::new(
                MessageReader::new(&messages[..], MESSAGES),
                OrderbookReader::new(&orderbook[..], ORDERBOOK, 1).expect("valid depth"),
            );
            let mut replay = LobsterReplay::new(1);
            let mut row = LobsterBookRow::new(1);
            while let Some(m) = reader.read_into(&mut row).expect("parses") {
                replay.process(&m, Some(&row));
            }
            black_box(replay.stats().rows_matching)
        })
    });
    group.finish();
}

criterion_group!(benches, amzn);
criterion_main!(benches);
