//! The order-book execution world: a parent order worked in the discrete-event simulator
//! ([`crate::sim::Market`]) against background order flow, with latency, queues and impact.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, Uniform};
use serde::{Deserialize, Serialize};
use shortfall_core::exec::{
    BookSummary, ExecAction, ExecInfo, ExecState, ParentOrder, feature_space, native_action_space,
};
use shortfall_core::{
    BookView, Env, ExecReport, MarketEvent, NewOrder, OrderId, OrderRequest, Price, Qty, Side,
    Space, Step, TimeInForce, TraderId, Ts,
};

use crate::error::{Error, Result};
use crate::sim::{Latency, SimConfig, SimMarket, StrategyId, StrategySpec};

/// The trader id the execution strategy uses inside the simulated market (below the
/// background agents' range, never [`TraderId::MARKET`]).
pub const EXEC_TRADER: TraderId = TraderId(900_000);

/// How the [`LobExecEnv`] rewards a step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LobReward {
    /// Minus the marked-to-market implementation-shortfall increment in bps of the arrival
    /// notional (the rewards of an episode sum to minus its shortfall in bps), minus a risk
    /// penalty `10⁴ λ σ̂² x_k² / (X S₀)` on the inventory `x_k` still held, `σ̂²` being the
    /// current estimate of the mid's variance over one interval (the Almgren–Chriss
    /// mean–variance penalty, per step).
    Shortfall {
        /// `λ ≥ 0` (0: no penalty).
        #[serde(default)]
        risk_aversion: f64,
    },
    /// The ABIDES-gym `markets-execution-v0` reward (Amrouni et al. 2021): per step,
    /// `Σ fills s·(entry − price)·q / X` with `s = +1` for a buy (entry = the mid at the
    /// first decision, in ticks); at the end, `(|X − executed| · penalty) / X` with the
    /// not-enough penalty when the parent is short and the too-much penalty when it is
    /// over-filled (ABIDES' defaults −1000 and −100 per share, 0 when exact).
    AbidesV0 {
        /// Penalty per share left unexecuted (ABIDES: −1000).
        not_enough_per_share: f64,
        /// Penalty per share executed beyond the parent (ABIDES: −100).
        too_much_per_share: f64,
        /// Bonus when exactly the parent was executed (ABIDES: 0).
        just_quantity: f64,
    },
}

impl Default for LobReward {
    fn default() -> Self {
        LobReward::Shortfall { risk_aversion: 0.0 }
    }
}

fn default_latency() -> Latency {
    Latency::Constant { us: 100.0 }
}
fn yes() -> bool {
    true
}
fn default_vol_decay() -> f64 {
    0.9
}

/// Configuration of the [`LobExecEnv`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LobWorldConfig {
    /// The background market. Its `seed` is replaced by one derived from the episode seed;
    /// its `session.warmup_s` is run before every episode's arrival.
    pub market: SimConfig,
    /// Buy or sell.
    pub side: Side,
    /// Parent quantity in lots (> 0).
    pub quantity_lots: i64,
    /// Horizon in seconds (> 0, a whole number of intervals).
    pub horizon_s: f64,
    /// Decision interval in seconds (> 0).
    pub interval_s: f64,
    /// Extra warm-up before arrival drawn uniformly from `[0, arrival_jitter_s)` per
    /// episode (default 0), so arrivals do not all meet the same phase of the flow.
    #[serde(default)]
    pub arrival_jitter_s: f64,
    /// The strategy's order-entry latency (also its report latency); default 100 µs.
    #[serde(default = "default_latency")]
    pub order_latency: Latency,
    /// The reward (default: shortfall increments without a risk penalty).
    #[serde(default)]
    pub reward: LobReward,
    /// Run a twin market without the strategy in lockstep to split the shortfall into
    /// spread, impact and timing costs (default true; costs one more simulation).
    #[serde(default = "yes")]
    pub measure_impact: bool,
    /// Largest child a decision may send, in lots (`None`: no cap). A larger child is an
    /// error, never silently cut.
    #[serde(default)]
    pub max_child_lots: Option<i64>,
    /// Complete the parent with a market order at the last decision (default true). When
    /// false (the ABIDES-v0 task), what is left is left, and [`LobReward::AbidesV0`]
    /// charges it.
    #[serde(default = "yes")]
    pub complete_at_horizon: bool,
    /// Decay of the exponentially weighted estimate of the mid's per-interval variance
    /// (default 0.9).
    #[serde(default = "default_vol_decay")]
    pub vol_decay: f64,
}

