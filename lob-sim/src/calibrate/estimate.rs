//! The single pass over a LOBSTER file pair that collects every estimate.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use shortfall_core::{Price, Side};

use super::*;
use crate::data::lobster::{
    LobsterBookRow, LobsterEventType, LobsterMessage, LobsterReader, MessageReader, OrderbookReader,
};
use crate::error::{Error, Result};
use crate::hawkes::{HawkesFit, fit, ks_exponential, time_rescaled_intervals};

/// Spreads at or above this many ticks are pooled in the reported distribution.
const SPREAD_TABLE_MAX: i64 = 100;

/// Opens `messages` and `orderbook` (of `opts.depth` levels) and calibrates from them.
///
/// # Errors
/// As [`calibrate`], and those of opening the files.
pub fn calibrate_files(
    messages: impl AsRef<Path>,
    orderbook: impl AsRef<Path>,
    opts: &CalibrationOptions,
) -> Result<Calibration> {
    let reader = LobsterReader::new(
        MessageReader::open(messages.as_ref())?,
        OrderbookReader::open(orderbook.as_ref(), opts.depth)?,
    );
    calibrate(
        reader,
        &messages.as_ref().display().to_string(),
        &orderbook.as_ref().display().to_string(),
        opts,
    )
}

/// Per-distance counts of limit submissions, buy and sell.
#[derive(Default)]
struct DistanceCounts {
    buy: BTreeMap<i64, u64>,
    sell: BTreeMap<i64, u64>,
}

impl DistanceCounts {
    fn add(&mut self, side: Side, d: i64) {
        let m = if side == Side::Buy {
            &mut self.buy
        } else {
            &mut self.sell
        };
        *m.entry(d).or_default() += 1;
    }
}

/// Queue-reactive accumulators at one exact queue size (shares).
#[derive(Default, Clone, Copy)]
struct QueueAcc {
    time: f64,
    limit: u64,
    cancel: u64,
    market: u64,
}

/// A market order being assembled from executions with one timestamp and resting side.
struct PendingMarketOrder {
    time_ns: i64,
    resting: Side,
    size: i64,
    /// The resting side's best queue before the first execution, if it was executed at the
    /// best (always, for level-1 data).
    queue_before: Option<i64>,
}

fn best(row: &LobsterBookRow, side: Side) -> Option<(Price, i64)> {
    let levels = if side == Side::Buy {
        row.bids()
    } else {
        row.asks()
    };
    levels.first().map(|l| (l.price, l.qty.0))
}

fn opposite(side: Side) -> Side {
    if side == Side::Buy {
        Side::Sell
    } else {
        Side::Buy
    }
}

struct Pass<'a> {
    opts: &'a CalibrationOptions,
    label: &'a str,
    book_label: &'a str,
    tick: i64,
    // exposures
    spread_time: BTreeMap<i64, f64>,
    two_sided_s: f64,
    one_sided_s: f64,
    crossed_s: f64,
    queue_share_s: f64,
    queue: BTreeMap<i64, QueueAcc>,
    spread_after_sum: f64,
    spread_after_n: u64,
    // events
    type_counts: [u64; 8],
    type_shares: [i64; 8],
    opp: DistanceCounts,
    same: DistanceCounts,
    beyond: u64,
    limit_sizes: Vec<i64>,
    limit_by_side: [u64; 2],
    cancels_at_best: u64,
    cancel_shares_at_best: i64,
    cancels_behind: u64,
    mo_sizes: Vec<i64>,
    mo_by_side: [u64; 2],
    exec_sizes: Vec<i64>,
    aes_sum: i64,
    aes_n: u64,
    pending: Option<PendingMarketOrder>,
    hawkes_events: Vec<(f64, usize)>,
    classified: u64,
    window_start_ns: i64,
}

