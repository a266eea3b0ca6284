//! LOBSTER replay into an [`L3Book`], checked against LOBSTER's orderbook file.
//!
//! # Initial state
//! Row `k` of a LOBSTER orderbook file is the visible book *after* message `k`, so the book
//! before the first message is row 1 with message 1 undone. Its levels are seeded as one
//! *pre-existing* order per price level (LOBSTER does not say how a level splits into
//! orders). Later messages about ids the file never added are matched to these pre-existing
//! orders by side and price: a partial cancel, a deletion or an execution of an unknown id
//! at a seeded price reduces that level's pre-existing order. Every distinct unknown id is
//! counted.
//!
//! # Which levels the messages determine
//! A level-N file shows only the N best levels. If row 1 shows all N levels on a side, orders
//! may rest beyond the N-th price that no message will ever mention until they are
//! cancelled or executed; prices worse than that *frontier* are therefore not determined by
//! the messages, and a row's level there is not compared (it is counted as undetermined).
//! A side with fewer than N levels in row 1 was shown whole and is determined everywhere.
//! Inside the frontier the replayed book must equal LOBSTER's on every row; any difference
//! is a [`MismatchKind`] and counted.

use crate::book::{FeedMismatch, L3Book};
use crate::data::lobster::{LobsterBookRow, LobsterEventType, LobsterMessage};
use shortfall_core::{BookView, MarketEvent, OrderId, Price, PriceLevel, Qty, Side, Ts};
use std::collections::{HashMap, HashSet};

/// Ids of seeded pre-existing orders start here: far above LOBSTER's ids (which fit in 32
/// bits), so they cannot collide.
const PRE_EXISTING_ID_BASE: u64 = 1 << 62;

/// How one compared level differed from LOBSTER's.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum MismatchKind {
    /// Both books have the level at the same index but at different prices.
    Price,
    /// Same price, different quantity.
    Quantity,
    /// LOBSTER has a level that the replayed book lacks.
    MissingLevel,
    /// The replayed book has a level that LOBSTER lacks.
    ExtraLevel,
}

/// The first differing level of the first mismatched row, for diagnosis.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct LevelCheck {
    /// 1-based row (message) number.
    pub row: u64,
    /// Book side.
    pub side: Side,
    /// 0-based level index (0 is the touch).
    pub level: usize,
    /// What differed.
    pub kind: MismatchKind,
    /// LOBSTER's level, if any.
    pub lobster: Option<PriceLevel>,
    /// The replayed book's level, if any.
    pub ours: Option<PriceLevel>,
}

/// Counters of a LOBSTER replay.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LobsterReplayStats {
    /// Messages replayed.
    pub messages: u64,
    /// Pre-existing orders seeded from the first row (one per level).
    pub seeded_levels: u64,
    /// Messages by LOBSTER event type 1–7 (index 0 unused).
    pub by_type: [u64; 8],
    /// Messages that named an id the file never added.
    pub unknown_id_messages: u64,
    /// Distinct ids the file never added.
    pub unknown_ids: u64,
    /// Unknown-id messages matched to a seeded pre-existing order.
    pub unknown_matched_to_seed: u64,
    /// Unknown-id messages at prices beyond the frontier (orders deeper than the file's N
    /// levels at the start): no book change.
    pub unknown_beyond_frontier: u64,
    /// Unknown-id messages inside the frontier that no seeded order could absorb (would
    /// indicate inconsistent data).
    pub unknown_unexplained: u64,
    /// Feed events that did not fit the book (over-cancels, price mismatches, duplicates).
    pub feed_mismatches: u64,
    /// Rows compared with LOBSTER's orderbook file.
    pub rows_checked: u64,
    /// Rows whose determined levels all equal LOBSTER's.
    pub rows_matching: u64,
    /// Rows with at least one determined level that differs.
    pub rows_mismatched: u64,
    /// Rows equal to LOBSTER's on every level, determined or not.
    pub rows_equal_all_levels: u64,
    /// Levels compared (determined), both sides.
    pub levels_compared: u64,
    /// Levels not compared because they lie beyond the frontier.
    pub levels_undetermined: u64,
    /// Rows in which every level 1–5 of both sides (or all, for N < 5) was determined.
    pub rows_top5_determined: u64,
    /// Differing determined levels by kind: price, quantity, missing, extra.
    pub mismatches_by_kind: [u64; 4],
    /// The first differing level, if any.
    pub first_mismatch: Option<LevelCheck>,
}

