//! Features of the mid-price path and of the clock: realised volatility, range-based
//! volatility on bars, lagged returns and time of day.
//!
//! Returns are log returns of the carried mid (see [`Observation`]), reported in basis
//! points (`10⁴ ·`).

use crate::extractor::FeatureExtractor;
use crate::observation::Observation;
use crate::window::{DecayedSum, Window, trim};

/// `realized_vol_bps_{w}`: `10⁴ · √(Σ βᵏ rₙ₋ₖ²)`, the square root of the decayed sum of
/// squared log returns of the mid over a window (realised variance, Andersen & Bollerslev
/// 1998, "Answering the skeptics", International Economic Review 39(4), with exponential
/// weights instead of a fixed interval). It is a *sum* (not a mean) over an effective
/// `h / ln 2` steps; updates that leave the mid unchanged add 0.
#[derive(Clone, Debug)]
pub struct RealizedVolatility {
    sums: Vec<DecayedSum>,
}

impl RealizedVolatility {
    /// Over each of `windows` (non-empty).
    pub fn new(windows: &[Window]) -> Self {
        Self {
            sums: windows.iter().map(|&w| DecayedSum::new(w)).collect(),
        }
    }
}

impl FeatureExtractor for RealizedVolatility {
    fn width(&self) -> usize {
        self.sums.len()
    }
    fn names(&self) -> Vec<String> {
        self.sums
            .iter()
            .map(|s| format!("realized_vol_bps_{}", s.window().label()))
            .collect()
    }
    #[inline]
    fn update(&mut self, obs: &Observation<'_>, out: &mut [f64]) {
        let r2 = obs.log_return * obs.log_return;
        for (k, s) in self.sums.iter_mut().enumerate() {
            out[k] = 1e4 * s.update(obs.ts, r2).max(0.0).sqrt();
        }
    }
    fn reset(&mut self) {
        self.sums.iter_mut().for_each(DecayedSum::reset);
    }
}

/// Per-bar variance estimators from open, high, low and close log prices.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct BarVariance {
    /// Parkinson (1980, "The extreme value method for estimating the variance of the rate
    /// of return", J. Business 53(1)): `(ln H/L)² / (4 ln 2)`.
    pub parkinson: f64,
    /// Garman & Klass (1980, "On the estimation of security price volatilities from
    /// historical data", J. Business 53(1), their estimator σ̂₅ without the opening jump):
    /// `½ (ln H/L)² − (2 ln 2 − 1)(ln C/O)²`, never negative since `|ln C/O| ≤ ln H/L`.
    pub garman_klass: f64,
}

impl BarVariance {
    /// The estimators of one bar from its log open, high, low and close.
    pub fn from_log_ohlc(open: f64, high: f64, low: f64, close: f64) -> Self {
        let hl = high - low;
        let co = close - open;
        let ln2 = std::f64::consts::LN_2;
        Self {
            parkinson: hl * hl / (4.0 * ln2),
            garman_klass: (0.5 * hl * hl - (2.0 * ln2 - 1.0) * co * co).max(0.0),
        }
    }
}

/// `parkinson_vol_bps_{bar}`, `garman_klass_vol_bps_{bar}`: range-based volatility per bar,
/// `10⁴ · √(EW mean of the per-bar` [`BarVariance`] `)` over completed clock-time bars of
/// the mid, with half-life `half_life_bars` completed bars.
///
/// Bars are `[k·T, (k+1)·T)` of event time; open, high, low and close are the first,
/// highest, lowest and last mid of valid books inside the bar. A bar is completed when
/// the first event of a later bar arrives, so the value at an event uses only bars that
/// ended before it (no look-ahead); bars without a valid book are skipped. 0 until the
/// first bar completes.
#[derive(Clone, Debug)]
pub struct RangeVolatility {
    bar_ns: i64,
    beta: f64,
    bar: Option<i64>,
    /// log open, high, low, close of the current bar (when it has data).
    ohlc: Option<[f64; 4]>,
    /// EW numerators (Parkinson, Garman–Klass) and the common denominator.
    num: [f64; 2],
    den: f64,
    out: [f64; 2],
}

impl RangeVolatility {
    /// Bars of `bar_ns` (≥ 1) nanoseconds, averaged with a half-life of `half_life_bars`
    /// (> 0) bars.
    pub fn new(bar_ns: i64, half_life_bars: f64) -> Self {
        Self {
            bar_ns: bar_ns.max(1),
            beta: (-1.0 / half_life_bars).exp2(),
            bar: None,
            ohlc: None,
            num: [0.0; 2],
            den: 0.0,
            out: [0.0; 2],
        }
    }

    fn close_bar(&mut self) {
        if let Some([o, h, l, c]) = self.ohlc.take() {
            let v = BarVariance::from_log_ohlc(o, h, l, c);
            self.num[0] = self.beta * self.num[0] + v.parkinson;
            self.num[1] = self.beta * self.num[1] + v.garman_klass;
            self.den = self.beta * self.den + 1.0;
            self.out = [
                1e4 * (self.num[0] / self.den).sqrt(),
                1e4 * (self.num[1] / self.den).sqrt(),
            ];
        }
    }
}

