//! The simulator's TOML configuration, validated into a runnable [`SimMarket`].
//!
//! ```toml
//! seed = 42
//!
//! [session]
//! duration_s = 3600.0     # simulated seconds after the warm-up (> 0)
//! warmup_s = 60.0         # simulated seconds run before measurement starts (≥ 0)
//!
//! [instrument]
//! symbol = "SIM"
//! tick_size = 0.01
//! lot_size = 1.0
//!
//! [initial_book]
//! mid_price = 100.0       # a whole number of ticks
//! levels = 10
//! orders_per_level = 3
//! order_size_lots = 2
//!
//! [flow]
//! model = "zi"            # "zi", "qr", "abides" or "hawkes"
//! latency = { kind = "constant", us = 0.0 }
//!
//! [flow.zi]
//! limit_rate_per_s_by_distance = [2.0, 1.6, 1.3, 1.1, 0.9]
//! market_rate_per_s = 1.5
//! cancel_rate_per_order_per_s = 0.5
//! limit_size = { kind = "constant", lots = 2 }
//! market_size = { kind = "empirical", lots = [1, 2, 5], weights = [0.5, 0.3, 0.2] }
//! ```
//!
//! Each model's section is optional and defaults to that model's documented defaults;
//! unknown keys are errors, so a misspelt field never silently falls back to a default.

use super::flow::{
    AgentFlow, AgentParams, FlowCtx, OrderFlow, QueueReactive, QueueReactiveParams,
    ZeroIntelligence, ZiParams,
};
use super::latency::Latency;
use super::market::Market;
use crate::book::{BookOutput, L3Book};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use shortfall_core::{Instrument, OrderRequest, Price, Qty, TraderId, Ts};
use std::path::Path;

/// The whole configuration of a simulated market (see the module docs for the format).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimConfig {
    /// Seed of every random stream (the command line may override it).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Session timing.
    #[serde(default)]
    pub session: SessionConfig,
    /// The traded instrument.
    #[serde(default = "default_instrument")]
    pub instrument: Instrument,
    /// The book at the start.
    #[serde(default)]
    pub initial_book: InitialBookConfig,
    /// The background flow.
    #[serde(default)]
    pub flow: FlowConfig,
}

fn default_seed() -> u64 {
    42
}

fn default_instrument() -> Instrument {
    Instrument::new("SIM", 0.01, 1.0).expect("0.01 and 1 are valid tick and lot sizes")
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: default_seed(),
            session: SessionConfig::default(),
            instrument: default_instrument(),
            initial_book: InitialBookConfig::default(),
            flow: FlowConfig::default(),
        }
    }
}

/// Session timing, in simulated seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    /// Length of the measured session (> 0).
    pub duration_s: f64,
    /// Time run before the session, to reach the flow's stationary book (≥ 0).
    #[serde(default)]
    pub warmup_s: f64,
}

impl Default for SessionConfig {
    /// One hour after a one-minute warm-up.
    fn default() -> Self {
        Self {
            duration_s: 3600.0,
            warmup_s: 60.0,
        }
    }
}

/// A symmetric initial book: `levels` price levels per side, `orders_per_level` orders of
/// `order_size_lots` each, starting one tick either side of `mid_price`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitialBookConfig {
    /// The initial mid price in currency units; must be a whole number of ticks.
    pub mid_price: f64,
    /// Levels per side (0 starts from an empty book).
    #[serde(default)]
    pub levels: u32,
    /// Orders per level.
    #[serde(default)]
    pub orders_per_level: u32,
    /// Lots per order (≥ 1 when levels and orders are non-zero).
    #[serde(default = "one")]
    pub order_size_lots: i64,
}

fn one() -> i64 {
    1
}

impl Default for InitialBookConfig {
    fn default() -> Self {
        Self {
            mid_price: 100.0,
            levels: 10,
            orders_per_level: 3,
            order_size_lots: 2,
        }
    }
}

/// Which background-flow model runs.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowModel {
    /// [`ZeroIntelligence`].
    #[default]
    Zi,
    /// [`QueueReactive`].
    Qr,
    /// [`AgentFlow`].
    Abides,
}

impl FlowModel {
    /// The model's name as written in the config and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            FlowModel::Zi => "zi",
            FlowModel::Qr => "qr",
            FlowModel::Abides => "abides",
        }
    }
}

impl std::str::FromStr for FlowModel {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "zi" => Ok(FlowModel::Zi),
            "qr" => Ok(FlowModel::Qr),
            "abides" => Ok(FlowModel::Abides),
            other => Err(Error::Config {
                field: "flow.model".into(),
                reason: format!("unknown model {other:?}: expected zi, qr or abides"),
            }),
        }
    }
}

