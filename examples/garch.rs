//! Fit a zero-mean GARCH(1,1) with normal innovations to a CSV of returns.
//!
//! ```text
//! cargo run --release --example garch -- --csv FILE
//! cargo run --release --example garch -- --generate FILE [--n 5000] [--seed 1]
//!                                         [--omega 0.05] [--alpha 0.1] [--beta 0.85]
//! ```
//!
//! `--csv FILE`: FILE has one column with the header `y` and one return per line. The program
//! prints a human summary (parameters with robust and classic standard errors, the
//! log-likelihood, 10 variance forecasts) and, as its **last stdout line**, exactly one JSON
//! object:
//!
//! ```text
//! {"omega":…,"alpha":…,"beta":…,"loglik":…,"fit_s":…,"forecast":[h1,…,h10]}
//! ```
//!
//! where `fit_s` is the wall time of the fit in seconds (estimation and standard errors, not
//! reading the file) and `forecast` the variance forecasts for h = 1 … 10. The conventions are
//! those of Python's `arch` (`arch_model(y, mean="Zero", vol="GARCH", p=1, q=1,
//! dist="normal")`); see `shortfall_risk::vol::garch`.
//!
//! `--generate FILE`: writes a simulated zero-mean GARCH(1,1) series in the same CSV format
//! (500 burn-in draws discarded; parameters default to ω = 0.05, α = 0.1, β = 0.85) and exits.
//!
//! Bad input (missing file, wrong header, a non-numeric or non-finite value, too few rows)
//! prints an error naming the file and line to stderr and exits with status 1.

use std::fmt;
use std::process::ExitCode;
use std::time::Instant;

use shortfall::risk::vol::{GarchModel, GarchParams, MeanModel};

const HORIZON: usize = 10;

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
        message: String,
    },
    Model(shortfall::risk::Error),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(m) => write!(f, "{m}\n\n{USAGE}"),
            Self::Io { file, source } => write!(f, "{file}: {source}"),
            Self::Parse {
                file,
                line,
                message,
            } => write!(f, "{file}: line {line}: {message}"),
            Self::Model(e) => write!(f, "{e}"),
        }
    }
}

const USAGE: &str = "usage: garch --csv FILE\n       garch --generate FILE [--n N] [--seed S] [--omega W] [--alpha A] [--beta B]";

struct Args {
    csv: Option<String>,
    generate: Option<String>,
    n: usize,
    seed: u64,
    params: GarchParams,
}

fn parse_args() -> Result<Args, CliError> {
    let mut a = Args {
        csv: None,
        generate: None,
        n: 5000,
        seed: 1,
        params: GarchParams {
            omega: 0.05,
            alpha: 0.1,
            beta: 0.85,
            ..GarchParams::default()
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
        let num = |v: &str| -> Result<f64, CliError> {
            v.parse::<f64>()
                .map_err(|_| CliError::Usage(format!("{flag}: expected a number, got {v:?}")))
        };
        match flag.as_str() {
            "--csv" => a.csv = Some(value),
            "--generate" => a.generate = Some(value),
            "--n" => {
                a.n = value.parse().map_err(|_| {
                    CliError::Usage(format!("--n: expected a positive integer, got {value:?}"))
                })?
            }
            "--seed" => {
                a.seed = value.parse().map_err(|_| {
                    CliError::Usage(format!("--seed: expected an integer, got {value:?}"))
                })?
            }
            "--omega" => a.params.omega = num(&value)?,
            "--alpha" => a.params.alpha = num(&value)?,
            "--beta" => a.params.beta = num(&value)?,
            other => return Err(CliError::Usage(format!("unknown argument {other:?}"))),
        }
    }
    if a.csv.is_some() == a.generate.is_some() {
        return Err(CliError::Usage(
            "give exactly one of --csv FILE or --generate FILE".into(),
        ));
    }
    Ok(a)
}

/// Reads a one-column CSV with header `y`; every error names the file and the 1-based line.
fn read_series(file: &str) -> Result<Vec<f64>, CliError> {
    let text = std::fs::read_to_string(file).map_err(|source| CliError::Io {
        file: file.to_string(),
        source,
    })?;
    let parse_err = |line: usize, message: String| CliError::Parse {
        file: file.to_string(),
        line,
        message,
    };
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h.trim().trim_start_matches('\u{feff}') == "y" => {}
        Some((_, h)) => return Err(parse_err(1, format!("expected header \"y\", got {h:?}"))),
        None => return Err(parse_err(1, "empty file, expected header \"y\"".into())),
    }
    let mut y = Vec::new();
    for (i, raw) in lines {
        let field = raw.trim();
        let value: f64 = field
            .parse()
            .map_err(|_| parse_err(i + 1, format!("field y: expected a number, got {field:?}")))?;
        if !value.is_finite() {
            return Err(parse_err(
                i + 1,
                format!("field y: value must be finite, got {field:?}"),
            ));
        }
        y.push(value);
    }
    Ok(y)
}

