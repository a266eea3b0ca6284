//! The pre-trade risk gate: an [`OrderSink`] that checks every request against the firm's
//! limits before it can reach the venue.
//!
//! A strategy — a TWAP baseline or a learned policy — is handed the gate, never the venue.
//! [`PreTradeGate`] owns the sink it protects and forwards a request only when every check
//! passes; otherwise it returns a typed [`Deny`] carrying the numbers that decided it. The
//! controls follow the market-access rule of the SEC, **Rule 15c3-5** (17 CFR 240.15c3-5):
//! paragraph (c)(1)(i), orders that exceed pre-set credit or capital thresholds — here the
//! position limits, the order notional and the daily loss limit with its kill switch;
//! paragraph (c)(1)(ii), erroneous orders that exceed price or size parameters "on an
//! order-by-order basis or over a short period of time, or that indicate duplicative
//! orders" — the maximum order quantity, the price collar against a reference price, the
//! order and cancel throttles and the duplicate-id check; and paragraph (d), controls
//! under the broker's direct and exclusive control — the gate cannot be bypassed by
//! strategy code (see [Un-bypassable](#un-bypassable)), and every decision is written to
//! an [`AuditLog`] for the regular review of paragraph (e). Trading states and the
//! self-trade check mirror what NautilusTrader's `RiskEngine` offers.
//!
//! ```
//! use shortfall_core::{Instrument, NewOrder, OrderId, OrderRequest, OrderSink, Price, Qty,
//!     Side, TimeInForce, TraderId, Ts};
//! use shortfall_risk::gate::{Deny, GateConfig};
//!
//! /// The venue: here a sink that accepts everything.
//! struct Venue;
//! impl OrderSink for Venue {
//!     type Refusal = std::convert::Infallible;
//!     fn submit(&mut self, _now: Ts, _request: OrderRequest) -> Result<(), Self::Refusal> {
//!         Ok(())
//!     }
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config = GateConfig::from_toml_str(r#"
//!     max_order_qty = 100          # lots
//!     max_order_notional = 50000.0 # USD
//!     collar_bps = 200             # 2 % from the reference price
//! "#)?;
//! let aapl = Instrument::new("AAPL", 0.01, 1.0)?;
//! let mut gate = config.build(aapl, Venue)?;
//! gate.on_reference_price(Price(58_000)); // 580.00
//!
//! let buy = |id, price, qty| OrderRequest::New(NewOrder::limit(
//!     OrderId(id), TraderId(7), Side::Buy, Price(price), Qty(qty), TimeInForce::Gtc));
//!
//! assert_eq!(gate.submit(Ts(1), buy(1, 58_010, 50)), Ok(()));
//! // A fat finger: 5 800.00 instead of 580.00.
//! assert!(matches!(
//!     gate.submit(Ts(2), buy(2, 580_000, 50)),
//!     Err(Deny::PriceCollar { reference: Price(58_000), .. })
//! ));
//! assert_eq!(gate.submit(Ts(3), buy(3, 58_000, 101)),
//!     Err(Deny::MaxOrderQty { limit: Qty(100), qty: Qty(101) }));
//! assert_eq!(gate.counters().forwarded(), 1);
//! assert_eq!(gate.counters().total_denied(), 2);
//! # Ok(()) }
//! ```
//!
//! # The checks
//! In order, the first failure decides: trading state and kill switch; duplicate or
//! unknown order id; open-order count; quantity (positive, at most `max_order_qty`); price
//! collar and reference price; notional; reduce-only; position limits (worst case: the
//! position plus every open order on the order's side plus this one); self-trade; and
//! last the order-rate or cancel-rate token bucket, so a denied request never spends a
//! token. Cancels are only checked for a known id and the cancel rate: they pass in every
//! trading state.
//!
//! # Feedback
//! The environment (not the strategy) feeds the gate what happens at the venue:
//! [`PreTradeGate::on_exec_report`] for fills (position, average cost, realised P&L, open
//! quantity) and for cancels, expiries and rejects (which release open quantity);
//! [`PreTradeGate::on_mark`] for the mark price (unrealised P&L; also the reference price);
//! [`PreTradeGate::on_reference_price`] for the collar alone; [`PreTradeGate::new_day`] at
//! the start of each trading day.
//!
//! # Un-bypassable
//! The sink behind the gate is a private field, and no method hands out `&S` or `&mut S`.
//! The only way back to it is [`PreTradeGate::into_inner`], which takes the gate *by value*:
//! that is the operator's tool, for the code that built and owns the gate. A strategy is
//! given `&mut dyn OrderSink<Refusal = Deny>` (or a generic `&mut impl OrderSink`), and
//! through that it can call `submit` and nothing else:
//!
//! ```compile_fail,E0599
//! use shortfall_core::{OrderSink, OrderRequest, Ts};
//! use shortfall_risk::gate::Deny;
//! fn strategy(sink: &mut dyn OrderSink<Refusal = Deny>) {
//!     // error[E0599]: no method named `into_inner` found for `&mut dyn OrderSink`
//!     let _venue = sink.into_inner();
//! }
//! ```
//!
//! Even code that knows the concrete type cannot reach into the gate:
//!
//! ```compile_fail,E0616
//! use shortfall_risk::gate::PreTradeGate;
//! use shortfall_core::OrderSink;
//! fn strategy<S: OrderSink>(gate: &mut PreTradeGate<S>) -> &mut S {
//!     // error[E0616]: field `inner` of struct `PreTradeGate` is private
//!     &mut gate.inner
//! }
//! ```
//!
//! `dyn OrderSink` is not `Any`, so it cannot be downcast either. One caveat: code holding
//! a *concrete* `&mut PreTradeGate<S>` could `std::mem::replace` the gate with another one
//! it built itself and then call `into_inner` on the original. Hand strategies the trait
//! object (or make them generic over `OrderSink`), never the concrete type.

mod audit;
mod checks;
mod config;
mod deny;
mod ledger;
mod orders;
mod throttle;

pub use audit::{AuditLog, AuditRecord, NoAuditLog, Outcome, RingAuditLog};
pub use config::{GateConfig, ThrottleConfig};
pub use deny::{Deny, DenyKind, GateCounters};

use crate::error::{Error, Result};
use config::Limits;
use ledger::Ledger;
use orders::{IdBuild, OpenOrders};
use shortfall_core::{
    ExecReport, Instrument, OrderId, OrderRequest, OrderSink, Price, Qty, Side, Ts,
};
use std::collections::HashSet;
use std::fmt;
use throttle::TokenBucket;

/// What the gate lets through. Ordered from the most to the least permissive
/// (`Active < Reducing < Halted`); spelled `"active"`, `"reducing"`, `"halted"` in TOML.
#[derive(
    Copy,
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum GateState {
    /// Every check applies; orders that pass are forwarded.
    #[default]
    Active,
    /// Only orders that reduce the position in the worst case pass (and modifies that do not
    /// increase an order's size); cancels pass.
    Reducing,
    /// Only cancels pass.
    Halted,
}

impl GateState {
    /// The state's name.
    pub fn as_str(self) -> &'static str {
        match self {
            GateState::Active => "active",
            GateState::Reducing => "reducing",
            GateState::Halted => "halted",
        }
    }
}

