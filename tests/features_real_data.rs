//! The default feature pipeline on the shared real data: the AMZN LOBSTER day and the
//! BTCUSDT Binance capture, replayed by `shortfall-lob-sim`.
//!
//! Needs `../shared/data` (relative to the repository root); each test prints a notice and
//! passes without checking anything when its data is absent.
//!
//! Checked on every row: every feature finite (the batch API refuses NaN and infinities,
//! naming the feature and row), imbalances in [-1, 1], spreads >= 0; and that the labels
//! computed on the day are defined where they should be.

#[path = "../examples/support/replay_rows.rs"]
mod replay_rows;

use shortfall::core::{BookView, MarketEvent};
use shortfall::features::{Dataset, DatasetBuilder, FeaturePipeline, LabelSpec, Smoothing};
use std::path::{Path, PathBuf};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
}

fn builder() -> DatasetBuilder {
    let labels = vec![
        LabelSpec::Direction {
            horizon: 10,
            threshold: 0.0,
            smoothing: Smoothing::PastMean,
        },
        LabelSpec::FutureReturn { horizon: 100 },
    ];
    DatasetBuilder::new(FeaturePipeline::default(), labels).expect("valid labels")
}

fn check_ranges(data: &Dataset, what: &str) {
    assert!(data.features.iter().all(|x| x.is_finite()), "{what}");
    assert!(data.labels.iter().all(|x| x.is_finite()), "{what}");
    for (c, name) in data.feature_names.iter().enumerate() {
        let col = data.features.column(c);
        if name.starts_with("imbalance") || name.starts_with("trade_imbalance") {
            let bad = col.iter().position(|x| !(-1.0..=1.0).contains(x));
            assert_eq!(bad, None, "{what}: {name} out of [-1, 1]");
        }
        if name.starts_with("spread") {
            let bad = col.iter().position(|&x| x < 0.0);
            assert_eq!(bad, None, "{what}: {name} negative");
        }
    }
    let direction = data.labels.column(0);
    assert!(direction.iter().all(|&l| l == -1.0 || l == 0.0 || l == 1.0));
}

fn push_all(
    builder: &mut DatasetBuilder,
) -> impl FnMut(&MarketEvent, &dyn BookView) -> Result<(), replay_rows::GlueError> + '_ {
    |e, book| builder.push(e, book).map_err(Into::into)
}

#[test]
fn default_features_on_the_amzn_day_are_finite_and_in_range() {
    let dir = data_dir().join("lobster-amzn-l1");
    let messages = dir.join("AMZN_2012-06-21_34200000_57600000_message_1.csv");
    let orderbook = dir.join("AMZN_2012-06-21_34200000_57600000_orderbook_1.csv");
    if !messages.exists() || !orderbook.exists() {
        eprintln!("skipping: {} not found", dir.display());
        return;
    }
    let mut b = builder();
    let n = replay_rows::lobster_events(&messages, &orderbook, 1, push_all(&mut b))
        .expect("the AMZN day replays with finite features");
    assert_eq!(n, 57_515);
    let data = b.finish().unwrap();
    assert_eq!(data.events, 57_515);
    // labels drop at most the first 9 and the last 100 rows (plus rows before a mid)
    assert!(data.len() >= 57_515 - 9 - 100 - 10, "{}", data.len());
    check_ranges(&data, "AMZN");
}

#[test]
fn default_features_on_the_btcusdt_capture_are_finite_and_in_range() {
    let capture = data_dir().join("binance-usdm-btcusdt/usdm_btcusdt_20240808.gz");
    if !capture.exists() {
        eprintln!("skipping: {} not found", capture.display());
        return;
    }
    let mut b = builder();
    let n = replay_rows::binance_events(Path::new(&capture), push_all(&mut b))
        .expect("the BTCUSDT capture replays with finite features");
    let data = b.finish().unwrap();
    assert_eq!(data.events as u64, n);
    // one row per anchoring snapshot, applied diff (those applied from the buffer while
    // anchoring share the snapshot's row) and trade: 27,859 on the shared capture
    assert_eq!(n, 27_859);
    check_ranges(&data, "BTCUSDT");
}
