//! Property tests of the Almgren–Chriss world over random action sequences (market, limit,
//! hold, cancel; either side; with and without market volume).
//!
//! After every step: quantity is conserved (filled + remaining = parent), resting never
//! exceeds remaining, the observation's features are valid and inside the feature space.
//! At the end: the episode lasted at most the horizon, the parent is complete, and the
//! rewards (no risk penalty) sum to minus the implementation shortfall in bps.

use proptest::prelude::*;
use shortfall_core::exec::almgren_chriss::AcParams;
use shortfall_core::exec::{ExecAction, feature_space};
use shortfall_core::{Env, Qty, Side};
use shortfall_lob_sim::env::AcWorldConfig;

/// An abstract action: kind 0 hold, 1 cancel, 2 market, 3 limit; size as a share of what
/// remains (so every generated action is valid).
fn action_strategy() -> impl Strategy<Value = (u8, f64, u32)> {
    (0u8..4, 0.0f64..=1.0, 0u32..4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_actions_conserve_quantity_and_rewards_sum_to_the_shortfall(
        buy in any::<bool>(),
        volume in prop_oneof![Just(0.0), 1.0f64..50_000.0],
        passive in 0.0f64..1.0,
        steps in 1u32..30,
        seed in any::<u64>(),
        plan in prop::collection::vec(action_strategy(), 30),
    ) {
        let mut p = AcParams::paper_example();
        p.steps = steps;
        let mut c = AcWorldConfig::new(p);
        c.side = if buy { Side::Buy } else { Side::Sell };
        c.market_volume_per_step = volume;
        c.passive_participation = passive;
        let mut env = c.build().unwrap();
        let (mut s, _) = env.reset(seed).unwrap();
        let x = s.parent.quantity();
        let space = feature_space();
        let mut total = 0.0;
        let mut taken = 0u32;
        let last = loop {
            let (kind, share, offset) = plan[taken as usize];
            let q = Qty((share * s.remaining.0 as f64).floor() as i64);
            let a = match kind {
                0 => ExecAction::Hold,
                1 => ExecAction::Cancel,
                2 => ExecAction::Market { qty: q },
                _ => ExecAction::Limit { qty: q, offset_ticks: offset },
            };
            let st = env.step(&a).unwrap();
            taken += 1;
            total += st.reward;
            prop_assert_eq!(st.info.filled + st.obs.remaining, x);
            prop_assert!(st.obs.resting.0 >= 0 && st.obs.resting <= st.obs.remaining);
            let f = st.obs.features().unwrap();
            prop_assert!(space.contains(&f), "{:?}", f);
            s = st.obs;
            if st.done() {
                break st;
            }
            prop_assert!(taken < steps, "still running after the horizon");
        };
        prop_assert!(taken <= steps);
        prop_assert_eq!(last.info.filled, x);
        prop_assert_eq!(last.obs.remaining, Qty(0));
        let side = if buy { Side::Buy } else { Side::Sell };
        let is_bps = last.info.implementation_shortfall(side, 50.0) / (x.0 as f64 * 50.0) * 1e4;
        prop_assert!((total + is_bps).abs() < 1e-8 * (1.0 + is_bps.abs()), "{} vs {}", total, is_bps);
    }
}
