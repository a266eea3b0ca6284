//! Properties of the LOBSTER readers and writer: no input makes them panic, and what is
//! written (or formatted as LOBSTER would) reads back unchanged.

use proptest::prelude::*;
use shortfall_core::{BookView, Price, PriceLevel, Qty, Side, Ts};
use shortfall_lob_sim::data::lobster::{
    EMPTY_ASK_PRICE, LobsterBookRow, LobsterMessage, LobsterReader, MessageReader, OrderbookReader,
    write_book_row,
};
use std::io::BufReader;

/// Reads everything, counting records and errors; the sum bounds the line count.
fn drain_messages(bytes: &[u8], capacity: usize) -> (usize, usize) {
    let reader = MessageReader::new(BufReader::with_capacity(capacity, bytes), "fuzz");
    reader.fold((0, 0), |(ok, err), r| {
        if r.is_ok() {
            (ok + 1, err)
        } else {
            (ok, err + 1)
        }
    })
}

fn drain_book(bytes: &[u8], capacity: usize, depth: usize) -> (usize, usize) {
    let reader = OrderbookReader::new(BufReader::with_capacity(capacity, bytes), "fuzz", depth)
        .expect("depth is at least 1");
    reader.fold((0, 0), |(ok, err), r| {
        if r.is_ok() {
            (ok + 1, err)
        } else {
            (ok, err + 1)
        }
    })
}

/// Lines that look like LOBSTER's, with every kind of small damage.
fn lobster_ish_line() -> impl Strategy<Value = String> {
    let field = prop_oneof![
        "-?[0-9]{0,12}",
        "[0-9]{1,6}\\.[0-9]{0,11}",
        "(9999999999|-9999999999|0|-1|1|7)",
        "[ a-zA-Z\"\r.+-]{0,4}",
    ];
    prop::collection::vec(field, 0..10).prop_map(|fields| fields.join(","))
}

/// A book side of up to `max` levels, best first with positive sizes.
fn book_side(side: Side, max: usize) -> impl Strategy<Value = Vec<PriceLevel>> {
    (
        1i64..9_000_000_000,
        prop::collection::vec((1i64..5_000, 1i64..1_000_000), 0..=max),
    )
        .prop_map(move |(start, steps)| {
            let mut price = start;
            steps
                .into_iter()
                .map(|(step, qty)| {
                    price += match side {
                        Side::Sell => step,
                        Side::Buy => -step,
                    };
                    PriceLevel {
                        price: Price(price),
                        qty: Qty(qty),
                    }
                })
                .collect()
        })
}

/// A hand-built book: levels kept as given, best first.
struct TestBook {
    asks: Vec<PriceLevel>,
    bids: Vec<PriceLevel>,
}

impl BookView for TestBook {
    fn level(&self, side: Side, index: usize) -> Option<PriceLevel> {
        match side {
            Side::Buy => self.bids.get(index).copied(),
            Side::Sell => self.asks.get(index).copied(),
        }
    }

    fn level_count(&self, side: Side) -> usize {
        match side {
            Side::Buy => self.bids.len(),
            Side::Sell => self.asks.len(),
        }
    }
}

/// A message as LOBSTER would write it, trimming trailing zeros of the time as LOBSTER does.
fn lobster_line(m: &LobsterMessage) -> String {
    let seconds = m.time.0 / Ts::NANOS_PER_SEC;
    let nanos = m.time.0 % Ts::NANOS_PER_SEC;
    let time = if nanos == 0 {
        seconds.to_string()
    } else {
        let fraction = format!("{nanos:09}");
        format!("{seconds}.{}", fraction.trim_end_matches('0'))
    };
    let direction = if m.direction == Side::Buy { 1 } else { -1 };
    format!(
        "{time},{},{},{},{},{direction}",
        m.event_type.code(),
        m.order_id.0,
        m.size.0,
        m.price.0
    )
}

