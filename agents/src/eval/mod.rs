//! The evaluation harness: every policy on the same held-out seeds, paired statistics,
//! and the report.
//!
//! [`evaluate`] runs each policy for one episode per seed on any execution environment
//! (an [`Env`] observing [`ExecState`], acting on [`ExecAction`], reporting [`ExecInfo`]).
//! Environments that draw their randomness from the seed alone give every policy the same
//! market on the same seed, so differences between policies are paired.
//!
//! Per episode ([`EpisodeOutcome`]), in bps of the arrival notional (parent quantity ×
//! arrival mid): implementation shortfall against the arrival mid, the environment's
//! market-impact and spread costs, the timing cost (the rest), completion and time to
//! fill. Per policy ([`PolicySummary`], [`PolicyDetail`]): mean shortfall with its standard
//! error and a seeded percentile-bootstrap 95 % interval, timing risk (the standard
//! deviation of shortfall), mean impact, completion and adaptability. Between every pair
//! ([`PairedTest`]): the Wilcoxon signed-rank test on the per-seed shortfall differences,
//! with Benjamini–Hochberg adjustment over all pairs.
//!
//! **Adaptability** is the mean shortfall on the volatile half of the seeds minus that on
//! the calm half, in bps (lower is better; 0: the policy's cost does not depend on the
//! market's mood). A seed's volatility is the median, over policies, of the realised
//! standard deviation of the per-step mid change (in bps of the mid) in that seed's
//! episode, so all policies share one split; seeds above the median volatility are
//! volatile. For schedules that ignore prices in the Almgren–Chriss world its expectation is
//! 0 (the expected cost does not depend on `σ`), so there it measures noise; it becomes
//! informative where the market's volatility changes and policies react to it.

mod plot;
mod report;
pub mod stats;

use serde::Serialize;
use shortfall_core::exec::{ExecAction, ExecInfo, ExecState};
use shortfall_core::{Env, Policy};
use std::borrow::Borrow;

use crate::error::{Error, Result};

/// An execution policy as the harness holds it.
pub type ExecPolicy = dyn Policy<Obs = ExecState, Action = ExecAction> + Send;

/// How to evaluate.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalConfig {
    /// Episodes per policy (≥ 2).
    pub episodes: usize,
    /// Seed from which the episode seeds and bootstrap seeds derive.
    pub seed: u64,
    /// Bootstrap resamples for the confidence intervals (default 2000).
    pub bootstrap_resamples: usize,
}

impl EvalConfig {
    /// `episodes` episodes from `seed`, 2000 bootstrap resamples.
    pub fn new(episodes: usize, seed: u64) -> Self {
        EvalConfig {
            episodes,
            seed,
            bootstrap_resamples: 2000,
        }
    }

    /// The held-out episode seeds: a SplitMix64 stream (Steele, Lea & Flood 2014) started
    /// from `seed` mixed with a fixed evaluation salt, so they do not coincide with the
    /// small consecutive seeds training loops typically use.
    pub fn seeds(&self) -> Vec<u64> {
        let mut state = self.seed ^ 0x00E7_A15E_ED0F_5EED;
        (0..self.episodes).map(|_| splitmix64(&mut state)).collect()
    }
}

/// One step of SplitMix64.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What one episode of one policy produced.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EpisodeOutcome {
    /// The episode's seed.
    pub seed: u64,
    /// Implementation shortfall against the arrival mid, bps of arrival notional.
    pub is_bps: f64,
    /// Market-impact cost, bps.
    pub impact_bps: f64,
    /// Spread cost, bps.
    pub spread_bps: f64,
    /// Timing cost: shortfall minus impact and spread, bps.
    pub timing_bps: f64,
    /// Executed share of the parent.
    pub completion: f64,
    /// Steps until the parent was complete as a share of the horizon, when it was.
    pub time_to_fill: Option<f64>,
    /// Remaining share of the parent before each decision and at the end (`steps + 1`
    /// values; after an early finish the last value repeats).
    pub inventory: Vec<f64>,
    /// Realised standard deviation of the per-step mid change, bps of the mid.
    pub realised_vol_bps: f64,
}

