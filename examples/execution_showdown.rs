//! The execution showdown: every baseline on the same held-out seeds, with confidence
//! intervals, paired tests, a report and plots.
//!
//! ```text
//! cargo run --release --example execution_showdown -- [--world lob|almgren-chriss|abides-v0]
//!     [--episodes N] [--seed S] [--config FILE] [--out DIR]
//! ```
//!
//! - `--world` (default `almgren-chriss`): the market.
//!   - `almgren-chriss`: [`AlmgrenChrissEnv`], with the closed form as a benchmark.
//!   - `lob`: [`LobExecEnv`], the parent worked in the event-driven limit-order-book
//!     simulator (default configuration `examples/execution_showdown_lob.toml`: keys
//!     `episodes`, `seed`, `ac_kappa_t` (the Almgren–Chriss policy's urgency κT — this world
//!     has no closed form), `pov_rate`, `submit_offset_ticks`, and `[world]`, a
//!     [`LobWorldConfig`]).
//!   - `abides-v0`: the ABIDES-gym `markets-execution-v0` task ([`LobWorldConfig::abides_v0`])
//!     on the simulator's agent-based flow (default `examples/execution_showdown_abides.toml`:
//!     the same keys with `[market]`, a `SimConfig`, instead of `[world]`). Children are
//!     capped at the task's 10 shares: every baseline's child is cut to 10 (the task's rule,
//!     reported in `report.md`); no forced completion, so `completion` is below 1.
//! - `--episodes`, `--seed`: override the configuration's values.
//! - `--config FILE`: a TOML file like `examples/execution_showdown.toml` (the default,
//!   built in). Keys: `episodes`, `seed`, `risk_aversion` (λ of the Almgren–Chriss policy
//!   and closed form), `pov_rate` (POV's share of others' volume), `submit_offset_ticks`
//!   (Submit-and-leave's limit offset), `u_shape_bins` (the world's volume profile when
//!   `[world]` gives none: [`VolumeProfile::u_shape`]), and `[world]`, an
//!   [`AcWorldConfig`].
//! - `--out DIR` (default `target/execution_showdown`): where `results.json`, `report.md`,
//!   `episodes.csv`, `shortfall.svg` and `inventory.svg` go.
//!
//! VWAP's profile is estimated from the simulator: the per-step market volume of a few
//! episodes, averaged ([`VolumeProfile::estimate`]).
//!
//! The last stdout line is one JSON object:
//! `{"world":…,"episodes":…,"seed":…,"policies":[{"name":…,"mean_is_bps":…},…],
//! "closed_form":{"expected_cost_bps":…,"variance_bps2":…},"seconds":…}`.

use indicatif::{ProgressBar, ProgressStyle};
use serde::Deserialize;
use shortfall::agents::baselines::{AlmgrenChriss, Immediate, Pov, SubmitAndLeave, Twap, Vwap};
use shortfall::agents::eval::{ClosedForm, EvalConfig, ExecPolicy, evaluate};
use shortfall::core::Env;
use shortfall::core::exec::ExecState;
use shortfall::core::exec::almgren_chriss::optimal_fractions;
use shortfall::core::exec::{ExecAction, VolumeProfile};
use shortfall::core::{Policy, Qty};
use shortfall::lob_sim::env::{AcWorldConfig, AlmgrenChrissEnv, LobExecEnv, LobWorldConfig};
use shortfall::lob_sim::sim::SimConfig;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: execution_showdown [--world lob|almgren-chriss|abides-v0] \
[--episodes N] [--seed S] [--config FILE] [--out DIR]";

const DEFAULT_CONFIG: &str = include_str!("execution_showdown.toml");
const DEFAULT_LOB_CONFIG: &str = include_str!("execution_showdown_lob.toml");
const DEFAULT_ABIDES_CONFIG: &str = include_str!("execution_showdown_abides.toml");

