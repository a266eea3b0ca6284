//! What a strategy sends ([`OrderRequest`]) and what a venue answers ([`ExecReport`]).

use crate::units::{OrderId, Price, Qty, Side, TraderId, Ts};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How long a limit order may live and how it may trade.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TimeInForce {
    /// Good till cancelled: trades what it can, rests the remainder.
    #[default]
    Gtc,
    /// Immediate or cancel: trades what it can now, the remainder expires.
    Ioc,
    /// Fill or kill: trades its whole quantity now or nothing at all.
    Fok,
    /// Post only: rests without trading; rejected if it would cross on arrival.
    PostOnly,
}

/// What kind of new order.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderType {
    /// A limit order at `price`.
    Limit {
        /// Limit price.
        price: Price,
        /// Time in force.
        tif: TimeInForce,
    },
    /// A market order: trades against the opposite side until filled or the side is empty;
    /// the unfilled remainder expires.
    Market,
}

/// A new order.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrder {
    /// Client-chosen id, unique within the venue.
    pub id: OrderId,
    /// Who sends it (self-trade prevention compares owners).
    pub owner: TraderId,
    /// Buy or sell.
    pub side: Side,
    /// Quantity in lots (> 0).
    pub qty: Qty,
    /// Limit or market.
    pub order_type: OrderType,
}

impl NewOrder {
    /// A limit order.
    pub fn limit(
        id: OrderId,
        owner: TraderId,
        side: Side,
        price: Price,
        qty: Qty,
        tif: TimeInForce,
    ) -> Self {
        Self {
            id,
            owner,
            side,
            qty,
            order_type: OrderType::Limit { price, tif },
        }
    }

    /// A market order.
    pub fn market(id: OrderId, owner: TraderId, side: Side, qty: Qty) -> Self {
        Self {
            id,
            owner,
            side,
            qty,
            order_type: OrderType::Market,
        }
    }

    /// The limit price, if a limit order.
    pub fn limit_price(&self) -> Option<Price> {
        match self.order_type {
            OrderType::Limit { price, .. } => Some(price),
            OrderType::Market => None,
        }
    }
}

/// A request a strategy sends to a venue.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderRequest {
    /// Submit a new order.
    New(NewOrder),
    /// Cancel the rest of a resting order.
    Cancel {
        /// The order.
        id: OrderId,
        /// Its owner (only the owner may cancel).
        owner: TraderId,
    },
    /// Change a resting order's price and/or quantity. A pure size reduction keeps time
    /// priority; a price change or a size increase loses it.
    Modify {
        /// The order.
        id: OrderId,
        /// Its owner (only the owner may modify).
        owner: TraderId,
        /// New limit price.
        price: Price,
        /// New remaining quantity (> 0).
        qty: Qty,
    },
}

impl OrderRequest {
    /// The order the request is about.
    pub fn id(&self) -> OrderId {
        match *self {
            OrderRequest::New(o) => o.id,
            OrderRequest::Cancel { id, .. } | OrderRequest::Modify { id, .. } => id,
        }
    }

    /// Who sent it.
    pub fn owner(&self) -> TraderId {
        match *self {
            OrderRequest::New(o) => o.owner,
            OrderRequest::Cancel { owner, .. } | OrderRequest::Modify { owner, .. } => owner,
        }
    }
}

