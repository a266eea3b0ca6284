//! Realised estimators on simulated Brownian bars with a known variance.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use shortfall_risk::vol::{
    HarRv, Ohlc, close_to_close, garman_klass, parkinson, rogers_satchell, yang_zhang,
};

/// `n` bars of a driftless log-price Brownian motion sampled `steps` times per bar, with
/// per-bar variance `var` and (optionally) an overnight jump of variance `overnight`.
fn bars(n: usize, steps: usize, var: f64, overnight: f64, seed: u64) -> Vec<Ohlc> {
    let mut rng = StdRng::seed_from_u64(seed);
    let sd = (var / steps as f64).sqrt();
    let mut log_p = 100.0_f64.ln();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let z: f64 = StandardNormal.sample(&mut rng);
        log_p += overnight.sqrt() * z;
        let open = log_p;
        let (mut hi, mut lo) = (open, open);
        for _ in 0..steps {
            let z: f64 = StandardNormal.sample(&mut rng);
            log_p += sd * z;
            hi = hi.max(log_p);
            lo = lo.min(log_p);
        }
        out.push(Ohlc {
            open: open.exp(),
            high: hi.exp(),
            low: lo.exp(),
            close: log_p.exp(),
        });
    }
    out
}

#[test]
fn range_estimators_recover_the_intraday_variance() {
    let var = 1e-4;
    let b = bars(1500, 2000, var, 0.0, 5);
    // Tolerances: ~3 sampling standard errors for 1500 bars (range estimators are about five
    // times as efficient as close-to-close), plus the few-percent downward bias of a range
    // observed at 2000 discrete points.
    for (name, est, tol) in [
        ("parkinson", parkinson(&b).unwrap(), 0.07),
        ("garman-klass", garman_klass(&b).unwrap(), 0.07),
        ("rogers-satchell", rogers_satchell(&b).unwrap(), 0.07),
        ("close-to-close", close_to_close(&b).unwrap(), 0.12),
        ("yang-zhang", yang_zhang(&b).unwrap(), 0.12),
    ] {
        assert!((est / var - 1.0).abs() < tol, "{name}: {est} vs {var}");
    }
}

#[test]
fn yang_zhang_includes_overnight_variance_and_range_estimators_do_not() {
    let (var, overnight) = (1e-4, 5e-5);
    let b = bars(1500, 2000, var, overnight, 6);
    let yz = yang_zhang(&b).unwrap();
    assert!((yz / (var + overnight) - 1.0).abs() < 0.12, "{yz}");
    let cc = close_to_close(&b).unwrap();
    assert!((cc / (var + overnight) - 1.0).abs() < 0.12, "{cc}");
    let rs = rogers_satchell(&b).unwrap();
    assert!((rs / var - 1.0).abs() < 0.07, "{rs}");
}

#[test]
fn har_rv_forecasts_are_positive_and_mean_reverting() {
    // Daily RV from Parkinson on 1-day windows of simulated bars with slowly varying variance.
    let mut rv = Vec::new();
    for day in 0..400u64 {
        let var = 1e-4 * (1.0 + 0.5 * ((day as f64) / 30.0).sin());
        rv.push(parkinson(&bars(1, 200, var, 0.0, 1000 + day)).unwrap());
    }
    let fit = HarRv::default().fit(&rv).unwrap();
    let f = fit.forecast(200).unwrap();
    assert!(f.iter().all(|v| *v > 0.0));
    let persistence = fit.daily + fit.weekly + fit.monthly;
    assert!(persistence < 1.0, "{fit:?}");
    let long_run = fit.intercept / (1.0 - persistence);
    assert!(
        (f[199] - long_run).abs() < 0.05 * long_run,
        "{} vs {long_run}",
        f[199]
    );
}
