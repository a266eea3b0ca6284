//! Every built-in feature against values computed by hand from its documented formula.

use shortfall_core::{MarketEvent, OrderId, Price, PriceLevel, Qty, Side, Ts};
use shortfall_features::{BookSnapshot, Error, FeaturePipeline};

type Book = BookSnapshot<4>;

fn lv(p: i64, q: i64) -> PriceLevel {
    PriceLevel {
        price: Price(p),
        qty: Qty(q),
    }
}

fn book(bids: &[(i64, i64)], asks: &[(i64, i64)]) -> Book {
    let b: Vec<_> = bids.iter().map(|&(p, q)| lv(p, q)).collect();
    let a: Vec<_> = asks.iter().map(|&(p, q)| lv(p, q)).collect();
    Book::from_levels(&b, &a)
}

/// A book-change event at `ts` nanoseconds (its content does not matter to book features).
fn level(ts: i64) -> MarketEvent {
    MarketEvent::Level {
        ts: Ts(ts),
        side: Side::Buy,
        price: Price(1),
        qty: Qty(1),
    }
}

fn trade(ts: i64, qty: i64, aggressor: Side) -> MarketEvent {
    MarketEvent::Trade {
        ts: Ts(ts),
        price: Price(100),
        qty: Qty(qty),
        aggressor: Some(aggressor),
    }
}

/// Runs a one-feature pipeline over `(event, book)` pairs and returns the rows.
fn run(toml: &str, steps: &[(MarketEvent, Book)]) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut p = FeaturePipeline::from_toml(toml).unwrap();
    let mut rows = Vec::new();
    for (e, b) in steps {
        let mut row = vec![0.0; p.width()];
        p.update(e, b, &mut row).unwrap();
        rows.push(row);
    }
    (p.names().to_vec(), rows)
}

const S: i64 = 1_000_000_000;

fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} != {b}");
}

#[test]
fn book_valid_flags_empty_one_sided_and_crossed_books() {
    let (names, rows) = run(
        "[[features]]\nkind = \"book_valid\"",
        &[
            (level(0), book(&[], &[])),
            (level(1), book(&[(100, 1)], &[])),
            (level(2), book(&[(100, 1)], &[(102, 1)])),
            (level(3), book(&[(102, 1)], &[(102, 1)])),
        ],
    );
    assert_eq!(names, ["book_valid"]);
    let flags: Vec<f64> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(flags, [0.0, 0.0, 1.0, 0.0]);
}

#[test]
fn mid_is_the_average_of_the_touch_and_is_carried_through_invalid_books() {
    let (_, rows) = run(
        "[[features]]\nkind = \"mid\"",
        &[
            (level(0), book(&[(100, 1)], &[])),
            (level(1), book(&[(100, 1)], &[(103, 1)])),
            (level(2), book(&[], &[(103, 1)])),
            (level(3), book(&[(104, 1)], &[(103, 1)])),
        ],
    );
    let mids: Vec<f64> = rows.iter().map(|r| r[0]).collect();
    // 0 before the first valid book; (100+103)/2; carried through one-sided and crossed
    assert_eq!(mids, [0.0, 101.5, 101.5, 101.5]);
}

#[test]
fn microprice_is_the_opposite_size_weighted_touch() {
    let b = book(&[(100, 30)], &[(102, 10)]);
    // (100*10 + 102*30) / 40 = 101.5
    let (names, rows) = run(
        "[[features]]\nkind = \"microprice\"\nrelative = false",
        &[(level(0), b)],
    );
    assert_eq!(names, ["microprice"]);
    close(rows[0][0], 101.5);
    // relative: 101.5 - 101 = spread/2 * imbalance = 1 * 0.5
    let (names, rows) = run("[[features]]\nkind = \"microprice\"", &[(level(0), b)]);
    assert_eq!(names, ["microprice_minus_mid"]);
    close(rows[0][0], 0.5);
}

#[test]
fn weighted_mid_uses_vwaps_and_depths_of_n_levels() {
    let b = book(&[(100, 10), (99, 30)], &[(102, 20), (103, 20)]);
    // VWAP bid (1000 + 2970)/40 = 99.25, VWAP ask (2040 + 2060)/40 = 102.5, depths 40, 40
    // -> (99.25*40 + 102.5*40)/80 = 100.875; mid 101
    let (names, rows) = run(
        "[[features]]\nkind = \"weighted_mid\"\nlevels = 2\nrelative = false\n[[features]]\nkind = \"weighted_mid\"\nlevels = 2",
        &[(level(0), b)],
    );
    assert_eq!(names, ["weighted_mid_2", "weighted_mid_2_minus_mid"]);
    close(rows[0][0], 100.875);
    close(rows[0][1], -0.125);
}

