//! Calibration from LOBSTER files: a hand-built level-1 file whose every estimate is computed
//! by hand below, bad inputs, and the AMZN sample day (needs `../shared/data`; skipped with a
//! notice when absent) checked against totals this test computes from the CSVs itself.

use shortfall_lob_sim::Error;
use shortfall_lob_sim::calibrate::{Calibration, CalibrationOptions, calibrate, calibrate_files};
use shortfall_lob_sim::data::lobster::{LobsterReader, MessageReader, OrderbookReader};

/// Nine messages on a level-1 book, tick 100 (prices in LOBSTER units).
///
/// | # | t | what | book after (ask, bid) |
/// | - | - | ---- | --------------------- |
/// | 1 | 100 | buy limit 50 @ 10000 (first: not classified) | 10300×100, 10000×50 |
/// | 2 | 101 | buy limit 30 @ 10000 (joins bid queue 50; 3 ticks from ask) | 10300×100, 10000×80 |
/// | 3 | 103 | sell limit 20 @ 10200 (improves ask by 1; 2 ticks from bid) | 10200×20, 10000×80 |
/// | 4 | 104 | execution 15 of resting sell @ 10200 (buy market order, queue 20) | 10200×5, 10000×80 |
/// | 5 | 104 | execution 5, same time and side: same market order (size 20) | 10300×100, 10000×80 |
/// | 6 | 106 | delete 50 @ 10000 buy (cancel at best, queue 80) | 10300×100, 10000×30 |
/// | 7 | 107 | cancel 40 of a pre-existing sell @ 10300 (at best, queue 100) | 10300×60, 10000×30 |
/// | 8 | 110 | execution 30 of resting buy @ 10000 (sell market order, queue 30) | 10300×60, 9800×70 |
/// | 9 | 111 | hidden execution 10 | 10300×60, 9800×70 |
const MESSAGES: &str = "\
100.0,1,1,50,10000,1
101.0,1,2,30,10000,1
103.0,1,3,20,10200,-1
104.0,4,3,15,10200,-1
104.0,4,3,5,10200,-1
106.0,3,1,50,10000,1
107.0,2,99,40,10300,-1
110.0,4,2,30,10000,1
111.0,5,0,10,10100,-1
";
const BOOK: &str = "\
10300,100,10000,50
10300,100,10000,80
10200,20,10000,80
10200,5,10000,80
10300,100,10000,80
10300,100,10000,30
10300,60,10000,30
10300,60,9800,70
10300,60,9800,70
";

fn run(messages: &str, book: &str, opts: &CalibrationOptions) -> Result<Calibration, Error> {
    let reader = LobsterReader::new(
        MessageReader::new(messages.as_bytes(), "m.csv"),
        OrderbookReader::new(book.as_bytes(), "b.csv", 1)?,
    );
    calibrate(reader, "m.csv", "b.csv", opts)
}

fn no_hawkes() -> CalibrationOptions {
    CalibrationOptions {
        hawkes_market_orders: false,
        ..CalibrationOptions::default()
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + b.abs())
}

