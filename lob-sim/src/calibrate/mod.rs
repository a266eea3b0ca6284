//! Calibration of background order-flow models from a LOBSTER message file and its
//! orderbook file.
//!
//! [`calibrate`] (or [`calibrate_files`]) reads both files in one pass and returns a
//! [`Calibration`]: zero-intelligence parameters (Smith, Farmer, Gillemot & Krishnamurthy
//! 2003), queue-reactive intensities at the best quotes (Huang, Lehalle & Rosenbaum 2015),
//! Hawkes parameters of market-order (and optionally limit-order) arrivals by maximum
//! likelihood ([`crate::hawkes::fit`]), and the data statistics a simulator is later compared
//! with. [`Calibration::to_markdown`] writes the report.
//!
//! # Units (everything a simulator config needs)
//! - **Time**: seconds. Rates are events per second of the calibration window, the part of
//!   the session for which the book is known (see below). Hawkes times are seconds since the
//!   window start.
//! - **Price distances**: ticks of [`CalibrationOptions::tick`] LOBSTER price units (default
//!   100 = one cent, NASDAQ's tick; LOBSTER prices are dollars × 10 000).
//! - **Sizes**: shares.
//! - **Sides**: a LOBSTER execution (type 4) names the *resting* side; the market order's
//!   aggressor is the other side. "Buy market order" = an execution of resting sell orders.
//!
//! # What is measured and how
//! The book *before* message `k` is orderbook row `k − 1` (row `k` is the book after it), so
//! every message is classified against the book it met; the first message of the file has no
//! known prior book and is only counted in the per-type totals. Between messages the book is
//! constant, so time-weighted quantities integrate row `k − 1` over \[t_{k−1}, t_k).
//!
//! - **Limit orders** (type 1): distance in ticks from the *opposite* best (1 = one tick
//!   away from it: inside the spread if the spread is wider) and from the *same* best
//!   (0 = joins the best queue, −1 = improves it by a tick, +1 = one tick behind it). A level-1
//!   file records only messages that touch the best quotes, so submissions behind the best
//!   (same-side distance > 0) are absent from it, and a price at opposite-side distance `d` is
//!   visible only while the spread is ≥ `d`. The per-distance table therefore gives both the
//!   raw rate (count / window) and the rate while visible (count / time with spread ≥ d),
//!   which is the zero-intelligence α for that distance. The headline
//!   `alpha_per_tick_per_side` is the mean of the visible rates over distances 1..=D, averaged
//!   over both sides, D = the time-weighted median spread (distances visible at least half
//!   the time).
//! - **Market orders**: consecutive visible executions (type 4) with the same timestamp and
//!   resting side are one market order (one aggressive order walking the queue); its size is
//!   their sum. Hidden executions (type 5) and cross trades (type 6) are reported separately
//!   and are not market orders here.
//! - **Cancellations** (types 2 and 3) at the best price of their side: the rate *per resting
//!   share* is cancel events / ∫ Q_best dt over both sides (Q in shares); the rate per resting
//!   order counts a resting order as the mean limit-order size (level-1 books do not give the
//!   number of orders in a queue), and the volume rate is cancelled shares / ∫ Q_best dt.
//!   Smith et al. model cancellation as a constant rate δ per resting order of unit size: use
//!   `rate_per_resting_order_per_s` with orders of the mean size, or `rate_per_share_per_s`
//!   with unit-size orders.
//! - **Queue-reactive**: the queue at each best, Q, in units of the average event size (AES:
//!   the mean size of limit orders joining the best, cancellations at the best and market
//!   orders, both sides pooled), binned as n = ⌈Q / AES⌉ (last bin pools n ≥
//!   [`CalibrationOptions::qr_max_bin`]). For each bin: exposure = time either side's best
//!   queue spent in it (both sides add, the model being symmetric), and intensities = events
//!   that met a queue in that bin / exposure, for limit orders joining the queue, cancellations
//!   of it and market orders hitting it, as Huang, Lehalle & Rosenbaum (2015, §2.3) estimate
//!   λ^L(n), λ^C(n), λ^M(n). Submissions that improve the best (a new queue) are not part of
//!   λ^L; they are in the zero-intelligence table.
//! - **Hawkes**: 2-D buy/sell market-order times (dimension 0 = buy market orders, 1 = sell)
//!   and, if asked, 4-D with buy and sell limit submissions (2 = buy limits, 3 = sell limits).
//!   Baselines are constant over the window, so intraday seasonality inflates the branching
//!   ratio (a known bias of stationary Hawkes fits on a whole day).
//!
//! Pre-existing orders (resting before the file starts, ids it never added) and orders
//! deeper than the file's levels need no special care here: every measure uses the prices and
//! sizes in the messages and the queue sizes in the orderbook rows, never an order's history.
//!
//! # Errors
//! Bad input is an [`Error`](crate::Error): a malformed line of either file (passed on from
//! the readers, with the file and line), files of different lengths, a price off the tick
//! grid (`Error::Inconsistent` naming the row, the price and the tick), timestamps that go
//! back, or an empty window (`Error::InvalidParameter`).

