//! Behaviour of the histogram GBDT against hand-computed values and simulated data with known
//! structure.

use ndarray::{Array1, Array2, ArrayView2, array};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use shortfall_signals::gbdt::{Gbdt, GbdtModel, GbdtParams, Importance};
use shortfall_signals::{Dataset, DynLearner, Error, Learner, Model, Task};

fn params(f: impl FnOnce(&mut GbdtParams)) -> GbdtParams {
    let mut p = GbdtParams {
        threads: 1,
        ..GbdtParams::default()
    };
    f(&mut p);
    p
}

/// Fits `p` on `(x, y)` for `task`.
fn fit(p: GbdtParams, x: ArrayView2<'_, f64>, y: &[f64], task: Task) -> GbdtModel {
    let y = Array1::from(y.to_vec());
    let data = Dataset::new(x, y.view(), task).unwrap();
    Gbdt::new(p).unwrap().fit(&data).unwrap()
}

/// Regression predictions as a vector.
fn values(m: &GbdtModel, x: ArrayView2<'_, f64>) -> Vec<f64> {
    m.predict(x).unwrap().column(0).to_vec()
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
        p.rounds = 1;
        p.max_leaves = 2;
        p.min_data_in_leaf = 1;
        p.learning_rate = 1.0;
        p.lambda_l2 = 1.0;
    });
    let model = fit(p, x.view(), &y, Task::Regression);
    assert_eq!(model.init_score(), 6.5);
    let gain = model.importance(Importance::Gain)[0];
    assert!((gain - 200.0 / 3.0).abs() < 1e-9, "gain {gain}");
    assert_eq!(model.importance(Importance::SplitCount), vec![1.0]);
    assert_eq!(model.feature_importance().unwrap(), ndarray::array![1.0]);
    // The threshold is halfway between 2 and 3.
    let probe = array![[2.4], [2.6], [-50.0], [50.0]];
    let pred = values(&model, probe.view());
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
    let model = fit(p, x.view(), &y, Task::Binary);
    assert_eq!(model.init_score(), 0.0);
    assert!((model.importance(Importance::Gain)[0] - 4.0).abs() < 1e-12);
    let prob = model.predict_proba(x.view()).unwrap();
    let want = [sigmoid(-2.0), sigmoid(-2.0), sigmoid(2.0), sigmoid(2.0)];
    for (a, b) in prob.iter().zip(want) {
        assert!((a - b).abs() < 1e-12, "{prob:?} vs {want:?}");
    }
    let both = model.predict(x.view()).unwrap();
    for (i, &p1) in prob.iter().enumerate() {
        assert_eq!(both[[i, 1]], p1);
        assert!((both[[i, 0]] + both[[i, 1]] - 1.0).abs() < 1e-15);
    }
    assert_eq!(model.predict_class(x.view()).unwrap(), vec![0, 0, 1, 1]);
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
        p.rounds = 150;
        p.max_leaves = 4;
        p.learning_rate = 0.3;
    });
    let model = fit(p, x.view(), &y, Task::Regression);
    let probe_x0 = [0.01, 0.1, 0.29, 0.31, 0.5, 0.69, 0.71, 0.9, 0.99];
    let probe = Array2::from_shape_fn(
        (probe_x0.len(), 2),
        |(i, j)| {
            if j == 0 { probe_x0[i] } else { 0.37 }
        },
    );
    let pred = values(&model, probe.view());
    for (&v, &yhat) in probe_x0.iter().zip(&pred) {
        assert!(
            (yhat - truth(v)).abs() < 1e-6,
            "x0 = {v}: {yhat} vs {}",
            truth(v)
        );
    }
    let gain = model.importance(Importance::Gain);
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
        let model = fit(p, xt, yt, Task::Binary);
        let prob = model.predict_proba(xv).unwrap();
        let base = yt.iter().sum::<f64>() / yt.len() as f64;
        let constant = mean_log_loss(&vec![base; yv.len()], yv);
        let ours = mean_log_loss(&prob, yv);
        assert!(
            ours < constant - 0.15,
            "seed {seed}: model {ours:.4}, constant {constant:.4}"
        );
        // The noise feature gets the least gain.
        let gain = model.importance(Importance::Gain);
        let min = gain.iter().copied().fold(f64::INFINITY, f64::min);
        assert_eq!(gain[4], min, "seed {seed}: {gain:?}");
    }
}