impl LobWorldConfig {
    /// A configuration around `market` for a parent of `quantity_lots` on `side` over
    /// `horizon_s` seconds with decisions every `interval_s` seconds, other fields default.
    pub fn new(
        market: SimConfig,
        side: Side,
        quantity_lots: i64,
        horizon_s: f64,
        interval_s: f64,
    ) -> Self {
        LobWorldConfig {
            market,
            side,
            quantity_lots,
            horizon_s,
            interval_s,
            arrival_jitter_s: 0.0,
            order_latency: default_latency(),
            reward: LobReward::default(),
            measure_impact: true,
            max_child_lots: None,
            complete_at_horizon: true,
            vol_decay: default_vol_decay(),
        }
    }

    /// The ABIDES-gym `markets-execution-v0` task on `market`: buy 1000 shares within a
    /// 10-minute window after a 30-second first interval, deciding every 60 s, children of
    /// 10 shares, their reward with terminal penalties, no forced completion.
    pub fn abides_v0(mut market: SimConfig) -> Self {
        market.session.warmup_s = market.session.warmup_s.max(30.0);
        LobWorldConfig {
            reward: LobReward::AbidesV0 {
                not_enough_per_share: -1000.0,
                too_much_per_share: -100.0,
                just_quantity: 0.0,
            },
            max_child_lots: Some(10),
            complete_at_horizon: false,
            ..LobWorldConfig::new(market, Side::Buy, 1000, 600.0, 60.0)
        }
    }

