//! Almgren–Chriss world throughput: env steps per second on one core.
//!
//! `ac_env/step/steps` steps one environment through 100-step episodes (market child of
//! the TWAP pace every step, reset between episodes); criterion's throughput is steps/s.
//! `ac_env/vec_1024/steps` steps 1024 copies through one episode in parallel.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shortfall_core::Env;
use shortfall_core::exec::ExecAction;
use shortfall_core::exec::almgren_chriss::AcParams;
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
    g.bench_function("step/steps", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for seed in 0..EPISODES {
                let (mut s, _) = e.reset(seed).expect("reset never fails");
                loop {
                    let st = e
                        .step(black_box(&ExecAction::Market {
                            qty: s.schedule_slice(),
                        }))
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
            let first = v.reset(&seeds).expect("reset never fails");
            let mut actions: Vec<ExecAction> = first
                .iter()
                .map(|(s, _)| ExecAction::Market {
                    qty: s.schedule_slice(),
                })
                .collect();
            while !v.all_done() {
                let steps = v.step(&actions).expect("valid actions");
                for (a, s) in actions.iter_mut().zip(steps) {
                    if let Some(s) = s {
                        *a = ExecAction::Market {
                            qty: s.obs.schedule_slice(),
                        };
                    }
                }
            }
            black_box(actions.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