fn generate(file: &str, a: &Args) -> Result<(), CliError> {
    let model = GarchModel::garch(MeanModel::Zero);
    let sim = model
        .simulate(&a.params, a.n, 500, a.seed)
        .map_err(CliError::Model)?;
    let mut out = String::with_capacity(24 * a.n + 2);
    out.push_str("y\n");
    for v in &sim.returns {
        out.push_str(&format!("{v}\n"));
    }
    std::fs::write(file, out).map_err(|source| CliError::Io {
        file: file.to_string(),
        source,
    })?;
    println!(
        "wrote {} observations of a zero-mean GARCH(1,1) (omega={}, alpha={}, beta={}, seed={}) to {file}",
        a.n, a.params.omega, a.params.alpha, a.params.beta, a.seed
    );
    Ok(())
}

fn json_num(v: f64) -> String {
    serde_json::to_string(&v).unwrap_or_else(|_| "null".into())
}

fn fit(file: &str) -> Result<(), CliError> {
    let y = read_series(file)?;
    if y.len() < GarchModel::MIN_OBSERVATIONS {
        return Err(CliError::Parse {
            file: file.to_string(),
            line: y.len() + 1,
            message: format!(
                "series too short: {} observations, a GARCH(1,1) fit needs at least {}",
                y.len(),
                GarchModel::MIN_OBSERVATIONS
            ),
        });
    }
    let model = GarchModel::garch(MeanModel::Zero);
    let start = Instant::now();
    let fit = model.fit(&y).map_err(CliError::Model)?;
    let forecast = fit.forecast(HORIZON).map_err(CliError::Model)?;
    let fit_s = start.elapsed().as_secs_f64();

    println!("Zero-mean GARCH(1,1), normal innovations — {file}");
    println!(
        "observations: {}   log-likelihood: {:.6}   iterations: {}   converged: {}",
        fit.nobs, fit.loglik, fit.iterations, fit.converged
    );
    println!(
        "{:>10} {:>14} {:>14} {:>14}",
        "param", "estimate", "robust s.e.", "classic s.e."
    );
    for row in fit.estimates() {
        println!(
            "{:>10} {:>14.6e} {:>14.6e} {:>14.6e}",
            row.name, row.value, row.std_err, row.std_err_classic
        );
    }
    if let Some(v) = fit.params.unconditional_variance() {
        println!("unconditional variance: {v:.6e}");
    }
    let shown: Vec<String> = forecast.iter().map(|v| format!("{v:.6e}")).collect();
    println!("variance forecasts h=1..{HORIZON}: {}", shown.join(" "));
    println!("fit time: {:.3} ms", fit_s * 1e3);
    let p = &fit.params;
    let fc: Vec<String> = forecast.iter().map(|v| json_num(*v)).collect();
    println!(
        "{{\"omega\":{},\"alpha\":{},\"beta\":{},\"loglik\":{},\"fit_s\":{},\"forecast\":[{}]}}",
        json_num(p.omega),
        json_num(p.alpha),
        json_num(p.beta),
        json_num(fit.loglik),
        json_num(fit_s),
        fc.join(",")
    );
    Ok(())
}

fn main() -> ExitCode {
    let result = parse_args().and_then(|a| match (&a.csv, &a.generate) {
        (Some(file), _) => fit(file),
        (None, Some(file)) => generate(file, &a),
        (None, None) => Err(CliError::Usage("nothing to do".into())),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
