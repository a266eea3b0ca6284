//! Supervised labels from a mid-price series: direction at a horizon (with the FI-2010 and
//! DeepLOB smoothing conventions), future returns and triple-barrier labels.
//!
//! Labels are computed offline from the series of carried mids, one per row (event). The
//! label at row `t` with horizon `k` uses **only** rows `t − k + 1 … t + k` (the past part
//! only for [`Smoothing::PastMean`]) — never a row after `t + k`, so a model trained on it
//! learns nothing a live system could not know `k` events later; the tests perturb every
//! row after `t + k` and check that labels up to `t` do not change. A label is `None` where
//! its rows do not exist (the last `k` rows, the first `k − 1` for past-mean smoothing) or
//! where the mid is not yet defined.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// How the mid-price change is measured for a direction label. With `mₜ` the mid at row
/// `t` and `k` the horizon:
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Smoothing {
    /// `lₜ = (mₜ₊ₖ − mₜ) / mₜ`: the raw change to the mid `k` events ahead.
    None,
    /// `lₜ = (m⁺ₜ − mₜ) / mₜ` with `m⁺ₜ = (1/k) Σᵢ₌₁ᵏ mₜ₊ᵢ`, the mean of the next `k` mids
    /// against the current mid: the FI-2010 convention (Ntakaris, Magris, Kanniainen,
    /// Gabbouj & Iosifidis 2018, "Benchmark dataset for mid-price forecasting of limit order
    /// book data with machine learning methods", J. Forecasting 37(8)).
    FutureMean,
    /// `lₜ = (m⁺ₜ − m⁻ₜ) / m⁻ₜ` with `m⁻ₜ = (1/k) Σᵢ₌₀ᵏ⁻¹ mₜ₋ᵢ`, the mean of the next `k`
    /// mids against the mean of the previous `k` (current included): the DeepLOB
    /// convention (Zhang, Zohren & Roberts 2019, "DeepLOB: deep convolutional neural
    /// networks for limit order books", IEEE Trans. Signal Processing 67(11), eqs. (3)–(4)).
    PastMean,
}

impl Smoothing {
    fn tag(self) -> &'static str {
        match self {
            Smoothing::None => "raw",
            Smoothing::FutureMean => "future_mean",
            Smoothing::PastMean => "past_mean",
        }
    }
}

/// What a triple-barrier label is when neither horizontal barrier is touched.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerticalBarrier {
    /// 0: the vertical barrier was hit first.
    Zero,
    /// The sign of the return at the vertical barrier (−1, 0 or 1).
    Sign,
}

/// A label: its kind and parameters. Horizons count rows (events).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LabelSpec {
    /// Mid-price direction: +1 when the smoothed change `lₜ` exceeds `threshold`, −1 when
    /// it is below `−threshold`, else 0 (Ntakaris et al. 2018; Zhang et al. 2019).
    Direction {
        /// Horizon `k` ≥ 1.
        horizon: usize,
        /// Threshold `α` ≥ 0 on the relative change (e.g. 0.00002 = 0.2 bp).
        threshold: f64,
        /// Smoothing convention.
        smoothing: Smoothing,
    },
    /// Future log return `10⁴ · ln(mₜ₊ₖ / mₜ)` in basis points.
    FutureReturn {
        /// Horizon `k` ≥ 1.
        horizon: usize,
    },
    /// The triple-barrier method (López de Prado 2018, *Advances in Financial Machine
    /// Learning*, Wiley, ch. 3.4): +1 when `ln(mₛ / mₜ) ≥ upper` for some `s ∈ (t, t + k]`
    /// before `ln(mₛ / mₜ) ≤ −lower`, −1 when the lower barrier is touched first, otherwise
    /// the vertical-barrier rule.
    TripleBarrier {
        /// Vertical barrier `k` ≥ 1 events.
        horizon: usize,
        /// Upper barrier as a log return (> 0).
        upper: f64,
        /// Lower barrier as a positive log return (> 0).
        lower: f64,
        /// Label when neither horizontal barrier is touched.
        vertical: VerticalBarrier,
    },
}

