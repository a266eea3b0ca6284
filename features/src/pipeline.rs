//! [`FeaturePipeline`]: configured features updated together, one row per event.

use crate::book::{BookImbalance, BookValid, Depth, Microprice, Mid, Spread, WeightedMid};
use crate::config::{DEFAULT_PIPELINE_TOML, Feature, PipelineConfig};
use crate::error::{Error, Result};
use crate::extractor::FeatureExtractor;
use crate::flow::{OrderFlowImbalance, TradeFlow, TradeIntensity};
use crate::observation::{Observation, TradeSigner, is_valid};
use crate::price::{LaggedReturns, RangeVolatility, RealizedVolatility, TimeOfDay};
use shortfall_core::{BookView, MarketEvent, PriceLevel, Side};

/// A list of features updated together: each [`update`](Self::update) reads the book's top
/// levels once, builds the [`Observation`] and writes one row of `width()` values.
///
/// ```
/// use shortfall_core::{MarketEvent, Price, PriceLevel, Qty, Side, Ts};
/// use shortfall_features::{BookSnapshot, FeaturePipeline};
///
/// let mut pipeline = FeaturePipeline::from_toml(r#"
///     [[features]]
///     kind = "spread"
///     [[features]]
///     kind = "book_imbalance"
///     levels = 1
/// "#)?;
/// assert_eq!(pipeline.names(), ["spread_ticks", "spread_bps", "imbalance_1"]);
/// let lv = |p, q| PriceLevel { price: Price(p), qty: Qty(q) };
/// let book = BookSnapshot::<1>::from_levels(&[lv(99, 30)], &[lv(101, 10)]);
/// let event = MarketEvent::Level { ts: Ts(1), side: Side::Buy, price: Price(99), qty: Qty(30) };
/// let mut row = vec![0.0; pipeline.width()];
/// pipeline.update(&event, &book, &mut row)?;
/// assert_eq!(row, [2.0, 200.0, 0.5]); // 2 ticks, 2/100 = 200 bps, (30-10)/(30+10)
/// # Ok::<(), shortfall_features::Error>(())
/// ```
#[derive(Debug)]
pub struct FeaturePipeline {
    /// The features grouped by kind, each with its output columns.
    groups: Groups,
    names: Vec<String>,
    config: Option<PipelineConfig>,
    depth: usize,
    /// Two sets of (bids, asks), `depth` levels each: [set0 bids, set0 asks, set1 ...].
    levels: Vec<PriceLevel>,
    /// Levels filled per set: (bids, asks).
    counts: [(usize, usize); 2],
    /// Which set holds the current book (the other holds the previous one).
    current: usize,
    prev_valid: bool,
    mid: f64,
    log_mid: f64,
    has_mid: bool,
    index: u64,
    signer: TradeSigner,
}

/// One feature of a group and its output columns `start..end`.
type Slot<F> = (F, usize, usize);

/// The features of a pipeline grouped by kind, each with its output columns.
///
/// Features are independent (each reads only the [`Observation`] and writes only its own
/// columns), so the order in which they are updated does not change any output. Updating
/// kind by kind makes each loop body one extractor's code, inlined into the pipeline's
/// update with its kind known at compile time: no dispatch per feature.
#[derive(Default)]
struct Groups {
    book_valid: Vec<Slot<BookValid>>,
    mid: Vec<Slot<Mid>>,
    microprice: Vec<Slot<Microprice>>,
    weighted_mid: Vec<Slot<WeightedMid>>,
    spread: Vec<Slot<Spread>>,
    depth: Vec<Slot<Depth>>,
    book_imbalance: Vec<Slot<BookImbalance>>,
    order_flow_imbalance: Vec<Slot<OrderFlowImbalance>>,
    trade_flow: Vec<Slot<TradeFlow>>,
    trade_intensity: Vec<Slot<TradeIntensity>>,
    realized_volatility: Vec<Slot<RealizedVolatility>>,
    range_volatility: Vec<Slot<RangeVolatility>>,
    lagged_returns: Vec<Slot<LaggedReturns>>,
    time_of_day: Vec<Slot<TimeOfDay>>,
    custom: Vec<Slot<Box<dyn FeatureExtractor + Send>>>,
}

