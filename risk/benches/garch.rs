//! Criterion benchmarks of the GARCH fits.
//!
//! `garch/fit_n5000`: one zero-mean GARCH(1,1) fit (estimation + robust and classic standard
//! errors) of a simulated n = 5000 series — the figure compared with `arch` in
//! `scripts/garch_crosscheck.py`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use shortfall_risk::vol::{FitOptions, GarchModel, GarchParams, MeanModel};

fn fit(c: &mut Criterion) {
    let model = GarchModel::garch(MeanModel::Zero);
    let truth = GarchParams {
        omega: 0.05,
        alpha: 0.1,
        beta: 0.85,
        ..GarchParams::default()
    };
    let y = model
        .simulate(&truth, 5000, 500, 1)
        .expect("valid parameters")
        .returns;
    let mut g = c.benchmark_group("garch");
    g.bench_function("fit_n5000", |b| {
        b.iter(|| model.fit(black_box(&y)).expect("fit converges"))
    });
    g.bench_function("fit_n5000_no_std_errors", |b| {
        let opts = FitOptions {
            std_errors: false,
            ..FitOptions::default()
        };
        b.iter(|| model.fit_with(black_box(&y), &opts).expect("fit converges"))
    });
    let gjr = GarchModel::gjr(MeanModel::Zero);
    let truth_gjr = GarchParams {
        gamma: 0.1,
        alpha: 0.05,
        ..truth
    };
    let y_gjr = gjr
        .simulate(&truth_gjr, 5000, 500, 2)
        .expect("valid")
        .returns;
    g.bench_function("gjr_fit_n5000", |b| {
        b.iter(|| gjr.fit(black_box(&y_gjr)).expect("fit converges"))
    });
    g.finish();
}

criterion_group!(benches, fit);
criterion_main!(benches);
