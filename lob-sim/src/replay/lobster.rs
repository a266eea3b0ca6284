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
//! A level-N file shows only the N best levels, and the book beyond them is unknown:
//! orders may rest there that no message mentions until they are cancelled or executed,
//! and (in NASDAQ data) liquidity out of view can change without a message. So after
//! message `k` the replayed book is compared with row `k` only inside the *window* of
//! row `k − 1`: the prices at or better than its N-th level on a side that showed all N
//! levels (the whole side otherwise). Inside it every level must equal LOBSTER's, and
//! any difference is a [`MismatchKind`], counted. Levels that come into view from beyond
//! the window are not determined by the messages: the replay *learns* them from the row
//! (adding or removing pre-existing quantity at that price) and counts what it learned.
//! Learning happens when the next message is processed, so between calls
//! [`LobsterReplay::book`] is the book the messages alone produced.

use crate::book::{FeedMismatch, L3Book};
use crate::data::lobster::{LobsterBookRow, LobsterEventType, LobsterMessage};
use crate::hash::{IntMap, IntSet};
use shortfall_core::{BookView, MarketEvent, OrderId, Price, PriceLevel, Qty, Side, Ts};

/// Ids of pre-existing orders (seeded or learned) start here: far above LOBSTER's ids
/// (which fit in 32 bits), so they cannot collide.
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
    /// Messages by LOBSTER event type 1–7 (index 0 unused).
    pub by_type: [u64; 8],
    /// Pre-existing orders seeded from the first row (one per level).
    pub seeded_levels: u64,
    /// Messages that named an id the file never added.
    pub unknown_id_messages: u64,
    /// Distinct ids the file never added.
    pub unknown_ids: u64,
    /// Unknown-id messages absorbed by pre-existing (seeded or learned) quantity.
    pub unknown_absorbed: u64,
    /// Unknown-id messages outside the window with no pre-existing quantity at their price
    /// (orders deeper than the file's N levels): no book change.
    pub unknown_out_of_view: u64,
    /// Unknown-id messages inside the window that pre-existing quantity could not absorb.
    pub unknown_unexplained: u64,
    /// Cancels or executions of more than a known order had left (its quantity had been
    /// attributed to an unknown id); the excess was taken from the rest of the level.
    pub over_reductions: u64,
    /// Feed events that did not fit the book even so (duplicates, price mismatches,
    /// over-reductions the level could not absorb).
    pub feed_mismatches: u64,
    /// Rows compared with LOBSTER's orderbook file.
    pub rows_checked: u64,
    /// Rows whose determined levels all equal LOBSTER's.
    pub rows_matching: u64,
    /// Rows with at least one determined level that differs.
    pub rows_mismatched: u64,
    /// Rows with a determined level among levels 1–5 that differs.
    pub rows_mismatched_top5: u64,
    /// Rows equal to LOBSTER's on all N levels of both sides, determined or not, before
    /// anything is learned from them.
    pub rows_equal_all_levels: u64,
    /// Rows in which levels 1–5 of both sides (all levels, for N < 5) were determined.
    pub rows_top5_determined: u64,
    /// Determined levels compared, both sides.
    pub levels_compared: u64,
    /// Levels not compared because they came into view from beyond the window.
    pub levels_undetermined: u64,
    /// Price levels whose quantity was learned from a row (added or removed).
    pub levels_learned: u64,
    /// Quantity added by learning.
    pub learned_qty_added: i64,
    /// Quantity removed by learning.
    pub learned_qty_removed: i64,
    /// Quantity of orders the messages added that LOBSTER's book shows gone without a
    /// message: LOBSTER records only events inside the file's N levels, so an order
    /// cancelled while deeper leaves silently. Removed by learning (an order of exactly the
    /// missing size first, then the newest).
    pub removed_out_of_range_qty: i64,
    /// Quantity that unknown-id messages inside the window took from orders the messages
    /// added (swapped for the unknown order out of range).
    pub unknown_taken_from_known_qty: i64,
    /// Orders the file added that were removed whole by the two rules above.
    pub orders_removed_out_of_range: u64,
    /// Differing determined levels by kind: price, quantity, missing, extra.
    pub mismatches_by_kind: [u64; 4],
    /// The first differing determined level, if any.
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
    /// Pre-existing orders (seeded or learned) per (side, price), oldest first.
    hidden: IntMap<(Side, Price), Vec<OrderId>>,
    next_hidden: u64,
    /// Window of the previous row per side (bid, ask): its N-th price when it showed all
    /// N levels, `None` when it showed the whole side.
    window: [Option<Price>; 2],
    /// The window the previous row was checked in (levels outside it are learned).
    learned_window: [Option<Price>; 2],
    /// The previous row's levels (bid, ask), learned from when the next message comes.
    previous: [Vec<PriceLevel>; 2],
    /// Whether there is a previous row that differed from the book somewhere (a row equal
    /// on all levels teaches nothing).
    previous_to_learn: bool,
    /// Scratch list of prices to reconcile (kept to avoid an allocation per row).
    scratch_prices: Vec<Price>,
    unknown: IntSet<OrderId>,
    /// Scratch list of (order, remaining) at one level.
    scratch_queue: Vec<(OrderId, Qty)>,
    stats: LobsterReplayStats,
}

