//! Tests of the parameters and the sampler against closed forms and the time-rescaling theorem.

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::*;
use crate::Error;

fn params(mu: &[f64], alpha: &[&[f64]], beta: &[&[f64]]) -> HawkesParams {
    HawkesParams::new(
        mu.to_vec(),
        alpha.iter().map(|r| r.to_vec()).collect(),
        beta.iter().map(|r| r.to_vec()).collect(),
    )
    .expect("test parameters are valid")
}

fn err_what(r: crate::Result<HawkesParams>) -> String {
    match r {
        Err(Error::InvalidParameter { what, .. }) => what,
        other => panic!("expected InvalidParameter, got {other:?}"),
    }
}

#[test]
fn invalid_parameters_are_rejected_naming_the_entry() {
    let ok_b = || vec![vec![1.0, 1.0], vec![1.0, 1.0]];
    let ok_a = || vec![vec![0.1, 0.1], vec![0.1, 0.1]];
    assert_eq!(
        err_what(HawkesParams::new(vec![], vec![], vec![])),
        "hawkes.mu"
    );
    assert_eq!(
        err_what(HawkesParams::new(vec![1.0, 0.0], ok_a(), ok_b())),
        "hawkes.mu[1]"
    );
    assert_eq!(
        err_what(HawkesParams::new(vec![1.0, f64::NAN], ok_a(), ok_b())),
        "hawkes.mu[1]"
    );
    let mut a = ok_a();
    a[1][0] = -0.1;
    assert_eq!(
        err_what(HawkesParams::new(vec![1.0, 1.0], a, ok_b())),
        "hawkes.alpha[1][0]"
    );
    let mut b = ok_b();
    b[0][1] = 0.0;
    assert_eq!(
        err_what(HawkesParams::new(vec![1.0, 1.0], ok_a(), b)),
        "hawkes.beta[0][1]"
    );
    assert_eq!(
        err_what(HawkesParams::new(
            vec![1.0, 1.0],
            vec![vec![0.1, 0.1]],
            ok_b()
        )),
        "hawkes.alpha"
    );
    assert_eq!(
        err_what(HawkesParams::new(
            vec![1.0, 1.0],
            ok_a(),
            vec![vec![1.0], vec![1.0, 1.0]]
        )),
        "hawkes.beta[0]"
    );
    // G = [[0.5, 0.5], [0.5, 0.5]] has ρ = 1 exactly: not stationary.
    let a = vec![vec![0.5, 0.5], vec![0.5, 0.5]];
    assert_eq!(
        err_what(HawkesParams::new(vec![1.0, 1.0], a, ok_b())),
        "hawkes.alpha/beta"
    );
    // Self-excitation α/β = 1.2 alone is explosive.
    assert!(HawkesParams::new(vec![1.0], vec![vec![1.2]], vec![vec![1.0]]).is_err());
}

#[test]
fn spectral_radius_matches_closed_forms() {
    // 2×2: eigenvalues of [[a, b], [c, d]] are roots of x² − (a+d)x + (ad − bc).
    let g = [0.3, 0.2, 0.1, 0.3];
    let rho = 0.3 + (0.02_f64).sqrt();
    assert!((spectral_radius_nonneg(&g, 2) - rho).abs() < 1e-15);
    // Rank one u vᵀ has the single non-zero eigenvalue v·u.
    let u = [0.1, 0.4, 0.2, 0.3];
    let v = [0.5, 0.25, 1.0, 0.125];
    let g: Vec<f64> = (0..16).map(|k| u[k / 4] * v[k % 4]).collect();
    let vu: f64 = u.iter().zip(&v).map(|(a, b)| a * b).sum();
    assert!((spectral_radius_nonneg(&g, 4) - vu).abs() < 1e-12, "{vu}");
    // A weighted 3-cycle is periodic (eigenvalues c·e^{2πik/3}); power iteration on G alone
    // would not converge, on G + I it does, to c.
    let c = 0.7;
    let g = [0.0, c, 0.0, 0.0, 0.0, c, c, 0.0, 0.0];
    assert!((spectral_radius_nonneg(&g, 3) - c).abs() < 1e-10);
    // Reducible block-diagonal: the larger block's radius.
    let g = [0.5, 0.0, 0.0, 0.0, 0.2, 0.1, 0.0, 0.1, 0.2];
    assert!((spectral_radius_nonneg(&g, 3) - 0.5).abs() < 1e-12);
}