/// The daily P&L and the limit when the kill switch tripped.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct KillSwitchTrip {
    /// Daily realised + unrealised P&L at the trip (quote currency).
    pub daily_pnl: f64,
    /// The daily loss limit (quote currency, positive).
    pub limit: f64,
}

/// The pre-trade risk gate: an [`OrderSink`] that owns the sink it protects and forwards
/// only the requests that pass every check. See the [module documentation](self).
///
/// Built from a [`GateConfig`] with [`GateConfig::build`] (in-memory [`RingAuditLog`]) or
/// [`GateConfig::build_with_audit`].
pub struct PreTradeGate<S: OrderSink, A: AuditLog = RingAuditLog> {
    /// The protected sink. Private, and never lent out: see the module docs.
    inner: S,
    audit: A,
    config: GateConfig,
    limits: Limits,
    instrument: Instrument,
    /// Quote currency per tick-lot.
    tick_lot: f64,
    state: GateState,
    kill_switch: Option<KillSwitchTrip>,
    reference: Option<Price>,
    ledger: Ledger,
    open: OpenOrders,
    /// Ids forwarded this session (this trading day, plus orders still open from before).
    seen: HashSet<OrderId, IdBuild>,
    order_rate: TokenBucket,
    cancel_rate: TokenBucket,
    counters: GateCounters,
}

impl<S: OrderSink, A: AuditLog> fmt::Debug for PreTradeGate<S, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreTradeGate")
            .field("instrument", &self.instrument.symbol())
            .field("state", &self.state)
            .field("kill_switch", &self.kill_switch)
            .field("position", &self.ledger.position())
            .field("open_orders", &self.open.len())
            .field("counters", &self.counters)
            .finish_non_exhaustive()
    }
}

