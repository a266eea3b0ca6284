//! The JSON layer of the capture reader: borrowed serde structures, conversion into typed
//! records, and the mapping of every failure onto the JSON field it concerns.

use super::record::{BinanceRecord, BookTicker, DepthSnapshot, DepthUpdate, Trade};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use shortfall_core::{Instrument, Price, PriceLevel, Qty, Ts};
use std::fmt;

/// A problem with one field of one message, before the file and line are attached.
#[derive(Debug)]
pub(super) struct FieldError {
    pub field: String,
    pub reason: String,
}

/// What one line turned into.
#[derive(Debug)]
pub(super) enum Parsed {
    Record(BinanceRecord),
    UnknownStream,
    OtherSymbol,
}

/// Every field of every message kind the reader understands, all optional so that a missing
/// field is reported by name (serde's own "missing field" carries no path). The same
/// struct reads the combined-stream envelope (`stream`, `data`) and the payload, where `D`
/// is the payload type (`IgnoredAny` inside the payload). Unknown fields are ignored.
#[derive(Deserialize)]
struct Msg<'a, D> {
    #[serde(borrow)]
    stream: Option<&'a str>,
    data: Option<D>,
    #[serde(borrow)]
    e: Option<&'a str>,
    #[serde(rename = "E")]
    event_time: Option<i64>,
    #[serde(rename = "T")]
    transaction_time: Option<i64>,
    #[serde(borrow)]
    s: Option<&'a str>,
    #[serde(rename = "U")]
    first_update_id: Option<u64>,
    u: Option<u64>,
    pu: Option<u64>,
    #[serde(borrow)]
    b: Option<BookField<'a>>,
    #[serde(borrow)]
    a: Option<BookField<'a>>,
    #[serde(rename = "B", borrow)]
    bid_qty: Option<&'a str>,
    #[serde(rename = "A", borrow)]
    ask_qty: Option<&'a str>,
    t: Option<u64>,
    #[serde(borrow)]
    p: Option<&'a str>,
    #[serde(borrow)]
    q: Option<&'a str>,
    m: Option<bool>,
    #[serde(rename = "lastUpdateId")]
    last_update_id: Option<u64>,
    #[serde(borrow)]
    bids: Option<Vec<(&'a str, &'a str)>>,
    #[serde(borrow)]
    asks: Option<Vec<(&'a str, &'a str)>>,
}

type Envelope<'a> = Msg<'a, Msg<'a, IgnoredAny>>;

/// `b` / `a`: a list of `[price, qty]` in a diff, a price string in a book ticker.
enum BookField<'a> {
    Price(&'a str),
    Levels(Vec<(&'a str, &'a str)>),
}

impl<'de: 'a, 'a> Deserialize<'de> for BookField<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BookFieldVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for BookFieldVisitor<'a> {
            type Value = BookField<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a price string or a list of [price, quantity] pairs")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(BookField::Price(v))
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
                let mut levels = Vec::with_capacity(seq.size_hint().unwrap_or(16).min(4096));
                while let Some(pair) = seq.next_element::<(&'de str, &'de str)>()? {
                    levels.push(pair);
                }
                Ok(BookField::Levels(levels))
            }
        }
        deserializer.deserialize_any(BookFieldVisitor(std::marker::PhantomData))
    }
}

#[derive(Copy, Clone)]
enum Kind {
    Depth,
    Trade,
    BookTicker,
}

/// The message kind of a combined-stream name such as `btcusdt@depth@0ms`; `None` for
/// streams the reader does not read (`@aggTrade`, partial depth `@depth20`, `@markPrice`, ...).
fn stream_kind(stream: &str) -> Option<Kind> {
    let (_, name) = stream.split_once('@')?;
    match name {
        "trade" => Some(Kind::Trade),
        "bookTicker" => Some(Kind::BookTicker),
        "depth" => Some(Kind::Depth),
        _ => match name.strip_prefix("depth@") {
            Some(speed) if speed.ends_with("ms") => Some(Kind::Depth),
            _ => None,
        },
    }
}

fn event_kind(e: &str) -> Option<Kind> {
    match e {
        "depthUpdate" => Some(Kind::Depth),
        "trade" => Some(Kind::Trade),
        "bookTicker" => Some(Kind::BookTicker),
        _ => None,
    }
}

