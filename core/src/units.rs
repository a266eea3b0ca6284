//! Integer units: prices in ticks, quantities in lots, timestamps in nanoseconds.
//!
//! Floating point never enters the book; [`crate::Instrument`] converts at the edges.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

macro_rules! integer_unit {
    ($(#[$meta:meta])* $name:ident, $suffix:literal) => {
        $(#[$meta])*
        #[derive(
            Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// Zero.
            pub const ZERO: Self = Self(0);
            /// The largest representable value.
            pub const MAX: Self = Self(i64::MAX);
            /// The smallest representable value.
            pub const MIN: Self = Self(i64::MIN);

            /// The raw integer.
            #[inline]
            pub const fn get(self) -> i64 {
                self.0
            }

            /// Addition that reports overflow instead of wrapping.
            #[inline]
            pub const fn checked_add(self, rhs: Self) -> Option<Self> {
                match self.0.checked_add(rhs.0) {
                    Some(v) => Some(Self(v)),
                    None => None,
                }
            }

            /// Subtraction that reports overflow instead of wrapping.
            #[inline]
            pub const fn checked_sub(self, rhs: Self) -> Option<Self> {
                match self.0.checked_sub(rhs.0) {
                    Some(v) => Some(Self(v)),
                    None => None,
                }
            }

            /// Saturating subtraction.
            #[inline]
            pub const fn saturating_sub(self, rhs: Self) -> Self {
                Self(self.0.saturating_sub(rhs.0))
            }

            /// True when strictly positive.
            #[inline]
            pub const fn is_positive(self) -> bool {
                self.0 > 0
            }
        }

        impl Add for $name {
            type Output = Self;
            #[inline]
            fn add(self, rhs: Self) -> Self {
                Self(self.0 + rhs.0)
            }
        }

        impl Sub for $name {
            type Output = Self;
            #[inline]
            fn sub(self, rhs: Self) -> Self {
                Self(self.0 - rhs.0)
            }
        }

        impl AddAssign for $name {
            #[inline]
            fn add_assign(&mut self, rhs: Self) {
                self.0 += rhs.0;
            }
        }

        impl SubAssign for $name {
            #[inline]
            fn sub_assign(&mut self, rhs: Self) {
                self.0 -= rhs.0;
            }
        }

        impl Neg for $name {
            type Output = Self;
            #[inline]
            fn neg(self) -> Self {
                Self(-self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!("{}", $suffix), self.0)
            }
        }
    };
}

integer_unit!(
    /// A price as an integer number of ticks of its [`crate::Instrument`].
    Price,
    "t"
);
integer_unit!(
    /// A quantity as an integer number of lots of its [`crate::Instrument`].
    Qty,
    "l"
);
integer_unit!(
    /// A timestamp or duration in nanoseconds. Absolute timestamps count from a
    /// source-defined origin (UNIX epoch for Binance, midnight of the trading day for LOBSTER).
    Ts,
    "ns"
);

impl Qty {
    /// The smaller of two quantities.
    #[inline]
    pub fn min(self, other: Self) -> Self {
        if self.0 <= other.0 { self } else { other }
    }
}

impl Ts {
    /// Nanoseconds in one second.
    pub const NANOS_PER_SEC: i64 = 1_000_000_000;

    /// A timestamp from whole seconds.
    pub const fn from_secs(s: i64) -> Self {
        Self(s * Self::NANOS_PER_SEC)
    }

    /// A timestamp from milliseconds.
    pub const fn from_millis(ms: i64) -> Self {
        Self(ms * 1_000_000)
    }

    /// A timestamp from microseconds.
    pub const fn from_micros(us: i64) -> Self {
        Self(us * 1_000)
    }

    /// Seconds as a float (for reports and features, never for ordering).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / Self::NANOS_PER_SEC as f64
    }
}

/// Which side of the book an order or level is on.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Side {
    /// Bid side: buy orders.
    Buy,
    /// Ask side: sell orders.
    Sell,
}

impl Side {
    /// The other side.
    #[inline]
    pub const fn opposite(self) -> Self {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }

    /// +1 for buys, -1 for sells: the sign of the position change a fill causes.
    #[inline]
    pub const fn sign(self) -> i64 {
        match self {
            Side::Buy => 1,
            Side::Sell => -1,
        }
    }

    /// True when a resting order on this side at `resting` would trade against an
    /// incoming order on the opposite side limited at `incoming`.
    #[inline]
    pub fn crosses(self, resting: Price, incoming: Price) -> bool {
        match self {
            // resting bid, incoming sell limit: trades if the sell limit is at or below the bid
            Side::Buy => incoming <= resting,
            Side::Sell => incoming >= resting,
        }
    }

    /// True when `a` is a better (more aggressive) price than `b` for this side.
    #[inline]
    pub fn is_better(self, a: Price, b: Price) -> bool {
        match self {
            Side::Buy => a > b,
            Side::Sell => a < b,
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Buy => "buy",
            Side::Sell => "sell",
        })
    }
}

/// An order identifier, unique within one venue (a book or a simulated exchange).
///
/// Strategies choose their own ids; a venue rejects duplicates.
#[derive(
    Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct OrderId(pub u64);

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Who owns an order: a participant of a simulated exchange, or the anonymous market
/// ([`TraderId::MARKET`]) for orders that come from a data feed.
///
/// Self-trade prevention compares owners.
#[derive(
    Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct TraderId(pub u32);

impl TraderId {
    /// The anonymous rest of the market (replayed data, background flow without identity).
    /// Self-trade prevention never applies between two `MARKET` orders.
    pub const MARKET: Self = Self(0);
}

impl fmt::Display for TraderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "trader{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_crossing_matches_the_market_convention() {
        assert!(Side::Buy.crosses(Price(100), Price(100)));
        assert!(Side::Buy.crosses(Price(100), Price(99)));
        assert!(!Side::Buy.crosses(Price(100), Price(101)));
        assert!(Side::Sell.crosses(Price(100), Price(101)));
        assert!(!Side::Sell.crosses(Price(100), Price(99)));
        assert!(Side::Buy.is_better(Price(101), Price(100)));
        assert!(Side::Sell.is_better(Price(99), Price(100)));
        assert_eq!(Side::Buy.opposite(), Side::Sell);
        assert_eq!(Side::Sell.sign(), -1);
    }

    #[test]
    fn checked_arithmetic_reports_overflow() {
        assert_eq!(Qty::MAX.checked_add(Qty(1)), None);
        assert_eq!(Price(5).checked_sub(Price(7)), Some(Price(-2)));
        assert_eq!(Ts::from_millis(3), Ts(3_000_000));
        assert_eq!(format!("{} {} {}", Price(3), Qty(4), Ts(5)), "3t 4l 5ns");
    }
}
