//! Replays real market data into Shortfall's books and checks them against the source.
//!
//! ```text
//! cargo run --release --example replay -- lobster --messages M --orderbook O --levels N [--write-book FILE]
//! cargo run --release --example replay -- binance --capture F.gz [--write-bbo FILE]
//! ```
//!
//! The last line on stdout is one JSON object:
//! `{"events":…,"mismatches":…,"unknown_ids":…,"gaps":…,"seconds":…,"events_per_s":…}`.

#[path = "support/cli.rs"]
mod cli;
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
    Ok(match mode.as_str() {
        "lobster" => {
            let levels_text = need("--levels")?;
            let levels = levels_text
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| {
                    format!("--levels: expected a positive integer, got {levels_text:?}")
                })?;
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
    cli::run_cli(USAGE, parse_args, run)
}

/// The summary every mode prints as its last stdout line.
struct Summary {
    events: u64,
    mismatches: u64,
    unknown_ids: u64,
    gaps: u64,
    seconds: f64,
}

impl Summary {
    fn json(&self) -> String {
        let events_per_s = if self.seconds > 0.0 {
            self.events as f64 / self.seconds
        } else {
            0.0
        };
        serde_json::json!({
            "events": self.events,
            "mismatches": self.mismatches,
            "unknown_ids": self.unknown_ids,
            "gaps": self.gaps,
            "seconds": self.seconds,
            "events_per_s": events_per_s.round(),
        })
        .to_string()
    }
}

fn run(command: Command) -> Result<(), Box<dyn std::error::Error>> {
    let summary = match command {
        Command::Lobster {
            messages,
            orderbook,
            levels,
            write_book,
        } => lobster(&messages, &orderbook, levels, write_book.as_deref())?,
        Command::Binance { capture, write_bbo } => binance(&capture, write_bbo.as_deref())?,
    };
    println!("{}", summary.json());
    Ok(())
}

fn create(path: &std::path::Path) -> Result<std::io::BufWriter<std::fs::File>, String> {
    std::fs::File::create(path)
        .map(|f| std::io::BufWriter::with_capacity(1 << 20, f))
        .map_err(|e| format!("cannot create {}: {e}", path.display()))
}

fn lobster(
    messages: &std::path::Path,
    orderbook: &std::path::Path,
    levels: usize,
    write_book: Option<&std::path::Path>,
) -> Result<Summary, Box<dyn std::error::Error>> {
    use shortfall::lob_sim::data::lobster::{LobsterBookRow, LobsterReader, write_book_row};
    use shortfall::lob_sim::replay::{LobsterReplay, MismatchKind};
    use std::io::Write;

    let started = std::time::Instant::now();
    let mut reader = LobsterReader::open(messages, orderbook, levels)?;
    let mut out = write_book.map(create).transpose()?;
    let mut replay = LobsterReplay::new(levels);
    let mut row = LobsterBookRow::new(levels);
    while let Some(message) = reader.read_into(&mut row)? {
        replay.process(&message, Some(&row));
        if let (Some(w), Some(path)) = (out.as_mut(), write_book) {
            write_book_row(w, replay.book(), levels)
                .map_err(|e| format!("writing {}: {e}", path.display()))?;
        }
    }
    if let (Some(mut w), Some(path)) = (out, write_book) {
        w.flush()
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let s = replay.stats();
    let pct = |n: u64| 100.0 * n as f64 / s.rows_checked.max(1) as f64;
    println!("LOBSTER replay of {} (level {levels})", messages.display());
    println!(
        "  messages {} by type 1-7: {:?}",
        s.messages,
        &s.by_type[1..]
    );
    println!(
        "  initial book: {} pre-existing levels seeded from row 1 (message 1 undone)",
        s.seeded_levels
    );
    println!(
        "  rows matching LOBSTER on every determined level: {} of {} ({:.3} %)",
        s.rows_matching,
        s.rows_checked,
        pct(s.rows_matching)
    );
    println!(
        "  rows with a mismatch among levels 1-5: {} ({:.3} %)",
        s.rows_mismatched_top5,
        pct(s.rows_mismatched_top5)
    );
    println!(
        "  rows equal on all {levels} levels: {} ({:.3} %); rows with levels 1-5 all determined: {} ({:.3} %)",
        s.rows_equal_all_levels,
        pct(s.rows_equal_all_levels),
        s.rows_top5_determined,
        pct(s.rows_top5_determined)
    );
    println!(
        "  levels compared {}; undetermined (came into view from beyond the previous row's window) {}",
        s.levels_compared, s.levels_undetermined
    );
    println!(
        "  learned from rows: {} levels, +{} / -{} shares of pre-existing liquidity; {} shares of file-added orders left out of range without a message; {} taken from them by unknown ids; {} orders removed whole",
        s.levels_learned,
        s.learned_qty_added,
        s.learned_qty_removed,
        s.removed_out_of_range_qty,
        s.unknown_taken_from_known_qty,
        s.orders_removed_out_of_range
    );
    println!(
        "  unknown ids {} in {} messages: {} absorbed by pre-existing liquidity, {} out of view (deeper than level {levels}), {} unexplained; over-reductions spread over their level {}; feed mismatches {}",
        s.unknown_ids,
        s.unknown_id_messages,
        s.unknown_absorbed,
        s.unknown_out_of_view,
        s.unknown_unexplained,
        s.over_reductions,
        s.feed_mismatches
    );
    let kinds = [
        MismatchKind::Price,
        MismatchKind::Quantity,
        MismatchKind::MissingLevel,
        MismatchKind::ExtraLevel,
    ];
    for kind in kinds {
        let n = s.mismatches_by_kind[kind as usize];
        if n > 0 {
            println!("  mismatched levels of kind {kind:?}: {n}");
        }
    }
    if let Some(first) = &s.first_mismatch {
        println!("  first mismatch: {first:?}");
    }
    println!(
        "  book at the end: {} live orders, {:.1} KiB allocated",
        replay.book().len(),
        replay.book().memory_bytes() as f64 / 1024.0
    );
    Ok(Summary {
        events: s.messages,
        mismatches: s.rows_mismatched,
        unknown_ids: s.unknown_ids,
        gaps: 0,
        seconds,
    })
}

fn binance(
    capture: &std::path::Path,
    write_bbo: Option<&std::path::Path>,
) -> Result<Summary, Box<dyn std::error::Error>> {
    use shortfall::lob_sim::data::binance::{ReplayOptions, replay_capture};
    use std::io::Write;

    let options = ReplayOptions::default();
    let mut out = write_bbo.map(create).transpose()?;
    let stats = replay_capture(
        capture,
        &options,
        out.as_mut().map(|w| w as &mut dyn std::io::Write),
    )?;
    if let (Some(mut w), Some(path)) = (out, write_bbo) {
        w.flush()
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    println!("Binance replay of {}", capture.display());
    println!(
        "  {} events over {:.1} s of capture; gaps {}",
        stats.events, stats.capture_seconds, stats.gaps
    );
    println!(
        "  book tickers comparable (same update id as the last applied diff): {}; best bid/ask equal: {} ({:.4} %); with quantities: {}",
        stats.compared,
        stats.matched,
        100.0 * stats.match_rate().unwrap_or(0.0),
        stats.qty_matched
    );
    println!("  reader: {:?}", stats.reader);
    println!("  sync: {:?}", stats.sync);
    Ok(Summary {
        events: stats.events,
        mismatches: stats.compared - stats.matched,
        unknown_ids: 0,
        gaps: stats.gaps,
        seconds: stats.seconds,
    })
}