fn side_index(side: Side) -> usize {
    match side {
        Side::Buy => 0,
        Side::Sell => 1,
    }
}

/// Whether `price` is at or better than `bound` on `side` (`None`: no bound).
fn within(side: Side, price: Price, bound: Option<Price>) -> bool {
    match bound {
        None => true,
        Some(b) => match side {
            Side::Buy => price >= b,
            Side::Sell => price <= b,
        },
    }
}

/// The feed event that takes `qty` off order `id`: an execution or a cancel.
fn reduction(
    ts: Ts,
    id: OrderId,
    side: Side,
    price: Price,
    qty: Qty,
    execute: bool,
) -> MarketEvent {
    if execute {
        MarketEvent::Execute {
            ts,
            order_id: id,
            side,
            price,
            qty,
        }
    } else {
        MarketEvent::Cancel {
            ts,
            order_id: id,
            qty,
        }
    }
}

/// A row side's window: its last price when it shows all `depth` levels.
fn row_window(levels: &[PriceLevel], depth: usize) -> Option<Price> {
    if levels.len() >= depth {
        levels.last().map(|l| l.price)
    } else {
        None
    }
}

fn row_side(row: &LobsterBookRow, side: Side) -> &[PriceLevel] {
    match side {
        Side::Buy => row.bids(),
        Side::Sell => row.asks(),
    }
}

impl LobsterReplay {
    /// A replay of a level-`depth` file (LOBSTER's N; at least 1).
    pub fn new(depth: usize) -> Self {
        let depth = depth.max(1);
        Self {
            book: L3Book::with_capacity(4096, 256),
            depth,
            initialised: false,
            hidden: IntMap::default(),
            next_hidden: PRE_EXISTING_ID_BASE,
            window: [None, None],
            learned_window: [None, None],
            previous: [Vec::with_capacity(depth), Vec::with_capacity(depth)],
            previous_to_learn: false,
            scratch_prices: Vec::with_capacity(2 * depth + 8),
            unknown: IntSet::default(),
            scratch_queue: Vec::new(),
            stats: LobsterReplayStats::default(),
        }
    }

    /// LOBSTER's N: the levels per side of the file being replayed.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The replayed book: after [`LobsterReplay::process`], the book the messages produced
    /// from what was known before the last row (nothing has been learned from that row yet).
    pub fn book(&self) -> &L3Book {
        &self.book
    }

    /// The counters so far.
    pub fn stats(&self) -> &LobsterReplayStats {
        &self.stats
    }

    /// The window the last row was checked in on `side` (see the module documentation);
    /// `None` when the whole side was determined.
    pub fn window(&self, side: Side) -> Option<Price> {
        self.window[side_index(side)]
    }

    /// True once the book has been initialised.
    pub fn is_initialised(&self) -> bool {
        self.initialised
    }

