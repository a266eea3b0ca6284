//! The best-bid/offer check (synchronised book against `bookTicker`) and one-call replay of
//! a capture file.

use super::reader::{BinanceReader, ReaderCounts};
use super::record::{BinanceRecord, BookTicker};
use super::sync::{BookPoint, DepthSync, SyncCounters, SyncOptions};
use crate::book::L2Book;
use crate::book::l2::L2Error;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use shortfall_core::{BookView, Instrument, Price, Ts};
use std::collections::VecDeque;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The header of the BBO comparison CSV written by [`replay_capture`] and [`write_bbo_row`].
pub const BBO_CSV_HEADER: &str =
    "recv_ns,ticker_update_id,last_applied_depth_update_id,ticker_bid,ticker_ask,book_bid,book_ask";

/// One book ticker set against the synchronised book.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct BboRow {
    /// The ticker's receive time.
    pub recv_ns: Ts,
    /// The ticker's `u`.
    pub ticker_update_id: u64,
    /// The update id the book reflected when the row was made (`None`: not in sync).
    pub last_applied_depth_update_id: Option<u64>,
    /// The ticker's best bid.
    pub ticker_bid: Price,
    /// The ticker's best ask.
    pub ticker_ask: Price,
    /// The book's best bid.
    pub book_bid: Option<Price>,
    /// The book's best ask.
    pub book_ask: Option<Price>,
    /// The ticker and the book describe the same update id, so they must agree.
    pub comparable: bool,
    /// Best bid and ask prices agree.
    pub matches: bool,
    /// Best bid and ask quantities agree too (`B`/`A` against the book's touch sizes).
    pub qty_matches: bool,
    /// The book was crossed.
    pub book_crossed: bool,
}

/// Writes one row under [`BBO_CSV_HEADER`]: prices as exact decimals, absent values empty.
///
/// # Errors
/// The writer's I/O error.
pub fn write_bbo_row(
    out: &mut dyn Write,
    row: &BboRow,
    instrument: &Instrument,
) -> std::io::Result<()> {
    let price = |p: Option<Price>| p.map(|p| instrument.format_price(p)).unwrap_or_default();
    let applied = row
        .last_applied_depth_update_id
        .map(|u| u.to_string())
        .unwrap_or_default();
    writeln!(
        out,
        "{},{},{},{},{},{},{}",
        row.recv_ns.0,
        row.ticker_update_id,
        applied,
        price(Some(row.ticker_bid)),
        price(Some(row.ticker_ask)),
        price(row.book_bid),
        price(row.book_ask),
    )
}

/// Compares every book ticker with the synchronised book at the ticker's own update id.
///
/// In USD-M futures `bookTicker.u` and the diff-depth `U`/`u` are one sequence, so a ticker
/// whose `u` equals the `u` of an applied diff (or a snapshot's `lastUpdateId`) describes
/// exactly that book state: such a pair is *comparable* and must agree. The two streams
/// are published separately, and in captures the ticker is usually received *before* the
/// diff that ends at its id. So a ticker is not judged on arrival: it waits (in arrival
/// order, at most [`ReplayOptions::max_pending_tickers`]) until the book reaches or passes
/// its id, and is then compared with the book as it was at that id. A ticker whose id falls
/// strictly inside a diff's `U..u` range describes an intermediate state no diff shows; it is
/// reported with the book just before that diff and marked not comparable.
#[derive(Clone, Debug)]
pub struct BboCheck {
    pending: VecDeque<BookTicker>,
    ready: Vec<BboRow>,
    max_pending: usize,
    /// Rows made.
    pub rows: u64,
    /// Comparable rows.
    pub compared: u64,
    /// Comparable rows whose best bid and ask prices agree.
    pub matched: u64,
    /// Comparable rows whose best bid and ask quantities agree as well.
    pub qty_matched: u64,
    /// Comparable rows at which the book was crossed.
    pub crossed_at_compared: u64,
    /// Tickers judged early because too many were waiting.
    pub pending_overflows: u64,
}

impl BboCheck {
    /// A check holding at most `max_pending` tickers waiting for the book.
    pub fn new(max_pending: usize) -> Self {
        Self {
            pending: VecDeque::new(),
            ready: Vec::new(),
            max_pending: max_pending.max(1),
            rows: 0,
            compared: 0,
            matched: 0,
            qty_matched: 0,
            crossed_at_compared: 0,
            pending_overflows: 0,
        }
    }