/// Why a venue refused a request.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RejectReason {
    /// Quantity was zero or negative.
    InvalidQty,
    /// Limit price was zero or negative, or otherwise unusable.
    InvalidPrice,
    /// An order with this id is already live at the venue.
    DuplicateOrderId,
    /// Cancel or modify of an id the venue does not know (never seen, or already done).
    UnknownOrder,
    /// Cancel or modify by someone who does not own the order.
    NotOwner,
    /// A post-only order would have crossed the spread.
    PostOnlyWouldCross,
    /// A fill-or-kill order could not be filled in full at once.
    FokNotFillable,
    /// A market order found no liquidity on the opposite side.
    NoLiquidity,
    /// The venue is halted (or only quoting, for orders that would trade).
    Halted,
    /// A modify that changes nothing.
    NoChange,
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RejectReason::InvalidQty => "quantity must be positive",
            RejectReason::InvalidPrice => "price must be positive",
            RejectReason::DuplicateOrderId => "duplicate order id",
            RejectReason::UnknownOrder => "unknown order id",
            RejectReason::NotOwner => "order belongs to another trader",
            RejectReason::PostOnlyWouldCross => "post-only order would cross",
            RejectReason::FokNotFillable => "fill-or-kill order cannot be filled in full",
            RejectReason::NoLiquidity => "no liquidity on the opposite side",
            RejectReason::Halted => "trading is halted",
            RejectReason::NoChange => "modify changes nothing",
        })
    }
}

/// Whether a fill added or removed liquidity.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Liquidity {
    /// The order was resting (passive).
    Maker,
    /// The order was incoming (aggressive).
    Taker,
}

/// Why a resting or incoming order's quantity was cancelled by the venue or the owner.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CancelReason {
    /// The owner asked.
    Requested,
    /// Self-trade prevention removed it (the resting order of the same owner is cancelled,
    /// "cancel resting" policy).
    SelfTradePrevention,
}

/// One fill of one order.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fill {
    /// Time of the match.
    pub ts: Ts,
    /// The order filled.
    pub id: OrderId,
    /// Its owner.
    pub owner: TraderId,
    /// Its side.
    pub side: Side,
    /// Execution price (the maker's limit).
    pub price: Price,
    /// Quantity filled now.
    pub qty: Qty,
    /// Quantity still open after this fill.
    pub leaves_qty: Qty,
    /// Maker or taker.
    pub liquidity: Liquidity,
    /// The order on the other side of the match.
    pub counterparty: OrderId,
}

/// A venue's report about one order.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExecReport {
    /// The request was accepted (a new order is live, or a modify took effect).
    Accepted {
        /// Time.
        ts: Ts,
        /// The order.
        id: OrderId,
        /// Its owner.
        owner: TraderId,
    },
    /// The request was refused and changed nothing.
    Rejected {
        /// Time.
        ts: Ts,
        /// The order the request named.
        id: OrderId,
        /// The sender.
        owner: TraderId,
        /// Why.
        reason: RejectReason,
    },
    /// Part or all of the order traded.
    Fill(Fill),
    /// The order's remaining quantity was cancelled.
    Cancelled {
        /// Time.
        ts: Ts,
        /// The order.
        id: OrderId,
        /// Its owner.
        owner: TraderId,
        /// Quantity removed.
        qty: Qty,
        /// Why.
        reason: CancelReason,
    },
    /// The unfilled remainder of an IOC, FOK or market order lapsed.
    Expired {
        /// Time.
        ts: Ts,
        /// The order.
        id: OrderId,
        /// Its owner.
        owner: TraderId,
        /// Quantity that lapsed.
        qty: Qty,
    },
}

impl ExecReport {
    /// The order the report is about.
    pub fn id(&self) -> OrderId {
        match *self {
            ExecReport::Accepted { id, .. }
            | ExecReport::Rejected { id, .. }
            | ExecReport::Cancelled { id, .. }
            | ExecReport::Expired { id, .. } => id,
            ExecReport::Fill(f) => f.id,
        }
    }

    /// The owner the report goes to.
    pub fn owner(&self) -> TraderId {
        match *self {
            ExecReport::Accepted { owner, .. }
            | ExecReport::Rejected { owner, .. }
            | ExecReport::Cancelled { owner, .. }
            | ExecReport::Expired { owner, .. } => owner,
            ExecReport::Fill(f) => f.owner,
        }
    }

    /// The report's time.
    pub fn ts(&self) -> Ts {
        match *self {
            ExecReport::Accepted { ts, .. }
            | ExecReport::Rejected { ts, .. }
            | ExecReport::Cancelled { ts, .. }
            | ExecReport::Expired { ts, .. } => ts,
            ExecReport::Fill(f) => f.ts,
        }
    }
}
