//! Golden checks against the Python `arch` package (version in `data/arch_golden.json`).
//!
//! The series in `tests/data/*.csv` were simulated with numpy and fitted with `arch` by
//! `scripts/garch_crosscheck.py --write-fixtures`; nothing here depends on this crate's own
//! simulator, so the truth is fully external.

use std::path::PathBuf;

use serde_json::Value;
use shortfall_risk::vol::{GarchModel, GarchParams, MeanModel, VolatilityProcess};

struct Fixture {
    name: String,
    y: Vec<f64>,
    model: GarchModel,
    names: Vec<String>,
    params: Vec<f64>,
    se_robust: Vec<f64>,
    se_classic: Vec<f64>,
    loglik: f64,
    forecast: Vec<f64>,
}

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("fixture field is an array")
        .iter()
        .map(|x| x.as_f64().expect("fixture array holds numbers"))
        .collect()
}

fn fixtures() -> Vec<Fixture> {
    let text = std::fs::read_to_string(data_dir().join("arch_golden.json"))
        .expect("tests/data/arch_golden.json is part of the repository");
    let golden: Value = serde_json::from_str(&text).expect("arch_golden.json is valid JSON");
    golden["fixtures"]
        .as_array()
        .expect("fixtures array")
        .iter()
        .map(|f| {
            let csv = f["csv"].as_str().expect("csv name");
            let body = std::fs::read_to_string(data_dir().join(csv)).expect("fixture csv exists");
            let mut lines = body.lines();
            assert_eq!(lines.next(), Some("y"), "{csv}: header");
            let y = lines
                .map(|l| l.parse::<f64>().expect("fixture values are numbers"))
                .collect();
            let mean = match f["mean"].as_str() {
                Some("zero") => MeanModel::Zero,
                _ => MeanModel::Constant,
            };
            let process = match f["vol"].as_str() {
                Some("gjr") => VolatilityProcess::GjrGarch,
                _ => VolatilityProcess::Garch,
            };
            Fixture {
                name: csv.to_string(),
                y,
                model: GarchModel::new(mean, process),
                names: f["names"]
                    .as_array()
                    .expect("names")
                    .iter()
                    .map(|s| s.as_str().expect("name").to_string())
                    .collect(),
                params: floats(&f["params"]),
                se_robust: floats(&f["std_err_robust"]),
                se_classic: floats(&f["std_err_classic"]),
                loglik: f["loglik"].as_f64().expect("loglik"),
                forecast: floats(&f["forecast"]),
            }
        })
        .collect()
}

/// arch's parameter vector as our named struct.
fn to_params(f: &Fixture) -> GarchParams {
    let mut p = GarchParams::default();
    for (name, &v) in f.names.iter().zip(&f.params) {
        match name.as_str() {
            "mu" => p.mu = v,
            "omega" => p.omega = v,
            "alpha[1]" => p.alpha = v,
            "gamma[1]" => p.gamma = v,
            "beta[1]" => p.beta = v,
            other => panic!("unexpected parameter {other}"),
        }
    }
    p
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

#[test]
fn there_are_golden_fixtures_for_garch_gjr_and_constant_mean() {
    let f = fixtures();
    assert!(f.len() >= 3);
    assert!(
        f.iter()
            .any(|x| x.model.process == VolatilityProcess::GjrGarch)
    );
    assert!(f.iter().any(|x| x.model.mean == MeanModel::Constant));
}

#[test]
fn loglikelihood_at_arch_estimates_equals_arch_loglikelihood() {
    // Checks the conventions (backcast, σ²₀, bounds, normal density) independently of the
    // optimiser: the same parameters must give the same number to rounding.
    for f in fixtures() {
        let ll = f.model.loglikelihood(&f.y, &to_params(&f)).unwrap();
        assert!(
            rel(ll, f.loglik) < 1e-12,
            "{}: {ll} vs arch {}",
            f.name,
            f.loglik
        );
    }
}

#[test]
fn fit_matches_arch_loglikelihood_and_parameters() {
    for f in fixtures() {
        let fit = f.model.fit(&f.y).unwrap();
        assert!(
            rel(fit.loglik, f.loglik) < 1e-6,
            "{}: loglik {} vs arch {}",
            f.name,
            fit.loglik,
            f.loglik
        );
        // Our optimum is never worse than arch's (up to rounding).
        assert!(fit.loglik >= f.loglik - 1e-7 * f.loglik.abs(), "{}", f.name);
        let est = fit.estimates();
        assert_eq!(est.len(), f.params.len());
        for (row, (&want, name)) in est.iter().zip(f.params.iter().zip(&f.names)) {
            assert_eq!(row.name, name);
            assert!(
                (row.value - want).abs() < 1e-3,
                "{}: {} = {} vs arch {}",
                f.name,
                name,
                row.value,
                want
            );
        }
    }
}

#[test]
fn standard_errors_at_arch_estimates_match_arch() {
    for f in fixtures() {
        let cov = f.model.covariance(&f.y, &to_params(&f)).unwrap();
        for (got, want) in cov.std_err_robust().iter().zip(&f.se_robust) {
            assert!(
                rel(*got, *want) < 1e-3,
                "{}: robust {got} vs {want}",
                f.name
            );
        }
        for (got, want) in cov.std_err_classic().iter().zip(&f.se_classic) {
            assert!(
                rel(*got, *want) < 1e-3,
                "{}: classic {got} vs {want}",
                f.name
            );
        }
    }
}

#[test]
fn standard_errors_at_our_optimum_are_close_to_arch() {
    for f in fixtures() {
        let fit = f.model.fit(&f.y).unwrap();
        for (row, (want_r, want_c)) in fit
            .estimates()
            .iter()
            .zip(f.se_robust.iter().zip(&f.se_classic))
        {
            assert!(
                rel(row.std_err, *want_r) < 0.02,
                "{} {}: {} vs {want_r}",
                f.name,
                row.name,
                row.std_err
            );
            assert!(
                rel(row.std_err_classic, *want_c) < 0.02,
                "{} {}: {} vs {want_c}",
                f.name,
                row.name,
                row.std_err_classic
            );
        }
    }
}

#[test]
fn forecasts_match_arch() {
    for f in fixtures() {
        let fit = f.model.fit(&f.y).unwrap();
        let ours = fit.forecast(f.forecast.len()).unwrap();
        for (h, (got, want)) in ours.iter().zip(&f.forecast).enumerate() {
            assert!(
                rel(*got, *want) < 1e-3,
                "{} h={}: {got} vs {want}",
                f.name,
                h + 1
            );
        }
    }
}
