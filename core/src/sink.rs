//! [`OrderSink`]: where a strategy's orders go.

use crate::order::OrderRequest;
use crate::units::Ts;

/// A destination for order requests: a venue, a simulated exchange, or a wrapper around one
/// (the pre-trade risk gate).
///
/// # Design
/// Strategies are handed an `OrderSink` and nothing else, so what sits behind it decides
/// what they can reach: the risk gate implements `OrderSink` by wrapping (and owning) the
/// sink it protects, so a strategy given a gated sink has no path around the gate.
/// `submit` returning `Ok` means the request was passed on, not that the venue accepted it:
/// acceptance, fills and cancels arrive later as [`crate::ExecReport`]s through whatever
/// feeds the strategy. A refusal before the venue is data ([`OrderSink::Refusal`]), not
/// an error: a denied order is an ordinary outcome to be counted and logged.
pub trait OrderSink {
    /// Why a request may be refused before it reaches the venue
    /// ([`std::convert::Infallible`] for sinks that always forward).
    type Refusal: std::fmt::Debug;

    /// Passes `request` on at time `now`.
    ///
    /// # Errors
    /// The refusal, when the sink will not pass the request on.
    fn submit(&mut self, now: Ts, request: OrderRequest) -> Result<(), Self::Refusal>;
}

impl<S: OrderSink + ?Sized> OrderSink for &mut S {
    type Refusal = S::Refusal;

    fn submit(&mut self, now: Ts, request: OrderRequest) -> Result<(), Self::Refusal> {
        (**self).submit(now, request)
    }
}

impl<S: OrderSink + ?Sized> OrderSink for Box<S> {
    type Refusal = S::Refusal;

    fn submit(&mut self, now: Ts, request: OrderRequest) -> Result<(), Self::Refusal> {
        (**self).submit(now, request)
    }
}
