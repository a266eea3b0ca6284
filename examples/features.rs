//! Replays real market data through a feature pipeline and writes the feature matrix.
//!
//! ```text
//! cargo run --release --example features -- lobster --messages M --orderbook O --levels N --out FILE.csv [--config P.toml]
//! cargo run --release --example features -- binance --capture F.gz --out FILE.csv [--config P.toml]
//! ```
//!
//! Writes `FILE.csv` (header `ts_ns,<feature names>`, one row per event) and, next to it,
//! `FILE.svg` with a few features against time. Without `--config` the default pipeline
//! (`shortfall_features::DEFAULT_PIPELINE_TOML`) is used.
//!
//! Timing: the replay first records every event with the top levels of the book after it
//! (5 a side when the pipeline reads no more, else 16); the pipeline then runs over the
//! recording repeatedly (a fresh pipeline each time; at least 3 runs and about a second).
//! `events_per_s` is the fastest run by the wall clock; `events_per_cpu_s` uses the
//! thread's own CPU time over all runs (from `/proc/thread-self/schedstat`; 0 where
//! unavailable), which a loaded machine inflates less. Both time the features alone, on
//! one core, reading recorded book states from memory.
//!
//! The last line on stdout is one JSON object:
//! `{"rows":…,"features":…,"events_per_s":…,"events_per_cpu_s":…,"seconds":…,"replay_seconds":…}`.

#[path = "support/replay_rows.rs"]
mod replay_rows;

#[path = "support/cli.rs"]
mod cli;
use shortfall::core::MarketEvent;
use shortfall::features::{BookSnapshot, Dataset, DatasetBuilder, FeaturePipeline};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage:
  features lobster --messages M --orderbook O --levels N --out FILE.csv [--config P.toml]
  features binance --capture F.gz --out FILE.csv [--config P.toml]";

/// Book levels recorded per side; the pipeline may read at most this many. Pipelines that
/// read at most [`SMALL_RECORDING`] levels (the default reads 5) get a smaller recording.
const RECORDED_LEVELS: usize = 16;
const SMALL_RECORDING: usize = 5;

/// The parsed command line.
struct Command {
    source: Source,
    out: PathBuf,
    config: Option<PathBuf>,
}

enum Source {
    Lobster {
        messages: PathBuf,
        orderbook: PathBuf,
        levels: usize,
    },
    Binance {
        capture: PathBuf,
    },
}

fn parse_args(args: &[String]) -> Result<Command, String> {
    let (mode, rest) = args
        .split_first()
        .ok_or_else(|| "missing mode: `lobster` or `binance`".to_owned())?;
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
    let allowed: &[&str] = match mode.as_str() {
        "lobster" => &["--messages", "--orderbook", "--levels", "--out", "--config"],
        "binance" => &["--capture", "--out", "--config"],
        other => {
            return Err(format!(
                "unknown mode {other:?}: expected `lobster` or `binance`"
            ));
        }
    };
    if let Some((f, _)) = flags.iter().find(|(f, _)| !allowed.contains(&f.as_str())) {
        return Err(format!("unknown flag {f} for mode {mode}"));
    }
    let get = |name: &str| {
        flags
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, v)| v.clone())
    };
    let need = |name: &str| get(name).ok_or_else(|| format!("missing {name}"));
    let source = if mode == "lobster" {
        let levels_text = need("--levels")?;
        let levels = levels_text
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| format!("--levels: expected a positive integer, got {levels_text:?}"))?;
        Source::Lobster {
            messages: need("--messages")?.into(),
            orderbook: need("--orderbook")?.into(),
            levels,
        }
    } else {
        Source::Binance {
            capture: need("--capture")?.into(),
        }
    };
    Ok(Command {
        source,
        out: need("--out")?.into(),
        config: get("--config").map(PathBuf::from),
    })
}

fn main() -> ExitCode {
    cli::run_cli(USAGE, parse_args, run)
}

