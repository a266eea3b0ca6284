//! Covariance models on simulated data with known parameters: Ledoit–Wolf against the
//! sample covariance when n ≈ p, and DCC(1,1) parameter recovery.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use shortfall_risk::Error;
use shortfall_risk::cov::{Dcc, DccParams, Matrix, Mean, ledoit_wolf};
use shortfall_risk::vol::GarchParams;

/// Σᵢⱼ = sᵢsⱼ·0.5^|i−j| with sᵢ = 1 + i/p: an AR(1)-type correlation, unequal variances.
fn truth(p: usize) -> Matrix {
    let rows: Vec<Vec<f64>> = (0..p)
        .map(|i| {
            (0..p)
                .map(|j| {
                    let (si, sj) = (1.0 + i as f64 / p as f64, 1.0 + j as f64 / p as f64);
                    si * sj * 0.5_f64.powi((i as i32 - j as i32).abs())
                })
                .collect()
        })
        .collect();
    Matrix::from_rows(&rows).unwrap()
}

fn draw(sigma: &Matrix, n: usize, seed: u64) -> Vec<Vec<f64>> {
    let l = sigma.cholesky("truth").unwrap().lower();
    let p = sigma.dim();
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let z: Vec<f64> = (0..p).map(|_| StandardNormal.sample(&mut rng)).collect();
            (0..p)
                .map(|i| (0..=i).map(|k| l.get(i, k) * z[k]).sum())
                .collect()
        })
        .collect()
}

/// The unbiased sample covariance (divisor n − 1), computed here independently.
fn sample_cov(rows: &[Vec<f64>]) -> Matrix {
    let n = rows.len();
    let p = rows[0].len();
    let mu: Vec<f64> = (0..p)
        .map(|i| rows.iter().map(|r| r[i]).sum::<f64>() / n as f64)
        .collect();
    let mut s = vec![0.0; p * p];
    for r in rows {
        for i in 0..p {
            for j in 0..p {
                s[i * p + j] += (r[i] - mu[i]) * (r[j] - mu[j]) / (n - 1) as f64;
            }
        }
    }
    Matrix::from_row_major(p, s).unwrap()
}

/// Ledoit & Wolf (2004, Theorem 3.2 and §3.3) show S* has smaller expected Frobenius loss
/// than S; when n ≈ p the gap is large — E‖S − Σ‖²_F = (tr Σ² + (tr Σ)²)/(n − 1) for
/// Gaussian data, dominated by (tr Σ)²/n, which shrinkage towards m·I removes — so it should
/// hold seed by seed, not just on average (measured mean error ratio ≈ 0.72).
#[test]
fn ledoit_wolf_beats_the_sample_covariance_when_n_is_close_to_p() {
    let (p, n) = (20, 25);
    let sigma = truth(p);
    let mut ratios = Vec::new();
    for seed in 0..10 {
        let rows = draw(&sigma, n, seed);
        let lw = ledoit_wolf(&rows, Mean::Estimate).unwrap();
        assert!(
            lw.intensity > 0.0 && lw.intensity <= 1.0,
            "seed {seed}: {}",
            lw.intensity
        );
        let err_lw = lw.covariance.frobenius_distance(&sigma).unwrap();
        let err_s = sample_cov(&rows).frobenius_distance(&sigma).unwrap();
        ratios.push(err_lw / err_s);
        assert!(err_lw < err_s, "seed {seed}: LW {err_lw} vs sample {err_s}");
        // And S* is invertible even though S (n − 1 = 24 > p = 20) is badly conditioned.
        lw.covariance.cholesky("shrunk").unwrap();
    }
    let mean_ratio = ratios.iter().sum::<f64>() / ratios.len() as f64;
    println!("LW / sample Frobenius error, p = {p}, n = {n}: mean ratio {mean_ratio:.3}");
    assert!(mean_ratio < 0.9, "{ratios:?}");
}