impl FeatureExtractor for RangeVolatility {
    fn width(&self) -> usize {
        2
    }
    fn names(&self) -> Vec<String> {
        let bar = format!("{}s", trim(self.bar_ns as f64 / 1e9));
        vec![
            format!("parkinson_vol_bps_{bar}"),
            format!("garman_klass_vol_bps_{bar}"),
        ]
    }
    #[inline]
    fn update(&mut self, obs: &Observation<'_>, out: &mut [f64]) {
        let bar = obs.ts.0.div_euclid(self.bar_ns);
        match self.bar {
            Some(current) if bar > current => {
                self.close_bar();
                self.bar = Some(bar);
            }
            Some(_) => {}
            None => self.bar = Some(bar),
        }
        if obs.book_valid {
            let x = obs.log_mid;
            match &mut self.ohlc {
                Some([_, h, l, c]) => {
                    *h = h.max(x);
                    *l = l.min(x);
                    *c = x;
                }
                None => self.ohlc = Some([x, x, x, x]),
            }
        }
        out[..2].copy_from_slice(&self.out);
    }
    fn reset(&mut self) {
        *self = Self {
            bar: None,
            ohlc: None,
            num: [0.0; 2],
            den: 0.0,
            out: [0.0; 2],
            ..*self
        };
    }
}

/// `return_bps_lag{k}`: `10⁴ · ln(midₙ / midₙ₋ₖ)`, the log return of the carried mid over
/// the last `k` updates (event time), 0 while update `n − k` precedes the first valid
/// book. A ring buffer of the last `max k` log mids keeps it `O(1)`.
#[derive(Clone, Debug)]
pub struct LaggedReturns {
    lags: Vec<usize>,
    ring: Vec<f64>,
    mask: usize,
    first_mid: Option<u64>,
}

impl LaggedReturns {
    /// At each of `lags` (non-empty, each ≥ 1).
    pub fn new(lags: &[usize]) -> Self {
        let max = lags.iter().copied().max().unwrap_or(1).max(1);
        let size = (max + 1).next_power_of_two();
        Self {
            lags: lags.iter().map(|&k| k.max(1)).collect(),
            ring: vec![0.0; size],
            mask: size - 1,
            first_mid: None,
        }
    }
}

impl FeatureExtractor for LaggedReturns {
    fn width(&self) -> usize {
        self.lags.len()
    }
    fn names(&self) -> Vec<String> {
        self.lags
            .iter()
            .map(|k| format!("return_bps_lag{k}"))
            .collect()
    }
    #[inline]
    fn update(&mut self, obs: &Observation<'_>, out: &mut [f64]) {
        let n = obs.index;
        if obs.has_mid && self.first_mid.is_none() {
            self.first_mid = Some(n);
        }
        self.ring[n as usize & self.mask] = obs.log_mid;
        for (j, &k) in self.lags.iter().enumerate() {
            out[j] = match (self.first_mid, n.checked_sub(k as u64)) {
                (Some(first), Some(past)) if past >= first => {
                    1e4 * (obs.log_mid - self.ring[past as usize & self.mask])
                }
                _ => 0.0,
            };
        }
    }
    fn reset(&mut self) {
        self.ring.iter_mut().for_each(|x| *x = 0.0);
        self.first_mid = None;
    }
}

/// `time_of_day` in `[0, 1)` (fraction of the day since midnight), `time_of_day_sin` and
/// `time_of_day_cos` (`sin`/`cos` of `2π ·` the fraction: a cyclic encoding with no jump at
/// midnight), at a resolution of one whole second (`1/86 400` of a day), so the sine and
/// cosine are computed at most once per second of event time. Midnight is
/// `ts ≡ −utc_offset (mod 1 day)`: LOBSTER timestamps count from the trading day's midnight
/// (offset 0); Binance's from the UNIX epoch (offset 0 gives UTC time of day).
#[derive(Clone, Debug)]
pub struct TimeOfDay {
    offset_ns: i64,
    /// The second of the day last computed, and its outputs.
    cached: Option<(i64, [f64; 3])>,
}

const DAY_NS: i64 = 86_400 * 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

impl TimeOfDay {
    /// With timestamps shifted by `utc_offset_seconds` (clamped to ±1 day).
    pub fn new(utc_offset_seconds: i64) -> Self {
        Self {
            offset_ns: utc_offset_seconds.clamp(-SECONDS_PER_DAY, SECONDS_PER_DAY) * 1_000_000_000,
            cached: None,
        }
    }
}

impl FeatureExtractor for TimeOfDay {
    fn width(&self) -> usize {
        3
    }
    fn names(&self) -> Vec<String> {
        vec![
            "time_of_day".into(),
            "time_of_day_sin".into(),
            "time_of_day_cos".into(),
        ]
    }
    #[inline]
    fn update(&mut self, obs: &Observation<'_>, out: &mut [f64]) {
        let second = obs.ts.0.wrapping_add(self.offset_ns).rem_euclid(DAY_NS) / 1_000_000_000;
        let values = match self.cached {
            Some((s, v)) if s == second => v,
            _ => {
                let f = second as f64 / SECONDS_PER_DAY as f64;
                let (sin, cos) = (std::f64::consts::TAU * f).sin_cos();
                let v = [f, sin, cos];
                self.cached = Some((second, v));
                v
            }
        };
        out[..3].copy_from_slice(&values);
    }
    fn reset(&mut self) {
        self.cached = None;
    }
}
