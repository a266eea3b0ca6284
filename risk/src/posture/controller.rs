//! [`RiskController`]: the stress detector, the posture rules and the pre-trade gate in one
//! owner, so that a detection moves the gate on the same event.

use super::{Posture, PostureConfig, PostureInputs, Regime};
use crate::error::Result;
use crate::gate::{AuditLog, Deny, GateState, PreTradeGate, RingAuditLog};
use crate::stress::{MarketStressDetector, StressReading};
use shortfall_core::{BookView, MarketEvent, OrderRequest, OrderSink, Ts};

/// What happened on one market event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ControlStep {
    /// The stress detector's reading.
    pub reading: StressReading,
    /// The posture computed from it (and the latest volatility and regime).
    pub posture: Posture,
    /// The gate's state before the event.
    pub state_before: GateState,
    /// The gate's state after the event (differs from `state_before` when the controller
    /// moved it on this event).
    pub state_after: GateState,
}

impl ControlStep {
    /// True when the gate's state changed on this event.
    pub fn state_changed(&self) -> bool {
        self.state_before != self.state_after
    }
}

/// Owns a [`PreTradeGate`], a [`MarketStressDetector`] and the [`PostureConfig`] rules.
///
/// On every market event ([`RiskController::on_market_event`]) it scores the event, computes
/// the [`Posture`], and applies its trading state to the gate **before returning** — so an
/// order submitted after the event that raised the alarm already meets the stricter gate.
/// Escalation (Active → Reducing → Halted) is immediate; relaxation waits until the posture
/// has been less strict than the gate for `recovery_events` consecutive events, and never
/// goes below the operator's floor ([`RiskController::set_floor`]). An engaged kill switch
/// is left alone: the gate stays Halted until the operator resets it.
///
/// The controller is itself an [`OrderSink`] (it forwards to the gate), so a strategy can be
/// handed `&mut dyn OrderSink<Refusal = Deny>` pointing at it, with no path to the gate's
/// settings or to the venue.
///
/// ```
/// use shortfall_core::{Instrument, OrderSink, OrderRequest, Ts};
/// use shortfall_risk::gate::{GateConfig, GateState};
/// use shortfall_risk::posture::{PostureConfig, RiskController};
/// use shortfall_risk::stress::StressConfig;
///
/// struct Venue;
/// impl OrderSink for Venue {
///     type Refusal = std::convert::Infallible;
///     fn submit(&mut self, _: Ts, _: OrderRequest) -> Result<(), Self::Refusal> { Ok(()) }
/// }
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let gate = GateConfig::default().build(Instrument::new("X", 0.01, 1.0)?, Venue)?;
/// let mut risk = RiskController::new(gate, StressConfig::default().build()?, PostureConfig::default())?;
/// risk.set_volatility_ratio(Some(5.0))?; // σ five times normal
/// assert_eq!(risk.gate().state(), GateState::Halted);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct RiskController<S: OrderSink, A: AuditLog = RingAuditLog> {
    gate: PreTradeGate<S, A>,
    detector: MarketStressDetector,
    rules: PostureConfig,
    inputs: PostureInputs,
    posture: Posture,
    floor: GateState,
    /// Consecutive events whose posture was less strict than the gate's state.
    relax_streak: u64,
}

impl<S: OrderSink, A: AuditLog> RiskController<S, A> {
    /// A controller over `gate`, with `detector` and the posture `rules`. The gate's
    /// current state becomes the floor only if it is stricter than the initial posture
    /// (see [`RiskController::set_floor`]); the initial posture (no volatility information,
    /// normal regime, calm) is applied at once.
    ///
    /// # Errors
    /// [`crate::Error::InvalidSetting`] when `rules` do not validate.
    pub fn new(
        gate: PreTradeGate<S, A>,
        detector: MarketStressDetector,
        rules: PostureConfig,
    ) -> Result<Self> {
        rules.validate()?;
        let inputs = PostureInputs::default();
        let posture = rules.posture(&inputs);
        let floor = gate.state().max(posture.trading_state);
        let mut this = Self {
            gate,
            detector,
            rules,
            inputs,
            posture,
            floor,
            relax_streak: 0,
        };
        this.apply(Trigger::Start);
        Ok(this)
    }

