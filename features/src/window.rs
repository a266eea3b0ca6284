//! Windows with exponential decay by half-life, in event time or clock time.
//!
//! A decayed sum over a stream `x_1, x_2, …` is `S_n = β_n · S_{n−1} + x_n` with
//! `β_n = 2^(−Δ_n / h)`: after one half-life `h` an observation counts half. In event
//! time `Δ_n = 1` (each pipeline update is one step); in clock time `Δ_n` is the time
//! between this update and the previous one, so a burst of events at one timestamp decays
//! nothing between them. The sum is `O(1)` per update and needs no buffer; its effective
//! length is `h / ln 2` steps (the sum of the weights `Σ_k 2^(−k/h) ≈ h / ln 2`).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use shortfall_core::Ts;

/// A window as written in the pipeline configuration: exactly one of `events` or
/// `seconds`, the half-life.
///
/// ```toml
/// windows = [{ events = 100 }, { seconds = 1.5 }]
/// ```
#[derive(Copy, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowSpec {
    /// Half-life in events (event time).
    pub events: Option<f64>,
    /// Half-life in seconds (clock time).
    pub seconds: Option<f64>,
}

impl WindowSpec {
    /// An event-time window spec.
    pub fn events(half_life: f64) -> Self {
        Self {
            events: Some(half_life),
            seconds: None,
        }
    }

    /// A clock-time window spec.
    pub fn seconds(half_life: f64) -> Self {
        Self {
            events: None,
            seconds: Some(half_life),
        }
    }

    /// Validates the spec into a [`Window`].
    ///
    /// # Errors
    /// A reason (for [`Error::InvalidFeature`]) when neither or both fields are given, or
    /// the half-life is not a finite positive number (a clock half-life must also be at
    /// least one nanosecond).
    pub fn build(self) -> std::result::Result<Window, String> {
        match (self.events, self.seconds) {
            (Some(h), None) if h.is_finite() && h > 0.0 => Ok(Window::Events { half_life: h }),
            (Some(h), None) => Err(format!(
                "window half-life in events must be finite and > 0, got {h}"
            )),
            (None, Some(s)) if s.is_finite() && s >= 1e-9 => Ok(Window::Clock {
                half_life_ns: s * 1e9,
            }),
            (None, Some(s)) => Err(format!(
                "window half-life in seconds must be finite and >= 1e-9, got {s}"
            )),
            (None, None) => Err("a window needs `events` or `seconds`".into()),
            (Some(_), Some(_)) => Err("a window takes `events` or `seconds`, not both".into()),
        }
    }
}

/// A validated window: exponential decay by half-life in event time or clock time.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Window {
    /// Half-life counted in pipeline updates.
    Events {
        /// Half-life in events (> 0).
        half_life: f64,
    },
    /// Half-life in nanoseconds of event time stamps.
    Clock {
        /// Half-life in nanoseconds (≥ 1).
        half_life_ns: f64,
    },
}

impl Window {
    /// An event-time window.
    ///
    /// # Errors
    /// [`Error::InvalidFeature`] (index 0, kind `"window"`) for a half-life that is not
    /// finite and positive.
    pub fn events(half_life: f64) -> Result<Self> {
        WindowSpec::events(half_life).build().map_err(window_error)
    }

    /// A clock-time window with a half-life in seconds.
    ///
    /// # Errors
    /// As [`Window::events`].
    pub fn seconds(half_life: f64) -> Result<Self> {
        WindowSpec::seconds(half_life).build().map_err(window_error)
    }

    /// The short label used in output names: `ev100` for 100 events, `1.5s` for 1.5 s.
    pub fn label(&self) -> String {
        match *self {
            Window::Events { half_life } => format!("ev{}", trim(half_life)),
            Window::Clock { half_life_ns } => format!("{}s", trim(half_life_ns / 1e9)),
        }
    }

    /// The spec this window was built from.
    pub fn spec(&self) -> WindowSpec {
        match *self {
            Window::Events { half_life } => WindowSpec::events(half_life),
            Window::Clock { half_life_ns } => WindowSpec::seconds(half_life_ns / 1e9),
        }
    }
}

fn window_error(reason: String) -> Error {
    Error::InvalidFeature {
        index: 0,
        kind: "window",
        reason,
    }
}

