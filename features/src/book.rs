//! Features of the book's shape: validity, mid, microprice, weighted mid, spread, depth and
//! order-book imbalance.
//!
//! Prices are in ticks, quantities in lots (the book's integer units as `f64`; a LOBSTER
//! replay keeps LOBSTER's units, 10⁻⁴ USD and shares, so its "ticks" are those). Features
//! that need a valid book carry their last value through invalid ones (see
//! [`Observation`]).

use crate::extractor::FeatureExtractor;
use crate::observation::Observation;
use crate::unroll::by_len;
use crate::window::trim;
use shortfall_core::PriceLevel;

/// `book_valid`: 1 when the book after the event is valid (two-sided, uncrossed, positive
/// bid), else 0. Rows with 0 carry price features from the last valid book.
#[derive(Clone, Debug, Default)]
pub struct BookValid;

impl FeatureExtractor for BookValid {
    fn width(&self) -> usize {
        1
    }
    fn names(&self) -> Vec<String> {
        vec!["book_valid".into()]
    }
    #[inline]
    fn update(&mut self, obs: &Observation<'_>, out: &mut [f64]) {
        out[0] = if obs.book_valid { 1.0 } else { 0.0 };
    }
    fn reset(&mut self) {}
}

/// `mid`: `(best bid + best ask) / 2` in ticks, carried through invalid books, 0 before
/// the first valid one.
#[derive(Clone, Debug, Default)]
pub struct Mid;

impl FeatureExtractor for Mid {
    fn width(&self) -> usize {
        1
    }
    fn names(&self) -> Vec<String> {
        vec!["mid".into()]
    }
    #[inline]
    fn update(&mut self, obs: &Observation<'_>, out: &mut [f64]) {
        out[0] = obs.mid;
    }
    fn reset(&mut self) {}
}

/// The size-weighted mid of the best `levels` levels:
/// `(P̄ᵇ·Dᵃ + P̄ᵃ·Dᵇ) / (Dᵇ + Dᵃ)`, where `Dᵇ = Σᵢ qᵇᵢ` and `P̄ᵇ = Σᵢ pᵇᵢ qᵇᵢ / Dᵇ` over
/// the best `levels` bid levels (likewise for asks). `None` when the book is invalid.
///
/// For one level this is the classic size-weighted mid `(pᵇ qᵃ + pᵃ qᵇ) / (qᵇ + qᵃ)`,
/// the "weighted mid-price" that Stoikov (2018, "The micro-price: a high-frequency
/// estimator of future prices", Quantitative Finance 18(12)) takes as his starting
/// point; it leans towards the side with *less* quantity (the price more likely to move).
#[inline]
pub fn size_weighted_mid(bids: &[PriceLevel], asks: &[PriceLevel], levels: usize) -> Option<f64> {
    let side = |ls: &[PriceLevel]| {
        by_len!(&ls[..levels.min(ls.len())], |ls| {
            let mut depth = 0.0;
            let mut notional = 0.0;
            for l in ls {
                depth += l.qty.0 as f64;
                notional += l.price.0 as f64 * l.qty.0 as f64;
            }
            (depth, notional)
        })
    };
    let (db, nb) = side(bids);
    let (da, na) = side(asks);
    if db <= 0.0 || da <= 0.0 {
        return None;
    }
    let (vb, va) = (nb / db, na / da);
    Some((vb * da + va * db) / (db + da))
}

/// `microprice` (or `microprice_minus_mid` when `relative`): the classic size-weighted mid
/// of the touch, `(pᵇ qᵃ + pᵃ qᵇ) / (qᵇ + qᵃ)`, in ticks — **not** Stoikov's (2018)
/// micro-price, which is the limit of expected future mids under a fitted Markov model;
/// this is the "weighted mid-price" he starts from. Relative to the mid it equals
/// `(spread / 2) · I₁` with `I₁` the level-1 imbalance. Carried through invalid books.
#[derive(Clone, Debug)]
pub struct Microprice {
    relative: bool,
    last: f64,
}

