//! Queue-position models for price-level (L2) data: where in the queue a cancellation falls.
//!
//! Level data says that the quantity at a price fell, not whose order left. An agent's order
//! waiting at that price has `ahead` lots in front of it and `behind` lots after it; a
//! [`QueueModel`] gives the fraction of an unexplained decrease (a cancellation) that is
//! taken from the part ahead. The replay uses the expected value: `ahead` shrinks by that
//! fraction of the cancelled quantity, with no random draw, so runs are deterministic
//! without a seed.
//!
//! The model forms are the ones documented by hftbacktest ("Queue Models" in its
//! documentation: the risk-averse model, and the probability models built on a function
//! `f` with `P(cancel is ahead) = f(ahead) / (f(ahead) + f(behind))`, with `f(x) = x^n` and
//! `f(x) = ln(1 + x)`). The power form with `n = 1` is the uniform-cancellation assumption of
//! Moallemi & Yuan ("A model for queue position valuation in a limit order book", 2017):
//! every lot in the queue is equally likely to be the one cancelled, so the share ahead is
//! `ahead / (ahead + behind)`. The code here is this crate's own.

use serde::{Deserialize, Serialize};

/// Where a cancellation at an agent's price level falls.
///
/// # Design
/// One small trait with one number out: the replay owns the bookkeeping (trades first,
/// then unexplained decreases, clamping to the level), so a model is only the probability
/// and can be swapped without touching the replay. The replay is generic over it, so the
/// call is inlined in the per-update loop.
pub trait QueueModel {
    /// The fraction, in `[0, 1]`, of a cancellation that is taken from the `ahead` lots in
    /// front of the agent rather than the `behind` lots after it (both `>= 0`).
    fn fraction_ahead(&self, ahead: f64, behind: f64) -> f64;
}

/// Cancellations never advance the agent: everything cancelled is assumed to be behind it.
/// Only trades move it forward. The most pessimistic model (hftbacktest's
/// `RiskAdverseQueueModel`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskAverse;

impl QueueModel for RiskAverse {
    #[inline]
    fn fraction_ahead(&self, _ahead: f64, _behind: f64) -> f64 {
        0.0
    }
}

/// `f(x) = x^n`: the share ahead is `ahead^n / (ahead^n + behind^n)`.
///
/// `n = 1` spreads cancellations uniformly over the queue (Moallemi & Yuan's assumption);
/// larger `n` sends them more and more to the longer side (as `n → ∞`, all ahead when
/// `ahead > behind`, none when `ahead < behind`); `n = 0` splits them evenly.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PowerLaw {
    n: f64,
}

impl PowerLaw {
    /// The model with exponent `n`.
    ///
    /// # Errors
    /// [`crate::Error::Core`] with an `Invalid` reason when `n` is negative or not finite.
    pub fn new(n: f64) -> crate::Result<Self> {
        if n.is_finite() && n >= 0.0 {
            Ok(Self { n })
        } else {
            Err(invalid(format!(
                "power-law exponent n must be finite and >= 0, got {n}"
            )))
        }
    }

    /// The exponent.
    pub fn exponent(&self) -> f64 {
        self.n
    }
}

impl QueueModel for PowerLaw {
    #[inline]
    fn fraction_ahead(&self, ahead: f64, behind: f64) -> f64 {
        // Divide through by the larger power so that large exponents do not overflow:
        // a^n / (a^n + b^n) = 1 / (1 + (b/a)^n) for a >= b.
        let (a, b) = (ahead.max(0.0), behind.max(0.0));
        if a == 0.0 && b == 0.0 {
            return 0.5;
        }
        if a >= b {
            1.0 / (1.0 + (b / a).powf(self.n))
        } else {
            let r = (a / b).powf(self.n);
            r / (1.0 + r)
        }
    }
}

/// `f(x) = ln(1 + x)`: the share ahead is `ln(1+ahead) / (ln(1+ahead) + ln(1+behind))`. It
/// leans towards the longer side much less than `x^1` does.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogProb;

impl QueueModel for LogProb {
    #[inline]
    fn fraction_ahead(&self, ahead: f64, behind: f64) -> f64 {
        let fa = ahead.max(0.0).ln_1p();
        let fb = behind.max(0.0).ln_1p();
        if fa + fb == 0.0 { 0.5 } else { fa / (fa + fb) }
    }
}

/// A queue model chosen by configuration (e.g. from a command line or a TOML file).
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case", deny_unknown_fields)]
pub enum QueueModelConfig {
    /// [`RiskAverse`].
    RiskAverse,
    /// [`PowerLaw`] with exponent `n`.
    PowerLaw {
        /// The exponent (>= 0).
        n: f64,
    },
    /// [`LogProb`].
    Log,
}

