//! Unit tests of the L2 queue-position update.

use super::binance::next_front;
use super::queue::{LogProb, PowerLaw, RiskAverse};
use shortfall_core::Qty;

#[test]
fn risk_averse_front_moves_only_by_trades() {
    // Level 10 -> 6 with nothing traded: 4 cancelled, all behind.
    assert_eq!(
        next_front(&RiskAverse, 5.0, Qty(10), Qty(6), Qty::ZERO),
        5.0
    );
    // Level 10 -> 3: 7 cancelled but only 5 are behind: 2 must come from ahead.
    assert_eq!(
        next_front(&RiskAverse, 5.0, Qty(10), Qty(3), Qty::ZERO),
        3.0
    );
}

#[test]
fn trades_explain_their_part_of_a_decrease() {
    // front was 5 before a trade of 2 (the trade already took it to 3); the level then
    // shows 10 -> 8: fully explained by the trade, nothing cancelled.
    let m = PowerLaw::new(1.0).unwrap();
    assert_eq!(next_front(&m, 3.0, Qty(10), Qty(8), Qty(2)), 3.0);
    // 10 -> 5 with 2 traded: 3 cancelled; after the trade 3 ahead, 5 behind, so with the
    // uniform model 3/8 of 3 = 1.125 fall ahead.
    let f = next_front(&m, 3.0, Qty(10), Qty(5), Qty(2));
    assert!((f - (3.0 - 1.125)).abs() < 1e-12, "{f}");
}

#[test]
fn uniform_model_moves_the_front_by_its_share() {
    // 4 ahead, 6 behind, 5 cancelled: 4/10 of 5 = 2 ahead.
    let m = PowerLaw::new(1.0).unwrap();
    assert!((next_front(&m, 4.0, Qty(10), Qty(5), Qty::ZERO) - 2.0).abs() < 1e-12);
    // log: ln5 / (ln5 + ln7) of 5
    let share = 5f64.ln() / (5f64.ln() + 7f64.ln());
    let f = next_front(&LogProb, 4.0, Qty(10), Qty(5), Qty::ZERO);
    assert!((f - (4.0 - share * 5.0)).abs() < 1e-12);
}

#[test]
fn increases_join_behind_and_the_front_never_exceeds_the_level() {
    let m = PowerLaw::new(1.0).unwrap();
    assert_eq!(next_front(&m, 4.0, Qty(10), Qty(20), Qty::ZERO), 4.0);
    // A level that vanishes takes the front to zero.
    assert_eq!(next_front(&m, 4.0, Qty(10), Qty(0), Qty::ZERO), 0.0);
}