/// Replays LOBSTER messages into an [`L3Book`].
///
/// ```
/// use shortfall_lob_sim::data::lobster::{LobsterReader, MessageReader, OrderbookReader, LobsterBookRow};
/// use shortfall_lob_sim::replay::LobsterReplay;
///
/// // A level-1 file: an ask of 100 rests before the file starts; a bid of 21 arrives,
/// // then 60 shares of the pre-existing ask (an id the file never added) are cancelled.
/// let messages = b"34200.1,1,11,21,2238100,1\n34200.2,2,99,60,2239500,-1\n";
/// let book = b"2239500,100,2238100,21\n2239500,40,2238100,21\n";
/// let mut reader = LobsterReader::new(
///     MessageReader::new(&messages[..], "m.csv"),
///     OrderbookReader::new(&book[..], "b.csv", 1)?,
/// );
/// let mut replay = LobsterReplay::new(1);
/// let mut row = LobsterBookRow::new(1);
/// while let Some(message) = reader.read_into(&mut row)? {
///     replay.process(&message, Some(&row));
/// }
/// let stats = replay.stats();
/// assert_eq!((stats.rows_checked, stats.rows_mismatched, stats.unknown_ids), (2, 0, 1));
/// # Ok::<(), shortfall_lob_sim::Error>(())
/// ```
#[derive(Debug)]
pub struct LobsterReplay {
    book: L3Book,
    depth: usize,
    initialised: bool,
    /// Seeded pre-existing order per (side, price).
    seeded: HashMap<(Side, Price), OrderId>,
    /// Worst price on each side (bid, ask) that the first row showed when it showed all N
    /// levels; `None` when the side was shown whole.
    frontier: [Option<Price>; 2],
    unknown: HashSet<OrderId>,
    stats: LobsterReplayStats,
}

fn side_index(side: Side) -> usize {
    match side {
        Side::Buy => 0,
        Side::Sell => 1,
    }
}

impl LobsterReplay {
    /// A replay of a level-`depth` file (LOBSTER's N).
    pub fn new(depth: usize) -> Self {
        Self {
            book: L3Book::with_capacity(4096, 256),
            depth: depth.max(1),
            initialised: false,
            seeded: HashMap::new(),
            frontier: [None, None],
            unknown: HashSet::new(),
            stats: LobsterReplayStats::default(),
        }
    }

    /// LOBSTER's N: the levels per side of the file being replayed.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The replayed book.
    pub fn book(&self) -> &L3Book {
        &self.book
    }

    /// The counters so far.
    pub fn stats(&self) -> &LobsterReplayStats {
        &self.stats
    }

    /// The determination frontier of `side` (see the module documentation), `None` when the
    /// whole side is determined.
    pub fn frontier(&self, side: Side) -> Option<Price> {
        self.frontier[side_index(side)]
    }

    /// True once the book has been initialised from a first row.
    pub fn is_initialised(&self) -> bool {
        self.initialised
    }

    /// Replays one message; `row` is LOBSTER's book after it. The first call needs the row
    /// to initialise the book (without one, the book starts empty and every side is taken
    /// as fully determined); later rows, when given, are compared.
    pub fn process(&mut self, message: &LobsterMessage, row: Option<&LobsterBookRow>) {
        if !self.initialised {
            if let Some(row) = row {
                self.initialise(message, row);
            }
            self.initialised = true;
        }
        self.apply_message(message);
        if let Some(row) = row {
            self.check(row);
        }
    }

    /// Seeds the book from the first row with the first message undone (see the module
    /// documentation). Called by [`LobsterReplay::process`]; public so that benchmarks can
    /// separate initialisation from replay.
    pub fn initialise(&mut self, first: &LobsterMessage, row: &LobsterBookRow) {
        self.initialised = true;
        for (side, levels) in [(Side::Buy, row.bids()), (Side::Sell, row.asks())] {
            let full = levels.len() >= row.depth();
            self.frontier[side_index(side)] = if full {
                levels.last().map(|l| l.price)
            } else {
                None
            };
            let mut pre: Vec<PriceLevel> = levels.to_vec();
            if first.direction == side {
                let inside = self.inside_frontier(side, first.price);
                match first.event_type {
                    LobsterEventType::Submission => {
                        if let Some(l) = pre.iter_mut().find(|l| l.price == first.price) {
                            l.qty = l.qty.saturating_sub(first.size);
                        }
                    }
                    LobsterEventType::Cancellation
                    | LobsterEventType::Deletion
                    | LobsterEventType::VisibleExecution
                        if inside =>
                    {
                        match pre.iter_mut().find(|l| l.price == first.price) {
                            Some(l) => l.qty += first.size,
                            None => pre.push(PriceLevel {
                                price: first.price,
                                qty: first.size,
                            }),
                        }
                    }
                    _ => {}
                }
            }
            for level in pre.into_iter().filter(|l| l.qty.is_positive()) {
                let id = OrderId(PRE_EXISTING_ID_BASE + self.stats.seeded_levels);
                self.stats.seeded_levels += 1;
                let seeded = self.book.apply(&MarketEvent::Add {
                    ts: Ts(first.time.0.saturating_sub(1)),
                    order_id: id,
                    side,
                    price: level.price,
                    qty: level.qty,
                });
                debug_assert!(seeded.is_ok(), "seeded ids are fresh and quantities positive");
                self.seeded.insert((side, level.price), id);
            }
        }
    }