impl Microprice {
    /// Absolute (`relative = false`) or minus the mid (`relative = true`).
    pub fn new(relative: bool) -> Self {
        Self {
            relative,
            last: 0.0,
        }
    }
}

impl FeatureExtractor for Microprice {
    fn width(&self) -> usize {
        1
    }
    fn names(&self) -> Vec<String> {
        vec![if self.relative {
            "microprice_minus_mid".into()
        } else {
            "microprice".into()
        }]
    }
    #[inline]
    fn update(&mut self, obs: &Observation<'_>, out: &mut [f64]) {
        if obs.book_valid
            && let Some(p) = size_weighted_mid(obs.bids, obs.asks, 1)
        {
            self.last = if self.relative { p - obs.mid } else { p };
        }
        out[0] = self.last;
    }
    fn reset(&mut self) {
        self.last = 0.0;
    }
}

/// `weighted_mid_N` (or `weighted_mid_N_minus_mid`): [`size_weighted_mid`] over the best
/// `N` levels, in ticks; equals `microprice` for `N = 1`. The generalisation (volume-
/// weighted prices and total depths of N levels in place of the touch) is this crate's
/// choice, documented here. Carried through invalid books.
#[derive(Clone, Debug)]
pub struct WeightedMid {
    levels: usize,
    relative: bool,
    last: f64,
}

impl WeightedMid {
    /// Over the best `levels` (≥ 1) levels.
    pub fn new(levels: usize, relative: bool) -> Self {
        Self {
            levels: levels.max(1),
            relative,
            last: 0.0,
        }
    }
}

impl FeatureExtractor for WeightedMid {
    fn width(&self) -> usize {
        1
    }
    fn names(&self) -> Vec<String> {
        let suffix = if self.relative { "_minus_mid" } else { "" };
        vec![format!("weighted_mid_{}{suffix}", self.levels)]
    }
    fn levels_needed(&self) -> usize {
        self.levels
    }
    #[inline]
    fn update(&mut self, obs: &Observation<'_>, out: &mut [f64]) {
        if obs.book_valid
            && let Some(p) = size_weighted_mid(obs.bids, obs.asks, self.levels)
        {
            self.last = if self.relative { p - obs.mid } else { p };
        }
        out[0] = self.last;
    }
    fn reset(&mut self) {
        self.last = 0.0;
    }
}

/// `spread_ticks` = `pᵃ − pᵇ` and `spread_bps` = `10⁴ (pᵃ − pᵇ) / mid` (both from the touch;
/// the ratio needs no tick size). Always ≥ 0: carried through invalid (including crossed)
/// books.
#[derive(Clone, Debug, Default)]
pub struct Spread {
    last: [f64; 2],
}

impl FeatureExtractor for Spread {
    fn width(&self) -> usize {
        2
    }
    fn names(&self) -> Vec<String> {
        vec!["spread_ticks".into(), "spread_bps".into()]
    }
    #[inline]
    fn update(&mut self, obs: &Observation<'_>, out: &mut [f64]) {
        if obs.book_valid {
            let s = (obs.asks[0].price.0 - obs.bids[0].price.0) as f64;
            self.last = [s, 1e4 * s / obs.mid];
        }
        out[..2].copy_from_slice(&self.last);
    }
    fn reset(&mut self) {
        self.last = [0.0; 2];
    }
}

/// `depth_bid_N`, `depth_ask_N`: total quantity (lots) of the best `N` levels per side.
/// Defined for any book (an empty side has depth 0).
#[derive(Clone, Debug)]
pub struct Depth {
    levels: usize,
}

impl Depth {
    /// Over the best `levels` (≥ 1) levels.
    pub fn new(levels: usize) -> Self {
        Self {
            levels: levels.max(1),
        }
    }
}

