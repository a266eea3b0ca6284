//! The pipeline configuration: a TOML list of features, validated into [`Feature`]s.

use crate::book::{BookImbalance, BookValid, Depth, Microprice, Mid, Spread, WeightedMid};
use crate::error::{Error, Result};
use crate::extractor::FeatureExtractor;
use crate::flow::{OrderFlowImbalance, TradeFlow, TradeIntensity};
use crate::observation::Observation;
use crate::price::{LaggedReturns, RangeVolatility, RealizedVolatility, TimeOfDay};
use crate::window::{Window, WindowSpec};
use serde::{Deserialize, Serialize};

/// The most book levels per side a feature may read.
pub const MAX_LEVELS: usize = 64;

/// The longest lag of [`LaggedReturns`] (it keeps a buffer of that many mids).
pub const MAX_LAG: usize = 1 << 20;

/// The default pipeline (26 outputs), as TOML. [`crate::FeaturePipeline::default`] builds it.
pub const DEFAULT_PIPELINE_TOML: &str = r#"
[[features]]
kind = "book_valid"

[[features]]
kind = "mid"

[[features]]
kind = "microprice"

[[features]]
kind = "weighted_mid"
levels = 5

[[features]]
kind = "spread"

[[features]]
kind = "depth"
levels = 5

[[features]]
kind = "book_imbalance"
levels = 1

[[features]]
kind = "book_imbalance"
levels = 5
decay = 0.5

[[features]]
kind = "order_flow_imbalance"
levels = [1, 2, 3]
windows = [{ events = 100 }]

[[features]]
kind = "trade_flow"
windows = [{ events = 100 }]

[[features]]
kind = "trade_intensity"
windows = [{ seconds = 10 }]

[[features]]
kind = "realized_volatility"
windows = [{ events = 100 }, { events = 1000 }]

[[features]]
kind = "range_volatility"
bar_seconds = 1
half_life_bars = 30

[[features]]
kind = "lagged_returns"
lags = [1, 10, 100]

[[features]]
kind = "time_of_day"
"#;

/// A pipeline configuration: the features, in output order.
///
/// ```toml
/// [[features]]
/// kind = "book_imbalance"
/// levels = 5
/// decay = 0.5
///
/// [[features]]
/// kind = "order_flow_imbalance"
/// levels = [1, 2]
/// windows = [{ events = 100 }, { seconds = 1.0 }]
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    /// The features, in output order.
    pub features: Vec<FeatureSpec>,
}

impl PipelineConfig {
    /// Parses TOML.
    ///
    /// # Errors
    /// [`Error::ConfigParse`] naming the line and column of the problem (bad TOML, an
    /// unknown `kind`, an unknown or missing field).
    pub fn from_toml(text: &str) -> Result<Self> {
        Ok(toml::from_str(text)?)
    }

    /// The configuration as TOML.
    ///
    /// # Panics
    /// Never: every field serialises (numbers, strings, arrays and tables only).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("invariant: a PipelineConfig is always serialisable")
    }
}

/// A feature with no parameters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// Parameters of `microprice`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MicropriceSpec {
    /// Output minus the mid (default `true`: stationary, in ticks).
    #[serde(default = "yes")]
    pub relative: bool,
}

/// Parameters of `weighted_mid`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightedMidSpec {
    /// Levels per side, 1 to [`MAX_LEVELS`].
    pub levels: usize,
    /// Output minus the mid (default `true`).
    #[serde(default = "yes")]
    pub relative: bool,
}

/// Parameters of `depth`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepthSpec {
    /// Levels per side, 1 to [`MAX_LEVELS`].
    pub levels: usize,
}

/// Parameters of `book_imbalance`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImbalanceSpec {
    /// Levels per side, 1 to [`MAX_LEVELS`].
    pub levels: usize,
    /// Decay rate λ by level (weights `e^(−λ i)`), finite and ≥ 0 (default 0).
    #[serde(default)]
    pub decay: f64,
}

/// Parameters of `order_flow_imbalance`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderFlowSpec {
    /// 1-based book levels (each 1 to [`MAX_LEVELS`], at least one).
    pub levels: Vec<usize>,
    /// Windows (at least one).
    pub windows: Vec<WindowSpec>,
}

/// Parameters of the window-only features (`trade_flow`, `trade_intensity`,
/// `realized_volatility`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsSpec {
    /// Windows (at least one).
    pub windows: Vec<WindowSpec>,
}

/// Parameters of `range_volatility`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeSpec {
    /// Bar length in seconds (finite, ≥ 1 ns).
    pub bar_seconds: f64,
    /// Half-life of the average over bars, in bars (finite, > 0).
    pub half_life_bars: f64,
}

/// Parameters of `lagged_returns`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LagsSpec {
    /// Lags in events (each 1 to [`MAX_LAG`], at least one).
    pub lags: Vec<usize>,
}

