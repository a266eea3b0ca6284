//! The readers and the writer against LOBSTER's own sample files in `../shared/data`.
//!
//! Each test prints a notice and returns when its data folder is absent.

use shortfall_core::{BookView, MarketEvent, OrderId, Price, PriceLevel, Qty, Side, Ts};
use shortfall_lob_sim::data::lobster::{
    LobsterEventType, LobsterReader, MessageReader, OrderbookReader, write_book_row,
};
use std::collections::BTreeMap;
use std::path::PathBuf;

const AAPL_MESSAGES: &str =
    "lobster-aapl-l10-head/AAPL_2012-06-21_34200000_57600000_message_10.csv";
const AAPL_BOOK: &str = "lobster-aapl-l10-head/AAPL_2012-06-21_34200000_57600000_orderbook_10.csv";
const AMZN_MESSAGES: &str = "lobster-amzn-l1/AMZN_2012-06-21_34200000_57600000_message_1.csv";
const AMZN_BOOK: &str = "lobster-amzn-l1/AMZN_2012-06-21_34200000_57600000_orderbook_1.csv";

/// The path of a shared data file, or `None` (after printing a notice) when it is absent.
fn shared_data(relative: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(relative);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!("skipping: ../shared/data/{relative} not found");
        None
    }
}

#[test]
fn aapl_message_file_parses_to_999_messages_starting_with_its_first_line() {
    let Some(path) = shared_data(AAPL_MESSAGES) else {
        return;
    };
    let messages: Vec<_> = MessageReader::open(&path)
        .expect("the file exists")
        .collect::<Result<_, _>>()
        .expect("LOBSTER's sample parses");
    assert_eq!(messages.len(), 999);
    // The file's first line, by hand: 34200.004241176,1,16113575,18,5853300,1
    let first = messages[0];
    assert_eq!(first.time, Ts(34_200_004_241_176));
    assert_eq!(first.event_type, LobsterEventType::Submission);
    assert_eq!(first.order_id, OrderId(16_113_575));
    assert_eq!(first.size, Qty(18));
    assert_eq!(first.price, Price(5_853_300));
    assert_eq!(first.direction, Side::Buy);
    // Its last line: 34249.086375027,1,18259338,18,5853500,1 (34249.086 s per PROVENANCE).
    let last = messages[998];
    assert_eq!(last.time.0 / 1_000_000, 34_249_086);
    assert_eq!(last.order_id, OrderId(18_259_338));
    assert!(
        messages.windows(2).all(|w| w[0].time <= w[1].time),
        "times never decrease"
    );
}

#[test]
fn aapl_orderbook_has_ten_levels_a_side_and_pairs_with_its_messages() {
    let (Some(messages), Some(book)) = (shared_data(AAPL_MESSAGES), shared_data(AAPL_BOOK)) else {
        return;
    };
    let records: Vec<_> = LobsterReader::open(&messages, &book, 10)
        .expect("the files exist")
        .collect::<Result<_, _>>()
        .expect("LOBSTER's sample parses");
    assert_eq!(records.len(), 999);
    let first = &records[0].book;
    assert_eq!(first.depth(), 10);
    assert_eq!(first.level_count(Side::Sell), 10);
    assert_eq!(first.level_count(Side::Buy), 10);
    assert_eq!(
        first.best_ask(),
        Some(PriceLevel {
            price: Price(5_859_400),
            qty: Qty(200)
        })
    );
    assert_eq!(
        first.best_bid(),
        Some(PriceLevel {
            price: Price(5_853_300),
            qty: Qty(18)
        })
    );
    // The first message adds 18 shares at the best bid: the row after it shows them.
    assert_eq!(
        records[0].message.size,
        first.best_bid().map(|l| l.qty).unwrap_or_default()
    );
    assert!(records.iter().all(|r| !r.book.is_crossed()));
}

#[test]
fn amzn_files_with_a_header_parse_57515_messages_and_57515_rows() {
    let (Some(messages), Some(book)) = (shared_data(AMZN_MESSAGES), shared_data(AMZN_BOOK)) else {
        return;
    };
    let mut by_type: BTreeMap<u8, usize> = BTreeMap::new();
    let mut reader = LobsterReader::open(&messages, &book, 1).expect("the files exist");
    let mut rows = 0;
    for record in &mut reader {
        let record = record.expect("the AMZN sample parses");
        *by_type.entry(record.message.event_type.code()).or_default() += 1;
        rows += 1;
        assert!(record.book.depth() == 1 && record.book.asks().len() <= 1);
    }
    assert_eq!(rows, 57_515);
    assert_eq!(reader.rows(), 57_515);

    // The same counts, found another way: the second column of every line after the header.
    let text = std::fs::read_to_string(&messages).expect("the file is text");
    let mut by_split: BTreeMap<u8, usize> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let code = line
            .split(',')
            .nth(1)
            .expect("every line has a Type column");
        *by_split
            .entry(code.parse().expect("Type is a small integer"))
            .or_default() += 1;
    }
    assert_eq!(by_type, by_split);
    // Plausible for a liquid stock's day: submissions lead, then deletions; executions of
    // visible orders outnumber hidden ones; partial cancellations are rare; no halts.
    let count = |code| by_type.get(&code).copied().unwrap_or(0);
    assert!(count(1) > count(3) && count(3) > count(4) && count(4) > count(5));
    assert!(count(2) < count(5));
    assert_eq!(count(7), 0);
    assert_eq!(by_type.values().sum::<usize>(), 57_515);
}

#[test]
fn amzn_messages_convert_to_market_events_with_hidden_executions_as_trades() {
    let Some(path) = shared_data(AMZN_MESSAGES) else {
        return;
    };
    let mut reader = MessageReader::open(&path).expect("the file exists");
    // First data line: 34200.01746,5,0,1,2238200,-1 — a hidden sell order executed, so a
    // buyer-initiated trade of 1 share at $223.82.
    let first = reader.next().expect("a first message").expect("it parses");
    assert_eq!(
        MarketEvent::from(first),
        MarketEvent::Trade {
            ts: Ts(34_200_017_460_000),
            price: Price(2_238_200),
            qty: Qty(1),
            aggressor: Some(Side::Buy),
        }
    );
    assert_eq!(reader.line(), 2, "the header is line 1");
    let trades = reader
        .map(|m| m.expect("the AMZN sample parses").to_market_event())
        .filter(|e| matches!(e, MarketEvent::Trade { .. }))
        .count();
    assert_eq!(trades + 1, 2_445, "every type-5 message is a trade print");
}

#[test]
fn writing_the_rows_read_reproduces_lobster_orderbook_files_byte_for_byte() {
    for (relative, depth) in [(AAPL_BOOK, 10), (AMZN_BOOK, 1)] {
        let Some(path) = shared_data(relative) else {
            continue;
        };
        let original = std::fs::read_to_string(&path).expect("the file is text");
        let data_lines: Vec<&str> = original
            .lines()
            .filter(|line| !line.starts_with(|c: char| c.is_ascii_alphabetic()))
            .collect();
        let mut written = Vec::new();
        for row in OrderbookReader::open(&path, depth).expect("the file exists") {
            write_book_row(&mut written, &row.expect("the sample parses"), depth)
                .expect("writing to a Vec cannot fail");
        }
        let written = String::from_utf8(written).expect("the writer writes ASCII");
        assert_eq!(written.lines().count(), data_lines.len(), "{relative}");
        for (number, (ours, theirs)) in written.lines().zip(&data_lines).enumerate() {
            assert_eq!(ours, *theirs, "{relative}, data row {}", number + 1);
        }
    }
}
