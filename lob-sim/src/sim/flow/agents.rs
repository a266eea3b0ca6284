//! ABIDES-style agent flow: noise, value and momentum traders around a market maker whose
//! fair value learns from order flow.

use super::{FlowCtx, OrderFlow, after_exponential, push_market};
use crate::book::BookOutput;
use crate::error::{Error, Result};
use crate::sim::size::{SizeConfig, SizeDist};
use rand::RngExt;
use rand_distr::{Distribution, Exp1, StandardNormal};
use serde::{Deserialize, Serialize};
use shortfall_core::{
    BookView, ExecReport, MarketEvent, NewOrder, OrderId, OrderRequest, Price, Qty, Side,
    TimeInForce, TraderId, Ts,
};

/// The first trader id of the agents (market maker, value agents, momentum agents follow).
/// Strategies must use other ids.
pub const AGENT_TRADER_BASE: u32 = 1_000_000;
const MAKER: TraderId = TraderId(AGENT_TRADER_BASE);
const VALUE: TraderId = TraderId(AGENT_TRADER_BASE + 1);
const MOMENTUM: TraderId = TraderId(AGENT_TRADER_BASE + 2);

/// Parameters of [`AgentFlow`]. Prices are in ticks, sizes in lots, rates per second.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentParams {
    /// Arrival rate of noise traders (market orders, random side).
    pub noise_rate_per_s: f64,
    /// Noise traders' order size.
    pub noise_size: SizeConfig,
    /// Arrival rate of value agents.
    pub value_rate_per_s: f64,
    /// Value agents' order size.
    pub value_size_lots: i64,
    /// Mean-reversion speed κ of the fundamental (an Ornstein–Uhlenbeck process around the
    /// initial mid), per second.
    pub fundamental_reversion_per_s: f64,
    /// Volatility of the fundamental, ticks per √second.
    pub fundamental_vol_ticks: f64,
    /// Standard deviation of each value agent's private observation of the fundamental.
    pub value_observation_noise_ticks: f64,
    /// A value agent trades only when its observation is this far beyond the touch.
    pub value_threshold_ticks: f64,
    /// Arrival rate of momentum agents.
    pub momentum_rate_per_s: f64,
    /// Time constant of the short moving average of the mid, seconds.
    pub momentum_short_s: f64,
    /// Time constant of the long moving average of the mid, seconds.
    pub momentum_long_s: f64,
    /// A momentum agent trades when the averages differ by more than this.
    pub momentum_threshold_ticks: f64,
    /// Momentum agents' order size.
    pub momentum_size_lots: i64,
    /// Price levels the market maker quotes per side.
    pub maker_levels: u32,
    /// Size of its best quotes.
    pub maker_size_lots: i64,
    /// Extra size per level away from the touch (a depth profile growing linearly).
    pub maker_size_step_lots: i64,
    /// Half-spread around the fair value before rounding outwards to ticks.
    pub maker_half_spread_ticks: f64,
    /// Rate of the market maker's periodic re-quotes.
    pub maker_refresh_rate_per_s: f64,
    /// Delay between a trade and the maker's re-quote, microseconds.
    pub maker_reaction_us: f64,
    /// Time scales τ_j of the maker's learning kernel, seconds.
    pub impact_timescales_s: Vec<f64>,
    /// Scale `g` of the transient kernel `g·Σ_j τ_j^(−½)·e^(−t/τ_j)`, ticks per lot.
    pub transient_impact_ticks_per_lot: f64,
    /// Permanent part of the kernel, ticks per lot.
    pub permanent_impact_ticks_per_lot: f64,
}

impl Default for AgentParams {
    /// A market in which a metaorder trading 1 lot/s for 10–160 s moves the price by a
    /// few ticks (see the `simulate` example's impact curve).
    fn default() -> Self {
        AgentParams {
            noise_rate_per_s: 2.0,
            noise_size: SizeConfig::LogNormal {
                mu: 0.3,
                sigma: 0.6,
                max_lots: 20,
            },
            value_rate_per_s: 0.1,
            value_size_lots: 2,
            fundamental_reversion_per_s: 1.0 / 1800.0,
            fundamental_vol_ticks: 0.05,
            value_observation_noise_ticks: 1.0,
            value_threshold_ticks: 1.0,
            momentum_rate_per_s: 0.2,
            momentum_short_s: 10.0,
            momentum_long_s: 60.0,
            momentum_threshold_ticks: 0.5,
            momentum_size_lots: 1,
            maker_levels: 8,
            maker_size_lots: 3,
            maker_size_step_lots: 1,
            maker_half_spread_ticks: 0.25,
            maker_refresh_rate_per_s: 1.0,
            maker_reaction_us: 500.0,
            impact_timescales_s: vec![1.0, 4.0, 16.0, 64.0, 256.0, 1024.0],
            transient_impact_ticks_per_lot: 0.3,
            permanent_impact_ticks_per_lot: 0.015,
        }
    }
}

