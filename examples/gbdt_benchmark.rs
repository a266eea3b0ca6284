//! Train and evaluate the histogram GBDT of `shortfall-signals` on a CSV, or write the
//! synthetic benchmark data set.
//!
//! ```text
//! cargo run --release --example gbdt_benchmark -- --csv FILE [--label-col label]
//!     [--train-rows 160000] [--rounds 100] [--leaves 31] [--bins 255] [--lr 0.1]
//!     [--threads 2] [--min-data-in-leaf 20] [--lambda-l2 0] [--seed 0]
//! cargo run --release --example gbdt_benchmark -- --generate FILE [--rows 200000] [--seed 0]
//! ```
//!
//! `--csv FILE`: a header row of column names, then one row per sample; the `--label-col`
//! column holds the 0/1 label, every other column is a numeric feature. The first
//! `--train-rows` rows train a binary log-loss model (the remaining parameters as LightGBM
//! calls them: `num_iterations`, `num_leaves`, `max_bin`, `learning_rate`, `num_threads`,
//! `min_data_in_leaf`, `lambda_l2`; everything else at LightGBM's defaults), the rest test it.
//! The program prints a short summary and, as its **last stdout line**, exactly one JSON
//! object:
//!
//! ```text
//! {"train_s":…,"auc":…,"accuracy":…,"logloss":…,"train_cpu_s":…,"trees":…,"train_rows":…,"test_rows":…,"features":…,"threads":…}
//! ```
//!
//! `train_s` is the (with `--repeat N`: median over N identical fits of the) wall time of checking the training set (`Dataset::new`) and of
//! `Gbdt::fit` (binning and boosting), from the in-memory matrix (not reading the file);
//! `auc` the test ROC AUC (Mann–Whitney, ties counted half), `accuracy` the test accuracy at
//! P(y = 1) > 0.5, `logloss` the mean test log-loss, `train_cpu_s` the CPU time (all threads,
//! 10 ms resolution, from `/proc/self/stat`; `null` off Linux) over the same span.
//!
//! `--generate FILE`: writes `--rows` × 30 features plus `label`, deterministic from `--seed`:
//! features are N(0, 1) (even columns) or U(−2, 2) (odd columns), rounded to 6 decimals; the
//! latent score is
//!
//! ```text
//! 1.2 sin(1.5 x0) + x1 x2 + 0.8·[x3 > 0.3]·x4 − 0.6 x5² + 0.5 x6 x7 x8 + 0.7 cos(x9 + x10)
//!   + 0.4 (x11 + x12 − x13 + x14 − x15) + 0.5 |x16| x17 + 0.5 ε,   ε ~ N(0, 1)
//! ```
//!
//! and the label is 1 when the score exceeds its median; then 5 % of the labels (each row with
//! probability 0.05) are flipped. Columns x18 … x29 are pure noise.
//!
//! Bad input (missing file, no label column, a ragged row, a non-numeric or non-finite value,
//! a label other than 0/1, too few rows) prints an error naming the file, line and column to
//! stderr and exits with status 1.

use std::fmt;
use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use ndarray::{Array2, s};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use shortfall::signals::gbdt::{Gbdt, GbdtParams};
use shortfall::signals::{Dataset, Learner, Task};

const USAGE: &str = "usage: gbdt_benchmark --csv FILE [--label-col NAME] [--train-rows N] [--rounds N] [--leaves N]\n\
                     \x20                     [--bins N] [--lr X] [--threads N] [--min-data-in-leaf N] [--lambda-l2 X] [--seed S] [--repeat N]\n\
                     \x20      gbdt_benchmark --generate FILE [--rows N] [--seed S]";

const GENERATED_FEATURES: usize = 30;

