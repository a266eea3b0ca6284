//! Behaviour of the histogram GBDT against hand-computed values and simulated data with known
//! structure.

use ndarray::{Array2, array};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use shortfall_signals::gbdt::{Gbdt, GbdtError, GbdtParams, Importance, Objective};

fn params(f: impl FnOnce(&mut GbdtParams)) -> GbdtParams {
    let mut p = GbdtParams {
        threads: 1,
        ..GbdtParams::default()
    };
    f(&mut p);
    p
}

fn sigmoid(s: f64) -> f64 {
    1.0 / (1.0 + (-s).exp())
}

fn mean_log_loss(p: &[f64], y: &[f64]) -> f64 {
    p.iter()
        .zip(y)
        .map(|(&pi, &yi)| -(yi * pi.ln() + (1.0 - yi) * (1.0 - pi).ln()))
        .sum::<f64>()
        / y.len() as f64
}

#[test]
fn one_squared_loss_split_matches_the_hand_computed_gain_and_newton_leaves() {
    // x = 1, 2, 3, 4 with y = 1, 2, 10, 13; start at the mean 6.5, so g = s − y =
    // (5.5, 4.5, −3.5, −6.5) and h = 1. With λ = 1 the candidate gains are
    //   x <= 1.5: 5.5²/2 + 5.5²/4            = 22.6875
    //   x <= 2.5: 10²/3  + 10²/3             = 66.6667   <- best
    //   x <= 3.5: 6.5²/4 + 6.5²/2            = 31.6875
    // (parent term 0²/5 = 0), and the leaves are −G/(H+λ) = −10/3 and +10/3.
    let x = array![[1.0], [2.0], [3.0], [4.0]];
    let y = [1.0, 2.0, 10.0, 13.0];
    let p = params(|p| {
        p.objective = Objective::SquaredError;
        p.rounds = 1;
        p.max_leaves = 2;
        p.min_data_in_leaf = 1;
        p.learning_rate = 1.0;
        p.lambda_l2 = 1.0;
    });
    let model = Gbdt::new(p).unwrap().fit(x.view(), &y, None).unwrap();
    assert_eq!(model.init_score(), 6.5);
    let gain = model.feature_importance(Importance::Gain)[0];
    assert!((gain - 200.0 / 3.0).abs() < 1e-9, "gain {gain}");
    assert_eq!(model.feature_importance(Importance::SplitCount), vec![1.0]);
    // The threshold is halfway between 2 and 3.
    let probe = array![[2.4], [2.6], [-50.0], [50.0]];
    let pred = model.predict(probe.view()).unwrap();
    let want = [
        6.5 - 10.0 / 3.0,
        6.5 + 10.0 / 3.0,
        6.5 - 10.0 / 3.0,
        6.5 + 10.0 / 3.0,
    ];
    for (a, b) in pred.iter().zip(want) {
        assert!((a - b).abs() < 1e-12, "{pred:?} vs {want:?}");
    }
}

#[test]
fn one_log_loss_split_matches_the_hand_computed_newton_step() {
    // Base rate 1/2 → score 0, p = 1/2: g = p − y = ±1/2, h = p(1 − p) = 1/4. Splitting at
    // x <= 2.5 gives G_L = 1, H_L = 1/2 (leaf −2) and G_R = −1, H_R = 1/2 (leaf +2);
    // gain = 1/0.5 + 1/0.5 − 0 = 4 with λ = 0.
    let x = array![[1.0], [2.0], [3.0], [4.0]];
    let y = [0.0, 0.0, 1.0, 1.0];
    let p = params(|p| {
        p.rounds = 1;
        p.max_leaves = 2;
        p.min_data_in_leaf = 1;
        p.learning_rate = 1.0;
    });
    let model = Gbdt::new(p).unwrap().fit(x.view(), &y, None).unwrap();
    assert_eq!(model.init_score(), 0.0);
    assert!((model.feature_importance(Importance::Gain)[0] - 4.0).abs() < 1e-12);
    let prob = model.predict_proba(x.view()).unwrap();
    let want = [sigmoid(-2.0), sigmoid(-2.0), sigmoid(2.0), sigmoid(2.0)];
    for (a, b) in prob.iter().zip(want) {
        assert!((a - b).abs() < 1e-12, "{prob:?} vs {want:?}");
    }
    assert_eq!(model.predict(x.view()).unwrap(), y.to_vec());
}