/// Which Poisson clock fired.
#[derive(Copy, Clone, Debug)]
enum Arrival {
    Noise,
    Value,
    Momentum,
    Refresh,
}

/// ABIDES-style agent-based flow (after Byrd, Hybinette, Balch 2020, "ABIDES: towards
/// high-fidelity multi-agent market simulation", SIGSIM-PADS): noise traders send market
/// orders; value agents observe a noisy mean-reverting fundamental and take liquidity when
/// it is beyond the touch; momentum agents follow the crossing of two moving averages of
/// the mid; one market maker quotes a ladder of `maker_levels` levels per side, depth
/// growing linearly away from the touch, around its fair value.
///
/// **Where impact comes from.** The maker treats order flow as information: every trade of
/// signed size `q` (positive when the buyer was the aggressor) moves its fair value by
/// `q·G(t − t_trade)` with the kernel `G(t) = G_∞ + g·Σ_j τ_j^(−½)·e^(−t/τ_j)`. `G_∞ > 0`
/// is Kyle's (1985) permanent, informational impact; the transient part is a
/// sum-of-exponentials approximation of the power-law propagator `G(t) ∝ t^(−½)` of
/// Bouchaud, Gefen, Potters, Wyart (2004), "Fluctuations and response in financial
/// markets", *Quant. Finance* 4. A metaorder at a constant rate `r` for a time `T` then moves
/// the price by `r·∫₀ᵀG ≈ G_∞·Q + c·√Q` over the covered time scales: concave (square-root
/// law, Tóth et al. 2011) and permanent in part. The concavity is thus a property of the
/// maker's learning rule, not an emergent one; the other agents add noise, mean reversion
/// (value) and trend amplification (momentum) around it.
///
/// The four Poisson clocks (noise, value, momentum, maker refresh) are sampled as one
/// superposed clock (one exponential and one uniform draw per arrival); the maker also
/// re-quotes `maker_reaction_us` after each trade. Re-quoting moves only the orders whose
/// price left the ladder (a `Modify` to a missing price), so a one-tick move costs about
/// one request per side.
#[derive(Clone, Debug)]
pub struct AgentFlow {
    p: AgentParams,
    noise_size: SizeDist,
    rates: [f64; 4],
    total_rate: f64,
    poisson_next: Ts,
    requote_at: Ts,
    reaction: Ts,
    /// Fundamental value (ticks) and its update time.
    fundamental: f64,
    fundamental_mean: f64,
    fundamental_at: Ts,
    /// Moving averages of the mid (short, long) and their update time.
    ema: [f64; 2],
    ema_at: Ts,
    /// The maker's learning state: fair-value anchor (incl. permanent impact), the
    /// exponential filters of signed volume, and when they were last decayed.
    anchor: f64,
    filters: Vec<f64>,
    weights: Vec<f64>,
    filters_at: Ts,
    /// The maker's live quotes per side: (id, price, remaining).
    quotes: [Vec<(OrderId, Price, Qty)>; 2],
}