#[test]
fn hand_built_file_gives_hand_computed_estimates() {
    let c = run(MESSAGES, BOOK, &no_hawkes()).unwrap();
    let t = 11.0; // window 100 → 111 s
    assert!(close(c.source.duration_s, t));
    assert_eq!((c.source.rows, c.source.classified_messages), (9, 8));
    let zi = &c.zero_intelligence;
    // Classified submissions: #2 (buy) and #3 (sell).
    assert!(close(zi.limit_rate_per_s, 2.0 / t));
    assert!(close(zi.limit_buy_per_s, 1.0 / t) && close(zi.limit_sell_per_s, 1.0 / t));
    // Market orders: #4+#5 (buy, 20 shares) and #8 (sell, 30 shares).
    let mo = &zi.market_orders;
    assert_eq!((mo.buy_count, mo.sell_count), (1, 1));
    assert!(close(mo.total_per_s, 2.0 / t) && close(mo.shares_per_s, 50.0 / t));
    assert_eq!(zi.market_sizes.total, 50);
    assert_eq!((zi.market_sizes.min, zi.market_sizes.max), (20, 30));
    assert_eq!(c.data.execution_sizes.count, 3);
    // Queue integral: Σ (bid + ask) × duration of each state =
    // 150·1 + 180·2 + 100·1 + 180·0 + 180·2 + 130·1 + 90·3 + 130·1 = 1500 share-seconds.
    let cx = &zi.cancels;
    assert!(close(cx.queue_share_seconds, 1500.0));
    assert_eq!(
        (cx.events_at_best, cx.shares_at_best, cx.events_behind_best),
        (2, 90, 0)
    );
    assert!(close(cx.rate_per_share_per_s, 2.0 / 1500.0));
    assert!(close(cx.volume_rate_per_share_per_s, 90.0 / 1500.0));
    // A resting "order" is the mean limit size, (30 + 20)/2 = 25 shares.
    assert!(close(cx.rate_per_resting_order_per_s, 2.0 * 25.0 / 1500.0));
    assert!(close(cx.mean_best_queue_shares, 1500.0 / 22.0));
    // Distances: #2 is 3 ticks from the ask and joins the bid (0); #3 is 2 ticks from the bid
    // and improves the ask by 1 (−1).
    let opp = &zi.by_opposite_distance;
    assert_eq!(
        opp.iter().map(|r| r.distance_ticks).collect::<Vec<_>>(),
        vec![2, 3]
    );
    assert_eq!(
        (
            opp[0].buy_count,
            opp[0].sell_count,
            opp[1].buy_count,
            opp[1].sell_count
        ),
        (0, 1, 1, 0)
    );
    // Spread time: 2 ticks for 1 s, 3 ticks for 9 s, 5 ticks for 1 s: visible(2) = 11 s,
    // visible(3) = 10 s.
    assert!(close(opp[0].visible_s, 11.0) && close(opp[1].visible_s, 10.0));
    assert!(close(opp[1].buy_rate_visible_per_s.unwrap(), 0.1));
    let same = &zi.by_same_distance;
    assert_eq!(
        same.iter().map(|r| r.distance_ticks).collect::<Vec<_>>(),
        vec![-1, 0]
    );
    assert_eq!((same[0].sell_count, same[1].buy_count), (1, 1));
    // Median spread 3 ticks; α = mean over d = 1..3 of (buy + sell visible rates)/2
    // = (0 + 1/22 + 1/20) / 3.
    assert_eq!(zi.alpha_distances, 3);
    assert!(close(
        zi.alpha_per_tick_per_side,
        (1.0 / 22.0 + 1.0 / 20.0) / 3.0
    ));
    // Sizes of classified limit orders: 30 and 20.
    assert_eq!((zi.limit_sizes.count, zi.limit_sizes.total), (2, 50));

    // Queue-reactive: events at the best have sizes 30 (limit), 50 and 40 (cancels), 20 and
    // 30 (market orders): AES = 34. Bins ⌈Q/34⌉: Q 20, 30 → 1; 50, 60 → 2; 70, 80, 100 → 3.
    let qr = &c.queue_reactive;
    assert!(close(qr.aes_shares, 34.0));
    let b = &qr.bins;
    assert!(
        close(b[0].exposure_s, 5.0) && close(b[1].exposure_s, 5.0) && close(b[2].exposure_s, 12.0)
    );
    assert!(
        b[3..]
            .iter()
            .all(|x| x.exposure_s == 0.0 && x.limit_rate_per_s.is_none())
    );
    assert_eq!(
        (b[0].limit_count, b[0].cancel_count, b[0].market_count),
        (0, 0, 2)
    );
    assert_eq!(
        (b[1].limit_count, b[1].cancel_count, b[1].market_count),
        (1, 0, 0)
    );
    assert_eq!(
        (b[2].limit_count, b[2].cancel_count, b[2].market_count),
        (0, 2, 0)
    );
    assert!(close(b[0].market_rate_per_s.unwrap(), 0.4));
    assert!(close(b[1].limit_rate_per_s.unwrap(), 0.2));
    assert!(close(b[2].cancel_rate_per_s.unwrap(), 2.0 / 12.0));

    // Spread: time-weighted (3·9 + 2·1 + 5·1)/11; per event over rows 2..9:
    // (3 + 2 + 2 + 3 + 3 + 3 + 5 + 5)/8.
    assert!(close(c.data.mean_spread_ticks_time_weighted, 34.0 / 11.0));
    assert!(close(c.data.mean_spread_ticks_per_event, 26.0 / 8.0));
    let counts: Vec<u64> = c.data.events_by_type.iter().map(|r| r.count).collect();
    assert_eq!(counts, vec![3, 1, 1, 3, 1, 0, 0]);
    assert!(c.hawkes.market_orders.is_none());
    let md = c.to_markdown();
    assert!(md.contains("| 1 | 5.0 | 0 | 0 | 2 |"), "{md}");
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["queue_reactive"]["aes_shares"], 34.0);
}

