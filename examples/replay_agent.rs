//! A passive-then-aggressive buyer replayed against real data, with the agent overlay of
//! `shortfall_lob_sim::replay::agent`.
//!
//! ```text
//! cargo run --release --example replay_agent -- lobster --messages M --orderbook O [--levels N]
//!     [--every SECONDS] [--qty LOTS] [--latency-us US]
//! cargo run --release --example replay_agent -- binance --capture F.gz
//!     [--model risk_averse|power:N|log] [--every SECONDS] [--qty LOTS] [--latency-us US]
//! ```
//!
//! Every `--every` seconds (default 60 for LOBSTER, 30 for Binance) the strategy posts a
//! bid of `--qty` lots (default 100 shares; 10 lots = 0.01 BTC) at the best bid. At the
//! next decision time, or at the end of the data, it cancels what is left and crosses the
//! spread for it with a market order. It prints its fills, the passive fill ratio and the
//! average queue wait (post to first fill); the last stdout line is one JSON object:
//! `{"orders":…,"fills":…,"filled_qty":…,"fill_ratio":…,"events_per_s":…, …}`.
//! `--levels` defaults to the N in the orderbook file's name (`…_orderbook_N.csv`).

use shortfall::core::{
    BookView, ExecReport, Liquidity, NewOrder, OrderId, OrderRequest, OrderSink, Price, Qty, Side,
    TimeInForce, TraderId, Ts,
};
use shortfall::lob_sim::data::binance::{BinanceReader, btcusdt};
use shortfall::lob_sim::data::lobster::{LobsterBookRow, LobsterReader};
use shortfall::lob_sim::replay::agent::{
    AgentReplayConfig, AgentStats, BinanceAgentReplay, LobsterAgentReplay, QueueModelConfig,
};
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage:
  replay_agent lobster --messages M --orderbook O [--levels N] [--every S] [--qty Q] [--latency-us US]
  replay_agent binance --capture F.gz [--model risk_averse|power:N|log] [--every S] [--qty Q] [--latency-us US]";

const ME: TraderId = TraderId(1);
/// Fills printed one by one before the summary takes over.
const PRINTED_FILLS: usize = 12;

/// The parsed command line.
struct Args {
    mode: String,
    flags: Vec<(String, String)>,
}

impl Args {
    fn parse(args: &[String]) -> Result<Self, String> {
        let (mode, rest) = args
            .split_first()
            .ok_or_else(|| "missing mode: `lobster` or `binance`".to_owned())?;
        let allowed: &[&str] = match mode.as_str() {
            "lobster" => &[
                "--messages",
                "--orderbook",
                "--levels",
                "--every",
                "--qty",
                "--latency-us",
            ],
            "binance" => &["--capture", "--model", "--every", "--qty", "--latency-us"],
            other => {
                return Err(format!(
                    "unknown mode {other:?}: expected `lobster` or `binance`"
                ));
            }
        };
        let mut flags: Vec<(String, String)> = Vec::new();
        let mut it = rest.iter();
        while let Some(flag) = it.next() {
            if !allowed.contains(&flag.as_str()) {
                return Err(format!("unknown flag {flag:?} for mode {mode}"));
            }
            let value = it
                .next()
                .ok_or_else(|| format!("flag {flag} needs a value"))?;
            if flags.iter().any(|(f, _)| f == flag) {
                return Err(format!("flag {flag} given twice"));
            }
            flags.push((flag.clone(), value.clone()));
        }
        Ok(Self {
            mode: mode.clone(),
            flags,
        })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, v)| v.as_str())
    }

    fn need(&self, name: &str) -> Result<PathBuf, String> {
        self.get(name)
            .map(PathBuf::from)
            .ok_or_else(|| format!("missing {name}"))
    }

    fn positive(&self, name: &str, default: i64) -> Result<i64, String> {
        match self.get(name) {
            None => Ok(default),
            Some(text) => text
                .parse::<i64>()
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| format!("{name}: expected a positive integer, got {text:?}")),
        }
    }

    fn config(&self) -> Result<AgentReplayConfig, String> {
        let us = match self.get("--latency-us") {
            None => 0,
            Some(text) => text
                .parse::<i64>()
                .ok()
                .filter(|v| *v >= 0)
                .ok_or_else(|| format!("--latency-us: expected an integer >= 0, got {text:?}"))?,
        };
        Ok(AgentReplayConfig {
            entry_latency_ns: us * 1_000,
        })
    }
}

