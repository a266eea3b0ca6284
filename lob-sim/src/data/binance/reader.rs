//! The streaming, line-by-line capture reader.

use super::json::{Parsed, parse_message};
use super::record::BinanceRecord;
use crate::{Error, Result};
use flate2::read::MultiGzDecoder;
use shortfall_core::{Instrument, Ts};
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// The longest line the reader accepts (bytes, without the newline). A 1,000-level REST
/// snapshot is about 42 KB; anything this long is not a capture line, and refusing it keeps
/// memory bounded on corrupt input.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// What the reader has seen so far.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct ReaderCounts {
    /// Lines read, including blank and skipped ones.
    pub lines: u64,
    /// Empty lines (skipped).
    pub blank_lines: u64,
    /// REST depth snapshots.
    pub snapshots: u64,
    /// Diff-depth messages.
    pub depth_updates: u64,
    /// Trades.
    pub trades: u64,
    /// Book tickers.
    pub book_tickers: u64,
    /// Messages of streams or events the reader does not read (`@aggTrade`, partial depth
    /// `@depth20`, `@markPrice`, ...): skipped, not errors.
    pub unknown_streams: u64,
    /// Messages whose symbol `s` is not the instrument's: skipped, not errors.
    pub other_symbols: u64,
}

/// Streams a Binance USD-M capture (`<recv ns> <JSON>` per line) as typed records.
///
/// Memory is bounded by the longest line ([`MAX_LINE_BYTES`]): the line buffer is reused
/// and nothing else is kept between records. Each call to [`BinanceReader::next_record`]
/// (or [`Iterator::next`]) returns the next record, skipping (and counting in
/// [`ReaderCounts`]) blank lines, unknown streams and other symbols.
///
/// After a malformed line the reader may be asked for the next line; after an I/O error
/// (e.g. a corrupt gzip stream) it ends.
///
/// ```no_run
/// use shortfall_lob_sim::data::binance::{btcusdt, BinanceReader, BinanceRecord};
///
/// let mut reader = BinanceReader::open("usdm_btcusdt_20240808.gz", btcusdt())?;
/// let mut trades = 0;
/// while let Some(record) = reader.next_record()? {
///     if let BinanceRecord::Trade(_) = record {
///         trades += 1;
///     }
/// }
/// println!("{trades} trades in {} lines", reader.counts().lines);
/// # Ok::<(), shortfall_lob_sim::Error>(())
/// ```
///
/// Reading from memory (the `path` only labels errors):
///
/// ```
/// use shortfall_lob_sim::data::binance::{btcusdt, BinanceReader, BinanceRecord};
/// use shortfall_core::Price;
///
/// let text = r#"1723161255088176367 {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161256322,"T":1723161256322,"s":"BTCUSDT","t":5266583935,"p":"61800.30","q":"0.006","X":"MARKET","m":false}}"#;
/// let mut reader = BinanceReader::new(text.as_bytes(), "inline", btcusdt());
/// match reader.next_record()? {
///     Some(BinanceRecord::Trade(t)) => assert_eq!(t.price, Price(618_003)),
///     other => panic!("expected a trade, got {other:?}"),
/// }
/// let bad = "17 {\"lastUpdateId\":1,\"bids\":[[\"abc\",\"1\"]],\"asks\":[]}";
/// let err = BinanceReader::new(bad.as_bytes(), "bad.gz", btcusdt()).next_record().unwrap_err();
/// assert!(err.to_string().starts_with("line 1 of bad.gz: field bids[0][0] (price)"), "{err}");
/// # Ok::<(), shortfall_lob_sim::Error>(())
/// ```
pub struct BinanceReader<R> {
    input: R,
    path: PathBuf,
    instrument: Instrument,
    buf: Vec<u8>,
    counts: ReaderCounts,
    finished: bool,
}

impl<R> fmt::Debug for BinanceReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BinanceReader")
            .field("path", &self.path)
            .field("instrument", &self.instrument)
            .field("counts", &self.counts)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl BinanceReader<Box<dyn BufRead + Send>> {
    /// Opens a capture file: gzip (one or more members, detected by the gzip magic bytes)
    /// or plain text.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be opened or its first bytes read.
    pub fn open(path: impl AsRef<Path>, instrument: Instrument) -> Result<Self> {
        let path = path.as_ref();
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = BufReader::new(File::open(path).map_err(io)?);
        let is_gzip = file.fill_buf().map_err(io)?.starts_with(&[0x1f, 0x8b]);
        let input: Box<dyn BufRead + Send> = if is_gzip {
            Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(file)))
        } else {
            Box::new(file)
        };
        Ok(Self::new(input, path, instrument))
    }
}