    /// Replays one message; `row` is LOBSTER's book after it. The first call needs the row
    /// to initialise the book (without one, the book starts empty and every side is taken
    /// as determined); rows, when given, are compared and then learned from.
    pub fn process(&mut self, message: &LobsterMessage, row: Option<&LobsterBookRow>) {
        if !self.initialised {
            if let Some(row) = row {
                self.initialise(message, row);
            }
            self.initialised = true;
        } else if self.previous_to_learn {
            self.learn_from_previous();
        }
        self.apply_message(message);
        self.previous_to_learn = false;
        if let Some(row) = row {
            let equal = self.check(row);
            self.learned_window = self.window;
            // Only the windows need moving when the row equals the book everywhere.
            for side in [Side::Buy, Side::Sell] {
                self.window[side_index(side)] = row_window(row_side(row, side), row.depth());
            }
            if !equal {
                for side in [Side::Buy, Side::Sell] {
                    let kept = &mut self.previous[side_index(side)];
                    kept.clear();
                    kept.extend_from_slice(row_side(row, side));
                }
                self.previous_to_learn = true;
            }
        }
    }

    /// Applies now what the last row taught (see the module documentation) instead of at
    /// the next [`LobsterReplay::process`]; the book ends up the same either way, since
    /// nothing else happens in between. An overlay that acts on the book between messages
    /// (the agent replay of [`crate::replay::agent`]) calls it so that it acts on every
    /// level LOBSTER showed.
    pub fn learn_pending(&mut self) {
        if self.previous_to_learn {
            self.learn_from_previous();
            self.previous_to_learn = false;
        }
    }

    /// True for the ids this replay gives pre-existing orders (one per level seeded from the
    /// first row, and quantity learned from later rows); never true for a LOBSTER id.
    pub fn is_pre_existing(id: OrderId) -> bool {
        id.0 >= PRE_EXISTING_ID_BASE
    }

    /// Seeds the book from the first row with the first message undone (see the module
    /// documentation). Called by [`LobsterReplay::process`]; public so that benchmarks can
    /// separate initialisation from replay.
    pub fn initialise(&mut self, first: &LobsterMessage, row: &LobsterBookRow) {
        self.initialised = true;
        for side in [Side::Buy, Side::Sell] {
            let levels = row_side(row, side);
            let window = row_window(levels, row.depth());
            self.window[side_index(side)] = window;
            let mut pre: Vec<PriceLevel> = levels.to_vec();
            if first.direction == side {
                match first.event_type {
                    LobsterEventType::Submission => {
                        if let Some(l) = pre.iter_mut().find(|l| l.price == first.price) {
                            l.qty = l.qty.saturating_sub(first.size);
                        }
                    }
                    LobsterEventType::Cancellation
                    | LobsterEventType::Deletion
                    | LobsterEventType::VisibleExecution
                        if within(side, first.price, window) =>
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
                self.stats.seeded_levels += 1;
                self.add_hidden(side, level.price, level.qty, first.time);
            }
        }
    }

    /// Adds a pre-existing order of `qty` at `price`.
    fn add_hidden(&mut self, side: Side, price: Price, qty: Qty, ts: Ts) {
        let id = OrderId(self.next_hidden);
        self.next_hidden += 1;
        let added = self.book.apply(&MarketEvent::Add {
            ts,
            order_id: id,
            side,
            price,
            qty,
        });
        if added.is_ok() {
            self.hidden.entry((side, price)).or_default().push(id);
        }
    }

    /// Removes up to `qty` of pre-existing quantity at `price`, oldest first, as executions
    /// when `execute`; returns what could not be removed.
    fn remove_hidden(
        &mut self,
        side: Side,
        price: Price,
        mut qty: Qty,
        ts: Ts,
        execute: bool,
    ) -> Qty {
        let Some(ids) = self.hidden.get_mut(&(side, price)) else {
            return qty;
        };
        while qty.is_positive() && !ids.is_empty() {
            let id = ids[0];
            let Some(order) = self.book.order(id) else {
                ids.remove(0);
                continue;
            };
            let take = qty.min(order.qty);
            // `take` is positive and at most the order's remaining quantity.
            let _ = self
                .book
                .apply(&reduction(ts, id, side, price, take, execute));
            qty -= take;
            if take == order.qty {
                ids.remove(0);
            }
        }
        if ids.is_empty() {
            self.hidden.remove(&(side, price));
        }
        qty
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
            Err(FeedMismatch::QtyExceedsRemaining {
                event_qty,
                remaining,
                ..
            }) => self.over_reduction(message, event_qty - remaining),
            Err(_) => self.stats.feed_mismatches += 1,
        }
    }