    /// Parses a TOML configuration (the fields of this struct; `[market]` is a
    /// [`SimConfig`]).
    ///
    /// # Errors
    /// [`Error::ConfigSyntax`] for text that does not parse, then as [`LobWorldConfig::build`].
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Self> {
        let config: LobWorldConfig = toml::from_str(text).map_err(|e| Error::ConfigSyntax {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<()> {
        let bad = |field: &'static str, reason: String| Err(Error::EnvConfig { field, reason });
        self.market.validate()?;
        if !(self.horizon_s.is_finite() && self.horizon_s > 0.0) {
            return bad(
                "horizon_s",
                format!("{} is not a positive time", self.horizon_s),
            );
        }
        if !(self.interval_s.is_finite() && self.interval_s > 0.0) {
            return bad(
                "interval_s",
                format!("{} is not a positive time", self.interval_s),
            );
        }
        if !(self.arrival_jitter_s.is_finite() && self.arrival_jitter_s >= 0.0) {
            return bad(
                "arrival_jitter_s",
                format!("{} is not a time ≥ 0", self.arrival_jitter_s),
            );
        }
        if !(self.vol_decay.is_finite() && self.vol_decay > 0.0 && self.vol_decay < 1.0) {
            return bad("vol_decay", format!("{} is not in (0, 1)", self.vol_decay));
        }
        if let Some(cap) = self.max_child_lots
            && cap <= 0
        {
            return bad("max_child_lots", format!("{cap} is not positive"));
        }
        match &self.reward {
            LobReward::Shortfall { risk_aversion } => {
                if !(risk_aversion.is_finite() && *risk_aversion >= 0.0) {
                    return bad(
                        "reward.risk_aversion",
                        format!("{risk_aversion} is not ≥ 0"),
                    );
                }
            }
            LobReward::AbidesV0 {
                not_enough_per_share,
                too_much_per_share,
                just_quantity,
            } => {
                if ![*not_enough_per_share, *too_much_per_share, *just_quantity]
                    .iter()
                    .all(|x| x.is_finite())
                {
                    return bad(
                        "reward",
                        "ABIDES-v0 penalties must be finite numbers".to_string(),
                    );
                }
            }
        }
        self.order_latency.validate("order_latency")?;
        Ok(())
    }

    /// Validates the configuration into an environment.
    ///
    /// # Errors
    /// [`Error::EnvConfig`] naming the field, [`Error::Config`] for the market, or
    /// [`Error::Core`] for an invalid parent order.
    pub fn build(self) -> Result<LobExecEnv> {
        LobExecEnv::new(self)
    }
}

/// One of the strategy's live orders.
#[derive(Copy, Clone, Debug)]
struct LiveOrder {
    id: OrderId,
    /// Quantity still open.
    leaves: i64,
    /// Whether it is a resting limit order (market children are not "resting").
    resting: bool,
    /// A cancel has been sent for it.
    cancelling: bool,
    /// Mid (ticks) when the child was sent: the spread-cost reference.
    sent_mid: f64,
}

/// One episode's moving parts.
#[derive(Clone, Debug)]
struct Episode {
    market: SimMarket,
    twin: Option<SimMarket>,
    me: StrategyId,
    start: Ts,
    arrival: f64,
    prev_mid: f64,
    last_return: f64,
    variance: f64,
    /// Lots filled so far (may exceed the parent only through a bug; checked).
    executed: i64,
    live: Vec<LiveOrder>,
    next_id: u64,
    traded_before: i64,
    own_traded: i64,
    last_trade: f64,
    /// The marked-to-market shortfall so far (price units × lots).
    mtm: f64,
    returns: [f64; 3],
}

/// Executes a parent order in the simulated limit-order-book market.
///
/// Each [`Env::reset`] builds the background market from [`LobWorldConfig::market`] with a
/// seed derived from the episode seed, runs its warm-up (plus optional jitter), connects the
/// strategy with its latency and takes the mid as the arrival price. Each [`Env::step`] is
/// one decision interval:
///
/// 1. the action is applied as the shared [`ExecAction`] semantics say: `Market` and
///    `Limit` first cancel the strategy's resting orders, then send one child; a limit
///    order rests `offset_ticks` behind the near touch (the best bid for a buy, the best ask
///    for a sell; with an empty near side it is placed one tick inside the far touch);
/// 2. the market runs to the end of the interval; execution reports arrive after the
///    order-entry latency, and fills update the inventory;
/// 3. on the last decision (when [`LobWorldConfig::complete_at_horizon`]) resting orders are
///    cancelled and a market order is sent for the rest at once; if the book cannot absorb
///    it (a thin book swept empty), the remainder is retried every 100 ms after the horizon
///    until it trades — the prices it meets, however far the book has moved, are charged —
///    for at most ten simulated minutes; only what still fails to trade then shows as
///    completion below 1.
///
/// Prices inside the environment (the observation's book, [`ExecInfo::filled_notional`],
/// the arrival price) are in ticks; shortfall in bps is unit-free.
///
/// **Cost attribution** ([`ExecInfo`]): `spread_cost = Σ s·(p − m_send)·q` over fills
/// (negative when passive fills earn the spread), and, with
/// [`LobWorldConfig::measure_impact`], `impact_cost = Σ s·(m_send − m̃_send)·q` where `m̃` is
/// the mid of a twin market run from the same state and seed without the strategy — the
/// price move the strategy caused up to each child. The rest of the shortfall is timing
/// cost. The twin shares the random streams, so it tracks the real market closely at
/// first; where the flow's choices depend on the book (cancellation targets, agents'
/// quotes) the two drift apart, which adds noise (not bias) to the split.
#[derive(Clone, Debug)]
pub struct LobExecEnv {
    config: LobWorldConfig,
    parent: ParentOrder,
    interval: Ts,
    observation_space: Space,
    action_space: Space,
    episode: Option<Episode>,
    step: u32,
    info: ExecInfo,
    reports: Vec<ExecReport>,
    events: Vec<MarketEvent>,
    sign: f64,
    notional_scale: f64,
}

/// SplitMix64 finaliser: decorrelates consecutive episode seeds.
fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn secs(s: f64) -> Ts {
    Ts((s * 1e9).round() as i64)
}

impl LobExecEnv {
    /// Validates `config` into an environment (no episode yet: call [`Env::reset`]).
    ///
    /// # Errors
    /// As [`LobWorldConfig::build`].
    pub fn new(config: LobWorldConfig) -> Result<Self> {
        config.validate()?;
        let parent = ParentOrder::new(
            config.side,
            Qty(config.quantity_lots),
            secs(config.horizon_s),
            secs(config.interval_s),
        )?;
        let sign = config.side.sign() as f64;
        Ok(LobExecEnv {
            interval: parent.interval(),
            observation_space: feature_space(),
            action_space: native_action_space(parent.quantity()),
            parent,
            config,
            episode: None,
            step: 0,
            info: ExecInfo::default(),
            reports: Vec::with_capacity(64),
            events: Vec::with_capacity(256),
            sign,
            notional_scale: 0.0,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &LobWorldConfig {
        &self.config
    }

    /// The parent order.
    pub fn parent(&self) -> ParentOrder {
        self.parent
    }

    /// The simulated market of the current episode (`None` before the first reset).
    pub fn market(&self) -> Option<&SimMarket> {
        self.episode.as_ref().map(|e| &e.market)
    }

    /// The ABIDES-gym execution-v0 observation (their 11 features, in their order):
    /// `holdings_pct, time_pct, diff_pct, imbalance_all, imbalance_5, price_impact, spread,
    /// direction_feature, r₋₂, r₋₁, r₀` — holdings over the parent (signed: negative for a
    /// sell), elapsed time over the window, their difference, bid-volume share of all and of
    /// the 5 best levels, `log(mid/entry)` for a buy (`log(entry/mid)` for a sell), the
    /// spread and `mid − last trade` in ticks, and the last three mid changes per step.
    ///
    /// # Errors
    /// [`Error::EnvStep`] before the first reset.
    pub fn abides_features(&self) -> Result<[f64; 11]> {
        let e = self.episode.as_ref().ok_or_else(|| Error::EnvStep {
            step: self.step,
            reason: "no episode: call reset first".into(),
        })?;
        let book = e.market.book();
        let x = self.parent.quantity().0 as f64;
        let holdings_pct = self.sign * e.executed as f64 / x;
        let time_pct = f64::from(self.step) / f64::from(self.parent.steps());
        let share = |depth: Option<usize>| {
            let sum = |side| {
                let n = depth.unwrap_or(book.level_count(side));
                (0..n)
                    .filter_map(|i| book.level(side, i))
                    .map(|l| l.qty.0 as f64)
                    .sum::<f64>()
            };
            let (b, a) = (sum(Side::Buy), sum(Side::Sell));
            if b + a > 0.0 { b / (b + a) } else { 0.5 }
        };
        let mid = e.prev_mid;
        let impact = if self.sign > 0.0 {
            (mid / e.arrival).ln()
        } else {
            (e.arrival / mid).ln()
        };
        let spread = book.spread().map_or(0.0, |s| s.0 as f64);
        Ok([
            holdings_pct,
            time_pct,
            holdings_pct.abs() - time_pct,
            share(None),
            share(Some(5)),
            impact,
            spread,
            mid - e.last_trade,
            e.returns[0],
            e.returns[1],
            e.returns[2],
        ])
    }

    fn not_started(&self) -> Error {
        Error::EnvStep {
            step: self.step,
            reason: "the episode is over or was never started: call reset first".into(),
        }
    }

    fn state(&self) -> ExecState {
        let e = self
            .episode
            .as_ref()
            .expect("state() is only called inside an episode");
        let book = e.market.book();
        let depth = |l: Option<shortfall_core::PriceLevel>| l.map_or(Qty::ZERO, |l| l.qty);
        let (resting, resting_orders) = e
            .live
            .iter()
            .filter(|o| o.resting)
            .fold((0i64, 0u32), |(q, n), o| (q + o.leaves, n + 1));
        let others = (e.market.counters().traded_lots - e.traded_before - e.own_traded).max(0);
        ExecState {
            parent: self.parent,
            step: self.step,
            remaining: Qty(self.parent.quantity().0 - e.executed),
            arrival_price: e.arrival,
            book: BookSummary {
                mid: e.prev_mid,
                spread: book.spread().map_or(0.0, |s| s.0 as f64).max(0.0),
                bid_depth: depth(book.best_bid()),
                ask_depth: depth(book.best_ask()),
                volatility: e.variance.sqrt(),
                last_return: e.last_return,
            },
            resting: Qty(resting),
            resting_orders,
            market_volume: Qty(others),
        }
    }

    /// Sends `request` as the strategy; a refusal here is a bug in this environment.
    fn send(e: &mut Episode, request: OrderRequest) -> Result<()> {
        e.market
            .submit(e.me, request)
            .map_err(|r| Error::Inconsistent(format!("the simulator refused an order: {r:?}")))
    }

    fn cancel_all(e: &mut Episode) -> Result<()> {
        for i in 0..e.live.len() {
            let o = e.live[i];
            if o.resting && !o.cancelling {
                e.live[i].cancelling = true;
                Self::send(
                    e,
                    OrderRequest::Cancel {
                        id: o.id,
                        owner: EXEC_TRADER,
                    },
                )?;
            }
        }
        Ok(())
    }

    fn send_child(&self, e: &mut Episode, action: &ExecAction) -> Result<()> {
        let side = self.config.side;
        let (qty, limit) = match *action {
            ExecAction::Market { qty } => (qty, None),
            ExecAction::Limit { qty, offset_ticks } => (qty, Some(offset_ticks)),
            ExecAction::Hold | ExecAction::Cancel => return Ok(()),
        };
        if qty.0 <= 0 {
            return Ok(());
        }
        e.next_id += 1;
        let id = OrderId(e.next_id);
        let book = e.market.book();
        let request = match limit {
            None => NewOrder::market(id, EXEC_TRADER, side, qty),
            Some(offset) => {
                let (near, far) = match side {
                    Side::Buy => (book.best_bid(), book.best_ask()),
                    Side::Sell => (book.best_ask(), book.best_bid()),
                };
                let s = side.sign();
                let base = match (near, far) {
                    (Some(n), _) => n.price.0,
                    // No near side: one tick inside the far touch.
                    (None, Some(f)) => f.price.0 - s,
                    (None, None) => e.prev_mid.round() as i64 - s,
                };
                let price = (base - s * i64::from(offset)).max(1);
                NewOrder::limit(id, EXEC_TRADER, side, Price(price), qty, TimeInForce::Gtc)
            }
        };
        e.live.push(LiveOrder {
            id,
            leaves: qty.0,
            resting: limit.is_some(),
            cancelling: false,
            sent_mid: e.prev_mid,
        });
        Self::send(e, OrderRequest::New(request))
    }

    /// Applies the reports that have arrived: fills, cancels, expiries. Returns the change
    /// of `s·Σ(p − entry)·q` for the ABIDES reward.
    fn absorb_reports(&mut self) -> Result<f64> {
        let e = self.episode.as_mut().expect("inside an episode");
        self.reports.clear();
        e.market.drain_reports(e.me, &mut self.reports);
        let mut slippage = 0.0;
        for report in &self.reports {
            match *report {
                ExecReport::Fill(f) => {
                    let Some(pos) = e.live.iter().position(|o| o.id == f.id) else {
                        return Err(Error::Inconsistent(format!(
                            "a fill for unknown order {} reached the execution environment",
                            f.id
                        )));
                    };
                    let q = f.qty.0;
                    let p = f.price.0 as f64;
                    let o = &mut e.live[pos];
                    o.leaves -= q;
                    let sent_mid = o.sent_mid;
                    if o.leaves <= 0 {
                        e.live.swap_remove(pos);
                    }
                    e.executed += q;
                    e.own_traded += q;
                    self.info.filled.0 += q;
                    self.info.filled_notional += p * q as f64;
                    self.info.spread_cost += self.sign * (p - sent_mid) * q as f64;
                    if let Some(twin) = &e.twin {
                        let twin_mid = twin.book().mid().unwrap_or(sent_mid);
                        self.info.impact_cost += self.sign * (sent_mid - twin_mid) * q as f64;
                    }
                    slippage += self.sign * (e.arrival - p) * q as f64;
                }
                ExecReport::Cancelled { id, .. }
                | ExecReport::Expired { id, .. }
                | ExecReport::Rejected { id, .. } => {
                    if let Some(pos) = e.live.iter().position(|o| o.id == id) {
                        e.live.swap_remove(pos);
                    }
                }
                ExecReport::Accepted { .. } => {}
            }
        }
        if e.executed > self.parent.quantity().0 && self.config.complete_at_horizon {
            return Err(Error::Inconsistent(format!(
                "executed {} lots of a {}-lot parent",
                e.executed,
                self.parent.quantity().0
            )));
        }
        Ok(slippage)
    }

    /// Runs the market (and its twin) to `until`, tracking the last trade price for the
    /// ABIDES observation.
    fn run_to(&mut self, until: Ts) {
        let e = self.episode.as_mut().expect("inside an episode");
        e.market.run_until(until);
        if let Some(twin) = &mut e.twin {
            twin.run_until(until);
        }
        self.events.clear();
        e.market.take_events(&mut self.events);
        if let Some(p) = self.events.iter().rev().find_map(|ev| match ev {
            MarketEvent::Execute { price, .. } => Some(price.0 as f64),
            _ => None,
        }) {
            e.last_trade = p;
        }
    }
}

impl Env for LobExecEnv {
    type Obs = ExecState;
    type Action = ExecAction;
    type Info = ExecInfo;
    type Error = Error;

    fn observation_space(&self) -> &Space {
        &self.observation_space
    }

    fn action_space(&self) -> &Space {
        &self.action_space
    }

    fn reset(&mut self, seed: u64) -> Result<(ExecState, ExecInfo)> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(mix(seed));
        let mut cfg = self.config.market.clone();
        cfg.seed = mix(seed ^ MARKET_SALT);
        let mut market = cfg.build()?;
        market.record_events(true);
        let me = market.add_strategy(StrategySpec {
            trader: EXEC_TRADER,
            order_latency: self.config.order_latency.clone(),
            market_data: None,
        })?;
        let jitter = if self.config.arrival_jitter_s > 0.0 {
            Uniform::new(0.0, self.config.arrival_jitter_s)
                .map_err(|e| Error::EnvConfig {
                    field: "arrival_jitter_s",
                    reason: e.to_string(),
                })?
                .sample(&mut rng)
        } else {
            0.0
        };
        let warm = cfg.warmup_length().0 + secs(jitter).0;
        // Estimate the per-interval variance over (up to) the last ten intervals of warm-up.
        let chunks = (warm / self.interval.0).clamp(0, 10);
        let mut start = Ts(warm - chunks * self.interval.0);
        market.run_until(start);
        let mut variance = 0.0;
        let mut prev = market.book().mid();
        let lambda = self.config.vol_decay;
        for _ in 0..chunks {
            start = Ts(start.0 + self.interval.0);
            market.run_until(start);
            let mid = market.book().mid();
            if let (Some(a), Some(b)) = (prev, mid) {
                variance = lambda * variance + (1.0 - lambda) * (b - a) * (b - a);
            }
            prev = mid;
        }
        market.run_until(Ts(warm));
        // The arrival needs a two-sided book: wait for one (at most a minute).
        let mut tries = 0;
        let arrival = loop {
            if let Some(mid) = market.book().mid()
                && market.book().best_bid().is_some()
                && market.book().best_ask().is_some()
            {
                break mid;
            }
            tries += 1;
            if tries > 60 {
                return Err(Error::EnvStep {
                    step: 0,
                    reason: "the background market has no two-sided book at arrival \
                             (after a minute of waiting): check its flow rates"
                        .into(),
                });
            }
            let t = Ts(market.now().0 + 1_000_000_000);
            market.run_until(t);
        };
        let mut discard = Vec::new();
        market.take_events(&mut discard);
        let twin = self.config.measure_impact.then(|| market.clone());
        let traded_before = market.counters().traded_lots;
        let start = market.now();
        self.episode = Some(Episode {
            market,
            twin,
            me,
            start,
            arrival,
            prev_mid: arrival,
            last_return: 0.0,
            variance,
            executed: 0,
            live: Vec::with_capacity(8),
            next_id: 0,
            traded_before,
            own_traded: 0,
            last_trade: arrival,
            mtm: 0.0,
            returns: [0.0; 3],
        });
        self.step = 0;
        self.info = ExecInfo::default();
        self.notional_scale = 1e4 / (self.parent.quantity().0 as f64 * arrival);
        Ok((self.state(), self.info))
    }

    fn step(&mut self, action: &ExecAction) -> Result<Step<ExecState, ExecInfo>> {
        if self.episode.is_none() || self.info.filled_at.is_some() {
            return Err(self.not_started());
        }
        let steps = self.parent.steps();
        if self.step >= steps {
            return Err(self.not_started());
        }
        let state = self.state();
        let q = action.qty();
        if q.0 < 0 || q > state.remaining {
            return Err(Error::EnvStep {
                step: self.step,
                reason: format!(
                    "{action:?}: quantity outside [0, remaining {}]",
                    state.remaining
                ),
            });
        }
        if let Some(cap) = self.config.max_child_lots
            && q.0 > cap
        {
            return Err(Error::EnvStep {
                step: self.step,
                reason: format!("{action:?}: child above the {cap}-lot cap of this world"),
            });
        }
        let last = self.step + 1 == steps;
        let step_end = Ts(self.episode.as_ref().map_or(0, |e| e.start.0)
            + self.interval.0 * i64::from(self.step + 1));
        let mut slippage = self.absorb_reports()?;
        {
            let mut e = self.episode.take().expect("checked above");
            let result = (|| -> Result<()> {
                match action {
                    ExecAction::Hold => {}
                    ExecAction::Cancel => Self::cancel_all(&mut e)?,
                    ExecAction::Market { .. } | ExecAction::Limit { .. } => {
                        Self::cancel_all(&mut e)?;
                        self.send_child(&mut e, action)?;
                    }
                }
                if last && self.config.complete_at_horizon {
                    Self::cancel_all(&mut e)?;
                    let working: i64 = e.live.iter().map(|o| o.leaves).sum();
                    let rest = self.parent.quantity().0 - e.executed - working;
                    if rest > 0 {
                        self.send_child(&mut e, &ExecAction::Market { qty: Qty(rest) })?;
                    }
                }
                Ok(())
            })();
            self.episode = Some(e);
            result?;
        }
        self.run_to(step_end);
        slippage += self.absorb_reports()?;
        if last && self.config.complete_at_horizon {
            // Sweep what the book could not absorb (and orders whose cancel raced a fill).
            let mut tries = 0;
            loop {
                let e = self.episode.as_mut().expect("inside an episode");
                let working: i64 = e.live.iter().map(|o| o.leaves).sum();
                let rest = self.parent.quantity().0 - e.executed;
                if rest <= 0 || tries >= SWEEP_TRIES {
                    break;
                }
                tries += 1;
                let mut e = self.episode.take().expect("inside an episode");
                let sent = (|| -> Result<()> {
                    Self::cancel_all(&mut e)?;
                    if rest - working > 0 && e.live.iter().all(|o| o.resting) {
                        self.send_child(
                            &mut e,
                            &ExecAction::Market {
                                qty: Qty(rest - working),
                            },
                        )?;
                    }
                    Ok(())
                })();
                let until = Ts(e.market.now().0 + SWEEP_EVERY.0);
                self.episode = Some(e);
                sent?;
                self.run_to(until);
                slippage += self.absorb_reports()?;
            }
        }
        let e = self.episode.as_mut().expect("inside an episode");
        let mid = e.market.book().mid().unwrap_or(e.prev_mid);
        let change = mid - e.prev_mid;
        let lambda = self.config.vol_decay;
        e.variance = lambda * e.variance + (1.0 - lambda) * change * change;
        e.last_return = change;
        e.returns = [e.returns[1], e.returns[2], change];
        e.prev_mid = mid;
        self.step += 1;
        self.info.step = self.step;
        let held = (self.parent.quantity().0 - e.executed) as f64;
        // Marked-to-market shortfall: fills against arrival plus holdings marked at the mid.
        let mtm = self
            .info
            .implementation_shortfall(self.config.side, e.arrival)
            + self.sign * held * (mid - e.arrival);
        let increment = mtm - e.mtm;
        e.mtm = mtm;
        let complete = e.executed >= self.parent.quantity().0;
        let over = self.step >= steps;
        let executed = e.executed;
        let variance = e.variance;
        if complete && self.info.filled_at.is_none() {
            self.info.filled_at = Some(self.step);
        }
        let x = self.parent.quantity().0 as f64;
        let reward = match self.config.reward {
            LobReward::Shortfall { risk_aversion } => {
                -increment * self.notional_scale
                    - risk_aversion * variance * held * held * self.notional_scale
            }
            LobReward::AbidesV0 {
                not_enough_per_share,
                too_much_per_share,
                just_quantity,
            } => {
                let mut r = slippage / x;
                if complete || over {
                    let gap = (executed - self.parent.quantity().0) as f64;
                    r += if gap < 0.0 {
                        gap.abs() * not_enough_per_share / x
                    } else if gap > 0.0 {
                        gap * too_much_per_share / x
                    } else {
                        just_quantity / x
                    };
                }
                r
            }
        };
        Ok(Step {
            obs: self.state(),
            reward,
            terminated: complete,
            truncated: over && !complete,
            info: self.info,
        })
    }
}

/// How often the completion sweep retries after the horizon (100 ms) …
const SWEEP_EVERY: Ts = Ts(100_000_000);
/// … and how many times (10 simulated minutes in all).
const SWEEP_TRIES: u32 = 6000;

/// Salt separating the market's seed from the episode's own generator.
const MARKET_SALT: u64 = 0x4d41_524b_4554_0001;

#[cfg(test)]
mod tests {
    use super::*;

    fn config(side: Side, qty: i64) -> LobWorldConfig {
        let mut market = SimConfig::default();
        market.session.warmup_s = 30.0;
        LobWorldConfig::new(market, side, qty, 60.0, 5.0)
    }

    /// Runs one episode with `policy` choosing the action from the state; returns the
    /// rewards, the final info, the final state and the arrival price.
    fn run(
        env: &mut LobExecEnv,
        seed: u64,
        policy: impl Fn(&ExecState) -> ExecAction,
    ) -> (Vec<f64>, ExecInfo, ExecState) {
        let (mut state, _) = env.reset(seed).unwrap();
        let mut rewards = Vec::new();
        loop {
            let step = env.step(&policy(&state)).unwrap();
            rewards.push(step.reward);
            state = step.obs;
            if step.done() {
                return (rewards, step.info, state);
            }
        }
    }

    fn twap(s: &ExecState) -> ExecAction {
        ExecAction::Market {
            qty: s.schedule_slice(),
        }
    }

    #[test]
    fn episodes_are_deterministic_per_seed_and_differ_across_seeds() {
        let mut env = config(Side::Sell, 40).build().unwrap();
        let a = run(&mut env, 7, twap);
        let b = run(&mut env, 7, twap);
        let c = run(&mut env, 8, twap);
        assert_eq!(a.0, b.0);
        assert_eq!(a.1, b.1);
        assert_ne!(a.1.filled_notional, c.1.filled_notional);
    }

    #[test]
    fn rewards_sum_to_minus_the_shortfall_in_bps_and_the_parent_completes() {
        for side in [Side::Buy, Side::Sell] {
            for seed in 0..4 {
                let mut env = config(side, 30).build().unwrap();
                // Passive at the touch for most of the horizon, so the forced completion
                // and the passive fills are both exercised.
                let (rewards, info, state) = run(&mut env, seed, |s| {
                    if s.resting.0 == 0 {
                        ExecAction::Limit {
                            qty: s.remaining,
                            offset_ticks: 0,
                        }
                    } else {
                        ExecAction::Hold
                    }
                });
                assert_eq!(info.filled, Qty(30), "side {side:?} seed {seed}");
                assert_eq!(state.remaining, Qty(0));
                let is = info.implementation_shortfall(side, state.arrival_price);
                let is_bps = is * 1e4 / (30.0 * state.arrival_price);
                let total: f64 = rewards.iter().sum();
                assert!(
                    (total + is_bps).abs() < 1e-9 * (1.0 + is_bps.abs()),
                    "{total} vs {is_bps}"
                );
            }
        }
    }

    #[test]
    fn crossing_the_spread_costs_at_least_the_half_spread_and_passive_fills_earn_it() {
        let mut env = config(Side::Buy, 20).build().unwrap();
        let (_, info, _) = run(&mut env, 3, |s| ExecAction::Market { qty: s.remaining });
        // A buy market order pays at least the ask, which is above the mid.
        assert!(info.spread_cost > 0.0, "{info:?}");
        let mut env = config(Side::Buy, 1).build().unwrap();
        let mut earned = 0;
        for seed in 0..20 {
            let (_, info, _) = run(&mut env, seed, |s| {
                if s.resting.0 == 0 && !s.is_last_step() {
                    ExecAction::Limit {
                        qty: s.remaining,
                        offset_ticks: 0,
                    }
                } else {
                    ExecAction::Hold
                }
            });
            if info.filled_at.is_some_and(|k| k < env.parent().steps()) {
                assert!(
                    info.spread_cost < 0.0,
                    "a passive bid fill earns the spread"
                );
                earned += 1;
            }
        }
        assert!(earned > 0, "no passive fill in 20 episodes");
    }

    #[test]
    fn a_large_market_order_has_positive_impact_against_the_twin_market() {
        let mut env = config(Side::Sell, 200).build().unwrap();
        let mut impact = 0.0;
        for seed in 0..6 {
            // Sell in four equal market orders at the start of the horizon: the later ones
            // meet a book the earlier ones pushed down.
            let (_, info, _) = run(&mut env, seed, |s| {
                if s.step < 4 {
                    ExecAction::Market {
                        qty: Qty(50.min(s.remaining.0)),
                    }
                } else {
                    ExecAction::Hold
                }
            });
            impact += info.impact_cost;
        }
        assert!(impact > 0.0, "impact {impact}");
    }

    #[test]
    fn forced_completion_sweeps_a_book_too_thin_for_the_last_child() {
        // Rest the whole parent one tick behind the touch and dump what is left at the end:
        // the last child is larger than the bid side, so completion needs the sweep.
        let mut market = SimConfig::default();
        market.session.warmup_s = 60.0;
        let mut env = LobWorldConfig::new(market, Side::Sell, 300, 120.0, 30.0)
            .build()
            .unwrap();
        for seed in 0..3 {
            let (_, info, state) = run(&mut env, seed, |s| {
                if s.is_last_step() {
                    ExecAction::Market { qty: s.remaining }
                } else if s.resting.0 == 0 {
                    ExecAction::Limit {
                        qty: s.remaining,
                        offset_ticks: 1,
                    }
                } else {
                    ExecAction::Hold
                }
            });
            assert_eq!(info.filled, Qty(300), "seed {seed}");
            assert_eq!(state.remaining, Qty(0));
        }
    }

    #[test]
    fn bad_actions_and_configs_are_errors() {
        let mut env = config(Side::Buy, 10).build().unwrap();
        assert!(env.step(&ExecAction::Hold).is_err(), "step before reset");
        env.reset(1).unwrap();
        let e = env
            .step(&ExecAction::Market { qty: Qty(11) })
            .unwrap_err()
            .to_string();
        assert!(e.contains("remaining"), "{e}");
        let mut capped = config(Side::Buy, 10);
        capped.max_child_lots = Some(2);
        let mut env = capped.build().unwrap();
        env.reset(1).unwrap();
        let e = env
            .step(&ExecAction::Market { qty: Qty(3) })
            .unwrap_err()
            .to_string();
        assert!(e.contains("cap"), "{e}");
        let mut bad = config(Side::Buy, 10);
        bad.interval_s = 7.0;
        assert!(
            bad.build().is_err(),
            "horizon not a multiple of the interval"
        );
        let mut bad = config(Side::Buy, 10);
        bad.vol_decay = 1.0;
        assert!(bad.build().unwrap_err().to_string().contains("vol_decay"));
        let e = LobWorldConfig::from_toml_str(
            "side = \"Buy\"\nquantity_lots = 5\nhorizon_s = 10.0\ninterval_s = 1.0\n\
             [market]\n[market.session]\nduration_s = -1.0\n",
            "t.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("session.duration_s"), "{e}");
    }

    #[test]
    fn the_abides_v0_task_penalises_what_is_left_and_reports_eleven_features() {
        let mut market = SimConfig::default();
        market.session.warmup_s = 30.0;
        let mut env = LobWorldConfig::abides_v0(market).build().unwrap();
        assert_eq!(env.parent().steps(), 10);
        env.reset(5).unwrap();
        let f = env.abides_features().unwrap();
        assert!(f.iter().all(|x| x.is_finite()));
        assert_eq!((f[0], f[1]), (0.0, 0.0));
        let mut total = 0.0;
        let mut last = None;
        for _ in 0..10 {
            let s = env.step(&ExecAction::Hold).unwrap();
            total += s.reward;
            last = Some(s);
        }
        let last = last.unwrap();
        assert!(last.truncated && !last.terminated);
        // Nothing executed: the whole parent is short, −1000 per share over 1000 shares.
        assert!((total + 1000.0).abs() < 1e-9, "{total}");
        // A child above 10 shares is refused.
        env.reset(5).unwrap();
        assert!(env.step(&ExecAction::Market { qty: Qty(11) }).is_err());
        let s = env.step(&ExecAction::Market { qty: Qty(10) }).unwrap();
        let f = env.abides_features().unwrap();
        assert_eq!(s.info.filled, Qty(10));
        assert!((f[0] - 0.01).abs() < 1e-12 && (f[1] - 0.1).abs() < 1e-12);
        assert!((0.0..=1.0).contains(&f[3]) && (0.0..=1.0).contains(&f[4]));
    }
}
