//! Zero-intelligence Poisson flow (Smith, Farmer, Gillemot, Krishnamurthy 2003).

use super::{
    FlowCtx, LiveOrders, OrderFlow, after_exponential, distance_at, push_limit_from_opposite,
    push_market,
};
use crate::book::BookOutput;
use crate::error::{Error, Result};
use crate::sim::size::{SizeConfig, SizeDist};
use rand::RngExt;
use rand_distr::{Distribution, Exp1};
use serde::{Deserialize, Serialize};
use shortfall_core::{ExecReport, Liquidity, MarketEvent, OrderRequest, Price, Side, TraderId, Ts};

/// Parameters of [`ZeroIntelligence`] flow, in the units a calibration produces.
///
/// All rates are per second and per side (buy and sell are symmetric).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZiParams {
    /// Arrival rate of limit orders at distance `d = i + 1` ticks from the opposite best
    /// quote (a buy at `best_ask − d`, a sell at `best_bid + d`), per second, per side.
    pub limit_rate_per_s_by_distance: Vec<f64>,
    /// Arrival rate of market orders, per second, per side.
    pub market_rate_per_s: f64,
    /// Cancellation rate of each resting background order, per second: the side's total
    /// cancel intensity is this times the number of resting orders.
    pub cancel_rate_per_order_per_s: f64,
    /// Size of limit orders.
    #[serde(default)]
    pub limit_size: SizeConfig,
    /// Size of market orders.
    #[serde(default)]
    pub market_size: SizeConfig,
}

impl Default for ZiParams {
    /// A moderately active large-tick stock: about 60 requests per simulated second and
    /// about 100 resting orders.
    fn default() -> Self {
        ZiParams {
            limit_rate_per_s_by_distance: vec![
                2.0, 1.6, 1.3, 1.1, 0.9, 0.75, 0.6, 0.5, 0.4, 0.3, 0.3, 0.3, 0.2, 0.2, 0.2,
            ],
            market_rate_per_s: 1.5,
            cancel_rate_per_order_per_s: 0.2,
            limit_size: SizeConfig::LogNormal {
                mu: 0.5,
                sigma: 0.6,
                max_lots: 50,
            },
            market_size: SizeConfig::LogNormal {
                mu: 0.5,
                sigma: 0.8,
                max_lots: 50,
            },
        }
    }
}

/// Zero-intelligence order flow: independent Poisson streams of limit orders (placed at a
/// distance from the opposite best quote drawn from the configured rates), market orders,
/// and cancellations, each resting order being cancelled at a constant rate (so the
/// total cancel intensity is proportional to the number of resting orders), after Smith,
/// Farmer, Gillemot and Krishnamurthy (2003), "Statistical theory of the continuous double
/// auction", *Quantitative Finance* 3, §2.
///
/// The superposed process is sampled exactly with one exponential waiting time per event
/// (total intensity `Λ = 2ΣL_d + 2M + ν·N`, redrawn whenever `N` changes; exact because the
/// waiting time is memoryless) and one uniform `u ∈ [0, Λ)` that picks the event type, the
/// side, the distance, and, for a cancel, which resting order (`⌊(u − 2ΣL_d − 2M)/ν⌋`):
/// a uniform choice in O(1) over a swap-remove vector of live ids.
///
/// Orders are owned by [`TraderId::MARKET`]; orders the initial book seeds with background
/// ids are adopted too.
#[derive(Clone, Debug)]
pub struct ZeroIntelligence {
    /// Cumulative limit rates by distance, per side.
    cumulative: Vec<f64>,
    limit_per_side: f64,
    market_per_side: f64,
    cancel: f64,
    limit_size: SizeDist,
    market_size: SizeDist,
    live: LiveOrders,
    /// The last opposite-best prices seen, used when a side is empty (bids, asks).
    last_best: [Price; 2],
    total: f64,
    next: Ts,
}

fn check_rate(field: &str, v: f64) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(Error::Config {
            field: field.to_owned(),
            reason: format!("a rate must be finite and ≥ 0 per second, got {v}"),
        })
    }
}

