//! Rolling robust z-score: median and MAD over a sliding window.

use crate::error::{Error, Result};
use std::collections::VecDeque;

/// The consistency constant that makes 1.4826·MAD estimate σ for normal data
/// (1/Φ⁻¹(3/4); Rousseeuw & Croux, 1993).
pub const MAD_SCALE: f64 = 1.4826;

/// A rolling robust z-score: each new value x is scored against the **previous** `window`
/// values as z = (x − median)/(1.4826·MAD), MAD = median |xᵢ − median| (Hampel, 1974;
/// Rousseeuw & Croux, 1993), and then joins the window. Scoring against the past only
/// means an outlier cannot mask itself.
///
/// Warm-up: [`RobustZScore::update`] returns `None` until `window` values have been seen.
/// When MAD = 0 (more than half the window is one value), a value equal to the median
/// scores 0 and any other ±∞ — it is, robustly, infinitely unusual.
///
/// Cost: O(window) per update (sorted insert/remove and one selection for the MAD).
///
/// ```
/// use shortfall_risk::stress::RobustZScore;
/// # fn main() -> shortfall_risk::Result<()> {
/// let mut z = RobustZScore::new(5)?;
/// for x in [1.0, 2.0, 3.0, 4.0, 5.0] {
///     assert_eq!(z.update(x)?, None); // warming up
/// }
/// // median 3, MAD = median(2, 1, 0, 1, 2) = 1: z(9) = 6/1.4826.
/// let s = z.update(9.0)?.unwrap();
/// assert!((s - 6.0 / 1.4826).abs() < 1e-12);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RobustZScore {
    window: usize,
    ring: VecDeque<f64>,
    sorted: Vec<f64>,
    scratch: Vec<f64>,
}

impl RobustZScore {
    /// A score over the last `window` values.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a window below 3 (a MAD needs a spread).
    pub fn new(window: usize) -> Result<Self> {
        if window < 3 {
            return Err(Error::InvalidParameter {
                name: "window",
                value: window as f64,
                allowed: ">= 3",
            });
        }
        Ok(Self {
            window,
            ring: VecDeque::with_capacity(window),
            sorted: Vec::with_capacity(window),
            scratch: Vec::with_capacity(window),
        })
    }

    /// The window length.
    pub fn window(&self) -> usize {
        self.window
    }

    /// Median of the current window (`None` while empty).
    pub fn median(&self) -> Option<f64> {
        median_of_sorted(&self.sorted)
    }

    /// Scores `x` against the current window (`None` during warm-up), then adds it.
    ///
    /// # Errors
    /// [`Error::NonFinite`] for NaN/inf; the window is then unchanged.
    pub fn update(&mut self, x: f64) -> Result<Option<f64>> {
        if !x.is_finite() {
            return Err(Error::NonFinite {
                what: "robust z-score input",
                index: 0,
                value: x,
            });
        }
        let score = if self.ring.len() == self.window {
            Some(self.score(x))
        } else {
            None
        };
        if self.ring.len() == self.window {
            let old = self.ring.pop_front().expect("window is full");
            let pos = self.sorted.partition_point(|v| *v < old);
            self.sorted.remove(pos);
        }
        self.ring.push_back(x);
        let pos = self.sorted.partition_point(|v| *v < x);
        self.sorted.insert(pos, x);
        Ok(score)
    }

    fn score(&mut self, x: f64) -> f64 {
        let med = median_of_sorted(&self.sorted).expect("window is full");
        self.scratch.clear();
        self.scratch
            .extend(self.sorted.iter().map(|v| (v - med).abs()));
        let n = self.scratch.len();
        let mad = if n % 2 == 1 {
            *self.scratch.select_nth_unstable_by(n / 2, f64::total_cmp).1
        } else {
            let (lower, hi, _) = self.scratch.select_nth_unstable_by(n / 2, f64::total_cmp);
            let hi = *hi;
            let lo = lower.iter().fold(f64::NEG_INFINITY, |m, v| m.max(*v));
            0.5 * (lo + hi)
        };
        let d = x - med;
        if mad > 0.0 {
            d / (MAD_SCALE * mad)
        } else if d == 0.0 {
            0.0
        } else {
            d.signum() * f64::INFINITY
        }
    }
}

fn median_of_sorted(s: &[f64]) -> Option<f64> {
    let n = s.len();
    if n == 0 {
        None
    } else if n % 2 == 1 {
        Some(s[n / 2])
    } else {
        Some(0.5 * (s[n / 2 - 1] + s[n / 2]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_scores_for_even_and_odd_windows() {
        // Window 4: [1, 2, 4, 10]: median 3, |dev| = 2, 1, 1, 7 → MAD = 1.5.
        let mut z = RobustZScore::new(4).unwrap();
        for x in [10.0, 1.0, 4.0, 2.0] {
            assert_eq!(z.update(x).unwrap(), None);
        }
        let s = z.update(6.0).unwrap().unwrap();
        assert!((s - 3.0 / (1.4826 * 1.5)).abs() < 1e-12);
        // The window slid: [1, 4, 2, 6] → median 3, |dev| 2, 1, 1, 3 → MAD 1.5.
        let s = z.update(0.0).unwrap().unwrap();
        assert!((s + 3.0 / (1.4826 * 1.5)).abs() < 1e-12);
    }

    #[test]
    fn a_single_outlier_barely_moves_the_median_and_mad() {
        let mut z = RobustZScore::new(9).unwrap();
        for x in [0.0, 1.0, -1.0, 0.5, -0.5, 0.2, -0.2, 1e9, 0.1] {
            z.update(x).unwrap();
        }
        // A mean/sd z-score of 3.0 would be ≈ 0 here (sd ≈ 3.3e8); the robust one is large.
        let s = z.update(3.0).unwrap().unwrap();
        assert!(s > 3.0, "{s}");
    }

    #[test]
    fn zero_mad_gives_zero_or_infinite_scores() {
        let mut z = RobustZScore::new(3).unwrap();
        for _ in 0..3 {
            z.update(5.0).unwrap();
        }
        assert_eq!(z.update(5.0).unwrap(), Some(0.0));
        assert_eq!(z.update(6.0).unwrap(), Some(f64::INFINITY));
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(RobustZScore::new(2).is_err());
        let mut z = RobustZScore::new(3).unwrap();
        assert!(matches!(z.update(f64::NAN), Err(Error::NonFinite { .. })));
        assert_eq!(z.median(), None);
    }
}
