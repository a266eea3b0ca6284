//! [`GateConfig`]: the gate's limits as plain, serialisable data, validated into a
//! [`PreTradeGate`] by [`GateConfig::build`].

use super::PreTradeGate;
use super::audit::{AuditLog, RingAuditLog};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use shortfall_core::{Instrument, OrderSink};

/// A token bucket: `capacity` requests at once, refilled at `refill_per_sec` per second.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThrottleConfig {
    /// The burst size: requests allowed back to back from a full bucket (> 0).
    pub capacity: i64,
    /// Requests per second added back (≥ 0; 0 means a fixed budget per day, refilled only
    /// by [`PreTradeGate::new_day`]).
    pub refill_per_sec: i64,
}

/// The limits of a [`PreTradeGate`], in the units of its [`Instrument`]: quantities in
/// lots, prices in ticks, money in the quote currency.
///
/// Every field has a default (see [`GateConfig::default`]), so a TOML file names only what
/// it changes; unknown fields are an error, so a misspelt limit is never silently ignored.
///
/// ```
/// use shortfall_risk::gate::GateConfig;
/// let config = GateConfig::from_toml_str(
///     "max_order_qty = 50\n[order_rate]\ncapacity = 10\nrefill_per_sec = 5\n",
/// )?;
/// assert_eq!(config.max_order_qty, 50);
/// assert_eq!(config.order_rate.capacity, 10);
/// assert_eq!(config.max_long_position, GateConfig::default().max_long_position);
/// assert!(GateConfig::from_toml_str("max_order_quantity = 50").is_err());
/// # Ok::<(), shortfall_risk::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GateConfig {
    /// Largest quantity of one order, in lots. Default 1 000.
    pub max_order_qty: i64,
    /// Largest notional of one order (quantity × price, at the limit price, or at the
    /// reference price for a market order), in the quote currency. Default 1 000 000.
    pub max_order_notional: f64,
    /// Largest long position, in lots, counting every open buy as filled. Default 10 000.
    pub max_long_position: i64,
    /// Largest short position, in lots (a positive number), counting every open sell as
    /// filled. Default 10 000.
    pub max_short_position: i64,
    /// Price collar: a limit price further than this from the reference price, in basis
    /// points of the reference, is denied. Default 500 (5 %).
    pub collar_bps: i64,
    /// Deny limit orders while no reference price is known (market orders are always
    /// denied then, since their notional is unknown). Default `true`.
    pub require_reference_price: bool,
    /// Daily loss limit, in the quote currency (positive): when realised plus unrealised
    /// P&L of the day falls below minus this, the kill switch trips. Default 50 000.
    pub max_daily_loss: f64,
    /// Throttle on new orders and modifies. Default capacity 100, refill 50 per second.
    pub order_rate: ThrottleConfig,
    /// Throttle on cancels. Default capacity 200, refill 100 per second.
    pub cancel_rate: ThrottleConfig,
    /// Most orders open at once (storage for them is allocated up front). Default 1 024.
    pub max_open_orders: usize,
    /// Deny orders that would trade against the gate's own resting orders. Default `true`.
    pub self_trade_check: bool,
    /// Records kept by the default in-memory audit ring. Default 65 536.
    pub audit_capacity: usize,
    /// Order ids expected per day: room allocated up front for the duplicate-id check
    /// (more ids still work, at the cost of an occasional reallocation). Default 100 000.
    pub expected_orders_per_day: usize,
}

impl Default for GateConfig {
    fn default() -> Self {
        Self {
            max_order_qty: 1_000,
            max_order_notional: 1_000_000.0,
            max_long_position: 10_000,
            max_short_position: 10_000,
            collar_bps: 500,
            require_reference_price: true,
            max_daily_loss: 50_000.0,
            order_rate: ThrottleConfig {
                capacity: 100,
                refill_per_sec: 50,
            },
            cancel_rate: ThrottleConfig {
                capacity: 200,
                refill_per_sec: 100,
            },
            max_open_orders: 1_024,
            self_trade_check: true,
            audit_capacity: 65_536,
            expected_orders_per_day: 100_000,
        }
    }
}

/// The limits in the gate's integer units, validated.
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    pub(crate) max_order_qty: i64,
    /// Max notional in tick-lots.
    pub(crate) max_notional: i128,
    pub(crate) max_long: i64,
    pub(crate) max_short: i64,
    pub(crate) collar_bps: i64,
    pub(crate) require_reference: bool,
    /// Daily loss limit in tick-lots (positive).
    pub(crate) max_daily_loss: i128,
    pub(crate) max_open_orders: usize,
    pub(crate) self_trade_check: bool,
}

fn invalid(field: &'static str, value: impl ToString, reason: &'static str) -> Error {
    Error::InvalidConfig {
        field,
        value: value.to_string(),
        reason,
    }
}

fn positive(field: &'static str, value: i64) -> Result<i64> {
    if value > 0 {
        Ok(value)
    } else {
        Err(invalid(field, value, "must be > 0"))
    }
}