impl<S: OrderSink, A: AuditLog> PreTradeGate<S, A> {
    pub(crate) fn from_parts(
        config: GateConfig,
        limits: Limits,
        instrument: Instrument,
        inner: S,
        audit: A,
    ) -> Self {
        let tick_lot = instrument.tick_size() * instrument.lot_size();
        Self {
            inner,
            audit,
            open: OpenOrders::with_capacity(limits.max_open_orders),
            seen: HashSet::with_capacity_and_hasher(
                config.expected_orders_per_day,
                IdBuild::default(),
            ),
            order_rate: TokenBucket::new(
                config.order_rate.capacity,
                config.order_rate.refill_per_sec,
            ),
            cancel_rate: TokenBucket::new(
                config.cancel_rate.capacity,
                config.cancel_rate.refill_per_sec,
            ),
            config,
            limits,
            instrument,
            tick_lot,
            state: GateState::Active,
            kill_switch: None,
            reference: None,
            ledger: Ledger::default(),
            counters: GateCounters::default(),
        }
    }

    // ----- feedback from the environment -------------------------------------------------

    /// Applies a venue report: a fill moves the position, the average cost and the realised
    /// P&L, and sets the order's open quantity to the fill's `leaves_qty`; a cancel, expiry
    /// or reject of a new order releases its open quantity; an acceptance confirms a new
    /// order or a pending modify. Fills of orders the gate does not know still move the
    /// position (it is the account's exposure either way). A fill may trip the kill switch.
    pub fn on_exec_report(&mut self, report: &ExecReport) {
        match *report {
            ExecReport::Accepted { id, .. } => self.open.accepted(id),
            ExecReport::Rejected { id, .. } => self.open.rejected(id),
            ExecReport::Fill(fill) => {
                self.ledger.apply_fill(fill.side, fill.price, fill.qty);
                self.open.filled(fill.id, fill.leaves_qty);
                self.check_loss_limit();
            }
            ExecReport::Cancelled { id, .. } | ExecReport::Expired { id, .. } => {
                self.open.finished(id);
            }
        }
    }

    /// A new mark price: values the position (unrealised P&L) and becomes the reference
    /// price of the collar. May trip the kill switch.
    pub fn on_mark(&mut self, price: Price) {
        self.ledger.set_mark(price);
        self.reference = Some(price);
        self.check_loss_limit();
    }

    /// A new reference price for the collar and for valuing market orders (e.g. the last
    /// trade or the mid), without changing the mark.
    pub fn on_reference_price(&mut self, price: Price) {
        self.reference = Some(price);
    }

    /// Starts a new trading day: the daily P&L restarts from zero, the throttles are full
    /// again, and ids of finished orders may be used again. Positions, open orders, the
    /// trading state and an engaged kill switch are kept.
    pub fn new_day(&mut self) {
        self.ledger.new_day();
        self.order_rate.fill();
        self.cancel_rate.fill();
        self.seen.clear();
        self.seen.extend(self.open.ids());
    }

    fn check_loss_limit(&mut self) {
        if self.kill_switch.is_some() {
            return;
        }
        let daily = self.ledger.daily();
        if daily < -self.limits.max_daily_loss {
            self.kill_switch = Some(KillSwitchTrip {
                daily_pnl: self.money(daily),
                limit: self.config.max_daily_loss,
            });
            self.state = GateState::Halted;
        }
    }

    fn money(&self, tick_lots: i128) -> f64 {
        tick_lots as f64 * self.tick_lot
    }

    // ----- operator controls --------------------------------------------------------------

    /// Sets the trading state.
    ///
    /// # Errors
    /// [`Error::KillSwitchEngaged`] when the kill switch has tripped: it is sticky, and only
    /// [`PreTradeGate::reset_kill_switch`] lifts it.
    pub fn set_state(&mut self, state: GateState) -> Result<()> {
        if self.kill_switch.is_some() {
            return Err(Error::KillSwitchEngaged {
                requested: state.as_str(),
            });
        }
        self.state = state;
        Ok(())
    }

    /// Lifts an engaged kill switch and sets the gate [`GateState::Active`]; returns the
    /// trip it cleared (`None`, changing nothing, when the switch was not engaged). The loss
    /// limit is checked again on the next fill or mark, so a loss still beyond the limit
    /// trips the switch again (start a [`PreTradeGate::new_day`] first).
    pub fn reset_kill_switch(&mut self) -> Option<KillSwitchTrip> {
        let trip = self.kill_switch.take();
        if trip.is_some() {
            self.state = GateState::Active;
        }
        trip
    }

