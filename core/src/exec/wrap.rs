//! Wrappers that give any execution environment a discrete or continuous action space.

use super::action::{ContinuousAction, DiscreteActionSet, ExecAction};
use super::state::ExecState;
use crate::env::{Env, Space, Step};
use crate::error::Error;

fn before_reset(what: &'static str) -> Error {
    Error::Invalid {
        what,
        reason: "step called before reset".into(),
    }
}

/// An execution environment seen through a [`DiscreteActionSet`]: actions are indices.
#[derive(Debug, Clone)]
pub struct DiscreteExecEnv<E> {
    inner: E,
    set: DiscreteActionSet,
    space: Space,
    last: Option<ExecState>,
}

impl<E> DiscreteExecEnv<E> {
    /// Wraps `inner` with the action menu `set`.
    pub fn new(inner: E, set: DiscreteActionSet) -> Self {
        let space = set.space();
        DiscreteExecEnv {
            inner,
            set,
            space,
            last: None,
        }
    }

    /// The wrapped environment.
    pub fn inner(&self) -> &E {
        &self.inner
    }

    /// The action menu.
    pub fn actions(&self) -> &DiscreteActionSet {
        &self.set
    }
}

impl<E> Env for DiscreteExecEnv<E>
where
    E: Env<Obs = ExecState, Action = ExecAction>,
    E::Error: From<Error>,
{
    type Obs = ExecState;
    type Action = usize;
    type Info = E::Info;
    type Error = E::Error;

    fn observation_space(&self) -> &Space {
        self.inner.observation_space()
    }

    fn action_space(&self) -> &Space {
        &self.space
    }

    fn reset(&mut self, seed: u64) -> Result<(ExecState, E::Info), E::Error> {
        let (obs, info) = self.inner.reset(seed)?;
        self.last = Some(obs);
        Ok((obs, info))
    }

    fn step(&mut self, action: &usize) -> Result<Step<ExecState, E::Info>, E::Error> {
        let state = self
            .last
            .ok_or_else(|| before_reset("discrete execution env"))?;
        let child = self.set.decode(*action, &state)?;
        let step = self.inner.step(&child)?;
        self.last = Some(step.obs);
        Ok(step)
    }
}

/// An execution environment with the continuous action `[participation, offset]`
/// ([`ContinuousAction`]).
#[derive(Debug, Clone)]
pub struct ContinuousExecEnv<E> {
    inner: E,
    space: Space,
    last: Option<ExecState>,
}

impl<E> ContinuousExecEnv<E> {
    /// Wraps `inner`.
    pub fn new(inner: E) -> Self {
        ContinuousExecEnv {
            inner,
            space: ContinuousAction::space(),
            last: None,
        }
    }

    /// The wrapped environment.
    pub fn inner(&self) -> &E {
        &self.inner
    }
}

impl<E> Env for ContinuousExecEnv<E>
where
    E: Env<Obs = ExecState, Action = ExecAction>,
    E::Error: From<Error>,
{
    type Obs = ExecState;
    type Action = [f64; 2];
    type Info = E::Info;
    type Error = E::Error;

    fn observation_space(&self) -> &Space {
        self.inner.observation_space()
    }

    fn action_space(&self) -> &Space {
        &self.space
    }

    fn reset(&mut self, seed: u64) -> Result<(ExecState, E::Info), E::Error> {
        let (obs, info) = self.inner.reset(seed)?;
        self.last = Some(obs);
        Ok((obs, info))
    }

    fn step(&mut self, action: &[f64; 2]) -> Result<Step<ExecState, E::Info>, E::Error> {
        let state = self
            .last
            .ok_or_else(|| before_reset("continuous execution env"))?;
        let child = ContinuousAction::from_slice(action)?.to_exec(&state)?;
        let step = self.inner.step(&child)?;
        self.last = Some(step.obs);
        Ok(step)
    }
}
