//! Execution actions: the child order for one decision step, and the discrete and
//! continuous encodings RL policies choose from.

use super::state::ExecState;
use crate::env::Space;
use crate::error::{Error, Result};
use crate::units::Qty;
use serde::{Deserialize, Serialize};

/// The deepest limit offset, in ticks behind the near touch, the encodings produce.
pub const MAX_LIMIT_OFFSET: u32 = 10;

/// What the policy does at one decision time. Every execution environment takes this type.
///
/// Semantics shared by all execution environments:
/// - `Hold` sends nothing and leaves own resting orders where they are.
/// - `Cancel` cancels own resting orders and sends nothing.
/// - `Market` and `Limit` first cancel own resting orders, then send one child.
/// - On the last decision step, whatever the action, the environment cancels resting orders
///   and sends a market order for all remaining inventory (and charges its cost).
///
/// Quantities are in lots; a quantity above the remaining inventory is an error, never
/// silently cut.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExecAction {
    /// Send nothing; keep resting orders.
    Hold,
    /// Cancel resting orders; send nothing.
    Cancel,
    /// A market order (crosses the spread) for `qty` lots.
    Market {
        /// Lots (0 ≤ qty ≤ remaining).
        qty: Qty,
    },
    /// A limit order for `qty` lots, `offset_ticks` behind the near touch (0: at the best
    /// bid for a buy, the best ask for a sell; 1: one tick deeper, …).
    Limit {
        /// Lots (0 ≤ qty ≤ remaining).
        qty: Qty,
        /// Ticks behind the near touch.
        offset_ticks: u32,
    },
}

impl ExecAction {
    /// The child quantity the action sends (0 for `Hold` and `Cancel`).
    #[inline]
    pub fn qty(&self) -> Qty {
        match *self {
            ExecAction::Hold | ExecAction::Cancel => Qty::ZERO,
            ExecAction::Market { qty } | ExecAction::Limit { qty, .. } => qty,
        }
    }

    /// Checks the action against `state`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the quantity is negative or above the remaining inventory.
    pub fn validate(&self, state: &ExecState) -> Result<()> {
        let q = self.qty();
        if q.0 < 0 || q > state.remaining {
            return Err(Error::Invalid {
                what: "execution action",
                reason: format!(
                    "{self:?} at step {}: quantity outside [0, remaining {}]",
                    state.step, state.remaining
                ),
            });
        }
        Ok(())
    }
}

/// The space of the native [`ExecAction`] as a box `[qty, offset]`: `qty` in lots within
/// `[0, quantity]`, `offset` in ticks within `[−1, MAX_LIMIT_OFFSET]` where −1 stands for a
/// market order (`Hold` is `qty = 0`).
pub fn native_action_space(quantity: Qty) -> Space {
    Space::Box {
        low: vec![0.0, -1.0],
        high: vec![quantity.0.max(0) as f64, f64::from(MAX_LIMIT_OFFSET)],
    }
}

/// How a child's size is set, as a fraction of something the state knows. Sizes round
/// **up** to whole lots (so any positive fraction trades at least one lot while inventory
/// remains) and are capped at the remaining inventory.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ChildSize {
    /// A fraction of the remaining inventory.
    OfRemaining(f64),
    /// A fraction of the parent quantity.
    OfParent(f64),
    /// A multiple of the TWAP pace [`ExecState::schedule_slice`] (1.0: on schedule).
    OfSchedule(f64),
    /// All remaining inventory.
    All,
}

impl ChildSize {
    /// The child quantity for `state`, in lots. A negative or NaN fraction gives 0.
    pub fn qty(&self, state: &ExecState) -> Qty {
        let remaining = state.remaining.0.max(0);
        let base = |f: f64, of: i64| -> i64 {
            if f.is_nan() || f <= 0.0 {
                0
            } else {
                let x = (f * of as f64).ceil();
                if x >= remaining as f64 {
                    remaining
                } else {
                    x as i64
                }
            }
        };
        Qty(match *self {
            ChildSize::OfRemaining(f) => base(f, remaining),
            ChildSize::OfParent(f) => base(f, state.parent.quantity().0),
            ChildSize::OfSchedule(f) => base(f, state.schedule_slice().0),
            ChildSize::All => remaining,
        })
    }
}

/// The kind of one discrete action.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderKind {
    /// Send nothing, keep resting orders.
    Hold,
    /// A market order.
    Market,
    /// A limit order at the near touch.
    LimitNear,
    /// A limit order `ticks` behind the near touch.
    LimitDeeper {
        /// Ticks behind the near touch (≥ 1).
        ticks: u32,
    },
}

/// One entry of a [`DiscreteActionSet`]: an order kind and a size.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiscreteAction {
    /// What to send.
    pub kind: OrderKind,
    /// How much (ignored for `Hold`).
    pub size: ChildSize,
}

