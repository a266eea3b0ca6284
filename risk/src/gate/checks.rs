//! The checks, in the order the gate runs them. Each returns the first [`Deny`] it finds;
//! none changes the gate except the throttles, which run last so that a denied request
//! never spends a token.

use super::deny::Deny;
use super::{AuditLog, GateState, PreTradeGate};
use shortfall_core::{NewOrder, OrderId, OrderSink, OrderType, Price, Qty, Side, Ts};

fn to_qty(v: i128) -> Qty {
    Qty(i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX }))
}

impl<S: OrderSink, A: AuditLog> PreTradeGate<S, A> {
    /// Trading state: only cancels pass when halted or after the kill switch.
    #[inline]
    fn check_not_halted(&self) -> Result<(), Deny> {
        if let Some(trip) = self.kill_switch {
            return Err(Deny::KillSwitch {
                daily_pnl: trip.daily_pnl,
                limit: trip.limit,
            });
        }
        if self.state == GateState::Halted {
            return Err(Deny::Halted);
        }
        Ok(())
    }

    #[inline]
    fn check_qty(&self, qty: Qty) -> Result<(), Deny> {
        if qty.0 <= 0 {
            return Err(Deny::InvalidQuantity { qty });
        }
        if qty.0 > self.limits.max_order_qty {
            return Err(Deny::MaxOrderQty {
                limit: Qty(self.limits.max_order_qty),
                qty,
            });
        }
        Ok(())
    }

    /// The price collar on a limit price (fat-finger check), and the price to value the
    /// order at: the limit, or the reference for a market order.
    #[inline]
    fn check_price(&self, limit: Option<Price>) -> Result<Price, Deny> {
        let reference = self.reference;
        match (limit, reference) {
            (None, None) => Err(Deny::NoReferencePrice),
            (None, Some(r)) => Ok(r),
            (Some(_), None) if self.limits.require_reference => Err(Deny::NoReferencePrice),
            (Some(p), None) => Ok(p),
            (Some(p), Some(r)) => {
                // |p − r| / |r| > collar / 10 000, without division.
                let distance = (i128::from(p.0) - i128::from(r.0)).abs() * 10_000;
                let allowed = i128::from(self.limits.collar_bps) * i128::from(r.0).abs();
                if distance > allowed {
                    let deviation_bps = distance
                        .checked_div(i128::from(r.0).abs())
                        .unwrap_or(i128::MAX);
                    Err(Deny::PriceCollar {
                        price: p,
                        reference: r,
                        deviation_bps: i64::try_from(deviation_bps).unwrap_or(i64::MAX),
                        collar_bps: self.limits.collar_bps,
                    })
                } else {
                    Ok(p)
                }
            }
        }
    }

    #[inline]
    fn check_notional(&self, qty: Qty, price: Price) -> Result<(), Deny> {
        let notional = (i128::from(qty.0) * i128::from(price.0)).abs();
        if notional > self.limits.max_notional {
            return Err(Deny::MaxNotional {
                limit: self.config.max_order_notional,
                notional: notional as f64 * self.tick_lot,
            });
        }
        Ok(())
    }

    /// Worst-case position if `side`'s open orders, less `replaced` of them, and `qty`
    /// more all filled.
    #[inline]
    fn worst_case(&self, side: Side, replaced: i64, qty: i64) -> i128 {
        let open = i128::from(self.open.open_qty(side)) - i128::from(replaced) + i128::from(qty);
        i128::from(self.ledger.position()) + i128::from(side.sign()) * open
    }

    /// Reduce-only: the worst case must stay on the same side of zero as the position and
    /// closer to it.
    #[inline]
    fn check_reducing(&self, side: Side, would_be: i128) -> Result<(), Deny> {
        if self.state != GateState::Reducing {
            return Ok(());
        }
        let position = i128::from(self.ledger.position());
        let reduces = match side {
            Side::Buy => position < 0 && would_be <= 0,
            Side::Sell => position > 0 && would_be >= 0,
        };
        if reduces {
            Ok(())
        } else {
            Err(Deny::NotReducing {
                position: to_qty(position),
                would_be: to_qty(would_be),
            })
        }
    }

