//! Arbitrary bytes fed to the Binance reader give records or errors, never a panic.

use flate2::Compression;
use flate2::write::GzEncoder;
use proptest::prelude::*;
use shortfall_lob_sim::data::binance::{BinanceReader, BinanceReplay, ReplayOptions, btcusdt};
use std::io::Write;

/// Reads everything, feeding records to a replay; stops after a bounded number of errors.
fn drain<R: std::io::BufRead>(mut reader: BinanceReader<R>) {
    let mut replay = BinanceReplay::new(&ReplayOptions::default());
    for _ in 0..10_000 {
        match reader.next_record() {
            Ok(Some(record)) => {
                let _ = replay.on_record(record);
            }
            Ok(None) => break,
            Err(e) => {
                // every error renders, and names the input
                assert!(e.to_string().contains("fuzz"), "{e}");
            }
        }
    }
    replay.finish();
    let _ = replay.take_rows().count();
}

/// Lines that look like a capture, with random damage: structure-aware inputs reach the
/// JSON and conversion code far more often than uniform bytes.
fn capture_like() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop_oneof![
        Just(r#"1 {"lastUpdateId":10,"bids":[["1.0","0.001"]],"asks":[["1.1","0.002"]]}"#.to_owned()),
        Just(r#"2 {"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1,"T":1,"s":"BTCUSDT","U":9,"u":12,"pu":8,"b":[["1.0","0"]],"a":[]}}"#.to_owned()),
        Just(r#"3 {"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":12,"s":"BTCUSDT","b":"1.0","B":"1","a":"1.1","A":"2","T":1,"E":1}}"#.to_owned()),
        Just(r#"4 {"stream":"btcusdt@trade","data":{"e":"trade","E":1,"T":1,"s":"BTCUSDT","t":1,"p":"1.0","q":"0.5","m":true}}"#.to_owned()),
        "[ -~]{0,40}",
    ];
    (
        proptest::collection::vec(pieces, 0..8),
        any::<u64>(),
        0usize..400,
    )
        .prop_map(|(lines, seed, cut)| {
            let mut text = lines.join("\n").into_bytes();
            if !text.is_empty() {
                // damage: overwrite one byte and maybe cut the text short
                let at = (seed as usize) % text.len();
                text[at] = (seed >> 32) as u8;
                text.truncate(text.len().min(cut.max(1)));
            }
            text
        })
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

proptest! {
    #[test]
    fn arbitrary_bytes_give_records_or_errors_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        drain(BinanceReader::new(bytes.as_slice(), "fuzz-raw", btcusdt()));
        drain(BinanceReader::from_gzip(bytes.as_slice(), "fuzz-not-gzip", btcusdt()));
        let wrapped = gzip(&bytes);
        drain(BinanceReader::from_gzip(wrapped.as_slice(), "fuzz-gzip", btcusdt()));
    }

    #[test]
    fn damaged_capture_lines_give_records_or_errors_never_panics(text in capture_like()) {
        drain(BinanceReader::new(text.as_slice(), "fuzz-lines", btcusdt()));
        let wrapped = gzip(&text);
        drain(BinanceReader::from_gzip(wrapped.as_slice(), "fuzz-lines-gzip", btcusdt()));
        // a damaged gzip stream of valid lines: cut the compressed bytes short
        let cut = &wrapped[..wrapped.len() / 2];
        drain(BinanceReader::from_gzip(cut, "fuzz-cut-gzip", btcusdt()));
    }
}
