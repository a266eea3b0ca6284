//! Risk posture: turns the volatility forecast, the market regime and the stress reading
//! into the parameters the execution layer reads — a participation cap, an urgency scale
//! and a trading state for the pre-trade gate — and a [`RiskController`] that applies the
//! trading state to a [`PreTradeGate`](crate::gate::PreTradeGate) on the same market event
//! that raised it.
//!
//! # The rules ([`PostureConfig::posture`])
//!
//! With the volatility ratio r = σ_forecast/σ_normal (1 when unknown):
//!
//! - **Trading state** = the strictest of
//!   - volatility: Halted if r ≥ `halt_vol_ratio`, Reducing if r ≥ `reduce_vol_ratio`,
//!     else Active;
//!   - regime: `crisis_state` in [`Regime::Crisis`], else Active;
//!   - stress: `severe_stress_state` when [`StressLevel::Severe`],
//!     `elevated_stress_state` when [`StressLevel::Elevated`], else Active.
//! - **Maximum participation** (fraction of market volume) =
//!   `base_participation` × min(1, 1/r) × (`elevated_stress_scale` if Elevated or Severe) ×
//!   (`turbulent_scale` if Turbulent, `crisis_scale` if Crisis), floored at
//!   `min_participation`, and 0 when the state is Halted. Participation falls in proportion
//!   to volatility, so the expected market impact of a slice (∝ σ·participation under
//!   square-root and linear impact models alike) stays roughly constant.
//! - **Urgency scale** = r clamped to [`min_urgency`, `max_urgency`]: in Almgren & Chriss
//!   (2000), the optimal trajectory decays as sinh(κ(T − t)) with κ ≈ √(λσ²/η), linear in σ,
//!   so a risk-averse schedule speeds up in proportion to volatility. Execution layers
//!   multiply their urgency (κ, or the inverse of the horizon) by it.
//!
//! [`min_urgency`]: PostureConfig::min_urgency
//! [`max_urgency`]: PostureConfig::max_urgency
//!
//! # References
//! - Almgren, R. & Chriss, N. (2000). Optimal execution of portfolio transactions.
//!   *Journal of Risk* 3(2), 5–39.
//!
//! ```
//! use shortfall_risk::gate::GateState;
//! use shortfall_risk::posture::{PostureConfig, PostureInputs, Regime};
//! use shortfall_risk::stress::StressLevel;
//! # fn main() -> shortfall_risk::Result<()> {
//! let rules = PostureConfig::from_toml_str("base_participation = 0.2\nhalt_vol_ratio = 5.0")?;
//! rules.validate()?;
//! let calm = rules.posture(&PostureInputs { vol_ratio: Some(1.0), ..Default::default() });
//! assert_eq!((calm.max_participation, calm.trading_state), (0.2, GateState::Active));
//! let stormy = rules.posture(&PostureInputs { vol_ratio: Some(2.5), ..Default::default() });
//! assert_eq!(stormy.trading_state, GateState::Reducing);
//! assert!((stormy.max_participation - 0.08).abs() < 1e-12);
//! let crash = rules.posture(&PostureInputs { stress: StressLevel::Severe, ..Default::default() });
//! assert_eq!((crash.trading_state, crash.max_participation), (GateState::Halted, 0.0));
//! # Ok(()) }
//! ```

mod controller;

pub use controller::{ControlStep, RiskController};

use crate::error::{Error, Result};
use crate::gate::GateState;
use crate::stress::StressLevel;
use serde::{Deserialize, Serialize};

/// The market regime, as classified elsewhere (e.g. a hidden Markov model on returns or a
/// volatility filter); risk only consumes it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Regime {
    /// Ordinary conditions.
    #[default]
    Normal,
    /// Choppy, high-volatility conditions.
    Turbulent,
    /// A crisis regime.
    Crisis,
}

/// What the posture rules read.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PostureInputs {
    /// σ_forecast / σ_normal (`None`: no volatility information, treated as 1).
    pub vol_ratio: Option<f64>,
    /// The current regime.
    pub regime: Regime,
    /// The latest stress level.
    pub stress: StressLevel,
}

/// Which input decided the trading state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum PostureDriver {
    /// Nothing: the state is Active.
    #[default]
    None,
    /// The volatility ratio.
    Volatility,
    /// The regime.
    Regime,
    /// The stress detector.
    Stress,
}

