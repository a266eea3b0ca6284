//! The parent order, the execution state policies observe, and the per-step report.

use crate::env::Space;
use crate::error::{Error, Result};
use crate::units::{Qty, Side, Ts};
use serde::{Deserialize, Serialize};

/// The order an execution policy works: buy or sell `quantity` lots within `horizon`,
/// deciding every `interval`.
///
/// Valid by construction: positive quantity, positive interval, and a horizon that is a
/// whole number (≥ 1) of intervals.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ParentOrderSpec", into = "ParentOrderSpec")]
pub struct ParentOrder {
    side: Side,
    quantity: Qty,
    horizon: Ts,
    interval: Ts,
}

/// The serialised form of [`ParentOrder`], validated on the way in.
#[derive(Copy, Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParentOrderSpec {
    side: Side,
    quantity: Qty,
    horizon: Ts,
    interval: Ts,
}

impl TryFrom<ParentOrderSpec> for ParentOrder {
    type Error = Error;
    fn try_from(s: ParentOrderSpec) -> Result<Self> {
        ParentOrder::new(s.side, s.quantity, s.horizon, s.interval)
    }
}

impl From<ParentOrder> for ParentOrderSpec {
    fn from(p: ParentOrder) -> Self {
        ParentOrderSpec {
            side: p.side,
            quantity: p.quantity,
            horizon: p.horizon,
            interval: p.interval,
        }
    }
}

impl ParentOrder {
    /// A parent order, checked.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the quantity or interval is not positive, the horizon is not
    /// a whole positive multiple of the interval, or there are more than `u32::MAX` steps.
    pub fn new(side: Side, quantity: Qty, horizon: Ts, interval: Ts) -> Result<Self> {
        let invalid = |reason: String| Error::Invalid {
            what: "parent order",
            reason,
        };
        if quantity.0 <= 0 {
            return Err(invalid(format!("quantity {quantity} must be positive")));
        }
        if interval.0 <= 0 {
            return Err(invalid(format!(
                "decision interval {interval} must be positive"
            )));
        }
        if horizon.0 < interval.0 || horizon.0 % interval.0 != 0 {
            return Err(invalid(format!(
                "horizon {horizon} must be a whole positive multiple of the interval {interval}"
            )));
        }
        if horizon.0 / interval.0 > i64::from(u32::MAX) {
            return Err(invalid(format!(
                "horizon {horizon} / interval {interval} is more than u32::MAX steps"
            )));
        }
        Ok(ParentOrder {
            side,
            quantity,
            horizon,
            interval,
        })
    }

    /// Buy or sell.
    #[inline]
    pub fn side(&self) -> Side {
        self.side
    }

    /// Total quantity in lots (> 0).
    #[inline]
    pub fn quantity(&self) -> Qty {
        self.quantity
    }

    /// Time allowed to complete the order.
    #[inline]
    pub fn horizon(&self) -> Ts {
        self.horizon
    }

    /// Time between two decisions.
    #[inline]
    pub fn interval(&self) -> Ts {
        self.interval
    }

    /// Number of decision steps, `horizon / interval` (≥ 1).
    #[inline]
    pub fn steps(&self) -> u32 {
        // Validated in `new`: a whole number of intervals, at most u32::MAX.
        (self.horizon.0 / self.interval.0) as u32
    }
}

/// A small summary of the market at a decision time.
///
/// Prices are in the environment's price unit (ticks in the order-book world, currency in
/// the Almgren–Chriss world); only ratios of prices enter [`ExecState::features`], so the
/// unit does not matter to policies.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BookSummary {
    /// Mid price.
    pub mid: f64,
    /// Best ask minus best bid (≥ 0).
    pub spread: f64,
    /// Visible quantity at the best bid, in lots.
    pub bid_depth: Qty,
    /// Visible quantity at the best ask, in lots.
    pub ask_depth: Qty,
    /// Standard deviation of the mid's change over one decision interval, recently (≥ 0).
    pub volatility: f64,
    /// The mid's change over the last decision interval.
    pub last_return: f64,
}

impl BookSummary {
    /// Depth imbalance at the touch, `(bid − ask) / (bid + ask)` in `[−1, 1]`; 0 for an
    /// empty touch.
    #[inline]
    pub fn imbalance(&self) -> f64 {
        let total = self.bid_depth.0 + self.ask_depth.0;
        if total <= 0 {
            0.0
        } else {
            (self.bid_depth.0 - self.ask_depth.0) as f64 / total as f64
        }
    }
}