    /// A ticker arrives; `at` is the update id the book reflects now.
    pub fn on_ticker(&mut self, ticker: BookTicker, book: &L2Book, at: Option<u64>) {
        if self.pending.len() >= self.max_pending
            && let Some(oldest) = self.pending.pop_front()
        {
            self.pending_overflows += 1;
            self.resolve(oldest, book, at);
        }
        self.pending.push_back(ticker);
        if let Some(at) = at {
            self.resolve_while(book, Some(at), |u| u <= at);
        }
    }

    /// The synchronised book reached `point` (pass this to `DepthSync::on_*_with`).
    pub fn observe(&mut self, point: BookPoint, book: &L2Book) {
        match point {
            BookPoint::BeforeUpdate { from, to } => self.resolve_while(book, from, |u| u < to),
            BookPoint::At { update_id } => {
                self.resolve_while(book, Some(update_id), |u| u <= update_id)
            }
            BookPoint::Cleared => {}
        }
    }

    /// Judges every waiting ticker against the book as it is (at the end of the input).
    pub fn finish(&mut self, book: &L2Book, at: Option<u64>) {
        while let Some(t) = self.pending.pop_front() {
            self.resolve(t, book, at);
        }
    }

    /// Takes the rows made since the last call, in ticker arrival order.
    pub fn take_rows(&mut self) -> std::vec::Drain<'_, BboRow> {
        self.ready.drain(..)
    }

    fn resolve_while(&mut self, book: &L2Book, at: Option<u64>, due: impl Fn(u64) -> bool) {
        while let Some(front) = self.pending.front() {
            if !due(front.update_id) {
                break;
            }
            if let Some(t) = self.pending.pop_front() {
                self.resolve(t, book, at);
            }
        }
    }

    fn resolve(&mut self, t: BookTicker, book: &L2Book, at: Option<u64>) {
        let bid = book.best_bid();
        let ask = book.best_ask();
        let comparable = at == Some(t.update_id);
        let matches = bid.map(|l| l.price) == Some(t.bid) && ask.map(|l| l.price) == Some(t.ask);
        let qty_matches = matches
            && bid.map(|l| l.qty) == Some(t.bid_qty)
            && ask.map(|l| l.qty) == Some(t.ask_qty);
        let book_crossed = book.is_crossed();
        self.rows += 1;
        if comparable {
            self.compared += 1;
            self.matched += u64::from(matches);
            self.qty_matched += u64::from(qty_matches);
            self.crossed_at_compared += u64::from(book_crossed);
        }
        self.ready.push(BboRow {
            recv_ns: t.recv_ns,
            ticker_update_id: t.update_id,
            last_applied_depth_update_id: at,
            ticker_bid: t.bid,
            ticker_ask: t.ask,
            book_bid: bid.map(|l| l.price),
            book_ask: ask.map(|l| l.price),
            comparable,
            matches,
            qty_matches,
            book_crossed,
        });
    }
}

/// Settings of a replay.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReplayOptions {
    /// Converts prices and quantities; messages of other symbols are skipped.
    /// Default: BTCUSDT, tick 0.1, lot 0.001.
    pub instrument: Instrument,
    /// Limits of the depth synchronisation.
    pub sync: SyncOptions,
    /// Book tickers that may wait for the book to reach their update id (default 65,536,
    /// several minutes of BTCUSDT tickers); beyond it the oldest is judged at once.
    pub max_pending_tickers: usize,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        Self {
            instrument: super::btcusdt(),
            sync: SyncOptions::default(),
            max_pending_tickers: 65_536,
        }
    }
}

