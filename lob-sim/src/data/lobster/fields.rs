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
    #[inline]
    pub(crate) fn int(&mut self, what: &str) -> Result<i64, BadField> {
        let start = self.begin_field()?;
        let negative = self.line.get(self.pos) == Some(&b'-');
        if negative {
            self.pos += 1;
        }
        let magnitude = self.digits().ok_or_else(|| self.bad_text(start, what))?;
        let value = if negative {
            0i64.checked_sub_unsigned(magnitude)
        } else {
            i64::try_from(magnitude).ok()
        };
        let value = value.ok_or_else(|| self.bad_text(start, what))?;
        self.end_field(start, what)?;
        Ok(value)
    }

    /// An unsigned decimal integer.
    #[inline]
    pub(crate) fn uint(&mut self, what: &str) -> Result<u64, BadField> {
        let start = self.begin_field()?;
        let value = self.digits().ok_or_else(|| self.bad_text(start, what))?;
        self.end_field(start, what)?;
        Ok(value)
    }

    /// LOBSTER's time: seconds after midnight, optionally with 1 to 9 decimals, exactly.
    #[inline]
    pub(crate) fn time(&mut self) -> Result<Ts, BadField> {
        const WHAT: &str = "seconds after midnight with at most 9 decimals";
        let start = self.begin_field()?;
        let seconds = self.digits().ok_or_else(|| self.bad_text(start, WHAT))?;
        let mut nanos: u64 = 0;
        if self.line.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            let first = self.pos;
            while let Some(&b) = self.line.get(self.pos) {
                if !b.is_ascii_digit() {
                    break;
                }
                if self.pos - first == 9 {
                    return Err(self.bad_text(start, WHAT));
                }
                nanos = nanos * 10 + u64::from(b - b'0');
                self.pos += 1;
            }
            let decimals = self.pos - first;
            if decimals == 0 {
                return Err(self.bad_text(start, WHAT));
            }
            // Exact: at most 9 decimals, so this scales to nanoseconds without rounding.
            nanos *= 10u64.pow(9 - decimals as u32);
        }
        let total = seconds
            .checked_mul(Ts::NANOS_PER_SEC as u64)
            .and_then(|n| n.checked_add(nanos))
            .and_then(|n| i64::try_from(n).ok())
            .ok_or_else(|| self.bad_text(start, WHAT))?;
        self.end_field(start, WHAT)?;
        Ok(Ts(total))
    }

    /// Checks that the line has no fields left over.
    pub(crate) fn finish(&self) -> Result<(), BadField> {
        if self.ended {
            return Ok(());
        }
        let extra = self.line[self.pos..].iter().filter(|&&b| b == b',').count() + 1;
        Err(BadField {
            column: self.expected - 1,
            reason: format!(
                "line has {} fields, expected {}",
                self.expected + extra,
                self.expected
            ),
        })
    }

    /// Starts a field, failing when the line has already ended.
    #[inline]
    fn begin_field(&self) -> Result<usize, BadField> {
        if self.ended {
            return Err(BadField {
                column: self.column,
                reason: format!(
                    "missing: line has {} fields, expected {}",
                    self.column, self.expected
                ),
            });
        }
        Ok(self.pos)
    }

    /// Ends a field: the next byte must be a comma (another field follows) or the line end.
    #[inline]
    fn end_field(&mut self, start: usize, what: &str) -> Result<(), BadField> {
        match self.line.get(self.pos) {
            None => self.ended = true,
            Some(b',') => self.pos += 1,
            Some(_) => return Err(self.bad_text(start, what)),
        }
        // A comma after the last expected field means extra fields; `finish` reports them.
        self.column += 1;
        Ok(())
    }

    /// One or more decimal digits as a `u64`, or `None` when there are none or they overflow.
    #[inline]
    fn digits(&mut self) -> Option<u64> {
        let first = self.pos;
        let mut value: u64 = 0;
        while let Some(&b) = self.line.get(self.pos) {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                break;
            }
            value = value.checked_mul(10)?.checked_add(u64::from(digit))?;
            self.pos += 1;
        }
        (self.pos > first).then_some(value)
    }

    /// "expected `what`, got `<the field's text>`" for the field starting at `start`.
    #[cold]
    fn bad_text(&self, start: usize, what: &str) -> BadField {
        let rest = &self.line[start..];
        let end = rest.iter().position(|&b| b == b',').unwrap_or(rest.len());
        BadField {
            column: self.column,
            reason: format!("expected {what}, got {}", quote(&rest[..end])),
        }
    }
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
