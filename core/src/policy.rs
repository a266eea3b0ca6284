//! [`Policy`]: anything that maps an observation to an action.

/// A decision rule: every execution strategy, learned or not.
///
/// # Design
/// One evaluation harness compares TWAP, Almgren–Chriss and a trained PPO agent only if they
/// all look the same from outside, so the trait is as small as a rule can be: observe, act.
/// Learning lives in a separate learner type that produces a `Policy`; evaluation always
/// uses this trait (greedy or deterministic for RL agents).
pub trait Policy {
    /// What the policy reads.
    type Obs: ?Sized;
    /// What the policy returns.
    type Action;

    /// A short name for reports (`"TWAP"`, `"PPO"`).
    fn name(&self) -> &str;

    /// Called at the start of every episode, before the first [`Policy::act`].
    fn reset(&mut self) {}

    /// The action for `obs`.
    fn act(&mut self, obs: &Self::Obs) -> Self::Action;
}

impl<P: Policy + ?Sized> Policy for Box<P> {
    type Obs = P::Obs;
    type Action = P::Action;

    fn name(&self) -> &str {
        (**self).name()
    }

    fn reset(&mut self) {
        (**self).reset();
    }

    fn act(&mut self, obs: &Self::Obs) -> Self::Action {
        (**self).act(obs)
    }
}