#[test]
fn fits_are_identical_with_one_and_two_threads_and_depend_on_the_seed() {
    // A bag of 9 600 rows × 4 features is above the size (32 Ki) at which histograms are
    // built in parallel.
    let (x, y) = learnable(11, 12_000);
    let fit = |threads: usize, seed: u64| {
        let p = GbdtParams {
            rounds: 8,
            threads,
            seed,
            row_fraction: 0.8,
            feature_fraction: 0.8,
            ..GbdtParams::default()
        };
        let m = fit(p, x.view(), &y, Task::Binary);
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
    let model = fit(params(|p| p.rounds = 20), x.view(), &y, Task::Binary);
    let json = serde_json::to_string(&model).unwrap();
    let back: GbdtModel = serde_json::from_str(&json).unwrap();
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
        let model = fit(p, x.view(), &y, Task::Binary);
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
    let model = fit(p, x.view(), &y, Task::Binary);
    assert!(
        model.best_iteration().unwrap() > 20,
        "{:?}",
        model.best_iteration()
    );
}

#[test]
fn fit_with_validation_uses_the_given_fold() {
    let (x, y) = learnable(8, 3000);
    let y = Array1::from(y);
    let (xt, yt) = (
        x.slice(ndarray::s![..2000, ..]),
        y.slice(ndarray::s![..2000]),
    );
    let (xv, yv) = (
        x.slice(ndarray::s![2000.., ..]),
        y.slice(ndarray::s![2000..]),
    );
    let train = Dataset::new(xt, yt, Task::Binary).unwrap();
    let valid = Dataset::new(xv, yv, Task::Binary).unwrap();
    let p = params(|p| p.rounds = 30);
    let model = Gbdt::new(p)
        .unwrap()
        .fit_with_validation(&train, &valid)
        .unwrap();
    // Without early stopping the loss is recorded for every round and all trees are kept.
    assert_eq!(model.validation_loss().len(), 30);
    assert_eq!(model.n_trees(), 30);
    let last = mean_log_loss(&model.predict_proba(xv).unwrap(), &yv.to_vec());
    assert!((last - model.validation_loss()[29]).abs() < 1e-12);
}

#[test]
fn sample_weights_scale_the_newton_step() {
    // Weights (1, 3, 1, 1) on the squared-loss example: the weighted mean is
    // (1 + 6 + 10 + 13)/6 = 5; left leaf: G = 1·(5−1) + 3·(5−2) = 13, H = 4 → −13/4.
    let x = array![[1.0], [2.0], [3.0], [4.0]];
    let y = [1.0, 2.0, 10.0, 13.0];
    let p = params(|p| {
        p.rounds = 1;
        p.max_leaves = 2;
        p.min_data_in_leaf = 1;
        p.learning_rate = 1.0;
    });
    let y = Array1::from(y.to_vec());
    let w = array![1.0, 3.0, 1.0, 1.0];
    let data = Dataset::new(x.view(), y.view(), Task::Regression)
        .unwrap()
        .with_weights(w.view())
        .unwrap();
    let model = Gbdt::new(p).unwrap().fit(&data).unwrap();
    assert_eq!(model.init_score(), 5.0);
    let pred = values(&model, array![[1.5]].view());
    assert!((pred[0] - (5.0 - 13.0 / 4.0)).abs() < 1e-12, "{pred:?}");
}

#[test]
fn bad_input_is_refused_with_the_position_named() {
    let learner = Gbdt::new(params(|p| p.rounds = 2)).unwrap();
    let x = Array2::from_shape_fn((6, 2), |(i, j)| (i + j) as f64);
    let y = array![0.0, 1.0, 0.0, 1.0, 0.0, 1.0];
    let data = Dataset::new(x.view(), y.view(), Task::Binary).unwrap();
    let model = learner.fit(&data).unwrap();

    // Prediction checks its input: column count, then NaN/inf with row and column.
    assert!(matches!(
        model.predict(Array2::zeros((2, 3)).view()),
        Err(Error::FeatureCount {
            got: 3,
            expected: 2
        })
    ));
    let mut probe = Array2::zeros((2, 2));
    probe[[1, 0]] = f64::INFINITY;
    let e = model.predict_proba(probe.view()).unwrap_err();
    assert!(matches!(e, Error::NonFinite { row: 1, col: 0, .. }), "{e}");
    probe[[1, 0]] = f64::NAN;
    assert!(matches!(
        model.predict_raw(probe.view()),
        Err(Error::NonFinite { row: 1, col: 0, .. })
    ));

    // Multiclass is refused, and so are probabilities from a regression model.
    let y3 = array![0.0, 1.0, 2.0, 0.0, 1.0, 2.0];
    let d3 = Dataset::new(x.view(), y3.view(), Task::Multiclass { n_classes: 3 }).unwrap();
    assert!(matches!(
        learner.fit(&d3),
        Err(Error::Unsupported { model: "gbdt", .. })
    ));
    let dr = Dataset::new(x.view(), y3.view(), Task::Regression).unwrap();
    let reg = learner.fit(&dr).unwrap();
    assert!(matches!(
        reg.predict_proba(x.view()),
        Err(Error::Unsupported { .. })
    ));
    assert!(matches!(
        reg.predict_class(x.view()),
        Err(Error::Unsupported { .. })
    ));

    // A validation set must match the training set.
    let x3 = Array2::zeros((6, 3));
    let dv = Dataset::new(x3.view(), y.view(), Task::Binary).unwrap();
    assert!(matches!(
        learner.fit_with_validation(&data, &dv),
        Err(Error::FeatureCount {
            got: 3,
            expected: 2
        })
    ));
    assert!(matches!(
        learner.fit_with_validation(&data, &dr),
        Err(Error::Unsupported { .. })
    ));

    // Early stopping needs rows on both sides of the cut, and both classes in the fold.
    let es = Gbdt::new(params(|p| p.early_stopping_rounds = Some(3))).unwrap();
    let two = Dataset::new(
        x.slice(ndarray::s![..2, ..]),
        y.slice(ndarray::s![..2]),
        Task::Binary,
    )
    .unwrap();
    assert!(matches!(
        es.fit(&two),
        Err(Error::TooFewRows { rows: 2, .. })
    ));
    let y_tail = array![0.0, 1.0, 0.0, 1.0, 1.0, 1.0];
    let dt = Dataset::new(x.view(), y_tail.view(), Task::Binary).unwrap();
    assert!(matches!(es.fit(&dt), Err(Error::SingleClass { class: 1 })));
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
            Err(Error::InvalidParameter { name: got, .. }) => assert_eq!(got, name),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn boxed_models_predict_like_the_concrete_one() {
    let (x, y) = learnable(9, 1500);
    let y = Array1::from(y);
    let data = Dataset::new(x.view(), y.view(), Task::Binary).unwrap();
    let learner = Gbdt::new(params(|p| p.rounds = 10)).unwrap();
    let boxed: Box<dyn Model> = (&learner as &dyn DynLearner).fit_boxed(&data).unwrap();
    let concrete = learner.fit(&data).unwrap();
    assert_eq!(boxed.name(), "gbdt");
    assert_eq!(boxed.task(), Task::Binary);
    assert_eq!(boxed.n_features(), 5);
    assert_eq!(
        boxed.predict(x.view()).unwrap(),
        concrete.predict(x.view()).unwrap()
    );
    let imp = boxed.feature_importance().unwrap();
    assert!((imp.sum() - 1.0).abs() < 1e-12 && imp.iter().all(|&v| v >= 0.0));
}