const fn event_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Depth => "depthUpdate",
        Kind::Trade => "trade",
        Kind::BookTicker => "bookTicker",
    }
}

/// Parses the JSON part of one line.
pub(super) fn parse_message(
    json: &str,
    recv_ns: Ts,
    instrument: &Instrument,
) -> Result<Parsed, FieldError> {
    let msg: Envelope<'_> = serde_json::from_str(json).map_err(|e| serde_error(json, &e))?;
    if let Some(stream) = msg.stream {
        let Some(data) = msg.data.as_ref() else {
            return Err(missing("", "data"));
        };
        let Some(kind) = stream_kind(stream) else {
            return Ok(Parsed::UnknownStream);
        };
        return payload(kind, data, "data.", recv_ns, instrument);
    }
    if let Some(last_update_id) = msg.last_update_id {
        return snapshot(&msg, last_update_id, recv_ns, instrument).map(Parsed::Record);
    }
    if let Some(e) = msg.e {
        return match event_kind(e) {
            Some(kind) => payload(kind, &msg, "", recv_ns, instrument),
            None => Ok(Parsed::UnknownStream),
        };
    }
    Err(FieldError {
        field: "stream".into(),
        reason: "missing: not a combined-stream message (no `stream`), an event (no `e`) \
                 or a depth snapshot (no `lastUpdateId`)"
            .into(),
    })
}

fn payload<D>(
    kind: Kind,
    m: &Msg<'_, D>,
    prefix: &str,
    recv_ns: Ts,
    instrument: &Instrument,
) -> Result<Parsed, FieldError> {
    let e = req(m.e, prefix, "e")?;
    if e != event_name(kind) {
        return Err(FieldError {
            field: format!("{prefix}e"),
            reason: format!("expected {:?} for this stream, got {e:?}", event_name(kind)),
        });
    }
    let symbol = req(m.s, prefix, "s")?;
    if !symbol.eq_ignore_ascii_case(instrument.symbol()) {
        return Ok(Parsed::OtherSymbol);
    }
    let event_time = millis(req(m.event_time, prefix, "E")?, prefix, "E")?;
    let transaction_time = millis(req(m.transaction_time, prefix, "T")?, prefix, "T")?;
    let record = match kind {
        Kind::Depth => BinanceRecord::DepthUpdate(DepthUpdate {
            recv_ns,
            event_time,
            transaction_time,
            first_update_id: req(m.first_update_id, prefix, "U")?,
            final_update_id: req(m.u, prefix, "u")?,
            prev_final_update_id: req(m.pu, prefix, "pu")?,
            bids: level_list(m.b.as_ref(), prefix, "b", instrument)?,
            asks: level_list(m.a.as_ref(), prefix, "a", instrument)?,
        }),
        Kind::Trade => BinanceRecord::Trade(Trade {
            recv_ns,
            event_time,
            trade_time: transaction_time,
            trade_id: req(m.t, prefix, "t")?,
            price: price(req(m.p, prefix, "p")?, prefix, "p", instrument)?,
            qty: qty(req(m.q, prefix, "q")?, prefix, "q", instrument)?,
            buyer_is_maker: req(m.m, prefix, "m")?,
        }),
        Kind::BookTicker => BinanceRecord::BookTicker(BookTicker {
            recv_ns,
            update_id: req(m.u, prefix, "u")?,
            event_time,
            transaction_time,
            bid: price(
                price_text(m.b.as_ref(), prefix, "b")?,
                prefix,
                "b",
                instrument,
            )?,
            bid_qty: qty(req(m.bid_qty, prefix, "B")?, prefix, "B", instrument)?,
            ask: price(
                price_text(m.a.as_ref(), prefix, "a")?,
                prefix,
                "a",
                instrument,
            )?,
            ask_qty: qty(req(m.ask_qty, prefix, "A")?, prefix, "A", instrument)?,
        }),
    };
    Ok(Parsed::Record(record))
}