/// Number of entries in [`ExecState::features`].
pub const FEATURE_COUNT: usize = 11;

/// Names of the entries of [`ExecState::features`], in order.
pub const FEATURE_NAMES: [&str; FEATURE_COUNT] = [
    "time_remaining",
    "inventory_remaining",
    "schedule_gap",
    "adverse_move_bps_100",
    "spread_bps_10",
    "adverse_imbalance",
    "far_touch_depth_share",
    "volatility_bps_10",
    "adverse_return_bps_10",
    "resting_share",
    "market_volume_share",
];

const FEATURE_LOW: [f64; FEATURE_COUNT] =
    [0.0, 0.0, -1.0, -5.0, 0.0, -1.0, 0.0, 0.0, -10.0, 0.0, 0.0];
const FEATURE_HIGH: [f64; FEATURE_COUNT] =
    [1.0, 1.0, 1.0, 5.0, 10.0, 1.0, 1.0, 10.0, 10.0, 1.0, 1.0];

/// The box [`ExecState::features`] lives in (every feature is clipped to it).
pub fn feature_space() -> Space {
    Space::Box {
        low: FEATURE_LOW.to_vec(),
        high: FEATURE_HIGH.to_vec(),
    }
}

/// What an execution policy observes at one decision time.
///
/// Quantities are in lots; prices in the environment's price unit (see [`BookSummary`]).
/// `step` decisions have been taken so far; the next action is decision number `step`
/// (0-based) of [`ParentOrder::steps`].
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExecState {
    /// The order being worked.
    pub parent: ParentOrder,
    /// Decision steps already taken (0 at arrival).
    pub step: u32,
    /// Inventory still to trade, in lots (including any resting quantity).
    pub remaining: Qty,
    /// Mid price at arrival: the benchmark of implementation shortfall (> 0).
    pub arrival_price: f64,
    /// The market now.
    pub book: BookSummary,
    /// Own quantity resting in limit orders, in lots (≤ `remaining`).
    pub resting: Qty,
    /// Number of own resting limit orders.
    pub resting_orders: u32,
    /// Market volume traded by others since arrival, in lots.
    pub market_volume: Qty,
}

/// Clips to `[lo, hi]`.
#[inline]
fn clip(x: f64, lo: f64, hi: f64) -> f64 {
    x.max(lo).min(hi)
}

impl ExecState {
    /// The state at arrival in an otherwise empty description of the market: all inventory
    /// and time remain, the mid is `arrival_price`, no spread, depth or volume. Useful for
    /// tests and for environments that fill in the book afterwards.
    pub fn at_arrival(parent: ParentOrder, arrival_price: f64) -> Self {
        ExecState {
            parent,
            step: 0,
            remaining: parent.quantity(),
            arrival_price,
            book: BookSummary {
                mid: arrival_price,
                spread: 0.0,
                bid_depth: Qty::ZERO,
                ask_depth: Qty::ZERO,
                volatility: 0.0,
                last_return: 0.0,
            },
            resting: Qty::ZERO,
            resting_orders: 0,
            market_volume: Qty::ZERO,
        }
    }

    /// Total number of decision steps.
    #[inline]
    pub fn total_steps(&self) -> u32 {
        self.parent.steps()
    }

    /// Decision steps left, including the current one (0 once the horizon is reached).
    #[inline]
    pub fn steps_left(&self) -> u32 {
        self.total_steps().saturating_sub(self.step)
    }

    /// True when the current decision is the last one before the horizon.
    #[inline]
    pub fn is_last_step(&self) -> bool {
        self.steps_left() == 1
    }

    /// Lots executed so far.
    #[inline]
    pub fn executed(&self) -> Qty {
        self.parent.quantity() - self.remaining
    }

    /// Fraction of the horizon still ahead, in `[0, 1]`.
    #[inline]
    pub fn time_remaining(&self) -> f64 {
        f64::from(self.steps_left()) / f64::from(self.total_steps())
    }

    /// Fraction of the parent still to trade, in `[0, 1]` for a valid state.
    #[inline]
    pub fn inventory_remaining(&self) -> f64 {
        self.remaining.0 as f64 / self.parent.quantity().0 as f64
    }

