//! Splitting a `BufRead` into lines without copying a line that lies inside the reader's
//! buffer, and with a bound on how long a line may be.

use super::fields::{BadField, find_newline, looks_like_header, strip_bom};
use crate::{Error, Result};
use std::io::{self, BufRead, Read};
use std::path::Path;

/// The longest line either reader accepts, in bytes, not counting the line end.
///
/// A LOBSTER orderbook row takes at most 4 × 21 bytes per level, so this allows depths far
/// beyond anything LOBSTER produces while keeping a reader's memory bounded on a file that
/// is not line-oriented at all.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// One line: its 1-based number and its text without `\n` or `\r\n`.
pub(crate) struct Line<'a> {
    pub number: u64,
    pub text: &'a [u8],
}

/// Lines of a `BufRead`, borrowed from its buffer when a whole line is there, copied into a
/// reused buffer otherwise.
#[derive(Debug)]
pub(crate) struct LineReader<R> {
    inner: R,
    /// Holds a line that straddles the end of `inner`'s buffer.
    spill: Vec<u8>,
    /// Bytes of `inner`'s buffer that belong to the line last returned, to consume next time.
    pending: usize,
    /// Number of the line last returned (0 before the first).
    line: u64,
}

/// The lines of a LOBSTER file for its readers: a [`LineReader`] whose first read failure is
/// reported (naming the file and line) and ends the stream.
#[derive(Debug)]
pub(crate) struct DataLines<R> {
    lines: LineReader<R>,
    failed: bool,
}

impl<R: BufRead> DataLines<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self {
            lines: LineReader::new(inner),
            failed: false,
        }
    }

    /// Number of the line last returned (0 before the first).
    pub(crate) fn line(&self) -> u64 {
        self.lines.line()
    }

    /// The next line, or `None` at the end of the input or after a read failure, which is
    /// reported once as [`Error::ReadAt`] naming `label` and the line.
    #[inline]
    pub(crate) fn next_line(&mut self, label: &Path) -> Result<Option<Line<'_>>> {
        if self.failed {
            return Ok(None);
        }
        let line = self.lines.line() + 1;
        match self.lines.next_line() {
            Ok(next) => Ok(next),
            Err(source) => {
                self.failed = true;
                Err(Error::ReadAt {
                    path: label.to_owned(),
                    line,
                    source,
                })
            }
        }
    }
}

/// What a line of a LOBSTER file holds, once [`content`] has looked at it.
pub(crate) enum Content<'a> {
    /// A valid header row (line 1 only): skip it.
    Header,
    /// A data row's text.
    Data(&'a [u8]),
}

/// Classifies `line`: on line 1 (after a byte-order mark) text that starts like a header is
/// a header, checked by `check_header`; an empty line is an error (the reader has already
/// dropped an empty last line); anything else is data.
#[inline]
pub(crate) fn content<'a>(
    line: &Line<'a>,
    check_header: impl FnOnce(&[u8]) -> std::result::Result<(), BadField>,
) -> std::result::Result<Content<'a>, BadField> {
    let mut text = line.text;
    if line.number == 1 {
        text = strip_bom(text);
        if looks_like_header(text) {
            return check_header(text).map(|()| Content::Header);
        }
    }
    if text.is_empty() {
        return Err(BadField {
            column: 0,
            reason: "empty line (only the file's last line may be empty)".into(),
        });
    }
    Ok(Content::Data(text))
}

