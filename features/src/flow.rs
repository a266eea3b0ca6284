//! Flow features: order-flow imbalance, signed trade volume, trade-flow imbalance and trade
//! intensity, each accumulated over decayed [`Window`]s.

use crate::extractor::FeatureExtractor;
use crate::observation::Observation;
use crate::window::{DecayedSum, Window};
use shortfall_core::PriceLevel;

/// The order-flow contribution `eₙ` of one update at one book level.
///
/// Cont, Kukanov & Stoikov (2014, "The price impact of order book events", J. Financial
/// Econometrics 12(1)) define, from the best bid `(Pᵇ, qᵇ)` and best ask
/// `(Pᵃ, qᵃ)` before (`n−1`) and after (`n`) an event,
///
/// `eₙ = 1{Pᵇₙ ≥ Pᵇₙ₋₁} qᵇₙ − 1{Pᵇₙ ≤ Pᵇₙ₋₁} qᵇₙ₋₁ − 1{Pᵃₙ ≤ Pᵃₙ₋₁} qᵃₙ + 1{Pᵃₙ ≥ Pᵃₙ₋₁} qᵃₙ₋₁`.
///
/// Xu, Gould & Howison (2018, "Multi-level order-flow imbalance in a limit order book",
/// arXiv:1907.06230) apply the same formula to the `m`-th best level of each side
/// (multi-level OFI). A side's term is 0 when its level `m` is missing before or after
/// (there is no price to compare). `level` is 0-based.
#[inline]
pub fn order_flow_contribution(
    bids: &[PriceLevel],
    asks: &[PriceLevel],
    prev_bids: &[PriceLevel],
    prev_asks: &[PriceLevel],
    level: usize,
) -> f64 {
    let mut e = 0.0;
    if let (Some(now), Some(before)) = (bids.get(level), prev_bids.get(level)) {
        if now.price >= before.price {
            e += now.qty.0 as f64;
        }
        if now.price <= before.price {
            e -= before.qty.0 as f64;
        }
    }
    if let (Some(now), Some(before)) = (asks.get(level), prev_asks.get(level)) {
        if now.price <= before.price {
            e -= now.qty.0 as f64;
        }
        if now.price >= before.price {
            e += before.qty.0 as f64;
        }
    }
    e
}

/// `ofi_l{m}_{window}`: order-flow imbalance at book level `m` (1-based), the decayed sum
/// of [`order_flow_contribution`] over a window, in lots. The sum over an interval is
/// the OFI of Cont, Kukanov & Stoikov (2014); the exponential window replaces
/// their fixed intervals. Contributions are 0 for an update whose book before or after is
/// invalid (a cleared or one-sided book has no meaningful queue change).
#[derive(Clone, Debug)]
pub struct OrderFlowImbalance {
    /// 0-based levels.
    levels: Vec<usize>,
    /// One sum per (level, window), level-major.
    sums: Vec<DecayedSum>,
    windows: Vec<Window>,
}

impl OrderFlowImbalance {
    /// At the given 1-based `levels` over each of `windows` (both non-empty; levels ≥ 1).
    pub fn new(levels: &[usize], windows: &[Window]) -> Self {
        let levels: Vec<usize> = levels.iter().map(|&m| m.max(1) - 1).collect();
        let sums = levels
            .iter()
            .flat_map(|_| windows.iter().map(|&w| DecayedSum::new(w)))
            .collect();
        Self {
            levels,
            sums,
            windows: windows.to_vec(),
        }
    }
}

impl FeatureExtractor for OrderFlowImbalance {
    fn width(&self) -> usize {
        self.sums.len()
    }
    fn names(&self) -> Vec<String> {
        self.levels
            .iter()
            .flat_map(|m| {
                self.windows
                    .iter()
                    .map(move |w| format!("ofi_l{}_{}", m + 1, w.label()))
            })
            .collect()
    }
    fn levels_needed(&self) -> usize {
        self.levels.iter().max().map_or(1, |m| m + 1)
    }
    #[inline]
    fn update(&mut self, obs: &Observation<'_>, out: &mut [f64]) {
        let both = obs.book_valid && obs.prev_book_valid;
        let per_level = self.windows.len();
        for (k, &level) in self.levels.iter().enumerate() {
            let e = if both {
                order_flow_contribution(obs.bids, obs.asks, obs.prev_bids, obs.prev_asks, level)
            } else {
                0.0
            };
            let base = k * per_level;
            for (j, sum) in self.sums[base..base + per_level].iter_mut().enumerate() {
                out[base + j] = sum.update(obs.ts, e);
            }
        }
    }
    fn reset(&mut self) {
        self.sums.iter_mut().for_each(DecayedSum::reset);
    }
}