#[test]
fn subcriticality_test_agrees_with_the_spectral_radius() {
    use rand::RngExt;
    let mut rng = StdRng::seed_from_u64(11);
    let mut seen = [0usize; 2];
    for _ in 0..2000 {
        let d = rng.random_range(1..6usize);
        let scale = rng.random_range(0.0..0.7);
        let g: Vec<f64> = (0..d * d).map(|_| rng.random::<f64>() * scale).collect();
        let rho = spectral_radius_nonneg(&g, d);
        if (rho - 1.0).abs() < 1e-6 {
            continue;
        }
        assert_eq!(
            params::is_subcritical(&g, d),
            rho < 1.0,
            "d={d} rho={rho} g={g:?}"
        );
        seen[usize::from(rho < 1.0)] += 1;
    }
    assert!(
        seen[0] > 100 && seen[1] > 100,
        "both cases exercised: {seen:?}"
    );
}

#[test]
fn stationary_rates_solve_the_linear_system() {
    let p = params(&[1.0], &[&[0.5]], &[&[2.0]]);
    assert!((p.stationary_rates()[0] - 1.0 / 0.75).abs() < 1e-14);
    // G = [[0.3, 0.2], [0.1, 0.3]], μ = (0.5, 0.8): (I − G)⁻¹ = [[0.7, 0.2], [0.1, 0.7]] / 0.47.
    let p = params(
        &[0.5, 0.8],
        &[&[0.6, 0.4], &[0.3, 0.9]],
        &[&[2.0, 2.0], &[3.0, 3.0]],
    );
    let lam = p.stationary_rates();
    assert!((lam[0] - 0.51 / 0.47).abs() < 1e-14, "{lam:?}");
    assert!((lam[1] - 0.61 / 0.47).abs() < 1e-14, "{lam:?}");
    assert!((p.branching_ratio() - (0.3 + 0.02_f64.sqrt())).abs() < 1e-15);
}

#[test]
fn params_round_trip_through_serde_with_validation() {
    let p = params(
        &[0.5, 0.8],
        &[&[0.6, 0.4], &[0.3, 0.9]],
        &[&[2.0, 2.5], &[3.0, 3.5]],
    );
    let json = serde_json::to_string(&p).unwrap();
    let back: HawkesParams = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
    assert_eq!(back.beta(0, 1), 2.5);
    let bad = r#"{"mu":[1.0],"alpha":[[2.0]],"beta":[[1.0]]}"#;
    let e = serde_json::from_str::<HawkesParams>(bad)
        .unwrap_err()
        .to_string();
    assert!(e.contains("spectral radius"), "{e}");
}

/// Direct O(N) evaluation of λ_i just after the last event at or before `t` (inclusive).
fn direct_intensity(p: &HawkesParams, events: &[(f64, usize)], i: usize, t: f64) -> f64 {
    let mut l = p.mu()[i];
    for &(s, j) in events.iter().take_while(|e| e.0 <= t) {
        l += p.alpha(i, j) * (-p.beta(i, j) * (t - s)).exp();
    }
    l
}

#[test]
fn sampler_intensity_matches_the_direct_sum_over_history() {
    let p = params(
        &[0.5, 0.8],
        &[&[0.6, 0.4], &[0.3, 0.9]],
        &[&[2.0, 1.0], &[3.0, 4.0]],
    );
    let mut s = HawkesSampler::new(p.clone(), 10.0);
    let mut rng = StdRng::seed_from_u64(3);
    let mut events = Vec::new();
    for _ in 0..300 {
        let (t, k) = s.next_event(&mut rng);
        assert!(
            events
                .last()
                .is_none_or(|&(prev, _): &(f64, usize)| t > prev)
                && t > 10.0
        );
        assert_eq!(s.now(), t);
        events.push((t, k));
        for i in 0..2 {
            let want = direct_intensity(&p, &events, i, t);
            assert!(
                (s.intensity(i) - want).abs() < 1e-9 * want,
                "{} vs {want}",
                s.intensity(i)
            );
        }
    }
    assert!(events.iter().any(|e| e.1 == 0) && events.iter().any(|e| e.1 == 1));
}