impl LabelSpec {
    /// The label's column name, e.g. `direction_future_mean_k10`, `future_return_bps_k100`,
    /// `triple_barrier_k50`.
    pub fn name(&self) -> String {
        match self {
            LabelSpec::Direction {
                horizon, smoothing, ..
            } => format!("direction_{}_k{horizon}", smoothing.tag()),
            LabelSpec::FutureReturn { horizon } => format!("future_return_bps_k{horizon}"),
            LabelSpec::TripleBarrier { horizon, .. } => format!("triple_barrier_k{horizon}"),
        }
    }

    /// The horizon `k`: the label at row `t` uses no row after `t + k`.
    pub fn horizon(&self) -> usize {
        match *self {
            LabelSpec::Direction { horizon, .. }
            | LabelSpec::FutureReturn { horizon }
            | LabelSpec::TripleBarrier { horizon, .. } => horizon,
        }
    }

    /// Rows before `t` the label uses (`k − 1` for past-mean smoothing, else 0).
    pub fn lookback(&self) -> usize {
        match *self {
            LabelSpec::Direction {
                horizon,
                smoothing: Smoothing::PastMean,
                ..
            } => horizon - 1,
            _ => 0,
        }
    }

    /// Checks the parameters.
    ///
    /// # Errors
    /// [`Error::InvalidLabel`] naming the label and the parameter.
    pub fn validate(&self) -> Result<()> {
        let bad = |reason: String| Error::InvalidLabel {
            name: self.name(),
            reason,
        };
        if self.horizon() == 0 {
            return Err(bad("horizon must be >= 1".into()));
        }
        match *self {
            LabelSpec::Direction { threshold, .. }
                if !(threshold.is_finite() && threshold >= 0.0) =>
            {
                Err(bad(format!(
                    "threshold must be finite and >= 0, got {threshold}"
                )))
            }
            LabelSpec::TripleBarrier { upper, lower, .. }
                if !(upper.is_finite() && upper > 0.0 && lower.is_finite() && lower > 0.0) =>
            {
                Err(bad(format!(
                    "barriers must be finite and > 0, got upper {upper}, lower {lower}"
                )))
            }
            _ => Ok(()),
        }
    }

    /// The label at every row of `mids` (`None` where the mid is undefined); `None` where
    /// the label is undefined (see the [module documentation](self)).
    ///
    /// Rows are assumed to have positive mids where defined (the pipeline's carried mid
    /// is; see [`Observation`](crate::Observation)).
    pub fn compute(&self, mids: &[Option<f64>]) -> Vec<Option<f64>> {
        (0..mids.len()).map(|t| self.label_at(mids, t)).collect()
    }

