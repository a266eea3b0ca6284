//! Instrument definitions and exact conversion between real numbers and integer units.

use crate::error::{Error, Result};
use crate::units::{Price, Qty};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A decimal number `mantissa / 10^scale`, parsed exactly from text.
///
/// Used to convert venue prices such as `"61800.30"` to ticks without floating-point error.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

/// At most this many significant digits are accepted; more could overflow `i128` arithmetic.
const MAX_DIGITS: usize = 30;

impl Decimal {
    /// Parses `[-+]digits[.digits]`. Exponents, spaces and empty strings are rejected.
    ///
    /// # Errors
    /// [`Error::InvalidDecimal`] naming the reason.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |reason| Error::InvalidDecimal {
            input: text.to_owned(),
            reason,
        };
        let bytes = text.as_bytes();
        let (negative, digits) = match bytes.first() {
            Some(b'-') => (true, &bytes[1..]),
            Some(b'+') => (false, &bytes[1..]),
            Some(_) => (false, bytes),
            None => return Err(bad("empty")),
        };
        if digits.is_empty() {
            return Err(bad("no digits"));
        }
        let mut mantissa: i128 = 0;
        let mut scale = 0u32;
        let mut seen_point = false;
        let mut count = 0usize;
        let mut any_digit = false;
        for &b in digits {
            match b {
                b'0'..=b'9' => {
                    any_digit = true;
                    if mantissa != 0 || b != b'0' {
                        count += 1;
                    }
                    if count > MAX_DIGITS {
                        return Err(bad("too many digits"));
                    }
                    mantissa = mantissa * 10 + i128::from(b - b'0');
                    if seen_point {
                        scale += 1;
                    }
                }
                b'.' if !seen_point => seen_point = true,
                b'.' => return Err(bad("more than one decimal point")),
                _ => return Err(bad("unexpected character")),
            }
        }
        if !any_digit {
            return Err(bad("no digits"));
        }
        if scale as usize > MAX_DIGITS {
            return Err(bad("too many digits"));
        }
        Ok(Self {
            mantissa: if negative { -mantissa } else { mantissa },
            scale,
        })
    }

    /// The decimal closest to a finite `f64`, through its shortest round-trip text
    /// (so `0.1` becomes exactly one tenth).
    ///
    /// # Errors
    /// [`Error::InvalidDecimal`] for NaN or infinities or magnitudes too large.
    pub fn from_f64(value: f64) -> Result<Self> {
        if !value.is_finite() {
            return Err(Error::InvalidDecimal {
                input: value.to_string(),
                reason: "not finite",
            });
        }
        Self::parse(&value.to_string())
    }

    /// The value as a float (may round).
    pub fn to_f64(self) -> f64 {
        self.mantissa as f64 / 10f64.powi(self.scale as i32)
    }

    /// True when the value is strictly positive.
    pub fn is_positive(self) -> bool {
        self.mantissa > 0
    }

    /// `self / step` when it is a whole number that fits `i64`.
    fn divide_exact(self, step: Decimal) -> Option<std::result::Result<i64, ()>> {
        // Fast path: both mantissas fit i64 at a common scale that needs no widening (the
        // usual case for venue prices); 64-bit division is several times cheaper than 128.
        if let (Ok(a), Ok(b)) = (i64::try_from(self.mantissa), i64::try_from(step.mantissa))
            && b > 0
        {
            let widen = |m: i64, by: u32| 10i64.checked_pow(by).and_then(|p| m.checked_mul(p));
            let common = self.scale.max(step.scale);
            if let (Some(a), Some(b)) =
                (widen(a, common - self.scale), widen(b, common - step.scale))
            {
                return Some(if a % b == 0 { Ok(a / b) } else { Err(()) });
            }
        }
        let scale = self.scale.max(step.scale);
        let a = self
            .mantissa
            .checked_mul(10i128.checked_pow(scale - self.scale)?)?;
        let b = step
            .mantissa
            .checked_mul(10i128.checked_pow(scale - step.scale)?)?;
        if b == 0 || a % b != 0 {
            return Some(Err(()));
        }
        i64::try_from(a / b).ok().map(Ok)
    }

    /// `n * step` as an exact decimal.
    fn times(step: Decimal, n: i64) -> Decimal {
        Decimal {
            mantissa: step.mantissa * i128::from(n),
            scale: step.scale,
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let digits = self.mantissa.unsigned_abs().to_string();
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = if digits.len() <= scale {
            format!("{}{}", "0".repeat(scale - digits.len() + 1), digits)
        } else {
            digits
        };
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int}.{frac}")
    }
}