/// E N(T) for a 1-D exponential Hawkes process started empty at 0: E λ(t) solves
/// m' = −(β − α) m + βμ with m(0) = μ, so with n = α/β and κ = β − α,
/// E N(T) = μT/(1 − n) − μ n (1 − e^{−κT}) / ((1 − n) κ).
fn expected_count_1d(mu: f64, alpha: f64, beta: f64, t: f64) -> f64 {
    let n = alpha / beta;
    let kappa = beta - alpha;
    mu * t / (1.0 - n) - mu * n * (1.0 - (-kappa * t).exp()) / ((1.0 - n) * kappa)
}

#[test]
fn one_dimensional_mean_count_matches_the_closed_form() {
    // Per case: 200 independent seeds; the mean count's standard error is estimated from the
    // seeds' spread. Counts over T are sums of many weakly dependent clusters, so the CLT
    // applies; |z| < 4 fails with probability 6e-5 per case if the sampler is exact, while a
    // biased sampler (e.g. one ignoring the excitation, or off by one α) misses by > 10 se.
    for (case, &(mu, alpha, beta, t)) in [
        (1.0, 0.5, 1.0, 200.0),
        (0.3, 2.4, 3.0, 400.0),
        (5.0, 0.1, 10.0, 40.0),
    ]
    .iter()
    .enumerate()
    {
        let p = params(&[mu], &[&[alpha]], &[&[beta]]);
        let seeds = 200;
        let counts: Vec<f64> = (0..seeds)
            .map(|s| {
                simulate(&p, t, &mut StdRng::seed_from_u64(1000 * case as u64 + s)).len() as f64
            })
            .collect();
        let mean = counts.iter().sum::<f64>() / seeds as f64;
        let var = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (seeds - 1) as f64;
        let se = (var / seeds as f64).sqrt();
        let want = expected_count_1d(mu, alpha, beta, t);
        let z = (mean - want) / se;
        assert!(
            z.abs() < 4.0,
            "case {case}: mean {mean} vs {want}, se {se}, z {z}"
        );
        // The variance of N(T) approaches μT/(1 − n)³ (Hawkes 1971); check it is the right
        // order (within a factor 1.6: the sample variance of 200 draws is within ±30% w.h.p.
        // and the finite-T correction is O(1/(κT))).
        let var_theory = mu * t / (1.0 - alpha / beta).powi(3);
        assert!(
            var / var_theory > 0.6 && var / var_theory < 1.6,
            "case {case}: var {var} vs {var_theory}"
        );
    }
}

#[test]
fn multivariate_stationary_rates_match_the_inverse_of_i_minus_g() {
    // Counts in (burn, burn + T] after a burn-in of 50 s (the transient decays like
    // e^{−(1−ρ) β_min t} ≈ e^{−56}), over 40 seeds; |z| < 4 per dimension.
    let p = params(
        &[0.5, 0.8],
        &[&[0.6, 0.4], &[0.3, 0.9]],
        &[&[2.0, 2.0], &[3.0, 3.0]],
    );
    let want = [0.51 / 0.47, 0.61 / 0.47];
    let (burn, t) = (50.0, 500.0);
    let seeds = 40;
    let mut rates = vec![[0.0; 2]; seeds];
    for (s, r) in rates.iter_mut().enumerate() {
        let ev = simulate(&p, burn + t, &mut StdRng::seed_from_u64(77 + s as u64));
        for &(time, k) in &ev {
            if time > burn {
                r[k] += 1.0 / t;
            }
        }
    }
    for i in 0..2 {
        let mean = rates.iter().map(|r| r[i]).sum::<f64>() / seeds as f64;
        let var = rates.iter().map(|r| (r[i] - mean).powi(2)).sum::<f64>() / (seeds - 1) as f64;
        let se = (var / seeds as f64).sqrt();
        let z = (mean - want[i]) / se;
        assert!(z.abs() < 4.0, "dim {i}: {mean} vs {}, se {se}", want[i]);
    }
}

