//! Real-data signal benchmark: mid-price direction on the AMZN LOBSTER day at several
//! horizons, every model of `shortfall-signals` side by side under purged walk-forward.
//!
//! ```text
//! cargo run --release --example signals_benchmark -- [--messages M --orderbook O]
//!     [--horizons 10,50,100] [--folds 5] [--seed S] [--threshold A] [--max-events N] [--out DIR]
//! ```
//!
//! Defaults: the AMZN 2012-06-21 level-1 files under `../shared/data/lobster-amzn-l1`
//! (relative to the repository root), horizons 10, 50 and 100 events, 5 folds, seed 7,
//! threshold 0, output in `target/signals_benchmark`. The task, features, labels and
//! splits are documented in `examples/support/signals_bench.rs`.
//!
//! Writes `report.md`, `results.json`, `metrics_by_horizon.svg`, `calibration.svg` (the
//! model with the best mean AUC, one curve per horizon) and `gbdt_importance.svg`. The last
//! line on stdout is one JSON object
//! `{"rows":…,"horizons":[…],"models":[…],"best_auc":…,"best_model":…,"seconds":…}`.

// Shared glue: this program uses only its LOBSTER half.
#[allow(dead_code)]
#[path = "support/replay_rows.rs"]
mod replay_rows;
#[path = "support/signals_bench.rs"]
mod signals_bench;

#[path = "support/cli.rs"]
mod cli;
use serde_json::{Value, json};
use shortfall::signals::validation::calibration_curve;
use shortfall::signals::validation::plot::write_calibration_svg;
use signals_bench::{BenchConfig, BenchError, BenchResults, MODELS, mean_se};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: signals_benchmark [--messages M --orderbook O] [--horizons 10,50,100] \
[--folds 5] [--seed S] [--threshold A] [--max-events N] [--out DIR]";

const AMZN_MESSAGES: &str = "lobster-amzn-l1/AMZN_2012-06-21_34200000_57600000_message_1.csv";
const AMZN_ORDERBOOK: &str = "lobster-amzn-l1/AMZN_2012-06-21_34200000_57600000_orderbook_1.csv";

struct Args {
    messages: PathBuf,
    orderbook: PathBuf,
    out: PathBuf,
    max_events: Option<usize>,
    cfg: BenchConfig,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("../shared/data");
    let mut a = Args {
        messages: data.join(AMZN_MESSAGES),
        orderbook: data.join(AMZN_ORDERBOOK),
        out: root.join("target/signals_benchmark"),
        max_events: None,
        cfg: BenchConfig::default(),
    };
    let (mut got_m, mut got_o) = (false, false);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| format!("flag {flag} needs a value"))?;
        let num = |what: &str| -> Result<u64, String> {
            value
                .parse::<u64>()
                .map_err(|_| format!("{what}: expected a non-negative integer, got {value:?}"))
        };
        match flag.as_str() {
            "--messages" => {
                a.messages = value.into();
                got_m = true;
            }
            "--orderbook" => {
                a.orderbook = value.into();
                got_o = true;
            }
            "--out" => a.out = value.into(),
            "--horizons" => {
                a.cfg.horizons = value
                    .split(',')
                    .map(|h| {
                        h.trim()
                            .parse::<usize>()
                            .ok()
                            .filter(|&k| k >= 1)
                            .ok_or_else(|| {
                                format!("--horizons: expected positive integers, got {h:?}")
                            })
                    })
                    .collect::<Result<_, _>>()?;
                let mut sorted = a.cfg.horizons.clone();
                sorted.sort_unstable();
                sorted.dedup();
                if sorted.len() != a.cfg.horizons.len() {
                    return Err(format!("--horizons: a horizon is repeated in {value:?}"));
                }
            }
            "--folds" => {
                a.cfg.folds = usize::try_from(num("--folds")?)
                    .ok()
                    .filter(|&f| f >= 1)
                    .ok_or("--folds: expected at least 1")?;
            }
            "--seed" => a.cfg.seed = num("--seed")?,
            "--max-events" => a.max_events = Some(num("--max-events")? as usize),
            "--threshold" => {
                a.cfg.threshold = value
                    .parse::<f64>()
                    .ok()
                    .filter(|t| t.is_finite() && *t >= 0.0)
                    .ok_or_else(|| {
                        format!("--threshold: expected a finite number >= 0, got {value:?}")
                    })?;
            }
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if got_m != got_o {
        return Err("--messages and --orderbook go together".into());
    }
    Ok(a)
}

