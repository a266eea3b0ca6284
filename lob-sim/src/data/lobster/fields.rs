//! Byte-level parsing of one comma-separated line: integers, LOBSTER times and the header.
//!
//! The parsers walk the line once, field by field, and never allocate unless a field is bad.

use shortfall_core::Ts;

/// A bad field: its 0-based column and what is wrong, ready to be named by the reader.
#[derive(Debug)]
pub(crate) struct BadField {
    pub column: usize,
    pub reason: String,
}

/// A cursor over the fields of one line that must have exactly `expected` fields.
pub(crate) struct Fields<'a> {
    line: &'a [u8],
    pos: usize,
    /// Column of the next field.
    column: usize,
    expected: usize,
    /// True once the last field of the line has been consumed.
    ended: bool,
}

/// Longest field text quoted back in an error message.
const QUOTE_LIMIT: usize = 40;

impl<'a> Fields<'a> {
    pub(crate) fn new(line: &'a [u8], expected: usize) -> Self {
        Self {
            line,
            pos: 0,
            column: 0,
            expected,
            ended: false,
        }
    }

    /// A signed decimal integer (`-` allowed, no `+`, no spaces). `what` completes
    /// "expected ..." in the error message.
    #[inline(always)]
    pub(crate) fn int(&mut self, what: &str) -> Result<i64, BadField> {
        let start = self.begin_field()?;
        let negative = self.line.get(self.pos) == Some(&b'-');
        if negative {
            self.pos += 1;
        }
        let magnitude = self
            .digits()
            .ok_or_else(|| bad_text(self.line, start, self.column, what))?;
        let value = if negative {
            0i64.checked_sub_unsigned(magnitude)
        } else {
            i64::try_from(magnitude).ok()
        };
        let value = value.ok_or_else(|| bad_text(self.line, start, self.column, what))?;
        self.end_field(start, what)?;
        Ok(value)
    }

    /// A one-digit code from `codes` (such as LOBSTER's event types), the common case taken
    /// without the general integer parser; anything else goes to [`Self::int`] for its value
    /// or its error.
    #[inline(always)]
    pub(crate) fn small_code(
        &mut self,
        codes: std::ops::RangeInclusive<u8>,
        what: &str,
    ) -> Result<i64, BadField> {
        if !self.ended
            && let Some(&[digit, b',']) = self.line.get(self.pos..self.pos + 2)
            && codes.contains(&digit)
        {
            self.pos += 2;
            self.column += 1;
            return Ok(i64::from(digit - b'0'));
        }
        self.int(what)
    }

    /// The last field when it is exactly `1` or `-1` (LOBSTER's direction), taken without
    /// the general integer parser; anything else goes to [`Self::int`] for its value or its
    /// error.
    #[inline(always)]
    pub(crate) fn last_sign(&mut self, what: &str) -> Result<i64, BadField> {
        if !self.ended && self.column + 1 == self.expected {
            let rest = &self.line[self.pos..];
            let sign = match rest {
                b"1" => Some(1),
                b"-1" => Some(-1),
                _ => None,
            };
            if let Some(sign) = sign {
                self.pos = self.line.len();
                self.column += 1;
                self.ended = true;
                return Ok(sign);
            }
        }
        self.int(what)
    }

    /// An unsigned decimal integer.
    #[inline(always)]
    pub(crate) fn uint(&mut self, what: &str) -> Result<u64, BadField> {
        let start = self.begin_field()?;
        let value = self
            .digits()
            .ok_or_else(|| bad_text(self.line, start, self.column, what))?;
        self.end_field(start, what)?;
        Ok(value)
    }

