//! Public market events: the one stream type that L3 feeds (LOBSTER, ITCH, MBO) and L2 feeds
//! (Binance diff depth, MBP) share, and that matching engines emit.

use crate::units::{OrderId, Price, Qty, Side, Ts};
use serde::{Deserialize, Serialize};

/// The trading state of an instrument, as announced by the venue.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TradingState {
    /// Continuous trading.
    Trading,
    /// Quoting allowed but no matching (LOBSTER's "quoting" halt message).
    Quoting,
    /// Trading halted.
    Halted,
}

/// One public market event.
///
/// Order-by-order variants (`Add`, `Cancel`, `Delete`, `Execute`) describe an L3 book;
/// `Level` describes an L2 book; `Trade`, `Clear` and `Status` apply to both.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MarketEvent {
    /// A new visible limit order rests in the book.
    Add {
        /// Event time.
        ts: Ts,
        /// The new order's id.
        order_id: OrderId,
        /// Its side.
        side: Side,
        /// Its limit price.
        price: Price,
        /// Its visible quantity.
        qty: Qty,
    },
    /// Part of a resting order is cancelled; `qty` is the amount removed, not the remainder.
    Cancel {
        /// Event time.
        ts: Ts,
        /// The order reduced.
        order_id: OrderId,
        /// Quantity removed.
        qty: Qty,
    },
    /// A resting order is removed entirely.
    Delete {
        /// Event time.
        ts: Ts,
        /// The order removed.
        order_id: OrderId,
    },
    /// A resting visible order is executed against (`qty` is the executed amount).
    Execute {
        /// Event time.
        ts: Ts,
        /// The resting (maker) order.
        order_id: OrderId,
        /// The maker's side.
        side: Side,
        /// Execution price.
        price: Price,
        /// Executed quantity.
        qty: Qty,
    },
    /// A trade print that does not (by itself) change visible book state: hidden-order
    /// executions, auction crosses, or venue trade streams.
    Trade {
        /// Event time.
        ts: Ts,
        /// Trade price.
        price: Price,
        /// Trade quantity.
        qty: Qty,
        /// The side of the aggressive (taker) order, when the source says.
        aggressor: Option<Side>,
    },
    /// The aggregate quantity at one price level is now `qty`; zero removes the level.
    Level {
        /// Event time.
        ts: Ts,
        /// Book side.
        side: Side,
        /// Level price.
        price: Price,
        /// New total quantity at the level.
        qty: Qty,
    },
    /// The book is emptied (a snapshot follows as `Level` or `Add` events).
    Clear {
        /// Event time.
        ts: Ts,
    },
    /// The trading state changed.
    Status {
        /// Event time.
        ts: Ts,
        /// New state.
        state: TradingState,
    },
}

impl MarketEvent {
    /// The event's timestamp.
    #[inline]
    pub fn ts(&self) -> Ts {
        match *self {
            MarketEvent::Add { ts, .. }
            | MarketEvent::Cancel { ts, .. }
            | MarketEvent::Delete { ts, .. }
            | MarketEvent::Execute { ts, .. }
            | MarketEvent::Trade { ts, .. }
            | MarketEvent::Level { ts, .. }
            | MarketEvent::Clear { ts }
            | MarketEvent::Status { ts, .. } => ts,
        }
    }

    /// True for events that change the visible book.
    pub fn changes_book(&self) -> bool {
        !matches!(self, MarketEvent::Trade { .. } | MarketEvent::Status { .. })
    }
}