    /// The TWAP pace: `remaining / steps_left`, rounded up to whole lots (all of the
    /// remaining inventory on the last step, 0 when nothing remains).
    #[inline]
    pub fn schedule_slice(&self) -> Qty {
        let left = i64::from(self.steps_left().max(1));
        let r = self.remaining.0.max(0);
        Qty((r + left - 1) / left)
    }

    /// The normalised feature vector RL policies read, named by [`FEATURE_NAMES`]; every
    /// entry is clipped to [`feature_space`]. "Adverse" entries are signed so that positive
    /// means the market moves against the parent order (up for a buy, down for a sell).
    ///
    /// | # | feature | definition |
    /// |---|---|---|
    /// | 0 | time remaining | `steps_left / steps` |
    /// | 1 | inventory remaining | `remaining / quantity` |
    /// | 2 | schedule gap | inventory remaining − time remaining (> 0: behind TWAP) |
    /// | 3 | adverse move | `side · (mid − arrival) / arrival` in bps ÷ 100, in `[−5, 5]` |
    /// | 4 | spread | `spread / mid` in bps ÷ 10, in `[0, 10]` |
    /// | 5 | adverse imbalance | `side ·` [`BookSummary::imbalance`] |
    /// | 6 | far-touch depth share | depth we would take from ÷ (that depth + remaining) |
    /// | 7 | volatility | `volatility / mid` in bps ÷ 10, in `[0, 10]` |
    /// | 8 | adverse return | `side · last_return / mid` in bps ÷ 10, in `[−10, 10]` |
    /// | 9 | resting share | `resting / remaining` (0 when nothing remains) |
    /// | 10 | market volume share | `market_volume / (market_volume + quantity)` |
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field when a price is not finite, the arrival price or
    /// mid is not positive, or quantities are inconsistent (negative, remaining above the
    /// parent, resting above remaining).
    pub fn features(&self) -> Result<[f64; FEATURE_COUNT]> {
        let mut out = [0.0; FEATURE_COUNT];
        self.write_features(&mut out)?;
        Ok(out)
    }

    /// [`ExecState::features`] written into `out` (for batches without allocation).
    ///
    /// # Errors
    /// As [`ExecState::features`], and when `out.len() != FEATURE_COUNT`.
    pub fn write_features(&self, out: &mut [f64]) -> Result<()> {
        self.check()?;
        if out.len() != FEATURE_COUNT {
            return Err(Error::Invalid {
                what: "feature buffer",
                reason: format!("has {} entries, expected {FEATURE_COUNT}", out.len()),
            });
        }
        let sign = self.parent.side().sign() as f64;
        let b = &self.book;
        let bps = 1e4 / b.mid;
        let time = self.time_remaining();
        let inventory = self.inventory_remaining();
        let far_depth = match self.parent.side() {
            Side::Buy => b.ask_depth.0,
            Side::Sell => b.bid_depth.0,
        } as f64;
        let remaining = self.remaining.0 as f64;
        let quantity = self.parent.quantity().0 as f64;
        let market = self.market_volume.0 as f64;
        let values = [
            time,
            inventory,
            inventory - time,
            sign * (b.mid - self.arrival_price) / self.arrival_price * 1e4 / 100.0,
            b.spread * bps / 10.0,
            sign * b.imbalance(),
            if far_depth + remaining > 0.0 {
                far_depth / (far_depth + remaining)
            } else {
                0.0
            },
            b.volatility * bps / 10.0,
            sign * b.last_return * bps / 10.0,
            if remaining > 0.0 {
                self.resting.0 as f64 / remaining
            } else {
                0.0
            },
            market / (market + quantity),
        ];
        for (i, v) in values.into_iter().enumerate() {
            out[i] = clip(v, FEATURE_LOW[i], FEATURE_HIGH[i]);
        }
        Ok(())
    }

