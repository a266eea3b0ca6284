//! The agent overlay on the real data in `../shared/data` (each test prints a notice and
//! returns when its files are absent):
//!
//! - LOBSTER AAPL level 10 (head) and AMZN level 1: a passive bid joined at the best bid
//!   has exactly LOBSTER's displayed size ahead of it, and fills only after the volume
//!   ahead has traded or left: its first fill (message and quantity) is checked against a
//!   computation made here from the message file and LOBSTER's book file alone.
//! - Binance BTCUSDT: a bid joined at the best bid under the risk-averse model fills only
//!   after the trades at its price exceed what was displayed ahead of it (computed here
//!   from the capture's trades and depth), and no probabilistic model fills later than
//!   the risk-averse one.

use shortfall_core::{
    BookView, ExecReport, NewOrder, OrderId, OrderRequest, OrderSink, Price, Qty, Side,
    TimeInForce, TraderId, Ts,
};
use shortfall_lob_sim::data::binance::{BinanceReader, BinanceRecord, btcusdt};
use shortfall_lob_sim::data::lobster::{
    LobsterBookRow, LobsterEventType, LobsterMessage, LobsterReader,
};
use shortfall_lob_sim::replay::agent::{
    AgentReplayConfig, BinanceAgentReplay, LobsterAgentReplay, LogProb, PowerLaw, QueueModel,
    RiskAverse,
};
use std::collections::HashSet;
use std::path::PathBuf;

const AGENT: TraderId = TraderId(1);

fn shared_data(relative: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(relative);
    if path.is_file() {
        Some(path)
    } else {
        println!("skipping: ../shared/data/{relative} not found");
        None
    }
}

fn read_lobster(
    messages: &str,
    book: &str,
    depth: usize,
) -> Option<Vec<(LobsterMessage, LobsterBookRow)>> {
    let (m, b) = (shared_data(messages)?, shared_data(book)?);
    let mut reader = LobsterReader::open(m, b, depth).expect("files open");
    let mut out = Vec::new();
    let mut row = LobsterBookRow::new(depth);
    while let Some(message) = reader.read_into(&mut row).expect("LOBSTER's files parse") {
        out.push((message, row.clone()));
    }
    Some(out)
}

/// What the test computes by itself for a bid of `qty` at the best bid `P` of row `k`,
/// arriving before message `k + 1`: `V` starts at LOBSTER's displayed size at `P`; orders
/// added at `P` later are behind; a cancellation, deletion or execution at `P` of any other
/// order takes its size off `V`; an execution (visible or hidden) on the bid side at `P`
/// or below brings flow `x`, of which `x - V` (if positive) reaches the bid. Returns the
/// message index and quantity of the first fill, or `None` when `P` left LOBSTER's view
/// (the messages no longer say everything about it) or the data ended first.
fn independent_first_fill(
    data: &[(LobsterMessage, LobsterBookRow)],
    k: usize,
    qty: i64,
) -> Option<(usize, i64)> {
    let entry = &data[k].1;
    let p = entry.bids()[0].price;
    let mut ahead = entry.bids()[0].qty.0;
    let mut behind: HashSet<u64> = HashSet::new();
    for (i, (m, row)) in data.iter().enumerate().skip(k + 1) {
        if m.direction == Side::Buy {
            let execution = matches!(
                m.event_type,
                LobsterEventType::VisibleExecution | LobsterEventType::HiddenExecution
            );
            if execution && m.price <= p {
                let reach = m.size.0 - ahead;
                if reach > 0 {
                    return Some((i, reach.min(qty)));
                }
            }
            if m.price == p {
                match m.event_type {
                    LobsterEventType::Submission => {
                        behind.insert(m.order_id.0);
                    }
                    LobsterEventType::Cancellation
                    | LobsterEventType::Deletion
                    | LobsterEventType::VisibleExecution
                        if !behind.contains(&m.order_id.0) =>
                    {
                        ahead -= m.size.0;
                    }
                    _ => {}
                }
            }
        }
        let visible = if row.depth() == 1 {
            row.bids().first().is_some_and(|l| l.price == p)
        } else {
            row.bids().iter().any(|l| l.price == p)
        };
        if !visible {
            return None;
        }
    }
    None
}

