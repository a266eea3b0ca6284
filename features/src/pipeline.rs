//! [`FeaturePipeline`]: configured features updated together, one row per event.

use crate::config::{DEFAULT_PIPELINE_TOML, Feature, PipelineConfig};
use crate::error::{Error, Result};
use crate::extractor::FeatureExtractor;
use crate::observation::{Observation, TradeSigner, is_valid};
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
    features: Vec<Feature>,
    /// Output offset of each feature, plus the total width at the end.
    offsets: Vec<usize>,
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
        let mut offsets = Vec::with_capacity(features.len() + 1);
        let mut names = Vec::new();
        let mut depth = 1;
        for f in &features {
            offsets.push(names.len());
            let n = f.names();
            debug_assert_eq!(n.len(), f.width(), "names() must give width() names");
            names.extend(n);
            depth = depth.max(f.levels_needed());
        }
        offsets.push(names.len());
        if names.is_empty() {
            return Err(Error::EmptyPipeline);
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(name) = names.iter().find(|n| !seen.insert(n.as_str())) {
            return Err(Error::DuplicateName { name: name.clone() });
        }
        Ok(Self {
            features,
            offsets,
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
    pub fn with_extractor(self, extractor: Box<dyn FeatureExtractor + Send>) -> Result<Self> {
        let config = self.config;
        let mut features = self.features;
        features.push(Feature::Custom(extractor));
        let mut p = Self::from_features(features)?;
        p.config = config;
        Ok(p)
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

    /// The configuration it was built from (`None` when built from features).
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
        for (f, w) in self.features.iter_mut().zip(self.offsets.windows(2)) {
            f.update(&obs, &mut out[w[0]..w[1]]);
        }
        self.prev_valid = valid;
        self.current = prev;
        self.index += 1;
        Ok(())
    }

    /// Back to the state before the first update (configuration kept).
    pub fn reset(&mut self) {
        self.features.iter_mut().for_each(FeatureExtractor::reset);
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
