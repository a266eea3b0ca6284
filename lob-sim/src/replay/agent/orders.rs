//! What both replay modes share: the configuration, the entry-latency queue, the agent's
//! order records, request validation, reports and counters.

use super::queue::invalid;
use serde::{Deserialize, Serialize};
use shortfall_core::{
    CancelReason, ExecReport, Fill, Liquidity, NewOrder, OrderId, OrderRequest, OrderType, Price,
    Qty, RejectReason, Side, TimeInForce, TraderId, Ts,
};
use std::collections::VecDeque;

/// Settings of an agent replay (both modes).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentReplayConfig {
    /// Entry latency in nanoseconds (default 0): a request submitted at `t` reaches the
    /// replayed venue at `t + entry_latency_ns`, after every historical event stamped at or
    /// before that time.
    pub entry_latency_ns: i64,
}

impl AgentReplayConfig {
    /// Checks the values.
    ///
    /// # Errors
    /// [`crate::Error::Core`] naming the field when the latency is negative.
    pub fn validate(&self) -> crate::Result<()> {
        if self.entry_latency_ns < 0 {
            return Err(invalid(format!(
                "entry_latency_ns must be >= 0, got {}",
                self.entry_latency_ns
            )));
        }
        Ok(())
    }
}

/// Counters of the agent's activity in a replay.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentStats {
    /// Requests that reached the venue (new, cancel, modify).
    pub requests: u64,
    /// New orders that reached the venue.
    pub new_orders: u64,
    /// Their total quantity.
    pub ordered_qty: i64,
    /// Requests rejected.
    pub rejected: u64,
    /// Fills (maker and taker).
    pub fills: u64,
    /// Total filled quantity.
    pub filled_qty: i64,
    /// Quantity filled passively (resting orders).
    pub maker_qty: i64,
    /// Quantity filled aggressively (taking displayed historical liquidity).
    pub taker_qty: i64,
    /// Quantity cancelled (by request or self-trade prevention).
    pub cancelled_qty: i64,
    /// Quantity of IOC and market remainders that lapsed.
    pub expired_qty: i64,
    /// Historical events replayed.
    pub events: u64,
}

/// A resting order of the agent, as the replay reports it.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct AgentOrderState {
    /// The order's id.
    pub id: OrderId,
    /// Its owner.
    pub owner: TraderId,
    /// Its side.
    pub side: Side,
    /// Its limit price.
    pub price: Price,
    /// Quantity still open.
    pub leaves: Qty,
    /// When it took its place in the queue (arrival, or its last priority-losing modify).
    pub entered: Ts,
    /// The historical quantity ahead of it: exact in LOBSTER mode, the queue model's
    /// expectation in Binance mode.
    pub queue_ahead: f64,
}

/// A request waiting out its entry latency.
#[derive(Copy, Clone, Debug)]
pub(super) struct Pending {
    pub arrival: Ts,
    pub request: OrderRequest,
}

/// The entry-latency queue: requests in arrival order.
#[derive(Clone, Debug, Default)]
pub(super) struct Inbox {
    queue: VecDeque<Pending>,
    latency: Ts,
    last_arrival: Ts,
}

impl Inbox {
    pub fn new(latency: Ts) -> Self {
        Self {
            queue: VecDeque::new(),
            latency,
            last_arrival: Ts::MIN,
        }
    }

    /// Queues `request` sent at `now` (never before the replay's `clock`): it arrives at
    /// `max(now, clock) + latency`, and never before an earlier request (FIFO).
    pub fn push(&mut self, now: Ts, clock: Ts, request: OrderRequest) {
        let sent = if now > clock { now } else { clock };
        let mut arrival = Ts(sent.0.saturating_add(self.latency.0));
        if arrival < self.last_arrival {
            arrival = self.last_arrival;
        }
        self.last_arrival = arrival;
        self.queue.push_back(Pending { arrival, request });
    }