#[derive(Debug)]
enum CliError {
    Usage(String),
    Io {
        file: String,
        source: std::io::Error,
    },
    Parse {
        file: String,
        line: usize,
        column: String,
        message: String,
    },
    Data(String),
    Model(shortfall::signals::Error),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(m) => write!(f, "{m}\n\n{USAGE}"),
            Self::Io { file, source } => write!(f, "{file}: {source}"),
            Self::Parse {
                file,
                line,
                column,
                message,
            } => write!(f, "{file}: line {line}, column {column}: {message}"),
            Self::Data(m) => write!(f, "{m}"),
            Self::Model(e) => write!(f, "model: {e}"),
        }
    }
}

#[derive(Debug)]
struct Args {
    csv: Option<String>,
    generate: Option<String>,
    label_col: String,
    train_rows: usize,
    rows: usize,
    repeat: usize,
    seed: u64,
    params: GbdtParams,
}

fn parse_args() -> Result<Args, CliError> {
    let mut a = Args {
        csv: None,
        generate: None,
        label_col: "label".into(),
        train_rows: 160_000,
        rows: 200_000,
        repeat: 1,
        seed: 0,
        params: GbdtParams {
            threads: 2,
            ..GbdtParams::default()
        },
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let value = it
            .next()
            .ok_or_else(|| CliError::Usage(format!("{flag} needs a value")))?;
        let int = |v: &str| -> Result<usize, CliError> {
            v.parse::<usize>().map_err(|_| {
                CliError::Usage(format!(
                    "{flag}: expected a non-negative integer, got {v:?}"
                ))
            })
        };
        let num = |v: &str| -> Result<f64, CliError> {
            v.parse::<f64>()
                .map_err(|_| CliError::Usage(format!("{flag}: expected a number, got {v:?}")))
        };
        match flag.as_str() {
            "--csv" => a.csv = Some(value),
            "--generate" => a.generate = Some(value),
            "--label-col" => a.label_col = value,
            "--train-rows" => a.train_rows = int(&value)?,
            "--rows" => a.rows = int(&value)?,
            "--repeat" => a.repeat = int(&value)?.max(1),
            "--rounds" => a.params.rounds = int(&value)?,
            "--leaves" => a.params.max_leaves = int(&value)?,
            "--bins" => a.params.max_bins = int(&value)?,
            "--lr" => a.params.learning_rate = num(&value)?,
            "--threads" => a.params.threads = int(&value)?,
            "--min-data-in-leaf" => a.params.min_data_in_leaf = int(&value)?,
            "--lambda-l2" => a.params.lambda_l2 = num(&value)?,
            "--seed" => {
                a.seed = value.parse().map_err(|_| {
                    CliError::Usage(format!("--seed: expected an integer, got {value:?}"))
                })?
            }
            other => return Err(CliError::Usage(format!("unknown argument {other:?}"))),
        }
    }
    a.params.seed = a.seed;
    if a.csv.is_some() == a.generate.is_some() {
        return Err(CliError::Usage(
            "give exactly one of --csv FILE or --generate FILE".into(),
        ));
    }
    Ok(a)
}

/// A labelled table read from CSV.
struct Table {
    x: Array2<f64>,
    y: Vec<f64>,
}