mod estimate;
mod report;
mod sizes;
mod to_sim;

use serde::{Deserialize, Serialize};

use crate::hawkes::{BetaMode, FitOptions, HawkesFit};

pub use estimate::{calibrate, calibrate_files};
pub use sizes::{Quantile, SIZE_QUANTILE_PROBS, SizeDistribution};
pub use to_sim::{SimulatedStats, simulate_stats};

/// Options of [`calibrate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CalibrationOptions {
    /// The tick in LOBSTER price units (dollars × 10 000). Default 100 (one cent).
    pub tick: i64,
    /// Levels per side of the orderbook file (used by [`calibrate_files`]). Default 1.
    pub depth: usize,
    /// Window start, seconds after midnight; default: the first message.
    pub session_start_s: Option<f64>,
    /// Window end, seconds after midnight; default: the last message.
    pub session_end_s: Option<f64>,
    /// Limit-order distance tables cover −`max_distance_ticks`..=`max_distance_ticks`;
    /// orders farther away are counted in `beyond_table`. Default 50.
    pub max_distance_ticks: i64,
    /// The last queue-reactive bin pools queues of at least this many AES. Default 20.
    pub qr_max_bin: usize,
    /// Fit the 2-D Hawkes process of buy/sell market orders. Default true.
    pub hawkes_market_orders: bool,
    /// Fit the 4-D Hawkes process of market and limit orders (slower). Default false.
    pub hawkes_limit_and_market: bool,
    /// Options of the Hawkes fits. Default: per-target β, 4 starts.
    pub hawkes_fit: FitOptions,
}

impl Default for CalibrationOptions {
    fn default() -> Self {
        Self {
            tick: 100,
            depth: 1,
            session_start_s: None,
            session_end_s: None,
            max_distance_ticks: 50,
            qr_max_bin: 20,
            hawkes_market_orders: true,
            hawkes_limit_and_market: false,
            hawkes_fit: FitOptions {
                beta: BetaMode::PerTarget,
                ..FitOptions::default()
            },
        }
    }
}

/// Everything estimated from one LOBSTER file pair. See the [module docs](self) for units and
/// definitions.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    /// What was read.
    pub source: SourceInfo,
    /// Zero-intelligence (Smith et al. 2003) parameters.
    pub zero_intelligence: ZeroIntelligence,
    /// Queue-reactive (Huang, Lehalle & Rosenbaum 2015) intensities at the best.
    pub queue_reactive: QueueReactive,
    /// Hawkes fits.
    pub hawkes: HawkesCalibration,
    /// Statistics for comparison with simulated markets.
    pub data: DataStats,
}

/// The input and the calibration window.
#[derive(Debug, Clone, Serialize)]
pub struct SourceInfo {
    /// The message file (or the label of an in-memory reader).
    pub messages: String,
    /// The orderbook file.
    pub orderbook: String,
    /// Rows read from each file.
    pub rows: u64,
    /// Messages inside the window with a known prior book (classified).
    pub classified_messages: u64,
    /// Tick in LOBSTER price units.
    pub tick: i64,
    /// Window start, seconds after midnight.
    pub window_start_s: f64,
    /// Window end, seconds after midnight.
    pub window_end_s: f64,
    /// Window length in seconds: the denominator of every rate.
    pub duration_s: f64,
}

