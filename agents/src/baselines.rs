//! Baseline execution policies, each a [`Policy`] over the execution state.
//!
//! | name | rule |
//! |---|---|
//! | `TWAP` | market child of `remaining / steps_left` (rounded up) every step |
//! | `VWAP` | market child bringing the executed share up to a volume profile's cumulative share |
//! | `POV` | market child of a fixed fraction of the market volume seen in the last interval |
//! | `Almgren-Chriss` | market child following the discrete AC optimal trajectory for `κτ` |
//! | `Immediate` | everything as one market order at arrival |
//! | `Submit-and-leave` | one limit order for everything at a fixed offset, market order the rest at the end (Nevmyvaka, Feng & Kearns 2006) |
//!
//! All are deterministic and read only [`ExecState`] fields, so they run unchanged in any
//! execution environment. None sends more than the remaining inventory; on the last step
//! every one sends all that remains (the environments would also liquidate it).

use shortfall_core::Policy;
use shortfall_core::Qty;
use shortfall_core::exec::almgren_chriss::AcModel;
use shortfall_core::exec::{ExecAction, ExecState, VolumeProfile};

use crate::error::{Error, Result};

/// Every baseline's action when nothing remains or the horizon is reached.
#[inline]
fn finish(state: &ExecState) -> Option<ExecAction> {
    if state.remaining.0 <= 0 {
        Some(ExecAction::Hold)
    } else if state.steps_left() <= 1 {
        Some(ExecAction::Market {
            qty: state.remaining,
        })
    } else {
        None
    }
}

/// `x` rounded up to whole lots, except that values within 10⁻⁹ of a whole number (relative
/// to `scale`) are that number: floating-point noise in `0.3 × 1000` must not add a lot.
#[inline]
fn ceil_lots(x: f64, scale: f64) -> i64 {
    let r = x.round();
    if (x - r).abs() <= 1e-9 * scale.max(1.0) {
        r as i64
    } else {
        x.ceil() as i64
    }
}

/// A market child of `qty`, capped to `[0, remaining]`.
#[inline]
fn market(state: &ExecState, qty: i64) -> ExecAction {
    ExecAction::Market {
        qty: Qty(qty.clamp(0, state.remaining.0.max(0))),
    }
}

/// Time-weighted average price: equal slices, `remaining / steps_left` rounded up to whole
/// lots ([`ExecState::schedule_slice`]), as market orders.
#[derive(Debug, Clone, Default)]
pub struct Twap;

impl Policy for Twap {
    type Obs = ExecState;
    type Action = ExecAction;

    fn name(&self) -> &str {
        "TWAP"
    }

    fn act(&mut self, state: &ExecState) -> ExecAction {
        finish(state).unwrap_or(ExecAction::Market {
            qty: state.schedule_slice(),
        })
    }
}

/// Volume-weighted average price: after decision `k` (0-based) of `N`, the executed share
/// of the parent should be the profile's cumulative volume share at `(k + 1)/N`; the child
/// is what is missing, rounded up to whole lots, as a market order.
///
/// The profile is an input: estimate it from data or the simulator with
/// [`VolumeProfile::estimate`], or use [`Vwap::default`], the documented intraday U shape
/// over 13 half-hour bins ([`VolumeProfile::u_shape`]) mapped onto the horizon.
#[derive(Debug, Clone)]
pub struct Vwap {
    profile: VolumeProfile,
}

impl Default for Vwap {
    fn default() -> Self {
        Vwap {
            profile: VolumeProfile::u_shape(13).expect("13 bins is a valid profile"),
        }
    }
}

impl Vwap {
    /// VWAP against `profile` (its bins span the whole horizon).
    pub fn new(profile: VolumeProfile) -> Self {
        Vwap { profile }
    }

    /// The profile followed.
    pub fn profile(&self) -> &VolumeProfile {
        &self.profile
    }
}

impl Policy for Vwap {
    type Obs = ExecState;
    type Action = ExecAction;

    fn name(&self) -> &str {
        "VWAP"
    }