impl<R: Read> BinanceReader<BufReader<MultiGzDecoder<R>>> {
    /// A reader of gzip data from any byte source (`path` labels errors).
    pub fn from_gzip(input: R, path: impl Into<PathBuf>, instrument: Instrument) -> Self {
        Self::new(
            BufReader::with_capacity(1 << 16, MultiGzDecoder::new(input)),
            path,
            instrument,
        )
    }
}

impl<R: BufRead> BinanceReader<R> {
    /// A reader of uncompressed capture text (`path` labels errors).
    pub fn new(input: R, path: impl Into<PathBuf>, instrument: Instrument) -> Self {
        Self {
            input,
            path: path.into(),
            instrument,
            buf: Vec::with_capacity(1 << 16),
            counts: ReaderCounts::default(),
            finished: false,
        }
    }

    /// The file (or label) being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The instrument prices and quantities are converted with.
    pub fn instrument(&self) -> &Instrument {
        &self.instrument
    }

    /// What has been read so far.
    pub fn counts(&self) -> &ReaderCounts {
        &self.counts
    }

    /// The next record, or `None` at the end of the input.
    ///
    /// # Errors
    /// [`Error::ReadAt`] when the input cannot be read (e.g. corrupt gzip; the reader then
    /// ends), [`Error::Malformed`] naming the 1-based line and the field for a line that is
    /// not `<recv ns> <JSON>`, is not valid JSON, lacks a field, or has a price or quantity
    /// that is not a decimal on the instrument's grid.
    pub fn next_record(&mut self) -> Result<Option<BinanceRecord>> {
        loop {
            if self.finished {
                return Ok(None);
            }
            self.buf.clear();
            let line_no = self.counts.lines + 1;
            let read = (&mut self.input)
                .take(MAX_LINE_BYTES as u64 + 1)
                .read_until(b'\n', &mut self.buf);
            let n = match read {
                Ok(n) => n,
                Err(source) => {
                    self.finished = true;
                    return Err(Error::ReadAt {
                        path: self.path.clone(),
                        line: line_no,
                        source,
                    });
                }
            };
            if n == 0 {
                self.finished = true;
                return Ok(None);
            }
            self.counts.lines = line_no;
            if self.buf.last() != Some(&b'\n') && self.buf.len() > MAX_LINE_BYTES {
                self.skip_rest_of_line()?;
                return Err(self.malformed(
                    line_no,
                    "line",
                    format!("longer than {MAX_LINE_BYTES} bytes"),
                ));
            }
            match self.parse_buffered(line_no)? {
                Some(record) => return Ok(Some(record)),
                None => continue,
            }
        }
    }

    /// Discards input up to and including the next newline.
    fn skip_rest_of_line(&mut self) -> Result<()> {
        loop {
            let (done, used) = match self.input.fill_buf() {
                Ok([]) => (true, 0),
                Ok(chunk) => match chunk.iter().position(|&c| c == b'\n') {
                    Some(i) => (true, i + 1),
                    None => (false, chunk.len()),
                },
                Err(source) => {
                    self.finished = true;
                    return Err(Error::ReadAt {
                        path: self.path.clone(),
                        line: self.counts.lines,
                        source,
                    });
                }
            };
            self.input.consume(used);
            if done {
                return Ok(());
            }
        }
    }

    fn malformed(&self, line: u64, field: &str, reason: String) -> Error {
        Error::Malformed {
            path: self.path.clone(),
            line,
            field: field.to_owned(),
            reason,
        }
    }

