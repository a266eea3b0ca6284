//! The conformance check every execution [`Policy`] must pass, in any execution
//! environment: baselines today, RL agents later.
//!
//! [`check_policy`] runs a policy on each given seed and fails with
//! [`Error::Contract`] naming the policy, the seed and what went wrong unless:
//! 1. every action is valid for the state it answers (never more than the remaining
//!    inventory, never a negative quantity);
//! 2. the episode ends within the parent's horizon (at most `steps` decisions);
//! 3. the parent is completed exactly: the environment reports fills equal to the parent
//!    quantity, and nothing remains;
//! 4. running the same seed again (after [`Policy::reset`]) gives the same actions and the
//!    same fills — the policy is deterministic given the seed.

use shortfall_core::exec::{ExecAction, ExecInfo, ExecState};
use shortfall_core::{Env, Policy};
use std::borrow::Borrow;

use crate::error::{Error, Result};

/// What [`check_policy`] saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conformance {
    /// Episodes checked (each run twice).
    pub episodes: usize,
    /// The most decisions any episode took.
    pub max_decisions: u32,
}

/// One run: the actions and the final report.
fn run<E, P>(
    env: &mut E,
    policy: &mut P,
    seed: u64,
) -> Result<(Vec<ExecAction>, ExecInfo, ExecState)>
where
    E: Env<Obs = ExecState, Action = ExecAction> + ?Sized,
    E::Info: Borrow<ExecInfo>,
    P: Policy<Obs = ExecState, Action = ExecAction> + ?Sized,
{
    let name = policy.name().to_owned();
    let fail = |reason: String| Error::Contract {
        policy: name.clone(),
        seed,
        reason,
    };
    let env_fail = |e: E::Error| Error::Env {
        policy: name.clone(),
        seed,
        reason: e.to_string(),
    };
    let (mut state, first) = env.reset(seed).map_err(env_fail)?;
    let mut info: ExecInfo = *first.borrow();
    debug_assert_eq!(info.filled.0, 0, "a fresh episode has no fills");
    policy.reset();
    let steps = state.total_steps();
    let mut actions = Vec::with_capacity(steps as usize);
    loop {
        if actions.len() as u32 >= steps {
            return Err(fail(format!(
                "the episode is still running after the horizon of {steps} decisions"
            )));
        }
        let action = policy.act(&state);
        action.validate(&state).map_err(|e| fail(e.to_string()))?;
        actions.push(action);
        let step = env.step(&action).map_err(env_fail)?;
        info = *step.info.borrow();
        state = step.obs;
        if step.done() {
            break;
        }
    }
    Ok((actions, info, state))
}

/// Checks `policy` in `env` on every seed (see the module docs).
///
/// # Errors
/// [`Error::Contract`] or [`Error::Env`] for the first violation, naming policy and seed;
/// [`Error::Invalid`] when `seeds` is empty.
pub fn check_policy<E, P>(env: &mut E, policy: &mut P, seeds: &[u64]) -> Result<Conformance>
where
    E: Env<Obs = ExecState, Action = ExecAction> + ?Sized,
    E::Info: Borrow<ExecInfo>,
    P: Policy<Obs = ExecState, Action = ExecAction> + ?Sized,
{
    if seeds.is_empty() {
        return Err(Error::Invalid {
            what: "conformance check",
            reason: "no seeds".into(),
        });
    }
    let mut max_decisions = 0;
    let name = policy.name().to_owned();
    for &seed in seeds {
        let (actions, info, state) = run(env, policy, seed)?;
        let fail = |reason: String| Error::Contract {
            policy: name.clone(),
            seed,
            reason,
        };
        let quantity = state.parent.quantity();
        if info.filled != quantity || state.remaining.0 != 0 {
            return Err(fail(format!(
                "filled {} of {quantity} with {} remaining: the parent was not completed exactly",
                info.filled, state.remaining
            )));
        }
        let (again, info_again, _) = run(env, policy, seed)?;
        if again != actions || info_again != info {
            return Err(fail(
                "a second run on the same seed gave different actions or fills".into(),
            ));
        }
        max_decisions = max_decisions.max(actions.len() as u32);
    }
    Ok(Conformance {
        episodes: seeds.len(),
        max_decisions,
    })
}
