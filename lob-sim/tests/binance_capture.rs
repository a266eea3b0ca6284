//! The shared Binance USD-M BTCUSDT capture, replayed and checked against its own
//! `bookTicker` stream. Skipped with a notice when `../shared/data` is absent.

use shortfall_core::BookView;
use shortfall_lob_sim::data::binance::{
    BBO_CSV_HEADER, BinanceReader, BinanceRecord, BinanceReplay, ReplayOptions, btcusdt,
    replay_capture,
};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;

const CAPTURE: &str = "../shared/data/binance-usdm-btcusdt/usdm_btcusdt_20240808.gz";

fn capture() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(CAPTURE);
    if path.exists() {
        Some(path)
    } else {
        println!("skipping: {CAPTURE} not found");
        None
    }
}

#[test]
fn every_comparable_book_ticker_matches_the_synchronised_book() {
    let Some(path) = capture() else { return };
    let mut csv = Vec::new();
    let stats = replay_capture(&path, &ReplayOptions::default(), Some(&mut csv)).unwrap();
    println!("{stats:#?}");
    assert_eq!(stats.gaps, 0, "the capture's diff chain is unbroken");
    assert_eq!(stats.sync.snapshots_applied, 1);
    assert!(stats.compared >= 600, "compared only {}", stats.compared);
    assert_eq!(stats.matched, stats.compared, "BBO disagreements");
    assert_eq!(
        stats.qty_matched, stats.compared,
        "touch size disagreements"
    );
    assert_eq!(stats.crossed_at_compared, 0);
    let text = String::from_utf8(csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(BBO_CSV_HEADER));
    assert_eq!(lines.count() as u64, stats.bbo_rows);
}

#[test]
fn the_book_is_never_crossed_where_a_ticker_is_comparable() {
    let Some(path) = capture() else { return };
    let mut reader = BinanceReader::open(&path, btcusdt()).unwrap();
    let mut replay = BinanceReplay::new(&ReplayOptions::default());
    let mut compared = 0;
    while let Some(record) = reader.next_record().unwrap() {
        replay.on_record(record).unwrap();
        for row in replay.take_rows() {
            if row.comparable {
                compared += 1;
                assert!(!row.book_crossed, "crossed at {row:?}");
                assert_eq!(row.book_bid, Some(row.ticker_bid), "{row:?}");
            }
        }
    }
    replay.finish();
    assert!(compared > 0);
    assert!(!replay.sync().book().is_crossed());
}

#[test]
fn every_trade_line_is_parsed_as_a_trade() {
    let Some(path) = capture() else { return };
    let raw = BufReader::new(flate2::read::MultiGzDecoder::new(
        std::fs::File::open(&path).unwrap(),
    ));
    let mut trade_lines = 0u64;
    let mut lines = 0u64;
    for line in raw.lines() {
        let line = line.unwrap();
        lines += 1;
        trade_lines += u64::from(line.contains("\"stream\":\"btcusdt@trade\""));
    }
    let mut trades = 0u64;
    for record in BinanceReader::open(&path, btcusdt()).unwrap() {
        if let BinanceRecord::Trade(t) = record.unwrap() {
            assert!(t.qty.0 > 0 && t.price.0 > 0);
            trades += 1;
        }
    }
    assert_eq!(lines, 93_954);
    assert_eq!(trades, trade_lines);
    assert_eq!(trades, 21_313);
}
