//! Execution checks in the limit-order-book world (the event-driven simulator): every
//! baseline passes the policy conformance check (completes the parent exactly, within the
//! horizon, deterministically) and paired evaluation is deterministic. (That the world has
//! impact is checked against a twin market in `lob-sim`'s own tests.)

use shortfall::agents::baselines::{AlmgrenChriss, Immediate, Pov, SubmitAndLeave, Twap, Vwap};
use shortfall::agents::conformance::check_policy;
use shortfall::agents::eval::{EvalConfig, ExecPolicy, evaluate};
use shortfall::core::Side;
use shortfall::lob_sim::env::{LobExecEnv, LobWorldConfig};
use shortfall::lob_sim::sim::SimConfig;

fn world(quantity: i64) -> LobExecEnv {
    let mut market = SimConfig::default();
    market.session.warmup_s = 30.0;
    let mut config = LobWorldConfig::new(market, Side::Sell, quantity, 120.0, 20.0);
    config.arrival_jitter_s = 10.0;
    config.build().unwrap()
}

fn baselines() -> Vec<Box<ExecPolicy>> {
    vec![
        Box::new(Twap),
        Box::new(Vwap::default()),
        Box::new(Pov::new(0.15).unwrap()),
        Box::new(AlmgrenChriss::new(0.2).unwrap()),
        Box::new(Immediate),
        Box::new(SubmitAndLeave::new(1)),
    ]
}

#[test]
fn every_baseline_passes_the_conformance_check_in_the_order_book_world() {
    let mut env = world(80);
    let seeds = EvalConfig::new(4, 11).seeds();
    for p in baselines().iter_mut() {
        let c = check_policy(&mut env, p.as_mut(), &seeds)
            .unwrap_or_else(|e| panic!("{} fails conformance: {e}", p.name()));
        assert_eq!(c.episodes, 4);
        assert!(c.max_decisions <= 6);
    }
}

#[test]
fn order_book_evaluation_is_deterministic_and_completes_every_parent() {
    let mut env = world(80);
    let config = EvalConfig::new(4, 3);
    let mut a = baselines();
    let first = evaluate(&mut env, &mut a, &config, &mut |_| {}).unwrap();
    let mut b = baselines();
    let second = evaluate(&mut env, &mut b, &config, &mut |_| {}).unwrap();
    assert_eq!(first.summaries, second.summaries);
    assert_eq!(first.paired_tests, second.paired_tests);
    for p in &first.summaries {
        assert_eq!(p.completion, 1.0, "{}", p.name);
        assert!(p.mean_is_bps.is_finite(), "{}", p.name);
    }
}