    fn inside_frontier(&self, side: Side, price: Price) -> bool {
        match self.frontier[side_index(side)] {
            None => true,
            Some(f) => match side {
                Side::Buy => price >= f,
                Side::Sell => price <= f,
            },
        }
    }

    /// Applies one message to the book without comparing (the book-side hot path).
    #[inline]
    pub fn apply_message(&mut self, message: &LobsterMessage) {
        self.stats.messages += 1;
        self.stats.by_type[usize::from(message.event_type.code()).min(7)] += 1;
        let event = message.to_market_event();
        match self.book.apply(&event) {
            Ok(()) => {}
            Err(FeedMismatch::UnknownOrder { order_id }) => self.unknown_order(message, order_id),
            Err(_) => self.stats.feed_mismatches += 1,
        }
    }

    /// A cancel, deletion or execution of an id the file never added.
    #[cold]
    fn unknown_order(&mut self, message: &LobsterMessage, order_id: OrderId) {
        self.stats.unknown_id_messages += 1;
        if self.unknown.insert(order_id) {
            self.stats.unknown_ids += 1;
        }
        let side = message.direction;
        let Some(&seed) = self.seeded.get(&(side, message.price)) else {
            if self.inside_frontier(side, message.price) {
                self.stats.unknown_unexplained += 1;
            } else {
                self.stats.unknown_beyond_frontier += 1;
            }
            return;
        };
        self.stats.unknown_matched_to_seed += 1;
        let event = match message.event_type {
            LobsterEventType::VisibleExecution => MarketEvent::Execute {
                ts: message.time,
                order_id: seed,
                side,
                price: message.price,
                qty: message.size,
            },
            _ => MarketEvent::Cancel {
                ts: message.time,
                order_id: seed,
                qty: message.size,
            },
        };
        match self.book.apply(&event) {
            Ok(()) => {}
            Err(FeedMismatch::UnknownOrder { .. }) => {
                // The seeded order is already used up: more unknown quantity than the first
                // row showed at this price.
                self.seeded.remove(&(side, message.price));
                self.stats.unknown_unexplained += 1;
            }
            Err(_) => self.stats.feed_mismatches += 1,
        }
        if self.book.order(seed).is_none() {
            self.seeded.remove(&(side, message.price));
        }
    }

    /// Compares the book with LOBSTER's row on the determined levels.
    pub fn check(&mut self, row: &LobsterBookRow) {
        self.stats.rows_checked += 1;
        let row_number = self.stats.messages;
        let mut row_ok = true;
        let mut all_equal = true;
        let mut top5 = true;
        for (side, theirs) in [(Side::Buy, row.bids()), (Side::Sell, row.asks())] {
            for level in 0..row.depth() {
                let lobster = theirs.get(level).copied();
                let ours = self.book.level(side, level);
                if lobster != ours {
                    all_equal = false;
                }
                let determined = match lobster {
                    Some(l) => self.inside_frontier(side, l.price),
                    // LOBSTER shows fewer levels than this: the true side ends here, and
                    // the replayed book (a subset of it) must end too.
                    None => true,
                };
                if !determined {
                    self.stats.levels_undetermined += 1;
                    if level < 5 {
                        top5 = false;
                    }
                    continue;
                }
                self.stats.levels_compared += 1;
                let kind = match (lobster, ours) {
                    (Some(a), Some(b)) if a == b => continue,
                    (Some(a), Some(b)) if a.price == b.price => MismatchKind::Quantity,
                    (Some(_), Some(_)) => MismatchKind::Price,
                    (Some(_), None) => MismatchKind::MissingLevel,
                    (None, Some(_)) => MismatchKind::ExtraLevel,
                    (None, None) => continue,
                };
                row_ok = false;
                self.stats.mismatches_by_kind[kind as usize] += 1;
                if self.stats.first_mismatch.is_none() {
                    self.stats.first_mismatch = Some(LevelCheck {
                        row: row_number,
                        side,
                        level,
                        kind,
                        lobster,
                        ours,
                    });
                }
            }
        }
        if row_ok {
            self.stats.rows_matching += 1;
        } else {
            self.stats.rows_mismatched += 1;
        }
        if all_equal {
            self.stats.rows_equal_all_levels += 1;
        }
        if top5 {
            self.stats.rows_top5_determined += 1;
        }
    }

    /// Quantity of the seeded pre-existing order still resting at `price` on `side`.
    pub fn pre_existing_qty(&self, side: Side, price: Price) -> Qty {
        self.seeded
            .get(&(side, price))
            .and_then(|id| self.book.order(*id))
            .map_or(Qty::ZERO, |o| o.qty)
    }
}