/// The background flow: its model, each model's parameters, and its order-entry latency.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowConfig {
    /// The model that runs.
    #[serde(default)]
    pub model: FlowModel,
    /// Delay of the flow's requests to the exchange (zero: co-located, fastest).
    #[serde(default)]
    pub latency: Latency,
    /// Zero-intelligence parameters.
    #[serde(default)]
    pub zi: ZiParams,
    /// Queue-reactive parameters.
    #[serde(default)]
    pub qr: QueueReactiveParams,
    /// Agent-based (ABIDES-style) parameters.
    #[serde(default)]
    pub abides: AgentParams,
}

/// Any of the configured flow models, dispatched statically (a `match`, no virtual call).
// One value per market, never moved in the event loop: boxing the large variant would only
// add an indirection to every event.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum AnyFlow {
    /// Zero-intelligence.
    Zi(ZeroIntelligence),
    /// Queue-reactive.
    Qr(QueueReactive),
    /// Agent-based.
    Abides(AgentFlow),
}

macro_rules! dispatch {
    ($self:ident, $f:ident => $e:expr) => {
        match $self {
            AnyFlow::Zi($f) => $e,
            AnyFlow::Qr($f) => $e,
            AnyFlow::Abides($f) => $e,
        }
    };
}

impl OrderFlow for AnyFlow {
    #[inline]
    fn next_time(&self) -> Ts {
        dispatch!(self, f => f.next_time())
    }
    #[inline]
    fn fire(&mut self, ctx: &mut FlowCtx<'_>, out: &mut Vec<OrderRequest>) {
        dispatch!(self, f => f.fire(ctx, out))
    }
    #[inline]
    fn on_output(&mut self, now: Ts, output: &BookOutput) {
        dispatch!(self, f => f.on_output(now, output))
    }
    #[inline]
    fn schedule(&mut self, ctx: &mut FlowCtx<'_>) {
        dispatch!(self, f => f.schedule(ctx))
    }
    fn owns(&self, trader: TraderId) -> bool {
        dispatch!(self, f => f.owns(trader))
    }
    fn name(&self) -> &'static str {
        dispatch!(self, f => f.name())
    }
}

/// A market built from a [`SimConfig`].
pub type SimMarket = Market<AnyFlow>;

