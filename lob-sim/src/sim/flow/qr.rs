//! Queue-reactive flow (Huang, Lehalle, Rosenbaum 2015).

use super::{FlowCtx, OrderFlow, after_exponential};
use crate::book::BookOutput;
use crate::error::{Error, Result};
use rand::RngExt;
use rand_distr::{Distribution, Exp1};
use serde::{Deserialize, Serialize};
use shortfall_core::{
    BookView, NewOrder, OrderRequest, Price, Qty, Side, TimeInForce, TraderId, Ts,
};

/// Parameters of [`QueueReactive`] flow: per level `i` (1 = best) and queue size `n` (in
/// units of `aes_lots`, the average event size), the rates per second of limit orders,
/// cancellations and (at the best level only) market orders arriving at that queue. Queue
/// sizes beyond a table's end use its last entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueReactiveParams {
    /// The average event size: every order is this many lots, and queue sizes are counted in
    /// these units (rounded up).
    pub aes_lots: i64,
    /// `limit_rate_per_s[i][n]`: limit arrivals at level `i + 1` holding `n` units.
    pub limit_rate_per_s: Vec<Vec<f64>>,
    /// `cancel_rate_per_s[i][n]`: cancellations at level `i + 1` holding `n` units (the
    /// `n = 0` entry must be zero).
    pub cancel_rate_per_s: Vec<Vec<f64>>,
    /// `market_rate_per_s[n]`: market orders against a best queue of `n` units (`n = 0`
    /// entry must be zero).
    pub market_rate_per_s: Vec<f64>,
    /// Probability that the reference price moves one tick away from a best queue that has
    /// just been depleted (HLR's θ); otherwise the queue refills in place.
    pub theta: f64,
}

impl Default for QueueReactiveParams {
    /// Three levels with the shapes HLR report for a large-tick stock (their Fig. 3–5):
    /// limit intensity falling with queue size, cancellation rising roughly linearly,
    /// market intensity highest for small best queues.
    fn default() -> Self {
        let cancel = |c: f64| (0..=10).map(|n| c * n as f64).collect::<Vec<_>>();
        QueueReactiveParams {
            aes_lots: 1,
            limit_rate_per_s: vec![
                vec![3.0, 2.2, 1.8, 1.5, 1.3, 1.1, 1.0, 0.9, 0.8, 0.7, 0.6],
                vec![2.0, 1.6, 1.3, 1.1, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4],
                vec![1.5, 1.2, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4, 0.35],
            ],
            cancel_rate_per_s: vec![cancel(0.2), cancel(0.15), cancel(0.12)],
            market_rate_per_s: vec![0.0, 1.5, 1.3, 1.2, 1.1, 1.0],
            theta: 0.7,
        }
    }
}

/// What one queue's next event is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Kind {
    Limit,
    Cancel,
    Market,
}

/// Queue-reactive order flow after Huang, Lehalle and Rosenbaum (2015), "Simulating and
/// analyzing order book data: the queue-reactive model", *JASA* 110, Model I (§2.3): the
/// first K queues on each side sit at fixed distances from a reference price
/// `p_ref = ask₁ − ½` tick, and the limit, cancel and market intensities at each queue
/// depend on that queue's size alone. When a best queue is depleted, `p_ref` moves one tick
/// away from it with probability θ (their reference-price rule; the optional redraw of the
/// whole book, θ^reinit, is not modelled), so the emptied queue becomes the new best queue
/// of the other side at distance ½ tick.
///
/// Sampling is exact for the Markov chain: after every book change the 2K × 3 intensities
/// are recomputed from the book and one exponential waiting time and one uniform draw pick
/// the next event. A cancellation removes a uniformly chosen background order of its queue
/// (O(queue length)).
#[derive(Clone, Debug)]
pub struct QueueReactive {
    aes: i64,
    limit: Vec<Vec<f64>>,
    cancel: Vec<Vec<f64>>,
    market: Vec<f64>,
    theta: f64,
    /// Price of ask queue 1; bid queue i is at `ask1 − i`, ask queue i at `ask1 + i − 1`.
    ask1: Price,
    /// `rates[side][level][kind]`, from the last `schedule`.
    rates: Vec<[f64; 3]>,
    total: f64,
    /// The side whose best queue our last event may have emptied.
    depleting: Option<Side>,
    next: Ts,
}