/// Reads the CSV; every error names the file, the 1-based line and the column.
fn read_table(file: &str, label_col: &str) -> Result<Table, CliError> {
    let text = std::fs::read_to_string(file).map_err(|source| CliError::Io {
        file: file.to_string(),
        source,
    })?;
    let err = |line: usize, column: &str, message: String| CliError::Parse {
        file: file.to_string(),
        line,
        column: column.to_string(),
        message,
    };
    let mut lines = text.lines().enumerate();
    let header: Vec<String> = match lines.next() {
        Some((_, h)) => h
            .trim_start_matches('\u{feff}')
            .split(',')
            .map(|c| c.trim().to_string())
            .collect(),
        None => return Err(err(1, "-", "empty file, expected a header row".into())),
    };
    let label_idx = header.iter().position(|c| c == label_col).ok_or_else(|| {
        err(
            1,
            label_col,
            format!("no column named {label_col:?} in the header"),
        )
    })?;
    let n_features = header.len() - 1;
    if n_features == 0 {
        return Err(err(1, "-", "the header has no feature columns".into()));
    }
    let mut values = Vec::new();
    let mut y = Vec::new();
    for (i, raw) in lines {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let mut fields = 0;
        for (c, field) in raw.split(',').enumerate() {
            fields += 1;
            let name = header.get(c).map_or("(beyond the header)", String::as_str);
            if c >= header.len() {
                return Err(err(
                    line,
                    name,
                    format!(
                        "{} fields, the header has {}",
                        raw.split(',').count(),
                        header.len()
                    ),
                ));
            }
            let v: f64 = field.trim().parse().map_err(|_| {
                err(
                    line,
                    name,
                    format!("expected a number, got {:?}", field.trim()),
                )
            })?;
            if !v.is_finite() {
                return Err(err(line, name, format!("non-finite value {v}")));
            }
            if c == label_idx {
                if v != 0.0 && v != 1.0 {
                    return Err(err(line, name, format!("label must be 0 or 1, got {v}")));
                }
                y.push(v);
            } else {
                values.push(v);
            }
        }
        if fields != header.len() {
            return Err(err(
                line,
                header.get(fields).map_or("-", String::as_str),
                format!("{fields} fields, the header has {}", header.len()),
            ));
        }
    }
    let n = y.len();
    let x = Array2::from_shape_vec((n, n_features), values)
        .map_err(|e| CliError::Data(format!("{file}: {e}")))?;
    Ok(Table { x, y })
}

/// ROC AUC by the Mann–Whitney statistic with average ranks for ties.
fn roc_auc(scores: &[f64], y: &[f64]) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            if y[k] == 1.0 {
                rank_sum_pos += avg_rank;
            }
        }
        i = j + 1;
    }
    let n_pos = y.iter().filter(|&&v| v == 1.0).count() as f64;
    let n_neg = y.len() as f64 - n_pos;
    (rank_sum_pos - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg)
}