impl DiscreteAction {
    /// The [`ExecAction`] this entry stands for in `state`.
    pub fn to_exec(&self, state: &ExecState) -> ExecAction {
        let qty = self.size.qty(state);
        match self.kind {
            OrderKind::Hold => ExecAction::Hold,
            OrderKind::Market => ExecAction::Market { qty },
            OrderKind::LimitNear => ExecAction::Limit {
                qty,
                offset_ticks: 0,
            },
            OrderKind::LimitDeeper { ticks } => ExecAction::Limit {
                qty,
                offset_ticks: ticks,
            },
        }
    }
}

/// A finite menu of actions for discrete-action learners (DQN): index `i` decodes to
/// `actions[i]` in the current state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiscreteActionSet {
    actions: Vec<DiscreteAction>,
}

impl Default for DiscreteActionSet {
    /// Seven actions, sized against the TWAP pace ([`ExecState::schedule_slice`]):
    ///
    /// | index | action |
    /// |---|---|
    /// | 0 | hold |
    /// | 1 | market, 1 × pace |
    /// | 2 | market, 2 × pace |
    /// | 3 | limit at the near touch, 1 × pace |
    /// | 4 | limit at the near touch, 2 × pace |
    /// | 5 | limit one tick deeper, 1 × pace |
    /// | 6 | market, all remaining |
    fn default() -> Self {
        use ChildSize::{All, OfSchedule};
        use OrderKind::{Hold, LimitDeeper, LimitNear, Market};
        let a = |kind, size| DiscreteAction { kind, size };
        DiscreteActionSet {
            actions: vec![
                a(Hold, OfSchedule(0.0)),
                a(Market, OfSchedule(1.0)),
                a(Market, OfSchedule(2.0)),
                a(LimitNear, OfSchedule(1.0)),
                a(LimitNear, OfSchedule(2.0)),
                a(LimitDeeper { ticks: 1 }, OfSchedule(1.0)),
                a(Market, All),
            ],
        }
    }
}

impl DiscreteActionSet {
    /// A set from its entries.
    ///
    /// # Errors
    /// [`Error::Invalid`] when empty, when a fraction is negative or not finite, or when a
    /// deeper offset is 0 or above [`MAX_LIMIT_OFFSET`].
    pub fn new(actions: Vec<DiscreteAction>) -> Result<Self> {
        let invalid = |reason: String| Error::Invalid {
            what: "discrete action set",
            reason,
        };
        if actions.is_empty() {
            return Err(invalid("no actions".into()));
        }
        for (i, a) in actions.iter().enumerate() {
            let f = match a.size {
                ChildSize::OfRemaining(f) | ChildSize::OfParent(f) | ChildSize::OfSchedule(f) => f,
                ChildSize::All => 0.0,
            };
            if !f.is_finite() || f < 0.0 {
                return Err(invalid(format!("action {i}: size fraction {f}")));
            }
            if let OrderKind::LimitDeeper { ticks } = a.kind
                && (ticks == 0 || ticks > MAX_LIMIT_OFFSET)
            {
                return Err(invalid(format!(
                    "action {i}: deeper offset {ticks} outside 1..={MAX_LIMIT_OFFSET}"
                )));
            }
        }
        Ok(DiscreteActionSet { actions })
    }

    /// The entries.
    pub fn actions(&self) -> &[DiscreteAction] {
        &self.actions
    }

    /// Number of actions.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// Never true for a constructed set (kept for clippy's `len_without_is_empty`).
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// `Discrete { n: len }`.
    pub fn space(&self) -> Space {
        Space::Discrete {
            n: self.actions.len(),
        }
    }

    /// The [`ExecAction`] for action `index` in `state`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when `index` is out of range.
    pub fn decode(&self, index: usize, state: &ExecState) -> Result<ExecAction> {
        self.actions
            .get(index)
            .map(|a| a.to_exec(state))
            .ok_or_else(|| Error::Invalid {
                what: "discrete action",
                reason: format!("index {index} outside 0..{}", self.actions.len()),
            })
    }
}

/// The continuous action for policy-gradient learners (PPO): `[participation, offset]`.
///
/// - `participation` in `[0, 1]`: the fraction of the **remaining** inventory to send now.
/// - `offset` in `[−1, MAX_LIMIT_OFFSET]` ticks: below 0, a market order; otherwise a limit
///   order `round(offset)` ticks behind the near touch.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContinuousAction {
    /// Fraction of the remaining inventory, `[0, 1]`.
    pub participation: f64,
    /// Ticks behind the near touch; negative means a market order.
    pub offset: f64,
}

impl ContinuousAction {
    /// The box `[0, 1] × [−1, MAX_LIMIT_OFFSET]`.
    pub fn space() -> Space {
        Space::Box {
            low: vec![0.0, -1.0],
            high: vec![1.0, f64::from(MAX_LIMIT_OFFSET)],
        }
    }

    /// From a 2-vector `[participation, offset]`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the length is not 2 or an entry is NaN or out of bounds.
    pub fn from_slice(x: &[f64]) -> Result<Self> {
        if !Self::space().contains(x) {
            return Err(Error::Invalid {
                what: "continuous execution action",
                reason: format!(
                    "{x:?} is not in [0, 1] x [-1, {MAX_LIMIT_OFFSET}] (participation, offset)"
                ),
            });
        }
        Ok(ContinuousAction {
            participation: x[0],
            offset: x[1],
        })
    }