#[test]
fn session_start_opens_the_window_with_the_book_known_then() {
    // From 102 s: the book in force is row 2 (after #2), so #3.. are classified and the
    // queue integral is 180·1 + 100 + 360 + 130 + 270 + 130 = 1170 over 9 s.
    let opts = CalibrationOptions {
        session_start_s: Some(102.0),
        ..no_hawkes()
    };
    let c = run(MESSAGES, BOOK, &opts).unwrap();
    assert!(close(c.source.duration_s, 9.0));
    assert_eq!(c.source.classified_messages, 7);
    assert!(close(
        c.zero_intelligence.cancels.queue_share_seconds,
        1170.0
    ));
    assert!(close(c.zero_intelligence.limit_rate_per_s, 1.0 / 9.0));
    // Ending at 105 s keeps #3–#5 only: one market order, no cancels.
    let opts = CalibrationOptions {
        session_start_s: Some(102.0),
        session_end_s: Some(105.0),
        ..no_hawkes()
    };
    let c = run(MESSAGES, BOOK, &opts).unwrap();
    assert!(close(c.source.duration_s, 3.0));
    assert_eq!(c.zero_intelligence.market_orders.buy_count, 1);
    assert_eq!(c.zero_intelligence.cancels.events_at_best, 0);
    // [102, 103): 180; [103, 104): 100; [104, 105): 180 → 460.
    assert!(close(
        c.zero_intelligence.cancels.queue_share_seconds,
        460.0
    ));
}

#[test]
fn bad_inputs_are_clear_errors() {
    // Tick mismatch: 300-unit differences are not multiples of 1000.
    let opts = CalibrationOptions {
        tick: 1000,
        ..no_hawkes()
    };
    match run(MESSAGES, BOOK, &opts) {
        Err(Error::Inconsistent(m)) => {
            assert!(m.contains("not a multiple of the tick 1000"), "{m}")
        }
        other => panic!("expected a tick error, got {other:?}"),
    }
    // A session that contains no message.
    let opts = CalibrationOptions {
        session_start_s: Some(200.0),
        ..no_hawkes()
    };
    match run(MESSAGES, BOOK, &opts) {
        Err(Error::InvalidParameter { what, .. }) => assert_eq!(what, "calibration.session"),
        other => panic!("expected a session error, got {other:?}"),
    }
    let opts = CalibrationOptions {
        tick: 0,
        ..no_hawkes()
    };
    assert!(matches!(
        run(MESSAGES, BOOK, &opts),
        Err(Error::InvalidParameter { .. })
    ));
    // One book row short.
    let short: String = BOOK.lines().take(8).map(|l| format!("{l}\n")).collect();
    assert!(matches!(
        run(MESSAGES, &short, &no_hawkes()),
        Err(Error::Inconsistent(_))
    ));
    // Time going back.
    let back = MESSAGES.replace("106.0,3", "103.5,3");
    match run(&back, BOOK, &no_hawkes()) {
        Err(Error::Inconsistent(m)) => assert!(m.contains("row 6"), "{m}"),
        other => panic!("expected a time error, got {other:?}"),
    }
    // A malformed field is passed on with its line.
    let bad = MESSAGES.replace("107.0,2,99,40", "107.0,2,99,forty");
    match run(&bad, BOOK, &no_hawkes()) {
        Err(Error::Malformed { line, .. }) => assert_eq!(line, 7),
        other => panic!("expected a malformed-line error, got {other:?}"),
    }
}

const AMZN_DIR: &str = "../shared/data/lobster-amzn-l1";
const AMZN_M: &str = "AMZN_2012-06-21_34200000_57600000_message_1.csv";
const AMZN_B: &str = "AMZN_2012-06-21_34200000_57600000_orderbook_1.csv";