    /// LOBSTER's time: seconds after midnight, optionally with 1 to 9 decimals, exactly.
    #[inline]
    pub(crate) fn time(&mut self) -> Result<Ts, BadField> {
        const WHAT: &str = "seconds after midnight with at most 9 decimals";
        let start = self.begin_field()?;
        let seconds = self
            .digits()
            .ok_or_else(|| bad_text(self.line, start, self.column, WHAT))?;
        let mut nanos: u64 = 0;
        if self.line.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            let word = load8(self.line, self.pos);
            let mut decimals = digit_run(word);
            if decimals == 0 {
                return Err(bad_text(self.line, start, self.column, WHAT));
            }
            nanos = parse_digits(word, decimals);
            self.pos += decimals;
            if decimals == 8 {
                if let Some(&b) = self.line.get(self.pos).filter(|b| b.is_ascii_digit()) {
                    nanos = nanos * 10 + u64::from(b - b'0');
                    self.pos += 1;
                    decimals = 9;
                }
                if self.line.get(self.pos).is_some_and(u8::is_ascii_digit) {
                    return Err(bad_text(self.line, start, self.column, WHAT));
                }
            }
            // Exact: at most 9 decimals, so this scales to nanoseconds without rounding.
            nanos *= POW10[9 - decimals];
        }
        let total = seconds
            .checked_mul(Ts::NANOS_PER_SEC as u64)
            .and_then(|n| n.checked_add(nanos))
            .and_then(|n| i64::try_from(n).ok())
            .ok_or_else(|| bad_text(self.line, start, self.column, WHAT))?;
        self.end_field(start, WHAT)?;
        Ok(Ts(total))
    }

    /// Checks that the line has no fields left over.
    #[inline(always)]
    pub(crate) fn finish(&self) -> Result<(), BadField> {
        if self.ended {
            return Ok(());
        }
        Err(extra_fields(self.line, self.pos, self.expected))
    }

    /// Starts a field, failing when the line has already ended.
    #[inline(always)]
    fn begin_field(&self) -> Result<usize, BadField> {
        if self.ended {
            return Err(missing_field(self.column, self.expected));
        }
        Ok(self.pos)
    }

    /// Ends a field: the next byte must be a comma (another field follows) or the line end.
    #[inline]
    fn end_field(&mut self, start: usize, what: &str) -> Result<(), BadField> {
        match self.line.get(self.pos) {
            None => self.ended = true,
            Some(b',') => self.pos += 1,
            Some(_) => return Err(bad_text(self.line, start, self.column, what)),
        }
        // A comma after the last expected field means extra fields; `finish` reports them.
        self.column += 1;
        Ok(())
    }

    /// One or more decimal digits as a `u64`, or `None` when there are none or they overflow.
    ///
    /// Eight bytes are examined at a time (see [`digit_run`] and [`parse_digits`]), so a
    /// number of up to 15 digits costs no data-dependent branch per digit.
    #[inline(always)]
    fn digits(&mut self) -> Option<u64> {
        let word = load8(self.line, self.pos);
        let run = digit_run(word);
        if run == 0 {
            return None;
        }
        let mut value = parse_digits(word, run);
        self.pos += run;
        if run < 8 {
            return Some(value);
        }
        let word = load8(self.line, self.pos);
        let run = digit_run(word);
        if run > 0 {
            // At most 15 digits so far: no overflow.
            value = value * POW10[run] + parse_digits(word, run);
            self.pos += run;
        }
        if run < 8 {
            return Some(value);
        }
        // Sixteen digits or more: the rest one by one, checked.
        while let Some(&b) = self.line.get(self.pos) {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                break;
            }
            value = value.checked_mul(10)?.checked_add(u64::from(digit))?;
            self.pos += 1;
        }
        Some(value)
    }
}

// The error constructors take plain values, not the cursor, so that the cursor's fields
// stay in registers on the hot path.

/// "expected `what`, got `<the field's text>`" for the field of `line` at `start`.
#[cold]
#[inline(never)]
fn bad_text(line: &[u8], start: usize, column: usize, what: &str) -> BadField {
    let rest = &line[start.min(line.len())..];
    let end = rest.iter().position(|&b| b == b',').unwrap_or(rest.len());
    BadField {
        column,
        reason: format!("expected {what}, got {}", quote(&rest[..end])),
    }
}

/// Column `column` is missing from a line that should have `expected`.
#[cold]
#[inline(never)]
fn missing_field(column: usize, expected: usize) -> BadField {
    BadField {
        column,
        reason: format!("missing: line has {column} fields, expected {expected}"),
    }
}

/// The line has more than `expected` fields; the extra ones start after `pos`.
#[cold]
#[inline(never)]
fn extra_fields(line: &[u8], pos: usize, expected: usize) -> BadField {
    let extra = line[pos.min(line.len())..]
        .iter()
        .filter(|&&b| b == b',')
        .count()
        + 1;
    BadField {
        column: expected - 1,
        reason: format!("line has {} fields, expected {expected}", expected + extra),
    }
}