fn any_message() -> impl Strategy<Value = LobsterMessage> {
    (
        0i64..100_000 * Ts::NANOS_PER_SEC,
        1i64..=7,
        any::<u64>(),
        0i64..i64::MAX,
        any::<i64>(),
        any::<bool>(),
    )
        .prop_map(|(time, code, id, size, price, buy)| {
            let event_type = shortfall_lob_sim::data::lobster::LobsterEventType::from_code(code)
                .expect("1..=7 are event types");
            let price = if code == 7 {
                price.rem_euclid(3) - 1
            } else {
                price
            };
            LobsterMessage {
                time: Ts(time),
                event_type,
                order_id: shortfall_core::OrderId(id),
                size: Qty(size),
                price: Price(price),
                direction: if buy { Side::Buy } else { Side::Sell },
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_give_records_or_errors_never_panics(
        bytes in prop::collection::vec(any::<u8>(), 0..600),
        capacity in 1usize..64,
        depth in 1usize..4,
    ) {
        let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
        let (ok, err) = drain_messages(&bytes, capacity);
        prop_assert!(ok + err <= lines);
        let (ok, err) = drain_book(&bytes, capacity, depth);
        prop_assert!(ok + err <= lines);
    }

    #[test]
    fn arbitrary_lobster_like_lines_give_records_or_errors_never_panics(
        lines in prop::collection::vec(lobster_ish_line(), 0..12),
        crlf in any::<bool>(),
        capacity in 1usize..128,
        depth in 1usize..3,
    ) {
        let text = lines.join(if crlf { "\r\n" } else { "\n" });
        let (ok, err) = drain_messages(text.as_bytes(), capacity);
        prop_assert!(ok + err <= lines.len().max(1));
        let (ok, err) = drain_book(text.as_bytes(), capacity, depth);
        prop_assert!(ok + err <= lines.len().max(1));
        let paired = LobsterReader::new(
            MessageReader::new(text.as_bytes(), "m"),
            OrderbookReader::new(text.as_bytes(), "b", depth).expect("depth is at least 1"),
        );
        prop_assert!(paired.count() <= lines.len() + 1);
    }

    #[test]
    fn messages_formatted_as_lobster_does_read_back_exactly(
        messages in prop::collection::vec(any_message(), 0..20),
        crlf in any::<bool>(),
        header in any::<bool>(),
        capacity in 1usize..100,
    ) {
        let end = if crlf { "\r\n" } else { "\n" };
        let mut text = if header { format!("Time,Type,OrderId,Size,Price,Direction{end}") } else { String::new() };
        for m in &messages {
            text.push_str(&lobster_line(m));
            text.push_str(end);
        }
        let read: Vec<_> = MessageReader::new(BufReader::with_capacity(capacity, text.as_bytes()), "gen")
            .collect::<Result<_, _>>()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(read, messages);
    }

    #[test]
    fn written_book_rows_read_back_to_the_same_levels(
        asks in book_side(Side::Sell, 12),
        bids in book_side(Side::Buy, 12),
        depth in 1usize..12,
        capacity in 1usize..300,
    ) {
        let book = TestBook { asks, bids };
        let mut file = Vec::new();
        write_book_row(&mut file, &book, depth).expect("writing to a Vec cannot fail");
        write_book_row(&mut file, &book, depth).expect("writing to a Vec cannot fail");
        let rows: Vec<LobsterBookRow> = OrderbookReader::new(BufReader::with_capacity(capacity, &file[..]), "written", depth)
            .expect("depth is at least 1")
            .collect::<Result<_, _>>()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(rows.len(), 2);
        let expected_asks = &book.asks[..book.asks.len().min(depth)];
        let expected_bids = &book.bids[..book.bids.len().min(depth)];
        for row in &rows {
            prop_assert_eq!(row.asks(), expected_asks);
            prop_assert_eq!(row.bids(), expected_bids);
            prop_assert_eq!(row.depth(), depth);
        }
    }
}

#[test]
fn a_hand_built_book_is_written_in_lobster_layout_and_reads_back() {
    let level = |price, qty| PriceLevel {
        price: Price(price),
        qty: Qty(qty),
    };
    let book = TestBook {
        asks: vec![
            level(5_859_400, 200),
            level(5_859_800, 200),
            level(5_861_000, 200),
        ],
        bids: vec![level(5_853_300, 18)],
    };
    let mut out = Vec::new();
    write_book_row(&mut out, &book, 2).expect("writing to a Vec cannot fail");
    assert_eq!(
        String::from_utf8(out.clone()).expect("ASCII"),
        "5859400,200,5853300,18,5859800,200,-9999999999,0\n"
    );
    let row = OrderbookReader::new(&out[..], "hand.csv", 2)
        .expect("depth 2 is valid")
        .next()
        .expect("one row")
        .expect("it parses");
    assert_eq!(row.asks(), &book.asks[..2]);
    assert_eq!(row.bids(), &book.bids[..]);
    assert_eq!(row.best_ask().map(|l| l.price), Some(Price(5_859_400)));
    assert_ne!(row.best_ask().map(|l| l.price), Some(EMPTY_ASK_PRICE));

    let empty = TestBook {
        asks: vec![],
        bids: vec![],
    };
    let mut out = Vec::new();
    write_book_row(&mut out, &empty, 1).expect("writing to a Vec cannot fail");
    assert_eq!(out, b"9999999999,0,-9999999999,0\n");
    let row = OrderbookReader::new(&out[..], "empty.csv", 1)
        .expect("depth 1 is valid")
        .next()
        .expect("one row")
        .expect("it parses");
    assert_eq!(
        (row.level_count(Side::Buy), row.level_count(Side::Sell)),
        (0, 0)
    );
}
