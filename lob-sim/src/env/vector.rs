//! [`VecEnv`]: many copies of one environment, stepped in parallel.

use rayon::prelude::*;
use shortfall_core::{Env, Step};

/// The first observations and infos of a batch reset, in copy order.
pub type ResetBatch<E> = Vec<(<E as Env>::Obs, <E as Env>::Info)>;

/// One step of a batch, in copy order: `None` for copies whose episode had already ended.
pub type StepBatch<E> = Vec<Option<Step<<E as Env>::Obs, <E as Env>::Info>>>;

/// An error from one copy of a [`VecEnv`], with the copy's index.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyError<E> {
    /// Index of the copy that failed.
    pub copy: usize,
    /// Its error.
    pub error: E,
}

impl<E: std::fmt::Display> std::fmt::Display for CopyError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "environment copy {}: {}", self.copy, self.error)
    }
}

impl<E: std::error::Error + 'static> std::error::Error for CopyError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// `N` copies of an environment, each reset with its own seed and stepped in parallel with
/// rayon; observations come back as one batch (`Vec`, copy order).
///
/// Copies whose episode has ended are not stepped again until the next
/// [`VecEnv::reset`]: their slot in [`VecEnv::step`]'s result is `None` and their action is
/// ignored. Results are identical to stepping each copy alone in a loop (rayon only
/// changes which thread runs a copy, never what it computes).
///
/// Parallelism pays only when a batch has enough work: copies are handed to threads in
/// chunks of at least `min_chunk` (default 256), so small batches run on one thread.
#[derive(Debug)]
pub struct VecEnv<E> {
    envs: Vec<E>,
    done: Vec<bool>,
    min_chunk: usize,
}

impl<E> VecEnv<E>
where
    E: Env + Send,
    E::Obs: Send,
    E::Info: Send,
    E::Action: Sync,
    E::Error: Send,
{
    /// Wraps `envs` (at least one).
    ///
    /// # Errors
    /// [`crate::Error::EnvConfig`] when `envs` is empty.
    pub fn new(envs: Vec<E>) -> crate::Result<Self> {
        if envs.is_empty() {
            return Err(crate::Error::EnvConfig {
                field: "envs",
                reason: "a vectorised environment needs at least one copy".into(),
            });
        }
        let n = envs.len();
        Ok(VecEnv {
            envs,
            done: vec![true; n],
            min_chunk: 256,
        })
    }

    /// Sets the smallest number of copies one thread steps at a time (≥ 1).
    pub fn with_min_chunk(mut self, min_chunk: usize) -> Self {
        self.min_chunk = min_chunk.max(1);
        self
    }

    /// Number of copies.
    pub fn len(&self) -> usize {
        self.envs.len()
    }

    /// Never true (a `VecEnv` has at least one copy).
    pub fn is_empty(&self) -> bool {
        self.envs.is_empty()
    }

    /// The copies.
    pub fn envs(&self) -> &[E] {
        &self.envs
    }

    /// Whether each copy's episode has ended (all true before the first reset).
    pub fn done(&self) -> &[bool] {
        &self.done
    }

    /// True when every copy's episode has ended.
    pub fn all_done(&self) -> bool {
        self.done.iter().all(|d| *d)
    }

    /// Resets copy `i` with `seeds[i]`; returns the first observations and infos.
    ///
    /// # Errors
    /// [`BatchError::Count`] when the number of seeds differs from the number of copies;
    /// otherwise the first failing copy's error.
    pub fn reset(&mut self, seeds: &[u64]) -> Result<ResetBatch<E>, BatchError<E::Error>> {
        if seeds.len() != self.envs.len() {
            return Err(BatchError::Count {
                expected: self.envs.len(),
                got: seeds.len(),
            });
        }
        let results: Vec<_> = self
            .envs
            .par_iter_mut()
            .with_min_len(self.min_chunk)
            .zip(seeds.par_iter())
            .map(|(env, seed)| env.reset(*seed))
            .collect();
        let mut out = Vec::with_capacity(results.len());
        for (copy, r) in results.into_iter().enumerate() {
            match r {
                Ok(v) => out.push(v),
                Err(error) => return Err(BatchError::Copy(CopyError { copy, error })),
            }
        }
        self.done.iter_mut().for_each(|d| *d = false);
        Ok(out)
    }

    /// Steps every live copy `i` with `actions[i]`.
    ///
    /// # Errors
    /// [`BatchError::Count`] when the number of actions differs from the number of copies;
    /// otherwise the first failing copy's error (copies before and after it have stepped).
    pub fn step(&mut self, actions: &[E::Action]) -> Result<StepBatch<E>, BatchError<E::Error>> {
        if actions.len() != self.envs.len() {
            return Err(BatchError::Count {
                expected: self.envs.len(),
                got: actions.len(),
            });
        }
        let results: Vec<Option<Result<Step<_, _>, _>>> = self
            .envs
            .par_iter_mut()
            .with_min_len(self.min_chunk)
            .zip(self.done.par_iter_mut())
            .zip(actions.par_iter())
            .map(|((env, done), action)| {
                if *done {
                    return None;
                }
                let r = env.step(action);
                match &r {
                    Ok(s) => *done = s.done(),
                    Err(_) => *done = true,
                }
                Some(r)
            })
            .collect();
        let mut out = Vec::with_capacity(results.len());
        for (copy, r) in results.into_iter().enumerate() {
            match r {
                None => out.push(None),
                Some(Ok(s)) => out.push(Some(s)),
                Some(Err(error)) => return Err(BatchError::Copy(CopyError { copy, error })),
            }
        }
        Ok(out)
    }
}