/// The agent's first fill for the same bid: (message index, quantity), and the queue
/// ahead it had on arrival.
fn agent_first_fill(
    data: &[(LobsterMessage, LobsterBookRow)],
    depth: usize,
    k: usize,
    qty: i64,
    until: usize,
) -> (Option<(usize, i64)>, Qty) {
    let mut replay = LobsterAgentReplay::new(depth, AgentReplayConfig::default()).unwrap();
    let mut ahead_on_arrival = Qty(-1);
    for (i, (m, row)) in data.iter().enumerate().take(until + 1) {
        replay.process(m, Some(row));
        if i == k {
            let p = row.bids()[0].price;
            let bid = NewOrder::limit(OrderId(1), AGENT, Side::Buy, p, Qty(qty), TimeInForce::Gtc);
            replay.submit(m.time, OrderRequest::New(bid)).unwrap();
            // The next message is later: arriving now is arriving before it.
            replay.finish();
            ahead_on_arrival = replay.queue_ahead(OrderId(1)).unwrap_or(Qty(-1));
        }
        for r in replay.drain_reports() {
            if let ExecReport::Fill(f) = r {
                return (Some((i, f.qty.0)), ahead_on_arrival);
            }
        }
    }
    (None, ahead_on_arrival)
}

/// Runs episodes from every `stride`-th message whose successor is strictly later (so the
/// bid arrives right after it); returns (clean episodes checked, of which filled).
fn check_episodes(
    data: &[(LobsterMessage, LobsterBookRow)],
    depth: usize,
    stride: usize,
    qty: i64,
) -> (usize, usize) {
    let (mut checked, mut filled) = (0, 0);
    for k in (0..data.len() - 1).step_by(stride) {
        if data[k + 1].0.time <= data[k].0.time || data[k].1.bids().is_empty() {
            continue;
        }
        let expected = independent_first_fill(data, k, qty);
        let until = match expected {
            Some((i, _)) => i,
            None => continue, // P left LOBSTER's view, or no fill before the data ended
        };
        let (got, ahead) = agent_first_fill(data, depth, k, qty, until);
        assert_eq!(
            ahead,
            data[k].1.bids()[0].qty,
            "episode from message {}: the queue ahead on arrival is LOBSTER's displayed size",
            k + 1
        );
        assert_eq!(got, expected, "episode from message {}: first fill", k + 1);
        checked += 1;
        filled += 1;
    }
    (checked, filled)
}

#[test]
fn aapl_l10_passive_bids_fill_exactly_when_the_volume_ahead_has_gone() {
    let Some(data) = read_lobster(
        "lobster-aapl-l10-head/AAPL_2012-06-21_34200000_57600000_message_10.csv",
        "lobster-aapl-l10-head/AAPL_2012-06-21_34200000_57600000_orderbook_10.csv",
        10,
    ) else {
        return;
    };
    let (checked, filled) = check_episodes(&data, 10, 2, 100);
    println!("AAPL: {checked} episodes checked, {filled} filled");
    assert!(checked >= 10, "only {checked} episodes could be checked");
}

#[test]
fn amzn_l1_passive_bids_fill_exactly_when_the_volume_ahead_has_gone() {
    let Some(data) = read_lobster(
        "lobster-amzn-l1/AMZN_2012-06-21_34200000_57600000_message_1.csv",
        "lobster-amzn-l1/AMZN_2012-06-21_34200000_57600000_orderbook_1.csv",
        1,
    ) else {
        return;
    };
    // Episodes over the first 20,000 messages keep the debug-build test fast.
    let head = &data[..20_000.min(data.len())];
    let (checked, filled) = check_episodes(head, 1, 31, 100);
    println!("AMZN: {checked} episodes checked, {filled} filled");
    assert!(checked >= 10, "only {checked} episodes could be checked");
}

const CAPTURE: &str = "binance-usdm-btcusdt/usdm_btcusdt_20240808.gz";

/// Where a bid joined: price, displayed size there, time.
type Entry = (Price, Qty, Ts);

/// The capture's records over its first `seconds` of receive time.
fn capture_head(seconds: i64) -> Option<Vec<BinanceRecord>> {
    let path = shared_data(CAPTURE)?;
    let mut out = Vec::new();
    let mut first = None;
    for record in BinanceReader::open(&path, btcusdt()).unwrap() {
        let record = record.expect("the capture parses");
        let t0 = *first.get_or_insert(record.recv_ns());
        if record.recv_ns().0 - t0.0 > seconds * 1_000_000_000 {
            break;
        }
        out.push(record);
    }
    Some(out)
}

