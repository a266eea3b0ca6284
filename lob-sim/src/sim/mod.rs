//! Discrete-event market simulation: a kernel with latency, an exchange around the
//! [`L3Book`](crate::book::L3Book) matching engine, background order-flow models,
//! configuration, and stylized-facts statistics.
//!
//! - [`Market`]: the kernel and exchange; strategies connect with [`Market::add_strategy`],
//!   send through [`Market::submit`] (or the [`shortfall_core::OrderSink`] from
//!   [`Market::sink`]), and read their reports after latency.
//! - [`OrderFlow`]: background flow models ([`ZeroIntelligence`], [`QueueReactive`],
//!   [`AgentFlow`]).
//! - [`LatencyModel`]: constant, uniform, exponential, log-normal and empirical latencies.
//! - [`SimConfig`]: the TOML configuration, validated into a runnable [`SimMarket`].
//! - [`stats`]: returns, kurtosis, autocorrelations, impact-exponent fits; [`impact`]:
//!   metaorder impact measured in branches of one simulated market.

pub mod config;
pub mod flow;
pub mod impact;
mod latency;
mod market;
mod queue;
mod record;
mod size;
pub mod stats;

pub use config::{AnyFlow, FlowConfig, FlowModel, SimConfig, SimMarket};
pub use flow::{
    AGENT_TRADER_BASE, AgentFlow, AgentParams, BACKGROUND_ID_BIT, FlowCtx, OrderFlow,
    QueueReactive, QueueReactiveParams, ZeroIntelligence, ZiParams,
};
pub use latency::{Latency, LatencyModel};
pub use market::{Market, MarketCounters, StrategyId, StrategySink, StrategySpec, SubmitRefusal};
pub use queue::EventQueue;
pub use record::EventHash;
pub use size::{SizeConfig, SizeDist};

/// The simulator's random generator: xoshiro256++ (Blackman and Vigna), fast, small, and
/// `Clone`, so a cloned market continues with an identical stream. Not cryptographic.
pub type SimRng = rand::rngs::Xoshiro256PlusPlus;
