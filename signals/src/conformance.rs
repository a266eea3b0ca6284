//! The shared model conformance suite: one generic check run against every [`Learner`] in
//! the crate's tests (and by anyone adding a model).
//!
//! [`check_learner`] fits on a learnable synthetic task ([`synthetic`]) for each seed and
//! asserts: prediction shape and probability rows that sum to one; the same seed gives
//! bit-identical predictions; a JSON round trip of the model gives bit-identical
//! predictions; the boxed ([`DynLearner`]) path agrees; feature importances (when offered)
//! are a distribution over the features; bad input (wrong column count, NaN) is an error
//! naming the problem; and the model beats the best constant predictor out of sample
//! (Brier score and accuracy for classification, mean squared error for regression).

use ndarray::{Array1, Array2, Axis};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

use crate::error::Error;
use crate::model::{DynLearner, Learner, Model, OwnedDataset, Task};

/// Number of features of the synthetic tasks.
pub const SYNTHETIC_FEATURES: usize = 4;

/// A learnable synthetic dataset of `n` rows and [`SYNTHETIC_FEATURES`] standard normal
/// features, deterministic from `seed`:
/// - binary: `y = 1[x₀ − 0.8 x₁ + 0.5 x₂ x₃ + 0.5 ε > 0]`;
/// - `k` classes: `y = argmax_c (s_c + 0.5 ε_c)` with `s_c = cos(2πc/k) x₀ + sin(2πc/k) x₁`;
/// - regression: `y = x₀ − 0.5 x₁ + 0.3 x₂² + 0.3 ε`,
///
/// with independent standard normal noise ε. Each has a strong linear part (so linear
/// models can learn it) and a nonlinear part (so trees can do better).
pub fn synthetic(task: Task, n: usize, seed: u64) -> OwnedDataset {
    let mut rng = StdRng::seed_from_u64(seed);
    let d = SYNTHETIC_FEATURES;
    let mut x = Array2::<f64>::zeros((n, d));
    let mut y = Array1::<f64>::zeros(n);
    let mut z = || -> f64 { StandardNormal.sample(&mut rng) };
    for i in 0..n {
        for j in 0..d {
            x[[i, j]] = z();
        }
        let r = x.row(i);
        y[i] = match task {
            Task::Binary => f64::from(u8::from(
                r[0] - 0.8 * r[1] + 0.5 * r[2] * r[3] + 0.5 * z() > 0.0,
            )),
            Task::Multiclass { n_classes } => {
                let mut best = (0, f64::NEG_INFINITY);
                for c in 0..n_classes {
                    let ang = std::f64::consts::TAU * c as f64 / n_classes as f64;
                    let s = ang.cos() * r[0] + ang.sin() * r[1] + 0.5 * z();
                    if s > best.1 {
                        best = (c, s);
                    }
                }
                best.0 as f64
            }
            Task::Regression => r[0] - 0.5 * r[1] + 0.3 * r[2] * r[2] + 0.3 * z(),
        };
    }
    OwnedDataset {
        features: x,
        labels: y,
        weights: None,
        task,
    }
}

fn brier(p: &Array2<f64>, y: &Array1<f64>) -> f64 {
    let mut s = 0.0;
    for (row, &yi) in p.outer_iter().zip(y) {
        for (c, &pc) in row.iter().enumerate() {
            let t = f64::from(u8::from(c == yi as usize));
            s += (pc - t).powi(2);
        }
    }
    s / y.len() as f64
}

