//! A streaming market-stress detector on the live book: spread blow-out, depth collapse and
//! trade-rate spikes — the footprints of a flash crash (Kirilenko, Kyle, Samadi & Tuzun,
//! 2017, on 6 May 2010: liquidity withdrawn from the book, spreads widening, a burst of
//! trading).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use shortfall_core::{BookView, MarketEvent, Side, Ts};

/// How stressed the market looks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StressLevel {
    /// No flag raised (or still warming up).
    #[default]
    Calm,
    /// One of spread blow-out, depth collapse or trade-rate spike.
    Elevated,
    /// Flash-crash conditions: at least two of the three flags, or one side of the book
    /// empty.
    Severe,
}

impl StressLevel {
    /// The level's name.
    pub fn as_str(self) -> &'static str {
        match self {
            StressLevel::Calm => "calm",
            StressLevel::Elevated => "elevated",
            StressLevel::Severe => "severe",
        }
    }
}

/// Which conditions were flagged on an event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct StressFlags {
    /// Spread ≥ `spread_blowout_ratio` × its baseline.
    pub spread_blowout: bool,
    /// Depth over the top N levels of either side ≤ `depth_collapse_ratio` × its baseline.
    pub depth_collapse: bool,
    /// Fast trade rate ≥ `trade_spike_ratio` × the slow one (and ≥ the minimum rate).
    pub trade_spike: bool,
    /// One side of the book is empty.
    pub one_sided: bool,
}

impl StressFlags {
    fn count(&self) -> usize {
        usize::from(self.spread_blowout)
            + usize::from(self.depth_collapse)
            + usize::from(self.trade_spike)
    }
}

/// What the detector saw on one event.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StressReading {
    /// The event's timestamp.
    pub ts: Ts,
    /// The overall level.
    pub level: StressLevel,
    /// The individual flags.
    pub flags: StressFlags,
    /// Spread / baseline spread (`None` without a two-sided book or baseline).
    pub spread_ratio: Option<f64>,
    /// Min over the two sides of depth / baseline depth (`None` before a baseline exists).
    pub depth_ratio: Option<f64>,
    /// Fast / slow trade rate (`None` before any trade).
    pub trade_rate_ratio: Option<f64>,
    /// False during warm-up, when no flag can be raised.
    pub warmed_up: bool,
}

/// Thresholds and time scales of a [`MarketStressDetector`] (serde, TOML-ready, every field
/// defaulted; see [`StressConfig::build`] for the checks).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StressConfig {
    /// N: levels per side summed for the depth. Default 5.
    pub depth_levels: usize,
    /// Half-life, in book-changing events, of the EW baselines of spread and depth.
    /// Default 2 000.
    pub baseline_halflife_events: f64,
    /// Book-changing events with a two-sided book before any flag may be raised (the
    /// baselines settle meanwhile). Default 1 000.
    pub warmup_events: u64,
    /// Spread blow-out threshold, as a multiple of the baseline spread (> 1). Default 4.
    pub spread_blowout_ratio: f64,
    /// Depth-collapse threshold, as a fraction of the baseline depth (0 < r < 1).
    /// Default 0.25.
    pub depth_collapse_ratio: f64,
    /// Time constant of the fast trade-rate estimate, seconds. Default 1.
    pub trade_rate_fast_secs: f64,
    /// Time constant of the slow (baseline) trade-rate estimate, seconds (> fast); also the
    /// trade-rate warm-up. Default 60.
    pub trade_rate_slow_secs: f64,
    /// Trade-rate spike threshold, fast/slow (> 1). Default 5.
    pub trade_spike_ratio: f64,
    /// A spike also needs the fast rate at or above this many trades per second, so that a
    /// couple of trades in a quiet market is not a spike. Default 5.
    pub min_spike_trades_per_sec: f64,
}

impl Default for StressConfig {
    fn default() -> Self {
        Self {
            depth_levels: 5,
            baseline_halflife_events: 2000.0,
            warmup_events: 1000,
            spread_blowout_ratio: 4.0,
            depth_collapse_ratio: 0.25,
            trade_rate_fast_secs: 1.0,
            trade_rate_slow_secs: 60.0,
            trade_spike_ratio: 5.0,
            min_spike_trades_per_sec: 5.0,
        }
    }
}

