//! Advantage and return targets, on plain `f64` slices (no tensors).

use crate::error::{Error, Result};

/// One environment's consecutive steps, as collected by a rollout.
///
/// Step `t` went from observation `s_t` (value `values[t]`) with reward `rewards[t]` to the
/// observation `s_{t+1}` whose value is `next_values[t]`. At an episode end the next value
/// is that of the *final* observation (before any reset), so that a truncated episode can
/// be bootstrapped; it is ignored when `terminated[t]`.
#[derive(Clone, Copy, Debug)]
pub struct Segment<'a> {
    /// `r_t`.
    pub rewards: &'a [f64],
    /// `V(s_t)`.
    pub values: &'a [f64],
    /// `V(s_{t+1})` (final observation at an episode end).
    pub next_values: &'a [f64],
    /// The episode reached a terminal state at step `t` (no bootstrap).
    pub terminated: &'a [bool],
    /// The episode ended at step `t` for any reason (terminated or truncated).
    pub ends: &'a [bool],
}

impl Segment<'_> {
    fn check(&self) -> Result<usize> {
        let n = self.rewards.len();
        let lens = [
            ("values", self.values.len()),
            ("next_values", self.next_values.len()),
            ("terminated", self.terminated.len()),
            ("ends", self.ends.len()),
        ];
        for (name, len) in lens {
            if len != n {
                return Err(Error::Invalid {
                    what: "rollout segment",
                    reason: format!("{name} has {len} entries, rewards has {n}"),
                });
            }
        }
        if let Some(t) = (0..n).find(|&t| self.terminated[t] && !self.ends[t]) {
            return Err(Error::Invalid {
                what: "rollout segment",
                reason: format!("step {t} is terminated but not marked as an episode end"),
            });
        }
        Ok(n)
    }
}

fn check_discount(what: &'static str, x: f64) -> Result<()> {
    if (0.0..=1.0).contains(&x) {
        Ok(())
    } else {
        Err(Error::Invalid {
            what,
            reason: format!("must lie in [0, 1], got {x}"),
        })
    }
}

/// Generalised advantage estimates (Schulman et al. 2016, "High-dimensional continuous
/// control using generalized advantage estimation", eq. 16):
/// `δ_t = r_t + γ·(1 − term_t)·V(s_{t+1}) − V(s_t)` and
/// `A_t = δ_t + γλ·(1 − end_t)·A_{t+1}`, with `A` after the last step taken as 0 (the last
/// step's bootstrap is in its `δ`). Value targets are `A_t + V(s_t)`.
///
/// # Errors
/// [`Error::Invalid`] when the slices differ in length, a terminated step is not an end, or
/// `gamma`/`lambda` lie outside `[0, 1]`.
pub fn gae(seg: &Segment<'_>, gamma: f64, lambda: f64) -> Result<Vec<f64>> {
    check_discount("discount γ", gamma)?;
    check_discount("GAE λ", lambda)?;
    let n = seg.check()?;
    let mut adv = vec![0.0; n];
    let mut next = 0.0;
    for t in (0..n).rev() {
        let bootstrap = if seg.terminated[t] {
            0.0
        } else {
            gamma * seg.next_values[t]
        };
        let delta = seg.rewards[t] + bootstrap - seg.values[t];
        let carry = if seg.ends[t] {
            0.0
        } else {
            gamma * lambda * next
        };
        adv[t] = delta + carry;
        next = adv[t];
    }
    Ok(adv)
}

/// The `n`-step target from step `t`: `G = Σ_{k<m} γ^k r_{t+k}`, where `m ≤ n` stops at the
/// end of the episode or of the data, plus how to bootstrap it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NStep {
    /// Discounted reward sum over the `steps` rewards.
    pub ret: f64,
    /// Factor on the bootstrap value: `γ^steps`, or 0 when the episode terminated.
    pub discount: f64,
    /// Number of rewards summed (`1..=n`); the bootstrap state is the one after step
    /// `t + steps − 1` (its `next` observation).
    pub steps: usize,
}