fn main() -> ExitCode {
    cli::run_cli(USAGE, parse_args, |a| run(&a))
}

fn run(args: &Args) -> Result<(), BenchError> {
    let started = Instant::now();
    for p in [&args.messages, &args.orderbook] {
        if !p.exists() {
            return Err(format!(
                "{} not found: the benchmark reads the AMZN LOBSTER sample from ../shared/data \
                 (relative to the repository root); pass --messages and --orderbook to use other files",
                p.display()
            )
            .into());
        }
    }
    let data = signals_bench::load_lobster(
        &args.messages,
        &args.orderbook,
        &args.cfg.horizons,
        args.cfg.threshold,
        args.max_events,
    )?;
    let load_seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "replayed {} events into {} labelled rows in {load_seconds:.2} s",
        data.events,
        data.len()
    );
    let results = signals_bench::run(&data, &args.cfg)?;
    let seconds = started.elapsed().as_secs_f64();

    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let (best_model, best_auc) = best_by_auc(&results);
    let json = results_json(&results, args, load_seconds, seconds);
    write(
        &args.out.join("results.json"),
        &serde_json::to_string_pretty(&json)?,
    )?;
    plot_metrics(&results, &args.out.join("metrics_by_horizon.svg"))?;
    let cal_path = args.out.join("calibration.svg");
    plot_calibration(&results, best_model, &cal_path)?;
    plot_importance(&results, &args.out.join("gbdt_importance.svg"))?;
    let report = report(&results, args, best_model, best_auc, load_seconds, seconds);
    write(&args.out.join("report.md"), &report)?;

    println!("{}", table_text(&results));
    println!(
        "wrote {}/{{report.md,results.json,*.svg}}",
        args.out.display()
    );
    println!(
        "{}",
        json!({
            "rows": results.rows,
            "horizons": args.cfg.horizons,
            "models": MODELS,
            "best_auc": best_auc,
            "best_model": MODELS[best_model],
            "seconds": seconds,
        })
    );
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), BenchError> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()).into())
}

/// The model with the best AUC averaged over horizons (mean of per-horizon fold means).
fn best_by_auc(r: &BenchResults) -> (usize, f64) {
    let mut best = (0, f64::NEG_INFINITY);
    for m in 0..MODELS.len() {
        let per_h: Vec<f64> = r
            .horizons
            .iter()
            .filter_map(|h| mean_se(h.models[m].folds.iter().map(|f| f.auc)).map(|x| x.0))
            .collect();
        if per_h.is_empty() {
            continue;
        }
        let avg = per_h.iter().sum::<f64>() / per_h.len() as f64;
        if avg > best.1 {
            best = (m, avg);
        }
    }
    best
}

type Metric = fn(&signals_bench::FoldMetrics) -> Option<f64>;

const METRICS: [(&str, Metric); 5] = [
    ("accuracy", |f| Some(f.accuracy)),
    ("macro_f1", |f| Some(f.macro_f1)),
    ("log_loss", |f| f.log_loss),
    ("auc", |f| f.auc),
    ("ic", |f| f.ic),
];

fn fmt_ms(v: Option<(f64, f64)>) -> String {
    v.map_or("—".into(), |(m, s)| format!("{m:.4} ± {s:.4}"))
}