    /// Gives back the protected sink, consuming the gate. For the operator that owns the
    /// gate (to shut down or reconfigure); strategies hold only `&mut dyn OrderSink` or
    /// `&mut impl OrderSink` and cannot call it.
    pub fn into_inner(self) -> S {
        self.inner
    }

    // ----- read-only state ----------------------------------------------------------------

    /// The current trading state.
    pub fn state(&self) -> GateState {
        self.state
    }

    /// The kill-switch trip, while engaged.
    pub fn kill_switch(&self) -> Option<KillSwitchTrip> {
        self.kill_switch
    }

    /// The position in lots (positive long), from fills.
    pub fn position(&self) -> Qty {
        Qty(self.ledger.position())
    }

    /// Worst-case open quantity on `side` (a pending modify counts its larger size).
    pub fn open_qty(&self, side: Side) -> Qty {
        Qty(self.open.open_qty(side))
    }

    /// Number of open orders.
    pub fn open_orders(&self) -> usize {
        self.open.len()
    }

    /// Realised P&L since the gate was built (quote currency).
    pub fn realised_pnl(&self) -> f64 {
        self.money(self.ledger.realised())
    }

    /// Unrealised P&L at the mark (quote currency; zero before the first mark).
    pub fn unrealised_pnl(&self) -> f64 {
        self.money(self.ledger.unrealised())
    }

    /// Realised plus unrealised P&L since the start of the day (quote currency).
    pub fn daily_pnl(&self) -> f64 {
        self.money(self.ledger.daily())
    }

    /// The reference price of the collar, once known.
    pub fn reference_price(&self) -> Option<Price> {
        self.reference
    }

    /// The mark price, once known.
    pub fn mark_price(&self) -> Option<Price> {
        self.ledger.mark()
    }

    /// Forwarded and denied counts.
    pub fn counters(&self) -> &GateCounters {
        &self.counters
    }

    /// The audit log.
    pub fn audit(&self) -> &A {
        &self.audit
    }

    /// The audit log, mutably (to drain or clear it).
    pub fn audit_mut(&mut self) -> &mut A {
        &mut self.audit
    }

    /// The configuration the gate was built from.
    pub fn config(&self) -> &GateConfig {
        &self.config
    }

    /// The instrument the gate trades.
    pub fn instrument(&self) -> &Instrument {
        &self.instrument
    }

    // ----- the hot path -------------------------------------------------------------------

    #[inline]
    fn check(&mut self, now: Ts, request: &OrderRequest) -> Result<(), Deny> {
        match *request {
            OrderRequest::New(ref order) => self.check_new(now, order),
            OrderRequest::Modify { id, price, qty, .. } => self.check_modify(now, id, price, qty),
            OrderRequest::Cancel { id, .. } => self.check_cancel(now, id),
        }
    }

    /// Records a forwarded request in the open-order book.
    #[inline]
    fn commit(&mut self, request: &OrderRequest) {
        match *request {
            OrderRequest::New(order) => {
                self.seen.insert(order.id);
                self.open
                    .open(order.id, order.side, order.limit_price(), order.qty);
            }
            OrderRequest::Modify { id, price, qty, .. } => self.open.modify(id, price, qty),
            // The order stays open (worst case) until the venue reports it cancelled.
            OrderRequest::Cancel { .. } => {}
        }
    }

    #[cold]
    fn deny(&mut self, now: Ts, request: &OrderRequest, deny: Deny) -> Result<(), Deny> {
        self.counters.count_denied(deny.kind());
        let outcome = Outcome::Denied(deny);
        self.audit.record(now, request, &outcome);
        match outcome {
            Outcome::Denied(deny) => Err(deny),
            Outcome::Forwarded => Ok(()),
        }
    }
}

impl<S: OrderSink, A: AuditLog> OrderSink for PreTradeGate<S, A> {
    type Refusal = Deny;

    /// Runs the checks and forwards `request` to the protected sink, or denies it.
    ///
    /// # Errors
    /// The first [`Deny`] of the checks, or [`Deny::Venue`] when the protected sink itself
    /// refused. Every outcome is counted and audited.
    fn submit(&mut self, now: Ts, request: OrderRequest) -> Result<(), Deny> {
        if let Err(deny) = self.check(now, &request) {
            return self.deny(now, &request, deny);
        }
        if let Err(refusal) = self.inner.submit(now, request) {
            return self.deny(now, &request, Deny::Venue(format!("{refusal:?}")));
        }
        self.commit(&request);
        self.counters.count_forwarded();
        self.audit.record(now, &request, &Outcome::Forwarded);
        Ok(())
    }
}
