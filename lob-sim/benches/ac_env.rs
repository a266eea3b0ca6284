//! Almgren–Chriss world throughput: env steps per second on one core.
//!
//! - `ac_env/step_fixed_child/steps`: one environment through 100-step episodes, sending the
//!   same market child (X/N) every step (the last step liquidates the rest), reset between
//!   episodes: the environment alone. Criterion's throughput is steps/s.
//! - `ac_env/step_twap/steps`: the same, the child computed from the observation each step
//!   (`ExecState::schedule_slice`, TWAP's rule): environment plus a trivial policy.
//! - `ac_env/vec_1024/steps`: 1024 copies through one episode in a `VecEnv` (rayon).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shortfall_core::exec::ExecAction;
use shortfall_core::exec::almgren_chriss::AcParams;
use shortfall_core::{Env, Qty};
use shortfall_lob_sim::env::{AcWorldConfig, AlmgrenChrissEnv, VecEnv};
use std::hint::black_box;

const STEPS: u32 = 100;
const EPISODES: u64 = 100;

fn env() -> AlmgrenChrissEnv {
    let mut p = AcParams::paper_example();
    p.steps = STEPS;
    AcWorldConfig::new(p)
        .build()
        .expect("the paper's parameters are valid")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("ac_env");
    g.throughput(Throughput::Elements(u64::from(STEPS) * EPISODES));
    let mut e = env();
    let child = ExecAction::Market {
        qty: Qty(1_000_000 / i64::from(STEPS)),
    };
    g.bench_function("step_fixed_child/steps", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for seed in 0..EPISODES {
                e.reset(seed).expect("reset never fails");
                loop {
                    let st = e.step(black_box(&child)).expect("X/N is always valid");
                    acc += st.reward;
                    if st.terminated {
                        break;
                    }
                }
            }
            black_box(acc)
        })
    });
    g.bench_function("step_twap/steps", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for seed in 0..EPISODES {
                let (mut s, _) = e.reset(seed).expect("reset never fails");
                loop {
                    let st = e
                        .step(&ExecAction::Market {
                            qty: s.schedule_slice(),
                        })
                        .expect("the TWAP pace is always valid");
                    acc += st.reward;
                    s = st.obs;
                    if st.terminated {
                        break;
                    }
                }
            }
            black_box(acc)
        })
    });
    let copies = 1024usize;
    g.throughput(Throughput::Elements(u64::from(STEPS) * copies as u64));
    let mut v = VecEnv::new((0..copies).map(|_| env()).collect()).expect("non-empty");
    let seeds: Vec<u64> = (0..copies as u64).collect();
    g.bench_function("vec_1024/steps", |b| {
        b.iter(|| {
            v.reset(&seeds).expect("reset never fails");
            let actions = vec![child; copies];
            while !v.all_done() {
                black_box(v.step(&actions).expect("valid actions"));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
