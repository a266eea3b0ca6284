//! Sample weights: an integer weight must act exactly like repeating the row (the weighted
//! objective is the duplicated data's objective), and learners that cannot use weights
//! must say so instead of ignoring them.

use ndarray::{Array1, Array2, Axis};
use shortfall_signals::conformance::synthetic;
use shortfall_signals::forest::RandomForest;
use shortfall_signals::linear::{Logistic, Rls};
use shortfall_signals::svm::Svm;
use shortfall_signals::{Dataset, Error, Learner, Model, Task};

/// Rows with weights 1, 2 or 3, and the same data with each row repeated `w` times.
struct Pair {
    x: Array2<f64>,
    y: Array1<f64>,
    w: Array1<f64>,
    xd: Array2<f64>,
    yd: Array1<f64>,
}

fn weighted_and_duplicated(task: Task) -> Pair {
    let d = synthetic(task, 120, 4);
    let w: Array1<f64> = (0..120).map(|i| (1 + i % 3) as f64).collect();
    let mut rows = Vec::new();
    for (i, &wi) in w.iter().enumerate() {
        for _ in 0..wi as usize {
            rows.push(i);
        }
    }
    Pair {
        xd: d.features.select(Axis(0), &rows),
        yd: d.labels.select(Axis(0), &rows),
        x: d.features,
        y: d.labels,
        w,
    }
}

#[test]
fn logistic_integer_weights_equal_row_duplication() {
    let task = Task::Multiclass { n_classes: 3 };
    let Pair { x, y, w, xd, yd } = weighted_and_duplicated(task);
    let learner = Logistic {
        tol: 1e-10,
        ..Logistic::default()
    };
    let weighted = Dataset::new(x.view(), y.view(), task)
        .unwrap()
        .with_weights(w.view())
        .unwrap();
    let a = learner.fit(&weighted).unwrap();
    let b = learner
        .fit(&Dataset::new(xd.view(), yd.view(), task).unwrap())
        .unwrap();
    let (pa, pb) = (a.predict(x.view()).unwrap(), b.predict(x.view()).unwrap());
    for (u, v) in pa.iter().zip(&pb) {
        assert!((u - v).abs() < 1e-6, "{u} vs {v}");
    }
}

/// For RLS without forgetting, a weight w on a row equals presenting it w times in a row
/// only up to the δλⁿ regulariser, which is identical here because λ = 1.
#[test]
fn rls_integer_weights_equal_row_duplication() {
    let Pair { x, y, w, xd, yd } = weighted_and_duplicated(Task::Regression);
    let learner = Rls {
        forgetting: 1.0,
        delta: 1e-2,
    };
    let weighted = Dataset::new(x.view(), y.view(), Task::Regression)
        .unwrap()
        .with_weights(w.view())
        .unwrap();
    let a = learner.fit(&weighted).unwrap();
    let b = learner
        .fit(&Dataset::new(xd.view(), yd.view(), Task::Regression).unwrap())
        .unwrap();
    for (u, v) in a.weights().iter().zip(b.weights()) {
        assert!((u - v).abs() < 1e-8, "{u} vs {v}");
    }
}

#[test]
fn forest_and_svm_reject_sample_weights() {
    let d = synthetic(Task::Binary, 60, 1);
    let w = Array1::from_elem(60, 2.0);
    let data = d.view().unwrap().with_weights(w.view()).unwrap();
    assert!(matches!(
        RandomForest::default().fit(&data),
        Err(Error::Unsupported { .. })
    ));
    assert!(matches!(
        Svm::default().fit(&data),
        Err(Error::Unsupported { .. })
    ));
}
