//! Properties of the GARCH-family fits that need no external reference.

use proptest::prelude::*;
use shortfall_risk::Error;
use shortfall_risk::vol::{FitOptions, GarchModel, GarchParams, MeanModel};

fn garch_params(omega: f64, alpha: f64, beta: f64) -> GarchParams {
    GarchParams {
        omega,
        alpha,
        beta,
        ..GarchParams::default()
    }
}

#[test]
fn true_parameters_are_recovered_on_long_series() {
    let cases = [
        (
            GarchModel::garch(MeanModel::Zero),
            garch_params(0.05, 0.10, 0.85),
        ),
        (
            GarchModel::garch(MeanModel::Zero),
            garch_params(0.02, 0.05, 0.93),
        ),
        (
            GarchModel::gjr(MeanModel::Zero),
            GarchParams {
                gamma: 0.1,
                ..garch_params(0.05, 0.05, 0.85)
            },
        ),
        (
            GarchModel::garch(MeanModel::Constant),
            GarchParams {
                mu: 0.05,
                ..garch_params(0.1, 0.08, 0.88)
            },
        ),
    ];
    for (i, (model, truth)) in cases.iter().enumerate() {
        for seed in [11, 12, 13] {
            let y = model
                .simulate(truth, 20_000, 500, seed + 100 * i as u64)
                .unwrap()
                .returns;
            let fit = model.fit(&y).unwrap();
            let truth_v = [truth.mu, truth.omega, truth.alpha, truth.gamma, truth.beta];
            for row in fit.estimates() {
                let t = match row.name {
                    "mu" => truth_v[0],
                    "omega" => truth_v[1],
                    "alpha[1]" => truth_v[2],
                    "gamma[1]" => truth_v[3],
                    _ => truth_v[4],
                };
                let z = (row.value - t) / row.std_err;
                assert!(
                    z.abs() < 4.0,
                    "case {i} seed {seed}: {} = {} (s.e. {}), truth {t}, z = {z:.2}",
                    row.name,
                    row.value,
                    row.std_err
                );
            }
        }
    }
}

#[test]
fn likelihood_at_the_optimum_beats_perturbed_points() {
    let model = GarchModel::gjr(MeanModel::Constant);
    let truth = GarchParams {
        mu: 0.02,
        omega: 0.05,
        alpha: 0.04,
        gamma: 0.08,
        beta: 0.87,
    };
    let y = model.simulate(&truth, 4000, 500, 3).unwrap().returns;
    let fit = model.fit(&y).unwrap();
    let p = fit.params;
    assert!((model.loglikelihood(&y, &p).unwrap() - fit.loglik).abs() < 1e-9);
    for d in [1e-3, -1e-3, 1e-2, -1e-2] {
        let perturbed = [
            GarchParams { mu: p.mu + d, ..p },
            GarchParams {
                omega: p.omega * (1.0 + d),
                ..p
            },
            GarchParams {
                alpha: p.alpha + d.abs(),
                ..p
            },
            GarchParams {
                gamma: p.gamma + d,
                ..p
            },
            GarchParams {
                beta: p.beta + d,
                ..p
            },
            GarchParams {
                alpha: p.alpha + d.abs(),
                beta: p.beta - d.abs(),
                ..p
            },
        ];
        for q in perturbed {
            if model.validate(&q).is_ok() {
                let ll = model.loglikelihood(&y, &q).unwrap();
                assert!(ll <= fit.loglik + 1e-9, "{q:?}: {ll} > {}", fit.loglik);
            }
        }
    }
}

#[test]
fn forecasts_converge_to_the_unconditional_variance() {
    let model = GarchModel::garch(MeanModel::Zero);
    let y = model
        .simulate(&garch_params(0.05, 0.1, 0.85), 3000, 500, 9)
        .unwrap()
        .returns;
    let fit = model.fit(&y).unwrap();
    let f = fit.forecast(2000).unwrap();
    let uncond = fit.params.omega / (1.0 - fit.params.alpha - fit.params.beta);
    assert!((f[1999] - uncond).abs() < 1e-9 * uncond);
    // Monotone approach from the one-step forecast.
    let above = f[0] > uncond;
    assert!(
        f.windows(2)
            .all(|w| if above { w[1] <= w[0] } else { w[1] >= w[0] })
    );
}

#[test]
fn fits_are_deterministic() {
    let model = GarchModel::gjr(MeanModel::Zero);
    let truth = GarchParams {
        gamma: 0.1,
        ..garch_params(0.05, 0.05, 0.85)
    };
    let a = model.simulate(&truth, 1500, 100, 77).unwrap();
    let b = model.simulate(&truth, 1500, 100, 77).unwrap();
    assert_eq!(a, b);
    assert_eq!(
        model.fit(&a.returns).unwrap(),
        model.fit(&b.returns).unwrap()
    );
}

#[test]
fn too_short_series_is_an_error_naming_lengths() {
    let err = GarchModel::garch(MeanModel::Zero)
        .fit(&[0.1; 5])
        .unwrap_err();
    assert_eq!(
        err,
        Error::TooShort {
            what: "GARCH estimation",
            len: 5,
            needed: GarchModel::MIN_OBSERVATIONS
        }
    );
    assert!(err.to_string().contains("5 observations"));
}