/// The configuration file of `--world lob`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LobShowdownConfig {
    episodes: usize,
    seed: u64,
    ac_kappa_t: f64,
    pov_rate: f64,
    submit_offset_ticks: u32,
    world: LobWorldConfig,
}

/// The configuration file of `--world abides-v0`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AbidesShowdownConfig {
    episodes: usize,
    seed: u64,
    ac_kappa_t: f64,
    pov_rate: f64,
    submit_offset_ticks: u32,
    market: SimConfig,
}

/// A policy whose children are cut to the task's cap (ABIDES-v0 allows 10 shares).
struct Capped {
    inner: Box<ExecPolicy>,
    cap: i64,
}

impl Policy for Capped {
    type Obs = ExecState;
    type Action = ExecAction;

    fn name(&self) -> &str {
        self.inner.name()
    }

    fn reset(&mut self) {
        self.inner.reset();
    }

    fn act(&mut self, obs: &ExecState) -> ExecAction {
        match self.inner.act(obs) {
            ExecAction::Market { qty } => ExecAction::Market {
                qty: Qty(qty.0.min(self.cap)),
            },
            ExecAction::Limit { qty, offset_ticks } => ExecAction::Limit {
                qty: Qty(qty.0.min(self.cap)),
                offset_ticks,
            },
            other => other,
        }
    }
}

/// The configuration file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShowdownConfig {
    episodes: usize,
    seed: u64,
    risk_aversion: f64,
    pov_rate: f64,
    submit_offset_ticks: u32,
    u_shape_bins: usize,
    world: AcWorldConfig,
}

