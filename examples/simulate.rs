//! Runs a simulated market for a session and reports its stylized facts.
//!
//! ```text
//! cargo run --release --example simulate -- [--config FILE] [--seed N] [--out DIR]
//!     [--flow zi|qr|abides|hawkes] [--impact-runs N]
//! ```
//!
//! Writes to DIR (default `out/simulate`): `events.csv` (every public event of the
//! session), `summary.json`, and the plots `mid_price.svg`, `spread_histogram.svg` and
//! `impact_curve.svg`. The metaorder impact curve is measured in branches of the same
//! market after the session (see `shortfall_lob_sim::sim::impact`). Progress goes to stderr.
//!
//! The last stdout line is one JSON object with at least the keys `events`,
//! `events_per_s`, `excess_kurtosis`, `return_acf_lag1`, `abs_return_acf_lag1`,
//! `impact_exponent` and `mean_spread_ticks`. `events` counts the exchange requests of the
//! session (limit, market, cancel and modify orders); `events_per_s` is that count over the
//! wall time of the session run alone (one core, event recording on).

#[path = "support/cli.rs"]
mod cli;
use indicatif::{ProgressBar, ProgressStyle};
use plotters::prelude::*;
use shortfall_core::{BookView, Instrument, MarketEvent, Side, Ts};
use shortfall_lob_sim::sim::impact::{ImpactCurve, MetaorderSpec, measure_impact};
use shortfall_lob_sim::sim::{FlowModel, OrderFlow, SimConfig, stats};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: simulate [--config FILE] [--seed N] [--out DIR] [--flow zi|qr|abides|hawkes] [--impact-runs N]";

/// Seconds between two mid samples (the return horizon).
const GRID_S: i64 = 1;

struct Args {
    config: Option<PathBuf>,
    seed: Option<u64>,
    out: PathBuf,
    flow: Option<FlowModel>,
    impact_runs: usize,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut parsed = Args {
        config: None,
        seed: None,
        out: PathBuf::from("out/simulate"),
        flow: None,
        impact_runs: 300,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| format!("flag {flag} needs a value"))?;
        match flag.as_str() {
            "--config" => parsed.config = Some(PathBuf::from(value)),
            "--seed" => {
                parsed.seed = Some(
                    value
                        .parse()
                        .map_err(|_| format!("--seed: expected an integer, got {value:?}"))?,
                );
            }
            "--out" => parsed.out = PathBuf::from(value),
            "--flow" => parsed.flow = Some(value.parse().map_err(|e| format!("--flow: {e}"))?),
            "--impact-runs" => {
                parsed.impact_runs = value
                    .parse()
                    .map_err(|_| format!("--impact-runs: expected an integer, got {value:?}"))?;
            }
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(parsed)
}

fn main() -> ExitCode {
    cli::run_cli(USAGE, parse_args, |a| run(&a))
}

fn progress_bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({eta})")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_message(what.to_owned());
    bar
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = match &args.config {
        Some(path) => SimConfig::from_file(path)?,
        None => SimConfig::default(),
    };
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    if let Some(flow) = args.flow {
        config.flow.model = flow;
    }
    config.validate()?;
    std::fs::create_dir_all(&args.out)?;

    let mut market = config.build()?;
    let warmup = config.warmup_length();
    market.run_until(warmup);
    market.record_events(true);

    let session = config.session_length();
    let steps = (session.0 / Ts::from_secs(GRID_S).0).max(1);
    let bar = progress_bar(steps as u64, "session");
    let mut mids = Vec::with_capacity(steps as usize + 1);
    let mut spreads = Vec::with_capacity(steps as usize + 1);
    let mut events = Vec::new();
    let mut last_mid = market.book().mid().unwrap_or(f64::NAN);
    mids.push(last_mid);
    let requests_before = market.counters().requests;
    let started = Instant::now();
    for k in 1..=steps {
        market.run_until(Ts(warmup.0 + k * Ts::from_secs(GRID_S).0));
        last_mid = market.book().mid().unwrap_or(last_mid);
        mids.push(last_mid);
        if let Some(s) = market.book().spread() {
            spreads.push(s.0);
        }
        if k % 64 == 0 {
            market.take_events(&mut events);
            bar.set_position(k as u64);
        }
    }
    let wall = started.elapsed().as_secs_f64();
    market.take_events(&mut events);
    market.record_events(false);
    bar.finish_and_clear();
    let requests = market.counters().requests - requests_before;
    let events_per_s = requests as f64 / wall;

    // Stylized facts of the session.
    let valid: Vec<f64> = mids.iter().copied().filter(|m| m.is_finite()).collect();
    let returns = stats::log_returns(&valid)?;
    let excess_kurtosis = stats::excess_kurtosis(&returns);
    let acf1 = stats::autocorrelation(&returns, 1);
    let abs_acf = stats::abs_autocorrelations(&returns, 10);
    let mean_spread = spreads.iter().sum::<i64>() as f64 / spreads.len().max(1) as f64;