impl Pass<'_> {
    /// `diff` in ticks; `row` is the 1-based row of the message file, or of the orderbook
    /// file when `in_book`.
    fn ticks(&self, diff: i64, row: u64, in_book: bool) -> Result<i64> {
        if diff % self.tick != 0 {
            let file = if in_book { self.book_label } else { self.label };
            return Err(Error::Inconsistent(format!(
                "row {row} of {file}: price difference {diff} is not a multiple of the tick {} \
                 (LOBSTER price units); pass the instrument's tick",
                self.tick
            )));
        }
        Ok(diff / self.tick)
    }

    /// Integrates the state `row` over `dt` seconds.
    fn expose(&mut self, row: &LobsterBookRow, dt: f64, row_no: u64) -> Result<()> {
        if dt <= 0.0 {
            return Ok(());
        }
        let (b, a) = (best(row, Side::Buy), best(row, Side::Sell));
        for (_, q) in [b, a].into_iter().flatten() {
            self.queue_share_s += q as f64 * dt;
            self.queue.entry(q).or_default().time += dt;
        }
        match (b, a) {
            (Some((bp, _)), Some((ap, _))) => {
                let s = self.ticks(ap.0 - bp.0, row_no, true)?;
                if s <= 0 {
                    self.crossed_s += dt;
                } else {
                    self.two_sided_s += dt;
                    *self.spread_time.entry(s).or_default() += dt;
                }
            }
            _ => self.one_sided_s += dt,
        }
        Ok(())
    }

    fn flush_market_order(&mut self) {
        let Some(mo) = self.pending.take() else {
            return;
        };
        let aggressor = opposite(mo.resting);
        let dim = usize::from(aggressor == Side::Sell);
        self.mo_by_side[dim] += 1;
        self.mo_sizes.push(mo.size);
        self.aes_sum += mo.size;
        self.aes_n += 1;
        if let Some(q) = mo.queue_before {
            self.queue.entry(q).or_default().market += 1;
        }
        let t = (mo.time_ns - self.window_start_ns) as f64 * 1e-9;
        self.hawkes_events.push((t, dim));
    }

    /// Classifies message `m` against the book `prev` it met.
    fn classify(&mut self, m: &LobsterMessage, prev: &LobsterBookRow, row_no: u64) -> Result<()> {
        let side = m.direction;
        let size = m.size.0;
        let same_best = best(prev, side);
        let opp_best = best(prev, opposite(side));
        if m.event_type != LobsterEventType::VisibleExecution {
            self.flush_market_order();
        }
        match m.event_type {
            LobsterEventType::Submission => {
                self.limit_sizes.push(size);
                self.limit_by_side[usize::from(side == Side::Sell)] += 1;
                let sign = if side == Side::Buy { 1 } else { -1 };
                let max = self.opts.max_distance_ticks;
                match opp_best {
                    Some((o, _)) => {
                        let d = self.ticks(sign * (o.0 - m.price.0), row_no, false)?;
                        if d.abs() <= max {
                            self.opp.add(side, d);
                        } else {
                            self.beyond += 1;
                        }
                    }
                    None => self.beyond += 1,
                }
                match same_best {
                    Some((b, q)) => {
                        let d = self.ticks(sign * (b.0 - m.price.0), row_no, false)?;
                        if d.abs() <= max {
                            self.same.add(side, d);
                        } else {
                            self.beyond += 1;
                        }
                        if d == 0 {
                            self.queue.entry(q).or_default().limit += 1;
                            self.aes_sum += size;
                            self.aes_n += 1;
                        }
                    }
                    None => self.beyond += 1,
                }
                let t = (m.time.0 - self.window_start_ns) as f64 * 1e-9;
                self.hawkes_events
                    .push((t, 2 + usize::from(side == Side::Sell)));
            }
            LobsterEventType::Cancellation | LobsterEventType::Deletion => match same_best {
                Some((b, q)) if b == m.price => {
                    self.cancels_at_best += 1;
                    self.cancel_shares_at_best += size;
                    self.queue.entry(q).or_default().cancel += 1;
                    self.aes_sum += size;
                    self.aes_n += 1;
                }
                _ => self.cancels_behind += 1,
            },
            LobsterEventType::VisibleExecution => {
                self.exec_sizes.push(size);
                let continues = self
                    .pending
                    .as_ref()
                    .is_some_and(|p| p.time_ns == m.time.0 && p.resting == side);
                if continues {
                    if let Some(p) = self.pending.as_mut() {
                        p.size += size;
                    }
                } else {
                    self.flush_market_order();
                    let queue_before = same_best.filter(|(b, _)| *b == m.price).map(|(_, q)| q);
                    self.pending = Some(PendingMarketOrder {
                        time_ns: m.time.0,
                        resting: side,
                        size,
                        queue_before,
                    });
                }
            }
            LobsterEventType::HiddenExecution
            | LobsterEventType::CrossTrade
            | LobsterEventType::TradingHalt => {}
        }
        Ok(())
    }
}

