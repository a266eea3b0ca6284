//! Realised-variance estimators on OHLC bars.
//!
//! Each returns the **per-bar variance** of log returns (multiply by bars per year to
//! annualise). With oₜ, hₜ, lₜ, cₜ the natural logs of a bar's open, high, low and close,
//! uₜ = hₜ − oₜ, dₜ = lₜ − oₜ and xₜ = cₜ − oₜ.

use crate::error::{Error, Result, check_len};

/// One bar: open, high, low and close prices (all > 0, low ≤ open, close ≤ high).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ohlc {
    /// First traded price of the bar.
    pub open: f64,
    /// Highest price.
    pub high: f64,
    /// Lowest price.
    pub low: f64,
    /// Last price.
    pub close: f64,
}

impl Ohlc {
    fn check(&self, index: usize) -> Result<()> {
        let v = [self.open, self.high, self.low, self.close];
        if let Some(j) = v.iter().position(|p| !p.is_finite()) {
            return Err(Error::NonFinite {
                what: ["open", "high", "low", "close"][j],
                index,
                value: v[j],
            });
        }
        let reason = if v.iter().any(|&p| p <= 0.0) {
            Some(format!("prices must be > 0, got {self:?}"))
        } else if self.high < self.open.max(self.close) {
            Some(format!("high {} below open/close in {self:?}", self.high))
        } else if self.low > self.open.min(self.close) {
            Some(format!("low {} above open/close in {self:?}", self.low))
        } else {
            None
        };
        match reason {
            Some(reason) => Err(Error::InvalidBar { index, reason }),
            None => Ok(()),
        }
    }
}

fn check_bars(what: &'static str, bars: &[Ohlc], needed: usize) -> Result<()> {
    check_len(what, bars.len(), needed)?;
    bars.iter().enumerate().try_for_each(|(i, b)| b.check(i))
}

/// Sample variance with divisor n − 1.
fn sample_var(x: impl Iterator<Item = f64> + Clone) -> f64 {
    let n = x.clone().count() as f64;
    let mean = x.clone().sum::<f64>() / n;
    x.map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0)
}

/// Close-to-close: the sample variance (divisor N − 1) of the N = n − 1 log returns
/// rₜ = ln(Cₜ/Cₜ₋₁).
///
/// # Errors
/// [`Error::TooShort`] below 3 bars; [`Error::NonFinite`] / [`Error::InvalidBar`] for a bad bar.
pub fn close_to_close(bars: &[Ohlc]) -> Result<f64> {
    check_bars("close-to-close variance", bars, 3)?;
    Ok(sample_var(
        bars.windows(2).map(|w| (w[1].close / w[0].close).ln()),
    ))
}

/// Parkinson (1980): σ² = 1/(4n·ln 2) · Σₜ (hₜ − lₜ)².
///
/// Parkinson, M. (1980). The extreme value method for estimating the variance of the rate of
/// return. *Journal of Business* 53, 61–65.
///
/// # Errors
/// [`Error::TooShort`] for no bars; [`Error::NonFinite`] / [`Error::InvalidBar`] for a bad bar.
pub fn parkinson(bars: &[Ohlc]) -> Result<f64> {
    check_bars("Parkinson variance", bars, 1)?;
    let s: f64 = bars.iter().map(|b| (b.high / b.low).ln().powi(2)).sum();
    Ok(s / (4.0 * bars.len() as f64 * std::f64::consts::LN_2))
}

/// Garman & Klass (1980), in its commonly used simplified form:
/// σ² = 1/n · Σₜ [½(hₜ − lₜ)² − (2 ln 2 − 1)(cₜ − oₜ)²].
///
/// Garman, M. & Klass, M. (1980). On the estimation of security price volatilities from
/// historical data. *Journal of Business* 53, 67–78.
///
/// # Errors
/// [`Error::TooShort`] for no bars; [`Error::NonFinite`] / [`Error::InvalidBar`] for a bad bar.
pub fn garman_klass(bars: &[Ohlc]) -> Result<f64> {
    check_bars("Garman-Klass variance", bars, 1)?;
    let k = 2.0 * std::f64::consts::LN_2 - 1.0;
    let s: f64 = bars
        .iter()
        .map(|b| 0.5 * (b.high / b.low).ln().powi(2) - k * (b.close / b.open).ln().powi(2))
        .sum();
    Ok(s / bars.len() as f64)
}

fn rs_term(b: &Ohlc) -> f64 {
    let (u, d, x) = (
        (b.high / b.open).ln(),
        (b.low / b.open).ln(),
        (b.close / b.open).ln(),
    );
    u * (u - x) + d * (d - x)
}

