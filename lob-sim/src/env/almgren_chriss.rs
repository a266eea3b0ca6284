//! The Almgren–Chriss world: an execution environment whose market is the Almgren–Chriss
//! (2000) model, so that policies can be checked against the closed form exactly.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use shortfall_core::exec::almgren_chriss::{AcModel, AcParams};
use shortfall_core::exec::{
    BookSummary, ExecAction, ExecInfo, ExecState, ParentOrder, VolumeProfile, feature_space,
    native_action_space,
};
use shortfall_core::{Env, Qty, Side, Space, Step, Ts};

use crate::error::{Error, Result};

fn default_side() -> Side {
    Side::Sell
}
fn default_tick() -> f64 {
    0.01
}
fn default_time_unit() -> f64 {
    23_400.0
}

/// Configuration of the [`AlmgrenChrissEnv`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcWorldConfig {
    /// The model: price, quantity, horizon, steps, σ, γ, η, ε (AC 2000 notation).
    pub model: AcParams,
    /// The parent's side (default `Sell`, the paper's liquidation; a buy is its mirror).
    #[serde(default = "default_side")]
    pub side: Side,
    /// Price units per tick, for limit-order offsets and the reported depth (default 0.01).
    #[serde(default = "default_tick")]
    pub tick_size: f64,
    /// `λ` of the per-step risk penalty in the reward (default 0: reward is the shortfall
    /// increment alone).
    #[serde(default)]
    pub reward_risk_aversion: f64,
    /// Mean market volume traded by others per decision step, in lots (default 0). It does
    /// not move the price (the model has no such channel); it is what POV-style policies
    /// observe.
    #[serde(default)]
    pub market_volume_per_step: f64,
    /// Shape of that volume over the horizon (default flat).
    #[serde(default)]
    pub volume_profile: Option<VolumeProfile>,
    /// Seconds per model time unit, for the parent's horizon and interval in nanoseconds
    /// (default 23 400 s, one 6.5-hour trading day, as the paper's "day").
    #[serde(default = "default_time_unit")]
    pub time_unit_s: f64,
}

impl AcWorldConfig {
    /// A configuration with defaults around `model`.
    pub fn new(model: AcParams) -> Self {
        AcWorldConfig {
            model,
            side: default_side(),
            tick_size: default_tick(),
            reward_risk_aversion: 0.0,
            market_volume_per_step: 0.0,
            volume_profile: None,
            time_unit_s: default_time_unit(),
        }
    }

    /// Validates the configuration into an environment.
    ///
    /// # Errors
    /// [`Error::EnvConfig`] naming the field, or [`Error::Core`] for invalid model
    /// parameters.
    pub fn build(self) -> Result<AlmgrenChrissEnv> {
        AlmgrenChrissEnv::new(self)
    }
}

/// A resting limit order (at most one at a time).
#[derive(Copy, Clone, Debug, PartialEq)]
struct Resting {
    qty: i64,
    price: f64,
    placed_mid: f64,
}