/// Money in the quote currency as a whole number of tick-lots (rounded down), checked.
fn money(field: &'static str, value: f64, tick_lot: f64) -> Result<i128> {
    if !(value.is_finite() && value > 0.0) {
        return Err(invalid(field, value, "must be finite and > 0"));
    }
    let units = (value / tick_lot).floor();
    if units < 1.0 {
        return Err(invalid(
            field,
            value,
            "is smaller than one tick times one lot of the instrument",
        ));
    }
    if units >= i128::MAX as f64 {
        return Err(invalid(field, value, "is too large to represent"));
    }
    Ok(units as i128)
}

fn throttle(
    capacity_field: &'static str,
    refill_field: &'static str,
    t: ThrottleConfig,
) -> Result<ThrottleConfig> {
    if t.capacity <= 0 {
        let reason = if t.refill_per_sec == 0 {
            "must be > 0 (with refill_per_sec = 0 too, no request could ever pass)"
        } else {
            "must be > 0 (a request needs one whole token)"
        };
        return Err(invalid(capacity_field, t.capacity, reason));
    }
    if t.refill_per_sec < 0 {
        return Err(invalid(refill_field, t.refill_per_sec, "must be >= 0"));
    }
    Ok(t)
}

impl GateConfig {
    /// Reads a configuration from TOML; fields left out keep their defaults.
    ///
    /// # Errors
    /// [`Error::ConfigToml`] for malformed TOML, an unknown field or a value of the wrong
    /// type (the message names the line and column). Limits are checked by
    /// [`GateConfig::build`], not here.
    pub fn from_toml_str(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| Error::ConfigToml {
            reason: e.to_string(),
        })
    }

    /// The configuration as TOML (every field, so the file documents the limits in force).
    ///
    /// # Errors
    /// [`Error::ConfigToml`] if a value cannot be written as TOML (a NaN or infinite amount).
    pub fn to_toml_string(&self) -> Result<String> {
        toml::to_string(self).map_err(|e| Error::ConfigToml {
            reason: e.to_string(),
        })
    }

    /// Checks every limit against the instrument and converts money to its integer units.
    pub(crate) fn limits(&self, instrument: &Instrument) -> Result<Limits> {
        let tick_lot = instrument.tick_size() * instrument.lot_size();
        let max_order_qty = positive("max_order_qty", self.max_order_qty)?;
        let max_notional = money("max_order_notional", self.max_order_notional, tick_lot)?;
        let max_long = positive("max_long_position", self.max_long_position)?;
        let max_short = positive("max_short_position", self.max_short_position)?;
        let collar_bps = positive("collar_bps", self.collar_bps)?;
        let max_daily_loss = money("max_daily_loss", self.max_daily_loss, tick_lot)?;
        throttle(
            "order_rate.capacity",
            "order_rate.refill_per_sec",
            self.order_rate,
        )?;
        throttle(
            "cancel_rate.capacity",
            "cancel_rate.refill_per_sec",
            self.cancel_rate,
        )?;
        if self.max_open_orders == 0 {
            return Err(invalid("max_open_orders", 0, "must be > 0"));
        }
        if self.audit_capacity == 0 {
            return Err(invalid("audit_capacity", 0, "must be > 0"));
        }
        if max_order_qty > max_long.max(max_short) {
            return Err(invalid(
                "max_order_qty",
                max_order_qty,
                "exceeds both position limits, so no order that large could ever pass",
            ));
        }
        Ok(Limits {
            max_order_qty,
            max_notional,
            max_long,
            max_short,
            collar_bps,
            require_reference: self.require_reference_price,
            max_daily_loss,
            max_open_orders: self.max_open_orders,
            self_trade_check: self.self_trade_check,
        })
    }

    /// Validates the limits and builds a gate around `inner`, with an in-memory
    /// [`RingAuditLog`] of `audit_capacity` records.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the first field whose value the gate cannot work
    /// with: a quantity, position, collar or throttle capacity that is not positive, a
    /// money amount that is not finite and positive or is below one tick × lot, a negative
    /// refill, zero open orders or audit records, or a maximum order quantity above both
    /// position limits.
    pub fn build<S: OrderSink>(
        self,
        instrument: Instrument,
        inner: S,
    ) -> Result<PreTradeGate<S, RingAuditLog>> {
        let audit = RingAuditLog::with_capacity(self.audit_capacity)?;
        self.build_with_audit(instrument, inner, audit)
    }

    /// As [`GateConfig::build`], writing decisions to `audit` instead
    /// (e.g. [`super::NoAuditLog`]).
    ///
    /// # Errors
    /// As [`GateConfig::build`].
    pub fn build_with_audit<S: OrderSink, A: AuditLog>(
        self,
        instrument: Instrument,
        inner: S,
        audit: A,
    ) -> Result<PreTradeGate<S, A>> {
        let limits = self.limits(&instrument)?;
        Ok(PreTradeGate::from_parts(
            self, limits, instrument, inner, audit,
        ))
    }
}