fn invalid(field: &'static str, value: impl ToString, reason: &str) -> Error {
    Error::InvalidSetting {
        what: "stress config",
        field,
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

impl StressConfig {
    /// Reads a configuration from TOML; fields left out keep their defaults.
    ///
    /// # Errors
    /// [`Error::ConfigToml`] for malformed TOML, unknown fields or wrong types.
    pub fn from_toml_str(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| Error::ConfigToml {
            reason: e.to_string(),
        })
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] naming the first field that is out of range or
    /// inconsistent with another: N = 0, a non-positive half-life, a blow-out ratio ≤ 1, a
    /// collapse ratio outside (0, 1), non-positive time constants or a slow constant not
    /// above the fast one, a spike ratio ≤ 1, a negative minimum rate.
    pub fn validate(&self) -> Result<()> {
        let finite_pos = |v: f64| v.is_finite() && v > 0.0;
        if self.depth_levels == 0 {
            return Err(invalid("depth_levels", 0, "must be >= 1"));
        }
        if !finite_pos(self.baseline_halflife_events) {
            return Err(invalid(
                "baseline_halflife_events",
                self.baseline_halflife_events,
                "must be finite and > 0",
            ));
        }
        if !(self.spread_blowout_ratio.is_finite() && self.spread_blowout_ratio > 1.0) {
            return Err(invalid(
                "spread_blowout_ratio",
                self.spread_blowout_ratio,
                "must be finite and > 1 (a multiple of the normal spread)",
            ));
        }
        if !(self.depth_collapse_ratio > 0.0 && self.depth_collapse_ratio < 1.0) {
            return Err(invalid(
                "depth_collapse_ratio",
                self.depth_collapse_ratio,
                "must be in (0, 1) (a fraction of the normal depth)",
            ));
        }
        if !finite_pos(self.trade_rate_fast_secs) {
            return Err(invalid(
                "trade_rate_fast_secs",
                self.trade_rate_fast_secs,
                "must be finite and > 0",
            ));
        }
        if !(self.trade_rate_slow_secs.is_finite()
            && self.trade_rate_slow_secs > self.trade_rate_fast_secs)
        {
            return Err(invalid(
                "trade_rate_slow_secs",
                self.trade_rate_slow_secs,
                &format!(
                    "must be finite and above trade_rate_fast_secs = {}",
                    self.trade_rate_fast_secs
                ),
            ));
        }
        if !(self.trade_spike_ratio.is_finite() && self.trade_spike_ratio > 1.0) {
            return Err(invalid(
                "trade_spike_ratio",
                self.trade_spike_ratio,
                "must be finite and > 1",
            ));
        }
        if !(self.min_spike_trades_per_sec.is_finite() && self.min_spike_trades_per_sec >= 0.0) {
            return Err(invalid(
                "min_spike_trades_per_sec",
                self.min_spike_trades_per_sec,
                "must be finite and >= 0",
            ));
        }
        Ok(())
    }

    /// Validates the settings and builds the detector.
    ///
    /// # Errors
    /// As [`StressConfig::validate`].
    pub fn build(self) -> Result<MarketStressDetector> {
        self.validate()?;
        let decay = 0.5_f64.powf(1.0 / self.baseline_halflife_events);
        Ok(MarketStressDetector {
            decay,
            spread: Baseline::default(),
            depth: [Baseline::default(), Baseline::default()],
            fast: TradeRate::new(self.trade_rate_fast_secs),
            slow: TradeRate::new(self.trade_rate_slow_secs),
            first_ts: None,
            last_ts: None,
            book_events: 0,
            snapshot_ts: None,
            config: self,
        })
    }
}

/// An exponentially weighted mean that starts as a plain running mean: weight
/// max(1/n, 1 − decay) on the n-th value, so early values are not biased towards 0.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Baseline {
    mean: f64,
    n: u64,
}

impl Baseline {
    fn value(&self) -> Option<f64> {
        (self.n > 0).then_some(self.mean)
    }

