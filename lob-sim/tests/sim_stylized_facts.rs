//! Stylized facts of the simulated markets, with fixed seeds (three per check) and
//! tolerances from the sampling theory of the statistics:
//! - under a normal law the excess kurtosis of n returns has standard error √(24/n); fat
//!   tails must clear six of them;
//! - under no autocorrelation a sample autocorrelation has standard error 1/√n; returns at
//!   a 10 s horizon (beyond the mid's bid-ask bounce, which makes 1 s returns negatively
//!   autocorrelated at lags 1–2) must stay within 4/√n. This holds for the zero-intelligence
//!   and queue-reactive markets; the agent market is mean-reverting at that horizon (its
//!   maker's transient impact kernel decays while the noise flow is uncorrelated, the
//!   imbalance Bouchaud et al. 2004 resolve with long-memory order signs, not modelled here),
//!   so it is left out of that check and the `simulate` example reports its autocorrelation;
//! - in the Hawkes market, |returns| must be autocorrelated (volatility clustering): at 1 s
//!   returns, every lag from 1 to 10 positive, the mean over lags 1–5 above 4/√n and the
//!   mean over lags 6–10 still above 2/√n (slow decay: the market-order kernel's time scale
//!   is 1/(β(1 − n)) ≈ 330 s);
//! - metaorder impact in the agent-based market must be concave with a fitted exponent in
//!   [0.35, 0.65] (the square-root law, Tóth et al. 2011) and leave a positive permanent part.
//!
//! Sessions are scaled down so the binary stays fast in a debug build; the `simulate`
//! example reports the same statistics on hour-long sessions.

use shortfall_core::{BookView, Ts};
use shortfall_lob_sim::sim::impact::{MetaorderSpec, measure_impact};
use shortfall_lob_sim::sim::{FlowModel, SimConfig, SimMarket, stats};

fn market(model: FlowModel, seed: u64) -> SimMarket {
    let mut config = SimConfig {
        seed,
        ..SimConfig::default()
    };
    config.flow.model = model;
    let mut market = config.build().expect("default config is valid");
    market.run_until(config.warmup_length());
    market
}

/// Mids sampled every `step_s` seconds for `n` steps (the last mid carried over an empty
/// side).
fn mids(market: &mut SimMarket, step_s: i64, n: usize) -> Vec<f64> {
    let start = market.now();
    let mut last = market
        .book()
        .mid()
        .expect("the warmed-up book is two-sided");
    let mut out = Vec::with_capacity(n + 1);
    out.push(last);
    for k in 1..=n as i64 {
        market.run_until(Ts(start.0 + k * Ts::from_secs(step_s).0));
        last = market.book().mid().unwrap_or(last);
        out.push(last);
    }
    out
}

#[test]
fn short_horizon_returns_are_fat_tailed() {
    for model in [
        FlowModel::Zi,
        FlowModel::Qr,
        FlowModel::Abides,
        FlowModel::Hawkes,
    ] {
        for seed in [1, 2, 3] {
            let mut m = market(model, seed);
            let r = stats::log_returns(&mids(&mut m, 1, 2_000)).unwrap();
            let k = stats::excess_kurtosis(&r);
            let se = (24.0 / r.len() as f64).sqrt();
            assert!(
                k > 6.0 * se,
                "{model:?} seed {seed}: excess kurtosis {k:.3}, 6 s.e. = {:.3}",
                6.0 * se
            );
        }
    }
}

#[test]
fn ten_second_returns_have_no_linear_autocorrelation() {
    for model in [FlowModel::Zi, FlowModel::Qr, FlowModel::Hawkes] {
        for seed in [1, 2, 3] {
            let mut m = market(model, seed);
            let r = stats::log_returns(&mids(&mut m, 10, 400)).unwrap();
            let band = 4.0 / (r.len() as f64).sqrt();
            for lag in 1..=3 {
                let acf = stats::autocorrelation(&r, lag);
                assert!(
                    acf.abs() < band,
                    "{model:?} seed {seed} lag {lag}: acf {acf:.3}, band {band:.3}"
                );
            }
        }
    }
}

#[test]
fn hawkes_market_shows_slowly_decaying_volatility_clustering() {
    for seed in [1, 2, 3] {
        let mut m = market(FlowModel::Hawkes, seed);
        let r = stats::log_returns(&mids(&mut m, 1, 4_000)).unwrap();
        let band = 1.0 / (r.len() as f64).sqrt();
        let acf = stats::abs_autocorrelations(&r, 10);
        assert!(acf.iter().all(|&a| a > 0.0), "seed {seed}: |r| acf {acf:?}");
        let early = acf[..5].iter().sum::<f64>() / 5.0;
        let late = acf[5..].iter().sum::<f64>() / 5.0;
        assert!(
            early > 4.0 * band,
            "seed {seed}: lags 1-5 mean {early:.3}, band {band:.3}"
        );
        assert!(
            late > 2.0 * band,
            "seed {seed}: lags 6-10 mean {late:.3}, band {band:.3}"
        );
    }
}

#[test]
fn agent_market_metaorder_impact_is_square_root_and_partly_permanent() {
    for seed in [1, 2, 3] {
        let mut m = market(FlowModel::Abides, seed);
        let spec = MetaorderSpec {
            sizes_lots: vec![10, 40, 160],
            runs: 60,
            seed,
            ..MetaorderSpec::default()
        };
        let curve = measure_impact(&mut m, &spec, |_, _| {}).unwrap();
        let fit = curve.fit.expect("every mean impact is positive");
        assert!(
            (0.35..=0.65).contains(&fit.exponent),
            "seed {seed}: δ = {:.3} ± {:.3}",
            fit.exponent,
            fit.exponent_se
        );
        // Increasing but far from linear: a 16 times larger metaorder moves the price less
        // than 16^0.65 ≈ 6 times as far.
        let p = &curve.points;
        let ratio = p[2].mean_peak_ticks / p[0].mean_peak_ticks;
        assert!(
            ratio > 1.0 && ratio < 16f64.powf(0.65),
            "seed {seed}: ratio {ratio:.2}"
        );
        // Permanent: pooled over sizes, the mid after relaxation is still displaced in the
        // metaorder's direction by more than 3 standard errors.
        let mean: f64 = p.iter().map(|x| x.mean_permanent_ticks).sum::<f64>() / p.len() as f64;
        let se = p
            .iter()
            .map(|x| x.se_permanent_ticks.powi(2))
            .sum::<f64>()
            .sqrt()
            / p.len() as f64;
        assert!(
            mean > 3.0 * se,
            "seed {seed}: permanent impact {mean:.2} ± {se:.2} ticks"
        );
    }
}
