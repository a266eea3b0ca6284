//! Calibrates background order-flow models from a LOBSTER file pair.
//!
//! ```text
//! cargo run --release --example calibrate -- lobster --messages M --orderbook O
//!     [--tick 100] [--levels 1] [--out DIR] [--start S] [--end S] [--hawkes4 true|false]
//!     [--beta shared|per_target|full] [--starts N] [--simulate true|false]
//! ```
//!
//! Writes `calibration.md` (the report) and `calibration.json` (every estimate) into `DIR`
//! (default `.`), prints the report's headline figures, and prints as its **last stdout line**
//! one JSON object with the main estimates (see
//! `shortfall_lob_sim::calibrate::Calibration::summary_json`) plus `seconds`, the wall time of
//! the whole calibration. `--tick` is in LOBSTER price units (dollars × 10 000; 100 = one
//! cent); `--start`/`--end` bound the window in seconds after midnight; `--hawkes4 true` adds
//! the 4-D Hawkes fit of market and limit orders. Units of every field are in the
//! `shortfall_lob_sim::calibrate` module docs.
//!
//! Unless `--simulate false`, it then maps the estimates onto a zero-intelligence simulator
//! configuration (`Calibration::to_sim_config`, written as `sim_config.toml`), simulates a
//! session as long as the calibrated window, and writes `calibration_vs_simulation.md`: the
//! data's mean spread, event rates and market-order sizes next to the simulation's. The
//! summary then also carries `sim_mean_spread_ticks`, `sim_market_per_s` and
//! `sim_limit_per_s`.

#[path = "support/cli.rs"]
mod cli;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use shortfall::lob_sim::calibrate::{CalibrationOptions, calibrate_files, simulate_stats};
use shortfall::lob_sim::hawkes::BetaMode;

const USAGE: &str = "usage:
  calibrate lobster --messages M --orderbook O [--tick 100] [--levels 1] [--out DIR]
                    [--start S] [--end S] [--hawkes4 true|false]
                    [--beta shared|per_target|full] [--starts N] [--simulate true|false]";

struct Args {
    simulate: bool,
    messages: PathBuf,
    orderbook: PathBuf,
    out: PathBuf,
    opts: CalibrationOptions,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let (mode, rest) = args
        .split_first()
        .ok_or_else(|| "missing mode: `lobster`".to_owned())?;
    if mode != "lobster" {
        return Err(format!("unknown mode {mode:?}: expected `lobster`"));
    }
    let mut flags: Vec<(String, String)> = Vec::new();
    let mut it = rest.iter();
    while let Some(flag) = it.next() {
        if !flag.starts_with("--") {
            return Err(format!("unexpected argument {flag:?}"));
        }
        let value = it
            .next()
            .ok_or_else(|| format!("flag {flag} needs a value"))?;
        if flags.iter().any(|(f, _)| f == flag) {
            return Err(format!("flag {flag} given twice"));
        }
        flags.push((flag.clone(), value.clone()));
    }
    let allowed = [
        "--messages",
        "--orderbook",
        "--tick",
        "--levels",
        "--out",
        "--start",
        "--end",
        "--hawkes4",
        "--beta",
        "--starts",
        "--simulate",
    ];
    if let Some((f, _)) = flags.iter().find(|(f, _)| !allowed.contains(&f.as_str())) {
        return Err(format!("unknown flag {f}"));
    }
    let get = |name: &str| {
        flags
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, v)| v.as_str())
    };
    fn num<T: std::str::FromStr>(name: &str, v: &str) -> Result<T, String> {
        v.parse().map_err(|_| format!("{name}: cannot parse {v:?}"))
    }
    let mut opts = CalibrationOptions::default();
    if let Some(v) = get("--tick") {
        opts.tick = num("--tick", v)?;
    }
    if let Some(v) = get("--levels") {
        opts.depth = num("--levels", v)?;
    }
    if let Some(v) = get("--start") {
        opts.session_start_s = Some(num("--start", v)?);
    }
    if let Some(v) = get("--end") {
        opts.session_end_s = Some(num("--end", v)?);
    }
    if let Some(v) = get("--hawkes4") {
        opts.hawkes_limit_and_market = num("--hawkes4", v)?;
    }
    if let Some(v) = get("--starts") {
        opts.hawkes_fit.starts = num("--starts", v)?;
    }
    if let Some(v) = get("--beta") {
        opts.hawkes_fit.beta = match v {
            "shared" => BetaMode::Shared,
            "per_target" => BetaMode::PerTarget,
            "full" => BetaMode::Full,
            other => {
                return Err(format!(
                    "--beta: expected shared, per_target or full, got {other:?}"
                ));
            }
        };
    }
    let simulate = match get("--simulate") {
        Some(v) => num("--simulate", v)?,
        None => true,
    };
    Ok(Args {
        simulate,
        messages: get("--messages").ok_or("missing --messages")?.into(),
        orderbook: get("--orderbook").ok_or("missing --orderbook")?.into(),
        out: get("--out").unwrap_or(".").into(),
        opts,
    })
}