    fn update(&mut self, x: f64, decay: f64) {
        self.n += 1;
        let w = (1.0 / self.n as f64).max(1.0 - decay);
        self.mean += w * (x - self.mean);
    }
}

/// An EW intensity estimate: λ(t) = Σ_{trades i ≤ t} e^{−(t−tᵢ)/τ}/τ,
/// trades per second.
#[derive(Debug, Clone, Copy, PartialEq)]
struct TradeRate {
    tau_ns: f64,
    rate: f64,
    at: i64,
}

impl TradeRate {
    fn new(tau_secs: f64) -> Self {
        Self {
            tau_ns: tau_secs * 1e9,
            rate: 0.0,
            at: 0,
        }
    }

    fn advance(&mut self, ts: i64) {
        let dt = (ts - self.at) as f64;
        if dt > 0.0 {
            self.rate *= (-dt / self.tau_ns).exp();
        }
        self.at = ts;
    }

    fn add_trade(&mut self) {
        self.rate += 1e9 / self.tau_ns;
    }
}

/// The streaming market-stress detector. Feed it every market event together with the book
/// **after** that event; it answers on the same event.
///
/// # What it measures (O(1) per event: N levels per side and two exponentials)
/// - **Spread blow-out**: spread (ticks) ≥ `spread_blowout_ratio` × an EW baseline of the
///   spread.
/// - **Depth collapse**: for either side, the quantity on its best N levels ≤
///   `depth_collapse_ratio` × that side's EW baseline.
/// - **Trade-rate spike**: an EW trade intensity with a short time constant ≥
///   `trade_spike_ratio` × one with a long time constant, and ≥ `min_spike_trades_per_sec`
///   (trades are `Execute` and `Trade` events).
/// - **One-sided book**: a side with no levels at all.
///
/// Level: Severe with two or more of the first three flags or a one-sided book (flash-crash
/// conditions); Elevated with one; Calm otherwise.
///
/// # Baselines and warm-up
/// Spread and depth baselines are EW means in *book-changing event time* with half-life
/// `baseline_halflife_events`, starting as running means. Each event is compared with the
/// baselines *before* it is folded in, and the baselines are only updated while the
/// reading is Calm — a crash must not become its own baseline ([`MarketStressDetector::reset`]
/// re-learns them, e.g. after a lasting change of regime). No flag is raised during the
/// warm-up: the first `warmup_events` book-changing events with a two-sided book, and, for
/// the trade-rate flag, until `trade_rate_slow_secs` of event time have passed since the
/// first event.
///
/// # Snapshots
/// A [`MarketEvent::Clear`] starts a snapshot, and the events stamped with the same time
/// as the Clear are taken as the snapshot rebuilding the book (as the Binance reader emits
/// them): they raise no book-based flag and do not update the baselines — a half-built
/// book is not a crash. Scoring resumes with the first event of a later timestamp.
///
/// Deterministic: the reading depends only on the events, their timestamps and the books.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketStressDetector {
    config: StressConfig,
    decay: f64,
    spread: Baseline,
    depth: [Baseline; 2],
    fast: TradeRate,
    slow: TradeRate,
    first_ts: Option<i64>,
    last_ts: Option<i64>,
    book_events: u64,
    /// Timestamp of the last `Clear`, while the snapshot after it is being applied.
    snapshot_ts: Option<i64>,
}

impl MarketStressDetector {
    /// The configuration.
    pub fn config(&self) -> &StressConfig {
        &self.config
    }

    /// Whether the book-based flags are live (the warm-up is over).
    pub fn warmed_up(&self) -> bool {
        self.book_events >= self.config.warmup_events
    }

    /// Forgets the baselines and the trade rates and starts a new warm-up.
    pub fn reset(&mut self) {
        self.spread = Baseline::default();
        self.depth = [Baseline::default(), Baseline::default()];
        self.fast = TradeRate::new(self.config.trade_rate_fast_secs);
        self.slow = TradeRate::new(self.config.trade_rate_slow_secs);
        self.first_ts = None;
        self.last_ts = None;
        self.book_events = 0;
        self.snapshot_ts = None;
    }