/// Parameters of `time_of_day`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeOfDaySpec {
    /// Seconds added to timestamps before taking the time of day, |offset| ≤ 86 400
    /// (default 0).
    #[serde(default)]
    pub utc_offset_seconds: i64,
}

fn yes() -> bool {
    true
}

/// One configured feature: its `kind` and parameters. See each extractor for the formula.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeatureSpec {
    /// [`BookValid`].
    BookValid(NoParams),
    /// [`Mid`].
    Mid(NoParams),
    /// [`Microprice`].
    Microprice(MicropriceSpec),
    /// [`WeightedMid`].
    WeightedMid(WeightedMidSpec),
    /// [`Spread`].
    Spread(NoParams),
    /// [`Depth`].
    Depth(DepthSpec),
    /// [`BookImbalance`].
    BookImbalance(ImbalanceSpec),
    /// [`OrderFlowImbalance`].
    OrderFlowImbalance(OrderFlowSpec),
    /// [`TradeFlow`].
    TradeFlow(WindowsSpec),
    /// [`TradeIntensity`].
    TradeIntensity(WindowsSpec),
    /// [`RealizedVolatility`].
    RealizedVolatility(WindowsSpec),
    /// [`RangeVolatility`].
    RangeVolatility(RangeSpec),
    /// [`LaggedReturns`].
    LaggedReturns(LagsSpec),
    /// [`TimeOfDay`].
    TimeOfDay(TimeOfDaySpec),
}

impl FeatureSpec {
    /// The `kind` as written in TOML.
    pub fn kind(&self) -> &'static str {
        match self {
            FeatureSpec::BookValid(_) => "book_valid",
            FeatureSpec::Mid(_) => "mid",
            FeatureSpec::Microprice(_) => "microprice",
            FeatureSpec::WeightedMid(_) => "weighted_mid",
            FeatureSpec::Spread(_) => "spread",
            FeatureSpec::Depth(_) => "depth",
            FeatureSpec::BookImbalance(_) => "book_imbalance",
            FeatureSpec::OrderFlowImbalance(_) => "order_flow_imbalance",
            FeatureSpec::TradeFlow(_) => "trade_flow",
            FeatureSpec::TradeIntensity(_) => "trade_intensity",
            FeatureSpec::RealizedVolatility(_) => "realized_volatility",
            FeatureSpec::RangeVolatility(_) => "range_volatility",
            FeatureSpec::LaggedReturns(_) => "lagged_returns",
            FeatureSpec::TimeOfDay(_) => "time_of_day",
        }
    }

    /// Validates the parameters into a [`Feature`]; `index` is the feature's position, for
    /// the error message.
    ///
    /// # Errors
    /// [`Error::InvalidFeature`] naming the feature and what is wrong.
    pub fn build(&self, index: usize) -> Result<Feature> {
        let kind = self.kind();
        let bad = |reason: String| Error::InvalidFeature {
            index,
            kind,
            reason,
        };
        let levels = |n: usize| {
            if (1..=MAX_LEVELS).contains(&n) {
                Ok(n)
            } else {
                Err(bad(format!("levels must be 1 to {MAX_LEVELS}, got {n}")))
            }
        };
        let windows = |specs: &[WindowSpec]| -> Result<Vec<Window>> {
            if specs.is_empty() {
                return Err(bad("windows must not be empty".into()));
            }
            specs
                .iter()
                .enumerate()
                .map(|(i, s)| s.build().map_err(|r| bad(format!("window {i}: {r}"))))
                .collect()
        };
        Ok(match self {
            FeatureSpec::BookValid(_) => Feature::BookValid(BookValid),
            FeatureSpec::Mid(_) => Feature::Mid(Mid),
            FeatureSpec::Microprice(s) => Feature::Microprice(Microprice::new(s.relative)),
            FeatureSpec::WeightedMid(s) => {
                Feature::WeightedMid(WeightedMid::new(levels(s.levels)?, s.relative))
            }
            FeatureSpec::Spread(_) => Feature::Spread(Spread::default()),
            FeatureSpec::Depth(s) => Feature::Depth(Depth::new(levels(s.levels)?)),
            FeatureSpec::BookImbalance(s) => {
                if !(s.decay.is_finite() && s.decay >= 0.0) {
                    return Err(bad(format!(
                        "decay must be finite and >= 0, got {}",
                        s.decay
                    )));
                }
                Feature::BookImbalance(BookImbalance::new(levels(s.levels)?, s.decay))
            }
            FeatureSpec::OrderFlowImbalance(s) => {
                if s.levels.is_empty() {
                    return Err(bad("levels must not be empty".into()));
                }
                for &m in &s.levels {
                    levels(m)?;
                }
                let mut sorted = s.levels.clone();
                sorted.sort_unstable();
                sorted.dedup();
                if sorted.len() != s.levels.len() {
                    return Err(bad(format!("levels {:?} repeat a level", s.levels)));
                }
                Feature::OrderFlowImbalance(OrderFlowImbalance::new(
                    &s.levels,
                    &windows(&s.windows)?,
                ))
            }
            FeatureSpec::TradeFlow(s) => Feature::TradeFlow(TradeFlow::new(&windows(&s.windows)?)),
            FeatureSpec::TradeIntensity(s) => {
                Feature::TradeIntensity(TradeIntensity::new(&windows(&s.windows)?))
            }
            FeatureSpec::RealizedVolatility(s) => {
                Feature::RealizedVolatility(RealizedVolatility::new(&windows(&s.windows)?))
            }
            FeatureSpec::RangeVolatility(s) => {
                let bar_ns = s.bar_seconds * 1e9;
                if !(bar_ns.is_finite() && (1.0..=9.0e18).contains(&bar_ns)) {
                    return Err(bad(format!(
                        "bar_seconds must be finite and >= 1e-9, got {}",
                        s.bar_seconds
                    )));
                }
                if !(s.half_life_bars.is_finite() && s.half_life_bars > 0.0) {
                    return Err(bad(format!(
                        "half_life_bars must be finite and > 0, got {}",
                        s.half_life_bars
                    )));
                }
                Feature::RangeVolatility(RangeVolatility::new(
                    bar_ns.round() as i64,
                    s.half_life_bars,
                ))
            }
            FeatureSpec::LaggedReturns(s) => {
                if s.lags.is_empty() {
                    return Err(bad("lags must not be empty".into()));
                }
                if let Some(&k) = s.lags.iter().find(|&&k| !(1..=MAX_LAG).contains(&k)) {
                    return Err(bad(format!("lags must be 1 to {MAX_LAG}, got {k}")));
                }
                Feature::LaggedReturns(LaggedReturns::new(&s.lags))
            }
            FeatureSpec::TimeOfDay(s) => {
                if s.utc_offset_seconds.abs() > 86_400 {
                    return Err(bad(format!(
                        "utc_offset_seconds must be within one day, got {}",
                        s.utc_offset_seconds
                    )));
                }
                Feature::TimeOfDay(TimeOfDay::new(s.utc_offset_seconds))
            }
        })
    }
}

