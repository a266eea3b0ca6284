//! Execution acceptance checks in the Almgren–Chriss world: baselines against the closed
//! form, TWAP against zero-risk-aversion Almgren–Chriss, every baseline's conformance, and
//! the default showdown's regime.

use shortfall::agents::baselines::{AlmgrenChriss, Immediate, Pov, SubmitAndLeave, Twap, Vwap};
use shortfall::agents::conformance::check_policy;
use shortfall::agents::eval::{EvalConfig, ExecPolicy, evaluate, run_episode};
use shortfall::core::exec::almgren_chriss::{AcModel, AcParams};
use shortfall::core::exec::{ExecAction, ExecState, VolumeProfile};
use shortfall::core::{Env, Policy, Qty};
use shortfall::lob_sim::env::{AcWorldConfig, AlmgrenChrissEnv};

/// The showdown's default world (examples/execution_showdown.toml) and its risk aversion.
fn showdown() -> (AcWorldConfig, f64) {
    let text = include_str!("../examples/execution_showdown.toml");
    let value: toml::Table = toml::from_str(text).expect("the default config is valid TOML");
    let world: AcWorldConfig = value["world"]
        .clone()
        .try_into()
        .expect("the default world is a valid AcWorldConfig");
    let lambda = value["risk_aversion"]
        .as_float()
        .expect("risk_aversion is a float");
    (world, lambda)
}

/// The world without market volume or passive fills: only market children, so the
/// closed form covers every schedule.
fn world(steps: u32) -> AlmgrenChrissEnv {
    let (mut w, _) = showdown();
    w.model.steps = steps;
    w.market_volume_per_step = 0.0;
    w.build().unwrap()
}

/// Runs `policy` once and returns its holdings after every step (the executed trajectory).
fn holdings<P: Policy<Obs = ExecState, Action = ExecAction>>(
    env: &mut AlmgrenChrissEnv,
    policy: &mut P,
) -> Vec<f64> {
    let (mut s, _) = env.reset(0).unwrap();
    policy.reset();
    let mut x = vec![s.remaining.0 as f64];
    loop {
        let st = env.step(&policy.act(&s)).unwrap();
        s = st.obs;
        x.push(s.remaining.0 as f64);
        if st.done() {
            break;
        }
    }
    x.resize(s.total_steps() as usize + 1, 0.0);
    x
}

#[test]
fn almgren_chriss_mean_cost_matches_the_closed_form_within_three_standard_errors() {
    let (_, lambda) = showdown();
    let mut env = world(50);
    let model: AcModel = *env.model();
    let mut ac = AlmgrenChriss::from_model(&model, lambda).unwrap();
    // The executed (whole-lot) trajectory is static, so its shortfall is exactly normal
    // with mean E[x] and variance V[x] (AC 2000, eq. (8)).
    let x = holdings(&mut env, &mut ac);
    let e_bps = model.cost_bps(model.expected_cost(&x).unwrap());
    let sd_bps = model.variance_bps2(model.variance(&x).unwrap()).sqrt();
    // Rounding children up to whole lots leaves each holding at most a few lots below the
    // optimum, where dE/dx_k = -2 lambda sigma^2 tau x_k (first-order condition of E + lambda
    // V) is below 0.04 $/lot: a few dollars over 50 steps, < 0.05 bps of the $5M notional.
    let closed = model.optimal_cost(lambda).unwrap();
    assert!(
        (e_bps - model.cost_bps(closed.expected)).abs() < 0.05,
        "{e_bps} vs {}",
        model.cost_bps(closed.expected)
    );
    let n = 400;
    for base in [1u64, 2, 3] {
        let mut is = Vec::with_capacity(n);
        for seed in EvalConfig::new(n, base).seeds() {
            is.push(run_episode(&mut env, &mut ac, seed).unwrap().is_bps);
        }
        let mean = is.iter().sum::<f64>() / n as f64;
        let se = sd_bps / (n as f64).sqrt();
        assert!(
            (mean - e_bps).abs() < 3.0 * se,
            "seed set {base}: mean {mean:.3} bps vs closed form {e_bps:.3} ± {se:.3}"
        );
        // The sample spread agrees with V too: sd of the sample sd is ~ sd / sqrt(2n).
        let var = is.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
        assert!((var.sqrt() / sd_bps - 1.0).abs() < 4.0 / (2.0 * n as f64).sqrt());
    }
}

