//! The discrete and continuous action wrappers of `shortfall-core` over the
//! Almgren–Chriss world.

use shortfall_core::exec::almgren_chriss::AcParams;
use shortfall_core::exec::{ContinuousExecEnv, DiscreteActionSet, DiscreteExecEnv, ExecAction};
use shortfall_core::{Env, Qty, Space};
use shortfall_lob_sim::env::{AcWorldConfig, AlmgrenChrissEnv};

fn env() -> AlmgrenChrissEnv {
    AcWorldConfig::new(AcParams::paper_example())
        .build()
        .unwrap()
}

#[test]
fn discrete_pace_action_replays_the_twap_schedule_of_the_raw_env() {
    let mut raw = env();
    let (mut s, _) = raw.reset(5).unwrap();
    let mut expected = Vec::new();
    loop {
        let st = raw
            .step(&ExecAction::Market {
                qty: s.schedule_slice(),
            })
            .unwrap();
        expected.push((st.reward.to_bits(), st.obs.remaining));
        s = st.obs;
        if st.done() {
            break;
        }
    }
    let mut d = DiscreteExecEnv::new(env(), DiscreteActionSet::default());
    assert_eq!(d.action_space(), &Space::Discrete { n: 7 });
    d.reset(5).unwrap();
    let mut got = Vec::new();
    loop {
        let st = d.step(&1).unwrap(); // market, 1 x pace
        got.push((st.reward.to_bits(), st.obs.remaining));
        if st.done() {
            break;
        }
    }
    assert_eq!(got, expected);
    assert_eq!(got.last().unwrap().1, Qty(0));
}

#[test]
fn wrappers_decode_market_all_and_reject_bad_actions() {
    let mut d = DiscreteExecEnv::new(env(), DiscreteActionSet::default());
    assert!(d.step(&0).is_err(), "stepping before reset is an error");
    d.reset(1).unwrap();
    assert!(d.step(&7).unwrap_err().to_string().contains("index 7"));
    let st = d.step(&6).unwrap();
    assert!(st.terminated && st.info.filled == Qty(1_000_000));

    let mut c = ContinuousExecEnv::new(env());
    c.reset(1).unwrap();
    assert!(c.step(&[1.5, 0.0]).is_err());
    let st = c.step(&[0.5, 2.0]).unwrap(); // a limit for half, two ticks deep
    assert!(st.obs.resting == Qty(500_000) || st.info.filled == Qty(500_000));
    let st = c.step(&[1.0, -1.0]).unwrap(); // market, everything left
    assert!(st.terminated);
}