#[test]
fn spread_in_ticks_and_basis_points_and_never_negative() {
    let (names, rows) = run(
        "[[features]]\nkind = \"spread\"",
        &[
            (level(0), book(&[(100, 1)], &[(102, 1)])),
            (level(1), book(&[(103, 1)], &[(102, 1)])),
        ],
    );
    assert_eq!(names, ["spread_ticks", "spread_bps"]);
    close(rows[0][0], 2.0);
    close(rows[0][1], 1e4 * 2.0 / 101.0);
    // a crossed book carries the last spread
    assert_eq!(rows[1], rows[0]);
}

#[test]
fn depth_sums_the_best_n_levels_per_side() {
    let (names, rows) = run(
        "[[features]]\nkind = \"depth\"\nlevels = 2",
        &[(
            level(0),
            book(&[(100, 10), (99, 30), (98, 50)], &[(102, 20)]),
        )],
    );
    assert_eq!(names, ["depth_bid_2", "depth_ask_2"]);
    assert_eq!(rows[0], [40.0, 20.0]);
}

#[test]
fn imbalance_at_level_one_and_with_decay_by_level() {
    let b = book(&[(100, 10), (99, 30)], &[(102, 20), (103, 20)]);
    let decay = std::f64::consts::LN_2; // weights 1, 1/2
    let toml = format!(
        "[[features]]\nkind = \"book_imbalance\"\nlevels = 1\n[[features]]\nkind = \"book_imbalance\"\nlevels = 2\ndecay = {decay}"
    );
    let (names, rows) = run(&toml, &[(level(0), b), (level(1), book(&[(100, 5)], &[]))]);
    assert_eq!(names[0], "imbalance_1");
    assert!(
        names[1].starts_with("imbalance_2_decay0.69"),
        "{}",
        names[1]
    );
    // (10 - 20)/30
    close(rows[0][0], -1.0 / 3.0);
    // ((10-20) + (30-20)/2) / ((10+20) + (30+20)/2) = -5/55
    close(rows[0][1], -5.0 / 55.0);
    // one-sided book: all quantity on the bid -> +1
    assert_eq!(rows[1], [1.0, 1.0]);
}

#[test]
fn order_flow_imbalance_follows_cont_kukanov_stoikov_at_each_level() {
    // half-life of one event: each step halves the previous sum
    let steps = [
        (
            level(0),
            book(&[(100, 10), (99, 4)], &[(102, 20), (103, 6)]),
        ),
        // bid queue grows at the same price: e = 15 - 10 = 5; ask unchanged: 0
        (
            level(S),
            book(&[(100, 15), (99, 4)], &[(102, 20), (103, 6)]),
        ),
        // bid price up: +7; ask same price, queue 20 -> 25: -25 + 20 = -5; e = 2
        (
            level(2 * S),
            book(&[(101, 7), (100, 15)], &[(102, 25), (103, 6)]),
        ),
        // bid price down: -7; ask price up: +25; e = 18
        (
            level(3 * S),
            book(&[(100, 9), (99, 4)], &[(103, 4), (104, 1)]),
        ),
    ];
    let (names, rows) = run(
        "[[features]]\nkind = \"order_flow_imbalance\"\nlevels = [1, 2]\nwindows = [{ events = 1 }, { seconds = 1 }]",
        &steps,
    );
    assert_eq!(
        names,
        ["ofi_l1_ev1", "ofi_l1_1s", "ofi_l2_ev1", "ofi_l2_1s"]
    );
    let l1: Vec<f64> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(l1, [0.0, 5.0, 0.5 * 5.0 + 2.0, 0.5 * 4.5 + 18.0]);
    // a 1 s clock half-life with 1 s between events halves too
    let l1_clock: Vec<f64> = rows.iter().map(|r| r[1]).collect();
    assert_eq!(l1, l1_clock);
    // level 2: step 1: bid (99,4)->(99,4): 4-4 = 0; ask (103,6)->(103,6): 0 -> 0
    // step 2: bid (99,4)->(100,15) up: +15; ask (103,6)->(103,6): 0 -> 15
    // step 3: bid (100,15)->(99,4) down: -15; ask (103,6)->(104,1) up: +6 -> -9
    let l2: Vec<f64> = rows.iter().map(|r| r[2]).collect();
    assert_eq!(l2, [0.0, 0.0, 15.0, 0.5 * 15.0 - 9.0]);
}