#[test]
fn twap_mean_cost_matches_the_linear_trajectorys_closed_form() {
    let mut env = world(50);
    let model = *env.model();
    let x = holdings(&mut env, &mut Twap);
    let e_bps = model.cost_bps(model.expected_cost(&x).unwrap());
    let linear = model.optimal_cost(0.0).unwrap();
    assert!((e_bps - model.cost_bps(linear.expected)).abs() < 0.01);
    let sd_bps = model.variance_bps2(model.variance(&x).unwrap()).sqrt();
    let n = 400;
    let is: Vec<f64> = EvalConfig::new(n, 9)
        .seeds()
        .into_iter()
        .map(|s| run_episode(&mut env, &mut Twap, s).unwrap().is_bps)
        .collect();
    let mean = is.iter().sum::<f64>() / n as f64;
    assert!(
        (mean - e_bps).abs() < 3.0 * sd_bps / (n as f64).sqrt(),
        "{mean} vs {e_bps}"
    );
}

#[test]
fn zero_risk_aversion_almgren_chriss_equals_twap_exactly() {
    let mut env = world(50);
    let model = *env.model();
    for seed in EvalConfig::new(20, 4).seeds() {
        let mut run = |p: &mut dyn Policy<Obs = ExecState, Action = ExecAction>| {
            let (mut s, _) = env.reset(seed).unwrap();
            p.reset();
            let mut trace = Vec::new();
            loop {
                let a = p.act(&s);
                let st = env.step(&a).unwrap();
                trace.push((a, st.reward.to_bits()));
                s = st.obs;
                if st.done() {
                    break;
                }
            }
            trace
        };
        let ac = run(&mut AlmgrenChriss::from_model(&model, 0.0).unwrap());
        let twap = run(&mut Twap);
        assert_eq!(ac, twap, "seed {seed}");
        assert_eq!(ac.len(), 50);
    }
}

#[test]
fn every_baseline_passes_the_conformance_check() {
    // The showdown world, with market volume (for POV) and capped passive fills.
    let (w, lambda) = showdown();
    let mut w = w;
    w.model.steps = 20;
    w.volume_profile = Some(VolumeProfile::u_shape(13).unwrap());
    let mut env = w.build().unwrap();
    let model = *env.model();
    let mut policies: Vec<Box<ExecPolicy>> = vec![
        Box::new(Twap),
        Box::new(Vwap::default()),
        Box::new(Pov::new(0.1).unwrap()),
        Box::new(AlmgrenChriss::from_model(&model, lambda).unwrap()),
        Box::new(Immediate),
        Box::new(SubmitAndLeave::new(1)),
    ];
    let seeds = EvalConfig::new(10, 5).seeds();
    for p in policies.iter_mut() {
        let c = check_policy(&mut env, p.as_mut(), &seeds)
            .unwrap_or_else(|e| panic!("{} fails conformance: {e}", p.name()));
        assert_eq!(c.episodes, 10);
        assert!(c.max_decisions <= 20);
    }
}

