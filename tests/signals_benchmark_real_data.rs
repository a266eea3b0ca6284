//! The `signals_benchmark` example's core on a slice of the AMZN LOBSTER day (the first
//! 4,500 messages, two horizons, three walk-forward folds, small models).
//!
//! Needs `../shared/data` (relative to the repository root); prints a notice and passes
//! without checking anything when the data is absent.
//!
//! Checked: every model is reported for every horizon and fold; metrics lie in their
//! ranges; the label counts add up to the dataset; every training row's label ends before
//! its test block (purging, recomputed here from event numbers); the majority baseline's
//! accuracy equals the majority rate recounted here from the raw labels; two runs with one
//! seed agree exactly.

// Shared glue: this test uses only its LOBSTER half.
#[allow(dead_code)]
#[path = "../examples/support/replay_rows.rs"]
mod replay_rows;
// The example's core; the test does not read every result field.
#[allow(dead_code)]
#[path = "../examples/support/signals_bench.rs"]
mod signals_bench;

use signals_bench::{BenchConfig, MODELS};
use std::path::PathBuf;

fn small_config() -> BenchConfig {
    BenchConfig {
        horizons: vec![10, 50],
        folds: 3,
        seed: 11,
        threshold: 0.0,
        gbdt_rounds: 20,
        rf_trees: 4,
        rf_rows: 600,
        svm_rows: 150,
        progress: false,
    }
}

