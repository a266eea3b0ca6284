//! Typed records of a Binance USD-M capture, in integer units.

use shortfall_core::{MarketEvent, Price, PriceLevel, Qty, Side, Ts};

/// A REST depth snapshot (`GET /fapi/v1/depth`): the book as of `last_update_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepthSnapshot {
    /// Local receive time.
    pub recv_ns: Ts,
    /// `lastUpdateId`: the last depth update the snapshot includes.
    pub last_update_id: u64,
    /// `E`: message output time (ms precision), when present.
    pub event_time: Option<Ts>,
    /// `T`: transaction time (ms precision), when present.
    pub transaction_time: Option<Ts>,
    /// Bid levels in the order the venue sent them (best first).
    pub bids: Vec<PriceLevel>,
    /// Ask levels in the order the venue sent them (best first).
    pub asks: Vec<PriceLevel>,
}

/// One diff-depth message (`<symbol>@depth[@speed]`, event `depthUpdate`): new absolute
/// quantities for the levels that changed between update ids `U` and `u`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepthUpdate {
    /// Local receive time.
    pub recv_ns: Ts,
    /// `E`: event time (ms precision).
    pub event_time: Ts,
    /// `T`: transaction time (ms precision).
    pub transaction_time: Ts,
    /// `U`: first update id in this event.
    pub first_update_id: u64,
    /// `u`: final update id in this event.
    pub final_update_id: u64,
    /// `pu`: final update id of the previous event of the stream.
    pub prev_final_update_id: u64,
    /// `b`: changed bid levels (quantity zero removes the level).
    pub bids: Vec<PriceLevel>,
    /// `a`: changed ask levels (quantity zero removes the level).
    pub asks: Vec<PriceLevel>,
}

/// One trade (`<symbol>@trade`, event `trade`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Trade {
    /// Local receive time.
    pub recv_ns: Ts,
    /// `E`: event time (ms precision).
    pub event_time: Ts,
    /// `T`: trade time (ms precision).
    pub trade_time: Ts,
    /// `t`: trade id.
    pub trade_id: u64,
    /// `p`: price.
    pub price: Price,
    /// `q`: quantity.
    pub qty: Qty,
    /// `m`: the buyer was the maker (so the seller was the aggressor).
    pub buyer_is_maker: bool,
}

impl Trade {
    /// The side of the aggressive (taker) order: `Sell` when the buyer was the maker.
    pub fn aggressor(&self) -> Side {
        if self.buyer_is_maker {
            Side::Sell
        } else {
            Side::Buy
        }
    }
}

/// One best bid/offer update (`<symbol>@bookTicker`, event `bookTicker`).
///
/// `B` and `A` are the *quantities* resting at the best bid and ask prices `b` and `a`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct BookTicker {
    /// Local receive time.
    pub recv_ns: Ts,
    /// `u`: the order-book update id this best bid/offer reflects. In USD-M futures it is
    /// drawn from the same sequence as the diff-depth `U`/`u`.
    pub update_id: u64,
    /// `E`: event time (ms precision).
    pub event_time: Ts,
    /// `T`: transaction time (ms precision).
    pub transaction_time: Ts,
    /// `b`: best bid price.
    pub bid: Price,
    /// `B`: quantity at the best bid.
    pub bid_qty: Qty,
    /// `a`: best ask price.
    pub ask: Price,
    /// `A`: quantity at the best ask.
    pub ask_qty: Qty,
}

/// One message of a capture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BinanceRecord {
    /// A REST depth snapshot.
    Snapshot(DepthSnapshot),
    /// A diff-depth event.
    DepthUpdate(DepthUpdate),
    /// A trade.
    Trade(Trade),
    /// A best bid/offer update.
    BookTicker(BookTicker),
}

impl BinanceRecord {
    /// Local receive time of the message.
    pub fn recv_ns(&self) -> Ts {
        match self {
            BinanceRecord::Snapshot(s) => s.recv_ns,
            BinanceRecord::DepthUpdate(d) => d.recv_ns,
            BinanceRecord::Trade(t) => t.recv_ns,
            BinanceRecord::BookTicker(b) => b.recv_ns,
        }
    }

    /// Appends the record's market events to `out`, all stamped with the receive time:
    /// a snapshot gives `Clear` then one `Level` per level (bids first); a diff gives one
    /// `Level` per changed price (bids first); a trade gives a `Trade` whose aggressor is
    /// `Sell` when the buyer was the maker; a book ticker gives nothing (it summarises the
    /// book, it does not change it).
    ///
    /// These are the raw events of one record: whether a diff may be applied to a book is
    /// [`DepthSync`](super::DepthSync)'s decision.
    pub fn market_events(&self, out: &mut Vec<MarketEvent>) {
        match self {
            BinanceRecord::Snapshot(s) => {
                out.push(MarketEvent::Clear { ts: s.recv_ns });
                push_levels(out, s.recv_ns, &s.bids, &s.asks);
            }
            BinanceRecord::DepthUpdate(d) => push_levels(out, d.recv_ns, &d.bids, &d.asks),
            BinanceRecord::Trade(t) => out.push(MarketEvent::Trade {
                ts: t.recv_ns,
                price: t.price,
                qty: t.qty,
                aggressor: Some(t.aggressor()),
            }),
            BinanceRecord::BookTicker(_) => {}
        }
    }
}

fn push_levels(out: &mut Vec<MarketEvent>, ts: Ts, bids: &[PriceLevel], asks: &[PriceLevel]) {
    let sides = [(Side::Buy, bids), (Side::Sell, asks)];
    for (side, levels) in sides {
        out.extend(levels.iter().map(|l| MarketEvent::Level {
            ts,
            side,
            price: l.price,
            qty: l.qty,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trade_aggressor_is_the_seller_when_the_buyer_was_maker() {
        let mut t = Trade {
            recv_ns: Ts(1),
            event_time: Ts(0),
            trade_time: Ts(0),
            trade_id: 7,
            price: Price(10),
            qty: Qty(2),
            buyer_is_maker: true,
        };
        let mut out = Vec::new();
        BinanceRecord::Trade(t).market_events(&mut out);
        t.buyer_is_maker = false;
        BinanceRecord::Trade(t).market_events(&mut out);
        let aggressors: Vec<_> = out
            .iter()
            .map(|e| match e {
                MarketEvent::Trade { aggressor, .. } => *aggressor,
                _ => None,
            })
            .collect();
        assert_eq!(aggressors, vec![Some(Side::Sell), Some(Side::Buy)]);
    }

    #[test]
    fn a_snapshot_becomes_clear_then_levels() {
        let lv = |p, q| PriceLevel {
            price: Price(p),
            qty: Qty(q),
        };
        let s = DepthSnapshot {
            recv_ns: Ts(5),
            last_update_id: 1,
            event_time: None,
            transaction_time: None,
            bids: vec![lv(9, 1)],
            asks: vec![lv(11, 2), lv(12, 3)],
        };
        let mut out = Vec::new();
        BinanceRecord::Snapshot(s).market_events(&mut out);
        assert_eq!(out.len(), 4);
        assert_eq!(out[0], MarketEvent::Clear { ts: Ts(5) });
        assert_eq!(
            out[3],
            MarketEvent::Level {
                ts: Ts(5),
                side: Side::Sell,
                price: Price(12),
                qty: Qty(3)
            }
        );
    }
}