/// The N of a LOBSTER orderbook file name `…_orderbook_N.csv`.
fn levels_from_name(path: &Path) -> Option<usize> {
    let stem = path.file_stem()?.to_str()?;
    let (_, n) = stem.rsplit_once("_orderbook_")?;
    n.parse().ok().filter(|n| *n >= 1)
}

fn parse_model(text: &str) -> Result<QueueModelConfig, String> {
    Ok(match text {
        "risk_averse" => QueueModelConfig::RiskAverse,
        "log" => QueueModelConfig::Log,
        other => match other.strip_prefix("power:").map(str::parse::<f64>) {
            Some(Ok(n)) => QueueModelConfig::PowerLaw { n },
            _ => {
                return Err(format!(
                    "--model: expected risk_averse, power:N or log, got {other:?}"
                ));
            }
        },
    })
}

/// Post a bid at the best bid; at the next decision time cancel the rest and cross.
struct PassiveThenAggressive {
    every: Ts,
    qty: Qty,
    next_id: u64,
    next_decision: Option<Ts>,
    /// The working passive bid: id, time posted, leaves, whether it has filled yet.
    working: Option<(OrderId, Ts, Qty, bool)>,
    orders: u64,
    passive_posted: i64,
    passive_filled: i64,
    aggressive_sent: i64,
    aggressive_filled: i64,
    waits: Vec<f64>,
    printed: usize,
}

impl PassiveThenAggressive {
    fn new(every: Ts, qty: Qty) -> Self {
        Self {
            every,
            qty,
            next_id: 1,
            next_decision: None,
            working: None,
            orders: 0,
            passive_posted: 0,
            passive_filled: 0,
            aggressive_sent: 0,
            aggressive_filled: 0,
            waits: Vec::new(),
            printed: 0,
        }
    }

    fn id(&mut self) -> OrderId {
        self.next_id += 1;
        OrderId(self.next_id)
    }

    /// Cancels the working bid and buys what is left of it with a market order.
    fn cross(&mut self, now: Ts, sink: &mut impl OrderSink<Refusal = Infallible>) {
        if let Some((id, _, leaves, _)) = self.working.take()
            && leaves.is_positive()
        {
            let _ = sink.submit(now, OrderRequest::Cancel { id, owner: ME });
            let market = NewOrder::market(self.id(), ME, Side::Buy, leaves);
            self.orders += 1;
            self.aggressive_sent += leaves.0;
            let _ = sink.submit(now, OrderRequest::New(market));
        }
    }

    /// Called after every historical event with the book's best bid.
    fn on_event(
        &mut self,
        now: Ts,
        best_bid: Option<Price>,
        sink: &mut impl OrderSink<Refusal = Infallible>,
    ) {
        let due = *self.next_decision.get_or_insert(now);
        if now < due {
            return;
        }
        self.cross(now, sink);
        if let Some(price) = best_bid {
            let id = self.id();
            let bid = NewOrder::limit(id, ME, Side::Buy, price, self.qty, TimeInForce::Gtc);
            let _ = sink.submit(now, OrderRequest::New(bid));
            self.orders += 1;
            self.passive_posted += self.qty.0;
            self.working = Some((id, now, self.qty, false));
        }
        let mut next = due;
        while next <= now {
            next = Ts(next.0 + self.every.0);
        }
        self.next_decision = Some(next);
    }

    fn on_report(&mut self, report: &ExecReport) {
        let ExecReport::Fill(f) = report else {
            return;
        };
        match f.liquidity {
            Liquidity::Maker => {
                self.passive_filled += f.qty.0;
                if let Some((id, posted, leaves, filled_before)) = &mut self.working
                    && *id == f.id
                {
                    if !*filled_before {
                        self.waits.push((f.ts - *posted).as_secs_f64());
                        *filled_before = true;
                    }
                    *leaves = f.leaves_qty;
                }
            }
            Liquidity::Taker => self.aggressive_filled += f.qty.0,
        }
        if self.printed < PRINTED_FILLS {
            self.printed += 1;
            println!(
                "  fill {:>3} {:?} {} @ {} ({:?}), leaves {}, t = {:.6} s",
                self.printed,
                f.id,
                f.qty,
                f.price,
                f.liquidity,
                f.leaves_qty,
                f.ts.as_secs_f64()
            );
        }
    }