/// Limit-order arrivals at one price distance, by side.
#[derive(Debug, Clone, Serialize)]
pub struct DistanceRate {
    /// Distance in ticks (see [`ZeroIntelligence`] for the reference price and sign).
    pub distance_ticks: i64,
    /// Buy limit orders at this distance.
    pub buy_count: u64,
    /// Sell limit orders at this distance.
    pub sell_count: u64,
    /// (buy + sell) / window, per second.
    pub rate_per_s: f64,
    /// Time (s) during which a price at this distance was visible in the file (spread ≥
    /// distance, for distances from the opposite best; the whole window otherwise).
    pub visible_s: f64,
    /// Buy orders per second while visible (`None` when never visible).
    pub buy_rate_visible_per_s: Option<f64>,
    /// Sell orders per second while visible.
    pub sell_rate_visible_per_s: Option<f64>,
}

/// Market-order arrival and volume rates.
#[derive(Debug, Clone, Serialize)]
pub struct MarketOrderRates {
    /// Buy market orders (executing resting sells).
    pub buy_count: u64,
    /// Sell market orders.
    pub sell_count: u64,
    /// Buy market orders per second.
    pub buy_per_s: f64,
    /// Sell market orders per second.
    pub sell_per_s: f64,
    /// All market orders per second.
    pub total_per_s: f64,
    /// Shares executed by market orders per second (both sides).
    pub shares_per_s: f64,
}

/// Cancellations at the best quotes (types 2 and 3 at the best price of their side).
#[derive(Debug, Clone, Serialize)]
pub struct CancelRates {
    /// Cancel events at the best, both sides.
    pub events_at_best: u64,
    /// Shares they removed.
    pub shares_at_best: i64,
    /// Cancel events at prices behind the best (only in files of depth > 1).
    pub events_behind_best: u64,
    /// ∫ (Q_bid + Q_ask) dt over the window, share-seconds.
    pub queue_share_seconds: f64,
    /// Mean best-queue size per side, shares (time-weighted).
    pub mean_best_queue_shares: f64,
    /// Cancel events per resting share per second: events / ∫Q dt.
    pub rate_per_share_per_s: f64,
    /// Cancel events per resting order per second, an order being the mean limit-order size.
    pub rate_per_resting_order_per_s: f64,
    /// Cancelled shares per resting share per second.
    pub volume_rate_per_share_per_s: f64,
}

/// Zero-intelligence parameters (Smith, Farmer, Gillemot & Krishnamurthy 2003).
#[derive(Debug, Clone, Serialize)]
pub struct ZeroIntelligence {
    /// Limit orders per second, both sides.
    pub limit_rate_per_s: f64,
    /// Buy limit orders per second.
    pub limit_buy_per_s: f64,
    /// Sell limit orders per second.
    pub limit_sell_per_s: f64,
    /// The headline α: limit orders per second per tick per side (see the module docs).
    pub alpha_per_tick_per_side: f64,
    /// The D in the definition of `alpha_per_tick_per_side` (ticks).
    pub alpha_distances: i64,
    /// Arrivals by distance from the *opposite* best: d = (ask − price)/tick for buys,
    /// (price − bid)/tick for sells; 1 is one tick from the opposite quote, d ≤ 0 would cross.
    pub by_opposite_distance: Vec<DistanceRate>,
    /// Arrivals by distance from the *same* best: d = (bid − price)/tick for buys,
    /// (price − ask)/tick for sells; 0 joins the best, negative improves it, positive is behind.
    pub by_same_distance: Vec<DistanceRate>,
    /// Limit orders outside the distance tables, or with the reference side empty.
    pub beyond_table: u64,
    /// Market orders.
    pub market_orders: MarketOrderRates,
    /// Cancellations.
    pub cancels: CancelRates,
    /// Limit-order sizes (shares).
    pub limit_sizes: SizeDistribution,
    /// Market-order sizes (shares; grouped executions).
    pub market_sizes: SizeDistribution,
}