    /// A cancel or execution of more than the order had left: the order's quantity was
    /// (wrongly) taken by an earlier unknown-id message, so the excess is taken from the
    /// rest of its level, pre-existing quantity first.
    #[cold]
    fn over_reduction(&mut self, message: &LobsterMessage, excess: Qty) {
        self.stats.over_reductions += 1;
        let side = message.direction;
        let execute = message.event_type == LobsterEventType::VisibleExecution;
        let left = self.remove_hidden(side, message.price, excess, message.time, execute);
        if left.is_positive() {
            let taken = self.remove_known(side, message.price, left, message.time, execute);
            if taken < left {
                self.stats.feed_mismatches += 1;
            }
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
        let execute = message.event_type == LobsterEventType::VisibleExecution;
        let left = self.remove_hidden(side, message.price, message.size, message.time, execute);
        let inside = within(side, message.price, self.window[side_index(side)]);
        if left == message.size && !inside {
            self.stats.unknown_out_of_view += 1;
            return;
        }
        if left.is_positive() && inside {
            // The quantity is visible, so it is in the book under another id: orders the
            // file added were swapped out of range for this one without messages.
            let taken = self.remove_known(side, message.price, left, message.time, execute);
            self.stats.unknown_taken_from_known_qty += taken.0;
            if taken == left {
                self.stats.unknown_absorbed += 1;
                return;
            }
        }
        if left.is_positive() {
            self.stats.unknown_unexplained += 1;
        } else {
            self.stats.unknown_absorbed += 1;
        }
    }

    /// Compares the book with LOBSTER's row on the determined levels; returns whether the
    /// book equals the row on all levels, determined or not.
    fn check(&mut self, row: &LobsterBookRow) -> bool {
        self.stats.rows_checked += 1;
        let row_number = self.stats.messages;
        let mut row_ok = true;
        let mut all_equal = true;
        let mut top5 = true;
        let mut top5_ok = true;
        for side in [Side::Buy, Side::Sell] {
            let theirs = row_side(row, side);
            let window = self.window[side_index(side)];
            for level in 0..row.depth() {
                let lobster = theirs.get(level).copied();
                let ours = self.book.level(side, level);
                if lobster != ours {
                    all_equal = false;
                }
                // A level is determined when LOBSTER's or ours lies in the window: both books
                // hold everything there, so either one's level must be the other's too.
                let determined = lobster.is_some_and(|l| within(side, l.price, window))
                    || ours.is_some_and(|o| within(side, o.price, window));
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
                    (None, None) => continue,
                    (Some(a), Some(b)) if a.price == b.price => MismatchKind::Quantity,
                    (Some(_), Some(_)) => MismatchKind::Price,
                    (Some(_), None) => MismatchKind::MissingLevel,
                    (None, Some(_)) => MismatchKind::ExtraLevel,
                };
                row_ok = false;
                if level < 5 {
                    top5_ok = false;
                }
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
                // After the first difference on a side, later levels are shifted copies of
                // it: one mismatch per side and row is counted.
                break;
            }
        }
        if row_ok {
            self.stats.rows_matching += 1;
        } else {
            self.stats.rows_mismatched += 1;
        }
        if !top5_ok {
            self.stats.rows_mismatched_top5 += 1;
        }
        if all_equal {
            self.stats.rows_equal_all_levels += 1;
        }
        if top5 {
            self.stats.rows_top5_determined += 1;
        }
        all_equal
    }