impl SimConfig {
    /// Parses and validates TOML text; `origin` names it in errors (a file name).
    ///
    /// # Errors
    /// [`Error::ConfigSyntax`] for malformed TOML, unknown keys or wrong types (the message
    /// names the key, line and column); [`Error::Config`] for invalid values.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Self> {
        let config: SimConfig = toml::from_str(text).map_err(|e| Error::ConfigSyntax {
            origin: origin.to_owned(),
            message: e.to_string(),
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Reads, parses and validates a TOML file.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, then as [`SimConfig::from_toml_str`].
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::from_toml_str(&text, &path.display().to_string())
    }

    /// The session length in nanoseconds.
    pub fn session_length(&self) -> Ts {
        Ts((self.session.duration_s * 1e9).round() as i64)
    }

    /// The warm-up length in nanoseconds.
    pub fn warmup_length(&self) -> Ts {
        Ts((self.session.warmup_s * 1e9).round() as i64)
    }

    /// The initial mid in ticks.
    ///
    /// # Errors
    /// [`Error::Config`] naming `initial_book.mid_price` when it is not a positive whole
    /// number of ticks.
    pub fn initial_mid(&self) -> Result<Price> {
        let field = "initial_book.mid_price";
        let mid = self.initial_book.mid_price;
        if !(mid.is_finite() && mid > 0.0) {
            return Err(Error::Config {
                field: field.into(),
                reason: format!("must be a finite price > 0, got {mid}"),
            });
        }
        self.instrument
            .price_from_f64(mid)
            .map_err(|e| Error::Config {
                field: field.into(),
                reason: format!(
                    "{e} (tick mismatch with instrument.tick_size = {})",
                    self.instrument.tick_size()
                ),
            })
    }

    /// Checks every value without building anything.
    ///
    /// # Errors
    /// [`Error::Config`] naming the first invalid field: a zero, negative or non-finite
    /// session length, a negative warm-up, a mid price off the tick grid, an initial book
    /// reaching a non-positive price, or an invalid flow parameter or latency.
    pub fn validate(&self) -> Result<()> {
        let d = self.session.duration_s;
        if !(d.is_finite() && d > 0.0) {
            return Err(Error::Config {
                field: "session.duration_s".into(),
                reason: format!("the session must last a finite time > 0 s, got {d}"),
            });
        }
        let w = self.session.warmup_s;
        if !(w.is_finite() && w >= 0.0) {
            return Err(Error::Config {
                field: "session.warmup_s".into(),
                reason: format!("must be finite and ≥ 0 s, got {w}"),
            });
        }
        if (d + w) * 1e9 > 9.0e18 {
            return Err(Error::Config {
                field: "session.duration_s".into(),
                reason: "the session does not fit in 64-bit nanoseconds".into(),
            });
        }
        let mid = self.initial_mid()?;
        let book = &self.initial_book;
        if book.levels > 0 && book.orders_per_level > 0 {
            if book.order_size_lots < 1 {
                return Err(Error::Config {
                    field: "initial_book.order_size_lots".into(),
                    reason: format!("must be ≥ 1, got {}", book.order_size_lots),
                });
            }
            if mid.0 - i64::from(book.levels) < 1 {
                return Err(Error::Config {
                    field: "initial_book.levels".into(),
                    reason: format!(
                        "{} levels below mid {} ticks reach a price ≤ 0",
                        book.levels, mid.0
                    ),
                });
            }
        }
        self.flow.latency.validate("flow.latency")?;
        self.build_flow(self.flow.model, mid).map(|_| ())
    }

    fn build_flow(&self, model: FlowModel, mid: Price) -> Result<AnyFlow> {
        Ok(match model {
            FlowModel::Zi => AnyFlow::Zi(ZeroIntelligence::new(&self.flow.zi, "flow.zi", mid)?),
            FlowModel::Qr => AnyFlow::Qr(QueueReactive::new(&self.flow.qr, "flow.qr", mid)?),
            FlowModel::Abides => {
                AnyFlow::Abides(AgentFlow::new(&self.flow.abides, "flow.abides", mid)?)
            }
        })
    }

    /// Builds the market at time 0 with the initial book seeded and the flow scheduled,
    /// before any warm-up (run it with [`Market::run_until`] to `warmup_length()`).
    ///
    /// # Errors
    /// As [`SimConfig::validate`].
    pub fn build(&self) -> Result<SimMarket> {
        self.validate()?;
        let mid = self.initial_mid()?;
        let flow = self.build_flow(self.flow.model, mid)?;
        let book = &self.initial_book;
        let mut market = Market::new(
            L3Book::with_capacity(4096, 256),
            flow,
            self.flow.latency.clone(),
            self.seed,
            Ts(0),
        );
        if book.levels > 0 && book.orders_per_level > 0 {
            market.seed_book(
                mid,
                book.levels,
                book.orders_per_level,
                Qty(book.order_size_lots),
            )?;
        }
        Ok(market)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        SimConfig::from_toml_str(text, "test.toml")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn the_documented_example_parses() {
        let text = "seed = 3\n[session]\nduration_s = 10.0\n[flow]\nmodel = \"zi\"\n\
            [flow.zi]\nlimit_rate_per_s_by_distance = [2.0, 1.0]\nmarket_rate_per_s = 1.5\n\
            cancel_rate_per_order_per_s = 0.5\n\
            market_size = { kind = \"empirical\", lots = [1, 2], weights = [0.5, 0.5] }\n";
        let config = SimConfig::from_toml_str(text, "test.toml").unwrap();
        assert_eq!(config.seed, 3);
        assert_eq!(config.session_length(), Ts::from_secs(10));
        assert_eq!(config.flow.zi.limit_rate_per_s_by_distance, [2.0, 1.0]);
        assert!(config.build().is_ok());
    }

    #[test]
    fn bad_values_name_their_field() {
        let e = err("[session]\nduration_s = 0.0\n");
        assert!(e.contains("session.duration_s"), "{e}");
        let e = err("[session]\nduration_s = -5.0\n");
        assert!(e.contains("session.duration_s"), "{e}");
        let e = err("[session]\nduration_s = nan\n");
        assert!(e.contains("session.duration_s"), "{e}");
        let e = err(
            "[flow.zi]\nlimit_rate_per_s_by_distance = [1.0, -2.0]\nmarket_rate_per_s = 1.0\ncancel_rate_per_order_per_s = 0.1\n",
        );
        assert!(e.contains("flow.zi.limit_rate_per_s_by_distance[1]"), "{e}");
        let e = err(
            "[flow.zi]\nlimit_rate_per_s_by_distance = [1.0]\nmarket_rate_per_s = nan\ncancel_rate_per_order_per_s = 0.1\n",
        );
        assert!(e.contains("flow.zi.market_rate_per_s"), "{e}");
        let e = err("[initial_book]\nmid_price = 100.005\n");
        assert!(
            e.contains("initial_book.mid_price") && e.contains("tick mismatch"),
            "{e}"
        );
        let e = err("[initial_book]\nmid_price = 0.05\nlevels = 10\norders_per_level = 1\n");
        assert!(e.contains("initial_book.levels"), "{e}");
        let e = err("[flow]\nlatency = { kind = \"constant\", us = -1.0 }\n");
        assert!(e.contains("flow.latency.us"), "{e}");
    }

    #[test]
    fn unknown_keys_and_models_are_syntax_errors() {
        let e = err("[session]\nduration_s = 1.0\nduration = 2.0\n");
        assert!(e.contains("duration"), "{e}");
        let e = err("[flow]\nmodel = \"magic\"\n");
        assert!(e.contains("magic"), "{e}");
        assert!("zi".parse::<FlowModel>().is_ok());
        assert!("nope".parse::<FlowModel>().is_err());
    }
}
