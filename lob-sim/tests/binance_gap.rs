//! Gap detection and re-anchoring on a synthetic capture written by the test.

use shortfall_core::{BookView, Price, PriceLevel, Qty, Side, Ts};
use shortfall_lob_sim::data::binance::{
    BinanceReader, BinanceReplay, DepthGap, ReplayOptions, btcusdt, replay_capture,
};
use std::path::PathBuf;

fn depth(recv: u64, first: u64, last: u64, prev: u64, bids: &str, asks: &str) -> String {
    format!(
        r#"{recv} {{"stream":"btcusdt@depth@0ms","data":{{"e":"depthUpdate","E":1,"T":1,"s":"BTCUSDT","U":{first},"u":{last},"pu":{prev},"b":[{bids}],"a":[{asks}]}}}}"#
    )
}

fn snapshot(recv: u64, id: u64, bids: &str, asks: &str) -> String {
    format!(r#"{recv} {{"lastUpdateId":{id},"E":1,"T":1,"bids":[{bids}],"asks":[{asks}]}}"#)
}

fn ticker(recv: u64, id: u64, bid: &str, ask: &str) -> String {
    format!(
        r#"{recv} {{"stream":"btcusdt@bookTicker","data":{{"e":"bookTicker","u":{id},"s":"BTCUSDT","b":"{bid}","B":"1.000","a":"{ask}","A":"1.000","T":1,"E":1}}}}"#
    )
}

/// Snapshot, diffs, a chain break, a second snapshot, more diffs.
fn synthetic_capture() -> Vec<String> {
    vec![
        // 1: received before the snapshot, straddles it (95 <= 100 <= 101): kept and applied
        depth(1, 95, 101, 94, r#"["100.0","1.000"]"#, ""),
        // 2: the REST snapshot, L = 100
        snapshot(
            2,
            100,
            r#"["100.0","0.500"],["99.9","2.000"]"#,
            r#"["100.1","1.000"],["100.2","3.000"]"#,
        ),
        // 3: continues the chain (pu = 101)
        depth(
            3,
            102,
            105,
            101,
            r#"["99.8","0.700"]"#,
            r#"["100.1","0.000"]"#,
        ),
        // 4: a ticker at 105, the book's update id: comparable, and it matches
        ticker(4, 105, "100.0", "100.2"),
        // 5: pu = 108, but the last applied u is 105: a gap
        depth(5, 110, 112, 108, r#"["100.0","9.000"]"#, ""),
        // 6: a diff received while waiting for the next snapshot: buffered
        depth(6, 113, 115, 112, "", r#"["101.4","0.100"]"#),
        // 7: the second snapshot, L = 114: re-anchors; line 5 is stale, line 6 straddles
        snapshot(7, 114, r#"["101.0","1.000"]"#, r#"["101.5","2.000"]"#),
        // 8: continues the chain from 115
        depth(8, 116, 118, 115, r#"["101.2","0.300"]"#, ""),
    ]
}

fn write_capture(name: &str, lines: &[String]) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "shortfall-binance-{name}-{}.txt",
        std::process::id()
    ));
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn lv(price: i64, qty: i64) -> PriceLevel {
    PriceLevel {
        price: Price(price),
        qty: Qty(qty),
    }
}

#[test]
fn a_broken_chain_is_counted_clears_the_book_and_the_next_snapshot_re_anchors_it() {
    let path = write_capture("gap-steps", &synthetic_capture());
    let mut replay = BinanceReplay::new(&ReplayOptions::default());
    let mut reader = BinanceReader::open(&path, btcusdt()).unwrap();
    let mut line = 0;
    while let Some(record) = reader.next_record().unwrap() {
        line += 1;
        replay.on_record(record).unwrap();
        let sync = replay.sync();
        match line {
            1 => assert_eq!(sync.buffered(), 1),
            2 => {
                // snapshot then the buffered diff: the bid at 100.0 is the diff's 1.000
                assert_eq!(sync.last_applied_update_id(), Some(101));
                assert_eq!(sync.book().best_bid(), Some(lv(1000, 1000)));
            }
            3 => assert_eq!(sync.book().best_ask(), Some(lv(1002, 3000))),
            5 => {
                assert_eq!(sync.counters().gaps, 1);
                assert!(sync.book().is_empty(), "the book is cleared at a gap");
                assert_eq!(sync.last_applied_update_id(), None);
            }
            6 => assert!(sync.book().is_empty() && sync.buffered() == 2),
            7 => assert_eq!(sync.last_applied_update_id(), Some(115)),
            _ => {}
        }
    }
    replay.finish();
    let sync = replay.sync();
    assert_eq!(
        sync.gaps(),
        &[DepthGap::Chain {
            recv_ns: Ts(5),
            expected_pu: 105,
            got_pu: 108
        }]
    );
    let c = sync.counters();
    assert_eq!(
        (c.snapshots_applied, c.diffs_applied, c.diffs_stale),
        (2, 4, 1)
    );
    assert_eq!(sync.last_applied_update_id(), Some(118));
    let bids: Vec<_> = sync.book().levels(Side::Buy).collect();
    let asks: Vec<_> = sync.book().levels(Side::Sell).collect();
    assert_eq!(bids, vec![lv(1012, 300), lv(1010, 1000)]);
    assert_eq!(asks, vec![lv(1014, 100), lv(1015, 2000)]);

    let rows: Vec<_> = replay.take_rows().collect();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].comparable && rows[0].matches);
    std::fs::remove_file(&path).ok();
}

#[test]
fn replay_capture_reports_the_gap_and_the_comparison() {
    let mut lines = synthetic_capture();
    // a ticker during the gap: judged when the book reaches past it, not comparable
    lines.insert(5, ticker(5, 112, "100.0", "100.2"));
    let path = write_capture("gap-replay", &lines);
    let mut csv = Vec::new();
    let stats = replay_capture(&path, &ReplayOptions::default(), Some(&mut csv)).unwrap();
    assert_eq!(
        (stats.gaps, stats.compared, stats.matched, stats.bbo_rows),
        (1, 1, 1, 2)
    );
    let text = String::from_utf8(csv).unwrap();
    let rows: Vec<_> = text.lines().skip(1).collect();
    assert_eq!(rows[0], "4,105,105,100,100.2,100,100.2");
    // judged just before the second snapshot loaded: the book was empty and out of sync
    assert_eq!(rows[1], "5,112,,100,100.2,,");
    std::fs::remove_file(&path).ok();
}