    /// The label at row `t` alone (reads rows `t − lookback() … t + horizon()` only).
    pub fn label_at(&self, mids: &[Option<f64>], t: usize) -> Option<f64> {
        let k = self.horizon();
        let start = t.checked_sub(self.lookback())?;
        if t + k >= mids.len() {
            return None;
        }
        let window = &mids[start..=t + k];
        // The carried mid, once defined, stays defined, but guard every row used.
        if window.iter().any(Option::is_none) {
            return None;
        }
        let m = |i: usize| mids[i].unwrap_or_default();
        let mean = |from: usize, to: usize| {
            let mut s = 0.0;
            for i in from..=to {
                s += m(i);
            }
            s / (to - from + 1) as f64
        };
        match *self {
            LabelSpec::Direction {
                threshold,
                smoothing,
                ..
            } => {
                let change = match smoothing {
                    Smoothing::None => (m(t + k) - m(t)) / m(t),
                    Smoothing::FutureMean => (mean(t + 1, t + k) - m(t)) / m(t),
                    Smoothing::PastMean => {
                        let past = mean(start, t);
                        (mean(t + 1, t + k) - past) / past
                    }
                };
                Some(if change > threshold {
                    1.0
                } else if change < -threshold {
                    -1.0
                } else {
                    0.0
                })
            }
            LabelSpec::FutureReturn { .. } => Some(1e4 * (m(t + k) / m(t)).ln()),
            LabelSpec::TripleBarrier {
                upper,
                lower,
                vertical,
                ..
            } => {
                let base = m(t);
                for s in t + 1..=t + k {
                    let r = (m(s) / base).ln();
                    if r >= upper {
                        return Some(1.0);
                    }
                    if r <= -lower {
                        return Some(-1.0);
                    }
                }
                Some(match vertical {
                    VerticalBarrier::Zero => 0.0,
                    VerticalBarrier::Sign => {
                        let r = m(t + k) - base;
                        if r > 0.0 {
                            1.0
                        } else if r < 0.0 {
                            -1.0
                        } else {
                            0.0
                        }
                    }
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(xs: &[f64]) -> Vec<Option<f64>> {
        xs.iter().copied().map(Some).collect()
    }

    #[test]
    fn direction_labels_match_hand_computed_values_for_each_smoothing() {
        let mids = some(&[100.0, 101.0, 99.0, 102.0, 102.0]);
        let raw = LabelSpec::Direction {
            horizon: 2,
            threshold: 0.005,
            smoothing: Smoothing::None,
        };
        // t=0: (99-100)/100 = -0.01 < -0.005; t=1: (102-101)/101 = 0.0099; t=2: (102-99)/99
        assert_eq!(
            raw.compute(&mids),
            vec![Some(-1.0), Some(1.0), Some(1.0), None, None]
        );
        let future = LabelSpec::Direction {
            horizon: 2,
            threshold: 0.005,
            smoothing: Smoothing::FutureMean,
        };
        // t=0: mean(101,99)=100 -> 0; t=1: mean(99,102)=100.5 -> -0.00495 -> 0;
        // t=2: mean(102,102)=102 -> +0.0303 -> 1
        assert_eq!(
            future.compute(&mids),
            vec![Some(0.0), Some(0.0), Some(1.0), None, None]
        );
        let past = LabelSpec::Direction {
            horizon: 2,
            threshold: 0.005,
            smoothing: Smoothing::PastMean,
        };
        // t=1: past mean(100,101)=100.5, future mean(99,102)=100.5 -> 0;
        // t=2: past mean(101,99)=100, future mean(102,102)=102 -> 0.02 -> 1
        assert_eq!(
            past.compute(&mids),
            vec![None, Some(0.0), Some(1.0), None, None]
        );
        assert_eq!(past.name(), "direction_past_mean_k2");
    }

    #[test]
    fn future_returns_and_triple_barriers_match_hand_computed_values() {
        let mids = some(&[100.0, 100.5, 99.0, 101.5, 100.0]);
        let fr = LabelSpec::FutureReturn { horizon: 1 };
        let got = fr.compute(&mids);
        assert!((got[0].unwrap() - 1e4 * (100.5f64 / 100.0).ln()).abs() < 1e-9);
        assert_eq!(got[4], None);
        let tb = LabelSpec::TripleBarrier {
            horizon: 3,
            upper: 0.012,
            lower: 0.009,
            vertical: VerticalBarrier::Zero,
        };
        // t=0: ln(100.5/100)=0.0050, ln(99/100)=-0.01005 <= -0.009 -> -1
        // t=1: ln(99/100.5)=-0.01504 -> -1
        // others: no room for a 3-event horizon
        assert_eq!(
            tb.compute(&mids),
            vec![Some(-1.0), Some(-1.0), None, None, None]
        );
        let tb_up = LabelSpec::TripleBarrier {
            horizon: 2,
            upper: 0.02,
            lower: 0.02,
            vertical: VerticalBarrier::Sign,
        };
        // t=2: ln(101.5/99)=0.0249 >= 0.02 -> 1; t=0: no touch, sign(99-100) = -1;
        // t=1: no touch (-0.0150, +0.0099), sign(101.5-100.5) = 1
        assert_eq!(
            tb_up.compute(&mids),
            vec![Some(-1.0), Some(1.0), Some(1.0), None, None]
        );
    }

    #[test]
    fn undefined_mids_make_labels_undefined_and_bad_parameters_are_rejected() {
        let mids = vec![None, Some(100.0), Some(101.0)];
        let fr = LabelSpec::FutureReturn { horizon: 1 };
        assert_eq!(fr.compute(&mids)[0], None);
        assert!(fr.compute(&mids)[1].is_some());
        assert!(LabelSpec::FutureReturn { horizon: 0 }.validate().is_err());
        let e = LabelSpec::TripleBarrier {
            horizon: 2,
            upper: 0.0,
            lower: 0.1,
            vertical: VerticalBarrier::Zero,
        }
        .validate()
        .unwrap_err();
        assert!(e.to_string().contains("triple_barrier_k2"), "{e}");
        assert!(
            LabelSpec::Direction {
                horizon: 1,
                threshold: f64::NAN,
                smoothing: Smoothing::None
            }
            .validate()
            .is_err()
        );
    }
}
