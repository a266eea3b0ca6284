//! [`Env`]: a Gymnasium-style environment, and the [`Space`]s that describe it.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The shape and bounds of observations or actions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Space {
    /// One of `n` actions, `0..n`.
    Discrete {
        /// Number of choices (> 0).
        n: usize,
    },
    /// A real vector with per-dimension bounds (bounds may be infinite).
    Box {
        /// Lower bounds.
        low: Vec<f64>,
        /// Upper bounds.
        high: Vec<f64>,
    },
}

impl Space {
    /// `Discrete { n }`, checked.
    ///
    /// # Errors
    /// [`Error::Invalid`] when `n` is zero.
    pub fn discrete(n: usize) -> Result<Self> {
        if n == 0 {
            return Err(Error::Invalid {
                what: "discrete space",
                reason: "needs at least one action".into(),
            });
        }
        Ok(Space::Discrete { n })
    }

    /// `Box { low, high }`, checked.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the bounds differ in length, are empty, contain NaN, or
    /// `low[i] > high[i]`.
    pub fn bounded(low: Vec<f64>, high: Vec<f64>) -> Result<Self> {
        let invalid = |reason: String| Error::Invalid {
            what: "box space",
            reason,
        };
        if low.len() != high.len() {
            return Err(invalid(format!(
                "low has {} dimensions, high has {}",
                low.len(),
                high.len()
            )));
        }
        if low.is_empty() {
            return Err(invalid("no dimensions".into()));
        }
        for (i, (l, h)) in low.iter().zip(&high).enumerate() {
            if l.is_nan() || h.is_nan() || l > h {
                return Err(invalid(format!("dimension {i}: bounds [{l}, {h}]")));
            }
        }
        Ok(Space::Box { low, high })
    }

    /// Number of dimensions (1 for a discrete space).
    pub fn dim(&self) -> usize {
        match self {
            Space::Discrete { .. } => 1,
            Space::Box { low, .. } => low.len(),
        }
    }

    /// True when `action` is one of a discrete space's choices.
    pub fn contains_discrete(&self, action: usize) -> bool {
        matches!(self, Space::Discrete { n } if action < *n)
    }

    /// True when `x` has the box's dimension, no NaN, and lies within its bounds.
    pub fn contains(&self, x: &[f64]) -> bool {
        match self {
            Space::Discrete { .. } => false,
            Space::Box { low, high } => {
                x.len() == low.len()
                    && x.iter()
                        .zip(low.iter().zip(high))
                        .all(|(v, (l, h))| !v.is_nan() && v >= l && v <= h)
            }
        }
    }
}

/// What one [`Env::step`] returns.
#[derive(Clone, Debug, PartialEq)]
pub struct Step<O, I> {
    /// Observation after the step.
    pub obs: O,
    /// Reward for the step.
    pub reward: f64,
    /// The episode reached a terminal state of the task (e.g. the parent order is done).
    pub terminated: bool,
    /// The episode was cut off for a reason outside the task (e.g. a time limit or the end
    /// of the data).
    pub truncated: bool,
    /// Diagnostic information (not for learning).
    pub info: I,
}

impl<O, I> Step<O, I> {
    /// True when the episode is over for either reason.
    pub fn done(&self) -> bool {
        self.terminated || self.truncated
    }
}

/// A Gymnasium-style episodic environment.
///
/// # Design
/// The semantics follow Gymnasium (`reset(seed)` then `step` until `terminated` or
/// `truncated`) so that users of ABIDES-gym and Gymnasium recognise them. Unlike Gymnasium,
/// every environment is seeded explicitly on reset (no hidden global RNG) and bad actions are
/// errors rather than panics. Observations and actions are associated types: execution
/// environments expose a typed state that baselines read by field and RL policies read as a
/// feature vector, without either crate depending on the other.
pub trait Env {
    /// What the agent sees.
    type Obs;
    /// What the agent does.
    type Action;
    /// Diagnostics returned with each step.
    type Info;
    /// Why a reset or step failed (e.g. an action outside the action space).
    type Error: std::error::Error;

    /// The space observations live in.
    fn observation_space(&self) -> &Space;

    /// The space actions live in.
    fn action_space(&self) -> &Space;

    /// Starts a new episode; the same seed gives the same episode.
    ///
    /// # Errors
    /// When the environment cannot start (e.g. its data ran out).
    fn reset(&mut self, seed: u64) -> Result<(Self::Obs, Self::Info), Self::Error>;

    /// Advances one decision step.
    ///
    /// # Errors
    /// When the action is invalid or the episode is already over.
    fn step(&mut self, action: &Self::Action) -> Result<Step<Self::Obs, Self::Info>, Self::Error>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_validate_their_bounds() {
        assert!(Space::discrete(0).is_err());
        assert!(Space::bounded(vec![0.0], vec![1.0, 2.0]).is_err());
        assert!(Space::bounded(vec![1.0], vec![0.0]).is_err());
        assert!(Space::bounded(vec![f64::NAN], vec![0.0]).is_err());
        let b = Space::bounded(vec![0.0, -1.0], vec![1.0, f64::INFINITY]).unwrap();
        assert!(b.contains(&[0.5, 100.0]));
        assert!(!b.contains(&[1.5, 0.0]));
        assert!(!b.contains(&[f64::NAN, 0.0]));
        assert!(!b.contains(&[0.5]));
        let d = Space::discrete(3).unwrap();
        assert!(d.contains_discrete(2) && !d.contains_discrete(3));
    }
}