    /// Parses the line in the buffer; `None` for a line that is skipped.
    fn parse_buffered(&mut self, line_no: u64) -> Result<Option<BinanceRecord>> {
        let mut bytes = self.buf.as_slice();
        while let [rest @ .., b'\n' | b'\r'] = bytes {
            bytes = rest;
        }
        if bytes.is_empty() {
            self.counts.blank_lines += 1;
            return Ok(None);
        }
        let space = match bytes.iter().position(|&c| c == b' ') {
            Some(i) if bytes[0] != b'{' => i,
            _ => {
                let found = if bytes[0] == b'{' {
                    "the line starts with `{`"
                } else {
                    "found no space"
                };
                let reason = format!("missing: expected `<receive ns> <JSON>`, {found}");
                return Err(self.malformed(line_no, "recv_ns", reason));
            }
        };
        let (ns_text, json) = (&bytes[..space], &bytes[space + 1..]);
        let recv_ns = parse_recv_ns(ns_text).ok_or_else(|| {
            let shown: String = String::from_utf8_lossy(ns_text).chars().take(40).collect();
            let reason = format!("expected a non-negative integer (ns), got {shown:?}");
            self.malformed(line_no, "recv_ns", reason)
        })?;
        let json = std::str::from_utf8(json)
            .map_err(|e| self.malformed(line_no, "(json)", format!("not UTF-8 text: {e}")))?;
        match parse_message(json, recv_ns, &self.instrument) {
            Ok(Parsed::Record(record)) => {
                let c = &mut self.counts;
                match record {
                    BinanceRecord::Snapshot(_) => c.snapshots += 1,
                    BinanceRecord::DepthUpdate(_) => c.depth_updates += 1,
                    BinanceRecord::Trade(_) => c.trades += 1,
                    BinanceRecord::BookTicker(_) => c.book_tickers += 1,
                }
                Ok(Some(record))
            }
            Ok(Parsed::UnknownStream) => {
                self.counts.unknown_streams += 1;
                Ok(None)
            }
            Ok(Parsed::OtherSymbol) => {
                self.counts.other_symbols += 1;
                Ok(None)
            }
            Err(e) => Err(self.malformed(line_no, &e.field, e.reason)),
        }
    }
}

/// Digits only, fitting `i64`.
fn parse_recv_ns(text: &[u8]) -> Option<Ts> {
    if text.is_empty() || text.len() > 19 {
        return None;
    }
    let mut v: i64 = 0;
    for &c in text {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(i64::from(c - b'0'))?;
    }
    Some(Ts(v))
}

impl<R: BufRead> Iterator for BinanceReader<R> {
    type Item = Result<BinanceRecord>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_record().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn btc() -> Instrument {
        Instrument::new("BTCUSDT", 0.1, 0.001).unwrap()
    }

    #[test]
    fn blank_lines_and_unknown_streams_are_counted_not_returned() {
        let text = "\n5 {\"stream\":\"btcusdt@aggTrade\",\"data\":{\"e\":\"aggTrade\"}}\r\n\
                    6 {\"lastUpdateId\":3,\"bids\":[],\"asks\":[[\"1.5\",\"0.002\"]]}\n";
        let mut r = BinanceReader::new(text.as_bytes(), "t", btc());
        let rec = r.next_record().unwrap().unwrap();
        assert_eq!(rec.recv_ns(), Ts(6));
        assert!(r.next_record().unwrap().is_none());
        let c = r.counts();
        assert_eq!(
            (c.lines, c.blank_lines, c.unknown_streams, c.snapshots),
            (3, 1, 1, 1)
        );
    }

    #[test]
    fn an_overlong_line_is_refused_and_reading_resumes_after_it() {
        let mut text = vec![b'1'; MAX_LINE_BYTES + 10];
        text.extend_from_slice(b"\n7 {\"lastUpdateId\":3,\"bids\":[],\"asks\":[]}\n");
        let mut r = BinanceReader::new(text.as_slice(), "t", btc());
        let e = r.next_record().unwrap_err();
        assert!(e.to_string().contains("line 1 of t: field line"), "{e}");
        assert_eq!(r.next_record().unwrap().unwrap().recv_ns(), Ts(7));
        assert_eq!(r.counts().lines, 2);
    }

    #[test]
    fn recv_ns_must_be_digits_that_fit() {
        assert_eq!(parse_recv_ns(b"123"), Some(Ts(123)));
        assert_eq!(parse_recv_ns(b"-1"), None);
        assert_eq!(parse_recv_ns(b"99999999999999999999"), None);
        assert_eq!(parse_recv_ns(b""), None);
    }
}