/// Queue-reactive intensities in one queue-size bin.
#[derive(Debug, Clone, Serialize)]
pub struct QueueBin {
    /// n = ⌈Q / AES⌉ (the last bin holds n ≥ this).
    pub queue_aes: usize,
    /// Time either best queue spent in the bin (s; both sides add).
    pub exposure_s: f64,
    /// Limit orders joining the queue.
    pub limit_count: u64,
    /// Cancellations at the queue.
    pub cancel_count: u64,
    /// Market orders hitting the queue.
    pub market_count: u64,
    /// λ^L(n) per second (`None` without exposure).
    pub limit_rate_per_s: Option<f64>,
    /// λ^C(n) per second.
    pub cancel_rate_per_s: Option<f64>,
    /// λ^M(n) per second.
    pub market_rate_per_s: Option<f64>,
}

/// Queue-reactive (Huang, Lehalle & Rosenbaum 2015) intensities at the best.
#[derive(Debug, Clone, Serialize)]
pub struct QueueReactive {
    /// The average event size (shares) used as the queue unit.
    pub aes_shares: f64,
    /// Bins n = 1..=qr_max_bin.
    pub bins: Vec<QueueBin>,
}

/// Hawkes fits of order arrivals (times in seconds since the window start).
#[derive(Debug, Clone, Serialize)]
pub struct HawkesCalibration {
    /// 2-D fit: dimension 0 = buy market orders, 1 = sell market orders.
    pub market_orders: Option<HawkesFit>,
    /// Why the 2-D fit is missing, if it is (not requested, or the fit's error).
    pub market_orders_note: Option<String>,
    /// 4-D fit: 0 = buy market, 1 = sell market, 2 = buy limit, 3 = sell limit.
    pub limit_and_market: Option<HawkesFit>,
    /// Why the 4-D fit is missing, if it is.
    pub limit_and_market_note: Option<String>,
    /// Goodness of fit of the 2-D fit: √n·D, the Kolmogorov–Smirnov statistic of the pooled
    /// time-rescaled intervals ([`time_rescaled_intervals`](crate::hawkes::time_rescaled_intervals))
    /// against Exp(1); above 1.95 the fit is rejected at the 0.1% level.
    pub market_orders_ks_sqrt_n: Option<f64>,
    /// The same for the 4-D fit.
    pub limit_and_market_ks_sqrt_n: Option<f64>,
}

/// Messages of one LOBSTER event type.
#[derive(Debug, Clone, Serialize)]
pub struct TypeRate {
    /// LOBSTER's code, 1–7.
    pub code: u8,
    /// The name of the type.
    pub name: String,
    /// Messages in the window.
    pub count: u64,
    /// Per second.
    pub rate_per_s: f64,
    /// Shares in their `Size` column.
    pub shares: i64,
}

/// Fraction of time at one spread.
#[derive(Debug, Clone, Serialize)]
pub struct SpreadShare {
    /// Spread in ticks.
    pub ticks: i64,
    /// Fraction of the two-sided time at this spread.
    pub time_share: f64,
}

/// Statistics a simulated market is compared with.
#[derive(Debug, Clone, Serialize)]
pub struct DataStats {
    /// Time-weighted mean spread (ticks) over the two-sided time.
    pub mean_spread_ticks_time_weighted: f64,
    /// Mean spread (ticks) over the books after each classified message.
    pub mean_spread_ticks_per_event: f64,
    /// Time-weighted spread distribution (spreads above 100 ticks pooled at 100).
    pub spread_distribution: Vec<SpreadShare>,
    /// Time with a side empty (s).
    pub one_sided_s: f64,
    /// Time with a locked or crossed book (s).
    pub crossed_s: f64,
    /// Messages by LOBSTER type.
    pub events_by_type: Vec<TypeRate>,
    /// Market orders per second (grouped executions).
    pub market_orders_per_s: f64,
    /// Trade sizes: market-order sizes (grouped), shares.
    pub trade_sizes: SizeDistribution,
    /// Sizes of individual visible executions (type 4), shares.
    pub execution_sizes: SizeDistribution,
}
