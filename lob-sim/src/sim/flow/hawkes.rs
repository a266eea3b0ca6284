//! Multivariate Hawkes flow: order arrivals timed by a self-exciting process.

use super::{
    FlowCtx, LiveOrders, OrderFlow, after_exponential, distance_at, push_limit_from_opposite,
    push_market,
};
use crate::book::BookOutput;
use crate::error::{Error, Result};
use crate::hawkes::{HawkesParams, HawkesSampler};
use crate::sim::size::{SizeConfig, SizeDist};
use rand::RngExt;
use rand_distr::{Distribution, Exp1};
use serde::{Deserialize, Serialize};
use shortfall_core::{ExecReport, Liquidity, MarketEvent, OrderRequest, Price, Side, TraderId, Ts};

/// The event types of [`HawkesFlow`], in the order of the parameters' rows and columns.
pub const HAWKES_EVENT_TYPES: [&str; 6] = [
    "market_buy",
    "market_sell",
    "limit_bid",
    "limit_ask",
    "cancel_bid",
    "cancel_ask",
];

/// Parameters of [`HawkesFlow`]: a 6-dimensional exponential Hawkes process over the event
/// types of [`HAWKES_EVENT_TYPES`] (rates per second; row `i` of `alpha`/`beta` holds the
/// kernels into type `i`), plus where limit orders go, sizes, and a per-order cancellation
/// rate that keeps the book stationary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HawkesFlowParams {
    /// Baseline intensities μ_i, per second.
    pub mu: Vec<f64>,
    /// Jump sizes α_ij of the intensity of type `i` after an event of type `j`, per second.
    pub alpha: Vec<Vec<f64>>,
    /// Decay rates β_ij, per second.
    pub beta: Vec<Vec<f64>>,
    /// Relative weights of the distance `d = i + 1` ticks from the opposite best quote at
    /// which limit orders are placed.
    pub limit_distance_weights: Vec<f64>,
    /// Cancellation rate of each resting background order, per second, on top of the
    /// Hawkes cancel events (without it the book size would be a random walk).
    pub cancel_rate_per_order_per_s: f64,
    /// Size of limit orders.
    #[serde(default)]
    pub limit_size: SizeConfig,
    /// Size of market orders.
    #[serde(default)]
    pub market_size: SizeConfig,
}

impl Default for HawkesFlowParams {
    /// Market orders excite themselves and each other with a slow kernel (β = 0.02/s,
    /// branching ratio 0.85 within the market-order block, so bursts of trading last minutes)
    /// and excite limit orders on the side they deplete (β = 1/s, a fast refill); about 13
    /// events per second in all.
    fn default() -> Self {
        let slow = 0.02;
        let fast = 1.0;
        HawkesFlowParams {
            mu: vec![0.1, 0.1, 3.0, 3.0, 0.3, 0.3],
            alpha: vec![
                vec![0.012, 0.005, 0.0, 0.0, 0.0, 0.0],
                vec![0.005, 0.012, 0.0, 0.0, 0.0, 0.0],
                vec![0.0, 0.5, 0.0, 0.0, 0.0, 0.0],
                vec![0.5, 0.0, 0.0, 0.0, 0.0, 0.0],
                vec![0.0, 0.0, 0.2, 0.0, 0.0, 0.0],
                vec![0.0, 0.0, 0.0, 0.2, 0.0, 0.0],
            ],
            beta: vec![
                vec![slow, slow, fast, fast, fast, fast],
                vec![slow, slow, fast, fast, fast, fast],
                vec![fast; 6],
                vec![fast; 6],
                vec![fast; 6],
                vec![fast; 6],
            ],
            limit_distance_weights: vec![4.0, 3.0, 2.0, 1.5, 1.0, 0.8, 0.6, 0.4],
            cancel_rate_per_order_per_s: 0.05,
            limit_size: SizeConfig::Constant { lots: 1 },
            market_size: SizeConfig::LogNormal {
                mu: 0.3,
                sigma: 0.7,
                max_lots: 20,
            },
        }
    }
}