/// A configured feature: one of the built-in extractors, dispatched by `match` (no virtual
/// call on the hot path), or a user-defined boxed one.
#[allow(missing_debug_implementations)]
pub enum Feature {
    /// [`BookValid`].
    BookValid(BookValid),
    /// [`Mid`].
    Mid(Mid),
    /// [`Microprice`].
    Microprice(Microprice),
    /// [`WeightedMid`].
    WeightedMid(WeightedMid),
    /// [`Spread`].
    Spread(Spread),
    /// [`Depth`].
    Depth(Depth),
    /// [`BookImbalance`].
    BookImbalance(BookImbalance),
    /// [`OrderFlowImbalance`].
    OrderFlowImbalance(OrderFlowImbalance),
    /// [`TradeFlow`].
    TradeFlow(TradeFlow),
    /// [`TradeIntensity`].
    TradeIntensity(TradeIntensity),
    /// [`RealizedVolatility`].
    RealizedVolatility(RealizedVolatility),
    /// [`RangeVolatility`].
    RangeVolatility(RangeVolatility),
    /// [`LaggedReturns`].
    LaggedReturns(LaggedReturns),
    /// [`TimeOfDay`].
    TimeOfDay(TimeOfDay),
    /// A user-defined extractor.
    Custom(Box<dyn FeatureExtractor + Send>),
}

impl std::fmt::Debug for Feature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Feature").field(&self.names()).finish()
    }
}

macro_rules! dispatch {
    ($self:expr, $f:ident => $body:expr) => {
        match $self {
            Feature::BookValid($f) => $body,
            Feature::Mid($f) => $body,
            Feature::Microprice($f) => $body,
            Feature::WeightedMid($f) => $body,
            Feature::Spread($f) => $body,
            Feature::Depth($f) => $body,
            Feature::BookImbalance($f) => $body,
            Feature::OrderFlowImbalance($f) => $body,
            Feature::TradeFlow($f) => $body,
            Feature::TradeIntensity($f) => $body,
            Feature::RealizedVolatility($f) => $body,
            Feature::RangeVolatility($f) => $body,
            Feature::LaggedReturns($f) => $body,
            Feature::TimeOfDay($f) => $body,
            Feature::Custom($f) => $body,
        }
    };
}

impl FeatureExtractor for Feature {
    fn width(&self) -> usize {
        dispatch!(self, f => f.width())
    }
    fn names(&self) -> Vec<String> {
        dispatch!(self, f => f.names())
    }
    fn levels_needed(&self) -> usize {
        dispatch!(self, f => f.levels_needed())
    }
    #[inline]
    fn update(&mut self, obs: &Observation<'_>, out: &mut [f64]) {
        dispatch!(self, f => f.update(obs, out))
    }
    fn reset(&mut self) {
        dispatch!(self, f => f.reset())
    }
}