#[test]
fn nan_in_series_is_an_error_naming_the_index() {
    let mut y: Vec<f64> = (0..100).map(|i| ((i * 7) % 11) as f64 - 5.0).collect();
    y[42] = f64::NAN;
    let err = GarchModel::garch(MeanModel::Zero).fit(&y).unwrap_err();
    assert!(matches!(err, Error::NonFinite { index: 42, .. }), "{err}");
    y[42] = f64::NEG_INFINITY;
    assert!(matches!(
        GarchModel::gjr(MeanModel::Constant).fit(&y),
        Err(Error::NonFinite { index: 42, .. })
    ));
}

#[test]
fn invalid_parameters_are_errors_naming_the_parameter() {
    let model = GarchModel::garch(MeanModel::Zero);
    let y: Vec<f64> = (0..100).map(|i| ((i * 7) % 11) as f64 - 5.0).collect();
    let check = |p: GarchParams, name: &str| match model.loglikelihood(&y, &p) {
        Err(Error::InvalidParameter { name: got, .. }) => assert_eq!(got, name),
        other => panic!("expected InvalidParameter {name}, got {other:?}"),
    };
    check(garch_params(-0.1, 0.1, 0.8), "omega");
    check(garch_params(0.1, -0.1, 0.8), "alpha");
    check(garch_params(0.1, 0.1, -0.8), "beta");
    check(garch_params(0.1, 0.3, 0.8), "alpha + gamma/2 + beta");
    check(
        GarchParams {
            gamma: 0.1,
            ..garch_params(0.1, 0.1, 0.8)
        },
        "gamma",
    );
    check(
        GarchParams {
            mu: 0.1,
            ..garch_params(0.1, 0.1, 0.8)
        },
        "mu",
    );
    let err = model
        .simulate(&garch_params(0.1, 0.2, 0.8), 10, 0, 1)
        .unwrap_err();
    assert!(err.to_string().contains("alpha + gamma/2 + beta"), "{err}");
}

#[test]
fn constant_series_is_an_error_not_a_panic() {
    let err = GarchModel::garch(MeanModel::Constant)
        .fit(&[0.3; 50])
        .unwrap_err();
    assert!(matches!(err, Error::InvalidParameter { .. }), "{err}");
    let err = GarchModel::garch(MeanModel::Zero)
        .fit(&[0.0; 50])
        .unwrap_err();
    assert!(matches!(err, Error::InvalidParameter { .. }), "{err}");
}

#[test]
fn zero_starts_is_rejected() {
    let y: Vec<f64> = (0..100).map(|i| ((i * 7) % 11) as f64 - 5.0).collect();
    let opts = FitOptions {
        starts: 0,
        ..FitOptions::default()
    };
    assert!(matches!(
        GarchModel::garch(MeanModel::Zero).fit_with(&y, &opts),
        Err(Error::InvalidParameter { name: "starts", .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Any finite series long enough yields a fit inside the parameter region or a clean
    /// error — never a panic.
    #[test]
    fn fit_never_panics_and_stays_in_the_region(
        y in prop::collection::vec(-50.0f64..50.0, 20..200),
    ) {
        let model = GarchModel::gjr(MeanModel::Constant);
        if let Ok(fit) = model.fit(&y) {
            prop_assert!(model.validate(&fit.params).is_ok(), "{:?}", fit.params);
            prop_assert!(fit.loglik.is_finite());
            let f = fit.forecast(5).unwrap();
            prop_assert!(f.iter().all(|v| v.is_finite() && *v > 0.0));
        }
    }
}

#[test]
fn exhaustive_restarts_never_find_a_lower_optimum() {
    let model = GarchModel::gjr(MeanModel::Constant);
    let truth = GarchParams {
        mu: 0.01,
        gamma: 0.08,
        ..garch_params(0.05, 0.04, 0.88)
    };
    for seed in [1, 2] {
        let y = model.simulate(&truth, 2000, 200, seed).unwrap().returns;
        let quick = model.fit(&y).unwrap();
        let opts = FitOptions {
            exhaustive: true,
            starts: 5,
            ..FitOptions::default()
        };
        let thorough = model.fit_with(&y, &opts).unwrap();
        assert!(quick.converged && thorough.converged);
        assert!(thorough.loglik >= quick.loglik - 1e-9);
        assert!((thorough.loglik - quick.loglik).abs() < 1e-6 * quick.loglik.abs());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The streaming EWMA reproduces the batch conditional variances exactly.
    #[test]
    fn streaming_and_batch_ewma_agree(
        r in prop::collection::vec(-0.2f64..0.2, 1..300),
        lambda in 0.5f64..0.999,
    ) {
        let batch = shortfall_risk::vol::EwmaVariance::batch(lambda, &r).unwrap();
        let mut s = shortfall_risk::vol::EwmaVariance::new(lambda, batch[0]).unwrap();
        for (t, x) in r.iter().enumerate() {
            prop_assert_eq!(s.variance(), batch[t]);
            s.update(*x).unwrap();
        }
    }
}