/// A tradable instrument: its symbol and the tick and lot sizes that define [`Price`] and [`Qty`].
///
/// Build it with [`Instrument::new`], which validates the sizes; convert venue numbers with
/// [`Instrument::parse_price`] / [`Instrument::parse_qty`] (exact, from text) or
/// [`Instrument::price_from_f64`] (nearest tick, checked).
///
/// ```
/// use shortfall_core::{Instrument, Price, Qty};
/// let btc = Instrument::new("BTCUSDT", 0.1, 0.001)?;
/// assert_eq!(btc.parse_price("61800.30")?, Price(618_003));
/// assert_eq!(btc.parse_qty("2.507")?, Qty(2_507));
/// assert_eq!(btc.format_price(Price(618_003)), "61800.3");
/// assert!(btc.parse_price("61800.35").is_err()); // not on the 0.1 grid
/// # Ok::<(), shortfall_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "InstrumentSpec", into = "InstrumentSpec")]
pub struct Instrument {
    symbol: String,
    tick_size: f64,
    lot_size: f64,
    tick: Decimal,
    lot: Decimal,
}

/// The serialised form of an [`Instrument`], validated on deserialisation.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstrumentSpec {
    symbol: String,
    tick_size: f64,
    lot_size: f64,
}

impl TryFrom<InstrumentSpec> for Instrument {
    type Error = Error;
    fn try_from(spec: InstrumentSpec) -> Result<Self> {
        Instrument::new(spec.symbol, spec.tick_size, spec.lot_size)
    }
}

impl From<Instrument> for InstrumentSpec {
    fn from(i: Instrument) -> Self {
        InstrumentSpec {
            symbol: i.symbol,
            tick_size: i.tick_size,
            lot_size: i.lot_size,
        }
    }
}

impl Instrument {
    /// An instrument with the given tick and lot sizes (in the quote currency and in units).
    ///
    /// # Errors
    /// [`Error::InvalidInstrument`] when the symbol is empty or a size is not a finite
    /// positive number.
    pub fn new(symbol: impl Into<String>, tick_size: f64, lot_size: f64) -> Result<Self> {
        let symbol = symbol.into();
        let invalid = |reason: String| Error::InvalidInstrument {
            symbol: symbol.clone(),
            reason,
        };
        if symbol.trim().is_empty() {
            return Err(invalid("symbol is empty".into()));
        }
        let check = |name: &str, v: f64| -> Result<Decimal> {
            if !(v.is_finite() && v > 0.0) {
                return Err(invalid(format!("{name} must be finite and > 0, got {v}")));
            }
            let d = Decimal::from_f64(v).map_err(|e| invalid(format!("{name}: {e}")))?;
            if !d.is_positive() {
                return Err(invalid(format!("{name} {v} rounds to zero")));
            }
            Ok(d)
        };
        let tick = check("tick_size", tick_size)?;
        let lot = check("lot_size", lot_size)?;
        Ok(Self {
            symbol,
            tick_size,
            lot_size,
            tick,
            lot,
        })
    }

    /// The symbol.
    pub fn symbol(&self) -> &str {
        &self.symbol
    }

    /// Price of one tick in the quote currency.
    pub fn tick_size(&self) -> f64 {
        self.tick_size
    }

    /// Size of one lot in units of the instrument.
    pub fn lot_size(&self) -> f64 {
        self.lot_size
    }

    /// A price in ticks as a real number.
    pub fn price_to_f64(&self, price: Price) -> f64 {
        Decimal::times(self.tick, price.0).to_f64()
    }

    /// A quantity in lots as a real number.
    pub fn qty_to_f64(&self, qty: Qty) -> f64 {
        Decimal::times(self.lot, qty.0).to_f64()
    }

    /// The exact decimal text of a price.
    pub fn format_price(&self, price: Price) -> String {
        trim_zeros(Decimal::times(self.tick, price.0).to_string())
    }

    /// The exact decimal text of a quantity.
    pub fn format_qty(&self, qty: Qty) -> String {
        trim_zeros(Decimal::times(self.lot, qty.0).to_string())
    }

    /// Parses a decimal price exactly.
    ///
    /// # Errors
    /// [`Error::InvalidDecimal`] for bad text, [`Error::OffGrid`] when the price is not a
    /// whole number of ticks, [`Error::OutOfRange`] when it does not fit.
    pub fn parse_price(&self, text: &str) -> Result<Price> {
        to_units(text, Decimal::parse(text)?, self.tick, "price").map(Price)
    }