impl ZeroIntelligence {
    /// Validates `params`; `field` is the config path used in errors (e.g. `flow.zi`), and
    /// `reference` is the price the flow assumes for an empty book.
    ///
    /// # Errors
    /// [`Error::Config`] naming the field for a negative or non-finite rate, no limit
    /// distances, an all-zero limit rate, or a bad size distribution.
    pub fn new(params: &ZiParams, field: &str, reference: Price) -> Result<Self> {
        if params.limit_rate_per_s_by_distance.is_empty() {
            return Err(Error::Config {
                field: format!("{field}.limit_rate_per_s_by_distance"),
                reason: "needs at least one distance".into(),
            });
        }
        let mut cumulative = Vec::with_capacity(params.limit_rate_per_s_by_distance.len());
        let mut total = 0.0;
        for (i, &r) in params.limit_rate_per_s_by_distance.iter().enumerate() {
            check_rate(&format!("{field}.limit_rate_per_s_by_distance[{i}]"), r)?;
            total += r;
            cumulative.push(total);
        }
        if total <= 0.0 {
            return Err(Error::Config {
                field: format!("{field}.limit_rate_per_s_by_distance"),
                reason: "all limit rates are zero: the book would empty".into(),
            });
        }
        check_rate(
            &format!("{field}.market_rate_per_s"),
            params.market_rate_per_s,
        )?;
        check_rate(
            &format!("{field}.cancel_rate_per_order_per_s"),
            params.cancel_rate_per_order_per_s,
        )?;
        Ok(Self {
            cumulative,
            limit_per_side: total,
            market_per_side: params.market_rate_per_s,
            cancel: params.cancel_rate_per_order_per_s,
            limit_size: params.limit_size.build(&format!("{field}.limit_size"))?,
            market_size: params.market_size.build(&format!("{field}.market_size"))?,
            live: LiveOrders::default(),
            last_best: [reference - Price(1), reference + Price(1)],
            total: 0.0,
            next: Ts::MAX,
        })
    }

    /// Number of resting background orders the flow may cancel.
    pub fn resting_orders(&self) -> usize {
        self.live.len()
    }

    /// The current total event intensity, per second.
    pub fn intensity(&self) -> f64 {
        self.total
    }
}

impl OrderFlow for ZeroIntelligence {
    #[inline]
    fn next_time(&self) -> Ts {
        self.next
    }

    #[inline]
    fn fire(&mut self, ctx: &mut FlowCtx<'_>, out: &mut Vec<OrderRequest>) {
        let limits = 2.0 * self.limit_per_side;
        let markets = 2.0 * self.market_per_side;
        let u = ctx.rng.random::<f64>() * self.total;
        if u < limits {
            let (side, v) = if u < self.limit_per_side {
                (Side::Buy, u)
            } else {
                (Side::Sell, u - self.limit_per_side)
            };
            let d = distance_at(&self.cumulative, v);
            push_limit_from_opposite(ctx, &mut self.last_best, side, d, &self.limit_size, out);
        } else if u < limits + markets {
            let side = if u - limits < self.market_per_side {
                Side::Buy
            } else {
                Side::Sell
            };
            push_market(ctx, side, &self.market_size, out);
        } else if self.live.len() > 0 {
            let index = (((u - limits - markets) / self.cancel) as usize).min(self.live.len() - 1);
            out.push(OrderRequest::Cancel {
                id: self.live.get(index),
                owner: TraderId::MARKET,
            });
        }
    }

    #[inline]
    fn on_output(&mut self, _now: Ts, output: &BookOutput) {
        for report in &output.reports {
            match *report {
                ExecReport::Fill(f)
                    if f.owner == TraderId::MARKET
                        && f.liquidity == Liquidity::Maker
                        && !f.leaves_qty.is_positive() =>
                {
                    self.live.remove(f.id);
                }
                ExecReport::Cancelled { id, owner, .. } if owner == TraderId::MARKET => {
                    self.live.remove(id);
                }
                _ => {}
            }
        }
        for event in &output.events {
            if let MarketEvent::Add { order_id, .. } = *event
                && order_id.0 & super::BACKGROUND_ID_BIT != 0
            {
                self.live.insert(order_id);
            }
        }
    }

    #[inline]
    fn schedule(&mut self, ctx: &mut FlowCtx<'_>) {
        self.total = 2.0 * (self.limit_per_side + self.market_per_side)
            + self.cancel * self.live.len() as f64;
        let e: f64 = Exp1.sample(ctx.rng);
        self.next = after_exponential(ctx.now, self.total, e);
    }

    fn name(&self) -> &'static str {
        "zi"
    }
}