    /// Makes the book agree with the previous row on every visible level, through
    /// pre-existing quantity only, and moves the window to that row's.
    fn learn_from_previous(&mut self) {
        let previous = std::mem::take(&mut self.previous);
        let mut prices = std::mem::take(&mut self.scratch_prices);
        let ts = Ts::ZERO;
        for side in [Side::Buy, Side::Sell] {
            let theirs = &previous[side_index(side)];
            // `process` set the window from this row when it kept it.
            let visible = self.window[side_index(side)];
            // The window the row was checked in is the one before it: its levels outside
            // that window are learned, the others were counted as mismatches if they differ.
            let checked_in = self.learned_window[side_index(side)];
            // Prices to reconcile: LOBSTER's levels and ours inside the row's visible range.
            prices.clear();
            prices.extend(theirs.iter().map(|l| l.price));
            let mut i = 0;
            while let Some(l) = self.book.level(side, i) {
                if !within(side, l.price, visible) {
                    break;
                }
                if !prices.contains(&l.price) {
                    prices.push(l.price);
                }
                i += 1;
            }
            for &price in &prices {
                let want = theirs
                    .iter()
                    .find(|l| l.price == price)
                    .map_or(Qty::ZERO, |l| l.qty);
                let have = self.level_qty(side, price);
                if want == have {
                    continue;
                }
                if !within(side, price, checked_in) {
                    self.stats.levels_learned += 1;
                }
                if want > have {
                    self.stats.learned_qty_added += (want - have).0;
                    self.add_hidden(side, price, want - have, ts);
                } else {
                    // An order of exactly the missing size is the likeliest to have left.
                    let missing = have - want;
                    if let Some(exact) = self.book.queue(side, price).find(|o| o.qty == missing) {
                        let _ = self.book.apply(&MarketEvent::Delete {
                            ts,
                            order_id: exact.id,
                        });
                        if exact.id.0 >= PRE_EXISTING_ID_BASE {
                            self.stats.learned_qty_removed += missing.0;
                        } else {
                            self.stats.removed_out_of_range_qty += missing.0;
                            self.stats.orders_removed_out_of_range += 1;
                        }
                        continue;
                    }
                    let left = self.remove_hidden(side, price, have - want, ts, false);
                    self.stats.learned_qty_removed += (have - want - left).0;
                    if left.is_positive() {
                        let taken = self.remove_known(side, price, left, ts, false);
                        self.stats.removed_out_of_range_qty += taken.0;
                    }
                }
            }
        }
        self.scratch_prices = prices;
        self.previous = previous;
    }

    /// Removes up to `qty` at `price` from orders the messages added; returns what was
    /// removed. Executions take from the front of the queue (they trade first); otherwise
    /// an order of exactly that size is taken if there is one, then the newest first.
    fn remove_known(&mut self, side: Side, price: Price, qty: Qty, ts: Ts, execute: bool) -> Qty {
        let mut queue = std::mem::take(&mut self.scratch_queue);
        queue.clear();
        queue.extend(self.book.queue(side, price).map(|o| (o.id, o.qty)));
        if execute {
            queue.reverse();
        } else if let Some(pos) = queue.iter().rposition(|&(_, q)| q == qty) {
            let exact = queue.remove(pos);
            queue.push(exact);
        }
        let mut left = qty;
        while left.is_positive() {
            let Some((id, remaining)) = queue.pop() else {
                break;
            };
            let take = left.min(remaining);
            // `take` is positive and at most the order's remaining quantity.
            let _ = self
                .book
                .apply(&reduction(ts, id, side, price, take, execute));
            if take == remaining {
                self.stats.orders_removed_out_of_range += 1;
            }
            left -= take;
        }
        self.scratch_queue = queue;
        qty - left
    }

    fn level_qty(&self, side: Side, price: Price) -> Qty {
        let mut i = 0;
        while let Some(l) = self.book.level(side, i) {
            if l.price == price {
                return l.qty;
            }
            if !within(side, l.price, Some(price)) {
                break;
            }
            i += 1;
        }
        Qty::ZERO
    }
}