/// Runs the conformance checks for a learner built by `make(seed)` on `task`, once per
/// seed (train 400 rows, test 400 rows).
///
/// # Panics
/// On the first failed check, with a message naming the model, seed and check.
pub fn check_learner<L, F>(make: F, task: Task, seeds: &[u64])
where
    L: Learner + std::fmt::Debug + Send + Sync,
    F: Fn(u64) -> L,
{
    for &seed in seeds {
        let train = synthetic(task, 400, seed);
        let test = synthetic(task, 400, seed.wrapping_add(1_000_003));
        let data = train.view().expect("synthetic data is valid");
        let model = make(seed)
            .fit(&data)
            .unwrap_or_else(|e| panic!("seed {seed}: fit failed: {e}"));
        let name = model.name();
        assert!(!name.is_empty(), "model name is empty");
        assert_eq!(model.task(), task, "{name}: task");
        assert_eq!(model.n_features(), SYNTHETIC_FEATURES, "{name}: n_features");

        // Shapes and probability rows.
        let p = model
            .predict(test.features.view())
            .unwrap_or_else(|e| panic!("{name} seed {seed}: predict failed: {e}"));
        assert_eq!(p.dim(), (400, task.n_outputs()), "{name}: prediction shape");
        assert!(
            p.iter().all(|v| v.is_finite()),
            "{name}: non-finite prediction"
        );
        if task.is_classification() {
            for (i, row) in p.outer_iter().enumerate() {
                let s: f64 = row.sum();
                assert!((s - 1.0).abs() < 1e-9, "{name}: row {i} sums to {s}");
                assert!(
                    row.iter().all(|&v| (0.0..=1.0).contains(&v)),
                    "{name}: row {i} has a probability outside [0, 1]: {row}"
                );
            }
            let classes = model
                .predict_class(test.features.view())
                .expect("predict_class");
            assert_eq!(classes.len(), 400, "{name}: predict_class length");
        }

        // Determinism from the seed.
        let again = make(seed).fit(&data).expect("second fit");
        let p2 = again.predict(test.features.view()).expect("predict");
        assert!(
            p.iter().zip(&p2).all(|(a, b)| a.to_bits() == b.to_bits()),
            "{name} seed {seed}: two fits with the same seed predict differently"
        );

        // Serde round trip.
        let json = serde_json::to_string(&model)
            .unwrap_or_else(|e| panic!("{name}: serialise failed: {e}"));
        let back: L::Model = serde_json::from_str(&json)
            .unwrap_or_else(|e| panic!("{name}: deserialise failed: {e}"));
        let p3 = back
            .predict(test.features.view())
            .expect("predict after load");
        assert!(
            p.iter().zip(&p3).all(|(a, b)| a.to_bits() == b.to_bits()),
            "{name} seed {seed}: loaded model predicts differently"
        );

        // The boxed path.
        let boxed = make(seed).fit_boxed(&data).expect("fit_boxed");
        let p4 = boxed.predict(test.features.view()).expect("boxed predict");
        assert!(
            p.iter().zip(&p4).all(|(a, b)| a.to_bits() == b.to_bits()),
            "{name}: boxed model predicts differently"
        );

        // Feature importances.
        if let Some(imp) = model.feature_importance() {
            assert_eq!(imp.len(), SYNTHETIC_FEATURES, "{name}: importance length");
            assert!(imp.iter().all(|&v| v >= 0.0), "{name}: negative importance");
            let s = imp.sum();
            assert!(
                (s - 1.0).abs() < 1e-9 || s == 0.0,
                "{name}: importances sum to {s}"
            );
        }

        // Bad input.
        let wide = Array2::<f64>::zeros((3, SYNTHETIC_FEATURES + 1));
        assert!(
            matches!(model.predict(wide.view()), Err(Error::FeatureCount { .. })),
            "{name}: wrong column count not rejected"
        );
        let mut nan = Array2::<f64>::zeros((5, SYNTHETIC_FEATURES));
        nan[[3, 1]] = f64::NAN;
        assert!(
            matches!(
                model.predict(nan.view()),
                Err(Error::NonFinite { row: 3, col: 1, .. })
            ),
            "{name}: NaN feature not reported at row 3, column 1"
        );

        // Beats the best constant predictor out of sample.
        if let Some(k) = task.n_classes() {
            let mut prior = vec![0.0; k];
            for &y in &train.labels {
                prior[y as usize] += 1.0 / train.labels.len() as f64;
            }
            let constant = Array2::from_shape_fn((400, k), |(_, c)| prior[c]);
            let (b_model, b_const) = (brier(&p, &test.labels), brier(&constant, &test.labels));
            assert!(
                b_model < 0.8 * b_const,
                "{name} seed {seed}: Brier {b_model:.4} not below 0.8 × constant {b_const:.4}"
            );
            let majority = (0..k)
                .max_by(|&a, &b| prior[a].total_cmp(&prior[b]))
                .unwrap_or(0);
            let classes = model.predict_class(test.features.view()).expect("classes");
            let acc = classes
                .iter()
                .zip(&test.labels)
                .filter(|(c, y)| **c == **y as usize)
                .count() as f64
                / 400.0;
            let base = test
                .labels
                .iter()
                .filter(|&&y| y as usize == majority)
                .count() as f64
                / 400.0;
            assert!(
                acc > base + 0.1,
                "{name} seed {seed}: accuracy {acc:.3} not 0.1 above the majority rate {base:.3}"
            );
        } else {
            let mean = train.labels.mean().unwrap_or(0.0);
            let pred = p.index_axis(Axis(1), 0);
            let mse: f64 = pred
                .iter()
                .zip(&test.labels)
                .map(|(a, b)| (a - b).powi(2))
                .sum::<f64>()
                / 400.0;
            let mse0: f64 = test.labels.iter().map(|b| (mean - b).powi(2)).sum::<f64>() / 400.0;
            assert!(
                mse < 0.8 * mse0,
                "{name} seed {seed}: MSE {mse:.4} not below 0.8 × constant {mse0:.4}"
            );
        }
    }
}