/// `n`-step targets for every step of one environment's consecutive steps (Sutton & Barto
/// 2018, *Reinforcement Learning*, §7.1, eq. 7.1), cut at episode ends. Only the rewards,
/// `terminated` and `ends` of `seg` are read.
///
/// # Errors
/// [`Error::Invalid`] on inconsistent slices, `n == 0`, or `gamma` outside `[0, 1]`.
pub fn n_step_targets(seg: &Segment<'_>, n: usize, gamma: f64) -> Result<Vec<NStep>> {
    check_discount("discount γ", gamma)?;
    if n == 0 {
        return Err(Error::Invalid {
            what: "n-step returns",
            reason: "n must be at least 1".into(),
        });
    }
    let len = seg.check()?;
    let mut out = Vec::with_capacity(len);
    for t in 0..len {
        let (mut ret, mut disc, mut steps) = (0.0, 1.0, 0);
        let mut terminated = false;
        for k in t..(t + n).min(len) {
            ret += disc * seg.rewards[k];
            disc *= gamma;
            steps += 1;
            if seg.ends[k] {
                terminated = seg.terminated[k];
                break;
            }
        }
        out.push(NStep {
            ret,
            discount: if terminated { 0.0 } else { disc },
            steps,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }

    #[test]
    fn gae_matches_hand_computation_with_a_terminal_and_a_truncation() {
        // Steps 0-1 end in termination; steps 2-3 are a new episode truncated at step 3.
        let rewards = [1.0, 2.0, 0.5, -1.0];
        let values = [0.3, 0.6, 0.2, 0.4];
        let next_values = [0.6, 9.0, 0.4, 0.7];
        let terminated = [false, true, false, false];
        let ends = [false, true, false, true];
        let seg = Segment {
            rewards: &rewards,
            values: &values,
            next_values: &next_values,
            terminated: &terminated,
            ends: &ends,
        };
        let (g, l) = (0.9, 0.8);
        let adv = gae(&seg, g, l).unwrap();
        // By hand: δ3 = -1 + 0.9·0.7 − 0.4 = −0.77; A3 = −0.77.
        // δ2 = 0.5 + 0.9·0.4 − 0.2 = 0.66; A2 = 0.66 + 0.72·(−0.77) = 0.1056.
        // δ1 = 2 − 0.6 = 1.4 (terminal: 9.0 ignored); A1 = 1.4 (episode ends).
        // δ0 = 1 + 0.9·0.6 − 0.3 = 1.24; A0 = 1.24 + 0.72·1.4 = 2.248.
        for (a, b) in adv.iter().zip([2.248, 1.4, 0.1056, -0.77]) {
            close(*a, b);
        }
        // λ = 1 gives discounted Monte-Carlo returns minus values within an episode.
        let mc = gae(&seg, g, 1.0).unwrap();
        close(mc[0] + values[0], 1.0 + 0.9 * 2.0);
        // λ = 0 gives one-step TD errors.
        let td = gae(&seg, g, 0.0).unwrap();
        close(td[2], 0.66);
    }

    #[test]
    fn gae_rejects_inconsistent_input() {
        let seg = Segment {
            rewards: &[1.0, 2.0],
            values: &[0.0],
            next_values: &[0.0, 0.0],
            terminated: &[false, false],
            ends: &[false, false],
        };
        assert!(
            gae(&seg, 0.9, 0.9)
                .unwrap_err()
                .to_string()
                .contains("values")
        );
        let seg = Segment {
            rewards: &[1.0],
            values: &[0.0],
            next_values: &[0.0],
            terminated: &[true],
            ends: &[false],
        };
        assert!(gae(&seg, 0.9, 0.9).is_err());
        let ok = Segment {
            ends: &[true],
            ..seg
        };
        assert!(gae(&ok, 1.1, 0.9).is_err());
        assert!(gae(&ok, 0.9, -0.1).is_err());
    }

    #[test]
    fn n_step_targets_cut_at_episode_ends() {
        let rewards = [1.0, 2.0, 3.0, 4.0, 5.0];
        let terminated = [false, true, false, false, false];
        let ends = [false, true, false, false, false];
        let zeros = [0.0; 5];
        let seg = Segment {
            rewards: &rewards,
            values: &zeros,
            next_values: &zeros,
            terminated: &terminated,
            ends: &ends,
        };
        let t = n_step_targets(&seg, 3, 0.5).unwrap();
        // From 0: 1 + 0.5·2, terminated → no bootstrap.
        assert_eq!(
            t[0],
            NStep {
                ret: 2.0,
                discount: 0.0,
                steps: 2
            }
        );
        assert_eq!(
            t[1],
            NStep {
                ret: 2.0,
                discount: 0.0,
                steps: 1
            }
        );
        // From 2: 3 + 0.5·4 + 0.25·5, bootstrap with 0.5³.
        assert_eq!(
            t[2],
            NStep {
                ret: 6.25,
                discount: 0.125,
                steps: 3
            }
        );
        // Data runs out: 2 and 1 steps, still bootstrapped.
        assert_eq!(
            t[3],
            NStep {
                ret: 6.5,
                discount: 0.25,
                steps: 2
            }
        );
        assert_eq!(
            t[4],
            NStep {
                ret: 5.0,
                discount: 0.5,
                steps: 1
            }
        );
        assert!(n_step_targets(&seg, 0, 0.5).is_err());
    }
}
