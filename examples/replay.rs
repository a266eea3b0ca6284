//! Replays real market data into Shortfall's books and checks them against the source.
//!
//! ```text
//! cargo run --release --example replay -- lobster --messages M --orderbook O --levels N [--write-book FILE]
//! cargo run --release --example replay -- binance --capture F.gz [--write-bbo FILE]
//! ```
//!
//! The last line on stdout is one JSON object:
//! `{"events":…,"mismatches":…,"unknown_ids":…,"gaps":…,"seconds":…,"events_per_s":…}`.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage:
  replay lobster --messages M --orderbook O --levels N [--write-book FILE]
  replay binance --capture F.gz [--write-bbo FILE]";

/// The parsed command line.
enum Command {
    Lobster {
        messages: PathBuf,
        orderbook: PathBuf,
        levels: usize,
        write_book: Option<PathBuf>,
    },
    Binance {
        capture: PathBuf,
        write_bbo: Option<PathBuf>,
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
        "lobster" => &["--messages", "--orderbook", "--levels", "--write-book"],
        "binance" => &["--capture", "--write-bbo"],
        other => return Err(format!("unknown mode {other:?}: expected `lobster` or `binance`")),
    };
    if let Some((f, _)) = flags.iter().find(|(f, _)| !allowed.contains(&f.as_str())) {
        return Err(format!("unknown flag {f} for mode {mode}"));
    }
    let get = |name: &str| flags.iter().find(|(f, _)| f == name).map(|(_, v)| v.clone());
    let need = |name: &str| get(name).ok_or_else(|| format!("missing {name}"));
    Ok(match mode.as_str() {
        "lobster" => {
            let levels_text = need("--levels")?;
            let levels = levels_text
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| format!("--levels: expected a positive integer, got {levels_text:?}"))?;
            Command::Lobster {
                messages: need("--messages")?.into(),
                orderbook: need("--orderbook")?.into(),
                levels,
                write_book: get("--write-book").map(PathBuf::from),
            }
        }
        _ => Command::Binance {
            capture: need("--capture")?.into(),
            write_bbo: get("--write-bbo").map(PathBuf::from),
        },
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match parse_args(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