    /// Parses a decimal quantity exactly.
    ///
    /// # Errors
    /// As [`Instrument::parse_price`], for lots.
    pub fn parse_qty(&self, text: &str) -> Result<Qty> {
        to_units(text, Decimal::parse(text)?, self.lot, "quantity").map(Qty)
    }

    /// The tick nearest to a real price, which must lie within 1e-6 tick of it.
    ///
    /// # Errors
    /// [`Error::OffGrid`] when the value is not on the grid, [`Error::OutOfRange`] when it
    /// is not finite or does not fit.
    pub fn price_from_f64(&self, value: f64) -> Result<Price> {
        from_f64(value, self.tick_size, "price").map(Price)
    }

    /// The lot nearest to a real quantity, which must lie within 1e-6 lot of it.
    ///
    /// # Errors
    /// As [`Instrument::price_from_f64`].
    pub fn qty_from_f64(&self, value: f64) -> Result<Qty> {
        from_f64(value, self.lot_size, "quantity").map(Qty)
    }
}

fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

fn to_units(text: &str, value: Decimal, step: Decimal, what: &'static str) -> Result<i64> {
    match value.divide_exact(step) {
        Some(Ok(n)) => Ok(n),
        Some(Err(())) => Err(Error::OffGrid {
            what,
            value: text.to_owned(),
            step: step.to_string(),
        }),
        None => Err(Error::OutOfRange {
            what,
            value: text.to_owned(),
        }),
    }
}

fn from_f64(value: f64, step: f64, what: &'static str) -> Result<i64> {
    let units = value / step;
    if !units.is_finite() || units.abs() >= 9.0e18 {
        return Err(Error::OutOfRange {
            what,
            value: value.to_string(),
        });
    }
    let rounded = units.round();
    if (units - rounded).abs() > 1e-6 {
        return Err(Error::OffGrid {
            what,
            value: value.to_string(),
            step: step.to_string(),
        });
    }
    Ok(rounded as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_parsing_is_exact_and_strict() {
        assert_eq!(Decimal::parse("61800.30").unwrap().to_string(), "61800.30");
        assert_eq!(Decimal::parse("-0.001").unwrap().to_string(), "-0.001");
        assert_eq!(Decimal::parse("7").unwrap().to_string(), "7");
        for bad in ["", "-", ".", "1.2.3", "1e5", " 1", "abc", "1,5"] {
            assert!(Decimal::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(Decimal::parse(&"9".repeat(40)).is_err());
    }

    #[test]
    fn prices_convert_exactly_on_the_grid_and_fail_off_it() {
        let i = Instrument::new("X", 0.01, 1.0).unwrap();
        assert_eq!(i.parse_price("223.82").unwrap(), Price(22382));
        assert_eq!(i.parse_price("0.1").unwrap(), Price(10));
        assert!(matches!(i.parse_price("1.005"), Err(Error::OffGrid { .. })));
        assert_eq!(i.price_from_f64(223.82).unwrap(), Price(22382));
        assert!(i.price_from_f64(223.825).is_err());
        assert!(i.price_from_f64(f64::NAN).is_err());
        assert_eq!(i.format_price(Price(22380)), "223.8");
        assert_eq!(i.parse_qty("12").unwrap(), Qty(12));
        assert!(i.parse_qty("1.5").is_err());
        assert!(i.parse_price("99999999999999999999999").is_err());
    }

    #[test]
    fn wide_values_take_the_128_bit_path_and_agree_with_narrow_ones() {
        let i = Instrument::new("X", 0.5, 1.0).unwrap();
        assert_eq!(i.parse_price("12.5").unwrap(), Price(25));
        assert_eq!(i.parse_price("12.50000000000000000000").unwrap(), Price(25));
        assert!(i.parse_price("12.25").is_err());
        assert!(i.parse_price("12.2500000000000000000000").is_err());
        assert_eq!(i.parse_price("-3.0").unwrap(), Price(-6));
    }

    #[test]
    fn invalid_instruments_are_rejected_with_the_reason() {
        for (tick, lot) in [
            (0.0, 1.0),
            (-0.1, 1.0),
            (f64::NAN, 1.0),
            (0.1, f64::INFINITY),
        ] {
            let e = Instrument::new("X", tick, lot).unwrap_err();
            assert!(e.to_string().contains("must be finite and > 0"), "{e}");
        }
        assert!(Instrument::new(" ", 0.1, 1.0).is_err());
    }
}