/// The parameters the execution layer reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Posture {
    /// Largest fraction of market volume to trade (0 when halted).
    pub max_participation: f64,
    /// Multiplier on the execution schedule's urgency.
    pub urgency_scale: f64,
    /// The trading state for the pre-trade gate.
    pub trading_state: GateState,
    /// What decided the trading state (the first of stress, regime, volatility to require
    /// it, in that order).
    pub driver: PostureDriver,
}

/// The posture thresholds (serde, TOML-ready, every field defaulted; checked by
/// [`PostureConfig::validate`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PostureConfig {
    /// Participation cap in normal conditions, in (0, 1]. Default 0.10.
    pub base_participation: f64,
    /// Lowest cap while trading is allowed, in (0, base]. Default 0.01.
    pub min_participation: f64,
    /// σ ratio at or above which the state is at least Reducing (> 1). Default 2.
    pub reduce_vol_ratio: f64,
    /// σ ratio at or above which the state is Halted (> `reduce_vol_ratio`). Default 4.
    pub halt_vol_ratio: f64,
    /// Participation multiplier under Elevated or Severe stress, in (0, 1]. Default 0.5.
    pub elevated_stress_scale: f64,
    /// State under Elevated stress. Default `"active"`.
    pub elevated_stress_state: GateState,
    /// State under Severe stress (flash-crash conditions); Reducing or Halted, and at least
    /// as strict as `elevated_stress_state`. Default `"halted"`.
    pub severe_stress_state: GateState,
    /// Participation multiplier in the Turbulent regime, in (0, 1]. Default 0.5.
    pub turbulent_scale: f64,
    /// Participation multiplier in the Crisis regime, in (0, turbulent]. Default 0.25.
    pub crisis_scale: f64,
    /// State in the Crisis regime. Default `"reducing"`.
    pub crisis_state: GateState,
    /// Lower clamp of the urgency scale, in (0, 1]. Default 0.5.
    pub min_urgency: f64,
    /// Upper clamp of the urgency scale, ≥ 1. Default 3.
    pub max_urgency: f64,
    /// Consecutive market events whose posture is less strict than the gate's state before
    /// a [`RiskController`] relaxes the gate (escalation is immediate). Default 1 000.
    pub recovery_events: u64,
}

impl Default for PostureConfig {
    fn default() -> Self {
        Self {
            base_participation: 0.10,
            min_participation: 0.01,
            reduce_vol_ratio: 2.0,
            halt_vol_ratio: 4.0,
            elevated_stress_scale: 0.5,
            elevated_stress_state: GateState::Active,
            severe_stress_state: GateState::Halted,
            turbulent_scale: 0.5,
            crisis_scale: 0.25,
            crisis_state: GateState::Reducing,
            min_urgency: 0.5,
            max_urgency: 3.0,
            recovery_events: 1000,
        }
    }
}

fn invalid(field: &'static str, value: impl ToString, reason: impl Into<String>) -> Error {
    Error::InvalidSetting {
        what: "posture config",
        field,
        value: value.to_string(),
        reason: reason.into(),
    }
}

fn in_unit(field: &'static str, v: f64) -> Result<()> {
    if v > 0.0 && v <= 1.0 {
        Ok(())
    } else {
        Err(invalid(field, v, "must be in (0, 1]"))
    }
}

/// σ_forecast/σ_normal from two variances (e.g. a GARCH one-step forecast and the
/// unconditional variance, or an EWMA and a long-run average).
///
/// # Errors
/// [`Error::InvalidParameter`] unless both are finite, the forecast ≥ 0 and the normal
/// variance > 0.
pub fn vol_ratio(forecast_variance: f64, normal_variance: f64) -> Result<f64> {
    if !(forecast_variance.is_finite() && forecast_variance >= 0.0) {
        return Err(Error::InvalidParameter {
            name: "forecast_variance",
            value: forecast_variance,
            allowed: "finite and >= 0",
        });
    }
    if !(normal_variance.is_finite() && normal_variance > 0.0) {
        return Err(Error::InvalidParameter {
            name: "normal_variance",
            value: normal_variance,
            allowed: "finite and > 0",
        });
    }
    Ok((forecast_variance / normal_variance).sqrt())
}

