//! Streaming readers for market data files.

pub mod binance;
pub mod lobster;