    /// Checks the fields [`ExecState::features`] relies on.
    fn check(&self) -> Result<()> {
        let bad = |reason: String| {
            Err(Error::Invalid {
                what: "execution state",
                reason,
            })
        };
        let b = &self.book;
        for (name, v) in [
            ("arrival_price", self.arrival_price),
            ("book.mid", b.mid),
            ("book.spread", b.spread),
            ("book.volatility", b.volatility),
            ("book.last_return", b.last_return),
        ] {
            if !v.is_finite() {
                return bad(format!("{name} is {v}"));
            }
        }
        if self.arrival_price <= 0.0 || b.mid <= 0.0 {
            return bad(format!(
                "arrival_price {} and book.mid {} must be positive",
                self.arrival_price, b.mid
            ));
        }
        if b.spread < 0.0 || b.volatility < 0.0 {
            return bad(format!(
                "book.spread {} and book.volatility {} must be non-negative",
                b.spread, b.volatility
            ));
        }
        let q = self.parent.quantity();
        if self.remaining.0 < 0 || self.remaining > q {
            return bad(format!("remaining {} outside [0, {q}]", self.remaining));
        }
        if self.resting.0 < 0 || self.resting > self.remaining {
            return bad(format!(
                "resting {} outside [0, remaining {}]",
                self.resting, self.remaining
            ));
        }
        if b.bid_depth.0 < 0 || b.ask_depth.0 < 0 || self.market_volume.0 < 0 {
            return bad(format!(
                "negative depth or volume (bid {}, ask {}, market volume {})",
                b.bid_depth, b.ask_depth, self.market_volume
            ));
        }
        Ok(())
    }
}

/// Writes the feature vectors of `states` into `out`, row-major (`states.len()` rows of
/// [`FEATURE_COUNT`]); `out` is cleared first and keeps its allocation.
///
/// # Errors
/// The first state whose features fail, with its index.
pub fn stack_features(states: &[ExecState], out: &mut Vec<f64>) -> Result<()> {
    out.clear();
    out.resize(states.len() * FEATURE_COUNT, 0.0);
    for (i, (s, row)) in states
        .iter()
        .zip(out.chunks_exact_mut(FEATURE_COUNT))
        .enumerate()
    {
        s.write_features(row).map_err(|e| Error::Invalid {
            what: "batched execution states",
            reason: format!("state {i}: {e}"),
        })?;
    }
    Ok(())
}

/// What an execution environment reports with every step: cumulative over the episode.
///
/// Costs are in price units × lots and positive when they hurt the parent order. The
/// evaluation harness derives implementation shortfall from `filled` and `filled_notional`
/// against the arrival price; `spread_cost` and `impact_cost` are the environment's own
/// attribution of it:
/// - `spread_cost`: what was paid relative to the mid at the time each child was sent just
///   for crossing (or earned for providing) the spread — half-spread and fixed costs;
/// - `impact_cost`: the cost due to the parent's own trading moving prices (temporary
///   impact beyond the touch and permanent impact on the inventory still held).
///
/// What remains of the shortfall is the timing cost (price moves the parent did not cause).
#[derive(Copy, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ExecInfo {
    /// Decision steps taken so far.
    pub step: u32,
    /// Lots executed so far.
    pub filled: Qty,
    /// Sum of quantity × price over all fills so far.
    pub filled_notional: f64,
    /// Cumulative spread cost (see above).
    pub spread_cost: f64,
    /// Cumulative market-impact cost (see above).
    pub impact_cost: f64,
    /// The number of steps after which the parent was complete, once it is.
    pub filled_at: Option<u32>,
}