impl FeatureExtractor for Depth {
    fn width(&self) -> usize {
        2
    }
    fn names(&self) -> Vec<String> {
        vec![
            format!("depth_bid_{}", self.levels),
            format!("depth_ask_{}", self.levels),
        ]
    }
    fn levels_needed(&self) -> usize {
        self.levels
    }
    #[inline]
    fn update(&mut self, obs: &Observation<'_>, out: &mut [f64]) {
        let sum = |ls: &[PriceLevel]| -> f64 {
            by_len!(&ls[..self.levels.min(ls.len())], |ls| ls
                .iter()
                .map(|l| l.qty.0 as f64)
                .sum())
        };
        out[0] = sum(obs.bids);
        out[1] = sum(obs.asks);
    }
    fn reset(&mut self) {}
}

/// Order-book imbalance over the best `N` levels with exponential decay by level:
/// `I = Σᵢ wᵢ (qᵇᵢ − qᵃᵢ) / Σᵢ wᵢ (qᵇᵢ + qᵃᵢ)`, `wᵢ = e^(−λ i)` for `i = 0 … N−1`, in
/// `[−1, 1]`.
///
/// For `N = 1` this is the queue imbalance of the touch, `(qᵇ − qᵃ)/(qᵇ + qᵃ)` (Gould &
/// Bonart 2016, "Queue imbalance as a one-tick-ahead price predictor in a limit order
/// book", Market Microstructure and Liquidity 2(2); Cartea, Donnelly & Jaimungal 2018,
/// "Enhancing trading strategies with order book signals", Applied Mathematical Finance
/// 25(1)). Deeper levels are summed as in Cao, Hansch & Wang (2009, "The information
/// content of an open limit-order book", J. Futures Markets 29(1)); the exponential weights
/// by level are this crate's parametrisation (`λ = 0` weighs all levels equally).
/// Computed from whatever levels exist (a one-sided book gives ±1); carried when there is
/// no quantity at all; 0 before any.
#[derive(Clone, Debug)]
pub struct BookImbalance {
    levels: usize,
    decay: f64,
    weights: Vec<f64>,
    last: f64,
}

impl BookImbalance {
    /// Over `levels` (≥ 1) levels with per-level decay rate `decay` (finite, ≥ 0; the
    /// configuration validates it).
    pub fn new(levels: usize, decay: f64) -> Self {
        let levels = levels.max(1);
        let weights = (0..levels).map(|i| (-decay * i as f64).exp()).collect();
        Self {
            levels,
            decay,
            weights,
            last: 0.0,
        }
    }
}

impl FeatureExtractor for BookImbalance {
    fn width(&self) -> usize {
        1
    }
    fn names(&self) -> Vec<String> {
        if self.levels == 1 || self.decay == 0.0 {
            vec![format!("imbalance_{}", self.levels)]
        } else {
            vec![format!(
                "imbalance_{}_decay{}",
                self.levels,
                trim(self.decay)
            )]
        }
    }
    fn levels_needed(&self) -> usize {
        self.levels
    }
    #[inline]
    fn update(&mut self, obs: &Observation<'_>, out: &mut [f64]) {
        let weighted = |levels: &[PriceLevel]| -> f64 {
            by_len!(&levels[..self.levels.min(levels.len())], |ls| ls
                .iter()
                .zip(&self.weights[..ls.len()])
                .map(|(l, w)| w * l.qty.0 as f64)
                .sum())
        };
        let b = weighted(obs.bids);
        let a = weighted(obs.asks);
        let diff = b - a;
        let total = b + a;
        if total > 0.0 {
            // |diff| <= total, so the ratio is in [-1, 1]; clamp guards rounding.
            self.last = (diff / total).clamp(-1.0, 1.0);
        }
        out[0] = self.last;
    }
    fn reset(&mut self) {
        self.last = 0.0;
    }
}