fn run(a: Args) -> Result<(), String> {
    let t0 = Instant::now();
    let cal = calibrate_files(&a.messages, &a.orderbook, &a.opts).map_err(|e| e.to_string())?;
    let seconds = t0.elapsed().as_secs_f64();
    std::fs::create_dir_all(&a.out).map_err(|e| format!("{}: {e}", a.out.display()))?;
    let md = a.out.join("calibration.md");
    std::fs::write(&md, cal.to_markdown()).map_err(|e| format!("{}: {e}", md.display()))?;
    let js = a.out.join("calibration.json");
    let text = serde_json::to_string_pretty(&cal).map_err(|e| e.to_string())?;
    std::fs::write(&js, text).map_err(|e| format!("{}: {e}", js.display()))?;
    let zi = &cal.zero_intelligence;
    println!(
        "window {:.1} s, {} messages; limit {:.4}/s, market {:.4}/s, cancel/share {:.3e}/s; \
         spread {:.3} ticks (time-weighted)",
        cal.source.duration_s,
        cal.source.rows,
        zi.limit_rate_per_s,
        zi.market_orders.total_per_s,
        zi.cancels.rate_per_share_per_s,
        cal.data.mean_spread_ticks_time_weighted
    );
    println!("wrote {} and {}", md.display(), js.display());
    let mut summary = cal.summary_json();
    if a.simulate {
        let config = cal.to_sim_config().map_err(|e| e.to_string())?;
        let toml_path = a.out.join("sim_config.toml");
        let text = toml::to_string(&config).map_err(|e| e.to_string())?;
        std::fs::write(&toml_path, text).map_err(|e| format!("{}: {e}", toml_path.display()))?;
        let sim = simulate_stats(&config).map_err(|e| e.to_string())?;
        let table = cal.comparison_markdown(&sim);
        let cmp = a.out.join("calibration_vs_simulation.md");
        let doc = format!(
            "# Calibrated simulator against its data\n\nThe zero-intelligence simulator \
             configured from `calibration.json` (`sim_config.toml`), one session as long as \
             the calibrated window, seed {}.\n\n{table}",
            config.seed
        );
        std::fs::write(&cmp, doc).map_err(|e| format!("{}: {e}", cmp.display()))?;
        print!("{table}");
        println!("wrote {} and {}", toml_path.display(), cmp.display());
        summary["sim_mean_spread_ticks"] = serde_json::json!(sim.mean_spread_ticks);
        summary["sim_market_per_s"] = serde_json::json!(sim.market_per_s);
        summary["sim_limit_per_s"] = serde_json::json!(sim.limit_per_s);
    }
    summary["seconds"] = serde_json::json!(seconds);
    println!("{summary}");
    Ok(())
}

fn main() -> ExitCode {
    cli::run_cli(USAGE, parse_args, run)
}