    fn act(&mut self, state: &ExecState) -> ExecAction {
        if let Some(a) = finish(state) {
            return a;
        }
        let u = f64::from(state.step + 1) / f64::from(state.total_steps());
        let target = self.profile.cumulative(u) * state.parent.quantity().0 as f64;
        let quantity = state.parent.quantity().0 as f64;
        market(
            state,
            ceil_lots(target - state.executed().0 as f64, quantity),
        )
    }
}

/// Percentage of volume: each step, a market child of `rate ×` the market volume others
/// traded during the previous interval (rounded up to whole lots). It trades nothing until
/// volume has been observed and does not aim at the horizon: whatever is left at the last
/// step goes as one market order.
#[derive(Debug, Clone)]
pub struct Pov {
    rate: f64,
    last_volume: Qty,
}

impl Pov {
    /// POV with participation `rate` of others' volume, in `(0, 1]`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when `rate` is outside `(0, 1]`.
    pub fn new(rate: f64) -> Result<Self> {
        if !(rate > 0.0 && rate <= 1.0) {
            return Err(Error::Invalid {
                what: "POV participation rate",
                reason: format!("{rate} is outside (0, 1]"),
            });
        }
        Ok(Pov {
            rate,
            last_volume: Qty::ZERO,
        })
    }

    /// The participation rate.
    pub fn rate(&self) -> f64 {
        self.rate
    }
}

impl Policy for Pov {
    type Obs = ExecState;
    type Action = ExecAction;

    fn name(&self) -> &str {
        "POV"
    }

    fn reset(&mut self) {
        self.last_volume = Qty::ZERO;
    }

    fn act(&mut self, state: &ExecState) -> ExecAction {
        let seen = (state.market_volume - self.last_volume).0.max(0);
        self.last_volume = state.market_volume;
        if let Some(a) = finish(state) {
            return a;
        }
        market(state, (self.rate * seen as f64).ceil() as i64)
    }
}

/// Almgren–Chriss (2000): the discrete optimal trajectory for risk aversion `λ`, followed
/// from the current state. With `m` steps left and `r` lots remaining, the child is
/// `r (1 − sinh(κτ(m − 1)) / sinh(κτm))` rounded up to whole lots — the first step of the
/// optimal trajectory restarted from `(r, m)`. The optimal trajectory is time-consistent,
/// so from arrival this is eq. (18), `x_k = sinh(κ(T − t_k))/sinh(κT) X`, up to rounding;
/// restarting also keeps it on course after partial fills in a book.
///
/// With `κτ m` below 10⁻⁸ (no risk aversion) the rule is TWAP's
/// ([`ExecState::schedule_slice`]), so `λ = 0` reproduces TWAP exactly, lot for lot.
#[derive(Debug, Clone)]
pub struct AlmgrenChriss {
    kappa_tau: f64,
}

impl AlmgrenChriss {
    /// The trajectory for urgency `κτ` (dimensionless: κ per time unit × interval).
    ///
    /// # Errors
    /// [`Error::Invalid`] when `kappa_tau` is negative or not finite.
    pub fn new(kappa_tau: f64) -> Result<Self> {
        if !(kappa_tau.is_finite() && kappa_tau >= 0.0) {
            return Err(Error::Invalid {
                what: "Almgren-Chriss urgency",
                reason: format!("kappa*tau = {kappa_tau} must be finite and >= 0"),
            });
        }
        Ok(AlmgrenChriss { kappa_tau })
    }

    /// The optimal trajectory of `model` for risk aversion `lambda`: `κ` from the discrete
    /// equation (see [`AcModel::kappa`]).
    ///
    /// # Errors
    /// When `lambda` is negative or not finite.
    pub fn from_model(model: &AcModel, lambda: f64) -> Result<Self> {
        Self::new(model.kappa(lambda)? * model.tau())
    }

    /// `κτ`.
    pub fn kappa_tau(&self) -> f64 {
        self.kappa_tau
    }

    /// Share of the remaining inventory to keep after this step with `m ≥ 2` steps left:
    /// `sinh(κτ(m − 1)) / sinh(κτm)`.
    fn keep_share(&self, m: u32) -> f64 {
        let a = self.kappa_tau * f64::from(m - 1);
        let b = self.kappa_tau * f64::from(m);
        if b > 20.0 {
            (a - b).exp() * (-(-2.0 * a).exp_m1()) / (-(-2.0 * b).exp_m1())
        } else {
            a.sinh() / b.sinh()
        }
    }
}

