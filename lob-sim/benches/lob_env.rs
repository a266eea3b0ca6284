//! Order-book execution world throughput: env steps per second on one core with 1-second
//! decision intervals (issue goal: ≥ 100 k steps/s).
//!
//! `lob_env/step_1s/{twin,no_twin}` steps one environment through 600-step episodes (a
//! 10-minute parent worked at the TWAP pace with market children), reset included, with and
//! without the twin market that splits out impact cost. Throughput is steps/s. The
//! background market is the default zero-intelligence configuration.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shortfall_core::exec::ExecAction;
use shortfall_core::{Env, Side};
use shortfall_lob_sim::env::{LobExecEnv, LobWorldConfig};
use shortfall_lob_sim::sim::SimConfig;
use std::hint::black_box;

const STEPS: u64 = 600;
const EPISODES: u64 = 4;

fn env(twin: bool) -> LobExecEnv {
    let mut market = SimConfig::default();
    market.session.warmup_s = 30.0;
    let mut config = LobWorldConfig::new(market, Side::Sell, 600, STEPS as f64, 1.0);
    config.measure_impact = twin;
    config.build().expect("a valid configuration")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("lob_env");
    g.throughput(Throughput::Elements(STEPS * EPISODES));
    g.sample_size(10);
    for (name, twin) in [("step_1s/twin", true), ("step_1s/no_twin", false)] {
        let mut e = env(twin);
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut acc = 0.0;
                for seed in 0..EPISODES {
                    let (mut s, _) = e.reset(seed).expect("reset succeeds");
                    loop {
                        let st = e
                            .step(black_box(&ExecAction::Market {
                                qty: s.schedule_slice(),
                            }))
                            .expect("the TWAP pace is always valid");
                        acc += st.reward;
                        s = st.obs;
                        if st.done() {
                            break;
                        }
                    }
                }
                acc
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