/// The compensator increments Λ_i(t_k^i) − Λ_i(t_{k−1}^i) between consecutive type-i events,
/// computed directly (O(N²)) from Λ_i(t) = μ_i t + Σ_{t_k^j < t} (α_ij/β_ij)(1 − e^{−β_ij (t − t_k^j)}).
fn compensator_increments(p: &HawkesParams, events: &[(f64, usize)]) -> Vec<f64> {
    let big_lambda = |i: usize, t: f64| -> f64 {
        let mut v = p.mu()[i] * t;
        for &(s, j) in events.iter().take_while(|e| e.0 < t) {
            v += p.alpha(i, j) / p.beta(i, j) * (1.0 - (-p.beta(i, j) * (t - s)).exp());
        }
        v
    };
    let mut out = Vec::new();
    for i in 0..p.dim() {
        let mut prev = 0.0;
        for &(t, _) in events.iter().filter(|e| e.1 == i) {
            let now = big_lambda(i, t);
            out.push(now - prev);
            prev = now;
        }
    }
    out
}

/// The Kolmogorov–Smirnov statistic of a sample against the Exp(1) distribution.
fn ks_exp1(mut x: Vec<f64>) -> f64 {
    x.sort_by(f64::total_cmp);
    let n = x.len() as f64;
    let mut d: f64 = 0.0;
    for (k, &v) in x.iter().enumerate() {
        let f = 1.0 - (-v).exp();
        d = d.max((k as f64 + 1.0) / n - f).max(f - k as f64 / n);
    }
    d
}

#[test]
fn time_rescaled_interarrivals_are_unit_exponential() {
    // Time-rescaling theorem (Brown et al. 2002; Daley & Vere-Jones 2003, thm 7.4.I): under the
    // true model, each Λ_i-transformed type-i event stream is a unit Poisson process, so the
    // increments are i.i.d. Exp(1). KS at the 0.1% level: √n·D < 1.95 (asymptotic Kolmogorov
    // quantile). Four seeds; the check must also reject a wrong model (a Poisson process with
    // the same mean rates) on the same data, showing it has power.
    let p = params(
        &[0.4, 0.6],
        &[&[1.2, 0.5], &[0.8, 1.5]],
        &[&[3.0, 2.0], &[4.0, 3.5]],
    );
    let lam = p.stationary_rates();
    let poisson = params(
        &lam,
        &[&[0.0, 0.0], &[0.0, 0.0]],
        &[&[1.0, 1.0], &[1.0, 1.0]],
    );
    for seed in 0..4 {
        let ev = simulate(&p, 600.0, &mut StdRng::seed_from_u64(500 + seed));
        assert!(ev.len() > 500, "{}", ev.len());
        let inc = compensator_increments(&p, &ev);
        let n = inc.len() as f64;
        let d = ks_exp1(inc);
        assert!(
            n.sqrt() * d < 1.95,
            "seed {seed}: sqrt(n) D = {}",
            n.sqrt() * d
        );
        let wrong = ks_exp1(compensator_increments(&poisson, &ev));
        assert!(
            n.sqrt() * wrong > 1.95,
            "seed {seed}: Poisson not rejected, {}",
            n.sqrt() * wrong
        );
    }
}

