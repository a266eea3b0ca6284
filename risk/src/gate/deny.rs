//! [`Deny`]: why the gate refused a request, as data; [`DenyKind`] and [`GateCounters`] to
//! count them.

use shortfall_core::{OrderId, Price, Qty, Side, Ts};

/// Why the [`crate::gate::PreTradeGate`] refused a request: the gate's
/// [`shortfall_core::OrderSink::Refusal`].
///
/// Every variant carries the numbers that decided it, so a denial can be logged, counted and
/// acted on without re-deriving the state of the gate. Prices are in ticks and quantities in
/// lots of the gate's instrument; money is in its quote currency.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Deny {
    /// The gate is [`crate::gate::GateState::Halted`] by an operator: only cancels pass.
    #[error("trading is halted: only cancels pass")]
    Halted,
    /// The kill switch tripped (daily loss limit) and has not been reset: only cancels pass.
    #[error(
        "kill switch engaged: daily P&L {daily_pnl} beyond loss limit {limit}; only cancels pass"
    )]
    KillSwitch {
        /// The daily P&L when the switch tripped (quote currency, negative).
        daily_pnl: f64,
        /// The configured daily loss limit (quote currency, positive).
        limit: f64,
    },
    /// The gate is [`crate::gate::GateState::Reducing`] and the order could increase the
    /// position (or flip it) in the worst case.
    #[error("reduce-only: position {position} would become {would_be} in the worst case")]
    NotReducing {
        /// The current position (positive long).
        position: Qty,
        /// The position if this order and every open order on its side filled.
        would_be: Qty,
    },
    /// A quantity that is zero or negative.
    #[error("quantity {qty} is not positive")]
    InvalidQuantity {
        /// The quantity given.
        qty: Qty,
    },
    /// A new order reuses an id that is open or was already used this session.
    #[error("duplicate order id {id}")]
    DuplicateOrderId {
        /// The id.
        id: OrderId,
    },
    /// A cancel or modify names an id that is not open at the gate.
    #[error("unknown order id {id}")]
    UnknownOrder {
        /// The id.
        id: OrderId,
    },
    /// As many orders are open as the configuration allows.
    #[error("{limit} orders already open")]
    TooManyOpenOrders {
        /// The configured maximum number of open orders.
        limit: usize,
    },
    /// The order quantity is above the maximum.
    #[error("order quantity {qty} above the maximum {limit}")]
    MaxOrderQty {
        /// The configured maximum.
        limit: Qty,
        /// The quantity asked.
        qty: Qty,
    },
    /// The order notional (quantity × price, in the quote currency) is above the maximum.
    #[error("order notional {notional} above the maximum {limit}")]
    MaxNotional {
        /// The configured maximum (quote currency).
        limit: f64,
        /// The order's notional (quote currency).
        notional: f64,
    },
    /// There is no reference price yet, and the order needs one (a market order always; a
    /// limit order unless `require_reference_price = false`).
    #[error("no reference price yet")]
    NoReferencePrice,
    /// The limit price is further from the reference price than the collar allows
    /// (a fat-finger price).
    #[error(
        "price {price} is {deviation_bps} bps from reference {reference}, collar {collar_bps} bps"
    )]
    PriceCollar {
        /// The limit price.
        price: Price,
        /// The reference price.
        reference: Price,
        /// The distance from the reference in basis points (rounded down).
        deviation_bps: i64,
        /// The configured collar in basis points.
        collar_bps: i64,
    },
    /// The position on `side`'s direction would exceed its limit in the worst case (the
    /// current position plus every open order on that side plus this one).
    #[error("{side} would take the position to {would_be} against a limit of {limit}")]
    PositionLimit {
        /// The order's side (buys test the long limit, sells the short limit).
        side: Side,
        /// The limit (a positive quantity: long limit for buys, short limit for sells).
        limit: Qty,
        /// The worst-case position, signed (negative for short).
        would_be: Qty,
    },
    /// The order would trade against one of the gate's own resting orders.
    #[error("would trade against own resting order {resting_id} at {resting_price}")]
    SelfTrade {
        /// The own resting order it would cross.
        resting_id: OrderId,
        /// That order's limit price.
        resting_price: Price,
    },
    /// The order-rate throttle (new orders and modifies) is empty.
    #[error("order rate above {capacity} burst / {refill_per_sec} per second")]
    OrderRate {
        /// Bucket capacity in orders.
        capacity: i64,
        /// Refill in orders per second.
        refill_per_sec: i64,
        /// How long until the next token, or `None` when the bucket never refills.
        retry_after: Option<Ts>,
    },
    /// The cancel-rate throttle is empty.
    #[error("cancel rate above {capacity} burst / {refill_per_sec} per second")]
    CancelRate {
        /// Bucket capacity in cancels.
        capacity: i64,
        /// Refill in cancels per second.
        refill_per_sec: i64,
        /// How long until the next token, or `None` when the bucket never refills.
        retry_after: Option<Ts>,
    },
    /// Every check passed but the inner sink (the venue) refused the request; its refusal
    /// is kept as its `Debug` text.
    #[error("venue refused: {0}")]
    Venue(String),
}

