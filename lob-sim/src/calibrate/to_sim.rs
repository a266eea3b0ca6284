//! From a [`Calibration`] to a runnable simulator configuration, and the side-by-side
//! comparison of the simulated market with the data it was calibrated on.

use super::{Calibration, SizeDistribution};
use crate::error::{Error, Result};
use crate::sim::{FlowModel, SimConfig, SizeConfig};
use serde::{Deserialize, Serialize};
use shortfall_core::{BookView, MarketEvent, Ts};
use std::fmt::Write as _;

/// Log-normal size configuration from an empirical size summary, clamped at the largest
/// observed size.
fn lognormal(sizes: &SizeDistribution, field: &str) -> Result<SizeConfig> {
    if sizes.count == 0 || !sizes.lognormal_mu.is_finite() || !sizes.lognormal_sigma.is_finite() {
        return Err(Error::InvalidParameter {
            what: format!("calibration.{field}"),
            reason: "no sizes were observed, so no size distribution can be set".into(),
        });
    }
    Ok(SizeConfig::LogNormal {
        mu: sizes.lognormal_mu,
        sigma: sizes.lognormal_sigma.max(0.0),
        max_lots: sizes.max.max(1),
    })
}

impl Calibration {
    /// A zero-intelligence simulator configuration with this calibration's estimates:
    ///
    /// - limit-order arrival rate by distance `d` from the opposite best, per side: the mean
    ///   of the buy and sell *visible* rates at `d` (a level-1 file shows distance `d` only
    ///   while the spread is at least `d`, so the raw rate would understate it); distances
    ///   never visible get the raw rate;
    /// - market-order rate per side: half the total rate of (timestamp-grouped) market
    ///   orders;
    /// - cancellation rate per resting order: the rate estimated at the best per resting
    ///   order;
    /// - limit and market sizes: the log-normal fits, clamped at the largest observed size;
    /// - one lot = one share, the instrument's tick = the calibration's tick; the session as
    ///   long as the calibrated window, after a 5-minute warm-up from a 10-level book of
    ///   mean-sized orders around 100.00.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when an estimate is missing or unusable (no limit orders,
    /// no market orders, no cancellations), then as [`SimConfig::validate`].
    pub fn to_sim_config(&self) -> Result<SimConfig> {
        let zi = &self.zero_intelligence;
        let bad = |what: &str, reason: &str| Error::InvalidParameter {
            what: format!("calibration.{what}"),
            reason: reason.into(),
        };
        let mut rates = Vec::new();
        for row in &zi.by_opposite_distance {
            if row.distance_ticks < 1 {
                continue;
            }
            let visible: Vec<f64> = [row.buy_rate_visible_per_s, row.sell_rate_visible_per_s]
                .into_iter()
                .flatten()
                .filter(|r| r.is_finite())
                .collect();
            let rate = if visible.is_empty() {
                row.rate_per_s / 2.0
            } else {
                visible.iter().sum::<f64>() / visible.len() as f64
            };
            let index = (row.distance_ticks - 1) as usize;
            if rates.len() <= index {
                rates.resize(index + 1, 0.0);
            }
            rates[index] = rate;
        }
        while rates.last() == Some(&0.0) {
            rates.pop();
        }
        if rates.is_empty() {
            return Err(bad(
                "zero_intelligence.by_opposite_distance",
                "no limit orders at a positive distance from the opposite best",
            ));
        }
        let market = zi.market_orders.total_per_s / 2.0;
        if !(market.is_finite() && market > 0.0) {
            return Err(bad("zero_intelligence.market_orders", "no market orders"));
        }
        let cancel = zi.cancels.rate_per_resting_order_per_s;
        if !(cancel.is_finite() && cancel > 0.0) {
            return Err(bad(
                "zero_intelligence.cancels",
                "no cancellations at the best",
            ));
        }
        let mut config = SimConfig::default();
        config.flow.model = FlowModel::Zi;
        config.flow.zi.limit_rate_per_s_by_distance = rates;
        config.flow.zi.market_rate_per_s = market;
        config.flow.zi.cancel_rate_per_order_per_s = cancel;
        config.flow.zi.limit_size = lognormal(&zi.limit_sizes, "zero_intelligence.limit_sizes")?;
        config.flow.zi.market_size = lognormal(&zi.market_sizes, "zero_intelligence.market_sizes")?;
        config.session.duration_s = self.source.duration_s;
        config.session.warmup_s = 300.0;
        config.initial_book.levels = 10;
        config.initial_book.orders_per_level = 1;
        config.initial_book.order_size_lots = zi.limit_sizes.mean.round().max(1.0) as i64;
        config.validate()?;
        Ok(config)
    }
}

/// What the simulated market did, measured like [`super::DataStats`] measures the data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimulatedStats {
    /// Simulated seconds measured (after the warm-up).
    pub duration_s: f64,
    /// Time-weighted mean spread in ticks (sampled every 100 ms while both sides exist).
    pub mean_spread_ticks: f64,
    /// Limit-order arrivals per second that join or improve the best quote on their side
    /// (what a level-1 LOBSTER file shows).
    pub limit_per_s: f64,
    /// Cancellations (partial or full) per second of orders resting at the best quote.
    pub cancel_per_s: f64,
    /// All limit-order arrivals per second, at any depth.
    pub limit_all_per_s: f64,
    /// Market orders per second (executions grouped by timestamp and resting side, as the
    /// calibration groups the data's).
    pub market_per_s: f64,
    /// Sizes of those market orders.
    pub trade_sizes: SizeDistribution,
}