impl Policy for AlmgrenChriss {
    type Obs = ExecState;
    type Action = ExecAction;

    fn name(&self) -> &str {
        "Almgren-Chriss"
    }

    fn act(&mut self, state: &ExecState) -> ExecAction {
        if let Some(a) = finish(state) {
            return a;
        }
        let m = state.steps_left();
        if self.kappa_tau * f64::from(m) < 1e-8 {
            return ExecAction::Market {
                qty: state.schedule_slice(),
            };
        }
        let r = state.remaining.0 as f64;
        market(state, ceil_lots(r * (1.0 - self.keep_share(m)), r))
    }
}

/// Everything at once: one market order for the whole parent at arrival.
#[derive(Debug, Clone, Default)]
pub struct Immediate;

impl Policy for Immediate {
    type Obs = ExecState;
    type Action = ExecAction;

    fn name(&self) -> &str {
        "Immediate"
    }

    fn act(&mut self, state: &ExecState) -> ExecAction {
        if state.remaining.0 <= 0 {
            ExecAction::Hold
        } else {
            ExecAction::Market {
                qty: state.remaining,
            }
        }
    }
}

/// Submit-and-leave, the baseline of Nevmyvaka, Feng & Kearns (2006), "Reinforcement
/// learning for optimized trade execution", ICML: at arrival, one limit order for the whole
/// parent `offset_ticks` behind the near touch, left untouched for the horizon; at the last
/// step, a market order for whatever has not filled. If the resting order disappears (for
/// example cancelled by the venue) it is placed again at the same offset from the then
/// current touch.
#[derive(Debug, Clone)]
pub struct SubmitAndLeave {
    offset_ticks: u32,
}

impl SubmitAndLeave {
    /// Leave a limit order `offset_ticks` behind the near touch (0: at the touch).
    pub fn new(offset_ticks: u32) -> Self {
        SubmitAndLeave { offset_ticks }
    }

    /// The offset.
    pub fn offset_ticks(&self) -> u32 {
        self.offset_ticks
    }
}

impl Policy for SubmitAndLeave {
    type Obs = ExecState;
    type Action = ExecAction;

    fn name(&self) -> &str {
        "Submit-and-leave"
    }