impl AgentFlow {
    /// Validates `params`; `field` names the config section in errors; `reference` is the
    /// initial mid in ticks (the fundamental's mean and the maker's first fair value).
    ///
    /// # Errors
    /// [`Error::Config`] naming the field for a negative or non-finite rate or scale, a
    /// size below one lot, no quote levels, or a non-positive time scale.
    pub fn new(params: &AgentParams, field: &str, reference: Price) -> Result<Self> {
        let bad = |name: &str, reason: String| Error::Config {
            field: format!("{field}.{name}"),
            reason,
        };
        let non_negative = |name: &str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(bad(name, format!("must be finite and ≥ 0, got {v}")))
            }
        };
        let p = params;
        for (name, v) in [
            ("noise_rate_per_s", p.noise_rate_per_s),
            ("value_rate_per_s", p.value_rate_per_s),
            ("fundamental_reversion_per_s", p.fundamental_reversion_per_s),
            ("fundamental_vol_ticks", p.fundamental_vol_ticks),
            (
                "value_observation_noise_ticks",
                p.value_observation_noise_ticks,
            ),
            ("value_threshold_ticks", p.value_threshold_ticks),
            ("momentum_rate_per_s", p.momentum_rate_per_s),
            ("momentum_threshold_ticks", p.momentum_threshold_ticks),
            ("maker_half_spread_ticks", p.maker_half_spread_ticks),
            ("maker_refresh_rate_per_s", p.maker_refresh_rate_per_s),
            ("maker_reaction_us", p.maker_reaction_us),
            (
                "transient_impact_ticks_per_lot",
                p.transient_impact_ticks_per_lot,
            ),
            (
                "permanent_impact_ticks_per_lot",
                p.permanent_impact_ticks_per_lot,
            ),
        ] {
            non_negative(name, v)?;
        }
        for (name, v) in [
            ("momentum_short_s", p.momentum_short_s),
            ("momentum_long_s", p.momentum_long_s),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(bad(name, format!("must be finite and > 0 s, got {v}")));
            }
        }
        for (name, v) in [
            ("value_size_lots", p.value_size_lots),
            ("momentum_size_lots", p.momentum_size_lots),
            ("maker_size_lots", p.maker_size_lots),
        ] {
            if v < 1 {
                return Err(bad(name, format!("must be ≥ 1 lot, got {v}")));
            }
        }
        if p.maker_size_step_lots < 0 {
            return Err(bad(
                "maker_size_step_lots",
                format!("must be ≥ 0, got {}", p.maker_size_step_lots),
            ));
        }
        if p.maker_levels == 0 {
            return Err(bad(
                "maker_levels",
                "the maker needs at least one level".into(),
            ));
        }
        for (i, &tau) in p.impact_timescales_s.iter().enumerate() {
            if !(tau.is_finite() && tau > 0.0) {
                return Err(bad(
                    &format!("impact_timescales_s[{i}]"),
                    format!("must be finite and > 0 s, got {tau}"),
                ));
            }
        }
        let rates = [
            p.noise_rate_per_s,
            p.value_rate_per_s,
            p.momentum_rate_per_s,
            p.maker_refresh_rate_per_s,
        ];
        let mid = reference.0 as f64;
        Ok(Self {
            noise_size: p.noise_size.build(&format!("{field}.noise_size"))?,
            rates,
            total_rate: rates.iter().sum(),
            poisson_next: Ts::MAX,
            requote_at: Ts::MIN,
            reaction: Ts((p.maker_reaction_us * 1e3).round() as i64),
            fundamental: mid,
            fundamental_mean: mid,
            fundamental_at: Ts::MIN,
            ema: [mid, mid],
            ema_at: Ts::MIN,
            anchor: mid,
            filters: vec![0.0; p.impact_timescales_s.len()],
            weights: p
                .impact_timescales_s
                .iter()
                .map(|tau| p.transient_impact_ticks_per_lot / tau.sqrt())
                .collect(),
            filters_at: Ts::MIN,
            quotes: [Vec::new(), Vec::new()],
            p: p.clone(),
        })
    }

    /// The market maker's current fair value in ticks (without decaying to now).
    pub fn fair_value(&self) -> f64 {
        self.anchor
            + self
                .filters
                .iter()
                .zip(&self.weights)
                .map(|(x, w)| x * w)
                .sum::<f64>()
    }

    /// The current fundamental value in ticks.
    pub fn fundamental(&self) -> f64 {
        self.fundamental
    }

    /// Decays the learning filters to `now`.
    fn decay_filters(&mut self, now: Ts) {
        if self.filters_at == Ts::MIN {
            self.filters_at = now;
            return;
        }
        let dt = (now.0 - self.filters_at.0) as f64 * 1e-9;
        if dt > 0.0 {
            for (x, tau) in self.filters.iter_mut().zip(&self.p.impact_timescales_s) {
                *x *= (-dt / tau).exp();
            }
            self.filters_at = now;
        }
    }

    /// Exact Ornstein–Uhlenbeck transition of the fundamental to `now`.
    fn advance_fundamental(&mut self, now: Ts, rng: &mut super::SimRng) {
        if self.fundamental_at == Ts::MIN {
            self.fundamental_at = now;
            return;
        }
        let dt = (now.0 - self.fundamental_at.0) as f64 * 1e-9;
        if dt <= 0.0 {
            return;
        }
        let kappa = self.p.fundamental_reversion_per_s;
        let sigma = self.p.fundamental_vol_ticks;
        let (decay, var) = if kappa > 0.0 {
            let d = (-kappa * dt).exp();
            (d, sigma * sigma * (1.0 - d * d) / (2.0 * kappa))
        } else {
            (1.0, sigma * sigma * dt)
        };
        let z: f64 = StandardNormal.sample(rng);
        self.fundamental = self.fundamental_mean
            + (self.fundamental - self.fundamental_mean) * decay
            + var.sqrt() * z;
        self.fundamental_at = now;
    }

    fn update_emas(&mut self, now: Ts, mid: f64) {
        if self.ema_at == Ts::MIN {
            self.ema = [mid, mid];
        } else {
            let dt = (now.0 - self.ema_at.0) as f64 * 1e-9;
            for (e, tau) in self
                .ema
                .iter_mut()
                .zip([self.p.momentum_short_s, self.p.momentum_long_s])
            {
                *e += (1.0 - (-dt / tau).exp()) * (mid - *e);
            }
        }
        self.ema_at = now;
    }

    /// Re-quotes the maker's ladder around its fair value.
    fn requote(&mut self, ctx: &mut FlowCtx<'_>, out: &mut Vec<OrderRequest>) {
        self.decay_filters(ctx.now);
        let fair = self.fair_value();
        let h = self.p.maker_half_spread_ticks;
        let best_bid = ((fair - h).floor() as i64).max(1);
        let best_ask = ((fair + h).ceil() as i64).max(best_bid + 1);
        let levels = self.p.maker_levels as i64;
        for side in [Side::Buy, Side::Sell] {
            let wanted = |j: i64| match side {
                Side::Buy => best_bid - j,
                Side::Sell => best_ask + j,
            };
            let in_ladder = |price: i64| match side {
                Side::Buy => price <= best_bid && price > best_bid - levels,
                Side::Sell => price >= best_ask && price < best_ask + levels,
            };
            let quotes = &mut self.quotes[side as usize];
            // Orders outside the ladder are moved to the missing prices, nearest first.
            let mut spare: Vec<usize> = (0..quotes.len())
                .filter(|&i| !in_ladder(quotes[i].1.0))
                .collect();
            for j in 0..levels {
                let price = wanted(j);
                if price < 1 || quotes.iter().any(|q| q.1.0 == price) {
                    continue;
                }
                let size = Qty(self.p.maker_size_lots + j * self.p.maker_size_step_lots);
                if let Some(i) = spare.pop() {
                    let (id, _, _) = quotes[i];
                    quotes[i] = (id, Price(price), size);
                    out.push(OrderRequest::Modify {
                        id,
                        owner: MAKER,
                        price: Price(price),
                        qty: size,
                    });
                } else {
                    let id = ctx.next_order_id();
                    quotes.push((id, Price(price), size));
                    out.push(OrderRequest::New(NewOrder::limit(
                        id,
                        MAKER,
                        side,
                        Price(price),
                        size,
                        TimeInForce::Gtc,
                    )));
                }
            }
            // Orders still outside the ladder (more orders than levels) are cancelled.
            spare.sort_unstable_by(|a, b| b.cmp(a));
            for i in spare {
                if !in_ladder(quotes[i].1.0) {
                    let (id, _, _) = quotes.swap_remove(i);
                    out.push(OrderRequest::Cancel { id, owner: MAKER });
                }
            }
        }
    }

    fn arrival(&mut self, kind: Arrival, ctx: &mut FlowCtx<'_>, out: &mut Vec<OrderRequest>) {
        let book = ctx.book;
        match kind {
            Arrival::Noise => {
                let side = if ctx.rng.random::<bool>() {
                    Side::Buy
                } else {
                    Side::Sell
                };
                push_market(ctx, side, &self.noise_size, out);
            }
            Arrival::Value => {
                self.advance_fundamental(ctx.now, ctx.rng);
                let z: f64 = StandardNormal.sample(ctx.rng);
                let seen = self.fundamental + self.p.value_observation_noise_ticks * z;
                let threshold = self.p.value_threshold_ticks;
                let qty = Qty(self.p.value_size_lots);
                let order = match (book.best_bid(), book.best_ask()) {
                    (_, Some(ask)) if seen > ask.price.0 as f64 + threshold => {
                        Some((Side::Buy, Price((seen - threshold).floor() as i64)))
                    }
                    (Some(bid), _) if seen < bid.price.0 as f64 - threshold => {
                        Some((Side::Sell, Price(((seen + threshold).ceil() as i64).max(1))))
                    }
                    _ => None,
                };
                if let Some((side, price)) = order {
                    let id = ctx.next_order_id();
                    out.push(OrderRequest::New(NewOrder::limit(
                        id,
                        VALUE,
                        side,
                        price,
                        qty,
                        TimeInForce::Ioc,
                    )));
                }
            }
            Arrival::Momentum => {
                let gap = self.ema[0] - self.ema[1];
                if gap.abs() > self.p.momentum_threshold_ticks {
                    let side = if gap > 0.0 { Side::Buy } else { Side::Sell };
                    let id = ctx.next_order_id();
                    out.push(OrderRequest::New(NewOrder::market(
                        id,
                        MOMENTUM,
                        side,
                        Qty(self.p.momentum_size_lots),
                    )));
                }
            }
            Arrival::Refresh => self.requote(ctx, out),
        }
    }
}

