//! # shortfall-features
//!
//! Streaming (O(1) per event) and batch market features, normalisers and leak-free
//! supervised labels, computed from any [`shortfall_core::BookView`] and
//! [`shortfall_core::MarketEvent`] stream. Depends on `shortfall-core` only: the books and
//! readers live in `shortfall-lob-sim`, and the root package glues a replay to a pipeline.
//!
//! - [`FeaturePipeline`]: features configured from TOML ([`PipelineConfig`],
//!   [`DEFAULT_PIPELINE_TOML`]: 26 outputs), updated once per event with the book after it,
//!   writing one row into a caller's slice. Every feature implements [`FeatureExtractor`]
//!   and documents its formula and source: [`book`] (mid, microprice, weighted mid, spread,
//!   depth, imbalance), [`flow`] (order-flow imbalance at several levels, signed trade volume,
//!   trade-flow imbalance, trade intensity), [`price`] (realised volatility, Parkinson and
//!   Garman–Klass on bars, lagged returns, time of day). Windows ([`Window`]) decay
//!   exponentially by a half-life in events or in seconds.
//! - [`normalise`]: Welford and exponentially weighted z-scores and rolling min–max, fitted
//!   on training rows and applied unchanged to test rows, or used online.
//! - [`labels`]: mid-price direction with the FI-2010 and DeepLOB smoothing conventions,
//!   future returns, triple-barrier labels; none reads past its horizon.
//! - [`DatasetBuilder`] / [`Dataset`]: the batch API, from `(event, book)` pairs to
//!   `ndarray` matrices with NaN checks that name the feature and row.
//!
//! Empty, one-sided or crossed books are *invalid*: price features carry their last value,
//! the `book_valid` output flags the row, and nothing is NaN (see [`Observation`]).
//!
//! ```
//! use shortfall_core::{MarketEvent, Price, PriceLevel, Qty, Side, Ts};
//! use shortfall_features::{BookSnapshot, DatasetBuilder, FeaturePipeline, LabelSpec, Smoothing};
//!
//! let pipeline = FeaturePipeline::default();
//! assert!(pipeline.width() >= 15);
//! let labels = vec![LabelSpec::Direction { horizon: 2, threshold: 0.0, smoothing: Smoothing::FutureMean }];
//! let mut builder = DatasetBuilder::new(pipeline, labels)?;
//! let lv = |p, q| PriceLevel { price: Price(p), qty: Qty(q) };
//! for t in 0..10 {
//!     let book = BookSnapshot::<5>::from_levels(&[lv(100 + t, 3)], &[lv(102 + t, 4)]);
//!     let event = MarketEvent::Level { ts: Ts(t * 1_000_000), side: Side::Buy, price: Price(100 + t), qty: Qty(3) };
//!     builder.push(&event, &book)?;
//! }
//! let data = builder.finish()?;
//! assert_eq!(data.features.nrows(), 8); // the last 2 rows have no 2-event future
//! assert!(data.labels.iter().all(|&l| l == 1.0)); // a rising mid
//! # Ok::<(), shortfall_features::Error>(())
//! ```
//!
//! This crate has no feature flags.
#![deny(missing_docs)]

mod batch;
pub mod book;
pub mod config;
mod error;
mod extractor;
pub mod flow;
pub mod labels;
pub mod normalise;
mod observation;
mod pipeline;
pub mod price;
mod snapshot;
mod unroll;
pub mod window;

pub use batch::{Dataset, DatasetBuilder};
pub use config::{DEFAULT_PIPELINE_TOML, Feature, FeatureSpec, PipelineConfig};
pub use error::{Error, Result};
pub use extractor::FeatureExtractor;
pub use labels::{LabelSpec, Smoothing, VerticalBarrier};
pub use normalise::{EwZScore, Normaliser, RollingMinMax, ZScore};
pub use observation::{Observation, SignedTrade, TradeSigner, is_valid};
pub use pipeline::FeaturePipeline;
pub use snapshot::BookSnapshot;
pub use window::{DecayedSum, Window, WindowSpec};