#[test]
fn signed_volume_and_trade_flow_imbalance() {
    let b = book(&[(99, 1)], &[(101, 1)]);
    let exec_sell = MarketEvent::Execute {
        ts: Ts(2),
        order_id: OrderId(1),
        side: Side::Buy, // a resting bid was hit: seller-initiated
        price: Price(99),
        qty: Qty(5),
    };
    let (names, rows) = run(
        "[[features]]\nkind = \"trade_flow\"\nwindows = [{ events = 1 }]",
        &[(trade(0, 3, Side::Buy), b), (level(1), b), (exec_sell, b)],
    );
    assert_eq!(names, ["signed_volume_ev1", "trade_imbalance_ev1"]);
    assert_eq!(rows[0], [3.0, 1.0]);
    assert_eq!(rows[1], [1.5, 1.0]);
    // buy 0.75, sell 5
    close(rows[2][0], -4.25);
    close(rows[2][1], -4.25 / 5.75);
}

#[test]
fn trade_intensity_in_clock_and_event_time() {
    let b = book(&[(99, 1)], &[(101, 1)]);
    let s = 1_000_000_000;
    let (names, rows) = run(
        "[[features]]\nkind = \"trade_intensity\"\nwindows = [{ seconds = 1 }, { events = 1 }]",
        &[
            (trade(0, 1, Side::Buy), b),
            (trade(s, 1, Side::Sell), b),
            (level(2 * s), b),
        ],
    );
    assert_eq!(names, ["trade_intensity_1s", "trade_intensity_ev1"]);
    let ln2 = std::f64::consts::LN_2;
    close(rows[0][0], ln2);
    close(rows[1][0], 1.5 * ln2);
    close(rows[2][0], 0.75 * ln2);
    // event time: N * (1 - 1/2)
    close(rows[0][1], 0.5);
    close(rows[1][1], 0.75);
    close(rows[2][1], 0.375);
}

#[test]
fn realized_volatility_is_the_decayed_sum_of_squared_log_returns() {
    let (names, rows) = run(
        "[[features]]\nkind = \"realized_volatility\"\nwindows = [{ events = 1 }]",
        &[
            (level(0), book(&[(99, 1)], &[(101, 1)])),  // mid 100
            (level(1), book(&[(100, 1)], &[(102, 1)])), // mid 101
            (level(2), book(&[(100, 1)], &[(102, 1)])), // 101
            (level(3), book(&[(99, 1)], &[(101, 1)])),  // 100
        ],
    );
    assert_eq!(names, ["realized_vol_bps_ev1"]);
    let r1 = (101.0f64 / 100.0).ln();
    let r3 = (100.0f64 / 101.0).ln();
    close(rows[0][0], 0.0);
    close(rows[1][0], 1e4 * r1.abs());
    close(rows[2][0], 1e4 * (0.5 * r1 * r1).sqrt());
    close(rows[3][0], 1e4 * (0.25 * r1 * r1 + r3 * r3).sqrt());
}

#[test]
fn parkinson_and_garman_klass_on_completed_bars_only() {
    let s = 1_000_000_000;
    let m = |mid2: i64| book(&[(mid2 - 1, 1)], &[(mid2 + 1, 1)]); // mid = mid2
    let (names, rows) = run(
        "[[features]]\nkind = \"range_volatility\"\nbar_seconds = 1\nhalf_life_bars = 1",
        &[
            (level(0), m(100)),
            (level(s / 4), m(102)),
            (level(s / 2), m(99)),
            (level(3 * s / 4), m(101)),
            (level(3 * s / 2), m(100)), // bar 1 starts: bar 0 completes
            (level(5 * s / 2), m(100)), // bar 2 starts: bar 1 (flat) completes
        ],
    );
    assert_eq!(names, ["parkinson_vol_bps_1s", "garman_klass_vol_bps_1s"]);
    for r in &rows[..4] {
        assert_eq!(r, &[0.0, 0.0], "nothing before the first completed bar");
    }
    let ln2 = std::f64::consts::LN_2;
    let hl = (102.0f64 / 99.0).ln();
    let co = (101.0f64 / 100.0).ln();
    let park = hl * hl / (4.0 * ln2);
    let gk = 0.5 * hl * hl - (2.0 * ln2 - 1.0) * co * co;
    close(rows[4][0], 1e4 * park.sqrt());
    close(rows[4][1], 1e4 * gk.sqrt());
    // a flat bar adds variance 0 with weight 1, the old one decays to 1/2
    close(rows[5][0], 1e4 * (0.5 * park / 1.5).sqrt());
    close(rows[5][1], 1e4 * (0.5 * gk / 1.5).sqrt());
}