fn pipeline(config: Option<&Path>) -> Result<FeaturePipeline, Box<dyn std::error::Error>> {
    let p = match config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            FeaturePipeline::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => FeaturePipeline::default(),
    };
    if p.depth() > RECORDED_LEVELS {
        return Err(format!(
            "the pipeline reads {} levels per side; this example records {RECORDED_LEVELS}",
            p.depth()
        )
        .into());
    }
    Ok(p)
}

/// This thread's CPU time in seconds (Linux), if available.
fn thread_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns * 1e-9)
}

struct Timing {
    /// The fastest run, wall clock.
    wall: f64,
    /// CPU seconds per run, averaged over all runs.
    cpu: Option<f64>,
    runs: u32,
}

/// What the replay and the timed pipeline runs produced.
struct Outcome {
    data: Dataset,
    best: Timing,
    replay_seconds: f64,
    label: String,
}

/// Replays the source recording `N` levels per side, then times the pipeline over the
/// recording repeatedly (see the module documentation).
fn replay_and_time<const N: usize>(
    command: &Command,
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let started = std::time::Instant::now();
    let mut recorded: Vec<(MarketEvent, BookSnapshot<N>)> = Vec::new();
    let mut record = |e: &MarketEvent, book: &dyn shortfall::core::BookView| {
        recorded.push((*e, BookSnapshot::of(book)));
        Ok(())
    };
    let label = match &command.source {
        Source::Lobster {
            messages,
            orderbook,
            levels,
        } => {
            replay_rows::lobster_events(messages, orderbook, *levels, &mut record)?;
            format!("LOBSTER {} (level {levels})", messages.display())
        }
        Source::Binance { capture } => {
            replay_rows::binance_events(capture, &mut record)?;
            format!("Binance {}", capture.display())
        }
    };
    let replay_seconds = started.elapsed().as_secs_f64();

    // Repeat until a second has passed (at least 3, at most 50 runs): the fastest run gives
    // the wall-clock figure; the CPU figure is over all runs, since the kernel updates a
    // thread's CPU time only every few milliseconds.
    let mut best: Option<Timing> = None;
    let mut dataset = None;
    let (mut runs, mut total_wall) = (0u32, 0.0);
    let cpu_start = thread_cpu_seconds();
    while runs < 3 || (total_wall < 1.0 && runs < 50) {
        let mut builder = DatasetBuilder::new(pipeline(command.config.as_deref())?, vec![])?;
        builder.reserve(recorded.len());
        let t0 = std::time::Instant::now();
        for (event, book) in &recorded {
            builder.push(event, book)?;
        }
        let wall = t0.elapsed().as_secs_f64();
        total_wall += wall;
        runs += 1;
        if best.as_ref().is_none_or(|b| wall < b.wall) {
            best = Some(Timing {
                wall,
                cpu: None,
                runs: 0,
            });
        }
        dataset = Some(builder.finish()?);
    }
    if let (Some(b), Some(a), Some(z)) = (best.as_mut(), cpu_start, thread_cpu_seconds()) {
        // the CPU time includes finishing each dataset: a slight underestimate of the speed
        b.cpu = Some((z - a) / f64::from(runs)).filter(|c| *c > 0.0);
        b.runs = runs;
    }
    match (best, dataset) {
        (Some(best), Some(data)) => Ok(Outcome {
            data,
            best,
            replay_seconds,
            label,
        }),
        _ => Err("no pipeline run".into()),
    }
}