/// A validated [`QueueModelConfig`].
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum AnyQueueModel {
    /// [`RiskAverse`].
    RiskAverse(RiskAverse),
    /// [`PowerLaw`].
    PowerLaw(PowerLaw),
    /// [`LogProb`].
    Log(LogProb),
}

impl QueueModelConfig {
    /// Validates the configuration into a model.
    ///
    /// # Errors
    /// As [`PowerLaw::new`].
    pub fn build(self) -> crate::Result<AnyQueueModel> {
        Ok(match self {
            QueueModelConfig::RiskAverse => AnyQueueModel::RiskAverse(RiskAverse),
            QueueModelConfig::PowerLaw { n } => AnyQueueModel::PowerLaw(PowerLaw::new(n)?),
            QueueModelConfig::Log => AnyQueueModel::Log(LogProb),
        })
    }
}

impl QueueModel for AnyQueueModel {
    #[inline]
    fn fraction_ahead(&self, ahead: f64, behind: f64) -> f64 {
        match self {
            AnyQueueModel::RiskAverse(m) => m.fraction_ahead(ahead, behind),
            AnyQueueModel::PowerLaw(m) => m.fraction_ahead(ahead, behind),
            AnyQueueModel::Log(m) => m.fraction_ahead(ahead, behind),
        }
    }
}

pub(super) fn invalid(reason: String) -> crate::Error {
    crate::Error::Core(shortfall_core::Error::Invalid {
        what: "replay agent configuration",
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_averse_never_puts_a_cancel_ahead() {
        for (a, b) in [(0.0, 0.0), (10.0, 0.0), (1e9, 1.0), (3.0, 7.0)] {
            assert_eq!(RiskAverse.fraction_ahead(a, b), 0.0);
        }
    }

    #[test]
    fn power_one_is_the_uniform_share_of_moallemi_and_yuan() {
        let m = PowerLaw::new(1.0).unwrap();
        assert!((m.fraction_ahead(3.0, 7.0) - 0.3).abs() < 1e-15);
        assert!((m.fraction_ahead(7.0, 3.0) - 0.7).abs() < 1e-15);
    }

    #[test]
    fn power_two_squares_the_sizes() {
        // 3^2 / (3^2 + 7^2) = 9 / 58
        let m = PowerLaw::new(2.0).unwrap();
        assert!((m.fraction_ahead(3.0, 7.0) - 9.0 / 58.0).abs() < 1e-15);
    }

    #[test]
    fn large_exponents_send_everything_to_the_longer_side_without_overflow() {
        let m = PowerLaw::new(1000.0).unwrap();
        assert!(1.0 - m.fraction_ahead(11.0, 10.0) < 1e-15);
        assert!(m.fraction_ahead(10.0, 11.0) < 1e-30);
        assert_eq!(m.fraction_ahead(5.0, 5.0), 0.5);
        // Huge queues: x^n overflows f64 but the ratio form does not.
        let f = m.fraction_ahead(1e6, 2e6);
        assert!(f.is_finite() && f < 1e-100);
    }

    #[test]
    fn power_zero_splits_evenly() {
        let m = PowerLaw::new(0.0).unwrap();
        assert_eq!(m.fraction_ahead(1.0, 99.0), 0.5);
    }

    #[test]
    fn log_model_matches_its_formula_and_leans_less_than_linear() {
        let f = LogProb.fraction_ahead(3.0, 7.0);
        let expected = 4f64.ln() / (4f64.ln() + 8f64.ln()); // = 2/(2+3) = 0.4
        assert!((f - expected).abs() < 1e-15);
        assert!((f - 0.4).abs() < 1e-12);
        assert!(f > 0.3, "log leans towards the longer side less than x^1");
        assert_eq!(LogProb.fraction_ahead(0.0, 5.0), 0.0);
        assert_eq!(LogProb.fraction_ahead(5.0, 0.0), 1.0);
    }

    #[test]
    fn bad_exponents_are_refused_with_the_value() {
        for n in [-1.0, f64::NAN, f64::INFINITY] {
            let e = PowerLaw::new(n).unwrap_err().to_string();
            assert!(e.contains("exponent"), "{e}");
        }
        assert!(QueueModelConfig::PowerLaw { n: -2.0 }.build().is_err());
    }

    #[test]
    fn configs_parse_from_json_and_refuse_unknown_fields() {
        let c: QueueModelConfig = serde_json::from_str(r#"{"model":"power_law","n":2.0}"#).unwrap();
        assert_eq!(c, QueueModelConfig::PowerLaw { n: 2.0 });
        assert!(
            serde_json::from_str::<QueueModelConfig>(r#"{"model":"power_law","n":2.0,"x":1}"#)
                .is_err()
        );
    }
}