impl<R: BufRead> LineReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            spill: Vec::new(),
            pending: 0,
            line: 0,
        }
    }

    /// Number of the line last returned (0 before the first); an error from
    /// [`Self::next_line`] concerns line `self.line() + 1`.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// The next line, or `None` at the end of the input. A final empty line (the input ends
    /// in a line end followed by one more line end) counts as the end.
    ///
    /// Errors are those of the inner reader, and `InvalidData` for a line longer than
    /// [`MAX_LINE_BYTES`] (after which the reader is in the middle of that line).
    pub(crate) fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
        if self.pending > 0 {
            self.inner.consume(self.pending);
            self.pending = 0;
        }
        let newline = {
            let available = self.inner.fill_buf()?;
            if available.is_empty() {
                return Ok(None);
            }
            find_newline(available).map(|end| {
                let crlf = end > 0 && available[end - 1] == b'\r';
                (end, if crlf { end - 1 } else { end })
            })
        };
        let Some((end, text_len)) = newline else {
            // The line continues past the buffer: copy it out, up to the limit.
            self.spill.clear();
            let limit = MAX_LINE_BYTES as u64 + 2; // room for "\r\n"
            (&mut self.inner)
                .take(limit)
                .read_until(b'\n', &mut self.spill)?;
            if self.spill.last() == Some(&b'\n') {
                self.spill.pop();
            }
            if self.spill.last() == Some(&b'\r') {
                self.spill.pop();
            }
            if self.spill.len() > MAX_LINE_BYTES {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("line longer than {MAX_LINE_BYTES} bytes"),
                ));
            }
            if self.spill.is_empty() && self.inner.fill_buf()?.is_empty() {
                return Ok(None);
            }
            self.line += 1;
            return Ok(Some(Line {
                number: self.line,
                text: &self.spill,
            }));
        };
        if text_len > MAX_LINE_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("line longer than {MAX_LINE_BYTES} bytes"),
            ));
        }
        if text_len == 0 {
            // An empty line: the end of the input if nothing follows it.
            self.inner.consume(end + 1);
            if self.inner.fill_buf()?.is_empty() {
                return Ok(None);
            }
            self.line += 1;
            return Ok(Some(Line {
                number: self.line,
                text: &[],
            }));
        }
        self.pending = end + 1;
        self.line += 1;
        // `fill_buf` without a `consume` in between returns the same buffer (BufRead's
        // contract); a reader that breaks it gets an error, not a wrong line.
        let available = self.inner.fill_buf()?;
        match available.get(..text_len) {
            Some(text) => Ok(Some(Line {
                number: self.line,
                text,
            })),
            None => Err(io::Error::other(
                "the reader's buffer shrank between two fill_buf calls",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_lines(input: &[u8], capacity: usize) -> Vec<(u64, String)> {
        let mut reader = LineReader::new(io::BufReader::with_capacity(capacity, input));
        let mut out = Vec::new();
        while let Some(line) = reader.next_line().expect("in-memory reads cannot fail") {
            out.push((line.number, String::from_utf8_lossy(line.text).into_owned()));
        }
        out
    }

    #[test]
    fn line_ends_crlf_and_a_missing_final_newline_are_all_accepted() {
        for capacity in [1, 2, 3, 5, 64] {
            let lines = all_lines(b"ab\r\ncd\nef", capacity);
            let expected = [(1, "ab"), (2, "cd"), (3, "ef")].map(|(n, s)| (n, s.to_owned()));
            assert_eq!(lines, expected, "capacity {capacity}");
        }
    }

    #[test]
    fn one_final_empty_line_is_the_end_but_inner_empty_lines_are_returned() {
        for capacity in [1, 2, 64] {
            assert_eq!(
                all_lines(b"a\n\n", capacity).len(),
                1,
                "capacity {capacity}"
            );
            assert_eq!(all_lines(b"a\r\n\r\n", capacity).len(), 1);
            let lines = all_lines(b"a\n\nb\n", capacity);
            assert_eq!(lines[1], (2, String::new()));
            assert_eq!(lines[2], (3, "b".to_owned()));
            assert!(all_lines(b"", capacity).is_empty());
            assert!(all_lines(b"\n", capacity).is_empty());
        }
    }

    #[test]
    fn a_line_over_the_limit_is_an_error_not_an_allocation_without_bound() {
        let long = vec![b'7'; MAX_LINE_BYTES + 10];
        for capacity in [8192, MAX_LINE_BYTES * 2] {
            let mut reader = LineReader::new(io::BufReader::with_capacity(capacity, &long[..]));
            let error = reader.next_line().err().expect("the line is too long");
            assert_eq!(error.kind(), io::ErrorKind::InvalidData);
            assert_eq!(reader.line(), 0);
        }
    }
}
