//! Malformed capture files: every error names the file, the 1-based line and the field.

use flate2::Compression;
use flate2::write::GzEncoder;
use shortfall_lob_sim::Error;
use shortfall_lob_sim::data::binance::{BinanceReader, btcusdt};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

const GOOD_TRADE: &str = r#"1723161255088176367 {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161256322,"T":1723161256322,"s":"BTCUSDT","t":5266583935,"p":"61800.30","q":"0.006","X":"MARKET","m":false}}"#;
const GOOD_DEPTH: &str = r#"1723161255343040266 {"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1723161256612,"T":1723161256605,"s":"BTCUSDT","U":5123107856267,"u":5123107858366,"pu":5123107856210,"b":[["61491.20","0.010"],["61496.50","0.000"]],"a":[["61800.30","1.135"]]}}"#;

/// A unique file in the temp dir holding `body`, gzip-compressed.
fn gz_file(name: &str, body: &[u8]) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "shortfall-binance-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(body).unwrap();
    std::fs::write(&path, gz.finish().unwrap()).unwrap();
    path
}

/// Reads the file to the first error; asserts it is `Malformed` with this line and field
/// and that its message names the file.
fn first_error(path: &PathBuf) -> Error {
    let mut reader = BinanceReader::open(path, btcusdt()).unwrap();
    loop {
        match reader.next_record() {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("no error in {}", path.display()),
            Err(e) => return e,
        }
    }
}

fn assert_malformed(e: &Error, file: &str, want_line: u64, want_field: &str) {
    let text = e.to_string();
    assert!(
        text.starts_with(&format!("line {want_line} of ")),
        "message does not lead with the line: {text}"
    );
    assert!(
        text.contains(file),
        "message does not name the file: {text}"
    );
    assert!(
        text.contains(&format!("field {want_field}:")),
        "message does not name the field: {text}"
    );
    match e {
        Error::Malformed { line, field, .. } => {
            assert_eq!((*line, field.as_str()), (want_line, want_field));
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn a_line_cut_off_mid_json_names_the_field_being_read() {
    let cut = &GOOD_DEPTH[..GOOD_DEPTH.find(r#""pu":"#).unwrap() + 9];
    let body = format!("{GOOD_TRADE}\n{cut}\n{GOOD_TRADE}\n");
    let path = gz_file("truncated.gz", body.as_bytes());
    let e = first_error(&path);
    assert_malformed(&e, "truncated.gz", 2, "data.pu");
    assert!(e.to_string().contains("truncated"), "{e}");
}

#[test]
fn a_non_numeric_price_is_reported_with_its_position_in_the_level_list() {
    let bad = GOOD_DEPTH.replace(r#"["61496.50","0.000"]"#, r#"["abc","0.000"]"#);
    let body = format!("{GOOD_TRADE}\n{GOOD_TRADE}\n{bad}\n");
    let path = gz_file("non_numeric.gz", body.as_bytes());
    let e = first_error(&path);
    assert_malformed(&e, "non_numeric.gz", 3, "data.b[1][0] (price)");
    assert!(e.to_string().contains("\"abc\""), "{e}");
}

#[test]
fn a_non_numeric_trade_price_names_the_trade_field() {
    let bad = GOOD_TRADE.replace("61800.30", "abc");
    let path = gz_file("trade_price.gz", format!("{bad}\n").as_bytes());
    assert_malformed(&first_error(&path), "trade_price.gz", 1, "data.p");
}

#[test]
fn a_message_missing_its_final_update_id_names_data_u() {
    let bad = GOOD_DEPTH.replace(r#""u":5123107858366,"#, "");
    let body = format!("{GOOD_DEPTH}\n{bad}\n");
    let path = gz_file("missing.gz", body.as_bytes());
    let e = first_error(&path);
    assert_malformed(&e, "missing.gz", 2, "data.u");
    assert!(e.to_string().ends_with("field data.u: missing"), "{e}");
}

#[test]
fn a_corrupt_gzip_body_is_a_read_error_at_the_first_line() {
    let dir =
        std::env::temp_dir().join(format!("shortfall-binance-corrupt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("corrupt.gz");
    // a valid gzip header (magic, deflate, no flags, mtime, xfl, os) and a garbage body
    let mut bytes = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    bytes.extend((0..200u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 0x06));
    std::fs::write(&path, &bytes).unwrap();
    let e = first_error(&path);
    match &e {
        Error::ReadAt { path: p, line, .. } => {
            assert_eq!(*line, 1);
            assert_eq!(p, &path);
        }
        other => panic!("expected ReadAt, got {other:?}"),
    }
    let text = e.to_string();
    assert!(
        text.starts_with("line 1 of ") && text.contains("corrupt.gz"),
        "{text}"
    );
    // the reader ends after an I/O error instead of spinning on it
    let mut reader = BinanceReader::open(&path, btcusdt()).unwrap();
    assert!(reader.next_record().is_err());
    assert!(matches!(reader.next_record(), Ok(None)));
}

#[test]
fn a_line_without_the_receive_time_prefix_names_recv_ns() {
    let json_only = &GOOD_TRADE[GOOD_TRADE.find(' ').unwrap() + 1..];
    let body = format!("{GOOD_TRADE}\n{json_only}\n");
    let path = gz_file("no_prefix.gz", body.as_bytes());
    let e = first_error(&path);
    assert_malformed(&e, "no_prefix.gz", 2, "recv_ns");
    assert!(
        e.to_string()
            .contains("missing: expected `<receive ns> <JSON>`"),
        "{e}"
    );

    let word = "1723161255088176367x {\"lastUpdateId\":1}\n";
    let path = gz_file("bad_prefix.gz", word.as_bytes());
    let e = first_error(&path);
    assert_malformed(&e, "bad_prefix.gz", 1, "recv_ns");
    assert!(
        e.to_string().contains("expected a non-negative integer"),
        "{e}"
    );
}

#[test]
fn an_off_grid_quantity_is_an_error_not_a_rounding() {
    let bad = GOOD_TRADE.replace(r#""q":"0.006""#, r#""q":"0.0065""#);
    let path = gz_file("off_grid.gz", format!("{bad}\n").as_bytes());
    let e = first_error(&path);
    assert_malformed(&e, "off_grid.gz", 1, "data.q");
    assert!(e.to_string().contains("not a multiple"), "{e}");
}