    #[inline]
    fn check_position(&self, side: Side, would_be: i128) -> Result<(), Deny> {
        let (limit, breach) = match side {
            Side::Buy => (
                self.limits.max_long,
                would_be > i128::from(self.limits.max_long),
            ),
            Side::Sell => (
                self.limits.max_short,
                -would_be > i128::from(self.limits.max_short),
            ),
        };
        if breach {
            return Err(Deny::PositionLimit {
                side,
                limit: Qty(limit),
                would_be: to_qty(would_be),
            });
        }
        Ok(())
    }

    /// An incoming order on `side` (limit `None`: market) must not reach the gate's own
    /// resting orders on the other side.
    #[inline]
    fn check_self_trade(&self, side: Side, limit: Option<Price>) -> Result<(), Deny> {
        if !self.limits.self_trade_check {
            return Ok(());
        }
        match self.open.crossing(side.opposite(), limit) {
            Some((resting_price, resting_id)) => Err(Deny::SelfTrade {
                resting_id,
                resting_price,
            }),
            None => Ok(()),
        }
    }

    #[inline]
    fn take_order_token(&mut self, now: Ts) -> Result<(), Deny> {
        self.order_rate
            .try_take(now)
            .map_err(|retry_after| Deny::OrderRate {
                capacity: self.order_rate.capacity(),
                refill_per_sec: self.order_rate.refill_per_sec(),
                retry_after,
            })
    }

    /// Every check for a new order.
    pub(super) fn check_new(&mut self, now: Ts, order: &NewOrder) -> Result<(), Deny> {
        self.check_not_halted()?;
        // Every open id is in `seen` (added when forwarded, kept across `new_day`).
        if self.seen.contains(&order.id) {
            return Err(Deny::DuplicateOrderId { id: order.id });
        }
        if self.open.len() >= self.limits.max_open_orders {
            return Err(Deny::TooManyOpenOrders {
                limit: self.limits.max_open_orders,
            });
        }
        self.check_qty(order.qty)?;
        let limit = match order.order_type {
            OrderType::Limit { price, .. } => Some(price),
            OrderType::Market => None,
        };
        let value_at = self.check_price(limit)?;
        self.check_notional(order.qty, value_at)?;
        let would_be = self.worst_case(order.side, 0, order.qty.0);
        self.check_reducing(order.side, would_be)?;
        self.check_position(order.side, would_be)?;
        self.check_self_trade(order.side, limit)?;
        self.take_order_token(now)
    }

    /// Every check for a modify of open order `id` to `price` and `qty`.
    pub(super) fn check_modify(
        &mut self,
        now: Ts,
        id: OrderId,
        price: Price,
        qty: Qty,
    ) -> Result<(), Deny> {
        self.check_not_halted()?;
        let Some((side, exposure)) = self.open.side_and_exposure(id) else {
            return Err(Deny::UnknownOrder { id });
        };
        self.check_qty(qty)?;
        let value_at = self.check_price(Some(price))?;
        self.check_notional(qty, value_at)?;
        // While the modify is in flight the order may fill at either size.
        let would_be = self.worst_case(side, exposure, exposure.max(qty.0));
        if self.state == GateState::Reducing && qty.0 > exposure {
            return Err(Deny::NotReducing {
                position: Qty(self.ledger.position()),
                would_be: to_qty(self.worst_case(side, exposure, qty.0)),
            });
        }
        self.check_position(side, would_be)?;
        self.check_self_trade(side, Some(price))?;
        self.take_order_token(now)
    }

    /// Every check for a cancel: the order must be open; only the cancel throttle applies
    /// (cancels pass in every trading state).
    pub(super) fn check_cancel(&mut self, now: Ts, id: OrderId) -> Result<(), Deny> {
        if !self.open.contains(id) {
            return Err(Deny::UnknownOrder { id });
        }
        self.cancel_rate
            .try_take(now)
            .map_err(|retry_after| Deny::CancelRate {
                capacity: self.cancel_rate.capacity(),
                refill_per_sec: self.cancel_rate.refill_per_sec(),
                retry_after,
            })
    }
}