#[test]
fn simulate_is_deterministic_and_respects_the_horizon() {
    let p = params(
        &[0.5, 0.8],
        &[&[0.6, 0.4], &[0.3, 0.9]],
        &[&[2.0, 2.0], &[3.0, 3.0]],
    );
    let a = simulate(&p, 50.0, &mut StdRng::seed_from_u64(9));
    let b = simulate(&p, 50.0, &mut StdRng::seed_from_u64(9));
    assert_eq!(a, b);
    assert!(a.iter().all(|&(t, k)| t > 0.0 && t <= 50.0 && k < 2));
    assert!(simulate(&p, f64::NAN, &mut StdRng::seed_from_u64(9)).is_empty());
    assert!(simulate(&p, -1.0, &mut StdRng::seed_from_u64(9)).is_empty());
}

/// ℓ by direct O(N²) summation over all earlier events (list order breaks ties).
fn direct_log_likelihood(p: &HawkesParams, events: &[(f64, usize)], t_end: f64) -> f64 {
    let mut ll = 0.0;
    for (k, &(t, i)) in events.iter().enumerate() {
        let mut lam = p.mu()[i];
        for &(s, j) in &events[..k] {
            lam += p.alpha(i, j) * (-p.beta(i, j) * (t - s)).exp();
        }
        ll += lam.ln();
    }
    for i in 0..p.dim() {
        ll -= p.mu()[i] * t_end;
        for &(s, j) in events {
            ll -= p.alpha(i, j) / p.beta(i, j) * (1.0 - (-p.beta(i, j) * (t_end - s)).exp());
        }
    }
    ll
}

#[test]
fn log_likelihood_recursion_equals_the_direct_double_sum() {
    let p = params(
        &[0.4, 0.6, 0.2],
        &[&[1.2, 0.5, 0.1], &[0.8, 1.5, 0.0], &[0.3, 0.3, 0.9]],
        &[&[3.0, 2.0, 1.0], &[4.0, 3.5, 1.0], &[2.0, 5.0, 1.5]],
    );
    let mut ev = simulate(&p, 300.0, &mut StdRng::seed_from_u64(21));
    // A tie (equal times, as clock-rounded data has) and an event exactly at t_end.
    let (t5, _) = ev[5];
    ev.insert(6, (t5, 2));
    ev.push((300.0, 1));
    let fast = log_likelihood(&p, &ev, 300.0).unwrap();
    let slow = direct_log_likelihood(&p, &ev, 300.0);
    assert!((fast - slow).abs() < 1e-9 * slow.abs(), "{fast} vs {slow}");
    // Poisson (α = 0): ℓ = Σ_i N_i ln μ_i − μ_i T exactly.
    let poisson = params(&[2.0], &[&[0.0]], &[&[1.0]]);
    let ev = [(0.5, 0), (1.0, 0), (2.5, 0)];
    let want = 3.0 * 2.0_f64.ln() - 2.0 * 4.0;
    assert!((log_likelihood(&poisson, &ev, 4.0).unwrap() - want).abs() < 1e-14);
    // No events at all: ℓ = −Σ μ_i T.
    assert!((log_likelihood(&poisson, &[], 4.0).unwrap() + 8.0).abs() < 1e-14);
}

#[test]
fn log_likelihood_gradient_matches_central_differences() {
    let p = params(
        &[0.4, 0.6],
        &[&[1.2, 0.5], &[0.8, 1.5]],
        &[&[3.0, 2.0], &[4.0, 3.5]],
    );
    let ev = simulate(&p, 200.0, &mut StdRng::seed_from_u64(4));
    let t_end = 200.0;
    let (mu, a, b) = (
        p.mu().to_vec(),
        p.alpha_flat().to_vec(),
        p.beta_flat().to_vec(),
    );
    let mut w = likelihood::Workspace::new(2);
    w.evaluate(&ev, t_end, &mu, &a, &b, true);
    let (gm, ga, gb) = (w.g_mu.clone(), w.g_alpha.clone(), w.g_beta.clone());
    let h = 1e-6;
    let mut ll = |mu: &[f64], a: &[f64], b: &[f64]| w.evaluate(&ev, t_end, mu, a, b, false);
    let close = |num: f64, ana: f64| (num - ana).abs() < 1e-5 * (1.0 + ana.abs());
    for i in 0..2 {
        let (mut up, mut dn) = (mu.clone(), mu.clone());
        up[i] += h;
        dn[i] -= h;
        let num = (ll(&up, &a, &b) - ll(&dn, &a, &b)) / (2.0 * h);
        assert!(close(num, gm[i]), "mu[{i}]: {num} vs {}", gm[i]);
    }
    for k in 0..4 {
        let (mut up, mut dn) = (a.clone(), a.clone());
        up[k] += h;
        dn[k] -= h;
        let num = (ll(&mu, &up, &b) - ll(&mu, &dn, &b)) / (2.0 * h);
        assert!(close(num, ga[k]), "alpha[{k}]: {num} vs {}", ga[k]);
        let (mut up, mut dn) = (b.clone(), b.clone());
        up[k] += h;
        dn[k] -= h;
        let num = (ll(&mu, &a, &up) - ll(&mu, &a, &dn)) / (2.0 * h);
        assert!(close(num, gb[k]), "beta[{k}]: {num} vs {}", gb[k]);
    }
}