/// Rogers & Satchell (1991): σ² = 1/n · Σₜ [uₜ(uₜ − xₜ) + dₜ(dₜ − xₜ)], unbiased under a
/// drift.
///
/// Rogers, L. C. G. & Satchell, S. E. (1991). Estimating variance from high, low and closing
/// prices. *Annals of Applied Probability* 1, 504–512.
///
/// # Errors
/// [`Error::TooShort`] for no bars; [`Error::NonFinite`] / [`Error::InvalidBar`] for a bad bar.
pub fn rogers_satchell(bars: &[Ohlc]) -> Result<f64> {
    check_bars("Rogers-Satchell variance", bars, 1)?;
    Ok(bars.iter().map(rs_term).sum::<f64>() / bars.len() as f64)
}

/// Yang & Zhang (2000): σ² = σ²_O + k·σ²_C + (1 − k)·σ²_RS over the N = n − 1 bars
/// that have a previous close, where σ²_O is the sample variance (divisor N − 1) of the
/// overnight returns ln(Oₜ/Cₜ₋₁), σ²_C that of the open-to-close returns ln(Cₜ/Oₜ), σ²_RS the
/// [`rogers_satchell`] estimator on those N bars, and k = 0.34 / (1.34 + (N + 1)/(N − 1)).
///
/// Yang, D. & Zhang, Q. (2000). Drift-independent volatility estimation based on high, low,
/// open, and close prices. *Journal of Business* 73, 477–491.
///
/// # Errors
/// [`Error::TooShort`] below 3 bars; [`Error::NonFinite`] / [`Error::InvalidBar`] for a bad bar.
pub fn yang_zhang(bars: &[Ohlc]) -> Result<f64> {
    check_bars("Yang-Zhang variance", bars, 3)?;
    let big_n = (bars.len() - 1) as f64;
    let overnight = sample_var(bars.windows(2).map(|w| (w[1].open / w[0].close).ln()));
    let open_close = sample_var(bars[1..].iter().map(|b| (b.close / b.open).ln()));
    let rs = bars[1..].iter().map(rs_term).sum::<f64>() / big_n;
    let k = 0.34 / (1.34 + (big_n + 1.0) / (big_n - 1.0));
    Ok(overnight + k * open_close + (1.0 - k) * rs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(o: f64, h: f64, l: f64, c: f64) -> Ohlc {
        Ohlc {
            open: o,
            high: h,
            low: l,
            close: c,
        }
    }

    #[test]
    fn hand_computed_values() {
        let bars = [
            bar(100.0, 102.0, 99.0, 101.0),
            bar(101.0, 103.0, 100.0, 100.5),
        ];
        let hl0 = (102.0f64 / 99.0).ln();
        let hl1 = (103.0f64 / 100.0).ln();
        let p = (hl0 * hl0 + hl1 * hl1) / (8.0 * std::f64::consts::LN_2);
        assert!((parkinson(&bars).unwrap() - p).abs() < 1e-15);
        let (u, d, x) = ((1.02f64).ln(), (0.99f64).ln(), (1.01f64).ln());
        let rs0 = u * (u - x) + d * (d - x);
        let (u, d, x) = (
            (103.0f64 / 101.0).ln(),
            (100.0f64 / 101.0).ln(),
            (100.5f64 / 101.0).ln(),
        );
        let rs1 = u * (u - x) + d * (d - x);
        assert!((rogers_satchell(&bars).unwrap() - 0.5 * (rs0 + rs1)).abs() < 1e-15);
    }

    #[test]
    fn flat_bars_have_zero_range_variance() {
        let bars = vec![bar(10.0, 10.0, 10.0, 10.0); 5];
        assert_eq!(parkinson(&bars).unwrap(), 0.0);
        assert_eq!(garman_klass(&bars).unwrap(), 0.0);
        assert_eq!(rogers_satchell(&bars).unwrap(), 0.0);
        assert_eq!(yang_zhang(&bars).unwrap(), 0.0);
        assert_eq!(close_to_close(&bars).unwrap(), 0.0);
    }

    #[test]
    fn bad_bars_are_rejected_with_their_index() {
        let mut bars = vec![bar(10.0, 11.0, 9.0, 10.5); 4];
        bars[2] = bar(10.0, 9.5, 9.0, 10.5);
        assert!(matches!(
            parkinson(&bars),
            Err(Error::InvalidBar { index: 2, .. })
        ));
        bars[2] = bar(10.0, 11.0, f64::NAN, 10.5);
        assert!(matches!(
            yang_zhang(&bars),
            Err(Error::NonFinite {
                index: 2,
                what: "low",
                ..
            })
        ));
        bars[2] = bar(-1.0, 11.0, -2.0, 10.5);
        assert!(matches!(
            garman_klass(&bars),
            Err(Error::InvalidBar { index: 2, .. })
        ));
        assert!(matches!(
            close_to_close(&bars[..2]),
            Err(Error::TooShort { .. })
        ));
    }
}
