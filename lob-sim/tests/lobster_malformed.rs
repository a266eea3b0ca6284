//! Malformed LOBSTER input gives errors that name the file, the line and the field.

use shortfall_lob_sim::Error;
use shortfall_lob_sim::data::lobster::{
    LobsterBookRow, LobsterReader, MessageReader, OrderbookReader,
};
use std::path::PathBuf;

/// Writes `contents` to a fresh file in the temporary directory and returns its path.
fn temp_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shortfall-lobster-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("the temporary directory is writable");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("the temporary directory is writable");
    path
}

/// The first error a message file produces.
fn first_message_error(name: &str, contents: &str) -> Error {
    let path = temp_file(name, contents);
    let reader = MessageReader::open(&path).expect("the file was just written");
    reader
        .filter_map(Result::err)
        .next()
        .unwrap_or_else(|| panic!("{contents:?} should not parse"))
}

/// The first error an orderbook file of `depth` levels produces.
fn first_book_error(name: &str, contents: &str, depth: usize) -> Error {
    let path = temp_file(name, contents);
    let reader = OrderbookReader::open(&path, depth).expect("the file was just written");
    reader
        .filter_map(Result::err)
        .next()
        .unwrap_or_else(|| panic!("{contents:?} should not parse"))
}

/// Asserts that `error` is `Malformed` at `file`, `line`, `field`, with `reason` in its text,
/// and that its message says all of that.
#[track_caller]
fn assert_malformed(error: &Error, file: &str, line: u64, field: &str, reason: &str) {
    let text = error.to_string();
    match error {
        Error::Malformed {
            path,
            line: at,
            field: name,
            reason: why,
        } => {
            assert!(path.ends_with(file), "{text}");
            assert_eq!(*at, line, "{text}");
            assert_eq!(name, field, "{text}");
            assert!(why.contains(reason), "{text}");
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
    assert!(text.contains(file), "{text}");
    assert!(text.contains(&format!("line {line} ")), "{text}");
    assert!(text.contains(&format!("field {field}: ")), "{text}");
}

const GOOD: &str = "34200.004241176,1,16113575,18,5853300,1\n";

#[test]
fn a_truncated_message_line_names_the_first_missing_field() {
    let error = first_message_error("truncated_message.csv", &format!("{GOOD}34200.1,1,5,18\n"));
    assert_malformed(
        &error,
        "truncated_message.csv",
        2,
        "Price",
        "line has 4 fields, expected 6",
    );
}

#[test]
fn a_non_numeric_price_names_the_price_field_and_quotes_it() {
    let error = first_message_error(
        "dollars.csv",
        &format!("{GOOD}{GOOD}34200.1,1,5,18,22.38,1\n"),
    );
    assert_malformed(&error, "dollars.csv", 3, "Price", "got \"22.38\"");
}

#[test]
fn a_message_line_with_too_many_columns_says_how_many() {
    let error = first_message_error("wide.csv", &format!("{GOOD}34200.1,1,5,18,2238200,1,0,0\n"));
    assert_malformed(
        &error,
        "wide.csv",
        2,
        "Direction",
        "line has 8 fields, expected 6",
    );
}

#[test]
fn an_unknown_event_type_is_rejected() {
    for code in ["0", "8", "-1", "x"] {
        let error = first_message_error("type.csv", &format!("34200.1,{code},5,18,2238200,1\n"));
        assert_malformed(&error, "type.csv", 1, "Type", "event type 1 to 7");
    }
}

#[test]
fn a_direction_other_than_plus_or_minus_one_is_rejected() {
    for direction in ["0", "2", "-2", "buy", ""] {
        let line = format!("34200.1,1,5,18,2238200,{direction}\n");
        let error = first_message_error("direction.csv", &line);
        assert_malformed(
            &error,
            "direction.csv",
            1,
            "Direction",
            "1 (buy) or -1 (sell)",
        );
    }
}

#[test]
fn a_negative_size_is_rejected() {
    let error = first_message_error("size.csv", "34200.1,2,5,-18,2238200,1\n");
    assert_malformed(&error, "size.csv", 1, "Size", "non-negative");
}

#[test]
fn a_bad_time_is_rejected() {
    for time in [
        "34200;5",
        "34200.0000000001",
        "9:30:00",
        "-34200",
        "34200.",
        "3.42e4",
    ] {
        let error = first_message_error("time.csv", &format!("{GOOD}{time},1,5,18,2238200,1\n"));
        assert_malformed(&error, "time.csv", 2, "Time", "seconds after midnight");
        assert!(
            error.to_string().contains(&format!("got {time:?}")),
            "{error}"
        );
    }
}

#[test]
fn a_first_line_that_is_text_but_not_the_header_is_an_error() {
    let error = first_message_error("noheader.csv", &format!("Time,Type,Ref,Qty,Px,Dir\n{GOOD}"));
    assert_malformed(
        &error,
        "noheader.csv",
        1,
        "Order ID",
        "neither a data row nor the header",
    );
    let error = first_message_error("prose.csv", &format!("hello\n{GOOD}"));
    assert_malformed(
        &error,
        "prose.csv",
        1,
        "Time",
        "neither a data row nor the header",
    );
}

#[test]
fn an_empty_line_inside_the_file_is_an_error_but_one_at_the_end_is_not() {
    let error = first_message_error("gap.csv", &format!("{GOOD}\n{GOOD}"));
    assert_malformed(&error, "gap.csv", 2, "Time", "empty line");
    let path = temp_file("tail.csv", &format!("{GOOD}{GOOD}\n"));
    let count = MessageReader::open(&path).expect("just written").count();
    assert_eq!(count, 2);
}

#[test]
fn the_reader_goes_on_after_a_malformed_line() {
    let input = format!("{GOOD}34200.1,9,5,18,2238200,1\n{GOOD}");
    let results: Vec<_> = MessageReader::new(input.as_bytes(), "resume.csv").collect();
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok() && results[1].is_err() && results[2].is_ok());
}

#[test]
fn a_reader_without_a_file_names_its_label() {
    let error = MessageReader::new(&b"34200.1,1,5,18,2238200,0"[..], "inline messages")
        .next()
        .expect("one line")
        .expect_err("direction 0 is invalid");
    assert_malformed(&error, "inline messages", 1, "Direction", "got 0");
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let path = std::env::temp_dir().join("shortfall-lobster-no-such-file.csv");
    let Err(error) = MessageReader::open(&path) else {
        panic!("the file does not exist")
    };
    assert!(matches!(error, Error::Io { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("shortfall-lobster-no-such-file.csv")
    );
}

#[test]
fn an_orderbook_row_with_the_wrong_column_count_says_so() {
    let error = first_book_error("book_short.csv", "5859400,200,5853300,18,5859800,200\n", 2);
    assert_malformed(
        &error,
        "book_short.csv",
        1,
        "Bid Price 2",
        "line has 6 fields, expected 8",
    );
    let error = first_book_error(
        "book_wide.csv",
        "5859400,200,5853300,18,5859800,200,5853000,150\n",
        1,
    );
    assert_malformed(
        &error,
        "book_wide.csv",
        1,
        "Bid Size 1",
        "line has 8 fields, expected 4",
    );
}

#[test]
fn an_orderbook_row_with_a_non_numeric_field_names_it() {
    let error = first_book_error(
        "book_text.csv",
        "5859400,200,5853300,18\n5859400,2x0,5853300,18\n",
        1,
    );
    assert_malformed(&error, "book_text.csv", 2, "Ask Size 1", "got \"2x0\"");
}

#[test]
fn an_orderbook_header_for_another_depth_is_an_error() {
    let header = "BestAsk,BestAskVolume,BestBid,BestBidVolume\n5859400,200,5853300,18\n";
    let error = first_book_error("book_header.csv", header, 2);
    assert_malformed(
        &error,
        "book_header.csv",
        1,
        "Ask Price 2",
        "header has 4 columns, expected 8",
    );
}

#[test]
fn an_orderbook_depth_of_zero_is_refused() {
    let error = OrderbookReader::new(&b""[..], "zero.csv", 0).expect_err("depth 0 is invalid");
    assert!(error.to_string().contains("at least 1 level"), "{error}");
}

#[test]
fn paired_files_of_different_lengths_are_inconsistent_naming_both() {
    let messages = format!("{GOOD}{GOOD}{GOOD}");
    let book = "5859400,200,5853300,18\n5859400,200,5853300,18\n";
    for (m, b, shorter, longer) in [
        (messages.as_str(), book, "book.csv", "messages.csv"),
        (GOOD, book, "messages.csv", "book.csv"),
    ] {
        let mut reader = LobsterReader::new(
            MessageReader::new(m.as_bytes(), "messages.csv"),
            OrderbookReader::new(b.as_bytes(), "book.csv", 1).expect("depth 1 is valid"),
        );
        let mut row = LobsterBookRow::new(1);
        let mut rows = 0;
        let error = loop {
            match reader.read_into(&mut row) {
                Ok(Some(_)) => rows += 1,
                Ok(None) => panic!("the files differ in length"),
                Err(error) => break error,
            }
        };
        let Error::Inconsistent(why) = &error else {
            panic!("expected Inconsistent, got {error:?}")
        };
        assert_eq!(
            why,
            &format!("{shorter} ended after {rows} rows, but {longer} has more rows")
        );
        assert!(reader.read_into(&mut row).expect("ended").is_none());
    }
}

#[test]
fn a_malformed_message_keeps_the_paired_files_in_step() {
    let messages = format!("{GOOD}34200.1,9,5,18,2238200,1\n{GOOD}");
    let book = "5859400,200,5853300,18\n5859400,201,5853300,18\n5859400,202,5853300,18\n";
    let reader = LobsterReader::new(
        MessageReader::new(messages.as_bytes(), "messages.csv"),
        OrderbookReader::new(book.as_bytes(), "book.csv", 1).expect("depth 1 is valid"),
    );
    let results: Vec<_> = reader.collect();
    assert_eq!(results.len(), 3);
    assert!(results[1].is_err());
    let last = results[2].as_ref().expect("the third rows pair up");
    assert_eq!(last.book.asks()[0].qty.0, 202);
}