fn snapshot<D>(
    m: &Msg<'_, D>,
    last_update_id: u64,
    recv_ns: Ts,
    instrument: &Instrument,
) -> Result<BinanceRecord, FieldError> {
    let levels = |list: Option<&Vec<(&str, &str)>>, name: &str| match list {
        Some(list) => convert_levels(list, "", name, instrument),
        None => Err(missing("", name)),
    };
    Ok(BinanceRecord::Snapshot(DepthSnapshot {
        recv_ns,
        last_update_id,
        event_time: m.event_time.map(|v| millis(v, "", "E")).transpose()?,
        transaction_time: m.transaction_time.map(|v| millis(v, "", "T")).transpose()?,
        bids: levels(m.bids.as_ref(), "bids")?,
        asks: levels(m.asks.as_ref(), "asks")?,
    }))
}

fn missing(prefix: &str, name: &str) -> FieldError {
    FieldError {
        field: format!("{prefix}{name}"),
        reason: "missing".into(),
    }
}

#[inline]
fn req<T>(value: Option<T>, prefix: &str, name: &str) -> Result<T, FieldError> {
    value.ok_or_else(|| missing(prefix, name))
}

fn millis(ms: i64, prefix: &str, name: &str) -> Result<Ts, FieldError> {
    ms.checked_mul(1_000_000).map(Ts).ok_or_else(|| FieldError {
        field: format!("{prefix}{name}"),
        reason: format!("{ms} ms is out of the nanosecond range"),
    })
}

fn price(
    text: &str,
    prefix: &str,
    name: &str,
    instrument: &Instrument,
) -> Result<Price, FieldError> {
    instrument.parse_price(text).map_err(|e| FieldError {
        field: format!("{prefix}{name}"),
        reason: e.to_string(),
    })
}

fn qty(text: &str, prefix: &str, name: &str, instrument: &Instrument) -> Result<Qty, FieldError> {
    let bad = |reason: String| FieldError {
        field: format!("{prefix}{name}"),
        reason,
    };
    let q = instrument.parse_qty(text).map_err(|e| bad(e.to_string()))?;
    if q.0 < 0 {
        return Err(bad(format!("negative quantity {text:?}")));
    }
    Ok(q)
}

fn price_text<'a>(
    field: Option<&BookField<'a>>,
    prefix: &str,
    name: &str,
) -> Result<&'a str, FieldError> {
    match field {
        Some(BookField::Price(text)) => Ok(text),
        Some(BookField::Levels(_)) => Err(FieldError {
            field: format!("{prefix}{name}"),
            reason: "expected a price string, got a list".into(),
        }),
        None => Err(missing(prefix, name)),
    }
}

fn level_list(
    field: Option<&BookField<'_>>,
    prefix: &str,
    name: &str,
    instrument: &Instrument,
) -> Result<Vec<PriceLevel>, FieldError> {
    match field {
        Some(BookField::Levels(list)) => convert_levels(list, prefix, name, instrument),
        Some(BookField::Price(_)) => Err(FieldError {
            field: format!("{prefix}{name}"),
            reason: "expected a list of [price, quantity] pairs, got a string".into(),
        }),
        None => Err(missing(prefix, name)),
    }
}

fn convert_levels(
    list: &[(&str, &str)],
    prefix: &str,
    name: &str,
    instrument: &Instrument,
) -> Result<Vec<PriceLevel>, FieldError> {
    let mut out = Vec::with_capacity(list.len());
    for (i, &(p, q)) in list.iter().enumerate() {
        // the field name is only formatted on failure: this loop runs for every level
        let at = |slot: usize, role: &'static str| {
            move |mut e: FieldError| {
                e.field = format!("{prefix}{name}[{i}][{slot}] ({role})");
                e
            }
        };
        out.push(PriceLevel {
            price: price(p, "", "", instrument).map_err(at(0, "price"))?,
            qty: qty(q, "", "", instrument).map_err(at(1, "quantity"))?,
        });
    }
    Ok(out)
}

/// A serde_json failure as a field error: the field is the JSON path open at the byte where
/// parsing stopped (e.g. `data.b[3][0]`); a line that ends inside the JSON says so.
fn serde_error(json: &str, e: &serde_json::Error) -> FieldError {
    // serde_json counts columns in bytes from 1, and the JSON part is a single line
    let stop = if e.line() <= 1 {
        e.column().min(json.len())
    } else {
        json.len()
    };
    let path = json_path_at(&json.as_bytes()[..stop]);
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(cut) => &text[..cut],
        None => text.as_str(),
    };
    let reason = if e.is_eof() {
        format!("line ends inside the JSON (truncated?): {message}")
    } else {
        format!("{message} (column {})", e.column())
    };
    FieldError {
        field: if path.is_empty() {
            "(json)".into()
        } else {
            path
        },
        reason,
    }
}