#[test]
fn shrinkage_intensity_falls_as_the_sample_grows() {
    // δ* → 0 as n/p grows (the sample covariance becomes consistent): check it is smaller
    // with 400 observations than with 25 for every seed.
    let sigma = truth(10);
    for seed in 0..5 {
        let small = ledoit_wolf(&draw(&sigma, 25, seed), Mean::Estimate).unwrap();
        let large = ledoit_wolf(&draw(&sigma, 400, 100 + seed), Mean::Estimate).unwrap();
        assert!(
            large.intensity < small.intensity,
            "seed {seed}: {} vs {}",
            large.intensity,
            small.intensity
        );
    }
}

fn garch(omega: f64, alpha: f64, beta: f64) -> GarchParams {
    GarchParams {
        omega,
        alpha,
        beta,
        ..GarchParams::default()
    }
}

/// Simulated DCC(1,1) with a = 0.05, b = 0.90 (Engle's 2002 estimates are of this size),
/// three assets, T = 2000. The tolerance is 4 reported standard errors (plus a floor for the
/// first-step error the second-step errors leave out), checked on three seeds.
#[test]
fn dcc_recovers_a_and_b_of_simulated_data() {
    let qbar = Matrix::from_rows(&[
        vec![1.0, 0.5, 0.3],
        vec![0.5, 1.0, 0.4],
        vec![0.3, 0.4, 1.0],
    ])
    .unwrap();
    let g = [
        garch(0.05, 0.08, 0.9),
        garch(0.1, 0.05, 0.9),
        garch(0.02, 0.1, 0.85),
    ];
    let truth = DccParams { a: 0.05, b: 0.9 };
    for seed in [1, 2, 3] {
        let sim = Dcc::simulate(&g, &qbar, truth, 2000, 500, seed).unwrap();
        let fit = Dcc::default().fit(&sim.returns).unwrap();
        let se = fit
            .std_err
            .expect("an interior estimate has standard errors");
        println!(
            "seed {seed}: a = {:.4} ({:.4}), b = {:.4} ({:.4}), converged {}",
            fit.params.a, se[0], fit.params.b, se[1], fit.converged
        );
        assert!(fit.converged);
        assert!(
            (fit.params.a - truth.a).abs() < 4.0 * se[0] + 0.01,
            "seed {seed}: a {} (se {})",
            fit.params.a,
            se[0]
        );
        assert!(
            (fit.params.b - truth.b).abs() < 4.0 * se[1] + 0.02,
            "seed {seed}: b {} (se {})",
            fit.params.b,
            se[1]
        );
        // The second-step errors are of the size asymptotic theory gives for T = 2000.
        assert!(se[0] < 0.02 && se[1] < 0.06, "{se:?}");
        let f = fit.forecast().unwrap();
        f.correlation.cholesky("forecast R").unwrap();
        for i in 0..3 {
            assert!((f.correlation.get(i, i) - 1.0).abs() < 1e-12);
            let h_ii = f.covariance.get(i, i);
            assert!((h_ii - f.volatility[i].powi(2)).abs() < 1e-12 * h_ii);
        }
        // In-sample correlations track the true ones.
        let est = fit.correlations();
        let mean_abs_err: f64 = est
            .iter()
            .zip(&sim.correlations)
            .map(|(e, t)| (e.get(0, 1) - t.get(0, 1)).abs())
            .sum::<f64>()
            / est.len() as f64;
        assert!(mean_abs_err < 0.1, "seed {seed}: {mean_abs_err}");
    }
}

#[test]
fn identical_series_give_a_singular_q_bar_error() {
    let g = garch(0.05, 0.08, 0.9);
    let sim = Dcc::simulate(
        &[g, g],
        &Matrix::identity(2),
        DccParams { a: 0.02, b: 0.9 },
        300,
        100,
        9,
    )
    .unwrap();
    let rows: Vec<Vec<f64>> = sim.returns.iter().map(|r| vec![r[0], r[0]]).collect();
    let err = Dcc::default().fit(&rows).unwrap_err();
    assert!(
        matches!(err, Error::NotPositiveDefinite { pivot: 1, .. }),
        "{err}"
    );
}