#[test]
fn squared_loss_recovers_a_piecewise_constant_function() {
    // 200 distinct x0 values (each its own bin) repeated 10 times; x1 is unrelated. The
    // target is 1 on [0, 0.3), 4 on [0.3, 0.7), −2 on [0.7, 1]. Trees that split at the two
    // steps shrink every residual by (1 − lr) per round: 0.7^150 ≈ 6e−24 of the initial gap.
    let n = 2000;
    let x = Array2::from_shape_fn((n, 2), |(i, j)| {
        if j == 0 {
            ((i % 200) as f64 + 0.5) / 200.0
        } else {
            ((i * 7919) % 1000) as f64 / 1000.0
        }
    });
    let truth = |v: f64| {
        if v < 0.3 {
            1.0
        } else if v < 0.7 {
            4.0
        } else {
            -2.0
        }
    };
    let y: Vec<f64> = x.column(0).iter().map(|&v| truth(v)).collect();
    let p = params(|p| {
        p.objective = Objective::SquaredError;
        p.rounds = 150;
        p.max_leaves = 4;
        p.learning_rate = 0.3;
    });
    let model = Gbdt::new(p).unwrap().fit(x.view(), &y, None).unwrap();
    let probe_x0 = [0.01, 0.1, 0.29, 0.31, 0.5, 0.69, 0.71, 0.9, 0.99];
    let probe = Array2::from_shape_fn(
        (probe_x0.len(), 2),
        |(i, j)| {
            if j == 0 { probe_x0[i] } else { 0.37 }
        },
    );
    let pred = model.predict(probe.view()).unwrap();
    for (&v, &yhat) in probe_x0.iter().zip(&pred) {
        assert!(
            (yhat - truth(v)).abs() < 1e-6,
            "x0 = {v}: {yhat} vs {}",
            truth(v)
        );
    }
    let gain = model.feature_importance(Importance::Gain);
    assert!(gain[0] > 1e6 * gain[1].max(1e-300), "{gain:?}");
}

/// A learnable task: y ~ Bernoulli(σ(f(x))) with f = 2 sin(2 x0) + 1.5 x1 x2 − x3², five
/// features (x4 is noise), x ~ U(−2, 2).
fn learnable(seed: u64, n: usize) -> (Array2<f64>, Vec<f64>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let x = Array2::from_shape_fn((n, 5), |_| rng.random_range(-2.0f64..2.0));
    let y = (0..n)
        .map(|i| {
            let r = x.row(i);
            let f = 2.0 * (2.0 * r[0]).sin() + 1.5 * r[1] * r[2] - r[3] * r[3] + 1.0;
            f64::from(u8::from(rng.random_bool(sigmoid(f))))
        })
        .collect();
    (x, y)
}

#[test]
fn log_loss_beats_the_constant_predictor_on_a_learnable_task_for_every_seed() {
    // The constant predictor's test log-loss is the entropy of the base rate (≈ 0.65 nats
    // here); the Bayes log-loss of f is about 0.33 nats (the mean of the binary entropy of
    // σ(f) over x). A boosted model should close most of that gap: ask for 0.15 nats on 1500
    // test rows, where the standard error of a mean log-loss is ≈ 0.5/√1500 ≈ 0.013.
    for seed in 1..=5u64 {
        let (x, y) = learnable(seed, 4500);
        let (xt, yt) = (x.slice(ndarray::s![..3000, ..]), &y[..3000]);
        let (xv, yv) = (x.slice(ndarray::s![3000.., ..]), &y[3000..]);
        let p = params(|p| {
            p.rounds = 60;
            p.max_leaves = 15;
            p.seed = seed;
        });
        let model = Gbdt::new(p).unwrap().fit(xt, yt, None).unwrap();
        let prob = model.predict_proba(xv).unwrap();
        let base = yt.iter().sum::<f64>() / yt.len() as f64;
        let constant = mean_log_loss(&vec![base; yv.len()], yv);
        let ours = mean_log_loss(&prob, yv);
        assert!(
            ours < constant - 0.15,
            "seed {seed}: model {ours:.4}, constant {constant:.4}"
        );
        // The noise feature gets the least gain.
        let gain = model.feature_importance(Importance::Gain);
        let min = gain.iter().copied().fold(f64::INFINITY, f64::min);
        assert_eq!(gain[4], min, "seed {seed}: {gain:?}");
    }
}

#[test]
fn fits_are_identical_with_one_and_two_threads_and_depend_on_the_seed() {
    // 20 000 rows × 5 features is above the size at which histograms go parallel.
    let (x, y) = learnable(11, 20_000);
    let fit = |threads: usize, seed: u64| {
        let p = GbdtParams {
            rounds: 15,
            threads,
            seed,
            row_fraction: 0.8,
            feature_fraction: 0.6,
            ..GbdtParams::default()
        };
        let m = Gbdt::new(p).unwrap().fit(x.view(), &y, None).unwrap();
        let raw = m.predict_raw(x.view()).unwrap();
        (m, raw)
    };
    let (m1, p1) = fit(1, 3);
    let (m2, p2) = fit(2, 3);
    assert_eq!(m1, m2);
    assert!(p1.iter().zip(&p2).all(|(a, b)| a.to_bits() == b.to_bits()));
    let (_, p3) = fit(2, 4);
    assert_ne!(p1, p3, "a different seed draws different rows and features");
}