/// The Almgren–Chriss execution world (Almgren & Chriss 2000): an arithmetic random-walk
/// mid with linear permanent and temporary impact.
///
/// Each [`Env::step`] is one interval `τ = T/N`. With `n` lots sent as a market child at
/// mid `S_{k−1}` (`s = +1` for a buy, −1 for a sell):
/// - the child fills at `S̃ = S_{k−1} + s (ε + η n/τ)` (temporary impact `h`, AC eq. (5));
/// - the mid moves to `S_k = S_{k−1} + σ τ^½ ξ_k + s γ n` (permanent impact `τ g(n/τ) = γ n`,
///   AC eq. (4)), `ξ_k` standard normal;
/// - the reward is minus the marked-to-market shortfall increment in bps of the arrival
///   notional `X S_0`: `−10⁴ (n |S̃ − S_{k−1}| + x_k s (S_k − S_{k−1}) + …) / (X S_0)`, minus
///   the risk penalty `10⁴ λ σ² τ x_k² / (X S_0)` (AC eq. (8)–(9)); over an episode the
///   rewards sum to minus the implementation shortfall in bps (minus `λV` in bps).
///
/// The decomposition is AC's: the shortfall is `Σ γ x_k n_k + Σ n_k h(n_k/τ) − Σ σ τ^½ ξ_k
/// x_k`, so for a trajectory that only sends market children its expectation and variance
/// are [`AcModel::expected_cost`] and [`AcModel::variance`]. Every step draws exactly one
/// `ξ_k` whatever the action, so two policies run on the same seed see the same noise
/// (common random numbers: paired comparisons).
///
/// On the last step the remaining inventory is sent as one market child whatever the action
/// (resting orders are cancelled first), so every episode completes the parent, and that
/// child pays its full temporary impact.
///
/// **Extensions beyond the paper**, which the closed form does not cover and baselines that
/// only send market children never touch:
/// - *limit orders*: a sell limit `o` ticks behind the near touch rests at
///   `S + ε + o·tick` (a buy at `S − ε − o·tick`) — the touch is `S ± ε`, ε being the half
///   spread. It fills completely at its price at the end of a step in which the market
///   trades through it (the new ask `S_k + ε` rises above a sell limit; the new bid falls
///   below a buy limit); no queue and no impact. Its spread cost is negative (the spread is
///   earned), but fills come with adverse selection.
/// - *market volume*: other traders' volume, `market_volume_per_step × N ×` the profile's
///   share of each step, deterministic and without effect on the price.
///
/// The book summary reports mid `S`, spread `2ε`, depth at both touches `τ·tick/η` lots
/// (the child whose temporary impact is one tick), the exact per-step volatility `σ τ^½`
/// and the last mid change.
///
/// Deterministic: the same seed gives the same path (xoshiro256++ seeded by
/// `seed_from_u64`, standard normals by rand_distr's ziggurat). No allocation per step.
#[derive(Clone, Debug)]
pub struct AlmgrenChrissEnv {
    config: AcWorldConfig,
    model: AcModel,
    parent: ParentOrder,
    sign: f64,
    sigma_sqrt_tau: f64,
    gamma: f64,
    eta_over_tau: f64,
    epsilon: f64,
    tick: f64,
    bps_scale: f64,
    risk_coefficient: f64,
    depth: Qty,
    volumes: Vec<i64>,
    observation_space: Space,
    action_space: Space,
    // Episode state.
    rng: Xoshiro256PlusPlus,
    step: u32,
    price: f64,
    remaining: i64,
    resting: Option<Resting>,
    market_volume: i64,
    last_return: f64,
    info: ExecInfo,
    live: bool,
}