    fn summary(&self, stats: &AgentStats, events: u64, seconds: f64) -> String {
        let fill_ratio = if self.passive_posted > 0 {
            self.passive_filled as f64 / self.passive_posted as f64
        } else {
            0.0
        };
        let avg_wait = if self.waits.is_empty() {
            0.0
        } else {
            self.waits.iter().sum::<f64>() / self.waits.len() as f64
        };
        println!(
            "  orders {} ({} passive lots posted, {} filled passively; {} sent aggressively, {} filled)",
            self.orders,
            self.passive_posted,
            self.passive_filled,
            self.aggressive_sent,
            self.aggressive_filled
        );
        println!(
            "  fills {} for {} lots; passive fill ratio {:.3}; average queue wait {:.3} s over {} bids that filled",
            stats.fills,
            stats.filled_qty,
            fill_ratio,
            avg_wait,
            self.waits.len()
        );
        println!(
            "  {events} historical events in {seconds:.3} s ({:.0} events/s, reading included)",
            events as f64 / seconds.max(1e-9)
        );
        serde_json::json!({
            "orders": self.orders,
            "fills": stats.fills,
            "filled_qty": stats.filled_qty,
            "fill_ratio": fill_ratio,
            "avg_queue_wait_s": avg_wait,
            "passive_qty": self.passive_filled,
            "aggressive_qty": self.aggressive_filled,
            "events": events,
            "seconds": seconds,
            "events_per_s": (events as f64 / seconds.max(1e-9)).round(),
        })
        .to_string()
    }
}

fn lobster(args: &Args) -> Result<String, Box<dyn std::error::Error>> {
    let messages = args.need("--messages")?;
    let orderbook = args.need("--orderbook")?;
    let levels = match args.get("--levels") {
        Some(_) => usize::try_from(args.positive("--levels", 1)?)?,
        None => levels_from_name(&orderbook).ok_or_else(|| {
            format!(
                "cannot tell the level count from {}: give --levels N",
                orderbook.display()
            )
        })?,
    };
    let every = Ts::from_secs(args.positive("--every", 60)?);
    let qty = Qty(args.positive("--qty", 100)?);
    let started = std::time::Instant::now();
    let mut reader = LobsterReader::open(&messages, &orderbook, levels)?;
    let mut replay = LobsterAgentReplay::new(levels, args.config()?)?;
    let mut strategy = PassiveThenAggressive::new(every, qty);
    let mut row = LobsterBookRow::new(levels);
    println!(
        "LOBSTER agent replay of {} (level {levels}): bid {qty} at the best every {} s, cross at the next",
        messages.display(),
        every.as_secs_f64()
    );
    while let Some(message) = reader.read_into(&mut row)? {
        replay.process(&message, Some(&row));
        for report in replay.drain_reports() {
            strategy.on_report(&report);
        }
        let best_bid = replay.book().best_bid().map(|l| l.price);
        strategy.on_event(message.time, best_bid, &mut replay);
    }
    let end = replay.clock();
    strategy.cross(end, &mut replay);
    replay.finish();
    for report in replay.drain_reports() {
        strategy.on_report(&report);
    }
    let seconds = started.elapsed().as_secs_f64();
    let stats = replay.stats();
    Ok(strategy.summary(&stats, stats.events, seconds))
}

fn binance(args: &Args) -> Result<String, Box<dyn std::error::Error>> {
    let capture = args.need("--capture")?;
    let model_config = match args.get("--model") {
        Some(text) => parse_model(text)?,
        None => QueueModelConfig::PowerLaw { n: 2.0 },
    };
    let model = model_config.build()?;
    let every = Ts::from_secs(args.positive("--every", 30)?);
    let qty = Qty(args.positive("--qty", 10)?);
    let started = std::time::Instant::now();
    let reader = BinanceReader::open(&capture, btcusdt())?;
    let mut replay = BinanceAgentReplay::new(model, args.config()?)?;
    let mut strategy = PassiveThenAggressive::new(every, qty);
    println!(
        "Binance agent replay of {} (queue model {model_config:?}): bid {qty} lots at the best every {} s, cross at the next",
        capture.display(),
        every.as_secs_f64()
    );
    for record in reader {
        let record = record?;
        let now = record.recv_ns();
        replay.on_record(record)?;
        for report in replay.drain_reports() {
            strategy.on_report(&report);
        }
        if replay.sync().is_synced() {
            let best_bid = replay.book().best_bid().map(|l| l.price);
            strategy.on_event(now, best_bid, &mut replay);
        }
    }
    let end = replay.clock();
    strategy.cross(end, &mut replay);
    replay.finish();
    for report in replay.drain_reports() {
        strategy.on_report(&report);
    }
    let seconds = started.elapsed().as_secs_f64();
    let stats = replay.stats();
    Ok(strategy.summary(&stats, stats.events, seconds))
}

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let args = match Args::parse(&raw) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = match args.mode.as_str() {
        "lobster" => lobster(&args),
        _ => binance(&args),
    };
    match result {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