    // Metaorder impact in branches of the same market.
    let spec = MetaorderSpec {
        runs: args.impact_runs.max(2),
        seed: config.seed,
        ..MetaorderSpec::default()
    };
    let total = spec.runs * spec.sizes_lots.len();
    let bar = progress_bar(total as u64, "impact");
    let impact_started = Instant::now();
    let curve = measure_impact(&mut market, &spec, |done, _| bar.set_position(done as u64))?;
    bar.finish_and_clear();
    let impact_wall = impact_started.elapsed().as_secs_f64();

    write_events(&args.out.join("events.csv"), &events, &config.instrument)?;
    plot_mid(&args.out.join("mid_price.svg"), &mids, &config)?;
    plot_spreads(&args.out.join("spread_histogram.svg"), &spreads)?;
    plot_impact(&args.out.join("impact_curve.svg"), &curve)?;

    let impact_exponent = curve.fit.map_or(f64::NAN, |f| f.exponent);
    let points: Vec<serde_json::Value> = curve
        .points
        .iter()
        .map(|p| {
            serde_json::json!({
                "size_lots": p.size_lots,
                "mean_peak_ticks": p.mean_peak_ticks,
                "se_peak_ticks": p.se_peak_ticks,
                "mean_permanent_ticks": p.mean_permanent_ticks,
                "se_permanent_ticks": p.se_permanent_ticks,
                "runs": p.runs,
            })
        })
        .collect();
    let summary = serde_json::json!({
        "flow": market.flow().name(),
        "seed": config.seed,
        "session_s": session.as_secs_f64(),
        "events": requests,
        "public_events": events.len(),
        "wall_s": wall,
        "events_per_s": events_per_s,
        "return_horizon_s": GRID_S,
        "returns": returns.len(),
        "excess_kurtosis": excess_kurtosis,
        "return_acf_lag1": acf1,
        "abs_return_acf_lag1": abs_acf[0],
        "abs_return_acf": abs_acf,
        "return_acf": (1..=10).map(|k| stats::autocorrelation(&returns, k)).collect::<Vec<_>>(),
        "impact_exponent": impact_exponent,
        "impact_exponent_se": curve.fit.map_or(f64::NAN, |f| f.exponent_se),
        "impact_points": points,
        "impact_wall_s": impact_wall,
        "mean_spread_ticks": mean_spread,
    });
    std::fs::write(
        args.out.join("summary.json"),
        serde_json::to_string_pretty(&summary)?,
    )?;
    println!(
        "{} market, seed {}: {} requests in {:.3} s ({:.2} M/s); {} returns at {} s: excess kurtosis {:.2}, acf(1) {:.3}, |r| acf(1) {:.3}; mean spread {:.2} ticks; impact exponent {:.3}",
        market.flow().name(),
        config.seed,
        requests,
        wall,
        events_per_s / 1e6,
        returns.len(),
        GRID_S,
        excess_kurtosis,
        acf1,
        abs_acf[0],
        mean_spread,
        impact_exponent
    );
    println!("wrote {}", args.out.display());
    let keys = [
        "flow",
        "events",
        "events_per_s",
        "excess_kurtosis",
        "return_acf_lag1",
        "abs_return_acf_lag1",
        "impact_exponent",
        "mean_spread_ticks",
    ];
    let last: serde_json::Map<String, serde_json::Value> = keys
        .iter()
        .map(|k| ((*k).to_owned(), summary[*k].clone()))
        .collect();
    println!("{}", serde_json::Value::Object(last));
    Ok(())
}

fn write_events(
    path: &Path,
    events: &[MarketEvent],
    instrument: &Instrument,
) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(w, "ts_ns,type,order_id,side,price,qty")?;
    let side = |s: Side| if s == Side::Buy { "B" } else { "S" };
    for e in events {
        match *e {
            MarketEvent::Add {
                ts,
                order_id,
                side: s,
                price,
                qty,
            } => writeln!(
                w,
                "{},add,{},{},{},{}",
                ts.0,
                order_id.0,
                side(s),
                instrument.format_price(price),
                qty.0
            )?,
            MarketEvent::Cancel { ts, order_id, qty } => {
                writeln!(w, "{},cancel,{},,,{}", ts.0, order_id.0, qty.0)?
            }
            MarketEvent::Delete { ts, order_id } => {
                writeln!(w, "{},delete,{},,,", ts.0, order_id.0)?
            }
            MarketEvent::Execute {
                ts,
                order_id,
                side: s,
                price,
                qty,
            } => writeln!(
                w,
                "{},execute,{},{},{},{}",
                ts.0,
                order_id.0,
                side(s),
                instrument.format_price(price),
                qty.0
            )?,
            other => writeln!(w, "{},other,,,,", other.ts().0)?,
        }
    }
    w.flush()
}

type PlotResult = Result<(), Box<dyn std::error::Error>>;