/// Runs `$body` for every feature `$f` of every group with its columns `$cols`.
macro_rules! for_each_feature {
    ($groups:expr, |$f:ident, $cols:ident| $body:expr) => {{
        let g = $groups;
        for ($f, start, end) in g.book_valid.iter_mut() {
            let $cols = *start..*end;
            $body
        }
        for ($f, start, end) in g.mid.iter_mut() {
            let $cols = *start..*end;
            $body
        }
        for ($f, start, end) in g.microprice.iter_mut() {
            let $cols = *start..*end;
            $body
        }
        for ($f, start, end) in g.weighted_mid.iter_mut() {
            let $cols = *start..*end;
            $body
        }
        for ($f, start, end) in g.spread.iter_mut() {
            let $cols = *start..*end;
            $body
        }
        for ($f, start, end) in g.depth.iter_mut() {
            let $cols = *start..*end;
            $body
        }
        for ($f, start, end) in g.book_imbalance.iter_mut() {
            let $cols = *start..*end;
            $body
        }
        for ($f, start, end) in g.order_flow_imbalance.iter_mut() {
            let $cols = *start..*end;
            $body
        }
        for ($f, start, end) in g.trade_flow.iter_mut() {
            let $cols = *start..*end;
            $body
        }
        for ($f, start, end) in g.trade_intensity.iter_mut() {
            let $cols = *start..*end;
            $body
        }
        for ($f, start, end) in g.realized_volatility.iter_mut() {
            let $cols = *start..*end;
            $body
        }
        for ($f, start, end) in g.range_volatility.iter_mut() {
            let $cols = *start..*end;
            $body
        }
        for ($f, start, end) in g.lagged_returns.iter_mut() {
            let $cols = *start..*end;
            $body
        }
        for ($f, start, end) in g.time_of_day.iter_mut() {
            let $cols = *start..*end;
            $body
        }
        for ($f, start, end) in g.custom.iter_mut() {
            let $cols = *start..*end;
            $body
        }
    }};
}

impl Groups {
    /// Adds `feature` writing columns `start..end`.
    fn push(&mut self, feature: Feature, start: usize, end: usize) {
        match feature {
            Feature::BookValid(f) => self.book_valid.push((f, start, end)),
            Feature::Mid(f) => self.mid.push((f, start, end)),
            Feature::Microprice(f) => self.microprice.push((f, start, end)),
            Feature::WeightedMid(f) => self.weighted_mid.push((f, start, end)),
            Feature::Spread(f) => self.spread.push((f, start, end)),
            Feature::Depth(f) => self.depth.push((f, start, end)),
            Feature::BookImbalance(f) => self.book_imbalance.push((f, start, end)),
            Feature::OrderFlowImbalance(f) => self.order_flow_imbalance.push((f, start, end)),
            Feature::TradeFlow(f) => self.trade_flow.push((f, start, end)),
            Feature::TradeIntensity(f) => self.trade_intensity.push((f, start, end)),
            Feature::RealizedVolatility(f) => self.realized_volatility.push((f, start, end)),
            Feature::RangeVolatility(f) => self.range_volatility.push((f, start, end)),
            Feature::LaggedReturns(f) => self.lagged_returns.push((f, start, end)),
            Feature::TimeOfDay(f) => self.time_of_day.push((f, start, end)),
            Feature::Custom(f) => self.custom.push((f, start, end)),
        }
    }

    /// Updates every feature with `obs`, each into its columns of `out`.
    #[inline(always)]
    fn update(&mut self, obs: &Observation<'_>, out: &mut [f64]) {
        for_each_feature!(self, |f, cols| f.update(obs, &mut out[cols]));
    }

    fn reset(&mut self) {
        for_each_feature!(self, |f, _cols| f.reset());
    }
}