impl AlmgrenChrissEnv {
    /// An environment from its configuration.
    ///
    /// # Errors
    /// [`Error::EnvConfig`] naming the field, or [`Error::Core`] for invalid model
    /// parameters.
    pub fn new(config: AcWorldConfig) -> Result<Self> {
        let model = config.model.build()?;
        let bad = |field, reason: String| Err(Error::EnvConfig { field, reason });
        if !(config.tick_size.is_finite() && config.tick_size > 0.0) {
            return bad(
                "tick_size",
                format!("{} must be positive", config.tick_size),
            );
        }
        let lam = config.reward_risk_aversion;
        if !(lam.is_finite() && lam >= 0.0) {
            return bad("reward_risk_aversion", format!("{lam} must be >= 0"));
        }
        let v = config.market_volume_per_step;
        if !(v.is_finite() && v >= 0.0) {
            return bad("market_volume_per_step", format!("{v} must be >= 0"));
        }
        let unit = config.time_unit_s;
        if !(unit.is_finite() && unit > 0.0) {
            return bad("time_unit_s", format!("{unit} must be positive"));
        }
        let p = *model.params();
        let tau = model.tau();
        let interval_ns = (tau * unit * 1e9).round();
        if !(interval_ns >= 1.0 && interval_ns * f64::from(p.steps) < i64::MAX as f64) {
            return bad(
                "time_unit_s",
                format!("interval of {interval_ns} ns is not representable"),
            );
        }
        let interval = Ts(interval_ns as i64);
        let parent = ParentOrder::new(
            config.side,
            p.quantity,
            Ts(interval.0 * i64::from(p.steps)),
            interval,
        )?;
        let n = f64::from(p.steps);
        let volumes = (0..p.steps)
            .map(|k| {
                let share = match &config.volume_profile {
                    Some(profile) => {
                        profile.cumulative(f64::from(k + 1) / n)
                            - profile.cumulative(f64::from(k) / n)
                    }
                    None => 1.0 / n,
                };
                (v * n * share).round() as i64
            })
            .collect();
        let notional = model.arrival_notional();
        let depth = (tau * config.tick_size / p.eta).round().max(1.0);
        Ok(AlmgrenChrissEnv {
            parent,
            sign: config.side.sign() as f64,
            sigma_sqrt_tau: p.sigma * tau.sqrt(),
            gamma: p.gamma,
            eta_over_tau: p.eta / tau,
            epsilon: p.epsilon,
            tick: config.tick_size,
            bps_scale: 1e4 / notional,
            risk_coefficient: lam * p.sigma * p.sigma * tau * 1e4 / notional,
            depth: Qty(depth.min(i64::MAX as f64 / 4.0) as i64),
            volumes,
            observation_space: feature_space(),
            action_space: native_action_space(p.quantity),
            rng: Xoshiro256PlusPlus::seed_from_u64(0),
            step: 0,
            price: p.initial_price,
            remaining: p.quantity.0,
            resting: None,
            market_volume: 0,
            last_return: 0.0,
            info: ExecInfo::default(),
            live: false,
            model,
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &AcWorldConfig {
        &self.config
    }

    /// The validated model (for closed-form comparisons).
    pub fn model(&self) -> &AcModel {
        &self.model
    }

    /// The parent order every episode works.
    pub fn parent(&self) -> ParentOrder {
        self.parent
    }

    /// The current mid.
    pub fn mid(&self) -> f64 {
        self.price
    }

    #[inline]
    fn state(&self) -> ExecState {
        let (resting, orders) = match self.resting {
            Some(r) => (Qty(r.qty), 1),
            None => (Qty::ZERO, 0),
        };
        ExecState {
            parent: self.parent,
            step: self.step,
            remaining: Qty(self.remaining),
            arrival_price: self.model.params().initial_price,
            book: BookSummary {
                mid: self.price,
                spread: 2.0 * self.epsilon,
                bid_depth: self.depth,
                ask_depth: self.depth,
                volatility: self.sigma_sqrt_tau,
                last_return: self.last_return,
            },
            resting,
            resting_orders: orders,
            market_volume: Qty(self.market_volume),
        }
    }
}

impl Env for AlmgrenChrissEnv {
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
        self.rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        self.step = 0;
        self.price = self.model.params().initial_price;
        self.remaining = self.parent.quantity().0;
        self.resting = None;
        self.market_volume = 0;
        self.last_return = 0.0;
        self.info = ExecInfo::default();
        self.live = true;
        Ok((self.state(), self.info))
    }

    #[inline]
    fn step(&mut self, action: &ExecAction) -> Result<Step<ExecState, ExecInfo>> {
        if !self.live {
            return Err(Error::EnvStep {
                step: self.step,
                reason: "the episode is over or was never started: call reset first".into(),
            });
        }
        let q = action.qty().0;
        if q < 0 || q > self.remaining {
            return Err(Error::EnvStep {
                step: self.step,
                reason: format!(
                    "{action:?}: quantity outside [0, remaining {}]",
                    self.remaining
                ),
            });
        }
        let s_prev = self.price;
        let mut market = 0i64;
        match *action {
            ExecAction::Hold => {}
            ExecAction::Cancel => self.resting = None,
            ExecAction::Market { qty } => {
                self.resting = None;
                market = qty.0;
            }
            ExecAction::Limit { qty, offset_ticks } => {
                self.resting = (qty.0 > 0).then(|| Resting {
                    qty: qty.0,
                    // A buy rests below the bid, a sell above the ask.
                    price: s_prev
                        - self.sign * (self.epsilon + f64::from(offset_ticks) * self.tick),
                    placed_mid: s_prev,
                });
            }
        }
        if self.step + 1 >= self.parent.steps() {
            self.resting = None;
            market = self.remaining;
        }
        // Shortfall increment, marked to market: s (n (S̃ − S_{k−1}) + q (L − S_{k−1})
        // + x_k (S_k − S_{k−1})).
        let mut increment = 0.0;
        if market > 0 {
            let n = market as f64;
            let temporary = self.eta_over_tau * n;
            let fill_price = s_prev + self.sign * (self.epsilon + temporary);
            self.info.filled_notional += n * fill_price;
            self.info.filled.0 += market;
            self.info.spread_cost += self.epsilon * n;
            self.info.impact_cost += temporary * n;
            increment += (self.epsilon + temporary) * n;
            self.remaining -= market;
        }
        let xi: f64 = StandardNormal.sample(&mut self.rng);
        let permanent = self.gamma * market as f64;
        let s_new = s_prev + self.sigma_sqrt_tau * xi + self.sign * permanent;
        // Permanent impact of this child on the inventory still held: γ n x_k.
        self.info.impact_cost += permanent * self.remaining as f64;
        if let Some(r) = self.resting {
            let traded_through = if self.sign < 0.0 {
                s_new + self.epsilon > r.price
            } else {
                s_new - self.epsilon < r.price
            };
            if traded_through {
                let n = r.qty as f64;
                self.info.filled_notional += n * r.price;
                self.info.filled.0 += r.qty;
                self.info.spread_cost += self.sign * (r.price - r.placed_mid) * n;
                increment += self.sign * (r.price - s_prev) * n;
                self.remaining -= r.qty;
                self.resting = None;
            }
        }
        let held = self.remaining as f64;
        increment += self.sign * (s_new - s_prev) * held;
        self.market_volume += self.volumes[self.step as usize];
        self.step += 1;
        self.price = s_new;
        self.last_return = s_new - s_prev;
        self.info.step = self.step;
        let terminated = self.remaining == 0;
        if terminated {
            self.info.filled_at = Some(self.step);
            self.live = false;
        }
        let reward = -increment * self.bps_scale - self.risk_coefficient * held * held;
        Ok(Step {
            obs: self.state(),
            reward,
            terminated,
            truncated: false,
            info: self.info,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paper_env() -> AlmgrenChrissEnv {
        AcWorldConfig::new(AcParams::paper_example())
            .build()
            .unwrap()
    }

    #[test]
    fn one_market_child_costs_its_temporary_impact_exactly() {
        // No volatility: the whole parent in the first step costs X (ε + η X/τ).
        let mut p = AcParams::paper_example();
        p.sigma = 0.0;
        let mut env = AcWorldConfig::new(p).build().unwrap();
        env.reset(1).unwrap();
        let x = 1e6;
        let s = env
            .step(&ExecAction::Market {
                qty: Qty(1_000_000),
            })
            .unwrap();
        assert!(s.terminated);
        let cost = x * (0.0625 + 2.5e-6 * x / 1.0);
        let is = s.info.implementation_shortfall(Side::Sell, 50.0);
        assert!((is - cost).abs() < 1e-6 * cost, "{is} vs {cost}");
        assert!((s.reward + cost / (x * 50.0) * 1e4).abs() < 1e-9);
        assert!((s.info.spread_cost - 0.0625 * x).abs() < 1e-6);
        assert_eq!(s.info.filled_at, Some(1));
        // Permanent impact moved the mid down by γX (nothing left to hurt).
        assert!((env.mid() - (50.0 - 2.5e-7 * x)).abs() < 1e-12);
        assert!(env.step(&ExecAction::Hold).is_err());
    }

    #[test]
    fn rewards_sum_to_minus_the_shortfall_and_the_horizon_liquidates() {
        let mut env = paper_env();
        let (s0, _) = env.reset(7).unwrap();
        assert_eq!(s0.remaining, Qty(1_000_000));
        let mut total = 0.0;
        let mut last = None;
        for k in 0..5 {
            // Sell 100k per step; the last step must take the remaining 600k.
            let step = env.step(&ExecAction::Market { qty: Qty(100_000) }).unwrap();
            total += step.reward;
            assert_eq!(step.terminated, k == 4);
            last = Some(step);
        }
        let last = last.unwrap();
        assert_eq!(last.info.filled, Qty(1_000_000));
        assert_eq!(last.obs.remaining, Qty(0));
        let is_bps = last.info.implementation_shortfall(Side::Sell, 50.0) / 5e7 * 1e4;
        assert!((total + is_bps).abs() < 1e-9, "{total} vs {is_bps}");
    }

    #[test]
    fn same_seed_same_episode_and_different_seeds_differ() {
        let run = |seed| {
            let mut env = paper_env();
            env.reset(seed).unwrap();
            let mut out = Vec::new();
            for _ in 0..5 {
                let s = env.step(&ExecAction::Market { qty: Qty(100_000) }).unwrap();
                out.push((s.reward.to_bits(), s.obs.book.mid.to_bits()));
            }
            out
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3), run(4));
        // Reusing one environment across resets changes nothing.
        let mut env = paper_env();
        env.reset(9).unwrap();
        env.step(&ExecAction::Market { qty: Qty(5) }).unwrap();
        env.reset(3).unwrap();
        let s = env.step(&ExecAction::Market { qty: Qty(100_000) }).unwrap();
        assert_eq!((s.reward.to_bits(), s.obs.book.mid.to_bits()), run(3)[0]);
    }

    #[test]
    fn noise_does_not_depend_on_the_action() {
        // Common random numbers: the mid change minus own permanent impact is the same ξ.
        let moves = |qty| {
            let mut env = paper_env();
            env.reset(11).unwrap();
            let s = env.step(&ExecAction::Market { qty: Qty(qty) }).unwrap();
            s.obs.book.last_return + 2.5e-7 * qty as f64
        };
        assert!((moves(0) - moves(200_000)).abs() < 1e-12);
    }

    #[test]
    fn limit_orders_fill_when_the_market_trades_through() {
        // Zero impact, a sell at the ask fills exactly when the mid rises.
        let mut p = AcParams::paper_example();
        p.gamma = 0.0;
        let mut env = AcWorldConfig::new(p).build().unwrap();
        let mut fills = 0;
        for seed in 0..400 {
            env.reset(seed).unwrap();
            let s = env
                .step(&ExecAction::Limit {
                    qty: Qty(1000),
                    offset_ticks: 0,
                })
                .unwrap();
            let filled = s.info.filled == Qty(1000);
            assert_eq!(filled, s.obs.book.last_return > 0.0, "seed {seed}");
            assert_eq!(s.obs.resting, if filled { Qty(0) } else { Qty(1000) });
            if filled {
                fills += 1;
                // Sold at the ask S0 + ε: the spread is earned.
                assert!((s.info.filled_notional - 1000.0 * 50.0625).abs() < 1e-9);
                assert!((s.info.spread_cost + 62.5).abs() < 1e-9);
            }
        }
        // P(fill) = 1/2: 400 trials, 4.5 standard deviations is ±45.
        assert!((fills as i64 - 200).abs() < 45, "{fills}");
    }

    #[test]
    fn bad_actions_and_configs_are_errors() {
        let mut env = paper_env();
        assert!(env.step(&ExecAction::Hold).is_err()); // before reset
        env.reset(0).unwrap();
        let e = env
            .step(&ExecAction::Market {
                qty: Qty(2_000_000),
            })
            .unwrap_err()
            .to_string();
        assert!(e.contains("step 0") && e.contains("remaining"), "{e}");
        let mut c = AcWorldConfig::new(AcParams::paper_example());
        c.tick_size = 0.0;
        assert!(c.build().unwrap_err().to_string().contains("tick_size"));
        let mut c = AcWorldConfig::new(AcParams::paper_example());
        c.model.eta = -1.0;
        assert!(c.build().unwrap_err().to_string().contains("eta"));
    }

    #[test]
    fn market_volume_follows_the_profile() {
        let mut c = AcWorldConfig::new(AcParams::paper_example());
        c.market_volume_per_step = 1000.0;
        c.volume_profile = Some(VolumeProfile::new(vec![3.0, 1.0, 1.0, 1.0, 4.0]).unwrap());
        let mut env = c.build().unwrap();
        env.reset(0).unwrap();
        let mut seen = Vec::new();
        for _ in 0..5 {
            seen.push(env.step(&ExecAction::Hold).unwrap().obs.market_volume.0);
        }
        // 5000 lots over the horizon, shares 0.3, 0.1, 0.1, 0.1, 0.4 (cumulative).
        assert_eq!(seen, vec![1500, 2000, 2500, 3000, 5000]);
    }
}