/// Why a [`VecEnv`] reset or step failed.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchError<E> {
    /// The batch had the wrong number of seeds or actions.
    Count {
        /// Number of copies.
        expected: usize,
        /// Number given.
        got: usize,
    },
    /// One copy failed.
    Copy(CopyError<E>),
}

impl<E: std::fmt::Display> std::fmt::Display for BatchError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BatchError::Count { expected, got } => write!(
                f,
                "vectorised environment has {expected} copies, got {got} seeds or actions"
            ),
            BatchError::Copy(c) => c.fmt(f),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for BatchError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BatchError::Count { .. } => None,
            BatchError::Copy(c) => Some(&c.error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::{AcWorldConfig, AlmgrenChrissEnv};
    use shortfall_core::Qty;
    use shortfall_core::exec::almgren_chriss::AcParams;
    use shortfall_core::exec::{ExecAction, ExecState};

    fn env() -> AlmgrenChrissEnv {
        let mut p = AcParams::paper_example();
        p.steps = 20;
        AcWorldConfig::new(p).build().unwrap()
    }

    /// A state-dependent rule so different copies take different actions and some end
    /// early: sell 3 paces when the mid is up, hold when down.
    fn rule(s: &ExecState) -> ExecAction {
        if s.book.mid > s.arrival_price {
            ExecAction::Market {
                qty: Qty((3 * s.schedule_slice().0).min(s.remaining.0)),
            }
        } else {
            ExecAction::Hold
        }
    }

    #[test]
    fn vectorised_equals_sequential_for_the_same_seeds() {
        let seeds: Vec<u64> = (0..37).map(|i| 1000 + 17 * i).collect();
        // Sequential: one environment, one seed at a time.
        let mut sequential = Vec::new();
        let mut single = env();
        for &seed in &seeds {
            let (mut s, _) = single.reset(seed).unwrap();
            let mut trace = vec![(s.book.mid.to_bits(), 0u64, s.remaining)];
            loop {
                let st = single.step(&rule(&s)).unwrap();
                trace.push((
                    st.obs.book.mid.to_bits(),
                    st.reward.to_bits(),
                    st.obs.remaining,
                ));
                s = st.obs;
                if st.done() {
                    break;
                }
            }
            sequential.push(trace);
        }
        // Vectorised, with tiny chunks so several threads really share the batch.
        let mut v = VecEnv::new((0..seeds.len()).map(|_| env()).collect())
            .unwrap()
            .with_min_chunk(1);
        let first = v.reset(&seeds).unwrap();
        let mut states: Vec<ExecState> = first.iter().map(|(s, _)| *s).collect();
        let mut traces: Vec<Vec<(u64, u64, Qty)>> = states
            .iter()
            .map(|s| vec![(s.book.mid.to_bits(), 0u64, s.remaining)])
            .collect();
        let mut early = 0;
        while !v.all_done() {
            let actions: Vec<ExecAction> = states.iter().map(rule).collect();
            for (i, r) in v.step(&actions).unwrap().into_iter().enumerate() {
                if let Some(st) = r {
                    traces[i].push((
                        st.obs.book.mid.to_bits(),
                        st.reward.to_bits(),
                        st.obs.remaining,
                    ));
                    if st.done() && st.obs.step < 20 {
                        early += 1;
                    }
                    states[i] = st.obs;
                }
            }
        }
        assert_eq!(traces, sequential);
        assert!(early > 0, "the test should cover copies that finish early");
    }

    #[test]
    fn wrong_batch_sizes_and_copy_errors_are_reported() {
        let mut v = VecEnv::new(vec![env(), env()]).unwrap();
        assert!(matches!(
            v.reset(&[1]),
            Err(BatchError::Count {
                expected: 2,
                got: 1
            })
        ));
        v.reset(&[1, 2]).unwrap();
        let bad = [ExecAction::Hold, ExecAction::Market { qty: Qty(-1) }];
        match v.step(&bad) {
            Err(BatchError::Copy(c)) => assert_eq!(c.copy, 1),
            other => panic!("expected a copy error, got {other:?}"),
        }
        assert!(VecEnv::<AlmgrenChrissEnv>::new(vec![]).is_err());
    }
}