#[test]
fn log_likelihood_rejects_bad_event_lists() {
    let p = params(
        &[1.0, 1.0],
        &[&[0.1, 0.1], &[0.1, 0.1]],
        &[&[1.0, 1.0], &[1.0, 1.0]],
    );
    let what = |ev: &[(f64, usize)], t: f64| match log_likelihood(&p, ev, t) {
        Err(Error::InvalidParameter { what, .. }) => what,
        other => panic!("expected an error, got {other:?}"),
    };
    assert_eq!(what(&[(1.0, 0), (0.5, 1)], 2.0), "events[1].time");
    assert_eq!(what(&[(1.0, 0), (3.0, 1)], 2.0), "events[1].time");
    assert_eq!(what(&[(-1.0, 0)], 2.0), "events[0].time");
    assert_eq!(what(&[(f64::NAN, 0)], 2.0), "events[0].time");
    assert_eq!(what(&[(1.0, 2)], 2.0), "events[0].dim");
    assert_eq!(what(&[], 0.0), "t_end");
    assert_eq!(what(&[], f64::INFINITY), "t_end");
}

#[test]
fn fit_rejects_unusable_inputs() {
    let what = |r: crate::Result<HawkesFit>| match r {
        Err(Error::InvalidParameter { what, .. }) => what,
        other => panic!("expected an error, got {other:?}"),
    };
    let ev = [(1.0, 0), (2.0, 0)];
    assert_eq!(what(fit(&ev, 0, 3.0, &FitOptions::default())), "dim");
    assert_eq!(what(fit(&ev, 2, 3.0, &FitOptions::default())), "events");
    let zero = FitOptions {
        starts: 0,
        ..FitOptions::default()
    };
    assert_eq!(what(fit(&ev, 1, 3.0, &zero)), "fit.starts");
    assert_eq!(
        what(fit(&[(2.0, 0), (1.0, 0)], 1, 3.0, &FitOptions::default())),
        "events[1].time"
    );
}

#[test]
fn fit_of_a_poisson_sample_finds_the_closed_form_rate() {
    // For α → 0 the MLE of μ is N/T; a Hawkes fit of Poisson data must reach (nearly) the
    // Poisson likelihood, which is its supremum when the data show no clustering.
    let p = params(&[3.0], &[&[0.0]], &[&[1.0]]);
    let ev = simulate(&p, 500.0, &mut StdRng::seed_from_u64(8));
    let n = ev.len() as f64;
    let f = fit(&ev, 1, 500.0, &FitOptions::default()).unwrap();
    let poisson_ll = n * (n / 500.0).ln() - n;
    assert!(
        f.log_likelihood >= poisson_ll - 1e-3,
        "{} < {poisson_ll}",
        f.log_likelihood
    );
    let lam = f.mu[0] / (1.0 - f.alpha[0][0] / f.beta[0][0]);
    assert!(
        (lam - n / 500.0).abs() < 0.02 * n / 500.0,
        "{lam} vs {}",
        n / 500.0
    );
}