/// Calibrates from a paired LOBSTER reader; `messages_label` and `orderbook_label` name the
/// inputs in the report.
///
/// # Errors
/// The first error of the reader (a malformed line, or files of different lengths), a price
/// off the tick grid or timestamps that go back ([`Error::Inconsistent`]), and
/// [`Error::InvalidParameter`] for a tick ≤ 0, a window end before its start, or a window
/// with no time or no classified message. A Hawkes fit that fails is reported in the
/// calibration's notes, not as an error.
pub fn calibrate<M: BufRead, B: BufRead>(
    mut reader: LobsterReader<M, B>,
    messages_label: &str,
    orderbook_label: &str,
    opts: &CalibrationOptions,
) -> Result<Calibration> {
    let invalid = |what: &str, reason: String| Error::InvalidParameter {
        what: what.into(),
        reason,
    };
    if opts.tick <= 0 {
        return Err(invalid(
            "calibration.tick",
            format!("must be > 0, got {}", opts.tick),
        ));
    }
    if opts.max_distance_ticks < 0 || opts.qr_max_bin == 0 {
        return Err(invalid(
            "calibration.max_distance_ticks/qr_max_bin",
            format!(
                "need max_distance_ticks >= 0 and qr_max_bin >= 1, got {} and {}",
                opts.max_distance_ticks, opts.qr_max_bin
            ),
        ));
    }
    let to_ns = |s: f64| (s * 1e9).round() as i64;
    let start_ns = opts.session_start_s.map(to_ns);
    let end_ns = opts.session_end_s.map(to_ns);
    if let (Some(s), Some(e)) = (start_ns, end_ns)
        && e <= s
    {
        return Err(invalid(
            "calibration.session",
            format!("end {e} ns must be after start {s} ns"),
        ));
    }
    let mut pass = Pass {
        opts,
        label: messages_label,
        book_label: orderbook_label,
        tick: opts.tick,
        spread_time: BTreeMap::new(),
        two_sided_s: 0.0,
        one_sided_s: 0.0,
        crossed_s: 0.0,
        queue_share_s: 0.0,
        queue: BTreeMap::new(),
        spread_after_sum: 0.0,
        spread_after_n: 0,
        type_counts: [0; 8],
        type_shares: [0; 8],
        opp: DistanceCounts::default(),
        same: DistanceCounts::default(),
        beyond: 0,
        limit_sizes: Vec::new(),
        limit_by_side: [0; 2],
        cancels_at_best: 0,
        cancel_shares_at_best: 0,
        cancels_behind: 0,
        mo_sizes: Vec::new(),
        mo_by_side: [0; 2],
        exec_sizes: Vec::new(),
        aes_sum: 0,
        aes_n: 0,
        pending: None,
        hawkes_events: Vec::new(),
        classified: 0,
        window_start_ns: 0,
    };
    let mut prev = LobsterBookRow::new(opts.depth);
    let mut row = LobsterBookRow::new(opts.depth);
    let mut have_prev = false;
    let mut prev_ns = i64::MIN;
    // The window opens at the session start if a book is known then, else at the first
    // message inside the session.
    let mut window_open: Option<i64> = None;
    let mut last_ns = i64::MIN;
    let mut rows = 0_u64;
    while let Some(m) = reader.read_into(&mut row)? {
        rows += 1;
        let t = m.time.0;
        if t < prev_ns {
            return Err(Error::Inconsistent(format!(
                "row {rows} of {messages_label}: time {t} ns is before the previous row's {prev_ns} ns"
            )));
        }
        if start_ns.is_some_and(|s| t < s) {
            std::mem::swap(&mut prev, &mut row);
            have_prev = true;
            prev_ns = t;
            continue;
        }
        if end_ns.is_some_and(|e| t > e) {
            break;
        }
        if window_open.is_none() {
            let open = match (have_prev, start_ns) {
                (true, Some(s)) => s,
                _ => t,
            };
            window_open = Some(open);
            pass.window_start_ns = open;
            prev_ns = prev_ns.max(open);
        }
        if have_prev {
            pass.expose(&prev, (t - prev_ns) as f64 * 1e-9, rows - 1)?;
            pass.classify(&m, &prev, rows)?;
            pass.classified += 1;
            if let (Some((b, _)), Some((a, _))) = (best(&row, Side::Buy), best(&row, Side::Sell)) {
                let s = pass.ticks(a.0 - b.0, rows, true)?;
                if s > 0 {
                    pass.spread_after_sum += s as f64;
                    pass.spread_after_n += 1;
                }
            }
        }
        let code = usize::from(m.event_type.code());
        pass.type_counts[code] += 1;
        pass.type_shares[code] += m.size.0;
        std::mem::swap(&mut prev, &mut row);
        have_prev = true;
        prev_ns = t;
        last_ns = t;
    }
    pass.flush_market_order();
    let Some(open) = window_open else {
        return Err(invalid(
            "calibration.session",
            format!("no message of {messages_label} ({rows} rows) falls inside the session"),
        ));
    };
    let close = end_ns.unwrap_or(last_ns);
    if close > prev_ns {
        pass.expose(&prev, (close - prev_ns) as f64 * 1e-9, rows)?;
    }
    let duration = (close - open) as f64 * 1e-9;
    if duration <= 0.0 || pass.classified == 0 {
        return Err(invalid(
            "calibration.session",
            format!(
                "the window [{open}, {close}] ns of {messages_label} has no duration or no \
                 message with a known prior book"
            ),
        ));
    }
    Ok(finish(
        pass,
        rows,
        open,
        close,
        duration,
        messages_label,
        orderbook_label,
    ))
}

