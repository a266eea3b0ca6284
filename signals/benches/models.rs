//! Fit and predict speeds of the signal models on the conformance suite's synthetic data
//! (4 standard normal features). Units are in the names.
//!
//! - `signals/logistic_fit_2000x4/rows_per_s`: binary L2 logistic regression (L-BFGS).
//! - `signals/rls_update_4/rows_per_s`: one recursive least squares step, 4 features.
//! - `signals/gmm_full_fit_600x4_k3/rows_per_s`: Gaussian mixture, full covariance, 4 inits.
//! - `signals/hmm_fit_600x4_k3/rows_per_s`: Gaussian HMM Baum–Welch, 4 inits.
//! - `signals/hmm_filter_step_k3/steps_per_s`: one online forward-filter step.
//! - `signals/random_forest_fit_400x4_30_trees/rows_per_s`: smartcore forest, binary.
//! - `signals/svm_fit_200x4_rbf/rows_per_s`: smartcore SMO + Platt scaling, binary.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shortfall_signals::conformance::{synthetic, synthetic_regimes};
use shortfall_signals::forest::RandomForest;
use shortfall_signals::linear::{Logistic, Rls};
use shortfall_signals::regime::{CovarianceKind, GaussianHmm, GaussianMixture, RegimeLearner};
use shortfall_signals::svm::Svm;
use shortfall_signals::{Learner, OnlineModel, Task};

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("signals");

    let d = synthetic(Task::Binary, 2000, 1);
    let data = d.view().expect("valid");
    g.throughput(Throughput::Elements(2000));
    g.bench_function("logistic_fit_2000x4/rows_per_s", |b| {
        b.iter(|| Logistic::default().fit(black_box(&data)).expect("fit"))
    });

    let r = synthetic(Task::Regression, 2000, 2);
    let mut rls = Rls::default().start(4).expect("valid");
    let mut i = 0;
    g.throughput(Throughput::Elements(1));
    g.bench_function("rls_update_4/rows_per_s", |b| {
        b.iter(|| {
            i = (i + 1) % 2000;
            rls.update(r.features.row(i), r.labels[i]).expect("update")
        })
    });

    let (x, _) = synthetic_regimes(600, 3);
    g.throughput(Throughput::Elements(600));
    g.bench_function("gmm_full_fit_600x4_k3/rows_per_s", |b| {
        b.iter(|| {
            GaussianMixture::new(3, CovarianceKind::Full, 3)
                .fit(black_box(x.view()))
                .expect("fit")
        })
    });
    g.bench_function("hmm_fit_600x4_k3/rows_per_s", |b| {
        b.iter(|| {
            GaussianHmm::new(3, 3)
                .fit(black_box(x.view()))
                .expect("fit")
        })
    });

    let hmm = GaussianHmm::new(3, 3).fit(x.view()).expect("fit");
    let mut filter = hmm.online_filter();
    let mut t = 0;
    g.throughput(Throughput::Elements(1));
    g.bench_function("hmm_filter_step_k3/steps_per_s", |b| {
        b.iter(|| {
            t = (t + 1) % 600;
            filter.step(x.row(t)).expect("step")[0]
        })
    });

    let f = synthetic(Task::Binary, 400, 4);
    let fdata = f.view().expect("valid");
    g.throughput(Throughput::Elements(400));
    g.bench_function("random_forest_fit_400x4_30_trees/rows_per_s", |b| {
        b.iter(|| {
            RandomForest {
                n_trees: 30,
                ..RandomForest::default()
            }
            .fit(black_box(&fdata))
            .expect("fit")
        })
    });

    let s = synthetic(Task::Binary, 200, 5);
    let sdata = s.view().expect("valid");
    g.throughput(Throughput::Elements(200));
    g.bench_function("svm_fit_200x4_rbf/rows_per_s", |b| {
        b.iter(|| Svm::default().fit(black_box(&sdata)).expect("fit"))
    });
    g.finish();
}

criterion_group! {
    name = signals;
    config = Criterion::default().sample_size(10);
    targets = benches
}
criterion_main!(signals);
