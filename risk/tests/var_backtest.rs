//! VaR models on simulated GARCH-t returns, judged by the Kupiec and Christoffersen tests.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StudentT};
use shortfall_risk::var::backtest::backtest;
use shortfall_risk::var::{self, FilteredHistorical, Parametric};
use shortfall_risk::vol::{GarchModel, MeanModel};

/// GARCH(1,1) with unit-variance Student-t innovations: σ²ₜ = ω + α·r²ₜ₋₁ + β·σ²ₜ₋₁,
/// rₜ = σₜ·√((ν−2)/ν)·Tₜ, started at the unconditional variance, `burn` draws discarded.
fn garch_t(n: usize, seed: u64, omega: f64, alpha: f64, beta: f64, nu: f64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    let t = StudentT::new(nu).expect("nu > 0");
    let scale = ((nu - 2.0) / nu).sqrt();
    let burn = 500;
    let mut s2 = omega / (1.0 - alpha - beta);
    let mut out = Vec::with_capacity(n);
    for i in 0..n + burn {
        let z: f64 = t.sample(&mut rng);
        let r = s2.sqrt() * scale * z;
        if i >= burn {
            out.push(r);
        }
        s2 = omega + alpha * r * r + beta * s2;
    }
    out
}

struct Outcome {
    fhs_rejects: bool,
    fhs_hits: usize,
    normal_rejects: bool,
    normal_hits: usize,
}

fn run(seed: u64, n_fit: usize, n_est: usize, n_oos: usize, nu: f64, beta: f64) -> Outcome {
    let alpha = 0.01;
    let y = garch_t(n_est + n_oos, seed, 0.02, 0.1, beta, nu);
    let (est, oos) = y.split_at(n_est);
    let model = GarchModel::garch(MeanModel::Zero);
    let fit = model.fit(&est[n_est - n_fit..]).unwrap();
    let fhs = FilteredHistorical::with_params(model, fit.params, est).unwrap();
    let f = fhs.out_of_sample(oos, alpha).unwrap();
    let v: Vec<f64> = f.iter().map(|x| x.risk.var).collect();
    let hits = var::exceedances(oos, &v).unwrap();
    let r_fhs = backtest(&hits, alpha).unwrap();
    let mean = est.iter().sum::<f64>() / est.len() as f64;
    let sd =
        (est.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (est.len() - 1) as f64).sqrt();
    let c = var::parametric(Parametric::Normal, mean, sd, alpha).unwrap();
    let hits_n = var::exceedances(oos, &vec![c.var; oos.len()]).unwrap();
    let r_n = backtest(&hits_n, alpha).unwrap();
    Outcome {
        fhs_rejects: r_fhs.kupiec.rejects(0.05),
        fhs_hits: r_fhs.counts.exceedances,
        normal_rejects: r_n.kupiec.rejects(0.05),
        normal_hits: r_n.counts.exceedances,
    }
}

const N_FIT: usize = 5000;
const N_HIST: usize = 40_000;
const N_OOS: usize = 10_000;

/// Acceptance: on GARCH(1,1)-t₅ returns (ω = 0.02, α = 0.1, β = 0.85), a 99 % FHS/GARCH VaR
/// passes Kupiec's test at the 5 % level and a constant-volatility normal 99 % VaR fails it.
///
/// Setup per seed: GARCH(1,1) fitted (normal QML) on the last 5 000 of 40 000 historical
/// returns, residuals filtered over all 40 000 (so the 1 % residual quantile rests on ~400
/// tail points), then 10 000 out-of-sample days with fixed parameters (expected 100
/// breaches). The normal VaR uses the mean and standard deviation of the 40 000.
///
/// Expected rates: if the FHS VaR had exact coverage, Kupiec would reject with probability
/// 5 %; the estimation error of the residual quantile (relative s.e. ≈ √((1−α)/(nα)) ≈ 5 %
/// of coverage, i.e. ≈ 5 breaches against the binomial ≈ 10) inflates that only slightly.
/// Measured over 100 seeds (`pass_rates_over_100_seeds`, release): FHS rejected 5/100,
/// normal rejected 94/100 (mean breaches 99.0 vs 154.3). On 10 seeds we require at most 2
/// FHS rejections (P(≥ 3 | p = 0.05) = 1.2 %) and at least 7 normal rejections
/// (P(≤ 6 | p = 0.94) = 0.3 %).
#[test]
fn correct_model_passes_kupiec_and_constant_normal_var_fails() {
    let mut fhs_rejections = 0;
    let mut normal_rejections = 0;
    let mut fhs_hits = 0;
    for seed in 0..10 {
        let o = run(seed, N_FIT, N_HIST, N_OOS, 5.0, 0.85);
        println!(
            "seed {seed}: FHS breaches {} (rejected {}), normal breaches {} (rejected {})",
            o.fhs_hits, o.fhs_rejects, o.normal_hits, o.normal_rejects
        );
        fhs_rejections += o.fhs_rejects as usize;
        normal_rejections += o.normal_rejects as usize;
        fhs_hits += o.fhs_hits;
    }
    assert!(
        fhs_rejections <= 2,
        "FHS rejected on {fhs_rejections} of 10 seeds"
    );
    assert!(
        normal_rejections >= 7,
        "normal rejected on only {normal_rejections} of 10 seeds"
    );
    // 10 × 100 expected breaches: the binomial s.d. of the total is ≈ 31.5, plus the
    // quantile estimation error; ±150 is more than 4 s.d.
    assert!((fhs_hits as i64 - 1000).abs() < 150, "{fhs_hits}");
}

/// The measurement behind the thresholds above (run with
/// `cargo test --release -p shortfall-risk --test var_backtest -- --ignored --nocapture`).
#[test]
#[ignore]
fn pass_rates_over_100_seeds() {
    for (n_fit, n_est, n_oos, nu, beta) in [
        (N_FIT, N_HIST, N_OOS, 5.0, 0.85),
        (N_FIT, N_HIST, N_OOS, 4.0, 0.85),
    ] {
        let mut fr = 0;
        let mut nr = 0;
        let seeds = 100;
        let mut fh = 0;
        let mut nh = 0;
        for seed in 0..seeds {
            let o = run(seed, n_fit, n_est, n_oos, nu, beta);
            fr += o.fhs_rejects as usize;
            nr += o.normal_rejects as usize;
            fh += o.fhs_hits;
            nh += o.normal_hits;
        }
        println!(
            "nu {nu} beta {beta}: FHS rejected {fr}/{seeds} (mean breaches {:.1}), normal rejected {nr}/{seeds} (mean breaches {:.1}) of {} expected",
            fh as f64 / seeds as f64,
            nh as f64 / seeds as f64,
            n_oos / 100
        );
    }
}
