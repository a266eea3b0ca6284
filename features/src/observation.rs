//! [`Observation`]: what every feature sees of one event, and the book conventions shared by
//! all features (validity, the carried mid, trade signing).

use shortfall_core::{MarketEvent, Price, PriceLevel, Qty, Side, Ts};

/// A trade with its sign (the side of the aggressor).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SignedTrade {
    /// Trade price.
    pub price: Price,
    /// Trade quantity.
    pub qty: Qty,
    /// +1 buyer-initiated, −1 seller-initiated, 0 unknown.
    pub sign: i8,
    /// True when the sign was inferred by the Lee–Ready rule rather than given by the feed.
    pub inferred: bool,
}

/// What a [`FeatureExtractor`](crate::FeatureExtractor) sees of one event: the event, the
/// top of the book after it and before it, and values derived once for all features.
///
/// # Book conventions
/// - The book is **valid** when both sides have a level, the best bid is below the best ask
///   and the best bid is positive (so the mid and its logarithm are defined).
/// - `mid` is the mid of the last valid book (*carried* through invalid ones: empty,
///   one-sided or crossed), and `0.0` before the first valid book; `has_mid` says whether
///   there has been one. Features that need prices carry their last value through invalid
///   books and output `0.0` before the first valid one; the `book_valid` feature flags
///   such rows. NaN is never produced.
/// - Trades: `Execute` events are signed by the maker's side (the aggressor is the other
///   side); `Trade` events by their `aggressor` when given, else by the rule of Lee & Ready
///   (1991, "Inferring trade direction from intraday data", J. Finance 46(2)): above the
///   prevailing mid (the mid *before* the event) a buy, below a sell, at the mid the tick
///   test against the previous trade price (an uptick buys, a downtick sells, a zero tick
///   repeats the previous sign).
#[derive(Copy, Clone, Debug)]
pub struct Observation<'a> {
    /// The event.
    pub event: &'a MarketEvent,
    /// Its timestamp.
    pub ts: Ts,
    /// 0-based number of this update since the pipeline was created or reset.
    pub index: u64,
    /// The best bid levels after the event, best first (at most the pipeline's depth).
    pub bids: &'a [PriceLevel],
    /// The best ask levels after the event, best first.
    pub asks: &'a [PriceLevel],
    /// The best bid levels before the event.
    pub prev_bids: &'a [PriceLevel],
    /// The best ask levels before the event.
    pub prev_asks: &'a [PriceLevel],
    /// Whether the book after the event is valid (see above).
    pub book_valid: bool,
    /// Whether the book before the event was valid.
    pub prev_book_valid: bool,
    /// Mid in ticks of the last valid book (carried), `0.0` before the first.
    pub mid: f64,
    /// `ln(mid)` (carried), `0.0` before the first valid book.
    pub log_mid: f64,
    /// Whether a valid book has been seen.
    pub has_mid: bool,
    /// `ln(mid_after / mid_before)` of the carried mid; `0.0` when either is undefined.
    pub log_return: f64,
    /// The trade this event reports, signed, if it is one.
    pub trade: Option<SignedTrade>,
}

/// Whether a book top is valid (see [`Observation`]).
#[inline]
pub fn is_valid(bids: &[PriceLevel], asks: &[PriceLevel]) -> bool {
    match (bids.first(), asks.first()) {
        (Some(b), Some(a)) => b.price.0 > 0 && b.price < a.price,
        _ => false,
    }
}

/// Lee–Ready trade signing state: the previous trade's price and sign.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct TradeSigner {
    last_price: Option<Price>,
    last_sign: i8,
}

impl TradeSigner {
    /// Signs the trade in `event`, if it is one; `prevailing_mid` is the mid before the
    /// event (`None` when undefined).
    #[inline]
    pub fn sign(
        &mut self,
        event: &MarketEvent,
        prevailing_mid: Option<f64>,
    ) -> Option<SignedTrade> {
        let (price, qty, given) = match *event {
            MarketEvent::Execute {
                side, price, qty, ..
            } => (price, qty, Some(side.opposite())),
            MarketEvent::Trade {
                price,
                qty,
                aggressor,
                ..
            } => (price, qty, aggressor),
            _ => return None,
        };
        let (sign, inferred) = match given {
            Some(Side::Buy) => (1, false),
            Some(Side::Sell) => (-1, false),
            None => (self.infer(price, prevailing_mid), true),
        };
        self.last_price = Some(price);
        self.last_sign = sign;
        Some(SignedTrade {
            price,
            qty,
            sign,
            inferred,
        })
    }

    fn infer(&self, price: Price, mid: Option<f64>) -> i8 {
        let p = price.0 as f64;
        if let Some(m) = mid {
            if p > m {
                return 1;
            }
            if p < m {
                return -1;
            }
        }
        match self.last_price {
            Some(last) if price > last => 1,
            Some(last) if price < last => -1,
            Some(_) => self.last_sign,
            None => 0,
        }
    }

    /// Forgets the previous trade.
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trade(price: i64, aggressor: Option<Side>) -> MarketEvent {
        MarketEvent::Trade {
            ts: Ts(0),
            price: Price(price),
            qty: Qty(3),
            aggressor,
        }
    }

    #[test]
    fn lee_ready_uses_the_quote_then_the_tick_test() {
        let mut s = TradeSigner::default();
        // given aggressor wins over the quote rule
        assert_eq!(
            s.sign(&trade(99, Some(Side::Buy)), Some(100.0))
                .unwrap()
                .sign,
            1
        );
        // above / below the mid
        let t = s.sign(&trade(101, None), Some(100.0)).unwrap();
        assert_eq!((t.sign, t.inferred), (1, true));
        assert_eq!(s.sign(&trade(99, None), Some(100.0)).unwrap().sign, -1);
        // at the mid: uptick from 99 to 100 is a buy
        assert_eq!(s.sign(&trade(100, None), Some(100.0)).unwrap().sign, 1);
        // zero tick repeats the previous sign
        assert_eq!(s.sign(&trade(100, None), Some(100.0)).unwrap().sign, 1);
        // downtick, no mid
        assert_eq!(s.sign(&trade(98, None), None).unwrap().sign, -1);
        // an execution of a resting sell is a buyer-initiated trade
        let exec = MarketEvent::Execute {
            ts: Ts(0),
            order_id: shortfall_core::OrderId(1),
            side: Side::Sell,
            price: Price(101),
            qty: Qty(2),
        };
        assert_eq!(s.sign(&exec, Some(100.0)).unwrap().sign, 1);
        // no information at all: unsigned
        let mut fresh = TradeSigner::default();
        assert_eq!(fresh.sign(&trade(5, None), None).unwrap().sign, 0);
        assert!(
            fresh
                .sign(&MarketEvent::Clear { ts: Ts(0) }, None)
                .is_none()
        );
    }

    #[test]
    fn validity_needs_two_uncrossed_sides_and_a_positive_bid() {
        let l = |p| PriceLevel {
            price: Price(p),
            qty: Qty(1),
        };
        assert!(is_valid(&[l(99)], &[l(100)]));
        assert!(!is_valid(&[l(100)], &[l(100)]));
        assert!(!is_valid(&[], &[l(100)]));
        assert!(!is_valid(&[l(0)], &[l(100)]));
    }
}
