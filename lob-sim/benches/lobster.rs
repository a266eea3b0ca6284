//! LOBSTER reading and writing speed: `cargo bench -p shortfall-lob-sim --bench lobster`.
//!
//! - `lobster/parse_messages`: the AMZN level-1 message file (57,515 messages), read from
//!   memory so that only parsing is timed; skipped with a notice when the data is absent.
//! - `lobster/parse_messages_synthetic`: 100,000 generated messages, always run.
//! - `lobster/parse_orderbook_l10_synthetic` and `lobster/write_book_row_l10`: 10-level rows.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shortfall_lob_sim::data::lobster::{
    LobsterBookRow, MessageReader, OrderbookReader, write_book_row,
};
use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;

fn amzn_messages() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/lobster-amzn-l1/AMZN_2012-06-21_34200000_57600000_message_1.csv")
}

/// `count` plausible message lines: a deterministic mix of all event types and time formats.
fn synthetic_messages(count: u64) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..count {
        let seconds = 34_200 + i / 5_000;
        let nanos = (i * 7_919_113) % 1_000_000_000;
        let event_type = [1, 1, 3, 1, 4, 2, 3, 5][(i % 8) as usize];
        let direction = if i % 3 == 0 { -1 } else { 1 };
        let price = 2_238_100 + (i % 40) * 100;
        writeln!(
            out,
            "{seconds}.{nanos:09},{event_type},{},{},{price},{direction}",
            11_885_113 + i,
            1 + i % 500
        )
        .expect("writing to a Vec cannot fail");
    }
    out
}

/// `count` 10-level orderbook rows.
fn synthetic_book(count: u64) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..count {
        let line = (0..10)
            .map(|level| {
                let ask = 5_859_400 + level * 100 + (i % 7) * 100;
                let bid = 5_853_300 - level * 100 + (i % 7) * 100;
                format!("{ask},{},{bid},{}", 100 + level, 18 + i % 90)
            })
            .collect::<Vec<_>>()
            .join(",");
        writeln!(out, "{line}").expect("writing to a Vec cannot fail");
    }
    out
}

fn count_messages(bytes: &[u8]) -> u64 {
    let mut count = 0;
    for message in MessageReader::new(bytes, "bench") {
        black_box(message.expect("bench input is valid"));
        count += 1;
    }
    count
}

fn bench_messages(c: &mut Criterion) {
    let mut group = c.benchmark_group("lobster");
    let path = amzn_messages();
    match std::fs::read(&path) {
        Ok(bytes) => {
            let count = count_messages(&bytes);
            group.throughput(Throughput::Elements(count));
            group.bench_function("parse_messages", |b| b.iter(|| count_messages(&bytes)));
        }
        Err(_) => eprintln!(
            "skipping lobster/parse_messages: {} not found",
            path.display()
        ),
    }

    let synthetic = synthetic_messages(100_000);
    group.throughput(Throughput::Elements(100_000));
    group.bench_function("parse_messages_synthetic", |b| {
        b.iter(|| count_messages(&synthetic))
    });

    let book = synthetic_book(20_000);
    group.throughput(Throughput::Elements(20_000));
    group.bench_function("parse_orderbook_l10_synthetic", |b| {
        b.iter(|| {
            let mut reader =
                OrderbookReader::new(&book[..], "bench", 10).expect("depth 10 is valid");
            let mut row = LobsterBookRow::new(10);
            let mut count = 0u64;
            while reader
                .read_row_into(&mut row)
                .expect("bench input is valid")
            {
                count += black_box(row.asks().len() as u64);
            }
            count
        })
    });

    let rows: Vec<LobsterBookRow> = OrderbookReader::new(&book[..], "bench", 10)
        .expect("depth 10 is valid")
        .collect::<Result<_, _>>()
        .expect("bench input is valid");
    let mut out = Vec::with_capacity(book.len());
    group.throughput(Throughput::Elements(rows.len() as u64));
    group.bench_function("write_book_row_l10", |b| {
        b.iter(|| {
            out.clear();
            for row in &rows {
                write_book_row(&mut out, row, 10).expect("writing to a Vec cannot fail");
            }
            black_box(out.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench_messages);
criterion_main!(benches);