/// Replays `records` with one bid of `qty` lots joined at the best bid at the first trade
/// after `start_s` seconds of data; returns its fills (receive time, lots) and the entry
/// (price, displayed size, time).
fn binance_fills<M: QueueModel>(
    records: &[BinanceRecord],
    model: M,
    qty: i64,
    start_s: i64,
) -> (Vec<(Ts, i64)>, Option<Entry>) {
    let mut replay = BinanceAgentReplay::new(model, AgentReplayConfig::default()).unwrap();
    let t0 = records.first().map_or(Ts(0), |r| r.recv_ns());
    let mut entry: Option<Entry> = None;
    let mut fills = Vec::new();
    for record in records {
        let ts = record.recv_ns();
        let is_trade = matches!(record, BinanceRecord::Trade(_));
        replay.on_record(record.clone()).unwrap();
        if entry.is_none()
            && is_trade
            && ts.0 - t0.0 > start_s * 1_000_000_000
            && replay.sync().is_synced()
        {
            let best = replay.book().best_bid().expect("a synced book has bids");
            let bid = NewOrder::limit(
                OrderId(1),
                AGENT,
                Side::Buy,
                best.price,
                Qty(qty),
                TimeInForce::Gtc,
            );
            replay.submit(ts, OrderRequest::New(bid)).unwrap();
            entry = Some((best.price, best.qty, ts));
        }
        for r in replay.drain_reports() {
            if let ExecReport::Fill(f) = r {
                fills.push((f.ts, f.qty.0));
            }
        }
    }
    (fills, entry)
}

#[test]
fn binance_risk_averse_bid_fills_only_after_the_trades_ahead_and_no_later_than_others() {
    let Some(records) = capture_head(150) else {
        return;
    };
    let qty = 5; // 0.005 BTC
    let (fills, entry) = binance_fills(&records, RiskAverse, qty, 30);
    let (p, displayed, t_entry) = entry.expect("an entry point 30 s into the capture");
    // Independently: after entry, the quantity ahead starts at the displayed size, falls
    // by every sell-aggressor trade at P, and never exceeds the level (a level that shrinks
    // below it took the rest from ahead). The first fill comes from the first sell trade at
    // P or below that is larger than what is then ahead.
    let mut ahead = displayed.0;
    let mut book = shortfall_lob_sim::data::binance::DepthSync::default();
    let mut expected_first: Option<Ts> = None;
    for record in &records {
        let ts = record.recv_ns();
        match record {
            BinanceRecord::Snapshot(s) => {
                book.on_snapshot(s).unwrap();
            }
            BinanceRecord::DepthUpdate(d) => {
                book.on_depth(d.clone()).unwrap();
            }
            BinanceRecord::Trade(t) if ts > t_entry && t.buyer_is_maker && t.price <= p => {
                if t.qty.0 > ahead {
                    expected_first = Some(ts);
                    break;
                }
                if t.price == p {
                    ahead -= t.qty.0;
                }
                continue;
            }
            _ => continue,
        }
        if ts > t_entry {
            ahead = ahead.min(book.book().qty_at(Side::Buy, p).0);
        }
    }
    println!(
        "entry at {p} behind {displayed}; first fill expected {expected_first:?}; fills {fills:?}"
    );
    assert!(
        expected_first.is_some(),
        "the bid fills within the capture's head"
    );
    let first = fills.first().map(|f| f.0);
    assert_eq!(first, expected_first, "risk-averse first fill");
    assert!(fills.iter().map(|f| f.1).sum::<i64>() <= qty);
    for (name, (other, _)) in [
        (
            "power 1",
            binance_fills(&records, PowerLaw::new(1.0).unwrap(), qty, 30),
        ),
        (
            "power 3",
            binance_fills(&records, PowerLaw::new(3.0).unwrap(), qty, 30),
        ),
        ("log", binance_fills(&records, LogProb, qty, 30)),
    ] {
        let other_first = other.first().map(|f| f.0);
        println!(
            "{name}: first fill {other_first:?}, {} lots",
            other.iter().map(|f| f.1).sum::<i64>()
        );
        assert!(
            other_first.is_some_and(|o| Some(o) <= first),
            "{name} filled later than risk-averse"
        );
    }
}