/// What a replay did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BinanceReplayStats {
    /// Market events delivered: level updates and clears applied to the book, and trades.
    pub events: u64,
    /// Gaps in the diff chain (each clears the book until the next snapshot).
    pub gaps: u64,
    /// Book tickers comparable with the book (same update id).
    pub compared: u64,
    /// Comparable tickers whose best bid and ask prices equal the book's.
    pub matched: u64,
    /// Comparable tickers whose best bid and ask quantities equal the book's too.
    pub qty_matched: u64,
    /// Comparable points at which the book was crossed.
    pub crossed_at_compared: u64,
    /// BBO rows made (one per book ticker after the first snapshot).
    pub bbo_rows: u64,
    /// Tickers judged early because too many were waiting for the book.
    pub pending_ticker_overflows: u64,
    /// The update id the book reflects at the end.
    pub last_applied_update_id: Option<u64>,
    /// Wall-clock seconds the replay took.
    pub seconds: f64,
    /// Seconds of capture between the first and last receive times.
    pub capture_seconds: f64,
    /// What the reader saw.
    pub reader: ReaderCounts,
    /// What the synchronisation did.
    pub sync: SyncCounters,
}

impl BinanceReplayStats {
    /// `matched / compared`, when anything was compared.
    pub fn match_rate(&self) -> Option<f64> {
        (self.compared > 0).then(|| self.matched as f64 / self.compared as f64)
    }
}

/// A [`DepthSync`] and a [`BboCheck`] fed record by record.
///
/// ```
/// use shortfall_lob_sim::data::binance::{btcusdt, BinanceReader, BinanceReplay, ReplayOptions};
///
/// let capture = concat!(
///     r#"1 {"lastUpdateId":100,"bids":[["61800.2","2.909"]],"asks":[["61800.3","1.1"]]}"#, "\n",
///     r#"2 {"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":105,"s":"BTCUSDT","b":"61800.20","B":"2.000","a":"61800.30","A":"1.100","T":1,"E":1}}"#, "\n",
///     r#"3 {"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1,"T":1,"s":"BTCUSDT","U":99,"u":105,"pu":98,"b":[["61800.20","2.000"]],"a":[]}}"#, "\n",
/// );
/// let mut replay = BinanceReplay::new(&ReplayOptions::default());
/// for record in BinanceReader::new(capture.as_bytes(), "inline", btcusdt()) {
///     replay.on_record(record?)?;
/// }
/// replay.finish();
/// let rows: Vec<_> = replay.take_rows().collect();
/// // the ticker arrived before the diff with the same id, and was judged against it
/// assert!(rows[0].comparable && rows[0].matches && rows[0].qty_matches);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct BinanceReplay {
    sync: DepthSync,
    bbo: BboCheck,
    trades: u64,
    first_recv: Option<Ts>,
    last_recv: Option<Ts>,
}

impl BinanceReplay {
    /// A replay waiting for its first snapshot.
    pub fn new(options: &ReplayOptions) -> Self {
        Self {
            sync: DepthSync::new(options.sync),
            bbo: BboCheck::new(options.max_pending_tickers),
            trades: 0,
            first_recv: None,
            last_recv: None,
        }
    }

    /// The depth synchronisation (and through it the book).
    pub fn sync(&self) -> &DepthSync {
        &self.sync
    }

    /// The BBO check.
    pub fn bbo(&self) -> &BboCheck {
        &self.bbo
    }

    /// Processes one record. Book tickers received before the first snapshot are not
    /// checked (there is no book to check them against).
    ///
    /// # Errors
    /// [`L2Error::NegativeQty`] for a level with a negative quantity (the reader never
    /// produces one).
    pub fn on_record(&mut self, record: BinanceRecord) -> Result<(), L2Error> {
        let ts = record.recv_ns();
        self.first_recv.get_or_insert(ts);
        self.last_recv = Some(ts);
        let bbo = &mut self.bbo;
        match record {
            BinanceRecord::Snapshot(s) => {
                self.sync
                    .on_snapshot_with(&s, &mut |p, book| bbo.observe(p, book))?;
            }
            BinanceRecord::DepthUpdate(d) => {
                self.sync
                    .on_depth_with(d, &mut |p, book| bbo.observe(p, book))?;
            }
            BinanceRecord::Trade(_) => self.trades += 1,
            BinanceRecord::BookTicker(t) => {
                if self.sync.counters().snapshots > 0 {
                    bbo.on_ticker(t, self.sync.book(), self.sync.last_applied_update_id());
                }
            }
        }
        Ok(())
    }

    /// Judges the tickers still waiting (call at the end of the input).
    pub fn finish(&mut self) {
        self.bbo
            .finish(self.sync.book(), self.sync.last_applied_update_id());
    }