/// CPU time (user + system, all threads) of this process in seconds, from `/proc/self/stat`
/// (fields 14 and 15, in clock ticks of 1/100 s, Linux's `USER_HZ`); `None` where that file
/// is missing or unreadable.
fn process_cpu_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name start with field 3 (the state).
    let rest = stat.get(stat.rfind(')')? + 1..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn generate(file: &str, rows: usize, seed: u64) -> Result<(), CliError> {
    let io = |source| CliError::Io {
        file: file.to_string(),
        source,
    };
    let mut rng = StdRng::seed_from_u64(seed);
    let mut x = vec![[0.0f64; GENERATED_FEATURES]; rows];
    let mut score = Vec::with_capacity(rows);
    for row in &mut x {
        for (j, v) in row.iter_mut().enumerate() {
            let raw: f64 = if j % 2 == 0 {
                StandardNormal.sample(&mut rng)
            } else {
                rng.random_range(-2.0..2.0)
            };
            *v = (raw * 1e6).round() / 1e6;
        }
        let eps: f64 = StandardNormal.sample(&mut rng);
        let v = row;
        score.push(
            1.2 * (1.5 * v[0]).sin() + v[1] * v[2] + 0.8 * f64::from(u8::from(v[3] > 0.3)) * v[4]
                - 0.6 * v[5] * v[5]
                + 0.5 * v[6] * v[7] * v[8]
                + 0.7 * (v[9] + v[10]).cos()
                + 0.4 * (v[11] + v[12] - v[13] + v[14] - v[15])
                + 0.5 * v[16].abs() * v[17]
                + 0.5 * eps,
        );
    }
    let mut sorted = score.clone();
    sorted.sort_by(f64::total_cmp);
    let median = if rows == 0 { 0.0 } else { sorted[rows / 2] };
    let mut out = std::io::BufWriter::new(std::fs::File::create(file).map_err(io)?);
    let header: Vec<String> = (0..GENERATED_FEATURES).map(|j| format!("x{j}")).collect();
    writeln!(out, "{},label", header.join(",")).map_err(io)?;
    let mut line = String::new();
    for (row, &s) in x.iter().zip(&score) {
        let mut label = u8::from(s > median);
        if rng.random_bool(0.05) {
            label = 1 - label;
        }
        line.clear();
        for v in row {
            line.push_str(&format!("{v},"));
        }
        line.push_str(&format!("{label}\n"));
        out.write_all(line.as_bytes()).map_err(io)?;
    }
    out.flush().map_err(io)?;
    println!("wrote {rows} rows x {GENERATED_FEATURES} features + label to {file} (seed {seed})");
    Ok(())
}

fn run() -> Result<(), CliError> {
    let args = parse_args()?;
    if let Some(file) = &args.generate {
        return generate(file, args.rows, args.seed);
    }
    let file = args
        .csv
        .as_deref()
        .expect("parse_args requires --csv or --generate");
    let table = read_table(file, &args.label_col)?;
    let n = table.y.len();
    if args.train_rows == 0 || args.train_rows >= n {
        return Err(CliError::Data(format!(
            "{file}: {n} data rows; --train-rows {} must leave at least one row to train and one to test",
            args.train_rows
        )));
    }
    let cut = args.train_rows;
    let (x_train, x_test) = (table.x.slice(s![..cut, ..]), table.x.slice(s![cut.., ..]));
    let (y_train, y_test) = (&table.y[..cut], &table.y[cut..]);
    let y_train = ndarray::ArrayView1::from(y_train);
    let learner = Gbdt::new(args.params.clone()).map_err(CliError::Model)?;
    let mut times = Vec::with_capacity(args.repeat);
    let mut cpu_times = Vec::with_capacity(args.repeat);
    let mut fitted = None;
    for _ in 0..args.repeat {
        let cpu_start = process_cpu_s();
        let start = Instant::now();
        let train = Dataset::new(x_train, y_train, Task::Binary).map_err(CliError::Model)?;
        fitted = Some(learner.fit(&train).map_err(CliError::Model)?);
        times.push(start.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu_start, process_cpu_s()) {
            cpu_times.push(b - a);
        }
    }
    let model = fitted.expect("at least one fit ran");
    times.sort_by(f64::total_cmp);
    let train_s = times[times.len() / 2];
    cpu_times.sort_by(f64::total_cmp);
    let train_cpu_s = cpu_times
        .get(cpu_times.len() / 2)
        .map_or("null".to_string(), |c| format!("{c}"));
    let p = model.predict_proba(x_test).map_err(CliError::Model)?;
    let auc = roc_auc(&p, y_test);
    let correct = p
        .iter()
        .zip(y_test)
        .filter(|&(&pi, &yi)| f64::from(u8::from(pi > 0.5)) == yi)
        .count();
    let accuracy = correct as f64 / y_test.len() as f64;
    let logloss = p
        .iter()
        .zip(y_test)
        .map(|(&pi, &yi)| {
            let q = pi.clamp(1e-15, 1.0 - 1e-15);
            -(yi * q.ln() + (1.0 - yi) * (1.0 - q).ln())
        })
        .sum::<f64>()
        / y_test.len() as f64;
    let prm = &args.params;
    println!(
        "{file}: {cut} train rows, {} test rows, {} features; {} rounds, {} leaves, {} bins, lr {}, {} threads",
        n - cut,
        table.x.ncols(),
        prm.rounds,
        prm.max_leaves,
        prm.max_bins,
        prm.learning_rate,
        prm.threads
    );
    println!(
        "train {train_s:.3} s; test AUC {auc:.5}, accuracy {accuracy:.5}, log-loss {logloss:.5}"
    );
    println!(
        "{{\"train_s\":{train_s},\"auc\":{auc},\"accuracy\":{accuracy},\"logloss\":{logloss},\"train_cpu_s\":{train_cpu_s},\"trees\":{},\"train_rows\":{cut},\"test_rows\":{},\"features\":{},\"threads\":{}}}",
        model.n_trees(),
        n - cut,
        table.x.ncols(),
        prm.threads
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gbdt_benchmark: {e}");
            ExitCode::FAILURE
        }
    }
}
