//! Replay with an agent: a strategy's orders meet a replayed historical book.
//!
//! The historical stream is replayed unchanged and the agent's orders are overlaid on it:
//! they never enter the historical book, and the historical book is bit for bit the one a
//! plain replay builds. What the overlay decides is when the agent's orders would have
//! traded had they been there.
//!
//! - [`LobsterAgentReplay`]: LOBSTER (order-by-order) data, **exact queue position**.
//! - [`BinanceAgentReplay`]: Binance diff-depth and trade data (price levels),
//!   **probabilistic queue position** under a [`QueueModel`] ([`RiskAverse`],
//!   [`PowerLaw`], [`LogProb`]).
//!
//! Both implement [`OrderSink`](shortfall_core::OrderSink) (so a strategy, or the risk gate
//! wrapping one, drives them) and answer with core [`ExecReport`](shortfall_core::ExecReport)s,
//! collected until [`LobsterAgentReplay::drain_reports`] / [`BinanceAgentReplay::drain_reports`].
//!
//! # Timing
//! A request submitted at `t` arrives at `t + entry_latency_ns`
//! ([`AgentReplayConfig`]), and never before the last historical event already processed.
//! It reaches the book after every historical event stamped at or before its arrival
//! time and before the first one stamped later (history wins ties). Reports carry the
//! arrival time. [`LobsterAgentReplay::finish`] lets requests still in flight arrive at the
//! end of the data.
//!
//! # Requests (both modes)
//! - **Validation**, in the L3 book's order: quantity (`InvalidQty`), limit price
//!   (`InvalidPrice`), id already live among the agent's orders (`DuplicateOrderId`);
//!   cancel/modify of an unknown id (`UnknownOrder`) or another owner's (`NotOwner`). Before
//!   the historical book exists (LOBSTER: before the first row; Binance: before the first
//!   snapshot or after a gap until the next) and during a halt, new orders and modifies
//!   are rejected with `Halted`; in LOBSTER's *quoting* state, orders that would trade are.
//! - **Marketable orders** (market, IOC, FOK, a limit that crosses) take the displayed
//!   historical liquidity on the other side at the book's prices when they arrive, best
//!   price first (and, in LOBSTER mode, oldest order first within a price). Market and IOC
//!   remainders `Expired`; a GTC remainder rests. A market order meeting no liquidity is
//!   `Rejected { NoLiquidity }`; a FOK that cannot fill in full is
//!   `Rejected { FokNotFillable }` and changes nothing; a post-only order that would cross
//!   (historical liquidity or the agent's own opposite order) is
//!   `Rejected { PostOnlyWouldCross }`.
//! - **Consumed liquidity.** What the agent takes is still in the historical book (history
//!   is unchanged), so it is kept as a *consumed* deduction and the agent cannot take the
//!   same liquidity twice. LOBSTER mode records it per historical order; as history later
//!   cancels or executes that order, the deduction is capped at what the order has left
//!   (history's reductions first come out of what the agent left, as they would have) and
//!   it is cleared when the order leaves the book. Binance mode records it per price level
//!   and caps it at the level's quantity after every depth update, clearing it when the
//!   level empties; as level data cannot say which orders left, the deduction otherwise
//!   stays.
//! - **Self-trade prevention**, *cancel resting*: an agent order that may trade cancels
//!   the agent's own resting orders on the other side that its limit crosses
//!   (`Cancelled { SelfTradePrevention }`).
//! - **Modify**: a size reduction at the same price keeps the queue position; a price
//!   change or a size increase loses it (the order re-enters at the back, and trades if
//!   the new price crosses, except that a post-only order that would cross is rejected and
//!   stays as it was). A modify that changes nothing is `Rejected { NoChange }`.
//!
//! # Passive fills: aggressive flow meets the agent first where it would have
//! A historical execution (LOBSTER types 4 and 5) or trade (Binance) of `x` lots on side
//! `s` at price `p` is aggressive flow that reached `p`. It meets the agent's resting
//! orders on `s` at `p` or better in price-time priority: an agent order gets what is left
//! of the flow beyond the quantity before it (historical quantity ahead, plus the leaves of
//! the agent's earlier orders at its price), at most its leaves, at its own limit price
//! (maker). Flow taken at a better price is no longer there for worse ones. So:
//! - an order that **improves the best price** has nothing ahead: the next execution on
//!   its side hits it first;
//! - an execution at the agent's price whose size **exceeds the quantity ahead** fills the
//!   agent with the overflow, up to its leaves.
//!
//! # Queue position, LOBSTER (exact)
//! A resting agent order joins the back of its price level: the orders resting there when
//! it joins are ahead of it for as long as they stay, and orders that arrive later are
//! behind it. The quantity ahead is their remaining quantity (less what the agent took
//! from them), so it shrinks exactly when an order ahead is partly cancelled, deleted or
//! executed, and never for one behind. Pre-existing quantity the [`LobsterReplay`](super::LobsterReplay)
//! seeds or learns from LOBSTER's book file (levels it had not seen, see its docs) is
//! counted as ahead even when it is learned after the agent joined: it was resting before
//! it came into view, so this is the conservative choice (it matters only for levels
//! outside the file's N levels when the agent joined).
//!
//! # Queue position, Binance (probabilistic)
//! The agent's order starts with the level's displayed quantity ahead of it (less what the
//! agent took there). Trades at its price reduce the quantity ahead first (and fill the
//! agent beyond it, as above). A depth update that lowers the level by more than the
//! trades seen at that price since its last change is a cancellation of the difference;
//! the [`QueueModel`] puts a fraction `f(ahead) / (f(ahead) + f(behind))` of it ahead of the
//! agent (in expectation: no random draw, so runs are deterministic), and what would take
//! more than there is behind comes from ahead. An increase is new orders, behind the agent.
//! The quantity ahead never exceeds the level. Fill quantities are whole lots: a lot is
//! filled only when the flow beyond the expected quantity ahead covers all of it.
//!
//! # What replay cannot model
//! Replay is the recorded market with nobody reacting to the agent. In particular:
//! - **No impact on later historical flow.** The recorded orders arrive as they did,
//!   whatever the agent did: a large agent buy does not move later prices, draw sellers in
//!   or scare buyers off, and the historical aggressor whose flow filled the agent's
//!   resting order still trades with the historical orders it traded with (the agent's
//!   fill is extra, not taken from them).
//! - **Taken liquidity is not replenished by anyone reacting.** Liquidity the agent takes
//!   is simply gone for the agent (the consumed deduction above); no market maker refills
//!   the level sooner because the agent took it, and nobody chases the price.
//! - **The agent's resting order changes nobody's behaviour.** It does not deter others
//!   from joining the level or attract them to it, does not change where historical orders
//!   would have been priced (an order improving the spread would, in reality, be matched or
//!   jumped), and it is never hit by flow that would have come only because it was there.
//! - **Hidden liquidity** is not in the displayed book: the agent can neither take hidden
//!   orders nor queue behind them (LOBSTER hidden executions count as flow reaching their
//!   price, like visible ones), and in LOBSTER's level-N files anything outside the N
//!   levels is unknown until it comes into view.
//! - **Other participants' latency** is whatever the recording shows: only the agent's own
//!   entry latency is modelled, and the agent always sees the book as of the last event
//!   (no market-data latency). In Binance mode the trade and depth streams are separate
//!   and a depth decrease that arrives before the trades explaining it is taken as a
//!   cancellation.
//!
//! The event-driven simulator is the tool where these effects matter.

mod binance;
mod engine;
mod lobster;
mod orders;
pub mod queue;

pub use binance::BinanceAgentReplay;
pub use lobster::LobsterAgentReplay;
pub use orders::{AgentOrderState, AgentReplayConfig, AgentStats};
pub use queue::{AnyQueueModel, LogProb, PowerLaw, QueueModel, QueueModelConfig, RiskAverse};

#[cfg(test)]
mod tests;
