//! Metaorder impact measured in branches of one simulated market.
//!
//! A background copy of the market runs forward; every `spacing_s` it is cloned once per
//! metaorder size, and each clone (reseeded identically for all sizes of that run, so the
//! sizes are compared under common random numbers) executes one metaorder: child market
//! orders of `child_lots` at a constant rate, alternately buying and selling from run to
//! run. Impact is the signed mid move from the metaorder's start to its end (the peak), and
//! again `relaxation` × its duration after the end (the permanent part). The mean impact
//! against size is fitted with a power law `I ∝ Q^δ` (square-root law: δ ≈ ½; Tóth et al.
//! 2011, "Anomalous price impact and the critical nature of liquidity", *PRX* 1).

use super::flow::OrderFlow;
use super::latency::Latency;
use super::market::{Market, StrategySpec};
use super::stats::{PowerLawFit, fit_power_law, mean};
use crate::error::{Error, Result};
use shortfall_core::{BookView, NewOrder, OrderId, OrderRequest, Qty, Side, TraderId, Ts};

/// How metaorders are run.
#[derive(Clone, Debug, PartialEq)]
pub struct MetaorderSpec {
    /// Metaorder sizes in lots (each a multiple of `child_lots`).
    pub sizes_lots: Vec<i64>,
    /// Lots per child market order.
    pub child_lots: i64,
    /// Execution rate, lots per second (the duration of a size-Q metaorder is Q / rate).
    pub rate_lots_per_s: f64,
    /// Independent runs per size.
    pub runs: usize,
    /// Simulated seconds the background market advances between runs.
    pub spacing_s: f64,
    /// The permanent impact is read this many metaorder durations after its end.
    pub relaxation: f64,
    /// The trader id of the metaorder's strategy.
    pub trader: TraderId,
    /// Seed of the branches' random streams.
    pub seed: u64,
}

impl Default for MetaorderSpec {
    fn default() -> Self {
        MetaorderSpec {
            sizes_lots: vec![10, 20, 40, 80, 160],
            child_lots: 1,
            rate_lots_per_s: 1.0,
            runs: 100,
            spacing_s: 60.0,
            relaxation: 1.0,
            trader: TraderId(1),
            seed: 1,
        }
    }
}

/// The impact of one metaorder size, averaged over runs.
#[derive(Clone, Debug, PartialEq)]
pub struct ImpactPoint {
    /// Metaorder size, lots.
    pub size_lots: i64,
    /// Mean signed mid move from start to end, ticks.
    pub mean_peak_ticks: f64,
    /// Its standard error.
    pub se_peak_ticks: f64,
    /// Mean signed mid move from start to the relaxation time, ticks.
    pub mean_permanent_ticks: f64,
    /// Its standard error.
    pub se_permanent_ticks: f64,
    /// Runs averaged.
    pub runs: usize,
}

/// Impact against size, and the fitted exponent.
#[derive(Clone, Debug, PartialEq)]
pub struct ImpactCurve {
    /// One point per size.
    pub points: Vec<ImpactPoint>,
    /// Power-law fit of mean peak impact on size (`None` when a mean is not positive).
    pub fit: Option<PowerLawFit>,
}

fn mean_and_se(x: &[f64]) -> (f64, f64) {
    let m = mean(x);
    let n = x.len() as f64;
    let var = x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0).max(1.0);
    (m, (var / n).sqrt())
}

impl MetaorderSpec {
    fn validate(&self) -> Result<()> {
        let bad = |field: &str, reason: String| Error::Config {
            field: format!("impact.{field}"),
            reason,
        };
        if self.child_lots < 1 {
            return Err(bad(
                "child_lots",
                format!("must be ≥ 1, got {}", self.child_lots),
            ));
        }
        if self.sizes_lots.is_empty() {
            return Err(bad("sizes_lots", "needs at least one size".into()));
        }
        for (i, &q) in self.sizes_lots.iter().enumerate() {
            if q < self.child_lots || q % self.child_lots != 0 {
                return Err(bad(
                    &format!("sizes_lots[{i}]"),
                    format!(
                        "{q} is not a positive multiple of child_lots {}",
                        self.child_lots
                    ),
                ));
            }
        }
        for (field, v) in [
            ("rate_lots_per_s", self.rate_lots_per_s),
            ("spacing_s", self.spacing_s),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(bad(field, format!("must be finite and > 0, got {v}")));
            }
        }
        if !(self.relaxation.is_finite() && self.relaxation >= 0.0) {
            return Err(bad(
                "relaxation",
                format!("must be finite and ≥ 0, got {}", self.relaxation),
            ));
        }
        if self.runs < 2 {
            return Err(bad(
                "runs",
                format!("needs ≥ 2 runs for an error bar, got {}", self.runs),
            ));
        }
        Ok(())
    }
}