fn plot_mid(path: &Path, mids: &[f64], config: &SimConfig) -> PlotResult {
    let tick = config.instrument.tick_size();
    let prices: Vec<(f64, f64)> = mids
        .iter()
        .enumerate()
        .filter(|(_, m)| m.is_finite())
        .map(|(i, m)| ((i as i64 * GRID_S) as f64, m * tick))
        .collect();
    let (lo, hi) = prices
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.1), b.max(p.1))
        });
    let pad = ((hi - lo) * 0.05).max(tick);
    let root = SVGBackend::new(path, (900, 450)).into_drawing_area();
    root.fill(&WHITE)?;
    let t_end = prices.last().map_or(1.0, |p| p.0.max(1.0));
    let mut chart = ChartBuilder::on(&root)
        .caption("Mid price", ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..t_end, (lo - pad)..(hi + pad))?;
    chart
        .configure_mesh()
        .x_desc("session time (s)")
        .y_desc("price")
        .draw()?;
    chart.draw_series(LineSeries::new(prices, &BLUE))?;
    root.present()?;
    Ok(())
}

fn plot_spreads(path: &Path, spreads: &[i64]) -> PlotResult {
    let max = spreads.iter().copied().max().unwrap_or(1).clamp(1, 20);
    let mut counts = vec![0u32; max as usize + 1];
    for &s in spreads {
        counts[(s.clamp(0, max)) as usize] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(1).max(1);
    let root = SVGBackend::new(path, (700, 450)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption("Bid-ask spread (sampled every second)", ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(60)
        .build_cartesian_2d(
            (0u32..max as u32 + 1).into_segmented(),
            0u32..top + top / 10 + 1,
        )?;
    chart
        .configure_mesh()
        .x_desc("spread (ticks)")
        .y_desc("samples")
        .draw()?;
    chart.draw_series(
        Histogram::vertical(&chart)
            .style(BLUE.filled())
            .margin(4)
            .data(counts.iter().enumerate().map(|(s, &c)| (s as u32, c))),
    )?;
    root.present()?;
    Ok(())
}

fn plot_impact(path: &Path, curve: &ImpactCurve) -> PlotResult {
    let root = SVGBackend::new(path, (700, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let q_max = curve
        .points
        .iter()
        .map(|p| p.size_lots as f64)
        .fold(1.0, f64::max);
    let q_min = curve
        .points
        .iter()
        .map(|p| p.size_lots as f64)
        .fold(f64::INFINITY, f64::min);
    let lo = curve
        .points
        .iter()
        .map(|p| (p.mean_peak_ticks - 2.0 * p.se_peak_ticks).min(p.mean_permanent_ticks))
        .fold(f64::INFINITY, f64::min)
        .max(0.05);
    let hi = curve
        .points
        .iter()
        .map(|p| p.mean_peak_ticks + 2.0 * p.se_peak_ticks)
        .fold(0.1, f64::max);
    let caption = match curve.fit {
        Some(f) => format!(
            "Metaorder impact: fitted δ = {:.2} ± {:.2}",
            f.exponent, f.exponent_se
        ),
        None => "Metaorder impact (no fit: a mean impact is not positive)".to_owned(),
    };
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(
            ((q_min * 0.8)..(q_max * 1.25)).log_scale(),
            ((lo * 0.8)..(hi * 1.25)).log_scale(),
        )?;
    chart
        .configure_mesh()
        .x_desc("metaorder size Q (lots)")
        .y_desc("signed mid move (ticks)")
        .draw()?;
    chart
        .draw_series(curve.points.iter().map(|p| {
            let q = p.size_lots as f64;
            ErrorBar::new_vertical(
                q,
                (p.mean_peak_ticks - 2.0 * p.se_peak_ticks).max(lo * 0.8),
                p.mean_peak_ticks.max(lo * 0.8),
                p.mean_peak_ticks + 2.0 * p.se_peak_ticks,
                BLUE.filled(),
                8,
            )
        }))?
        .label("peak (end of metaorder), ±2 s.e.")
        .legend(|(x, y)| Circle::new((x + 10, y), 4, BLUE.filled()));
    chart
        .draw_series(
            curve
                .points
                .iter()
                .filter(|p| p.mean_permanent_ticks > 0.0)
                .map(|p| {
                    Circle::new(
                        (p.size_lots as f64, p.mean_permanent_ticks),
                        4,
                        RED.filled(),
                    )
                }),
        )?
        .label("after relaxation (permanent)")
        .legend(|(x, y)| Circle::new((x + 10, y), 4, RED.filled()));
    if let Some(fit) = curve.fit {
        let line: Vec<(f64, f64)> = (0..=20)
            .map(|i| {
                let q = q_min * (q_max / q_min).powf(i as f64 / 20.0);
                (q, fit.prefactor * q.powf(fit.exponent))
            })
            .collect();
        chart
            .draw_series(LineSeries::new(line, &BLACK))?
            .label("power-law fit")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperLeft)
        .draw()?;
    root.present()?;
    Ok(())
}
