//! Almgren–Chriss world speed in env steps per second of this process's CPU time (not wall
//! time), so a figure taken on a shared machine is not diluted by other processes.
//!
//! ```text
//! cargo run --release -p shortfall-lob-sim --example ac_env_speed [-- SECONDS]
//! ```
//!
//! Steps one environment through 100-step episodes of the paper's example (a market child
//! of X/N every step) for about SECONDS (default 3) of CPU time, then prints
//! `{"steps":…,"cpu_s":…,"wall_s":…,"steps_per_cpu_s":…,"steps_per_wall_s":…}`. CPU time is
//! read from `/proc/self/stat` (Linux; 10 ms resolution), so the run lasts seconds.

use shortfall_core::exec::ExecAction;
use shortfall_core::exec::almgren_chriss::AcParams;
use shortfall_core::{Env, Qty};
use shortfall_lob_sim::env::AcWorldConfig;
use std::hint::black_box;
use std::time::Instant;

/// User + system CPU time of this process in seconds, from `/proc/self/stat`.
fn cpu_seconds() -> Result<f64, String> {
    let stat =
        std::fs::read_to_string("/proc/self/stat").map_err(|e| format!("/proc/self/stat: {e}"))?;
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = stat
        .rsplit_once(')')
        .ok_or("/proc/self/stat: no command name")?
        .1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let ticks = |i: usize| -> Result<f64, String> {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .ok_or_else(|| format!("/proc/self/stat: field {} missing", i + 3))
    };
    // CLK_TCK is 100 on Linux for every mainstream architecture.
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds: f64 = match std::env::args().nth(1) {
        Some(s) => s
            .parse()
            .map_err(|_| format!("SECONDS: expected a number, got {s:?}"))?,
        None => 3.0,
    };
    let mut p = AcParams::paper_example();
    p.steps = 100;
    let mut env = AcWorldConfig::new(p).build()?;
    let child = ExecAction::Market { qty: Qty(10_000) };
    let (cpu0, wall0) = (cpu_seconds()?, Instant::now());
    let mut steps = 0u64;
    let mut acc = 0.0;
    let mut seed = 0;
    loop {
        for _ in 0..1000 {
            env.reset(seed)?;
            seed += 1;
            loop {
                let st = env.step(black_box(&child))?;
                acc += st.reward;
                steps += 1;
                if st.terminated {
                    break;
                }
            }
        }
        if cpu_seconds()? - cpu0 >= seconds {
            break;
        }
    }
    let cpu = cpu_seconds()? - cpu0;
    let wall = wall0.elapsed().as_secs_f64();
    black_box(acc);
    println!(
        "{{\"steps\":{steps},\"cpu_s\":{cpu},\"wall_s\":{wall},\"steps_per_cpu_s\":{},\"steps_per_wall_s\":{}}}",
        steps as f64 / cpu,
        steps as f64 / wall
    );
    Ok(())
}