impl std::fmt::Debug for Groups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let g = self;
        let features = g.book_valid.len()
            + g.mid.len()
            + g.microprice.len()
            + g.weighted_mid.len()
            + g.spread.len()
            + g.depth.len()
            + g.book_imbalance.len()
            + g.order_flow_imbalance.len()
            + g.trade_flow.len()
            + g.trade_intensity.len()
            + g.realized_volatility.len()
            + g.range_volatility.len()
            + g.lagged_returns.len()
            + g.time_of_day.len();
        f.debug_struct("Groups")
            .field("built_in", &features)
            .field("custom", &g.custom.len())
            .finish()
    }
}

impl Default for FeaturePipeline {
    /// The default pipeline ([`DEFAULT_PIPELINE_TOML`]).
    fn default() -> Self {
        Self::from_toml(DEFAULT_PIPELINE_TOML)
            .expect("invariant: the default pipeline configuration is valid")
    }
}

impl FeaturePipeline {
    /// A pipeline from TOML (see [`PipelineConfig`]).
    ///
    /// # Errors
    /// [`Error::ConfigParse`] for TOML or schema errors (unknown feature kinds and fields
    /// included), [`Error::InvalidFeature`] for bad parameters, [`Error::EmptyPipeline`],
    /// [`Error::DuplicateName`].
    pub fn from_toml(text: &str) -> Result<Self> {
        Self::from_config(&PipelineConfig::from_toml(text)?)
    }

    /// A pipeline from a configuration.
    ///
    /// # Errors
    /// As [`FeaturePipeline::from_toml`], less the parse errors.
    pub fn from_config(config: &PipelineConfig) -> Result<Self> {
        if config.features.is_empty() {
            return Err(Error::EmptyPipeline);
        }
        let features = config
            .features
            .iter()
            .enumerate()
            .map(|(i, spec)| spec.build(i))
            .collect::<Result<Vec<_>>>()?;
        let mut pipeline = Self::from_features(features)?;
        pipeline.config = Some(config.clone());
        Ok(pipeline)
    }