/// A number printed without a trailing `.0` (`100`, `1.5`).
pub(crate) fn trim(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// The per-update decay factor of a window.
///
/// Event windows have a constant factor `2^(−1/h)`; clock windows compute
/// `2^(−Δt/h)` from the time since the previous update (a timestamp earlier than the
/// previous one counts as no time elapsed). The last `Δt` and its factor are kept, so a
/// stream with regular spacing evaluates `2^x` once (the factor is a function of `Δt`
/// alone: the same bits either way).
#[derive(Copy, Clone, Debug)]
pub struct Decay {
    window: Window,
    /// `2^(−1/h)` for event windows; `−1/h` (per ns) for clock windows.
    coefficient: f64,
    last_ts: Option<Ts>,
    /// The last positive clock step (ns) and its factor; `(0, 1.0)` before any.
    last_step: (i64, f64),
}

impl PartialEq for Decay {
    /// Same window and last update time (the cached step is not state).
    fn eq(&self, other: &Self) -> bool {
        self.window == other.window && self.last_ts == other.last_ts
    }
}

impl Decay {
    /// The decay of `window`.
    pub fn new(window: Window) -> Self {
        let coefficient = match window {
            Window::Events { half_life } => (-1.0 / half_life).exp2(),
            Window::Clock { half_life_ns } => -1.0 / half_life_ns,
        };
        Self {
            window,
            coefficient,
            last_ts: None,
            last_step: (0, 1.0),
        }
    }

    /// The window.
    pub fn window(&self) -> Window {
        self.window
    }

    /// The factor for an update at `ts` (and records `ts` as the last update).
    #[inline]
    pub fn factor(&mut self, ts: Ts) -> f64 {
        match self.window {
            Window::Events { .. } => self.coefficient,
            Window::Clock { .. } => {
                let previous = self.last_ts.replace(ts);
                match previous {
                    Some(p) if ts.0 > p.0 => {
                        let step = ts.0 - p.0;
                        if step != self.last_step.0 {
                            self.last_step = (step, (step as f64 * self.coefficient).exp2());
                        }
                        self.last_step.1
                    }
                    _ => 1.0,
                }
            }
        }
    }

    /// Forgets the last update time.
    pub fn reset(&mut self) {
        self.last_ts = None;
    }
}

/// An exponentially decayed sum `S ← β·S + x` (see the [module documentation](self)).
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct DecayedSum {
    decay: Decay,
    value: f64,
}

impl DecayedSum {
    /// An empty sum over `window`.
    pub fn new(window: Window) -> Self {
        Self {
            decay: Decay::new(window),
            value: 0.0,
        }
    }

    /// Decays to `ts` and adds `x`; returns the new sum.
    #[inline]
    pub fn update(&mut self, ts: Ts, x: f64) -> f64 {
        let beta = self.decay.factor(ts);
        self.value = beta * self.value + x;
        self.value
    }

    /// The current sum.
    #[inline]
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The window.
    pub fn window(&self) -> Window {
        self.decay.window()
    }

    /// Back to empty.
    pub fn reset(&mut self) {
        self.decay.reset();
        self.value = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_window_halves_an_observation_after_one_half_life() {
        let mut s = DecayedSum::new(Window::events(2.0).unwrap());
        s.update(Ts(0), 8.0);
        s.update(Ts(0), 0.0);
        // after one step of a 2-event half-life: 8 / sqrt(2)
        assert!((s.value() - 8.0 / 2f64.sqrt()).abs() < 1e-12);
        s.update(Ts(0), 0.0);
        assert!((s.value() - 4.0).abs() < 1e-12);
    }

    #[test]
    fn a_clock_window_decays_by_elapsed_time_only() {
        let mut s = DecayedSum::new(Window::seconds(1.0).unwrap());
        s.update(Ts::from_secs(10), 1.0);
        s.update(Ts::from_secs(10), 1.0); // same instant: no decay
        assert_eq!(s.value(), 2.0);
        s.update(Ts::from_secs(12), 0.0); // two half-lives
        assert!((s.value() - 0.5).abs() < 1e-12);
        s.update(Ts::from_secs(11), 0.0); // time going backwards: no decay
        assert!((s.value() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn invalid_windows_are_rejected_with_the_reason() {
        for spec in [
            WindowSpec::default(),
            WindowSpec {
                events: Some(1.0),
                seconds: Some(1.0),
            },
            WindowSpec::events(0.0),
            WindowSpec::events(f64::NAN),
            WindowSpec::seconds(-1.0),
            WindowSpec::seconds(1e-12),
        ] {
            assert!(spec.build().is_err(), "{spec:?}");
        }
        assert_eq!(Window::events(100.0).unwrap().label(), "ev100");
        assert_eq!(Window::seconds(1.5).unwrap().label(), "1.5s");
    }
}