fn table_rate(table: &[f64], n: usize) -> f64 {
    table[n.min(table.len() - 1)]
}

impl QueueReactive {
    /// Validates `params`; `field` is the config path used in errors and `reference` the
    /// initial reference price's ask queue (its `p_ref` is `reference − ½`).
    ///
    /// # Errors
    /// [`Error::Config`] naming the field for tables of different level counts, an empty
    /// table, a negative or non-finite rate, a non-zero rate at an empty queue for cancels
    /// or market orders, `aes_lots < 1`, or θ outside `[0, 1]`.
    pub fn new(params: &QueueReactiveParams, field: &str, reference: Price) -> Result<Self> {
        let bad = |name: String, reason: String| Error::Config {
            field: format!("{field}.{name}"),
            reason,
        };
        if params.aes_lots < 1 {
            return Err(bad(
                "aes_lots".into(),
                format!("must be ≥ 1, got {}", params.aes_lots),
            ));
        }
        if !(0.0..=1.0).contains(&params.theta) {
            return Err(bad(
                "theta".into(),
                format!("a probability in [0, 1], got {}", params.theta),
            ));
        }
        let k = params.limit_rate_per_s.len();
        if k == 0 || k > MAX_LEVELS {
            return Err(bad(
                "limit_rate_per_s".into(),
                format!("needs 1 to {MAX_LEVELS} levels, got {k}"),
            ));
        }
        if params.cancel_rate_per_s.len() != k {
            return Err(bad(
                "cancel_rate_per_s".into(),
                format!(
                    "has {} levels but limit_rate_per_s has {k}",
                    params.cancel_rate_per_s.len()
                ),
            ));
        }
        let check = |name: &str, table: &[f64], zero_at_empty: bool| -> Result<()> {
            if table.is_empty() {
                return Err(bad(name.into(), "needs at least one queue size".into()));
            }
            for (n, &r) in table.iter().enumerate() {
                if !(r.is_finite() && r >= 0.0) {
                    return Err(bad(
                        format!("{name}[{n}]"),
                        format!("a rate must be finite and ≥ 0, got {r}"),
                    ));
                }
            }
            if zero_at_empty && table[0] != 0.0 {
                return Err(bad(
                    format!("{name}[0]"),
                    format!(
                        "an empty queue cannot lose orders: must be 0, got {}",
                        table[0]
                    ),
                ));
            }
            Ok(())
        };
        for i in 0..k {
            check(
                &format!("limit_rate_per_s[{i}]"),
                &params.limit_rate_per_s[i],
                false,
            )?;
            check(
                &format!("cancel_rate_per_s[{i}]"),
                &params.cancel_rate_per_s[i],
                true,
            )?;
        }
        check("market_rate_per_s", &params.market_rate_per_s, true)?;
        Ok(Self {
            aes: params.aes_lots,
            limit: params.limit_rate_per_s.clone(),
            cancel: params.cancel_rate_per_s.clone(),
            market: params.market_rate_per_s.clone(),
            theta: params.theta,
            ask1: reference + Price(1),
            rates: vec![[0.0; 3]; 2 * k],
            total: 0.0,
            depleting: None,
            next: Ts::MAX,
        })
    }

    fn levels(&self) -> usize {
        self.limit.len()
    }

    /// The price of queue `level` (0-based) on `side`.
    #[inline]
    fn price(&self, side: Side, level: usize) -> Price {
        match side {
            Side::Buy => Price(self.ask1.0 - 1 - level as i64),
            Side::Sell => Price(self.ask1.0 + level as i64),
        }
    }

    /// The reference price `p_ref` in ticks (a half-integer).
    pub fn reference_price(&self) -> f64 {
        self.ask1.0 as f64 - 0.5
    }

    /// Queue sizes in units at this flow's 2K prices, read from the book's best levels.
    fn queue_units(&self, book: &crate::book::L3Book, side: Side, out: &mut [usize]) {
        out.fill(0);
        let k = self.levels();
        for j in 0..book.level_count(side) {
            let Some(level) = book.level(side, j) else {
                break;
            };
            let distance = match side {
                Side::Buy => self.ask1.0 - 1 - level.price.0,
                Side::Sell => level.price.0 - self.ask1.0,
            };
            if distance >= k as i64 {
                break;
            }
            if distance >= 0 {
                out[distance as usize] =
                    (level.qty.0 + self.aes - 1).div_euclid(self.aes).max(0) as usize;
            }
        }
    }
}