#[test]
fn benchmark_core_on_an_amzn_slice_is_complete_consistent_and_deterministic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/lobster-amzn-l1");
    let messages = dir.join("AMZN_2012-06-21_34200000_57600000_message_1.csv");
    let orderbook = dir.join("AMZN_2012-06-21_34200000_57600000_orderbook_1.csv");
    if !messages.exists() || !orderbook.exists() {
        eprintln!("skipping: {} not found", dir.display());
        return;
    }
    let cfg = small_config();
    let data = signals_bench::load_lobster(&messages, &orderbook, &cfg.horizons, 0.0, Some(4_500))
        .expect("the AMZN slice replays");
    assert_eq!(data.events, 4_500);
    let results = signals_bench::run(&data, &cfg).expect("the benchmark runs");
    assert_eq!(results.rows, data.len());
    assert_eq!(results.horizons.len(), cfg.horizons.len());
    let valid = data
        .feature_names
        .iter()
        .position(|n| n == "book_valid")
        .unwrap();

    for (h, &k) in results.horizons.iter().zip(&cfg.horizons) {
        assert_eq!(h.horizon, k);
        let dir_col = data
            .label_names
            .iter()
            .position(|n| *n == format!("direction_future_mean_k{k}"))
            .unwrap();
        let label = |r: usize| data.labels[[r, dir_col]];
        // Label balance adds up to the dataset, counted independently.
        assert_eq!(h.up + h.down + h.flat + h.invalid_book, data.len());
        let ups = (0..data.len())
            .filter(|&r| data.features[[r, valid]] == 1.0 && label(r) == 1.0)
            .count();
        assert_eq!(h.up, ups);
        assert!(h.up > 0 && h.down > 0 && h.flat > 0, "{k}: {h:?}");

        assert_eq!(h.folds.len(), cfg.folds, "horizon {k}");
        let names: Vec<&str> = h.models.iter().map(|m| m.model.as_str()).collect();
        assert_eq!(names, MODELS, "every model at horizon {k}, in order");
        for m in &h.models {
            assert_eq!(m.folds.len(), h.folds.len(), "{} at k = {k}", m.model);
            for f in &m.folds {
                assert!((0.0..=1.0).contains(&f.accuracy), "{}: {f:?}", m.model);
                assert!((0.0..=1.0).contains(&f.macro_f1), "{}: {f:?}", m.model);
                let auc = f.auc.expect("both classes in every test block");
                assert!((0.0..=1.0).contains(&auc), "{}: {f:?}", m.model);
                if let Some(ic) = f.ic {
                    assert!((-1.0..=1.0).contains(&ic), "{}: {f:?}", m.model);
                }
                match m.model.as_str() {
                    // no probabilities, no log-loss
                    "rls_online" => assert_eq!(f.log_loss, None),
                    // a constant forecast has no rank correlation
                    "majority" => assert_eq!(f.ic, None),
                    _ => {
                        let ll = f.log_loss.expect("probabilistic models have a log-loss");
                        assert!(ll.is_finite() && ll > 0.0, "{}: {f:?}", m.model);
                        assert!(f.ic.is_some(), "{}: {f:?}", m.model);
                    }
                }
            }
        }
        // The majority baseline's AUC is one half: a constant score ties every pair.
        for f in &h.models[0].folds {
            assert_eq!(f.auc, Some(0.5));
        }

        let mut last_test_end = None;
        for (i, fold) in h.folds.iter().enumerate() {
            let first_test = fold.test[0];
            // Purging: a training label (events t..=t+k) ends before the block's first event.
            for &r in &fold.train {
                assert!(
                    data.rows[r] + k < data.rows[first_test],
                    "k = {k}, fold {i}: training row {r} (event {}) leaks into the block at event {}",
                    data.rows[r],
                    data.rows[first_test]
                );
            }
            // Test blocks move forward without overlapping; every tested row has a valid
            // book and a move.
            if let Some(end) = last_test_end {
                assert!(first_test > end);
            }
            last_test_end = fold.test.last().copied();
            for &r in &fold.test {
                assert_eq!(data.features[[r, valid]], 1.0);
                assert_ne!(label(r), 0.0);
            }
            // The baseline predicts the training majority (down on a tie): its accuracy is
            // that class's share of the test block.
            let train_up = fold.train.iter().filter(|&&r| label(r) == 1.0).count();
            let majority = if 2 * train_up > fold.train.len() {
                1.0
            } else {
                -1.0
            };
            let hits = fold.test.iter().filter(|&&r| label(r) == majority).count();
            let expected = hits as f64 / fold.test.len() as f64;
            let got = h.models[0].folds[i].accuracy;
            assert!(
                (got - expected).abs() < 1e-12,
                "k = {k}, fold {i}: baseline accuracy {got}, majority rate {expected}"
            );
        }
        let total: f64 = h.gbdt_importance.iter().sum();
        assert!(
            h.gbdt_importance.iter().all(|&v| v >= 0.0) && (total - 1.0).abs() < 1e-9
                || total == 0.0,
            "importance shares: {:?}",
            h.gbdt_importance
        );
    }

    // Same seed, same data: identical metrics.
    let again = signals_bench::run(&data, &cfg).expect("the benchmark runs again");
    for (a, b) in results.horizons.iter().zip(&again.horizons) {
        for (ma, mb) in a.models.iter().zip(&b.models) {
            assert_eq!(ma.folds, mb.folds, "{} at k = {}", ma.model, a.horizon);
        }
        assert_eq!(a.gbdt_importance, b.gbdt_importance);
    }
}

#[test]
fn too_few_rows_for_the_folds_is_a_clear_error() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/lobster-amzn-l1");
    let messages = dir.join("AMZN_2012-06-21_34200000_57600000_message_1.csv");
    let orderbook = dir.join("AMZN_2012-06-21_34200000_57600000_orderbook_1.csv");
    if !messages.exists() || !orderbook.exists() {
        eprintln!("skipping: {} not found", dir.display());
        return;
    }
    let cfg = BenchConfig {
        horizons: vec![10],
        folds: 50,
        ..small_config()
    };
    let data = signals_bench::load_lobster(&messages, &orderbook, &cfg.horizons, 0.0, Some(150))
        .expect("the AMZN slice replays");
    let err = signals_bench::run(&data, &cfg).unwrap_err().to_string();
    assert!(err.contains("too few"), "{err}");
}