    /// Scores one event, given the book after it.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when the event's timestamp is earlier than the previous
    /// event's (the state is then unchanged).
    pub fn on_event(&mut self, event: &MarketEvent, book: &impl BookView) -> Result<StressReading> {
        let ts = event.ts().0;
        if let Some(last) = self.last_ts
            && ts < last
        {
            return Err(Error::InvalidParameter {
                name: "event timestamp (ns)",
                value: ts as f64,
                allowed: "not earlier than the previous event's",
            });
        }
        self.last_ts = Some(ts);
        let first = *self.first_ts.get_or_insert(ts);
        self.fast.advance(ts);
        self.slow.advance(ts);
        if matches!(
            event,
            MarketEvent::Execute { .. } | MarketEvent::Trade { .. }
        ) {
            self.fast.add_trade();
            self.slow.add_trade();
        }
        let mut reading = StressReading {
            ts: event.ts(),
            ..StressReading::default()
        };
        // Trade-rate spike.
        if self.slow.rate > 0.0 {
            let ratio = self.fast.rate / self.slow.rate;
            reading.trade_rate_ratio = Some(ratio);
            let slow_ready = (ts - first) as f64 >= self.slow.tau_ns;
            reading.flags.trade_spike = slow_ready
                && ratio >= self.config.trade_spike_ratio
                && self.fast.rate >= self.config.min_spike_trades_per_sec;
        }
        // A Clear starts a snapshot; the events stamped with its time rebuild the book.
        if matches!(event, MarketEvent::Clear { .. }) {
            self.snapshot_ts = Some(ts);
        } else if self.snapshot_ts.is_some_and(|s| s != ts) {
            self.snapshot_ts = None;
        }
        if self.snapshot_ts.is_some() {
            reading.warmed_up = self.warmed_up();
            if !reading.warmed_up {
                reading.flags.trade_spike = false;
            }
            reading.level = if reading.flags.trade_spike {
                StressLevel::Elevated
            } else {
                StressLevel::Calm
            };
            return Ok(reading);
        }
        // Book measures.
        let n = self.config.depth_levels;
        let (bid, ask) = (book.best_bid(), book.best_ask());
        let depth = [
            book.depth(Side::Buy, n).0 as f64,
            book.depth(Side::Sell, n).0 as f64,
        ];
        let spread = match (bid, ask) {
            (Some(b), Some(a)) => Some((a.price.0 - b.price.0) as f64),
            _ => None,
        };
        reading.flags.one_sided = spread.is_none();
        if let (Some(s), Some(base)) = (spread, self.spread.value())
            && base > 0.0
        {
            reading.spread_ratio = Some(s / base);
        }
        let mut depth_ratio: Option<f64> = None;
        for (d, baseline) in depth.iter().zip(&self.depth) {
            if let Some(base) = baseline.value()
                && base > 0.0
            {
                let r = d / base;
                depth_ratio = Some(depth_ratio.map_or(r, |m| m.min(r)));
            }
        }
        reading.depth_ratio = depth_ratio;
        let live = self.warmed_up();
        reading.warmed_up = live;
        if live {
            reading.flags.spread_blowout = reading
                .spread_ratio
                .is_some_and(|r| r >= self.config.spread_blowout_ratio);
            reading.flags.depth_collapse =
                depth_ratio.is_some_and(|r| r <= self.config.depth_collapse_ratio);
        } else {
            reading.flags.one_sided = false;
            reading.flags.trade_spike = false;
        }
        reading.level = if reading.flags.one_sided || reading.flags.count() >= 2 {
            StressLevel::Severe
        } else if reading.flags.count() == 1 {
            StressLevel::Elevated
        } else {
            StressLevel::Calm
        };
        // Learn from calm, two-sided books only.
        if reading.level == StressLevel::Calm
            && event.changes_book()
            && let Some(s) = spread
        {
            self.spread.update(s, self.decay);
            self.depth[0].update(depth[0], self.decay);
            self.depth[1].update(depth[1], self.decay);
            self.book_events += 1;
        }
        Ok(reading)
    }
}