    /// A pipeline from already-built features (built-in or [`Feature::Custom`]).
    ///
    /// # Errors
    /// [`Error::EmptyPipeline`] for no features (or no outputs), [`Error::DuplicateName`]
    /// when two outputs share a name.
    pub fn from_features(features: Vec<Feature>) -> Result<Self> {
        let mut groups = Groups::default();
        let mut names = Vec::new();
        let mut depth = 1;
        for f in features {
            let start = names.len();
            let n = f.names();
            debug_assert_eq!(n.len(), f.width(), "names() must give width() names");
            names.extend(n);
            depth = depth.max(f.levels_needed());
            groups.push(f, start, names.len());
        }
        if names.is_empty() {
            return Err(Error::EmptyPipeline);
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(name) = names.iter().find(|n| !seen.insert(n.as_str())) {
            return Err(Error::DuplicateName { name: name.clone() });
        }
        Ok(Self {
            groups,
            names,
            config: None,
            depth,
            levels: vec![PriceLevel::default(); 4 * depth],
            counts: [(0, 0); 2],
            current: 0,
            prev_valid: false,
            mid: 0.0,
            log_mid: 0.0,
            has_mid: false,
            index: 0,
            signer: TradeSigner::default(),
        })
    }

    /// Adds a user-defined extractor after the configured features.
    ///
    /// # Errors
    /// [`Error::DuplicateName`] when one of its names is taken; [`Error::EmptyPipeline`]
    /// when it has no outputs.
    pub fn with_extractor(mut self, extractor: Box<dyn FeatureExtractor + Send>) -> Result<Self> {
        let added = extractor.names();
        debug_assert_eq!(
            added.len(),
            extractor.width(),
            "names() must give width() names"
        );
        if added.is_empty() {
            return Err(Error::EmptyPipeline);
        }
        let mut seen: std::collections::HashSet<&str> =
            self.names.iter().map(String::as_str).collect();
        if let Some(name) = added.iter().find(|n| !seen.insert(n.as_str())) {
            return Err(Error::DuplicateName { name: name.clone() });
        }
        let depth = self.depth.max(extractor.levels_needed());
        let start = self.names.len();
        self.names.extend(added);
        self.groups
            .custom
            .push((extractor, start, self.names.len()));
        if depth != self.depth {
            self.depth = depth;
            self.levels = vec![PriceLevel::default(); 4 * depth];
        }
        // as a pipeline built anew from these features: no book or event seen yet
        self.counts = [(0, 0); 2];
        self.current = 0;
        self.prev_valid = false;
        self.mid = 0.0;
        self.log_mid = 0.0;
        self.has_mid = false;
        self.index = 0;
        self.signer.reset();
        Ok(self)
    }

    /// The output names, in column order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of outputs per update.
    pub fn width(&self) -> usize {
        self.names.len()
    }

    /// Book levels per side read on each update.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The configuration it was built from (`None` when built from features); extractors
    /// added with [`FeaturePipeline::with_extractor`] are not part of it.
    pub fn config(&self) -> Option<&PipelineConfig> {
        self.config.as_ref()
    }

    /// The carried mid in ticks (see [`Observation`]), `None` before the first valid book.
    pub fn mid(&self) -> Option<f64> {
        self.has_mid.then_some(self.mid)
    }

    /// Updates every feature with one event and the book *after* it, writing one row.
    ///
    /// # Errors
    /// [`Error::WidthMismatch`] when `out.len() != width()`; nothing is updated.
    #[inline]
    pub fn update<B: BookView + ?Sized>(
        &mut self,
        event: &MarketEvent,
        book: &B,
        out: &mut [f64],
    ) -> Result<()> {
        if out.len() != self.width() {
            return Err(Error::WidthMismatch {
                what: "feature row",
                expected: self.width(),
                got: out.len(),
            });
        }
        let d = self.depth;
        let cur = self.current;
        let prev = 1 - cur;
        let (set0, set1) = self.levels.split_at_mut(2 * d);
        let (now, before) = if cur == 0 {
            (set0, &*set1)
        } else {
            (set1, &*set0)
        };
        let (now_bids, now_asks) = now.split_at_mut(d);
        let nb = book.top_levels(Side::Buy, now_bids);
        let na = book.top_levels(Side::Sell, now_asks);
        self.counts[cur] = (nb, na);
        let (pb, pa) = self.counts[prev];
        let bids = &now_bids[..nb];
        let asks = &now_asks[..na];
        let prev_bids = &before[..pb];
        let prev_asks = &before[d..d + pa];

        let prevailing = self.has_mid.then_some(self.mid);
        let trade = self.signer.sign(event, prevailing);
        let valid = is_valid(bids, asks);
        let mut log_return = 0.0;
        if valid {
            let m = (bids[0].price.0 as f64 + asks[0].price.0 as f64) * 0.5;
            if !self.has_mid || m != self.mid {
                let lm = m.ln();
                if self.has_mid {
                    log_return = lm - self.log_mid;
                }
                self.mid = m;
                self.log_mid = lm;
                self.has_mid = true;
            }
        }
        let obs = Observation {
            event,
            ts: event.ts(),
            index: self.index,
            bids,
            asks,
            prev_bids,
            prev_asks,
            book_valid: valid,
            prev_book_valid: self.prev_valid,
            mid: self.mid,
            log_mid: self.log_mid,
            has_mid: self.has_mid,
            log_return,
            trade,
        };
        self.groups.update(&obs, out);
        self.prev_valid = valid;
        self.current = prev;
        self.index += 1;
        Ok(())
    }

    /// Back to the state before the first update (configuration kept).
    pub fn reset(&mut self) {
        self.groups.reset();
        self.counts = [(0, 0); 2];
        self.current = 0;
        self.prev_valid = false;
        self.mid = 0.0;
        self.log_mid = 0.0;
        self.has_mid = false;
        self.index = 0;
        self.signer.reset();
    }
}