fn rate(count: u64, exposure: f64) -> Option<f64> {
    (exposure > 0.0).then(|| count as f64 / exposure)
}

fn distance_table(
    counts: &DistanceCounts,
    max: i64,
    duration: f64,
    visible: impl Fn(i64) -> f64,
) -> Vec<DistanceRate> {
    let lo = counts.buy.keys().chain(counts.sell.keys()).copied().min();
    let hi = counts.buy.keys().chain(counts.sell.keys()).copied().max();
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Vec::new();
    };
    (lo.max(-max)..=hi.min(max))
        .map(|d| {
            let b = counts.buy.get(&d).copied().unwrap_or(0);
            let s = counts.sell.get(&d).copied().unwrap_or(0);
            let v = visible(d);
            DistanceRate {
                distance_ticks: d,
                buy_count: b,
                sell_count: s,
                rate_per_s: (b + s) as f64 / duration,
                visible_s: v,
                buy_rate_visible_per_s: rate(b, v),
                sell_rate_visible_per_s: rate(s, v),
            }
        })
        .collect()
}

fn finish(
    p: Pass<'_>,
    rows: u64,
    open: i64,
    close: i64,
    duration: f64,
    messages_label: &str,
    orderbook_label: &str,
) -> Calibration {
    let opts = p.opts;
    // Time with spread ≥ d, for d ≥ 1; every price at opposite distance ≤ 0 crosses, and is
    // "visible" (could be submitted and recorded) the whole two-sided time.
    let spread_at_least = |d: i64| -> f64 {
        if d <= 1 {
            p.two_sided_s
        } else {
            p.spread_time.range(d..).map(|(_, t)| t).sum()
        }
    };
    let by_opposite = distance_table(&p.opp, opts.max_distance_ticks, duration, spread_at_least);
    // From the same best, the price is recorded when it is at or better than the best (d ≤ 0)
    // and not crossing (|d| < spread); behind the best only within the file's depth.
    let same_visible = |d: i64| -> f64 {
        if d <= 0 {
            spread_at_least(1 - d)
        } else {
            duration
        }
    };
    let by_same = distance_table(&p.same, opts.max_distance_ticks, duration, same_visible);

    // Time-weighted median spread: the smallest s with P(spread ≤ s) ≥ 1/2.
    let mut acc = 0.0;
    let mut median = 1;
    for (&s, &t) in &p.spread_time {
        acc += t;
        if acc >= 0.5 * p.two_sided_s {
            median = s;
            break;
        }
    }
    let visible_rates: Vec<f64> = by_opposite
        .iter()
        .filter(|r| (1..=median).contains(&r.distance_ticks))
        .filter_map(|r| Some(0.5 * (r.buy_rate_visible_per_s? + r.sell_rate_visible_per_s?)))
        .collect();
    let alpha = if visible_rates.is_empty() {
        0.0
    } else {
        visible_rates.iter().sum::<f64>() / median as f64
    };

    let limit_sizes = SizeDistribution::from_sizes(p.limit_sizes.clone());
    let market_sizes = SizeDistribution::from_sizes(p.mo_sizes.clone());
    let mean_limit = limit_sizes.mean;
    let cancels = CancelRates {
        events_at_best: p.cancels_at_best,
        shares_at_best: p.cancel_shares_at_best,
        events_behind_best: p.cancels_behind,
        queue_share_seconds: p.queue_share_s,
        mean_best_queue_shares: p.queue_share_s / (2.0 * duration),
        rate_per_share_per_s: p.cancels_at_best as f64 / p.queue_share_s,
        rate_per_resting_order_per_s: p.cancels_at_best as f64 * mean_limit / p.queue_share_s,
        volume_rate_per_share_per_s: p.cancel_shares_at_best as f64 / p.queue_share_s,
    };
    let mo_total = p.mo_by_side[0] + p.mo_by_side[1];
    let market_orders = MarketOrderRates {
        buy_count: p.mo_by_side[0],
        sell_count: p.mo_by_side[1],
        buy_per_s: p.mo_by_side[0] as f64 / duration,
        sell_per_s: p.mo_by_side[1] as f64 / duration,
        total_per_s: mo_total as f64 / duration,
        shares_per_s: market_sizes.total as f64 / duration,
    };
    let n_limit = p.limit_by_side[0] + p.limit_by_side[1];
    let zero_intelligence = ZeroIntelligence {
        limit_rate_per_s: n_limit as f64 / duration,
        limit_buy_per_s: p.limit_by_side[0] as f64 / duration,
        limit_sell_per_s: p.limit_by_side[1] as f64 / duration,
        alpha_per_tick_per_side: alpha,
        alpha_distances: median,
        by_opposite_distance: by_opposite,
        by_same_distance: by_same,
        beyond_table: p.beyond,
        market_orders,
        cancels,
        limit_sizes,
        market_sizes: market_sizes.clone(),
    };

    // Queue-reactive bins.
    let aes = if p.aes_n == 0 {
        f64::NAN
    } else {
        p.aes_sum as f64 / p.aes_n as f64
    };
    let nb = opts.qr_max_bin;
    let mut bins: Vec<QueueAcc> = vec![QueueAcc::default(); nb];
    if aes > 0.0 {
        for (&q, a) in &p.queue {
            let n = ((q as f64 / aes).ceil() as usize).clamp(1, nb);
            let b = &mut bins[n - 1];
            b.time += a.time;
            b.limit += a.limit;
            b.cancel += a.cancel;
            b.market += a.market;
        }
    }
    let queue_reactive = QueueReactive {
        aes_shares: aes,
        bins: bins
            .iter()
            .enumerate()
            .map(|(k, b)| QueueBin {
                queue_aes: k + 1,
                exposure_s: b.time,
                limit_count: b.limit,
                cancel_count: b.cancel,
                market_count: b.market,
                limit_rate_per_s: rate(b.limit, b.time),
                cancel_rate_per_s: rate(b.cancel, b.time),
                market_rate_per_s: rate(b.market, b.time),
            })
            .collect(),
    };

    // Hawkes fits.
    let (mut mo_fit, mut mo_note) = (None, None);
    if opts.hawkes_market_orders {
        let ev: Vec<(f64, usize)> = p
            .hawkes_events
            .iter()
            .copied()
            .filter(|e| e.1 < 2)
            .collect();
        match fit(&ev, 2, duration, &opts.hawkes_fit) {
            Ok(f) => mo_fit = Some(f),
            Err(e) => mo_note = Some(format!("fit failed: {e}")),
        }
    } else {
        mo_note = Some("not requested".into());
    }
    let (mut lm_fit, mut lm_note) = (None, None);
    if opts.hawkes_limit_and_market {
        match fit(&p.hawkes_events, 4, duration, &opts.hawkes_fit) {
            Ok(f) => lm_fit = Some(f),
            Err(e) => lm_note = Some(format!("fit failed: {e}")),
        }
    } else {
        lm_note = Some("not requested".into());
    }

    let names = [
        "",
        "submission",
        "cancellation (partial)",
        "deletion",
        "visible execution",
        "hidden execution",
        "cross trade",
        "trading halt",
    ];
    let events_by_type = (1..8)
        .map(|c| TypeRate {
            code: c as u8,
            name: names[c].into(),
            count: p.type_counts[c],
            rate_per_s: p.type_counts[c] as f64 / duration,
            shares: p.type_shares[c],
        })
        .collect();
    let tw_sum: f64 = p.spread_time.iter().map(|(&s, &t)| s as f64 * t).sum();
    let mut spread_distribution: Vec<SpreadShare> = Vec::new();
    for (&s, &t) in &p.spread_time {
        let ticks = s.min(SPREAD_TABLE_MAX);
        match spread_distribution.last_mut() {
            Some(last) if last.ticks == ticks => last.time_share += t / p.two_sided_s,
            _ => spread_distribution.push(SpreadShare {
                ticks,
                time_share: t / p.two_sided_s,
            }),
        }
    }
    let data = DataStats {
        mean_spread_ticks_time_weighted: tw_sum / p.two_sided_s,
        mean_spread_ticks_per_event: p.spread_after_sum / p.spread_after_n as f64,
        spread_distribution,
        one_sided_s: p.one_sided_s,
        crossed_s: p.crossed_s,
        events_by_type,
        market_orders_per_s: mo_total as f64 / duration,
        trade_sizes: market_sizes,
        execution_sizes: SizeDistribution::from_sizes(p.exec_sizes),
    };
    let ks = |f: &Option<HawkesFit>, events: &[(f64, usize)]| -> Option<f64> {
        let p = f.as_ref()?.params().ok()?;
        let pooled = time_rescaled_intervals(&p, events, duration).ok()?.concat();
        Some((pooled.len() as f64).sqrt() * ks_exponential(&pooled))
    };
    let mo_events: Vec<(f64, usize)> = p
        .hawkes_events
        .iter()
        .copied()
        .filter(|e| e.1 < 2)
        .collect();
    let mo_ks = ks(&mo_fit, &mo_events);
    let lm_ks = ks(&lm_fit, &p.hawkes_events);
    Calibration {
        source: SourceInfo {
            messages: messages_label.into(),
            orderbook: orderbook_label.into(),
            rows,
            classified_messages: p.classified,
            tick: opts.tick,
            window_start_s: open as f64 * 1e-9,
            window_end_s: close as f64 * 1e-9,
            duration_s: duration,
        },
        zero_intelligence,
        queue_reactive,
        hawkes: HawkesCalibration {
            market_orders: mo_fit,
            market_orders_note: mo_note,
            limit_and_market: lm_fit,
            limit_and_market_note: lm_note,
            market_orders_ks_sqrt_n: mo_ks,
            limit_and_market_ks_sqrt_n: lm_ks,
        },
        data,
    }
}