    /// Takes the BBO rows made since the last call, in ticker arrival order.
    pub fn take_rows(&mut self) -> std::vec::Drain<'_, BboRow> {
        self.bbo.take_rows()
    }

    /// The statistics so far (`seconds` is left at zero; [`replay_capture`] fills it).
    pub fn stats(&self, reader: ReaderCounts) -> BinanceReplayStats {
        let sync = *self.sync.counters();
        let capture_seconds = match (self.first_recv, self.last_recv) {
            (Some(a), Some(b)) => (b - a).as_secs_f64(),
            _ => 0.0,
        };
        BinanceReplayStats {
            events: sync.book_events + self.trades,
            gaps: sync.gaps,
            compared: self.bbo.compared,
            matched: self.bbo.matched,
            qty_matched: self.bbo.qty_matched,
            crossed_at_compared: self.bbo.crossed_at_compared,
            bbo_rows: self.bbo.rows,
            pending_ticker_overflows: self.bbo.pending_overflows,
            last_applied_update_id: self.sync.last_applied_update_id(),
            seconds: 0.0,
            capture_seconds,
            reader,
            sync,
        }
    }
}

/// Reads a capture file, synchronises the book, checks it against every book ticker after
/// the first snapshot, and writes the comparison as CSV (header [`BBO_CSV_HEADER`]) when
/// `bbo_writer` is given.
///
/// # Errors
/// The reader's errors ([`Error::Io`], [`Error::ReadAt`], [`Error::Malformed`] naming file,
/// line and field): the replay stops at the first. A failure writing the CSV is an
/// [`Error::Io`] whose path is `<bbo csv>`.
///
/// ```
/// use shortfall_lob_sim::data::binance::{replay_capture, ReplayOptions, BBO_CSV_HEADER};
///
/// let path = std::env::temp_dir().join(format!("doc-replay-{}.txt", std::process::id()));
/// std::fs::write(&path, concat!(
///     r#"1 {"lastUpdateId":100,"bids":[["61800.2","2.909"]],"asks":[["61800.3","1.1"]]}"#, "\n",
///     r#"2 {"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":100,"s":"BTCUSDT","b":"61800.20","B":"2.909","a":"61800.30","A":"1.100","T":1,"E":1}}"#, "\n",
/// ))?;
/// let mut csv = Vec::new();
/// let stats = replay_capture(&path, &ReplayOptions::default(), Some(&mut csv))?;
/// assert_eq!((stats.compared, stats.matched), (1, 1));
/// let text = String::from_utf8(csv)?;
/// assert_eq!(text, format!("{BBO_CSV_HEADER}\n2,100,100,61800.2,61800.3,61800.2,61800.3\n"));
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn replay_capture(
    path: impl AsRef<Path>,
    options: &ReplayOptions,
    bbo_writer: Option<&mut dyn Write>,
) -> Result<BinanceReplayStats> {
    let started = Instant::now();
    let path = path.as_ref();
    let mut reader = BinanceReader::open(path, options.instrument.clone())?;
    let mut replay = BinanceReplay::new(options);
    let mut out = bbo_writer.map(|w| BufWriter::with_capacity(1 << 16, w));
    let write_err = |source| Error::Io {
        path: PathBuf::from("<bbo csv>"),
        source,
    };
    if let Some(w) = out.as_mut() {
        writeln!(w, "{BBO_CSV_HEADER}").map_err(write_err)?;
    }
    let instrument = &options.instrument;
    let mut flush_rows = |replay: &mut BinanceReplay| -> Result<()> {
        for row in replay.take_rows() {
            if let Some(w) = out.as_mut() {
                write_bbo_row(w, &row, instrument).map_err(write_err)?;
            }
        }
        Ok(())
    };
    while let Some(record) = reader.next_record()? {
        let line = reader.counts().lines;
        replay.on_record(record).map_err(|e| Error::Malformed {
            path: path.to_path_buf(),
            line,
            field: "(levels)".into(),
            reason: e.to_string(),
        })?;
        flush_rows(&mut replay)?;
    }
    replay.finish();
    flush_rows(&mut replay)?;
    if let Some(mut w) = out {
        w.flush().map_err(write_err)?;
    }
    let mut stats = replay.stats(*reader.counts());
    stats.seconds = started.elapsed().as_secs_f64();
    Ok(stats)
}