impl PostureConfig {
    /// Reads a configuration from TOML; fields left out keep their defaults.
    ///
    /// # Errors
    /// [`Error::ConfigToml`] for malformed TOML, unknown fields or wrong types (including a
    /// state other than `"active"`, `"reducing"`, `"halted"`).
    pub fn from_toml_str(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| Error::ConfigToml {
            reason: e.to_string(),
        })
    }

    /// Checks every threshold and that they are consistent with each other.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] naming the first offending field: a participation or scale
    /// outside (0, 1], `min_participation` above `base_participation`, `reduce_vol_ratio`
    /// ≤ 1 or not below `halt_vol_ratio`, a Severe-stress state that is Active or more
    /// lenient than the Elevated one, `crisis_scale` above `turbulent_scale`, urgency clamps
    /// that do not bracket 1.
    pub fn validate(&self) -> Result<()> {
        in_unit("base_participation", self.base_participation)?;
        in_unit("min_participation", self.min_participation)?;
        if self.min_participation > self.base_participation {
            return Err(invalid(
                "min_participation",
                self.min_participation,
                format!(
                    "must not exceed base_participation = {}",
                    self.base_participation
                ),
            ));
        }
        if !(self.reduce_vol_ratio.is_finite() && self.reduce_vol_ratio > 1.0) {
            return Err(invalid(
                "reduce_vol_ratio",
                self.reduce_vol_ratio,
                "must be finite and > 1 (volatility above normal)",
            ));
        }
        if !(self.halt_vol_ratio.is_finite() && self.halt_vol_ratio > self.reduce_vol_ratio) {
            return Err(invalid(
                "halt_vol_ratio",
                self.halt_vol_ratio,
                format!(
                    "must be finite and above reduce_vol_ratio = {}",
                    self.reduce_vol_ratio
                ),
            ));
        }
        in_unit("elevated_stress_scale", self.elevated_stress_scale)?;
        if self.severe_stress_state == GateState::Active {
            return Err(invalid(
                "severe_stress_state",
                "active",
                "must be \"reducing\" or \"halted\": flash-crash conditions must restrict trading",
            ));
        }
        if self.severe_stress_state < self.elevated_stress_state {
            return Err(invalid(
                "severe_stress_state",
                self.severe_stress_state.as_str(),
                format!(
                    "must be at least as strict as elevated_stress_state = \"{}\"",
                    self.elevated_stress_state.as_str()
                ),
            ));
        }
        in_unit("turbulent_scale", self.turbulent_scale)?;
        in_unit("crisis_scale", self.crisis_scale)?;
        if self.crisis_scale > self.turbulent_scale {
            return Err(invalid(
                "crisis_scale",
                self.crisis_scale,
                format!(
                    "must not exceed turbulent_scale = {} (a crisis is not milder)",
                    self.turbulent_scale
                ),
            ));
        }
        in_unit("min_urgency", self.min_urgency)?;
        if !(self.max_urgency.is_finite() && self.max_urgency >= 1.0) {
            return Err(invalid(
                "max_urgency",
                self.max_urgency,
                "must be finite and >= 1",
            ));
        }
        Ok(())
    }

    /// The posture for `inputs` (rules in the module docs). A non-finite or negative
    /// `vol_ratio` is treated as extreme (∞): the state is Halted. Assumes a validated
    /// configuration.
    pub fn posture(&self, inputs: &PostureInputs) -> Posture {
        let r = match inputs.vol_ratio {
            None => 1.0,
            Some(v) if v.is_finite() && v >= 0.0 => v,
            Some(_) => f64::INFINITY,
        };
        let vol_state = if r >= self.halt_vol_ratio {
            GateState::Halted
        } else if r >= self.reduce_vol_ratio {
            GateState::Reducing
        } else {
            GateState::Active
        };
        let regime_state = match inputs.regime {
            Regime::Crisis => self.crisis_state,
            _ => GateState::Active,
        };
        let stress_state = match inputs.stress {
            StressLevel::Severe => self.severe_stress_state,
            StressLevel::Elevated => self.elevated_stress_state,
            StressLevel::Calm => GateState::Active,
        };
        let trading_state = vol_state.max(regime_state).max(stress_state);
        let driver = if trading_state == GateState::Active {
            PostureDriver::None
        } else if stress_state == trading_state {
            PostureDriver::Stress
        } else if regime_state == trading_state {
            PostureDriver::Regime
        } else {
            PostureDriver::Volatility
        };
        let mut participation = self.base_participation * (1.0 / r).min(1.0);
        if inputs.stress != StressLevel::Calm {
            participation *= self.elevated_stress_scale;
        }
        participation *= match inputs.regime {
            Regime::Normal => 1.0,
            Regime::Turbulent => self.turbulent_scale,
            Regime::Crisis => self.crisis_scale,
        };
        let max_participation = if trading_state == GateState::Halted {
            0.0
        } else {
            participation.max(self.min_participation)
        };
        Posture {
            max_participation,
            urgency_scale: r.clamp(self.min_urgency, self.max_urgency),
            trading_state,
            driver,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> PostureConfig {
        PostureConfig::default()
    }

    #[test]
    fn thresholds_map_to_states_at_their_boundaries() {
        let r = rules();
        let at = |v: f64| {
            r.posture(&PostureInputs {
                vol_ratio: Some(v),
                ..Default::default()
            })
        };
        assert_eq!(at(1.99).trading_state, GateState::Active);
        assert_eq!(at(2.0).trading_state, GateState::Reducing);
        assert_eq!(at(3.99).trading_state, GateState::Reducing);
        assert_eq!(at(4.0).trading_state, GateState::Halted);
        assert_eq!(at(f64::NAN).trading_state, GateState::Halted);
        // Participation 0.1/r, floored at 0.01; urgency r clamped to [0.5, 3].
        assert!((at(2.5).max_participation - 0.04).abs() < 1e-15);
        assert_eq!(at(0.5).max_participation, 0.1);
        assert_eq!(at(0.2).urgency_scale, 0.5);
        assert_eq!(at(3.5).urgency_scale, 3.0);
        assert_eq!(at(4.0).max_participation, 0.0);
        assert_eq!(at(2.5).driver, PostureDriver::Volatility);
    }

    #[test]
    fn the_strictest_input_wins_and_scales_multiply() {
        let r = rules();
        let p = r.posture(&PostureInputs {
            vol_ratio: Some(1.0),
            regime: Regime::Crisis,
            stress: StressLevel::Elevated,
        });
        assert_eq!(p.trading_state, GateState::Reducing);
        assert_eq!(p.driver, PostureDriver::Regime);
        // 0.1 × 0.5 (stress) × 0.25 (crisis) = 0.0125.
        assert!((p.max_participation - 0.0125).abs() < 1e-15);
        let p = r.posture(&PostureInputs {
            vol_ratio: Some(2.0),
            regime: Regime::Turbulent,
            stress: StressLevel::Severe,
        });
        assert_eq!(p.trading_state, GateState::Halted);
        assert_eq!(p.driver, PostureDriver::Stress);
        // Floor: 0.1/2 × 0.5 × 0.5 = 0.0125 ≥ 0.01 would apply, but halted means 0.
        assert_eq!(p.max_participation, 0.0);
    }

    #[test]
    fn inconsistent_thresholds_are_rejected_with_the_field_named() {
        let cases: [(&str, &str); 7] = [
            (
                "reduce_vol_ratio = 3.0\nhalt_vol_ratio = 2.0",
                "halt_vol_ratio",
            ),
            ("reduce_vol_ratio = 0.8", "reduce_vol_ratio"),
            ("min_participation = 0.2", "min_participation"),
            ("base_participation = 1.5", "base_participation"),
            ("severe_stress_state = \"active\"", "severe_stress_state"),
            (
                "elevated_stress_state = \"halted\"\nsevere_stress_state = \"reducing\"",
                "severe_stress_state",
            ),
            ("crisis_scale = 0.9", "crisis_scale"),
        ];
        for (toml, field) in cases {
            let c = PostureConfig::from_toml_str(toml).unwrap();
            match c.validate() {
                Err(Error::InvalidSetting { field: f, .. }) => assert_eq!(f, field, "{toml}"),
                other => panic!("{toml}: {other:?}"),
            }
        }
        assert!(PostureConfig::from_toml_str("severe_stress_state = \"paused\"").is_err());
        assert!(PostureConfig::from_toml_str("halt_ratio = 3.0").is_err());
        rules().validate().unwrap();
    }

    #[test]
    fn vol_ratio_is_the_ratio_of_standard_deviations() {
        assert!((vol_ratio(4e-4, 1e-4).unwrap() - 2.0).abs() < 1e-15);
        assert!(vol_ratio(1e-4, 0.0).is_err());
        assert!(vol_ratio(f64::NAN, 1e-4).is_err());
    }
}
