//! PPO on the Almgren–Chriss world through the discrete execution wrapper: training runs
//! on execution states, and the trained agent is a conforming execution policy.
#![cfg(any(feature = "flex", feature = "wgpu", feature = "cuda"))]

use shortfall_agents::conformance::check_policy;
use shortfall_agents::rl::{BackendKind, PpoConfig, PpoDiscrete, PpoExecPolicy};
use shortfall_core::exec::almgren_chriss::AcParams;
use shortfall_core::exec::{DiscreteActionSet, DiscreteExecEnv};
use shortfall_lob_sim::env::{AcWorldConfig, AlmgrenChrissEnv};

fn world() -> AlmgrenChrissEnv {
    AcWorldConfig::new(AcParams::paper_example())
        .build()
        .expect("the paper's example is a valid world")
}

#[test]
fn ppo_trains_on_execution_states_and_its_greedy_policy_conforms() {
    let device = BackendKind::from_env().unwrap().device().unwrap();
    let menu = DiscreteActionSet::default();
    let envs = (0..2)
        .map(|_| DiscreteExecEnv::new(world(), menu.clone()))
        .collect();
    let config = PpoConfig {
        seed: 5,
        num_envs: 2,
        rollout_steps: 10,
        epochs: 2,
        minibatches: 2,
        hidden: vec![8],
        ..PpoConfig::default()
    };
    let mut ppo = PpoDiscrete::new(config, envs, &device).unwrap();
    for update in 1..=2 {
        let m = ppo.update().unwrap();
        assert_eq!(m.update, update);
        assert_eq!(m.env_steps, 20 * update);
        // The paper's parent lasts 5 decisions at most, so 10 steps end ≥ 2 episodes per env.
        assert!(m.episodes >= 4, "{m:?}");
        // Rewards sum to minus the shortfall in bps: finite and, for a sell with positive
        // impact, a cost on average.
        assert!(m.mean_return.is_finite() && m.mean_return < 0.0, "{m:?}");
        assert!(
            m.policy_loss.is_finite() && m.value_loss.is_finite(),
            "{m:?}"
        );
        assert!(
            m.entropy > 0.0 && m.entropy <= (menu.len() as f64).ln() + 1e-6,
            "{m:?}"
        );
    }
    let mut policy = PpoExecPolicy::new(ppo.greedy(), menu.clone()).unwrap();
    let report = check_policy(&mut world(), &mut policy, &[1, 2, 3]).unwrap();
    assert!(policy.last_error().is_none());
    assert_eq!(report.episodes, 3);
    assert!(report.max_decisions <= 5, "{report:?}");
    // A menu of another size does not fit the network.
    let short = DiscreteActionSet::new(menu.actions()[..3].to_vec()).unwrap();
    assert!(PpoExecPolicy::new(ppo.greedy(), short).is_err());
}