/// `POW10[n]` is 10^n.
const POW10: [u64; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// Each byte `b'0'`.
const ASCII_ZEROS: u64 = 0x3030_3030_3030_3030;
/// Each byte `b`.
const fn repeat_byte(b: u8) -> u64 {
    u64::from_le_bytes([b; 8])
}

/// The eight bytes of `bytes` from `pos` as a little-endian word (the first byte lowest),
/// zero bytes past the end.
#[inline(always)]
fn load8(bytes: &[u8], pos: usize) -> u64 {
    match bytes.get(pos..pos + 8) {
        Some(chunk) => {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            u64::from_le_bytes(word)
        }
        None => {
            // Near the end of the line: assemble the word in a register (a short copy into
            // a stack array followed by an 8-byte load would stall store forwarding).
            let rest = bytes.get(pos..).unwrap_or_default();
            rest.iter()
                .rev()
                .fold(0u64, |word, &b| (word << 8) | u64::from(b))
        }
    }
}

/// How many of a word's bytes, from the first, are ASCII digits (0 to 8).
#[inline(always)]
fn digit_run(word: u64) -> usize {
    // `b ^ b'0'` is below 10 exactly for the digits. Adding 0x76 to the low seven bits
    // of each byte sets its high bit when the byte is 10 or more (no carry leaves a
    // byte); or-ing in the byte catches those that had the high bit already.
    let x = word ^ ASCII_ZEROS;
    let not_digit = (((x & repeat_byte(0x7F)) + repeat_byte(0x76)) | x) & repeat_byte(0x80);
    (not_digit.trailing_zeros() / 8) as usize
}

/// The value of the first `count` (1 to 8) bytes of `word`, which must be ASCII digits.
#[inline(always)]
fn parse_digits(word: u64, count: usize) -> u64 {
    debug_assert!((1..=8).contains(&count));
    // Move the digits to the top bytes and fill the bytes below with '0', so the word
    // holds eight digits, most significant first.
    let shift = 8 * (8 - count as u32);
    let padded = (word << shift) | (ASCII_ZEROS & ((1u64 << shift) - 1));
    // Combine neighbours: pairs of digits, then pairs of pairs, then the two halves. No
    // step overflows its lane (99 < 2^8, 9999 < 2^16, 99_999_999 < 2^32).
    let x = padded - ASCII_ZEROS;
    // Pairs: the low byte of each 16-bit lane becomes 10 × its first digit + its second
    // (below 100, so no carry; the high bytes hold garbage that the masks below drop).
    let x = x * 10 + (x >> 8);
    // The four pairs p0..p3 sit in bytes 0, 2, 4, 6. Multiplying p0 and p2 (bytes 0, 4) by
    // 100 + 10^6·2^32 and p1 and p3 (bytes 2, 6, shifted down) by 1 + 10^4·2^32 leaves
    // p0·10^6 + p1·10^4 + p2·100 + p3 in the high half (the low half, at most
    // 99·100 + 99, never carries into it); the products wrap past 64 bits by design.
    const PAIRS: u64 = 0x0000_00FF_0000_00FF;
    let high = (x & PAIRS).wrapping_mul(100 + (1_000_000 << 32));
    let low = ((x >> 16) & PAIRS).wrapping_mul(1 + (10_000 << 32));
    high.wrapping_add(low) >> 32
}

/// The position of the first `\n` in `bytes`, looking at eight bytes at a time.
#[inline]
pub(crate) fn find_newline(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        // Bytes equal to '\n' become zero; the classic zero-byte test marks the first
        // exactly (later marks may be false, so only the lowest is used).
        let x = u64::from_le_bytes(word) ^ repeat_byte(b'\n');
        let zero = x.wrapping_sub(repeat_byte(0x01)) & !x & repeat_byte(0x80);
        if zero != 0 {
            return Some(offset + (zero.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'\n')
        .map(|p| offset + p)
}

/// A field's text for an error message: Rust string syntax, cut at [`QUOTE_LIMIT`] bytes.
pub(crate) fn quote(bytes: &[u8]) -> String {
    let cut = bytes.len() > QUOTE_LIMIT;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(QUOTE_LIMIT)]);
    if cut {
        format!("{text:?}...")
    } else {
        format!("{text:?}")
    }
}

/// Strips a UTF-8 byte-order mark.
pub(crate) fn strip_bom(line: &[u8]) -> &[u8] {
    line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
}

/// True when a first line is meant as a header: it starts with a letter or a quote, which
/// no LOBSTER number does.
pub(crate) fn looks_like_header(line: &[u8]) -> bool {
    line.first()
        .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'"')
}