/// A policy that never trades: the world's horizon liquidation still completes the parent,
/// and a policy that asks for too much is caught by the conformance check.
#[test]
fn conformance_catches_policies_that_break_the_contract() {
    struct Greedy;
    impl Policy for Greedy {
        type Obs = ExecState;
        type Action = ExecAction;
        fn name(&self) -> &str {
            "greedy"
        }
        fn act(&mut self, s: &ExecState) -> ExecAction {
            ExecAction::Market {
                qty: Qty(s.remaining.0 + 1),
            }
        }
    }
    struct Moody(u64);
    impl Policy for Moody {
        type Obs = ExecState;
        type Action = ExecAction;
        fn name(&self) -> &str {
            "moody"
        }
        fn act(&mut self, s: &ExecState) -> ExecAction {
            // Not reset between episodes: a different first child each run.
            self.0 += 1;
            ExecAction::Market {
                qty: Qty(self.0.min(s.remaining.0 as u64) as i64),
            }
        }
    }
    let mut env = world(10);
    let e = check_policy(&mut env, &mut Greedy, &[1])
        .unwrap_err()
        .to_string();
    assert!(e.contains("greedy") && e.contains("remaining"), "{e}");
    let e = check_policy(&mut env, &mut Moody(0), &[1])
        .unwrap_err()
        .to_string();
    assert!(e.contains("same seed"), "{e}");
}

#[test]
fn default_showdown_regime_penalises_twap_by_at_least_ten_percent() {
    let (w, lambda) = showdown();
    let model = w.model.build().unwrap();
    let linear: Vec<f64> = (0..=model.params().steps)
        .map(|k| {
            let n = f64::from(model.params().steps);
            model.params().quantity.0 as f64 * (1.0 - f64::from(k) / n)
        })
        .collect();
    let u_twap = model.mean_variance(&linear, lambda).unwrap();
    let best = model.optimal_holdings(lambda).unwrap();
    let u_opt = model.mean_variance(&best, lambda).unwrap();
    assert!(u_twap >= 1.10 * u_opt, "TWAP {u_twap} vs optimum {u_opt}");
    // Matches the figure quoted in the config's comment (23.6 %).
    assert!((u_twap / u_opt - 1.236).abs() < 0.001, "{}", u_twap / u_opt);
    // And the paper's example parameters are unchanged apart from size and horizon.
    let p = AcParams::paper_example();
    assert_eq!(
        (p.sigma, p.eta, p.gamma, p.epsilon),
        (w.model.sigma, w.model.eta, w.model.gamma, w.model.epsilon)
    );
}

#[test]
fn evaluation_is_deterministic_and_pairs_identical_policies() {
    let mut env = world(20);
    let run = |env: &mut AlmgrenChrissEnv| {
        let mut policies: Vec<Box<ExecPolicy>> = vec![
            Box::new(Twap),
            Box::new(AlmgrenChriss::new(0.0).unwrap()),
            Box::new(Immediate),
        ];
        evaluate(env, &mut policies, &EvalConfig::new(30, 8), &mut |_| {}).unwrap()
    };
    let a = run(&mut env);
    let b = run(&mut env);
    assert_eq!(a, b);
    // TWAP and AC(0) are the same schedule: every paired difference is zero, p = 1.
    let t = &a.paired_tests[0];
    assert_eq!((t.a.as_str(), t.b.as_str()), ("TWAP", "Almgren-Chriss"));
    assert_eq!((t.mean_diff_bps, t.wilcoxon_p), (0.0, 1.0));
    // Immediate pays the temporary impact of the whole parent in one step: far worse.
    assert!(a.summaries[2].mean_is_bps > 10.0 * a.summaries[0].mean_is_bps);
    assert!(a.paired_tests[1].p_fdr < 1e-6);
    let json: serde_json::Value = serde_json::from_str(&a.results_json().unwrap()).unwrap();
    let keys: Vec<&str> = json["policies"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    let mut expected = vec![
        "name",
        "mean_is_bps",
        "se_is_bps",
        "ci95_is_bps",
        "std_is_bps",
        "mean_impact_bps",
        "completion",
        "n",
    ];
    let mut got = keys.clone();
    got.sort_unstable();
    expected.sort_unstable();
    assert_eq!(got, expected);
}