    /// The [`ExecAction`] for `state` (size rounded up to whole lots, capped at remaining).
    ///
    /// # Errors
    /// [`Error::Invalid`] when an entry is NaN or out of bounds.
    pub fn to_exec(&self, state: &ExecState) -> Result<ExecAction> {
        let checked = Self::from_slice(&[self.participation, self.offset])?;
        let qty = ChildSize::OfRemaining(checked.participation).qty(state);
        Ok(if checked.offset < 0.0 {
            ExecAction::Market { qty }
        } else {
            ExecAction::Limit {
                qty,
                offset_ticks: checked.offset.round() as u32,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::ParentOrder;
    use crate::units::{Side, Ts};

    fn state(remaining: i64, step: u32) -> ExecState {
        let p = ParentOrder::new(Side::Sell, Qty(1000), Ts(10), Ts(1)).unwrap();
        ExecState {
            remaining: Qty(remaining),
            step,
            ..ExecState::at_arrival(p, 50.0)
        }
    }

    #[test]
    fn child_sizes_round_up_and_never_exceed_remaining() {
        let s = state(95, 5); // 5 steps left: pace ceil(95/5) = 19
        assert_eq!(ChildSize::OfRemaining(0.1).qty(&s), Qty(10)); // ceil(9.5)
        assert_eq!(ChildSize::OfRemaining(0.001).qty(&s), Qty(1));
        assert_eq!(ChildSize::OfParent(0.5).qty(&s), Qty(95)); // 500 capped
        assert_eq!(ChildSize::OfSchedule(2.0).qty(&s), Qty(38));
        assert_eq!(ChildSize::OfSchedule(0.0).qty(&s), Qty(0));
        assert_eq!(ChildSize::OfRemaining(f64::NAN).qty(&s), Qty(0));
        assert_eq!(ChildSize::All.qty(&s), Qty(95));
    }

    #[test]
    fn default_discrete_set_decodes_as_documented() {
        let set = DiscreteActionSet::default();
        let s = state(95, 5);
        assert_eq!(set.space(), Space::Discrete { n: 7 });
        let d = |i| set.decode(i, &s).unwrap();
        assert_eq!(d(0), ExecAction::Hold);
        assert_eq!(d(1), ExecAction::Market { qty: Qty(19) });
        assert_eq!(d(2), ExecAction::Market { qty: Qty(38) });
        assert_eq!(
            d(3),
            ExecAction::Limit {
                qty: Qty(19),
                offset_ticks: 0
            }
        );
        assert_eq!(
            d(4),
            ExecAction::Limit {
                qty: Qty(38),
                offset_ticks: 0
            }
        );
        assert_eq!(
            d(5),
            ExecAction::Limit {
                qty: Qty(19),
                offset_ticks: 1
            }
        );
        assert_eq!(d(6), ExecAction::Market { qty: Qty(95) });
        assert!(
            set.decode(7, &s)
                .unwrap_err()
                .to_string()
                .contains("index 7")
        );
        for i in 0..7 {
            assert!(d(i).validate(&s).is_ok());
        }
    }

    #[test]
    fn discrete_sets_reject_bad_entries() {
        assert!(DiscreteActionSet::new(vec![]).is_err());
        let bad_size = DiscreteAction {
            kind: OrderKind::Market,
            size: ChildSize::OfParent(-0.5),
        };
        assert!(DiscreteActionSet::new(vec![bad_size]).is_err());
        let bad_offset = DiscreteAction {
            kind: OrderKind::LimitDeeper { ticks: 0 },
            size: ChildSize::All,
        };
        assert!(DiscreteActionSet::new(vec![bad_offset]).is_err());
    }

    #[test]
    fn continuous_actions_map_to_market_or_limit() {
        let s = state(200, 0);
        let c = |p, o| {
            ContinuousAction {
                participation: p,
                offset: o,
            }
            .to_exec(&s)
        };
        assert_eq!(c(0.25, -0.5).unwrap(), ExecAction::Market { qty: Qty(50) });
        assert_eq!(
            c(0.25, 2.4).unwrap(),
            ExecAction::Limit {
                qty: Qty(50),
                offset_ticks: 2
            }
        );
        assert_eq!(c(0.0, 0.0).unwrap().qty(), Qty(0));
        assert!(c(1.5, 0.0).is_err());
        assert!(c(0.5, f64::NAN).is_err());
        assert!(ContinuousAction::from_slice(&[0.5]).is_err());
    }

    #[test]
    fn actions_above_the_remaining_inventory_are_invalid() {
        let s = state(10, 0);
        assert!(ExecAction::Market { qty: Qty(11) }.validate(&s).is_err());
        assert!(
            ExecAction::Limit {
                qty: Qty(-1),
                offset_ticks: 0
            }
            .validate(&s)
            .is_err()
        );
        assert!(ExecAction::Market { qty: Qty(10) }.validate(&s).is_ok());
        assert!(ExecAction::Hold.validate(&s).is_ok());
    }
}