/// Runs one episode of `policy` on `env` with `seed`.
///
/// # Errors
/// [`Error::Env`] when the environment fails (including invalid actions);
/// [`Error::Contract`] when the episode runs past the horizon or a state is invalid.
pub fn run_episode<E, P>(env: &mut E, policy: &mut P, seed: u64) -> Result<EpisodeOutcome>
where
    E: Env<Obs = ExecState, Action = ExecAction> + ?Sized,
    E::Info: Borrow<ExecInfo>,
    P: Policy<Obs = ExecState, Action = ExecAction> + ?Sized,
{
    let name = policy.name().to_owned();
    let env_err = |e: E::Error| Error::Env {
        policy: name.clone(),
        seed,
        reason: e.to_string(),
    };
    let (mut state, info) = env.reset(seed).map_err(env_err)?;
    let mut info: ExecInfo = *info.borrow();
    policy.reset();
    let parent = state.parent;
    let steps = parent.steps() as usize;
    let quantity = parent.quantity().0 as f64;
    let arrival = state.arrival_price;
    let mut inventory = Vec::with_capacity(steps + 1);
    inventory.push(state.inventory_remaining());
    let mut returns = Vec::with_capacity(steps);
    let mut done = false;
    for _ in 0..steps {
        let action = policy.act(&state);
        let step = env.step(&action).map_err(env_err)?;
        info = *step.info.borrow();
        returns.push(step.obs.book.last_return / step.obs.book.mid * 1e4);
        state = step.obs;
        inventory.push(state.inventory_remaining());
        if step.done() {
            done = true;
            break;
        }
    }
    if !done {
        return Err(Error::Contract {
            policy: policy.name().to_owned(),
            seed,
            reason: format!("the episode did not end within the horizon of {steps} steps"),
        });
    }
    let last = *inventory.last().expect("at least the arrival value");
    inventory.resize(steps + 1, last);
    let notional = quantity * arrival;
    let bps = |x: f64| x / notional * 1e4;
    let is_bps = bps(info.implementation_shortfall(parent.side(), arrival));
    let impact_bps = bps(info.impact_cost);
    let spread_bps = bps(info.spread_cost);
    Ok(EpisodeOutcome {
        seed,
        is_bps,
        impact_bps,
        spread_bps,
        timing_bps: is_bps - impact_bps - spread_bps,
        completion: info.filled.0 as f64 / quantity,
        time_to_fill: info.filled_at.map(|k| f64::from(k) / steps as f64),
        inventory,
        realised_vol_bps: stats::std_dev(&returns),
    })
}

/// One policy's row of `results.json` (exactly these keys).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicySummary {
    /// The policy's name.
    pub name: String,
    /// Mean implementation shortfall, bps.
    pub mean_is_bps: f64,
    /// Its standard error, `std / √n`.
    pub se_is_bps: f64,
    /// Percentile-bootstrap 95 % interval of the mean.
    pub ci95_is_bps: [f64; 2],
    /// Standard deviation of shortfall (timing risk), bps.
    pub std_is_bps: f64,
    /// Mean market-impact cost, bps.
    pub mean_impact_bps: f64,
    /// Mean executed share of the parent.
    pub completion: f64,
    /// Episodes.
    pub n: usize,
}

/// The rest of a policy's statistics (in `report.md`, not `results.json`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyDetail {
    /// Mean spread cost, bps.
    pub mean_spread_bps: f64,
    /// Mean timing cost, bps.
    pub mean_timing_bps: f64,
    /// Mean time to fill over completed episodes, share of the horizon (NaN if none).
    pub mean_time_to_fill: f64,
    /// Adaptability (see the module docs), bps.
    pub adaptability_bps: f64,
    /// Mean remaining share before each decision and at the end.
    pub mean_inventory: Vec<f64>,
}

/// One pair's row of `results.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PairedTest {
    /// First policy.
    pub a: String,
    /// Second policy.
    pub b: String,
    /// Two-sided Wilcoxon signed-rank p-value of the per-seed differences `IS_a − IS_b`.
    pub wilcoxon_p: f64,
    /// Benjamini–Hochberg adjusted p-value over all pairs.
    pub p_fdr: f64,
    /// Mean of `IS_a − IS_b`, bps.
    pub mean_diff_bps: f64,
}

/// A closed-form benchmark for `results.json` (the Almgren–Chriss optimum in its world).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClosedForm {
    /// Expected cost, bps of arrival notional.
    pub expected_cost_bps: f64,
    /// Variance of the cost, bps².
    pub variance_bps2: f64,
}

