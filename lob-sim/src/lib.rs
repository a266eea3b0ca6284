//! # shortfall-lob-sim
//!
//! Limit-order-book simulation for Shortfall: an order-by-order book with price-time
//! priority matching ([`book::L3Book`]), a price-level book ([`book::L2Book`]), streaming
//! readers for LOBSTER and Binance futures captures ([`data`]), and replay of a reader's
//! events into a book, checked against the source's own book states ([`replay`]).
//!
//! This crate never depends on a deep-learning framework.
#![deny(missing_docs)]

pub mod book;
pub mod data;
mod error;
mod hash;
pub mod replay;

pub use error::{Error, Result};