/// Per window: `signed_volume_{w}` = decayed sum of `sign · qty` over trades (lots), and
/// `trade_imbalance_{w}` = `(B − S) / (B + S)` with `B`, `S` the decayed buyer- and
/// seller-initiated volumes (in `[−1, 1]`; 0 while no signed trade is in the window).
/// Signs follow [`Observation`] (feed aggressor, else Lee–Ready). The trade-flow
/// imbalance is the trade counterpart of order-flow imbalance in Cont, Kukanov & Stoikov
/// (2014) and the order-flow measure of e.g. Chordia & Subrahmanyam (2004, "Order
/// imbalance and individual stock returns", J. Financial Economics 72(3)).
#[derive(Clone, Debug)]
pub struct TradeFlow {
    /// Per window: buy volume, sell volume.
    sums: Vec<[DecayedSum; 2]>,
}

impl TradeFlow {
    /// Over each of `windows` (non-empty).
    pub fn new(windows: &[Window]) -> Self {
        Self {
            sums: windows
                .iter()
                .map(|&w| [DecayedSum::new(w), DecayedSum::new(w)])
                .collect(),
        }
    }
}

impl FeatureExtractor for TradeFlow {
    fn width(&self) -> usize {
        2 * self.sums.len()
    }
    fn names(&self) -> Vec<String> {
        self.sums
            .iter()
            .flat_map(|[b, _]| {
                let l = b.window().label();
                [format!("signed_volume_{l}"), format!("trade_imbalance_{l}")]
            })
            .collect()
    }
    #[inline]
    fn update(&mut self, obs: &Observation<'_>, out: &mut [f64]) {
        let (buy, sell) = match obs.trade {
            Some(t) if t.sign > 0 => (t.qty.0 as f64, 0.0),
            Some(t) if t.sign < 0 => (0.0, t.qty.0 as f64),
            _ => (0.0, 0.0),
        };
        for (k, [b, s]) in self.sums.iter_mut().enumerate() {
            let vb = b.update(obs.ts, buy);
            let vs = s.update(obs.ts, sell);
            let total = vb + vs;
            out[2 * k] = vb - vs;
            out[2 * k + 1] = if total > 0.0 {
                ((vb - vs) / total).clamp(-1.0, 1.0)
            } else {
                0.0
            };
        }
    }
    fn reset(&mut self) {
        for [b, s] in &mut self.sums {
            b.reset();
            s.reset();
        }
    }
}

/// `trade_intensity_{w}`: an exponential-kernel estimate of the trade arrival rate.
///
/// With `N` the decayed count of trades and `h` the half-life: in clock time
/// `λ = N · ln 2 / h` trades per second (for Poisson arrivals at rate `r` its mean is
/// `r`, since `∫₀^∞ 2^(−t/h) dt = h / ln 2`); in event time `λ = N · (1 − 2^(−1/h))`, the
/// exponentially weighted fraction of events that are trades (in `[0, 1]`).
#[derive(Clone, Debug)]
pub struct TradeIntensity {
    sums: Vec<DecayedSum>,
    scales: Vec<f64>,
}

impl TradeIntensity {
    /// Over each of `windows` (non-empty).
    pub fn new(windows: &[Window]) -> Self {
        let scales = windows
            .iter()
            .map(|w| match *w {
                Window::Clock { half_life_ns } => std::f64::consts::LN_2 / (half_life_ns / 1e9),
                Window::Events { half_life } => 1.0 - (-1.0 / half_life).exp2(),
            })
            .collect();
        Self {
            sums: windows.iter().map(|&w| DecayedSum::new(w)).collect(),
            scales,
        }
    }
}

impl FeatureExtractor for TradeIntensity {
    fn width(&self) -> usize {
        self.sums.len()
    }
    fn names(&self) -> Vec<String> {
        self.sums
            .iter()
            .map(|s| format!("trade_intensity_{}", s.window().label()))
            .collect()
    }
    #[inline]
    fn update(&mut self, obs: &Observation<'_>, out: &mut [f64]) {
        let x = if obs.trade.is_some() { 1.0 } else { 0.0 };
        for (k, s) in self.sums.iter_mut().enumerate() {
            out[k] = s.update(obs.ts, x) * self.scales[k];
        }
    }
    fn reset(&mut self) {
        self.sums.iter_mut().for_each(DecayedSum::reset);
    }
}