/// Everything an evaluation produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// The episode seeds, in order.
    pub seeds: Vec<u64>,
    /// Per policy, in the order given.
    pub summaries: Vec<PolicySummary>,
    /// Per policy, in the order given.
    pub details: Vec<PolicyDetail>,
    /// Every pair `(i, j)`, `i < j`, in order.
    pub paired_tests: Vec<PairedTest>,
    /// Per policy, per seed.
    pub outcomes: Vec<Vec<EpisodeOutcome>>,
    /// Closed-form benchmark, when the world has one.
    pub closed_form: Option<ClosedForm>,
    /// A reference inventory curve (remaining share at `steps + 1` points) to plot against,
    /// e.g. the Almgren–Chriss optimum.
    pub reference_inventory: Option<(String, Vec<f64>)>,
}

/// Runs every policy on the same `config.seeds()` in `env` and computes the statistics.
/// `progress` is called after every episode with the number done so far.
///
/// # Errors
/// [`Error::Invalid`] for fewer than 2 episodes or no policies; otherwise as
/// [`run_episode`].
pub fn evaluate<E>(
    env: &mut E,
    policies: &mut [Box<ExecPolicy>],
    config: &EvalConfig,
    progress: &mut dyn FnMut(usize),
) -> Result<Evaluation>
where
    E: Env<Obs = ExecState, Action = ExecAction> + ?Sized,
    E::Info: Borrow<ExecInfo>,
{
    if config.episodes < 2 {
        return Err(Error::Invalid {
            what: "evaluation",
            reason: format!("{} episodes; at least 2 are needed", config.episodes),
        });
    }
    if policies.is_empty() {
        return Err(Error::Invalid {
            what: "evaluation",
            reason: "no policies".into(),
        });
    }
    let seeds = config.seeds();
    let mut outcomes = Vec::with_capacity(policies.len());
    let mut done = 0;
    for policy in policies.iter_mut() {
        let mut rows = Vec::with_capacity(seeds.len());
        for &seed in &seeds {
            rows.push(run_episode(env, policy.as_mut(), seed)?);
            done += 1;
            progress(done);
        }
        outcomes.push(rows);
    }
    let names: Vec<String> = policies.iter().map(|p| p.name().to_owned()).collect();
    Ok(summarise(names, seeds, outcomes, config))
}