/// The path (`data.b[3][0]`) of the value being read at the end of `prefix`, a prefix of a
/// JSON document. Tolerates invalid JSON: it only tracks brackets, keys and commas.
fn json_path_at(prefix: &[u8]) -> String {
    enum Frame {
        Object { key: Option<String>, want_key: bool },
        Array { index: usize },
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut string_start = 0;
    for (i, &c) in prefix.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
                if let Some(Frame::Object {
                    key,
                    want_key: true,
                }) = stack.last_mut()
                {
                    *key = Some(String::from_utf8_lossy(&prefix[string_start..i]).into_owned());
                }
            }
            continue;
        }
        match c {
            b'"' => {
                in_string = true;
                string_start = i + 1;
            }
            b'{' => stack.push(Frame::Object {
                key: None,
                want_key: true,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b':' => {
                if let Some(Frame::Object { want_key, .. }) = stack.last_mut() {
                    *want_key = false;
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { key, want_key }) => {
                    *key = None;
                    *want_key = true;
                }
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            _ => {}
        }
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(k), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    fn btc() -> Instrument {
        Instrument::new("BTCUSDT", 0.1, 0.001).unwrap()
    }

    fn parse(json: &str) -> Result<Parsed, FieldError> {
        parse_message(json, Ts(1), &btc())
    }

    #[test]
    fn json_path_names_the_innermost_open_value() {
        assert_eq!(json_path_at(br#"{"data":{"u":12"#), "data.u");
        assert_eq!(
            json_path_at(br#"{"data":{"b":[["1","2"],["3"#),
            "data.b[1][0]"
        );
        assert_eq!(json_path_at(br#"{"a":{"x":1},"b":"#), "b");
        assert_eq!(json_path_at(br#"{"k\"":1,"#), "");
    }

    #[test]
    fn a_string_where_an_id_belongs_is_reported_on_that_field() {
        let e = parse(r#"{"stream":"btcusdt@trade","data":{"e":"trade","t":"x"}}"#).unwrap_err();
        assert_eq!(e.field, "data.t");
        assert!(e.reason.contains("invalid type"), "{}", e.reason);
    }

    #[test]
    fn other_symbols_and_unknown_streams_are_skipped() {
        let eth = r#"{"stream":"ethusdt@trade","data":{"e":"trade","E":1,"T":1,"s":"ETHUSDT","t":1,"p":"3000.01","q":"1","m":true}}"#;
        assert!(matches!(parse(eth), Ok(Parsed::OtherSymbol)));
        let agg = r#"{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade"}}"#;
        assert!(matches!(parse(agg), Ok(Parsed::UnknownStream)));
        let partial = r#"{"stream":"btcusdt@depth20@100ms","data":{"e":"depthUpdate"}}"#;
        assert!(matches!(parse(partial), Ok(Parsed::UnknownStream)));
    }

    #[test]
    fn an_unwrapped_book_ticker_is_read_like_a_wrapped_one() {
        let raw = r#"{"e":"bookTicker","u":7,"s":"BTCUSDT","b":"61800.20","B":"2.507","a":"61800.30","A":"2.510","T":1,"E":2}"#;
        match parse(raw) {
            Ok(Parsed::Record(BinanceRecord::BookTicker(t))) => {
                assert_eq!(
                    (t.update_id, t.bid, t.ask_qty),
                    (7, Price(618_002), Qty(2510))
                );
                assert_eq!(t.event_time, Ts(2_000_000));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_off_grid_level_price_names_its_position() {
        let raw = r#"{"lastUpdateId":5,"bids":[["1.0","1"],["1.05","1"]],"asks":[]}"#;
        let e = parse(raw).unwrap_err();
        assert_eq!(e.field, "bids[1][0] (price)");
        assert!(e.reason.contains("not a multiple"), "{}", e.reason);
    }
}