/// Runs `config` for its session after its warm-up and measures it.
///
/// # Errors
/// As [`SimConfig::build`].
pub fn simulate_stats(config: &SimConfig) -> Result<SimulatedStats> {
    let mut market = config.build()?;
    let warm = config.warmup_length();
    market.run_until(warm);
    market.record_events(true);
    // A mirror of the public feed, to see each event against the book just before it.
    let mut mirror = market.book().clone();
    let mut all_limits = 0u64;
    let end = Ts(warm.0 + config.session_length().0);
    let step = Ts(100_000_000);
    let mut t = warm;
    let (mut spread_sum, mut spread_n) = (0.0, 0u64);
    let mut events = Vec::new();
    let (mut limits, mut cancels) = (0u64, 0u64);
    let mut sizes = Vec::new();
    let mut group: Option<(Ts, shortfall_core::Side, i64)> = None;
    while t < end {
        t = Ts((t.0 + step.0).min(end.0));
        market.run_until(t);
        if let Some(s) = market.book().spread() {
            spread_sum += s.0 as f64;
            spread_n += 1;
        }
        events.clear();
        market.take_events(&mut events);
        for ev in &events {
            let best = |side| match side {
                shortfall_core::Side::Buy => mirror.best_bid().map(|l| l.price),
                shortfall_core::Side::Sell => mirror.best_ask().map(|l| l.price),
            };
            match *ev {
                MarketEvent::Add { side, price, .. } => {
                    all_limits += 1;
                    let at_or_inside = best(side).is_none_or(|b| match side {
                        shortfall_core::Side::Buy => price >= b,
                        shortfall_core::Side::Sell => price <= b,
                    });
                    if at_or_inside {
                        limits += 1;
                    }
                }
                MarketEvent::Cancel { order_id, .. } | MarketEvent::Delete { order_id, .. } => {
                    if let Some(o) = mirror.order(order_id)
                        && best(o.side) == Some(o.price)
                    {
                        cancels += 1;
                    }
                }
                MarketEvent::Execute { ts, side, qty, .. } => match &mut group {
                    Some((gts, gside, q)) if *gts == ts && *gside == side => *q += qty.0,
                    _ => {
                        if let Some((_, _, q)) = group.take() {
                            sizes.push(q);
                        }
                        group = Some((ts, side, qty.0));
                    }
                },
                _ => {}
            }
            mirror.apply(ev).map_err(|e| {
                Error::Inconsistent(format!("the simulator's feed disagrees with its book: {e}"))
            })?;
        }
    }
    if let Some((_, _, q)) = group {
        sizes.push(q);
    }
    let duration = config.session_length().0 as f64 / 1e9;
    Ok(SimulatedStats {
        duration_s: duration,
        mean_spread_ticks: if spread_n > 0 {
            spread_sum / spread_n as f64
        } else {
            f64::NAN
        },
        limit_per_s: limits as f64 / duration,
        limit_all_per_s: all_limits as f64 / duration,
        cancel_per_s: cancels as f64 / duration,
        market_per_s: sizes.len() as f64 / duration,
        trade_sizes: SizeDistribution::from_sizes(sizes),
    })
}

impl Calibration {
    /// A Markdown table of the data's statistics next to a simulation's.
    pub fn comparison_markdown(&self, sim: &SimulatedStats) -> String {
        let d = &self.data;
        let zi = &self.zero_intelligence;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "| statistic | data ({:.0} s) | simulation ({:.0} s) |\n|---|---|---|",
            self.source.duration_s, sim.duration_s
        );
        let mut row = |name: &str, a: f64, b: f64| {
            let _ = writeln!(s, "| {name} | {a:.4} | {b:.4} |");
        };
        row(
            "mean spread, ticks (time-weighted)",
            d.mean_spread_ticks_time_weighted,
            sim.mean_spread_ticks,
        );
        row(
            "limit orders per s joining or improving the best",
            zi.limit_rate_per_s,
            sim.limit_per_s,
        );
        row(
            "market orders per s (grouped executions)",
            zi.market_orders.total_per_s,
            sim.market_per_s,
        );
        row(
            "cancellations at the best per s",
            zi.cancels.events_at_best as f64 / self.source.duration_s,
            sim.cancel_per_s,
        );
        row(
            "market-order size, mean",
            zi.market_sizes.mean,
            sim.trade_sizes.mean,
        );
        for p in [0.5, 0.9] {
            if let (Some(a), Some(b)) = (zi.market_sizes.quantile(p), sim.trade_sizes.quantile(p)) {
                row(&format!("market-order size, q{:.0}", p * 100.0), a, b);
            }
        }
        let _ = writeln!(
            s,
            "\nA level-1 file shows only orders that join or improve the best quote and \
             cancellations at the best, so the simulation is measured the same way (it also \
             placed {:.4} limit orders per second at any depth).",
            sim.limit_all_per_s
        );
        s
    }
}