const SIDES: [Side; 2] = [Side::Buy, Side::Sell];

/// The most levels per side a queue-reactive flow models.
const MAX_LEVELS: usize = 16;

impl OrderFlow for QueueReactive {
    #[inline]
    fn next_time(&self) -> Ts {
        self.next
    }

    fn fire(&mut self, ctx: &mut FlowCtx<'_>, out: &mut Vec<OrderRequest>) {
        let k = self.levels();
        let mut u = ctx.rng.random::<f64>() * self.total;
        let mut chosen = (Side::Sell, k - 1, Kind::Limit);
        'pick: for (s, &side) in SIDES.iter().enumerate() {
            for level in 0..k {
                for (kind, rate) in [Kind::Limit, Kind::Cancel, Kind::Market]
                    .into_iter()
                    .zip(self.rates[s * k + level])
                {
                    if u < rate {
                        chosen = (side, level, kind);
                        break 'pick;
                    }
                    u -= rate;
                }
            }
        }
        let (side, level, kind) = chosen;
        let price = self.price(side, level);
        self.depleting = None;
        match kind {
            Kind::Limit => {
                let id = ctx.next_order_id();
                out.push(OrderRequest::New(NewOrder::limit(
                    id,
                    TraderId::MARKET,
                    side,
                    price,
                    Qty(self.aes),
                    TimeInForce::Gtc,
                )));
            }
            Kind::Cancel => {
                let count = ctx
                    .book
                    .queue(side, price)
                    .filter(|o| o.owner == TraderId::MARKET)
                    .count();
                if count > 0 {
                    let pick = ctx.rng.random_range(0..count);
                    if let Some(order) = ctx
                        .book
                        .queue(side, price)
                        .filter(|o| o.owner == TraderId::MARKET)
                        .nth(pick)
                    {
                        out.push(OrderRequest::Cancel {
                            id: order.id,
                            owner: TraderId::MARKET,
                        });
                    }
                }
                if level == 0 {
                    self.depleting = Some(side);
                }
            }
            Kind::Market => {
                // A market order on the best queue of `side` comes from the other side.
                let id = ctx.next_order_id();
                out.push(OrderRequest::New(NewOrder::market(
                    id,
                    TraderId::MARKET,
                    side.opposite(),
                    Qty(self.aes),
                )));
                self.depleting = Some(side);
            }
        }
    }

    fn on_output(&mut self, _now: Ts, _output: &BookOutput) {}

    fn schedule(&mut self, ctx: &mut FlowCtx<'_>) {
        let book = ctx.book;
        // HLR's reference-price rule after a best queue was emptied by our event.
        if let Some(side) = self.depleting.take() {
            let emptied = book.queue(side, self.price(side, 0)).next().is_none();
            if emptied && ctx.rng.random::<f64>() < self.theta {
                self.ask1 = match side {
                    Side::Sell => self.ask1 + Price(1),
                    Side::Buy => Price((self.ask1.0 - 1).max(2)),
                };
            }
        }
        // Someone else crossed the reference price: re-anchor on the book.
        if let (Some(bid), Some(ask)) = (book.best_bid(), book.best_ask()) {
            if bid.price >= self.ask1 {
                self.ask1 = bid.price + Price(1);
            } else if ask.price < self.ask1 {
                self.ask1 = ask.price;
            }
        }
        let k = self.levels();
        let mut units = [0usize; MAX_LEVELS];
        let mut total = 0.0;
        for (s, &side) in SIDES.iter().enumerate() {
            let units = &mut units[..k];
            self.queue_units(book, side, units);
            for level in 0..k {
                let n = units.get(level).copied().unwrap_or(0);
                let market = if level == 0 {
                    table_rate(&self.market, n)
                } else {
                    0.0
                };
                let rates = [
                    table_rate(&self.limit[level], n),
                    table_rate(&self.cancel[level], n),
                    market,
                ];
                total += rates[0] + rates[1] + rates[2];
                self.rates[s * k + level] = rates;
            }
        }
        self.total = total;
        let e: f64 = Exp1.sample(ctx.rng);
        self.next = after_exponential(ctx.now, total, e);
    }

    fn name(&self) -> &'static str {
        "qr"
    }
}