impl ExecInfo {
    /// Implementation shortfall of the fills so far against `arrival_price`, in price units
    /// × lots: `side · (filled_notional − filled · arrival)` (Perold 1988, the execution cost
    /// part; positive is a cost).
    #[inline]
    pub fn implementation_shortfall(&self, side: Side, arrival_price: f64) -> f64 {
        side.sign() as f64 * (self.filled_notional - self.filled.0 as f64 * arrival_price)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parent(side: Side) -> ParentOrder {
        ParentOrder::new(side, Qty(1000), Ts::from_secs(600), Ts::from_secs(60)).unwrap()
    }

    #[test]
    fn parent_orders_are_validated() {
        let ok = |q, h, i| ParentOrder::new(Side::Buy, Qty(q), Ts(h), Ts(i));
        assert!(ok(0, 10, 1).is_err());
        assert!(ok(-5, 10, 1).is_err());
        assert!(ok(5, 10, 0).is_err());
        assert!(ok(5, 10, 3).is_err());
        assert!(ok(5, 2, 3).is_err());
        assert_eq!(ok(5, 12, 3).unwrap().steps(), 4);
        let msg = ok(5, 10, 3).unwrap_err().to_string();
        assert!(
            msg.contains("parent order") && msg.contains("multiple"),
            "{msg}"
        );
    }

    #[test]
    fn parent_orders_convert_from_their_serialised_form_only_when_valid() {
        let spec = |interval| ParentOrderSpec {
            side: Side::Sell,
            quantity: Qty(10),
            horizon: Ts(100),
            interval: Ts(interval),
        };
        assert_eq!(ParentOrder::try_from(spec(10)).unwrap().steps(), 10);
        assert!(ParentOrder::try_from(spec(30)).is_err());
        let back = ParentOrderSpec::from(ParentOrder::try_from(spec(10)).unwrap());
        assert_eq!(
            (back.quantity, back.horizon, back.interval),
            (Qty(10), Ts(100), Ts(10))
        );
    }

    #[test]
    fn features_match_hand_computed_values() {
        let p = parent(Side::Buy);
        let s = ExecState {
            parent: p,
            step: 4,
            remaining: Qty(700),
            arrival_price: 100.0,
            book: BookSummary {
                mid: 100.5,
                spread: 0.201,
                bid_depth: Qty(300),
                ask_depth: Qty(100),
                volatility: 0.0201,
                last_return: -0.0201,
            },
            resting: Qty(70),
            resting_orders: 1,
            market_volume: Qty(3000),
        };
        let f = s.features().unwrap();
        let expect = [
            0.6,   // 6 of 10 steps left
            0.7,   // 700 of 1000
            0.1,   // 0.7 - 0.6
            0.5,   // +50 bps against a buyer, / 100
            2.0,   // 0.201/100.5 = 20 bps, / 10
            0.5,   // (300-100)/400 for a buyer
            0.125, // ask depth 100 / (100 + 700)
            0.2,   // 2 bps / 10
            -0.2,  // -2 bps for a buyer is favourable
            0.1,   // 70 / 700
            0.75,  // 3000 / 4000
        ];
        for (i, (a, b)) in f.iter().zip(expect).enumerate() {
            assert!(
                (a - b).abs() < 1e-12,
                "feature {} = {a}, expected {b}",
                FEATURE_NAMES[i]
            );
        }
        // A seller sees the signed features flipped.
        let sell = ExecState {
            parent: parent(Side::Sell),
            ..s
        };
        let g = sell.features().unwrap();
        assert!((g[3] + 0.5).abs() < 1e-12 && (g[5] + 0.5).abs() < 1e-12);
        assert!((g[6] - 300.0 / 1000.0).abs() < 1e-12 && (g[8] - 0.2).abs() < 1e-12);
        assert!(feature_space().contains(&f) && feature_space().contains(&g));
    }

    #[test]
    fn features_are_clipped_and_bad_states_are_named() {
        let mut s = ExecState::at_arrival(parent(Side::Sell), 100.0);
        s.book.mid = 10.0; // -90 % for a seller: far beyond the clip
        assert_eq!(s.features().unwrap()[3], 5.0);
        s.book.mid = f64::NAN;
        let e = s.features().unwrap_err().to_string();
        assert!(e.contains("book.mid is NaN"), "{e}");
        let mut s = ExecState::at_arrival(parent(Side::Sell), 100.0);
        s.resting = Qty(2000);
        assert!(s.features().unwrap_err().to_string().contains("resting"));
        let mut buf = [0.0; 3];
        let s = ExecState::at_arrival(parent(Side::Sell), 100.0);
        assert!(s.write_features(&mut buf).is_err());
        let mut rows = Vec::new();
        stack_features(&[s, s], &mut rows).unwrap();
        assert_eq!(rows.len(), 2 * FEATURE_COUNT);
        assert_eq!(&rows[..FEATURE_COUNT], &s.features().unwrap());
    }

    #[test]
    fn schedule_slice_is_the_twap_pace_rounded_up() {
        let mut s = ExecState::at_arrival(parent(Side::Buy), 10.0);
        assert_eq!(s.schedule_slice(), Qty(100));
        s.step = 7;
        s.remaining = Qty(301);
        assert_eq!(s.schedule_slice(), Qty(101)); // ceil(301 / 3)
        s.step = 9;
        assert!(s.is_last_step());
        assert_eq!(s.schedule_slice(), Qty(301));
    }

    #[test]
    fn implementation_shortfall_is_a_cost_for_both_sides() {
        let info = ExecInfo {
            filled: Qty(10),
            filled_notional: 1010.0,
            ..ExecInfo::default()
        };
        // Bought 10 at 101 against arrival 100: cost 10. Sold at 101: gain 10.
        assert_eq!(info.implementation_shortfall(Side::Buy, 100.0), 10.0);
        assert_eq!(info.implementation_shortfall(Side::Sell, 100.0), -10.0);
    }
}