/// Three well-separated Gaussian blobs in [`SYNTHETIC_FEATURES`] dimensions, visited in
/// persistent runs (each row stays in its blob with probability 0.95), so both mixtures
/// and HMMs can learn them. Returns the rows and the true blob of each.
pub fn synthetic_regimes(n: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let u = rand_distr::Uniform::new(0.0, 1.0).expect("invariant: valid range");
    let centres = [
        [0.0, 0.0, 0.0, 0.0],
        [4.0, 4.0, 0.0, 0.0],
        [0.0, 4.0, 4.0, 4.0],
    ];
    let mut x = Array2::<f64>::zeros((n, SYNTHETIC_FEATURES));
    let mut truth = Vec::with_capacity(n);
    let mut s = 0usize;
    for i in 0..n {
        if i > 0 && u.sample(&mut rng) > 0.95 {
            s = (s + 1 + usize::from(u.sample(&mut rng) < 0.5)) % 3;
        }
        truth.push(s);
        for j in 0..SYNTHETIC_FEATURES {
            let z: f64 = StandardNormal.sample(&mut rng);
            x[[i, j]] = centres[s][j] + 0.7 * z;
        }
    }
    (x, truth)
}

/// Runs the conformance checks for a regime learner built by `make(seed)` with three
/// regimes: probability shape and rows summing to one, bit-identical refits and JSON round
/// trips, bad-input errors, and cluster purity above 0.9 on [`synthetic_regimes`] (a
/// single constant regime would score at most the largest blob's share, about 0.4).
///
/// # Panics
/// On the first failed check, naming the model, seed and check.
pub fn check_regime_learner<L, F>(make: F, seeds: &[u64])
where
    L: crate::regime::RegimeLearner,
    F: Fn(u64) -> L,
{
    use crate::regime::RegimeModel;
    for &seed in seeds {
        let (x, truth) = synthetic_regimes(600, seed);
        let m = make(seed)
            .fit(x.view())
            .unwrap_or_else(|e| panic!("seed {seed}: fit failed: {e}"));
        let name = m.name();
        assert_eq!(m.n_regimes(), 3, "{name}: n_regimes");
        assert_eq!(m.n_features(), SYNTHETIC_FEATURES, "{name}: n_features");
        let p = m.regime_probabilities(x.view()).expect("probabilities");
        assert_eq!(p.dim(), (600, 3), "{name}: shape");
        for (i, row) in p.outer_iter().enumerate() {
            assert!(
                (row.sum() - 1.0).abs() < 1e-9,
                "{name}: row {i} sums to {}",
                row.sum()
            );
        }
        let again = make(seed).fit(x.view()).expect("refit");
        let p2 = again.regime_probabilities(x.view()).expect("probabilities");
        assert!(
            p.iter().zip(&p2).all(|(a, b)| a.to_bits() == b.to_bits()),
            "{name} seed {seed}: refit differs"
        );
        let json = serde_json::to_string(&m).expect("serialise");
        let back: L::Model = serde_json::from_str(&json).expect("deserialise");
        let p3 = back.regime_probabilities(x.view()).expect("probabilities");
        assert!(
            p.iter().zip(&p3).all(|(a, b)| a.to_bits() == b.to_bits()),
            "{name} seed {seed}: loaded model differs"
        );
        let mut nan = x.slice(ndarray::s![..5, ..]).to_owned();
        nan[[2, 3]] = f64::NAN;
        assert!(
            matches!(
                m.regime_probabilities(nan.view()),
                Err(Error::NonFinite { row: 2, col: 3, .. })
            ),
            "{name}: NaN not reported at row 2, column 3"
        );
        let wide = Array2::<f64>::zeros((2, SYNTHETIC_FEATURES + 1));
        assert!(
            matches!(m.assign(wide.view()), Err(Error::FeatureCount { .. })),
            "{name}: wrong column count not rejected"
        );
        // Purity: each found regime votes for its majority true blob.
        let found = m.assign(x.view()).expect("assign");
        let mut counts = [[0usize; 3]; 3];
        for (&f, &t) in found.iter().zip(&truth) {
            counts[f][t] += 1;
        }
        let purity = counts
            .iter()
            .map(|c| c.iter().max().copied().unwrap_or(0))
            .sum::<usize>() as f64
            / 600.0;
        assert!(purity > 0.9, "{name} seed {seed}: purity {purity:.3}");
    }
}
