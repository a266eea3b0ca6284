//! # shortfall-features
//!
//! Streaming (O(1) per event) and batch market features, normalisers and leak-free
//! supervised labels, computed from any [`shortfall_core::BookView`] and
//! [`shortfall_core::MarketEvent`] stream.
//!
//! Status: this crate is a placeholder for the features issue; it exports nothing yet.
#![deny(missing_docs)]