/// Order flow whose arrival times follow a multivariate exponential Hawkes process (Hawkes
/// 1971; for order books, Bacry, Mastromatteo, Muzy 2015, "Hawkes processes in finance",
/// *Market Microstructure and Liquidity* 1), sampled exactly by
/// [`crate::hawkes::HawkesSampler`]. Market events take liquidity, limit events rest at a
/// distance from the opposite best drawn from the configured weights, cancel events remove
/// a uniformly chosen background order of their side; independently, every resting order
/// is cancelled at a constant rate (a Poisson clock superposed with the Hawkes one, redrawn
/// when the number of orders changes, exactly as in [`super::ZeroIntelligence`]).
#[derive(Clone, Debug)]
pub struct HawkesFlow {
    sampler: HawkesSampler,
    /// The next Hawkes event (time, type), drawn ahead.
    pending: Option<(Ts, usize)>,
    cancel_rate: f64,
    cancel_next: Ts,
    distance_cumulative: Vec<f64>,
    limit_size: SizeDist,
    market_size: SizeDist,
    /// Live background orders per side (bids, asks).
    live: [LiveOrders; 2],
    last_best: [Price; 2],
}

impl HawkesFlow {
    /// Validates `params`; `field` names the section in errors; `reference` is the price the
    /// flow assumes for an empty book; `start` is the process's time origin.
    ///
    /// # Errors
    /// [`Error::Config`] naming the field for parameters [`HawkesParams::new`] rejects (not
    /// 6 × 6, non-positive μ or β, negative α, or a branching ratio ≥ 1), bad distance
    /// weights, a negative cancel rate or a bad size distribution.
    pub fn new(
        params: &HawkesFlowParams,
        field: &str,
        reference: Price,
        start: Ts,
    ) -> Result<Self> {
        let bad = |name: &str, reason: String| Error::Config {
            field: format!("{field}.{name}"),
            reason,
        };
        if params.mu.len() != HAWKES_EVENT_TYPES.len() {
            return Err(bad(
                "mu",
                format!(
                    "needs one rate per event type {:?}, got {}",
                    HAWKES_EVENT_TYPES,
                    params.mu.len()
                ),
            ));
        }
        let process =
            HawkesParams::new(params.mu.clone(), params.alpha.clone(), params.beta.clone())
                .map_err(|e| Error::Config {
                    field: field.to_owned(),
                    reason: e.to_string(),
                })?;
        let mut distance_cumulative = Vec::with_capacity(params.limit_distance_weights.len());
        let mut total = 0.0;
        for (i, &w) in params.limit_distance_weights.iter().enumerate() {
            if !(w.is_finite() && w >= 0.0) {
                return Err(bad(
                    &format!("limit_distance_weights[{i}]"),
                    format!("must be finite and ≥ 0, got {w}"),
                ));
            }
            total += w;
            distance_cumulative.push(total);
        }
        if total <= 0.0 {
            return Err(bad(
                "limit_distance_weights",
                "needs at least one positive weight".into(),
            ));
        }
        for c in &mut distance_cumulative {
            *c /= total;
        }
        let nu = params.cancel_rate_per_order_per_s;
        if !(nu.is_finite() && nu >= 0.0) {
            return Err(bad(
                "cancel_rate_per_order_per_s",
                format!("a rate must be finite and ≥ 0 per second, got {nu}"),
            ));
        }
        Ok(Self {
            sampler: HawkesSampler::new(process, start.as_secs_f64()),
            pending: None,
            cancel_rate: nu,
            cancel_next: Ts::MAX,
            distance_cumulative,
            limit_size: params.limit_size.build(&format!("{field}.limit_size"))?,
            market_size: params.market_size.build(&format!("{field}.market_size"))?,
            live: [LiveOrders::default(), LiveOrders::default()],
            last_best: [reference - Price(1), reference + Price(1)],
        })
    }