/// The columns of a header line, each lower-cased, without surrounding quotes and without
/// spaces, underscores or hyphens, so `"Order ID"`, `order_id` and `OrderId` all read
/// `orderid`.
pub(crate) fn header_columns(line: &[u8]) -> Vec<String> {
    line.split(|&b| b == b',')
        .map(|column| {
            String::from_utf8_lossy(column)
                .chars()
                .filter(|c| !matches!(c, ' ' | '_' | '-' | '"' | '\t'))
                .flat_map(char::to_lowercase)
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(text: &str) -> Result<Ts, BadField> {
        Fields::new(text.as_bytes(), 1).time()
    }

    #[test]
    fn times_are_exact_to_the_nanosecond_for_any_number_of_decimals() {
        assert_eq!(time("34200.004241176").unwrap(), Ts(34_200_004_241_176));
        assert_eq!(time("34200.00426064").unwrap(), Ts(34_200_004_260_640));
        assert_eq!(time("34200.01746").unwrap(), Ts(34_200_017_460_000));
        assert_eq!(time("34200.1").unwrap(), Ts(34_200_100_000_000));
        assert_eq!(time("57599").unwrap(), Ts(57_599_000_000_000));
        assert_eq!(time("0.000000001").unwrap(), Ts(1));
    }

    #[test]
    fn malformed_times_are_rejected_with_the_text() {
        for bad in [
            "34200.0042411761",
            "34200.",
            ".5",
            "-1.0",
            "3e4",
            "",
            "34200.5x",
            "99999999999",
        ] {
            let error = time(bad).expect_err(bad);
            assert!(
                error.reason.contains("seconds after midnight"),
                "{bad}: {error:?}"
            );
            assert!(
                error.reason.contains(&format!("{bad:?}")),
                "{bad}: {error:?}"
            );
        }
    }

    #[test]
    fn integers_take_the_full_signed_range_and_reject_overflow() {
        let mut f = Fields::new(b"-9223372036854775808,9223372036854775807", 2);
        assert_eq!(f.int("x").unwrap(), i64::MIN);
        assert_eq!(f.int("x").unwrap(), i64::MAX);
        assert!(f.finish().is_ok());
        assert!(Fields::new(b"9223372036854775808", 1).int("x").is_err());
        assert!(Fields::new(b"18446744073709551616", 1).uint("x").is_err());
        assert!(Fields::new(b"-", 1).int("x").is_err());
        assert!(Fields::new(b"+5", 1).int("x").is_err());
    }

    #[test]
    fn word_at_a_time_digit_parsing_agrees_with_the_standard_library() {
        for text in [
            "0",
            "7",
            "42",
            "123",
            "98765432",
            "123456789",
            "9999999999",
            "123456789012345",
            "1234567890123456",
            "18446744073709551615",
            "00000000000000000001",
        ] {
            let mut f = Fields::new(text.as_bytes(), 1);
            assert_eq!(f.uint("x").unwrap(), text.parse::<u64>().unwrap(), "{text}");
        }
        assert!(Fields::new(b"18446744073709551616", 1).uint("x").is_err());
        for (word, run) in [
            (&b"12345678"[..], 8),
            (b"1234,678", 4),
            (b",2345678", 0),
            (b"9/:0", 1),
        ] {
            assert_eq!(digit_run(load8(word, 0)), run, "{word:?}");
        }
        let text = b"no newline here, then\nthe next";
        assert_eq!(find_newline(text), text.iter().position(|&b| b == b'\n'));
        assert_eq!(find_newline(b"0123456789abcdef"), None);
        assert_eq!(find_newline(b"0123456789abcde\n"), Some(15));
    }

    #[test]
    fn field_counts_are_checked_both_ways() {
        let mut f = Fields::new(b"1,2", 3);
        f.int("x").unwrap();
        f.int("x").unwrap();
        let missing = f.int("x").unwrap_err();
        assert_eq!(missing.column, 2);
        assert!(
            missing.reason.contains("line has 2 fields, expected 3"),
            "{missing:?}"
        );

        let mut f = Fields::new(b"1,2,3,4", 2);
        f.int("x").unwrap();
        f.int("x").unwrap();
        let extra = f.finish().unwrap_err();
        assert_eq!(extra.column, 1);
        assert!(
            extra.reason.contains("line has 4 fields, expected 2"),
            "{extra:?}"
        );

        let mut f = Fields::new(b"1,", 1);
        f.int("x").unwrap();
        assert!(
            f.finish().is_err(),
            "a trailing comma is an extra, empty field"
        );
    }

    #[test]
    fn headers_normalise_case_spaces_and_quotes() {
        assert_eq!(
            header_columns(b"Time,\"Order ID\",order_id,BestAskVolume"),
            ["time", "orderid", "orderid", "bestaskvolume"]
        );
        assert!(looks_like_header(b"Time,Type"));
        assert!(!looks_like_header(b"34200.1,1"));
        assert_eq!(strip_bom(b"\xEF\xBB\xBFTime"), b"Time");
    }
}