#[test]
fn serde_round_trip_keeps_every_prediction_bit_for_bit() {
    let (x, y) = learnable(5, 2000);
    let model = Gbdt::new(params(|p| p.rounds = 20))
        .unwrap()
        .fit(x.view(), &y, None)
        .unwrap();
    let json = serde_json::to_string(&model).unwrap();
    let back: shortfall_signals::gbdt::GbdtModel = serde_json::from_str(&json).unwrap();
    assert_eq!(back, model);
    let a = model.predict_raw(x.view()).unwrap();
    let b = back.predict_raw(x.view()).unwrap();
    assert!(a.iter().zip(&b).all(|(u, v)| u.to_bits() == v.to_bits()));
    // Parameters round-trip too, and unknown fields are refused.
    let p = params(|p| p.lambda_l2 = 0.5);
    let pj = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<GbdtParams>(&pj).unwrap(), p);
    assert!(serde_json::from_str::<GbdtParams>(r#"{"num_leaves": 3}"#).is_err());
}

#[test]
fn early_stopping_stops_when_the_validation_loss_stops_improving() {
    // Labels independent of the features: every tree fits noise, so the validation loss is
    // lowest after very few rounds and the fit must stop long before 300 rounds.
    for seed in [1u64, 2, 3] {
        let mut rng = StdRng::seed_from_u64(seed);
        let n = 3000;
        let x = Array2::from_shape_fn((n, 4), |_| rng.random_range(0.0..1.0));
        let y: Vec<f64> = (0..n)
            .map(|_| f64::from(u8::from(rng.random_bool(0.5))))
            .collect();
        let p = params(|p| {
            p.rounds = 300;
            p.learning_rate = 0.3;
            p.min_data_in_leaf = 5;
            p.early_stopping_rounds = Some(10);
            p.validation_fraction = 0.3;
        });
        let model = Gbdt::new(p).unwrap().fit(x.view(), &y, None).unwrap();
        let best = model.best_iteration().unwrap();
        let hist = model.validation_loss();
        assert_eq!(model.n_trees(), best);
        assert_eq!(
            hist.len(),
            best + 10,
            "seed {seed}: stops 10 rounds after the best"
        );
        assert!(hist.len() < 300, "seed {seed}");
        let min = hist.iter().copied().fold(f64::INFINITY, f64::min);
        assert_eq!(hist[best - 1], min);
    }
    // On a learnable task the validation loss keeps falling for a while.
    let (x, y) = learnable(7, 4000);
    let p = params(|p| {
        p.rounds = 300;
        p.early_stopping_rounds = Some(10);
    });
    let model = Gbdt::new(p).unwrap().fit(x.view(), &y, None).unwrap();
    assert!(
        model.best_iteration().unwrap() > 20,
        "{:?}",
        model.best_iteration()
    );
}

#[test]
fn fit_with_validation_uses_the_given_fold() {
    let (x, y) = learnable(8, 3000);
    let (xt, yt) = (x.slice(ndarray::s![..2000, ..]), &y[..2000]);
    let (xv, yv) = (x.slice(ndarray::s![2000.., ..]), &y[2000..]);
    let p = params(|p| p.rounds = 30);
    let model = Gbdt::new(p)
        .unwrap()
        .fit_with_validation(xt, yt, None, xv, yv)
        .unwrap();
    // Without early stopping the loss is recorded for every round and all trees are kept.
    assert_eq!(model.validation_loss().len(), 30);
    assert_eq!(model.n_trees(), 30);
    let last = mean_log_loss(&model.predict_proba(xv).unwrap(), yv);
    assert!((last - model.validation_loss()[29]).abs() < 1e-12);
}

#[test]
fn sample_weights_scale_the_newton_step() {
    // Weights (1, 3, 1, 1) on the squared-loss example: the weighted mean is
    // (1 + 6 + 10 + 13)/6 = 5; left leaf: G = 1·(5−1) + 3·(5−2) = 13, H = 4 → −13/4.
    let x = array![[1.0], [2.0], [3.0], [4.0]];
    let y = [1.0, 2.0, 10.0, 13.0];
    let p = params(|p| {
        p.objective = Objective::SquaredError;
        p.rounds = 1;
        p.max_leaves = 2;
        p.min_data_in_leaf = 1;
        p.learning_rate = 1.0;
    });
    let model = Gbdt::new(p)
        .unwrap()
        .fit(x.view(), &y, Some(&[1.0, 3.0, 1.0, 1.0]))
        .unwrap();
    assert_eq!(model.init_score(), 5.0);
    let pred = model.predict(array![[1.5]].view()).unwrap();
    assert!((pred[0] - (5.0 - 13.0 / 4.0)).abs() < 1e-12, "{pred:?}");
}

#[test]
fn bad_input_is_refused_with_the_position_named() {
    let learner = Gbdt::new(params(|p| p.rounds = 2)).unwrap();
    let mut x = Array2::from_shape_fn((6, 2), |(i, j)| (i + j) as f64);
    let y = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0];

    x[[3, 1]] = f64::NAN;
    match learner.fit(x.view(), &y, None) {
        Err(GbdtError::NonFiniteFeature {
            row: 3, feature: 1, ..
        }) => {}
        other => panic!("{other:?}"),
    }
    x[[3, 1]] = f64::NEG_INFINITY;
    let e = learner.fit(x.view(), &y, None).unwrap_err();
    assert!(e.to_string().contains("row 3, feature 1"), "{e}");
    x[[3, 1]] = 0.0;

    assert_eq!(
        learner.fit(x.view(), &y[..5], None).unwrap_err(),
        GbdtError::LengthMismatch {
            what: "training labels",
            got: 5,
            expected: 6
        }
    );
    assert_eq!(
        learner.fit(x.view(), &[1.0; 6], None).unwrap_err(),
        GbdtError::SingleClass { rows: 6, class: 1 }
    );
    assert_eq!(
        learner
            .fit(x.view(), &[0.0, 1.0, 0.5, 1.0, 0.0, 1.0], None)
            .unwrap_err(),
        GbdtError::InvalidLabel {
            what: "training labels",
            row: 2,
            value: 0.5
        }
    );
    assert!(matches!(
        learner.fit(x.view(), &[0.0, 1.0, 0.0, f64::NAN, 0.0, 1.0], None),
        Err(GbdtError::NonFiniteLabel { row: 3, .. })
    ));
    assert!(matches!(
        learner.fit(x.view(), &y, Some(&[1.0; 4])),
        Err(GbdtError::LengthMismatch {
            what: "sample weights",
            got: 4,
            expected: 6
        })
    ));
    assert!(matches!(
        learner.fit(x.view(), &y, Some(&[1.0, 1.0, -1.0, 1.0, 1.0, 1.0])),
        Err(GbdtError::InvalidWeight { row: 2, .. })
    ));
    assert!(matches!(
        learner.fit(Array2::<f64>::zeros((0, 2)).view(), &[], None),
        Err(GbdtError::TooFew { unit: "rows", .. })
    ));

    let model = learner.fit(x.view(), &y, None).unwrap();
    assert_eq!(
        model.predict(Array2::zeros((2, 3)).view()).unwrap_err(),
        GbdtError::FeatureCountMismatch {
            what: "features",
            got: 3,
            expected: 2
        }
    );
    let mut probe = Array2::zeros((2, 2));
    probe[[1, 0]] = f64::INFINITY;
    assert!(matches!(
        model.predict_proba(probe.view()),
        Err(GbdtError::NonFiniteFeature {
            row: 1,
            feature: 0,
            ..
        })
    ));
    let reg = Gbdt::new(params(|p| {
        p.objective = Objective::SquaredError;
        p.rounds = 1;
    }))
    .unwrap()
    .fit(x.view(), &[0.5, 1.0, 2.0, 3.0, 4.0, 5.0], None)
    .unwrap();
    assert_eq!(
        reg.predict_proba(x.view()).unwrap_err(),
        GbdtError::NotAClassifier
    );

    // Early stopping needs rows on both sides of the cut.
    let es = Gbdt::new(params(|p| p.early_stopping_rounds = Some(3))).unwrap();
    assert!(matches!(
        es.fit(x.slice(ndarray::s![..1, ..]), &[0.0], None),
        Err(GbdtError::TooFew { unit: "rows", .. })
    ));
}

#[test]
fn out_of_range_parameters_are_named() {
    let cases: [(&str, GbdtParams); 8] = [
        ("rounds", params(|p| p.rounds = 0)),
        ("learning_rate", params(|p| p.learning_rate = 0.0)),
        ("learning_rate", params(|p| p.learning_rate = f64::NAN)),
        ("max_leaves", params(|p| p.max_leaves = 1)),
        ("max_bins", params(|p| p.max_bins = 256)),
        ("min_data_in_leaf", params(|p| p.min_data_in_leaf = 0)),
        ("row_fraction", params(|p| p.row_fraction = 1.5)),
        (
            "validation_fraction",
            params(|p| p.validation_fraction = 1.0),
        ),
    ];
    for (name, p) in cases {
        match Gbdt::new(p) {
            Err(GbdtError::InvalidParameter { name: got, .. }) => assert_eq!(got, name),
            other => panic!("{name}: {other:?}"),
        }
    }
}