/// Rows of a CSV without its header, split on commas.
fn csv_rows(path: &std::path::Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

#[test]
fn amzn_day_estimates_are_sane_and_match_the_files_own_totals() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = root.join(AMZN_DIR);
    let (mp, bp) = (dir.join(AMZN_M), dir.join(AMZN_B));
    if !mp.exists() || !bp.exists() {
        eprintln!("skipped: {} not found (needs ../shared/data)", mp.display());
        return;
    }
    let c = calibrate_files(&mp, &bp, &CalibrationOptions::default()).unwrap();
    // Independent totals from the raw CSVs.
    let msgs = csv_rows(&mp);
    let book = csv_rows(&bp);
    assert_eq!(msgs.len(), book.len());
    let num = |s: &str| s.parse::<f64>().unwrap();
    let int = |s: &str| s.parse::<i64>().unwrap();
    let mut by_type = [0u64; 8];
    let mut shares = [0i64; 8];
    for m in &msgs {
        let k = int(&m[1]) as usize;
        by_type[k] += 1;
        shares[k] += int(&m[3]);
    }
    let counts: Vec<u64> = c.data.events_by_type.iter().map(|r| r.count).collect();
    assert_eq!(counts, by_type[1..].to_vec());
    // Limit sizes: every submission but the (unclassified) first message if it is one.
    let first_sub = if msgs[0][1] == "1" {
        int(&msgs[0][3])
    } else {
        0
    };
    assert_eq!(c.zero_intelligence.limit_sizes.total, shares[1] - first_sub);
    // Market orders: runs of type-4 rows with equal time and direction.
    let mut groups = 0u64;
    let mut prev: Option<(&str, &str)> = None;
    for m in msgs.iter().skip(1) {
        if m[1] == "4" {
            let key = (m[0].as_str(), m[5].as_str());
            if prev != Some(key) {
                groups += 1;
            }
            prev = Some(key);
        } else {
            prev = None;
        }
    }
    let exec_first = if msgs[0][1] == "4" {
        int(&msgs[0][3])
    } else {
        0
    };
    let zi = &c.zero_intelligence;
    assert_eq!(
        zi.market_orders.buy_count + zi.market_orders.sell_count,
        groups
    );
    assert_eq!(zi.market_sizes.total, shares[4] - exec_first);
    assert_eq!(c.data.execution_sizes.total, shares[4] - exec_first);
    // Time-weighted spread from the book file: row k holds from message k to k + 1.
    let (mut num_s, mut den) = (0.0, 0.0);
    for k in 0..msgs.len() - 1 {
        let dt = num(&msgs[k + 1][0]) - num(&msgs[k][0]);
        let spread = (int(&book[k][0]) - int(&book[k][2])) as f64 / 100.0;
        num_s += spread * dt;
        den += dt;
    }
    let tw = num_s / den;
    // Timestamps are decimal seconds (10 µs) here, nanoseconds in the library: agree to 1e-9.
    assert!(
        (c.data.mean_spread_ticks_time_weighted - tw).abs() < 1e-9 * tw,
        "{} vs {tw}",
        c.data.mean_spread_ticks_time_weighted
    );
    assert!((c.source.duration_s - den).abs() < 1e-6);
    // Sanity: positive finite rates, a stationary Hawkes fit with finite errors.
    for v in [
        zi.limit_rate_per_s,
        zi.alpha_per_tick_per_side,
        zi.market_orders.total_per_s,
        zi.cancels.rate_per_share_per_s,
        zi.cancels.rate_per_resting_order_per_s,
        c.queue_reactive.aes_shares,
    ] {
        assert!(v.is_finite() && v > 0.0, "{v}");
    }
    let h = c
        .hawkes
        .market_orders
        .as_ref()
        .expect("market-order Hawkes fit");
    assert!(
        h.branching_ratio > 0.0 && h.branching_ratio < 1.0,
        "{}",
        h.branching_ratio
    );
    assert!(h.information_ok && h.mu_se.iter().all(|s| s.is_finite() && *s > 0.0));
    // The Hawkes stationary rates reproduce the counted market-order rates (a property of
    // the MLE: the fitted compensator matches the count, up to the edge effect).
    let p = h.params().unwrap();
    let lam: f64 = p.stationary_rates().iter().sum();
    assert!(
        (lam / zi.market_orders.total_per_s - 1.0).abs() < 0.05,
        "{lam}"
    );
    // The time-rescaling statistic exists; whether the day's fit passes it is reported, not
    // asserted (a stationary model of a whole day need not).
    assert!(
        c.hawkes
            .market_orders_ks_sqrt_n
            .is_some_and(|k| k.is_finite() && k > 0.0)
    );
    println!("{}", c.summary_json());
}