fn table_text(r: &BenchResults) -> String {
    let mut s = String::new();
    for h in &r.horizons {
        let _ = writeln!(s, "k = {} events:", h.horizon);
        let _ = writeln!(
            s,
            "  {:<14} {:>17} {:>17} {:>17} {:>17} {:>17}",
            "model", "accuracy", "macro_f1", "log_loss", "auc", "ic"
        );
        for m in &h.models {
            let _ = write!(s, "  {:<14}", m.model);
            for (_, get) in METRICS {
                let _ = write!(s, " {:>17}", fmt_ms(mean_se(m.folds.iter().map(get))));
            }
            let _ = writeln!(s);
        }
    }
    s
}

fn results_json(r: &BenchResults, args: &Args, load_s: f64, seconds: f64) -> Value {
    let horizons: Vec<Value> = r
        .horizons
        .iter()
        .map(|h| {
            let models: Vec<Value> = h
                .models
                .iter()
                .map(|m| {
                    let mut summary = serde_json::Map::new();
                    for (name, get) in METRICS {
                        summary.insert(
                            name.into(),
                            mean_se(m.folds.iter().map(get))
                                .map_or(Value::Null, |(a, b)| json!({"mean": a, "se": b})),
                        );
                    }
                    json!({
                        "model": m.model,
                        "seconds": m.seconds,
                        "train_rows": m.train_rows,
                        "summary": summary,
                        "folds": m.folds.iter().map(|f| json!({
                            "accuracy": f.accuracy, "macro_f1": f.macro_f1,
                            "log_loss": f.log_loss, "auc": f.auc, "ic": f.ic,
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({
                "horizon": h.horizon,
                "labels": {"up": h.up, "down": h.down, "flat_dropped": h.flat,
                           "invalid_book_dropped": h.invalid_book},
                "folds": h.folds.iter().map(|f| json!({
                    "train_rows": f.train.len(),
                    "train_first_row": f.train.first(), "train_last_row": f.train.last(),
                    "test_rows": f.test.len(),
                    "test_first_row": f.test.first(), "test_last_row": f.test.last(),
                })).collect::<Vec<_>>(),
                "models": models,
                "regimes": h.regimes.iter().map(|g| json!({
                    "regime": g.regime, "rows": g.rows,
                    "accuracy": MODELS.iter().zip(&g.accuracy)
                        .map(|(m, a)| ((*m).to_owned(), json!(a)))
                        .collect::<serde_json::Map<_, _>>(),
                })).collect::<Vec<_>>(),
                "gbdt_importance": r.features.iter().zip(&h.gbdt_importance)
                    .map(|(n, v)| (n.clone(), json!(v)))
                    .collect::<serde_json::Map<_, _>>(),
            })
        })
        .collect();
    json!({
        "data": {"messages": args.messages.display().to_string(),
                 "orderbook": args.orderbook.display().to_string(),
                 "events": r.events, "rows": r.rows},
        "config": {"horizons": args.cfg.horizons, "folds": args.cfg.folds, "seed": args.cfg.seed,
                   "threshold": args.cfg.threshold, "smoothing": "future_mean",
                   "gbdt_rounds": args.cfg.gbdt_rounds, "rf_trees": args.cfg.rf_trees,
                   "rf_rows": args.cfg.rf_rows, "svm_rows": args.cfg.svm_rows,
                   "max_events": args.max_events},
        "features": r.features,
        "horizons": horizons,
        "load_seconds": load_s,
        "seconds": seconds,
    })
}

/// Paired difference `a − b` over folds: mean and standard error.
fn paired(a: &[f64], b: &[f64]) -> Option<(f64, f64)> {
    mean_se(a.iter().zip(b).map(|(x, y)| Some(x - y)))
}

fn report(
    r: &BenchResults,
    args: &Args,
    best_model: usize,
    best_auc: f64,
    load_s: f64,
    seconds: f64,
) -> String {
    let cfg = &args.cfg;
    let mut s = String::new();
    let _ = writeln!(s, "# Signal benchmark: AMZN mid-price direction\n");
    let _ = writeln!(
        s,
        "> **Not comparable to FI-2010.** These figures come from one day of one stock (AMZN, \
         NASDAQ, 2012-06-21, LOBSTER level-1 sample), with level-1 features from this \
         workspace's default pipeline, a binary up/down task with flat moves dropped, and \
         walk-forward splits within the day. The FI-2010 results in the literature (Ntakaris \
         et al. 2018; DeepLOB, Zhang et al. 2019) use ten-level books of five Finnish stocks \
         over ten days, three classes including stationary, their own normalisation and \
         splits. Accuracies, F1 scores and AUCs here must not be read against those numbers.\n"
    );
    let _ = writeln!(s, "## Data and task\n");
    let _ = writeln!(
        s,
        "- Data: `{}` ({} events replayed; {} rows with every label defined).",
        args.messages.display(),
        r.events,
        r.rows
    );
    let _ = writeln!(
        s,
        "- Label at horizon k (events): FI-2010 smoothing, `l = (mean(m[t+1..=t+k]) − m[t]) / m[t]`; \
         up if `l > {}`, down if `l < −{}`, flat otherwise. Flat rows and rows with an invalid book \
         are dropped; the models predict up (1) against down (0).",
        cfg.threshold, cfg.threshold
    );
    let _ = writeln!(
        s,
        "- Features: the default pipeline ({} columns used: {}), minus `book_valid` (constant once \
         invalid books are dropped) and `mid` (the price level: non-stationary). Z-scored with \
         the training fold's statistics only.",
        r.features.len(),
        r.features.join(", ")
    );
    let _ = writeln!(
        s,
        "- IC: Spearman correlation of each model's up-score with the raw future log return over \
         k events (`future_return_bps_k`)."
    );
    let _ = writeln!(s, "\n### Label balance\n");
    let _ = writeln!(
        s,
        "| k | up | down | up share | flat (dropped) | invalid book (dropped) |"
    );
    let _ = writeln!(s, "| ---: | ---: | ---: | ---: | ---: | ---: |");
    for h in &r.horizons {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.3} | {} | {} |",
            h.horizon,
            h.up,
            h.down,
            h.up as f64 / (h.up + h.down).max(1) as f64,
            h.flat,
            h.invalid_book
        );
    }
    let _ = writeln!(s, "\n## Split scheme\n");
    let _ = writeln!(
        s,
        "Walk-forward, expanding window, {} test blocks: the first 1/{} of the labelled rows is the \
         first training window; each later block is tested once, trained on every earlier row \
         whose label ends before the block starts (purged: a row at event e with horizon k is kept \
         only if e + k precedes the block's first event). Standard errors are over folds \
         (sample sd / √folds); folds of one day are serially dependent, so they understate the \
         uncertainty.\n",
        cfg.folds,
        cfg.folds + 1
    );
    if let Some(h) = r.horizons.first() {
        let _ = writeln!(
            s,
            "Folds at k = {} (row numbers of the labelled dataset):\n",
            h.horizon
        );
        let _ = writeln!(s, "| fold | train rows | test rows | test range |");
        let _ = writeln!(s, "| ---: | ---: | ---: | --- |");
        for (i, f) in h.folds.iter().enumerate() {
            let _ = writeln!(
                s,
                "| {i} | {} | {} | {}–{} |",
                f.train.len(),
                f.test.len(),
                f.test.first().copied().unwrap_or(0),
                f.test.last().copied().unwrap_or(0)
            );
        }
    }
    let _ = writeln!(s, "\n## Models\n");
    let _ = writeln!(
        s,
        "- `majority`: the training fold's majority class, with its up-rate as the probability.\n\
         - `logistic`: L2 logistic regression (λ = 1e-3, L-BFGS) on all training rows.\n\
         - `gbdt`: the histogram GBDT (≤ {} rounds, learning rate 0.05, 15 leaves, ≥ 100 rows a \
         leaf, λ₂ = 1, 80 % features a tree), early stopping (30 rounds) on the last 20 % of the \
         training fold, called through its own API.\n\
         - `random_forest`: smartcore forest, {} trees, depth ≤ 10, ≥ 20 rows a leaf, trained on \
         the **{} most recent** training rows only (smartcore's trees are too slow for the whole \
         fold in the time budget).\n\
         - `svm`: RBF SVM (C = 1, γ = 1/d), Platt probabilities, trained on the **{} most recent** \
         training rows only (SMO is quadratic in rows).\n\
         - `rls_online`: recursive least squares (forgetting 0.999) regressing ±1 on the features, \
         updated online through the test block with each label only once it is known; its \
         forecast is a score, not a probability, so it has no log-loss and its accuracy uses the \
         sign.",
        cfg.gbdt_rounds, cfg.rf_trees, cfg.rf_rows, cfg.svm_rows
    );
    let _ = writeln!(s, "\n## Results (mean ± s.e. over folds)\n");
    for h in &r.horizons {
        let _ = writeln!(s, "### k = {} events\n", h.horizon);
        let _ = writeln!(
            s,
            "| model | accuracy | macro-F1 | log-loss | AUC | IC | train rows (last fold) | seconds |"
        );
        let _ = writeln!(s, "| --- | --- | --- | --- | --- | --- | ---: | ---: |");
        for m in &h.models {
            let _ = write!(s, "| {} |", m.model);
            for (_, get) in METRICS {
                let _ = write!(s, " {} |", fmt_ms(mean_se(m.folds.iter().map(get))));
            }
            let _ = writeln!(
                s,
                " {} | {:.2} |",
                m.train_rows.last().copied().unwrap_or(0),
                m.seconds
            );
        }
        let _ = writeln!(s);
        if !h.regimes.is_empty() {
            let _ = writeln!(
                s,
                "Accuracy by regime (two-component Gaussian mixture on realised volatility and \
                 spread, fitted on each training fold; regime 0 = the calmer component; test rows \
                 pooled over folds):\n"
            );
            let _ = write!(s, "| regime | rows |");
            for m in MODELS {
                let _ = write!(s, " {m} |");
            }
            let _ = writeln!(s);
            let _ = writeln!(s, "| --- | ---: |{}", " ---: |".repeat(MODELS.len()));
            for g in &h.regimes {
                let _ = write!(s, "| {} | {} |", g.regime, g.rows);
                for a in &g.accuracy {
                    let _ = write!(s, " {a:.4} |");
                }
                let _ = writeln!(s);
            }
            let _ = writeln!(s);
        }
    }
    let _ = writeln!(s, "## Interpretation\n");
    let _ = writeln!(
        s,
        "Paired over folds against the `majority` baseline (difference ± s.e.; \"beyond noise\" \
         means more than two standard errors, a loose bar given serially dependent folds):\n"
    );
    for h in &r.horizons {
        let base_acc: Vec<f64> = h.models[0].folds.iter().map(|f| f.accuracy).collect();
        let mut beat = Vec::new();
        for m in h.models.iter().skip(1) {
            let acc: Vec<f64> = m.folds.iter().map(|f| f.accuracy).collect();
            let auc: Vec<f64> = m.folds.iter().map(|f| f.auc.unwrap_or(0.5)).collect();
            let half = vec![0.5; auc.len()];
            let (da, sa) = paired(&acc, &base_acc).unwrap_or((0.0, 0.0));
            let (du, su) = paired(&auc, &half).unwrap_or((0.0, 0.0));
            let verdict = |d: f64, se: f64| {
                if d > 2.0 * se && d > 0.0 {
                    "beyond noise"
                } else if d < -2.0 * se && d < 0.0 {
                    "worse, beyond noise"
                } else {
                    "within noise"
                }
            };
            beat.push(format!(
                "`{}`: accuracy {:+.4} ± {:.4} ({}), AUC − 0.5 = {:+.4} ± {:.4} ({})",
                m.model,
                da,
                sa,
                verdict(da, sa),
                du,
                su,
                verdict(du, su)
            ));
        }
        let _ = writeln!(s, "- k = {}: {}.", h.horizon, beat.join("; "));
    }
    let _ = writeln!(
        s,
        "\nBest mean AUC over horizons: `{}` ({best_auc:.4}). Its calibration (pooled test \
         predictions, one curve per horizon) is in `calibration.svg`; metrics by horizon in \
         `metrics_by_horizon.svg`; the GBDT's gain importance (normalised per fold, averaged over \
         folds and horizons) in `gbdt_importance.svg`.\n",
        MODELS[best_model]
    );
    let _ = writeln!(
        s,
        "Caveats: one day, one stock, level-1 book only; the threshold is 0, so one-tick \
         moves count; the majority baseline's accuracy is the test block's share of the \
         training majority class, and a model can beat it on AUC while not on accuracy when \
         its signal is weak relative to the class imbalance.\n"
    );
    let _ = writeln!(s, "## Timings\n");
    let _ = writeln!(
        s,
        "Replay and features: {load_s:.2} s; whole run {seconds:.2} s (wall clock, release build; \
         the machine may be shared, so timings are noisy). Per model, fit and predict summed over \
         folds:\n"
    );
    let _ = write!(s, "| model |");
    for h in &r.horizons {
        let _ = write!(s, " k = {} (s) |", h.horizon);
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "| --- |{}", " ---: |".repeat(r.horizons.len()));
    for (m, name) in MODELS.iter().enumerate() {
        let _ = write!(s, "| {name} |");
        for h in &r.horizons {
            let _ = write!(s, " {:.2} |", h.models[m].seconds);
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(
        s,
        "\nReproduce: `cargo run --release --example signals_benchmark -- --horizons {} --folds {} \
         --seed {} --threshold {}`",
        cfg.horizons
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(","),
        cfg.folds,
        cfg.seed,
        cfg.threshold
    );
    s
}

const COLOURS: [plotters::style::RGBColor; 6] = [
    plotters::style::RGBColor(120, 120, 120),
    plotters::style::RGBColor(31, 119, 180),
    plotters::style::RGBColor(255, 127, 14),
    plotters::style::RGBColor(44, 160, 44),
    plotters::style::RGBColor(214, 39, 40),
    plotters::style::RGBColor(148, 103, 189),
];

fn plot_err(e: impl std::fmt::Display) -> BenchError {
    format!("plotting: {e}").into()
}

/// Accuracy, macro-F1, AUC and IC against the horizon, one line per model, ±1 s.e. bars.
fn plot_metrics(r: &BenchResults, path: &Path) -> Result<(), BenchError> {
    use plotters::prelude::*;
    let root = SVGBackend::new(path, (1200, 900)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    let panels = root.split_evenly((2, 2));
    let shown: [(&str, Metric); 4] = [METRICS[0], METRICS[1], METRICS[3], METRICS[4]];
    let ks: Vec<f64> = r.horizons.iter().map(|h| h.horizon as f64).collect();
    let (kmin, kmax) = (
        ks.iter().copied().fold(f64::INFINITY, f64::min),
        ks.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    let pad = ((kmax - kmin) * 0.08).max(1.0);
    for (panel, (name, get)) in panels.iter().zip(shown) {
        let series: Vec<Vec<(f64, f64, f64)>> = (0..MODELS.len())
            .map(|m| {
                r.horizons
                    .iter()
                    .filter_map(|h| {
                        mean_se(h.models[m].folds.iter().map(get))
                            .map(|(a, b)| (h.horizon as f64, a, b))
                    })
                    .collect()
            })
            .collect();
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for p in series.iter().flatten() {
            lo = lo.min(p.1 - p.2);
            hi = hi.max(p.1 + p.2);
        }
        if !lo.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        let ypad = ((hi - lo) * 0.1).max(1e-3);
        let mut chart = ChartBuilder::on(panel)
            .caption(
                format!("{name} by horizon (mean ± s.e. over folds)"),
                ("sans-serif", 18),
            )
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(60)
            .build_cartesian_2d((kmin - pad)..(kmax + pad), (lo - ypad)..(hi + ypad))
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_desc("horizon k (events)")
            .draw()
            .map_err(plot_err)?;
        for (m, pts) in series.iter().enumerate() {
            let c = COLOURS[m % COLOURS.len()];
            chart
                .draw_series(LineSeries::new(
                    pts.iter().map(|p| (p.0, p.1)),
                    c.stroke_width(2),
                ))
                .map_err(plot_err)?
                .label(MODELS[m])
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], c.stroke_width(2)));
            chart
                .draw_series(
                    pts.iter().map(|p| {
                        ErrorBar::new_vertical(p.0, p.1 - p.2, p.1, p.1 + p.2, c.filled(), 6)
                    }),
                )
                .map_err(plot_err)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(plot_err)?;
    }
    root.present().map_err(plot_err)?;
    Ok(())
}

/// Reliability of the best model's pooled test probabilities, one curve per horizon.
fn plot_calibration(r: &BenchResults, model: usize, path: &Path) -> Result<(), BenchError> {
    let mut curves = Vec::new();
    for h in &r.horizons {
        let (up, p) = &h.pooled[model];
        if up.is_empty() {
            continue;
        }
        curves.push((format!("k = {}", h.horizon), calibration_curve(up, p, 10)?));
    }
    if curves.is_empty() {
        // The best model gives no probabilities (the RLS scorer): fall back to the GBDT.
        return plot_calibration(r, 2, path);
    }
    let refs: Vec<(&str, &_)> = curves.iter().map(|(l, c)| (l.as_str(), c)).collect();
    write_calibration_svg(
        path,
        &format!(
            "Calibration of {} (AMZN, pooled walk-forward test)",
            MODELS[model]
        ),
        &refs,
    )?;
    Ok(())
}

/// GBDT gain importance averaged over folds and horizons, largest first.
fn plot_importance(r: &BenchResults, path: &Path) -> Result<(), BenchError> {
    use plotters::prelude::*;
    let d = r.features.len();
    let mut imp = vec![0.0; d];
    for h in &r.horizons {
        for (a, v) in imp.iter_mut().zip(&h.gbdt_importance) {
            *a += v / r.horizons.len() as f64;
        }
    }
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| imp[b].total_cmp(&imp[a]).then(a.cmp(&b)));
    let top = imp.iter().copied().fold(0.0, f64::max).max(1e-9);
    let root = SVGBackend::new(path, (900, 40 + 26 * d as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "GBDT gain importance (share, mean over folds and horizons)",
            ("sans-serif", 18),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(200)
        .build_cartesian_2d(0.0..top * 1.1, (0..d).into_segmented())
        .map_err(plot_err)?;
    let names: Vec<String> = order.iter().map(|&i| r.features[i].clone()).collect();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(d)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                names.get(d - 1 - *i).cloned().unwrap_or_default()
            }
            SegmentValue::Last => String::new(),
        })
        .draw()
        .map_err(plot_err)?;
    chart
        .draw_series(order.iter().enumerate().map(|(rank, &f)| {
            let y = d - 1 - rank;
            Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(y)),
                    (imp[f], SegmentValue::Exact(y + 1)),
                ],
                COLOURS[2].filled(),
            )
        }))
        .map_err(plot_err)?;
    root.present().map_err(plot_err)?;
    Ok(())
}