/// The mid, or `fallback` while a side is empty.
fn mid_or<F: OrderFlow>(market: &Market<F>, fallback: f64) -> f64 {
    market.book().mid().unwrap_or(fallback)
}

/// One metaorder in `market` from its current time; returns the signed (peak, permanent)
/// mid moves in ticks.
fn run_metaorder<F: OrderFlow>(
    market: &mut Market<F>,
    strategy: super::market::StrategyId,
    spec: &MetaorderSpec,
    size: i64,
    side: Side,
) -> (f64, f64) {
    let start = market.now();
    let mid0 = mid_or(market, f64::NAN);
    let children = size / spec.child_lots;
    let interval = spec.child_lots as f64 / spec.rate_lots_per_s;
    let mut last = mid0;
    for k in 0..children {
        let t = Ts(start.0 + (k as f64 * interval * 1e9).round() as i64);
        market.run_until(t);
        last = mid_or(market, last);
        let order = NewOrder::market(
            OrderId(k as u64 + 1),
            spec.trader,
            side,
            Qty(spec.child_lots),
        );
        // The handle and the owner come from the same spec: a refusal cannot happen.
        let _ = market.submit(strategy, OrderRequest::New(order));
    }
    let duration = children as f64 * interval;
    let end = Ts(start.0 + (duration * 1e9).round() as i64);
    market.run_until(end);
    let mid_end = mid_or(market, last);
    let relax = Ts(end.0 + (spec.relaxation * duration * 1e9).round() as i64);
    market.run_until(relax);
    let mid_relaxed = mid_or(market, mid_end);
    let sign = side.sign() as f64;
    (sign * (mid_end - mid0), sign * (mid_relaxed - mid0))
}

/// Measures the impact curve of `spec` in branches of `market` (which is advanced by
/// `runs × spacing_s` and gets the metaorder strategy connected, idle). `progress(done, total)` is called after every metaorder.
///
/// # Errors
/// [`Error::Config`] naming an invalid field of `spec` (as `impact.<field>`), or when the
/// strategy's trader id belongs to the flow; [`Error::Inconsistent`] when the book has no
/// mid at a metaorder's start.
pub fn measure_impact<F: OrderFlow + Clone>(
    market: &mut Market<F>,
    spec: &MetaorderSpec,
    mut progress: impl FnMut(usize, usize),
) -> Result<ImpactCurve> {
    spec.validate()?;
    let strategy = market.add_strategy(StrategySpec {
        trader: spec.trader,
        order_latency: Latency::ZERO,
        market_data: None,
    })?;
    let sizes = spec.sizes_lots.len();
    let mut peaks = vec![Vec::with_capacity(spec.runs); sizes];
    let mut permanents = vec![Vec::with_capacity(spec.runs); sizes];
    let spacing = Ts((spec.spacing_s * 1e9).round() as i64);
    for run in 0..spec.runs {
        market.run_until(Ts(market.now().0 + spacing.0));
        if market.book().mid().is_none() {
            return Err(Error::Inconsistent(format!(
                "impact run {run}: the book has an empty side at {}",
                market.now()
            )));
        }
        let side = if run % 2 == 0 { Side::Buy } else { Side::Sell };
        for (i, &size) in spec.sizes_lots.iter().enumerate() {
            let mut branch = market.clone();
            branch.reseed(spec.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ run as u64);
            let (peak, permanent) = run_metaorder(&mut branch, strategy, spec, size, side);
            peaks[i].push(peak);
            permanents[i].push(permanent);
            progress(run * sizes + i + 1, spec.runs * sizes);
        }
    }
    let points: Vec<ImpactPoint> = spec
        .sizes_lots
        .iter()
        .enumerate()
        .map(|(i, &size)| {
            let (mp, sp) = mean_and_se(&peaks[i]);
            let (mq, sq) = mean_and_se(&permanents[i]);
            ImpactPoint {
                size_lots: size,
                mean_peak_ticks: mp,
                se_peak_ticks: sp,
                mean_permanent_ticks: mq,
                se_permanent_ticks: sq,
                runs: spec.runs,
            }
        })
        .collect();
    let q: Vec<f64> = points.iter().map(|p| p.size_lots as f64).collect();
    let y: Vec<f64> = points.iter().map(|p| p.mean_peak_ticks).collect();
    let fit = fit_power_law(&q, &y).ok();
    Ok(ImpactCurve { points, fit })
}
