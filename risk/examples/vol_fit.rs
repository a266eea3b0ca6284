//! Fit any GARCH-family model of `shortfall-risk` to a one-column CSV (header `y`) and print
//! one JSON object. Used by `scripts/garch_crosscheck.py` for the models the root `garch`
//! example does not cover (GJR, constant mean).
//!
//! ```text
//! cargo run -p shortfall-risk --release --example vol_fit -- FILE [zero|constant] [garch|gjr] [normal|t]
//! ```
//!
//! With `t` (zero-mean GARCH(1,1) only) it fits Student-t innovations and prints
//! `{"names":[…],"params":[omega,alpha,beta,nu],"std_err_classic":[…],"loglik":…,"fit_s":…,…}`.
//!
//! Output: `{"names":[…],"params":[…],"std_err":[…],"std_err_classic":[…],"loglik":…,
//! "fit_s":…,"forecast":[h1,…,h10],"iterations":…,"converged":…}`.

use std::process::ExitCode;
use std::time::Instant;

use shortfall_risk::vol::{GarchModel, MeanModel, VolatilityProcess};

fn run() -> Result<String, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = args
        .first()
        .ok_or("usage: vol_fit FILE [zero|constant] [garch|gjr]")?;
    let mean = match args.get(1).map(String::as_str).unwrap_or("zero") {
        "zero" => MeanModel::Zero,
        "constant" => MeanModel::Constant,
        other => return Err(format!("unknown mean {other:?}: zero or constant")),
    };
    let process = match args.get(2).map(String::as_str).unwrap_or("garch") {
        "garch" => VolatilityProcess::Garch,
        "gjr" => VolatilityProcess::GjrGarch,
        other => return Err(format!("unknown process {other:?}: garch or gjr")),
    };
    let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let mut lines = text.lines();
    if lines.next().map(str::trim) != Some("y") {
        return Err(format!("{file}: line 1: expected header \"y\""));
    }
    let y = lines
        .enumerate()
        .map(|(i, l)| {
            l.trim()
                .parse::<f64>()
                .map_err(|_| format!("{file}: line {}: not a number: {l:?}", i + 2))
        })
        .collect::<Result<Vec<f64>, String>>()?;
    let model = GarchModel::new(mean, process);
    if args.get(3).map(String::as_str) == Some("t") {
        let start = Instant::now();
        let fit = model.fit_student_t(&y).map_err(|e| e.to_string())?;
        let fit_s = start.elapsed().as_secs_f64();
        let p = fit.params;
        let out = serde_json::json!({
            "names": ["omega", "alpha[1]", "beta[1]", "nu"],
            "params": [p.omega, p.alpha, p.beta, fit.nu],
            "std_err_classic": fit.std_err.map(|s| s.to_vec()),
            "loglik": fit.loglik,
            "fit_s": fit_s,
            "iterations": fit.iterations,
            "converged": fit.converged,
        });
        return Ok(out.to_string());
    }
    let start = Instant::now();
    let fit = model.fit(&y).map_err(|e| e.to_string())?;
    let forecast = fit.forecast(10).map_err(|e| e.to_string())?;
    let fit_s = start.elapsed().as_secs_f64();
    let est = fit.estimates();
    let out = serde_json::json!({
        "names": est.iter().map(|r| r.name).collect::<Vec<_>>(),
        "params": est.iter().map(|r| r.value).collect::<Vec<_>>(),
        "std_err": est.iter().map(|r| r.std_err).collect::<Vec<_>>(),
        "std_err_classic": est.iter().map(|r| r.std_err_classic).collect::<Vec<_>>(),
        "loglik": fit.loglik,
        "fit_s": fit_s,
        "forecast": forecast,
        "iterations": fit.iterations,
        "evaluations": fit.evaluations,
        "converged": fit.converged,
    });
    Ok(out.to_string())
}

fn main() -> ExitCode {
    match run() {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