    fn act(&mut self, state: &ExecState) -> ExecAction {
        if let Some(a) = finish(state) {
            return a;
        }
        if state.resting_orders == 0 {
            ExecAction::Limit {
                qty: state.remaining,
                offset_ticks: self.offset_ticks,
            }
        } else {
            ExecAction::Hold
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shortfall_core::exec::ParentOrder;
    use shortfall_core::exec::almgren_chriss::{AcParams, optimal_fractions};
    use shortfall_core::{Side, Ts};

    fn state(quantity: i64, steps: i64) -> ExecState {
        let p = ParentOrder::new(Side::Sell, Qty(quantity), Ts(steps), Ts(1)).unwrap();
        ExecState::at_arrival(p, 100.0)
    }

    /// Runs a policy against a perfect fill model: every market child fills, nothing else.
    fn schedule<P: Policy<Obs = ExecState, Action = ExecAction>>(
        p: &mut P,
        mut s: ExecState,
    ) -> Vec<i64> {
        p.reset();
        let mut out = Vec::new();
        while s.steps_left() > 0 {
            let a = p.act(&s);
            a.validate(&s).unwrap();
            let q = match a {
                ExecAction::Market { qty } => qty.0,
                _ => 0,
            };
            s.remaining.0 -= q;
            s.step += 1;
            s.market_volume.0 += 1000;
            out.push(q);
        }
        assert_eq!(s.remaining.0, 0);
        out
    }

    #[test]
    fn twap_slices_evenly_with_remainders_first() {
        assert_eq!(schedule(&mut Twap, state(10, 4)), vec![3, 3, 2, 2]);
        assert_eq!(schedule(&mut Twap, state(1000, 3)), vec![334, 333, 333]);
    }

    #[test]
    fn vwap_follows_the_profile_and_flat_profile_is_even() {
        let mut v = Vwap::new(VolumeProfile::new(vec![2.0, 1.0, 1.0]).unwrap());
        assert_eq!(schedule(&mut v, state(1000, 3)), vec![500, 250, 250]);
        let mut flat = Vwap::new(VolumeProfile::flat(5).unwrap());
        assert_eq!(schedule(&mut flat, state(1000, 10)), vec![100; 10]);
        // The default U shape trades more at both ends than in the middle.
        let u = schedule(&mut Vwap::default(), state(13_000, 13));
        assert!(u[0] > 2 * u[6] && u[12] > 2 * u[6], "{u:?}");
    }

    #[test]
    fn pov_trades_its_share_of_the_previous_intervals_volume() {
        let mut p = Pov::new(0.1).unwrap();
        // 1000 lots of market volume per step: 0, then 100 per step, the rest at the end.
        let q = schedule(&mut p, state(1000, 5));
        assert_eq!(q, vec![0, 100, 100, 100, 700]);
        assert!(Pov::new(0.0).is_err() && Pov::new(1.5).is_err() && Pov::new(f64::NAN).is_err());
    }

    #[test]
    fn almgren_chriss_follows_the_closed_form_trajectory() {
        let model = AcParams::paper_example().build().unwrap();
        let mut ac = AlmgrenChriss::from_model(&model, 1e-6).unwrap();
        let q = schedule(&mut ac, state(1_000_000, 5));
        let f = optimal_fractions(ac.kappa_tau(), 5).unwrap();
        let mut held = 1_000_000i64;
        for (k, n) in q.iter().enumerate() {
            held -= n;
            let exact = f[k + 1] * 1e6;
            // Rounding a child up moves the holdings less than one lot below the curve, and
            // earlier deviations shrink by the keep share (< 1): at most k + 1 lots.
            assert!(
                (held as f64 - exact).abs() <= (k + 1) as f64,
                "step {k}: {held} vs {exact}"
            );
        }
    }

    #[test]
    fn almgren_chriss_without_risk_aversion_is_twap_lot_for_lot() {
        for (x, n) in [(10, 4), (1000, 3), (1_000_000, 7), (999_983, 50)] {
            let mut ac = AlmgrenChriss::new(0.0).unwrap();
            assert_eq!(
                schedule(&mut ac, state(x, n)),
                schedule(&mut Twap, state(x, n))
            );
        }
        // A tiny positive urgency stays within one lot per step of TWAP.
        let mut ac = AlmgrenChriss::new(1e-6).unwrap();
        let a = schedule(&mut ac, state(1_000_000, 20));
        let t = schedule(&mut Twap, state(1_000_000, 20));
        assert!(
            a.iter().zip(&t).all(|(x, y)| (x - y).abs() <= 2),
            "{a:?} vs {t:?}"
        );
        assert!(AlmgrenChriss::new(-1.0).is_err());
    }

    #[test]
    fn immediate_and_submit_and_leave_do_what_their_names_say() {
        assert_eq!(schedule(&mut Immediate, state(500, 4)), vec![500, 0, 0, 0]);
        let mut s = state(500, 4);
        let mut sl = SubmitAndLeave::new(2);
        assert_eq!(
            sl.act(&s),
            ExecAction::Limit {
                qty: Qty(500),
                offset_ticks: 2
            }
        );
        s.step = 1;
        s.resting = Qty(500);
        s.resting_orders = 1;
        assert_eq!(sl.act(&s), ExecAction::Hold);
        s.step = 3;
        assert_eq!(sl.act(&s), ExecAction::Market { qty: Qty(500) });
    }

    #[test]
    fn names_are_exactly_the_published_ones() {
        assert_eq!(Twap.name(), "TWAP");
        assert_eq!(Vwap::default().name(), "VWAP");
        assert_eq!(Pov::new(0.1).unwrap().name(), "POV");
        assert_eq!(AlmgrenChriss::new(0.1).unwrap().name(), "Almgren-Chriss");
        assert_eq!(Immediate.name(), "Immediate");
        assert_eq!(SubmitAndLeave::new(0).name(), "Submit-and-leave");
    }
}