#[derive(Debug)]
struct Args {
    world: String,
    episodes: Option<usize>,
    seed: Option<u64>,
    config: Option<PathBuf>,
    out: PathBuf,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut a = Args {
        world: "almgren-chriss".into(),
        episodes: None,
        seed: None,
        config: None,
        out: PathBuf::from("target/execution_showdown"),
    };
    let mut seen: Vec<&str> = Vec::new();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| format!("flag {flag} needs a value"))?;
        if seen.contains(&flag.as_str()) {
            return Err(format!("flag {flag} given twice"));
        }
        match flag.as_str() {
            "--world" => a.world = value.clone(),
            "--episodes" => {
                a.episodes = Some(value.parse().ok().filter(|n| *n >= 2).ok_or_else(|| {
                    format!("--episodes: expected an integer >= 2, got {value:?}")
                })?)
            }
            "--seed" => {
                a.seed =
                    Some(value.parse().map_err(|_| {
                        format!("--seed: expected an unsigned integer, got {value:?}")
                    })?)
            }
            "--config" => a.config = Some(value.into()),
            "--out" => a.out = value.into(),
            other => return Err(format!("unknown flag {other:?}")),
        }
        seen.push(flag.as_str());
    }
    Ok(a)
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse_args(&argv) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match args.world.as_str() {
        "almgren-chriss" | "lob" | "abides-v0" => {}
        other => {
            eprintln!(
                "error: unknown world {other:?}: expected lob, almgren-chriss or abides-v0\n{USAGE}"
            );
            return ExitCode::from(2);
        }
    }
    let outcome = match args.world.as_str() {
        "almgren-chriss" => run(&args),
        _ => run_lob(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let (text, source) = match &args.config {
        Some(path) => (
            std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?,
            path.display().to_string(),
        ),
        None => (DEFAULT_CONFIG.to_owned(), "built-in default".to_owned()),
    };
    let mut config: ShowdownConfig =
        toml::from_str(&text).map_err(|e| format!("config ({source}): {e}"))?;
    if let Some(n) = args.episodes {
        config.episodes = n;
    }
    if let Some(s) = args.seed {
        config.seed = s;
    }
    if config.world.volume_profile.is_none() {
        config.world.volume_profile = Some(VolumeProfile::u_shape(config.u_shape_bins)?);
    }
    let mut env: AlmgrenChrissEnv = config.world.clone().build()?;
    let model = *env.model();
    let lambda = config.risk_aversion;
    let steps = model.params().steps;

    // VWAP's profile, estimated from the simulator's per-step market volume.
    let mut rows = Vec::new();
    for seed in 0..5 {
        let (mut state, _) = env.reset(seed)?;
        let mut row = Vec::with_capacity(steps as usize);
        loop {
            let before = state.market_volume.0;
            let step = env.step(&ExecAction::Hold)?;
            row.push((step.obs.market_volume.0 - before) as f64);
            state = step.obs;
            if step.done() {
                break;
            }
        }
        rows.push(row);
    }
    let profile = if rows[0].iter().sum::<f64>() > 0.0 {
        VolumeProfile::estimate(&rows)?
    } else {
        VolumeProfile::u_shape(config.u_shape_bins)?
    };

    let mut policies: Vec<Box<ExecPolicy>> = vec![
        Box::new(Twap),
        Box::new(Vwap::new(profile)),
        Box::new(Pov::new(config.pov_rate)?),
        Box::new(AlmgrenChriss::from_model(&model, lambda)?),
        Box::new(Immediate),
        Box::new(SubmitAndLeave::new(config.submit_offset_ticks)),
    ];
    let total = (config.episodes * policies.len()) as u64;
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} episodes ({eta})")
            .map_err(|e| e.to_string())?
            .progress_chars("=> "),
    );
    let eval_config = EvalConfig::new(config.episodes, config.seed);
    let mut evaluation = evaluate(&mut env, &mut policies, &eval_config, &mut |done| {
        bar.set_position(done as u64)
    })?;
    bar.finish_and_clear();

    let optimum = model.optimal_cost(lambda)?;
    evaluation.closed_form = Some(ClosedForm {
        expected_cost_bps: model.cost_bps(optimum.expected),
        variance_bps2: model.variance_bps2(optimum.variance),
    });
    let kappa = model.kappa(lambda)?;
    let curve = optimal_fractions(kappa * model.tau(), steps)?;
    evaluation.reference_inventory = Some(("Almgren-Chriss closed form".into(), curve));
    let twap = model.optimal_cost(0.0)?;
    let u_twap = twap.expected + lambda * twap.variance;
    let u_opt = optimum.expected + lambda * optimum.variance;
    let p = model.params();
    let w = &config.world;
    let notes = format!(
        "World: Almgren–Chriss (2000), {side:?} {x} lots at S0 = {s0} over T = {t} day(s) in \
         N = {n} steps; sigma = {sigma}, gamma = {gamma}, eta = {eta}, epsilon = {eps}; tick \
         {tick}; other traders' volume {vol} lots per step on average (intraday U shape), \
         passive fills capped at {pp} of it. Risk aversion lambda = {lambda}: kappa*T = \
         {kt:.3}; TWAP's E + lambda V is {ratio:.1} % above the optimum's. Policies: POV rate \
         {pov}, Submit-and-leave offset {off} tick(s), VWAP profile estimated from the \
         simulator's volume. Config: {source}; seed {seed}.",
        side = w.side,
        x = p.quantity.0,
        s0 = p.initial_price,
        t = p.horizon,
        n = p.steps,
        sigma = p.sigma,
        gamma = p.gamma,
        eta = p.eta,
        eps = p.epsilon,
        tick = w.tick_size,
        vol = w.market_volume_per_step,
        pp = w.passive_participation,
        kt = kappa * p.horizon,
        ratio = (u_twap / u_opt - 1.0) * 100.0,
        pov = config.pov_rate,
        off = config.submit_offset_ticks,
        seed = config.seed,
    );
    // Mean-variance cost in bps: E + λV in currency over the notional is
    // E_bps + λ (X S0 / 10⁴) Var_bps².
    let lambda_bps = lambda * model.arrival_notional() / 1e4;
    let mean_variance: Vec<String> = evaluation
        .summaries
        .iter()
        .map(|p| {
            format!(
                "{} {:.2}",
                p.name,
                p.mean_is_bps + lambda_bps * p.std_is_bps * p.std_is_bps
            )
        })
        .collect();
    let c = evaluation.closed_form.clone().expect("set above");
    let optimum_mv = c.expected_cost_bps + lambda_bps * c.variance_bps2;
    let mean_variance_line = format!(
        "mean-variance cost E + lambda Var (bps, lambda = {lambda_bps:.4} per bps^2): {}; \
         closed-form optimum {optimum_mv:.2}",
        mean_variance.join(", ")
    );
    let notes = format!("{notes}\n\n{mean_variance_line}.");
    let written = evaluation.write(
        &args.out,
        "Execution showdown: Almgren–Chriss world",
        &notes,
    )?;

    let report = evaluation.report_markdown("Execution showdown: Almgren–Chriss world", "");
    // The main table: from the first table header to the blank line after it.
    for line in report
        .lines()
        .skip_while(|l| !l.starts_with("| Metric"))
        .take_while(|l| !l.is_empty())
    {
        println!("{line}");
    }
    println!("{mean_variance_line}");
    println!(
        "closed form (lambda = {lambda}): expected cost {:.3} bps, std {:.3} bps",
        c.expected_cost_bps,
        c.variance_bps2.sqrt()
    );
    println!(
        "wrote {}, {}, {} and {} plots",
        written.results.display(),
        written.report.display(),
        written.episodes.display(),
        written.plots.len()
    );
    let summary = serde_json::json!({
        "world": args.world,
        "episodes": config.episodes,
        "seed": config.seed,
        "policies": evaluation.summaries.iter().map(|p| serde_json::json!({
            "name": p.name,
            "mean_is_bps": p.mean_is_bps,
        })).collect::<Vec<_>>(),
        "closed_form": c,
        "seconds": start.elapsed().as_secs_f64(),
    });
    println!("{summary}");
    Ok(())
}