/// The statistics of `outcomes[policy][seed]`.
fn summarise(
    names: Vec<String>,
    seeds: Vec<u64>,
    outcomes: Vec<Vec<EpisodeOutcome>>,
    config: &EvalConfig,
) -> Evaluation {
    let n = seeds.len();
    // One volatility per seed: the median over policies; split at the median over seeds.
    let seed_vol: Vec<f64> = (0..n)
        .map(|s| {
            let mut v: Vec<f64> = outcomes.iter().map(|o| o[s].realised_vol_bps).collect();
            v.sort_by(f64::total_cmp);
            let m = v.len();
            if m % 2 == 1 {
                v[m / 2]
            } else {
                0.5 * (v[m / 2 - 1] + v[m / 2])
            }
        })
        .collect();
    let mut sorted_vol = seed_vol.clone();
    sorted_vol.sort_by(f64::total_cmp);
    let median_vol = 0.5 * (sorted_vol[(n - 1) / 2] + sorted_vol[n / 2]);
    let volatile: Vec<bool> = seed_vol.iter().map(|v| *v > median_vol).collect();

    let mut summaries = Vec::new();
    let mut details = Vec::new();
    for (p, rows) in outcomes.iter().enumerate() {
        let is: Vec<f64> = rows.iter().map(|o| o.is_bps).collect();
        let col = |f: &dyn Fn(&EpisodeOutcome) -> f64| {
            stats::mean(&rows.iter().map(f).collect::<Vec<_>>())
        };
        let std = stats::std_dev(&is);
        let fills: Vec<f64> = rows.iter().filter_map(|o| o.time_to_fill).collect();
        let hi: Vec<f64> = rows
            .iter()
            .zip(&volatile)
            .filter(|(_, v)| **v)
            .map(|(o, _)| o.is_bps)
            .collect();
        let lo: Vec<f64> = rows
            .iter()
            .zip(&volatile)
            .filter(|(_, v)| !**v)
            .map(|(o, _)| o.is_bps)
            .collect();
        let steps = rows[0].inventory.len();
        let mean_inventory = (0..steps)
            .map(|k| rows.iter().map(|o| o.inventory[k]).sum::<f64>() / n as f64)
            .collect();
        summaries.push(PolicySummary {
            name: names[p].clone(),
            mean_is_bps: stats::mean(&is),
            se_is_bps: std / (n as f64).sqrt(),
            ci95_is_bps: stats::bootstrap_ci95(
                &is,
                config.bootstrap_resamples,
                config.seed.wrapping_add(p as u64),
            ),
            std_is_bps: std,
            mean_impact_bps: col(&|o| o.impact_bps),
            completion: col(&|o| o.completion),
            n,
        });
        details.push(PolicyDetail {
            mean_spread_bps: col(&|o| o.spread_bps),
            mean_timing_bps: col(&|o| o.timing_bps),
            mean_time_to_fill: if fills.is_empty() {
                f64::NAN
            } else {
                stats::mean(&fills)
            },
            adaptability_bps: if hi.is_empty() || lo.is_empty() {
                0.0
            } else {
                stats::mean(&hi) - stats::mean(&lo)
            },
            mean_inventory,
        });
    }
    let mut paired_tests = Vec::new();
    for i in 0..outcomes.len() {
        for j in i + 1..outcomes.len() {
            let d: Vec<f64> = outcomes[i]
                .iter()
                .zip(&outcomes[j])
                .map(|(a, b)| a.is_bps - b.is_bps)
                .collect();
            paired_tests.push(PairedTest {
                a: names[i].clone(),
                b: names[j].clone(),
                wilcoxon_p: stats::wilcoxon_signed_rank(&d).p_value,
                p_fdr: 0.0,
                mean_diff_bps: stats::mean(&d),
            });
        }
    }
    let p: Vec<f64> = paired_tests.iter().map(|t| t.wilcoxon_p).collect();
    for (t, q) in paired_tests.iter_mut().zip(stats::benjamini_hochberg(&p)) {
        t.p_fdr = q;
    }
    Evaluation {
        seeds,
        summaries,
        details,
        paired_tests,
        outcomes,
        closed_form: None,
        reference_inventory: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_deterministic_distinct_and_depend_on_the_seed() {
        let a = EvalConfig::new(100, 1).seeds();
        assert_eq!(a, EvalConfig::new(100, 1).seeds());
        assert_ne!(a, EvalConfig::new(100, 2).seeds());
        let mut s = a.clone();
        s.sort_unstable();
        s.dedup();
        assert_eq!(s.len(), 100);
        assert!(a.iter().all(|v| *v > 1000));
    }

    fn outcome(seed: u64, is_bps: f64, vol: f64) -> EpisodeOutcome {
        EpisodeOutcome {
            seed,
            is_bps,
            impact_bps: 1.0,
            spread_bps: 0.5,
            timing_bps: is_bps - 1.5,
            completion: 1.0,
            time_to_fill: Some(1.0),
            inventory: vec![1.0, 0.5, 0.0],
            realised_vol_bps: vol,
        }
    }

    #[test]
    fn summaries_pair_by_seed_and_split_adaptability_by_volatility() {
        // Policy A costs 10 in calm seeds and 20 in volatile ones; B costs 12 everywhere.
        let vols = [1.0, 1.0, 5.0, 5.0];
        let a: Vec<_> = (0..4)
            .map(|s| {
                outcome(
                    s,
                    if vols[s as usize] > 2.0 { 20.0 } else { 10.0 },
                    vols[s as usize],
                )
            })
            .collect();
        let b: Vec<_> = (0..4).map(|s| outcome(s, 12.0, vols[s as usize])).collect();
        let e = summarise(
            vec!["A".into(), "B".into()],
            vec![0, 1, 2, 3],
            vec![a, b],
            &EvalConfig::new(4, 0),
        );
        assert_eq!(e.summaries[0].mean_is_bps, 15.0);
        assert!((e.summaries[0].std_is_bps - (100.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(e.details[0].adaptability_bps, 10.0);
        assert_eq!(e.details[1].adaptability_bps, 0.0);
        assert_eq!(e.paired_tests.len(), 1);
        let t = &e.paired_tests[0];
        assert_eq!((t.a.as_str(), t.b.as_str()), ("A", "B"));
        assert_eq!(t.mean_diff_bps, 3.0);
        // d = -2, -2, 8, 8: ties, so the normal approximation; one pair so p_fdr = p.
        assert_eq!(t.p_fdr, t.wilcoxon_p);
        assert_eq!(e.details[0].mean_inventory, vec![1.0, 0.5, 0.0]);
    }
}