    /// Scores `event` with the book as it stands **after** the event, recomputes the
    /// posture and moves the gate (module docs for the escalation and relaxation rules).
    ///
    /// # Errors
    /// As [`MarketStressDetector::on_event`] (an out-of-order timestamp); nothing changes
    /// then.
    pub fn on_market_event(
        &mut self,
        event: &MarketEvent,
        book: &impl BookView,
    ) -> Result<ControlStep> {
        let reading = self.detector.on_event(event, book)?;
        let state_before = self.gate.state();
        self.inputs.stress = reading.level;
        self.posture = self.rules.posture(&self.inputs);
        self.apply(Trigger::MarketEvent);
        Ok(ControlStep {
            reading,
            posture: self.posture,
            state_before,
            state_after: self.gate.state(),
        })
    }

    /// Sets σ_forecast/σ_normal (see [`super::vol_ratio`]; `None` for unknown) and applies
    /// the new posture at once (relaxation still waits for `recovery_events` market events).
    ///
    /// # Errors
    /// [`crate::Error::InvalidParameter`] for a negative or non-finite ratio.
    pub fn set_volatility_ratio(&mut self, ratio: Option<f64>) -> Result<Posture> {
        if let Some(r) = ratio
            && !(r.is_finite() && r >= 0.0)
        {
            return Err(crate::Error::InvalidParameter {
                name: "volatility ratio",
                value: r,
                allowed: "finite and >= 0",
            });
        }
        self.inputs.vol_ratio = ratio;
        self.posture = self.rules.posture(&self.inputs);
        self.apply(Trigger::Input);
        Ok(self.posture)
    }

    /// Sets the regime and applies the new posture at once.
    pub fn set_regime(&mut self, regime: Regime) -> Posture {
        self.inputs.regime = regime;
        self.posture = self.rules.posture(&self.inputs);
        self.apply(Trigger::Input);
        self.posture
    }

    /// The operator's floor: the gate is never relaxed below it. Raising it takes effect at
    /// once; lowering it lets the normal relaxation rule proceed.
    pub fn set_floor(&mut self, floor: GateState) {
        self.floor = floor;
        self.apply(Trigger::Input);
    }

    /// The operator's floor.
    pub fn floor(&self) -> GateState {
        self.floor
    }

    /// The current posture (what the execution layer should read).
    pub fn posture(&self) -> &Posture {
        &self.posture
    }

    /// The inputs the posture was computed from.
    pub fn inputs(&self) -> &PostureInputs {
        &self.inputs
    }

    /// The gate (read-only).
    pub fn gate(&self) -> &PreTradeGate<S, A> {
        &self.gate
    }

    /// The gate, mutably — for the environment's feedback (fills, marks, new days) and the
    /// operator. Not for strategies: hand them the controller as a `dyn OrderSink`.
    pub fn gate_mut(&mut self) -> &mut PreTradeGate<S, A> {
        &mut self.gate
    }

    /// The stress detector.
    pub fn detector(&self) -> &MarketStressDetector {
        &self.detector
    }

    /// Takes the controller apart.
    pub fn into_parts(self) -> (PreTradeGate<S, A>, MarketStressDetector) {
        (self.gate, self.detector)
    }

    /// Moves the gate towards the posture's state: up at once, down after the recovery
    /// streak of market events (at once at the start), never below the floor.
    fn apply(&mut self, trigger: Trigger) {
        if self.gate.kill_switch().is_some() {
            return;
        }
        let current = self.gate.state();
        let target = self.posture.trading_state.max(self.floor);
        let next = if target >= current {
            self.relax_streak = 0;
            target
        } else {
            if trigger == Trigger::MarketEvent {
                self.relax_streak += 1;
            }
            if trigger == Trigger::Start || self.relax_streak >= self.rules.recovery_events {
                self.relax_streak = 0;
                target
            } else {
                current
            }
        };
        if next != current {
            // Only fails with the kill switch engaged, which was checked above.
            let _ = self.gate.set_state(next);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trigger {
    Start,
    MarketEvent,
    Input,
}

impl<S: OrderSink, A: AuditLog> OrderSink for RiskController<S, A> {
    type Refusal = Deny;

    /// Forwards to the gate.
    ///
    /// # Errors
    /// The gate's [`Deny`].
    fn submit(&mut self, now: Ts, request: OrderRequest) -> std::result::Result<(), Deny> {
        self.gate.submit(now, request)
    }
}