/// VWAP's profile from the market volume others trade per decision step in `episodes`
/// episodes of doing nothing (the U shape when the world has no volume).
fn estimated_profile(env: &mut LobExecEnv, episodes: u64) -> Result<VolumeProfile, String> {
    let mut rows = Vec::new();
    for seed in 0..episodes {
        let (mut state, _) = env.reset(u64::MAX - seed).map_err(|e| e.to_string())?;
        let mut row = Vec::new();
        loop {
            let before = state.market_volume.0;
            let step = env.step(&ExecAction::Hold).map_err(|e| e.to_string())?;
            row.push((step.obs.market_volume.0 - before) as f64);
            state = step.obs;
            if step.done() {
                break;
            }
        }
        rows.push(row);
    }
    if rows.iter().flatten().sum::<f64>() > 0.0 {
        VolumeProfile::estimate(&rows).map_err(|e| e.to_string())
    } else {
        VolumeProfile::u_shape(13).map_err(|e| e.to_string())
    }
}

/// `--world lob` and `--world abides-v0`: the baselines in the event-driven simulator.
fn run_lob(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let abides = args.world == "abides-v0";
    let (text, source) = match &args.config {
        Some(path) => (
            std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?,
            path.display().to_string(),
        ),
        None if abides => (
            DEFAULT_ABIDES_CONFIG.to_owned(),
            "built-in default".to_owned(),
        ),
        None => (DEFAULT_LOB_CONFIG.to_owned(), "built-in default".to_owned()),
    };
    let parse_err = |e: toml::de::Error| format!("config ({source}): {e}");
    let (mut episodes, mut seed, kappa_t, pov_rate, offset, world) = if abides {
        let c: AbidesShowdownConfig = toml::from_str(&text).map_err(parse_err)?;
        let world = LobWorldConfig::abides_v0(c.market);
        (
            c.episodes,
            c.seed,
            c.ac_kappa_t,
            c.pov_rate,
            c.submit_offset_ticks,
            world,
        )
    } else {
        let c: LobShowdownConfig = toml::from_str(&text).map_err(parse_err)?;
        (
            c.episodes,
            c.seed,
            c.ac_kappa_t,
            c.pov_rate,
            c.submit_offset_ticks,
            c.world,
        )
    };
    if let Some(n) = args.episodes {
        episodes = n;
    }
    if let Some(s) = args.seed {
        seed = s;
    }
    if !(kappa_t.is_finite() && kappa_t >= 0.0) {
        return Err(
            format!("config ({source}): ac_kappa_t = {kappa_t} must be finite and >= 0").into(),
        );
    }
    let cap = world.max_child_lots;
    let mut env = world.clone().build()?;
    let steps = env.parent().steps();
    let profile = estimated_profile(&mut env, 5)?;
    let mut policies: Vec<Box<ExecPolicy>> = vec![
        Box::new(Twap),
        Box::new(Vwap::new(profile)),
        Box::new(Pov::new(pov_rate)?),
        Box::new(AlmgrenChriss::new(kappa_t / f64::from(steps))?),
        Box::new(Immediate),
        Box::new(SubmitAndLeave::new(offset)),
    ];
    if let Some(cap) = cap {
        policies = policies
            .into_iter()
            .map(|inner| Box::new(Capped { inner, cap }) as Box<ExecPolicy>)
            .collect();
    }
    let total = (episodes * policies.len()) as u64;
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} episodes ({eta})")
            .map_err(|e| e.to_string())?
            .progress_chars("=> "),
    );
    let eval_config = EvalConfig::new(episodes, seed);
    let evaluation = evaluate(&mut env, &mut policies, &eval_config, &mut |done| {
        bar.set_position(done as u64)
    })?;
    bar.finish_and_clear();

    let title = if abides {
        "Execution showdown: ABIDES-gym execution-v0 task on the simulator"
    } else {
        "Execution showdown: limit-order-book simulator"
    };
    let flow = world.market.flow.model.name();
    let notes = format!(
        "World: {side:?} {x} lots over {h} s, a decision every {i} s ({steps} decisions), in \
         the event-driven simulator with `{flow}` background flow (warm-up {w} s, arrival \
         jitter up to {j} s), order-entry latency {lat:?}. Prices are in ticks. Costs split by \
         a twin market run without the strategy: impact = the mid the strategy moved up to \
         each child. {completion} Policies: Almgren-Chriss follows the sinh trajectory with \
         urgency kappa*T = {kappa_t} (no closed form in this world); POV rate {pov_rate}; \
         Submit-and-leave offset {offset} tick(s); VWAP profile estimated from the \
         simulator's volume.{capped} Config: {source}; seed {seed}.",
        side = world.side,
        x = world.quantity_lots,
        h = world.horizon_s,
        i = world.interval_s,
        w = world.market.session.warmup_s,
        j = world.arrival_jitter_s,
        lat = world.order_latency,
        completion = if world.complete_at_horizon {
            "Inventory left at the last decision is sent as a market order and charged."
        } else {
            "No forced completion: what is left is left (see `completion`)."
        },
        capped = cap.map_or(String::new(), |c| format!(
            " Every child is cut to the task's cap of {c} lots."
        )),
    );
    let written = evaluation.write(&args.out, title, &notes)?;
    let report = evaluation.report_markdown(title, "");
    for line in report
        .lines()
        .skip_while(|l| !l.starts_with("| Metric"))
        .take_while(|l| !l.is_empty())
    {
        println!("{line}");
    }
    println!(
        "wrote {}, {}, {} and {} plots",
        written.results.display(),
        written.report.display(),
        written.episodes.display(),
        written.plots.len()
    );
    let summary = serde_json::json!({
        "world": args.world,
        "episodes": episodes,
        "seed": seed,
        "policies": evaluation.summaries.iter().map(|p| serde_json::json!({
            "name": p.name,
            "mean_is_bps": p.mean_is_bps,
            "completion": p.completion,
        })).collect::<Vec<_>>(),
        "seconds": start.elapsed().as_secs_f64(),
    });
    println!("{summary}");
    Ok(())
}