    /// The Hawkes process's current intensity of event type `i` (see
    /// [`HAWKES_EVENT_TYPES`]), at the time of its last event.
    pub fn intensity(&self, i: usize) -> f64 {
        self.sampler.intensity(i)
    }

    fn resting(&self) -> usize {
        self.live[0].len() + self.live[1].len()
    }

    fn cancel_random(&self, side: Side, ctx: &mut FlowCtx<'_>, out: &mut Vec<OrderRequest>) {
        let live = &self.live[side as usize];
        if live.len() > 0 {
            let i = ctx.rng.random_range(0..live.len());
            out.push(OrderRequest::Cancel {
                id: live.get(i),
                owner: TraderId::MARKET,
            });
        }
    }
}

impl OrderFlow for HawkesFlow {
    #[inline]
    fn next_time(&self) -> Ts {
        self.pending.map_or(Ts::MAX, |p| p.0).min(self.cancel_next)
    }

    fn fire(&mut self, ctx: &mut FlowCtx<'_>, out: &mut Vec<OrderRequest>) {
        let hawkes = self.pending.filter(|p| p.0 <= self.cancel_next);
        let Some((_, kind)) = hawkes else {
            // The per-order cancellation clock: a uniform resting order of either side.
            self.cancel_next = Ts::MAX;
            let n = self.resting();
            if n > 0 {
                let i = ctx.rng.random_range(0..n);
                let (side, index) = if i < self.live[0].len() {
                    (Side::Buy, i)
                } else {
                    (Side::Sell, i - self.live[0].len())
                };
                out.push(OrderRequest::Cancel {
                    id: self.live[side as usize].get(index),
                    owner: TraderId::MARKET,
                });
            }
            return;
        };
        self.pending = None;
        match kind {
            0 | 1 => {
                let side = if kind == 0 { Side::Buy } else { Side::Sell };
                push_market(ctx, side, &self.market_size, out);
            }
            2 | 3 => {
                let side = if kind == 2 { Side::Buy } else { Side::Sell };
                let u: f64 = ctx.rng.random();
                let d = distance_at(&self.distance_cumulative, u);
                push_limit_from_opposite(ctx, &mut self.last_best, side, d, &self.limit_size, out);
            }
            _ => {
                let side = if kind == 4 { Side::Buy } else { Side::Sell };
                self.cancel_random(side, ctx, out);
            }
        }
    }

    fn on_output(&mut self, _now: Ts, output: &BookOutput) {
        for report in &output.reports {
            match *report {
                ExecReport::Fill(f)
                    if f.owner == TraderId::MARKET
                        && f.liquidity == Liquidity::Maker
                        && !f.leaves_qty.is_positive() =>
                {
                    self.live[f.side as usize].remove(f.id);
                }
                ExecReport::Cancelled { id, owner, .. }
                    if owner == TraderId::MARKET && !self.live[0].remove(id) =>
                {
                    self.live[1].remove(id);
                }
                _ => {}
            }
        }
        for event in &output.events {
            if let MarketEvent::Add { order_id, side, .. } = *event
                && order_id.0 & super::BACKGROUND_ID_BIT != 0
            {
                self.live[side as usize].insert(order_id);
            }
        }
    }

    fn schedule(&mut self, ctx: &mut FlowCtx<'_>) {
        if self.pending.is_none() {
            let (t, kind) = self.sampler.next_event(ctx.rng);
            let ts = Ts((t * 1e9).round() as i64).max(ctx.now);
            self.pending = Some((ts, kind));
        }
        let e: f64 = Exp1.sample(ctx.rng);
        self.cancel_next = after_exponential(ctx.now, self.cancel_rate * self.resting() as f64, e);
    }

    fn name(&self) -> &'static str {
        "hawkes"
    }
}