/// The kind of a [`Deny`], without its data: the key of [`GateCounters`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DenyKind {
    /// [`Deny::Halted`].
    Halted,
    /// [`Deny::KillSwitch`].
    KillSwitch,
    /// [`Deny::NotReducing`].
    NotReducing,
    /// [`Deny::InvalidQuantity`].
    InvalidQuantity,
    /// [`Deny::DuplicateOrderId`].
    DuplicateOrderId,
    /// [`Deny::UnknownOrder`].
    UnknownOrder,
    /// [`Deny::TooManyOpenOrders`].
    TooManyOpenOrders,
    /// [`Deny::MaxOrderQty`].
    MaxOrderQty,
    /// [`Deny::MaxNotional`].
    MaxNotional,
    /// [`Deny::NoReferencePrice`].
    NoReferencePrice,
    /// [`Deny::PriceCollar`].
    PriceCollar,
    /// [`Deny::PositionLimit`].
    PositionLimit,
    /// [`Deny::SelfTrade`].
    SelfTrade,
    /// [`Deny::OrderRate`].
    OrderRate,
    /// [`Deny::CancelRate`].
    CancelRate,
    /// [`Deny::Venue`].
    Venue,
}

impl DenyKind {
    /// Every kind, in declaration order.
    pub const ALL: [DenyKind; 16] = [
        DenyKind::Halted,
        DenyKind::KillSwitch,
        DenyKind::NotReducing,
        DenyKind::InvalidQuantity,
        DenyKind::DuplicateOrderId,
        DenyKind::UnknownOrder,
        DenyKind::TooManyOpenOrders,
        DenyKind::MaxOrderQty,
        DenyKind::MaxNotional,
        DenyKind::NoReferencePrice,
        DenyKind::PriceCollar,
        DenyKind::PositionLimit,
        DenyKind::SelfTrade,
        DenyKind::OrderRate,
        DenyKind::CancelRate,
        DenyKind::Venue,
    ];

    /// A stable snake-case name, for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            DenyKind::Halted => "halted",
            DenyKind::KillSwitch => "kill_switch",
            DenyKind::NotReducing => "not_reducing",
            DenyKind::InvalidQuantity => "invalid_quantity",
            DenyKind::DuplicateOrderId => "duplicate_order_id",
            DenyKind::UnknownOrder => "unknown_order",
            DenyKind::TooManyOpenOrders => "too_many_open_orders",
            DenyKind::MaxOrderQty => "max_order_qty",
            DenyKind::MaxNotional => "max_notional",
            DenyKind::NoReferencePrice => "no_reference_price",
            DenyKind::PriceCollar => "price_collar",
            DenyKind::PositionLimit => "position_limit",
            DenyKind::SelfTrade => "self_trade",
            DenyKind::OrderRate => "order_rate",
            DenyKind::CancelRate => "cancel_rate",
            DenyKind::Venue => "venue",
        }
    }
}

impl Deny {
    /// The kind of this denial.
    pub fn kind(&self) -> DenyKind {
        match self {
            Deny::Halted => DenyKind::Halted,
            Deny::KillSwitch { .. } => DenyKind::KillSwitch,
            Deny::NotReducing { .. } => DenyKind::NotReducing,
            Deny::InvalidQuantity { .. } => DenyKind::InvalidQuantity,
            Deny::DuplicateOrderId { .. } => DenyKind::DuplicateOrderId,
            Deny::UnknownOrder { .. } => DenyKind::UnknownOrder,
            Deny::TooManyOpenOrders { .. } => DenyKind::TooManyOpenOrders,
            Deny::MaxOrderQty { .. } => DenyKind::MaxOrderQty,
            Deny::MaxNotional { .. } => DenyKind::MaxNotional,
            Deny::NoReferencePrice => DenyKind::NoReferencePrice,
            Deny::PriceCollar { .. } => DenyKind::PriceCollar,
            Deny::PositionLimit { .. } => DenyKind::PositionLimit,
            Deny::SelfTrade { .. } => DenyKind::SelfTrade,
            Deny::OrderRate { .. } => DenyKind::OrderRate,
            Deny::CancelRate { .. } => DenyKind::CancelRate,
            Deny::Venue(_) => DenyKind::Venue,
        }
    }
}

/// How many requests the gate forwarded, and how many it denied for each reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GateCounters {
    forwarded: u64,
    denied: [u64; DenyKind::ALL.len()],
}

impl GateCounters {
    /// Requests passed to the inner sink (which accepted them).
    pub fn forwarded(&self) -> u64 {
        self.forwarded
    }

    /// Requests denied for `kind`.
    pub fn denied(&self, kind: DenyKind) -> u64 {
        self.denied[kind as usize]
    }

    /// Requests denied for any reason.
    pub fn total_denied(&self) -> u64 {
        self.denied.iter().sum()
    }

    #[inline]
    pub(crate) fn count_forwarded(&mut self) {
        self.forwarded += 1;
    }

    #[inline]
    pub(crate) fn count_denied(&mut self, kind: DenyKind) {
        self.denied[kind as usize] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_indexes_its_own_counter() {
        for (i, kind) in DenyKind::ALL.iter().enumerate() {
            assert_eq!(*kind as usize, i, "{}", kind.as_str());
        }
        let mut c = GateCounters::default();
        c.count_denied(DenyKind::Venue);
        c.count_denied(DenyKind::Halted);
        assert_eq!(c.denied(DenyKind::Venue), 1);
        assert_eq!(c.total_denied(), 2);
    }
}