fn run(command: Command) -> Result<(), Box<dyn std::error::Error>> {
    let started = std::time::Instant::now();
    // Validate the configuration before replaying anything.
    let depth = pipeline(command.config.as_deref())?.depth();
    let Outcome {
        data,
        best,
        replay_seconds,
        label,
    } = if depth <= SMALL_RECORDING {
        replay_and_time::<SMALL_RECORDING>(&command)?
    } else {
        replay_and_time::<RECORDED_LEVELS>(&command)?
    };

    let csv = std::fs::File::create(&command.out)
        .map_err(|e| format!("cannot create {}: {e}", command.out.display()))?;
    data.write_csv(std::io::BufWriter::with_capacity(1 << 20, csv))
        .map_err(|e| format!("writing {}: {e}", command.out.display()))?;
    let svg = command.out.with_extension("svg");
    plot(&data, &svg).map_err(|e| format!("plotting {}: {e}", svg.display()))?;

    let rows = data.len();
    let per_s = |s: f64| if s > 0.0 { rows as f64 / s } else { 0.0 };
    let valid = data
        .feature_names
        .iter()
        .position(|n| n == "book_valid")
        .map(|c| data.features.column(c).sum() as usize);
    println!("features of {label}");
    println!(
        "  {rows} rows x {} features; replay and recording {:.3} s",
        data.feature_names.len(),
        replay_seconds
    );
    if let Some(v) = valid {
        println!("  rows with a valid (two-sided, uncrossed) book: {v}");
    }
    println!(
        "  pipeline, fastest of {} runs: {:.4} s wall = {:.2} M events/s; CPU time per run: {}",
        best.runs,
        best.wall,
        per_s(best.wall) / 1e6,
        best.cpu.map_or("unavailable".into(), |c| format!(
            "{c:.4} s = {:.2} M events/s per CPU-second",
            per_s(c) / 1e6
        ))
    );
    println!("  wrote {} and {}", command.out.display(), svg.display());
    println!(
        "{}",
        serde_json::json!({
            "rows": rows,
            "features": data.feature_names.len(),
            "events_per_s": per_s(best.wall).round(),
            "events_per_cpu_s": best.cpu.map_or(0.0, |c| per_s(c).round()),
            "seconds": started.elapsed().as_secs_f64(),
            "replay_seconds": replay_seconds,
        })
    );
    Ok(())
}

/// Six features against time (seconds since the first row), one panel each.
fn plot(data: &Dataset, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    use plotters::prelude::*;
    const WANTED: [&str; 6] = [
        "mid",
        "spread_bps",
        "imbalance_1",
        "ofi_l1_ev100",
        "realized_vol_bps_ev100",
        "trade_imbalance_ev100",
    ];
    let mut columns: Vec<usize> = WANTED
        .iter()
        .filter_map(|w| data.feature_names.iter().position(|n| n == w))
        .collect();
    if columns.is_empty() {
        columns = (0..data.feature_names.len().min(6)).collect();
    }
    let root = SVGBackend::new(path, (1200, 220 * columns.len() as u32)).into_drawing_area();
    root.fill(&WHITE)?;
    if data.is_empty() {
        root.present()?;
        return Ok(());
    }
    let t0 = data.timestamps[0];
    let step = (data.len() / 4000).max(1);
    let xs: Vec<f64> = data
        .timestamps
        .iter()
        .step_by(step)
        .map(|&t| (t - t0) as f64 * 1e-9)
        .collect();
    let x_end = xs.last().copied().unwrap_or(0.0).max(1e-9);
    for (panel, &c) in root.split_evenly((columns.len(), 1)).iter().zip(&columns) {
        let ys: Vec<f64> = data
            .features
            .column(c)
            .iter()
            .step_by(step)
            .copied()
            .collect();
        let lo = ys.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let pad = if hi > lo { 0.05 * (hi - lo) } else { 1.0 };
        let mut chart = ChartBuilder::on(panel)
            .caption(&data.feature_names[c], ("sans-serif", 16))
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..x_end, (lo - pad)..(hi + pad))?;
        chart.configure_mesh().x_desc("seconds").draw()?;
        chart.draw_series(LineSeries::new(
            xs.iter().copied().zip(ys.iter().copied()),
            &BLUE,
        ))?;
    }
    root.present()?;
    Ok(())
}