impl OrderFlow for AgentFlow {
    #[inline]
    fn next_time(&self) -> Ts {
        self.poisson_next.min(self.requote_at)
    }

    fn fire(&mut self, ctx: &mut FlowCtx<'_>, out: &mut Vec<OrderRequest>) {
        if let Some(mid) = ctx.book.mid() {
            self.update_emas(ctx.now, mid);
        }
        if self.requote_at <= self.poisson_next {
            self.requote_at = Ts::MAX;
            self.requote(ctx, out);
            return;
        }
        self.poisson_next = Ts::MAX;
        let mut u = ctx.rng.random::<f64>() * self.total_rate;
        let mut kind = Arrival::Refresh;
        for (k, rate) in [
            Arrival::Noise,
            Arrival::Value,
            Arrival::Momentum,
            Arrival::Refresh,
        ]
        .into_iter()
        .zip(self.rates)
        {
            if u < rate {
                kind = k;
                break;
            }
            u -= rate;
        }
        self.arrival(kind, ctx, out);
    }

    fn on_output(&mut self, now: Ts, output: &BookOutput) {
        let mut traded = false;
        for event in &output.events {
            if let MarketEvent::Execute { side, qty, .. } = *event {
                // The maker's side is passive: a resting sell hit means a buyer aggressed.
                let signed = match side {
                    Side::Sell => qty.0 as f64,
                    Side::Buy => -(qty.0 as f64),
                };
                self.decay_filters(now);
                for x in &mut self.filters {
                    *x += signed;
                }
                self.anchor += self.p.permanent_impact_ticks_per_lot * signed;
                traded = true;
            }
        }
        for report in &output.reports {
            if report.owner() != MAKER {
                continue;
            }
            let (id, leaves) = match *report {
                ExecReport::Fill(f) => (f.id, f.leaves_qty),
                ExecReport::Cancelled { id, .. } | ExecReport::Rejected { id, .. } => {
                    (id, Qty::ZERO)
                }
                _ => continue,
            };
            for quotes in &mut self.quotes {
                if let Some(i) = quotes.iter().position(|q| q.0 == id) {
                    if leaves.is_positive() {
                        quotes[i].2 = leaves;
                    } else {
                        quotes.swap_remove(i);
                    }
                }
            }
        }
        if traded {
            self.requote_at = self.requote_at.min(Ts(now.0 + self.reaction.0));
        }
    }

    fn schedule(&mut self, ctx: &mut FlowCtx<'_>) {
        if self.requote_at == Ts::MIN {
            self.requote_at = ctx.now;
        }
        if self.poisson_next == Ts::MAX {
            let e: f64 = Exp1.sample(ctx.rng);
            self.poisson_next = after_exponential(ctx.now, self.total_rate, e);
        }
    }

    fn owns(&self, trader: TraderId) -> bool {
        trader == TraderId::MARKET || trader == MAKER || trader == VALUE || trader == MOMENTUM
    }

    fn name(&self) -> &'static str {
        "abides"
    }
}