#[test]
fn lagged_returns_in_basis_points_from_the_first_valid_mid() {
    let (names, rows) = run(
        "[[features]]\nkind = \"lagged_returns\"\nlags = [1, 2]",
        &[
            (level(0), book(&[], &[])),                 // no mid yet
            (level(1), book(&[(99, 1)], &[(101, 1)])),  // 100
            (level(2), book(&[(100, 1)], &[(102, 1)])), // 101
            (level(3), book(&[(102, 1)], &[(104, 1)])), // 103
        ],
    );
    assert_eq!(names, ["return_bps_lag1", "return_bps_lag2"]);
    assert_eq!(rows[0], [0.0, 0.0]);
    assert_eq!(rows[1], [0.0, 0.0], "the lagged row has no mid");
    close(rows[2][0], 1e4 * (101.0f64 / 100.0).ln());
    assert_eq!(rows[2][1], 0.0, "row 0 had no mid");
    close(rows[3][0], 1e4 * (103.0f64 / 101.0).ln());
    close(rows[3][1], 1e4 * (103.0f64 / 100.0).ln());
}

#[test]
fn time_of_day_as_a_fraction_and_on_the_circle() {
    let b = book(&[(99, 1)], &[(101, 1)]);
    let s = 1_000_000_000i64;
    let (names, rows) = run(
        "[[features]]\nkind = \"time_of_day\"\nutc_offset_seconds = 3600",
        &[
            (level(34_200 * s + 999_999_999), b), // 09:30:00.999 -> 10:30:00 (whole seconds)
            (level(-s), b),                       // 23:59:59 the day before -> 00:59:59
        ],
    );
    assert_eq!(names, ["time_of_day", "time_of_day_sin", "time_of_day_cos"]);
    let f = 37_800.0 / 86_400.0;
    close(rows[0][0], f);
    close(rows[0][1], (std::f64::consts::TAU * f).sin());
    close(rows[0][2], (std::f64::consts::TAU * f).cos());
    close(rows[1][0], 3_599.0 / 86_400.0);
}

#[test]
fn the_default_pipeline_has_at_least_fifteen_named_outputs() {
    let p = FeaturePipeline::default();
    assert!(p.width() >= 15, "{}", p.width());
    assert_eq!(p.width(), 26);
    assert_eq!(p.names().len(), p.width());
    assert_eq!(p.depth(), 5);
}

#[test]
fn configuration_errors_name_the_problem() {
    let unknown = FeaturePipeline::from_toml("[[features]]\nkind = \"vwap_magic\"").unwrap_err();
    let text = unknown.to_string();
    assert!(
        text.contains("vwap_magic") && text.contains("line"),
        "{text}"
    );

    let field =
        FeaturePipeline::from_toml("[[features]]\nkind = \"depth\"\nlevels = 2\nlevles = 3")
            .unwrap_err();
    assert!(field.to_string().contains("levles"), "{field}");

    let window = FeaturePipeline::from_toml(
        "[[features]]\nkind = \"mid\"\n[[features]]\nkind = \"trade_flow\"\nwindows = [{ events = -5 }]",
    )
    .unwrap_err();
    assert!(
        matches!(
            window,
            Error::InvalidFeature {
                index: 1,
                kind: "trade_flow",
                ..
            }
        ),
        "{window}"
    );
    assert!(window.to_string().contains("window 0"), "{window}");

    let both = FeaturePipeline::from_toml(
        "[[features]]\nkind = \"trade_intensity\"\nwindows = [{ events = 5, seconds = 1 }]",
    )
    .unwrap_err();
    assert!(both.to_string().contains("not both"), "{both}");

    let levels =
        FeaturePipeline::from_toml("[[features]]\nkind = \"depth\"\nlevels = 0").unwrap_err();
    assert!(
        levels.to_string().contains("levels must be 1 to 64"),
        "{levels}"
    );

    let dup =
        FeaturePipeline::from_toml("[[features]]\nkind = \"mid\"\n[[features]]\nkind = \"mid\"")
            .unwrap_err();
    assert!(
        matches!(dup, Error::DuplicateName { ref name } if name == "mid"),
        "{dup}"
    );

    assert!(matches!(
        FeaturePipeline::from_toml("features = []"),
        Err(Error::EmptyPipeline)
    ));

    let mut p = FeaturePipeline::default();
    let mut short = vec![0.0; 3];
    assert!(matches!(
        p.update(&level(0), &book(&[], &[]), &mut short),
        Err(Error::WidthMismatch {
            expected: 26,
            got: 3,
            ..
        })
    ));
}

#[test]
fn the_default_configuration_round_trips_through_toml() {
    let p = FeaturePipeline::default();
    let text = p.config().unwrap().to_toml();
    let again = FeaturePipeline::from_toml(&text).unwrap();
    assert_eq!(again.names(), p.names());
}