    /// The next request arriving strictly before `before` (`None`: any).
    #[inline]
    pub fn pop_before(&mut self, before: Option<Ts>) -> Option<Pending> {
        match self.queue.front() {
            Some(p) if before.is_none_or(|t| p.arrival < t) => self.queue.pop_front(),
            _ => None,
        }
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }
}

/// An agent order while it rests.
#[derive(Clone, Debug)]
pub(super) struct AgentOrder {
    pub id: OrderId,
    pub owner: TraderId,
    pub side: Side,
    pub price: Price,
    pub leaves: Qty,
    pub post_only: bool,
    pub entered: Ts,
    /// Priority among the agent's own orders at one price (lower is earlier).
    pub seq: u64,
}

/// Why a new order cannot go further, checked in the L3 book's order: quantity, price, id.
pub(super) fn validate_new(order: &NewOrder, live: bool) -> Result<(), RejectReason> {
    if !order.qty.is_positive() {
        return Err(RejectReason::InvalidQty);
    }
    if let OrderType::Limit { price, .. } = order.order_type
        && !price.is_positive()
    {
        return Err(RejectReason::InvalidPrice);
    }
    if live {
        return Err(RejectReason::DuplicateOrderId);
    }
    Ok(())
}

/// Whether a limit order's time in force is post-only.
pub(super) fn is_post_only(order: &NewOrder) -> bool {
    matches!(
        order.order_type,
        OrderType::Limit {
            tif: TimeInForce::PostOnly,
            ..
        }
    )
}

/// Whether `price` on `side` may trade against the opposite price `other`.
#[inline]
pub(super) fn crosses(side: Side, price: Option<Price>, other: Price) -> bool {
    match price {
        None => true,
        Some(p) => match side {
            Side::Buy => other <= p,
            Side::Sell => other >= p,
        },
    }
}

/// Whether `a` is at or better than `b` for `side`.
#[inline]
pub(super) fn at_or_better(side: Side, a: Price, b: Price) -> bool {
    match side {
        Side::Buy => a >= b,
        Side::Sell => a <= b,
    }
}

/// Reports and counters: every report goes through here so the counters agree with them.
#[derive(Clone, Debug, Default)]
pub(super) struct Reporter {
    pub reports: Vec<ExecReport>,
    pub stats: AgentStats,
}

impl Reporter {
    pub fn reject(&mut self, ts: Ts, id: OrderId, owner: TraderId, reason: RejectReason) {
        self.stats.rejected += 1;
        self.reports.push(ExecReport::Rejected {
            ts,
            id,
            owner,
            reason,
        });
    }

    pub fn accept(&mut self, ts: Ts, id: OrderId, owner: TraderId) {
        self.reports.push(ExecReport::Accepted { ts, id, owner });
    }

    #[allow(clippy::too_many_arguments)]
    pub fn fill(
        &mut self,
        ts: Ts,
        order: (OrderId, TraderId, Side),
        price: Price,
        qty: Qty,
        leaves: Qty,
        liquidity: Liquidity,
        counterparty: OrderId,
    ) {
        self.stats.fills += 1;
        self.stats.filled_qty += qty.0;
        match liquidity {
            Liquidity::Maker => self.stats.maker_qty += qty.0,
            Liquidity::Taker => self.stats.taker_qty += qty.0,
        }
        self.reports.push(ExecReport::Fill(Fill {
            ts,
            id: order.0,
            owner: order.1,
            side: order.2,
            price,
            qty,
            leaves_qty: leaves,
            liquidity,
            counterparty,
        }));
    }

    pub fn cancelled(
        &mut self,
        ts: Ts,
        id: OrderId,
        owner: TraderId,
        qty: Qty,
        reason: CancelReason,
    ) {
        self.stats.cancelled_qty += qty.0;
        self.reports.push(ExecReport::Cancelled {
            ts,
            id,
            owner,
            qty,
            reason,
        });
    }

    pub fn expired(&mut self, ts: Ts, id: OrderId, owner: TraderId, qty: Qty) {
        self.stats.expired_qty += qty.0;
        self.reports
            .push(ExecReport::Expired { ts, id, owner, qty });
    }
}
