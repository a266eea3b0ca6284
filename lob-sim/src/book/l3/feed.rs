//! Replaying an order-by-order feed into an [`L3Book`] without matching.

use super::L3Book;
use super::store::{NIL, OrderNode};
use shortfall_core::{MarketEvent, OrderId, Price, Qty, TraderId};

/// Why a feed event does not fit the book it was applied to.
///
/// Small and `Copy`: replay applies tens of millions of events a second and a mismatch is an
/// ordinary outcome to count or log, not an exceptional one. Whether the book changed is
/// stated per variant.
#[derive(Copy, Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FeedMismatch {
    /// `Cancel`, `Delete` or `Execute` of an id that is not live. The book is unchanged.
    #[error("order {order_id} is not in the book")]
    UnknownOrder {
        /// The event's order id.
        order_id: OrderId,
    },
    /// `Add` of an id that is already live. The book is unchanged.
    #[error("order {order_id} is already in the book")]
    DuplicateOrderId {
        /// The event's order id.
        order_id: OrderId,
    },
    /// `Add`, `Cancel` or `Execute` with a zero or negative quantity. The book is unchanged.
    #[error("order {order_id}: event quantity {qty} is not positive")]
    NonPositiveQty {
        /// The event's order id.
        order_id: OrderId,
        /// The event's quantity.
        qty: Qty,
    },
    /// `Cancel` or `Execute` of more than the order has left. The order was removed.
    #[error("order {order_id}: event removes {event_qty} but only {remaining} remained")]
    QtyExceedsRemaining {
        /// The event's order id.
        order_id: OrderId,
        /// The quantity the event removes.
        event_qty: Qty,
        /// The order's remaining quantity before the event.
        remaining: Qty,
    },
    /// `Execute` at a price other than the order's limit. The execution was applied.
    #[error("order {order_id}: executed at {event_price} but rests at {order_price}")]
    PriceMismatch {
        /// The event's order id.
        order_id: OrderId,
        /// The event's execution price.
        event_price: Price,
        /// The order's limit price.
        order_price: Price,
    },
    /// A `Level` (price-level) event: it cannot be applied to an order-by-order book. The
    /// book is unchanged.
    #[error("price-level event applied to an order-by-order book")]
    NotOrderByOrder,
}

impl L3Book {
    /// Applies one feed event as the truth, without matching.
    ///
    /// - `Add` appends the order to the back of its level (even if it crosses the other side:
    ///   the feed is authoritative). Feed orders belong to [`TraderId::MARKET`] and arrive at
    ///   the event's time.
    /// - `Cancel { qty }` and `Execute { qty }` reduce the order, removing it at zero;
    ///   `Delete` removes it.
    /// - `Clear` empties the book; `Status` sets the trading state; `Trade` changes nothing.
    ///
    /// # Errors
    /// A [`FeedMismatch`] when the event does not fit the book; each variant says whether the
    /// event was applied anyway. Never panics on bad input.
    #[inline]
    pub fn apply(&mut self, event: &MarketEvent) -> Result<(), FeedMismatch> {
        match *event {
            MarketEvent::Add {
                ts,
                order_id,
                side,
                price,
                qty,
            } => {
                if !qty.is_positive() {
                    return Err(FeedMismatch::NonPositiveQty { order_id, qty });
                }
                match self.ids.find_or_vacant(order_id.0) {
                    Ok(_) => Err(FeedMismatch::DuplicateOrderId { order_id }),
                    Err(vacant) => {
                        let slot = self.slab.alloc(OrderNode {
                            id: order_id,
                            qty,
                            price,
                            ts,
                            owner: TraderId::MARKET,
                            prev: NIL,
                            next: NIL,
                            side,
                            post_only: false,
                        });
                        self.ids.insert_at(vacant, order_id.0, slot);
                        self.ladders[side as usize].insert(&mut self.slab.nodes, slot);
                        Ok(())
                    }
                }
            }
            MarketEvent::Cancel { order_id, qty, .. } => {
                self.reduce_by_feed(order_id, qty).map(|_| ())
            }
            MarketEvent::Execute {
                order_id,
                price,
                qty,
                ..
            } => {
                let order_price = self.reduce_by_feed(order_id, qty)?;
                if price != order_price {
                    return Err(FeedMismatch::PriceMismatch {
                        order_id,
                        event_price: price,
                        order_price,
                    });
                }
                Ok(())
            }
            MarketEvent::Delete { order_id, .. } => match self.ids.remove(order_id.0) {
                Some(slot) => {
                    self.unlink_and_free(slot);
                    Ok(())
                }
                None => Err(FeedMismatch::UnknownOrder { order_id }),
            },
            MarketEvent::Trade { .. } => Ok(()),
            MarketEvent::Level { .. } => Err(FeedMismatch::NotOrderByOrder),
            MarketEvent::Clear { .. } => {
                self.clear();
                Ok(())
            }
            MarketEvent::Status { state, .. } => {
                self.state = state;
                Ok(())
            }
        }
    }

    /// Takes `qty` off order `order_id`, removing it when nothing is left; returns the
    /// order's price.
    #[inline]
    fn reduce_by_feed(&mut self, order_id: OrderId, qty: Qty) -> Result<Price, FeedMismatch> {
        let Some(bucket) = self.ids.find(order_id.0) else {
            return Err(FeedMismatch::UnknownOrder { order_id });
        };
        if !qty.is_positive() {
            return Err(FeedMismatch::NonPositiveQty { order_id, qty });
        }
        let slot = self.ids.slot_at(bucket);
        let node = &self.slab.nodes[slot as usize];
        let (remaining, price) = (node.qty, node.price);
        if qty < remaining {
            self.ladders[node.side as usize].reduce(&mut self.slab.nodes, slot, qty);
            return Ok(price);
        }
        self.ids.remove_at(bucket);
        self.unlink_and_free(slot);
        if qty > remaining {
            return Err(FeedMismatch::QtyExceedsRemaining {
                order_id,
                event_qty: qty,
                remaining,
            });
        }
        Ok(price)
    }

    /// Removes every order, keeping the trading state and the allocated capacity.
    pub fn clear(&mut self) {
        self.slab.clear();
        self.ids.clear();
        for ladder in &mut self.ladders {
            ladder.levels.clear();
        }
    }
}
