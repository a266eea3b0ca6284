//! Properties of the agent overlay on random LOBSTER-like streams with random agent
//! requests: the agent never fills more than it asked for, and the historical replay is
//! exactly what a plain replay of the same messages builds.

use proptest::prelude::*;
use shortfall_core::{
    BookView, ExecReport, NewOrder, OrderId, OrderRequest, OrderSink, Price, PriceLevel, Qty, Side,
    TimeInForce, TraderId, Ts,
};
use shortfall_lob_sim::data::lobster::{LobsterEventType, LobsterMessage};
use shortfall_lob_sim::replay::LobsterReplay;
use shortfall_lob_sim::replay::agent::{AgentReplayConfig, LobsterAgentReplay};
use std::collections::{BTreeMap, HashMap, HashSet};

const AGENT: TraderId = TraderId(3);

fn levels(book: &impl BookView, side: Side) -> Vec<PriceLevel> {
    (0..book.level_count(side))
        .map_while(|i| book.level(side, i))
        .collect()
}

/// Turns raw bytes into a valid historical message or an agent request, given the live
/// historical orders.
enum Step {
    History(LobsterMessage),
    Agent(OrderRequest),
}

struct Generator {
    live: BTreeMap<u64, (Side, Price, Qty)>,
    next_id: u64,
    agent_ids: Vec<u64>,
}

impl Generator {
    fn step(&mut self, t: i64, kind: u8, a: u8, b: u8, c: u8, plain: &LobsterReplay) -> Step {
        let msg = |ty, id: u64, size: i64, price: Price, side| {
            Step::History(LobsterMessage {
                time: Ts(t),
                event_type: ty,
                order_id: OrderId(id),
                size: Qty(size),
                price,
                direction: side,
            })
        };
        let side = if a.is_multiple_of(2) {
            Side::Buy
        } else {
            Side::Sell
        };
        let pick = |live: &BTreeMap<u64, (Side, Price, Qty)>, k: u8| {
            let n = live.len();
            (n > 0).then(|| {
                let (&id, &v) = live.iter().nth(usize::from(k) % n).expect("k % n < n");
                (id, v)
            })
        };
        match kind % 12 {
            0..=3 => {
                let price = match side {
                    Side::Buy => Price(100 - i64::from(b % 6)),
                    Side::Sell => Price(101 + i64::from(b % 6)),
                };
                let qty = Qty(1 + i64::from(c % 50));
                self.next_id += 1;
                self.live.insert(self.next_id, (side, price, qty));
                msg(
                    LobsterEventType::Submission,
                    self.next_id,
                    qty.0,
                    price,
                    side,
                )
            }
            4 | 5 => match pick(&self.live, a) {
                Some((id, (s, p, q))) if kind % 12 == 4 && q.0 > 1 => {
                    let cut = 1 + i64::from(c) % (q.0 - 1);
                    self.live.insert(id, (s, p, q - Qty(cut)));
                    msg(LobsterEventType::Cancellation, id, cut, p, s)
                }
                Some((id, (s, p, q))) => {
                    self.live.remove(&id);
                    msg(LobsterEventType::Deletion, id, q.0, p, s)
                }
                None => msg(LobsterEventType::CrossTrade, 0, 1, Price(100), side),
            },
            6 => match plain
                .book()
                .best_bid()
                .filter(|_| side == Side::Buy)
                .or(plain.book().best_ask().filter(|_| side == Side::Sell))
                .and_then(|l| plain.book().queue(side, l.price).next())
            {
                Some(head) => {
                    let x = 1 + i64::from(c) % head.qty.0;
                    if x == head.qty.0 {
                        self.live.remove(&head.id.0);
                    } else {
                        self.live
                            .insert(head.id.0, (side, head.price, head.qty - Qty(x)));
                    }
                    msg(
                        LobsterEventType::VisibleExecution,
                        head.id.0,
                        x,
                        head.price,
                        side,
                    )
                }
                None => msg(LobsterEventType::CrossTrade, 0, 1, Price(100), side),
            },
            7 => msg(
                LobsterEventType::HiddenExecution,
                0,
                1 + i64::from(c % 20),
                Price(98 + i64::from(b % 6)),
                side,
            ),
            8 | 9 => {
                self.next_id += 1;
                let id = 1_000_000 + self.next_id;
                self.agent_ids.push(id);
                let price = Price(97 + i64::from(c % 8));
                let qty = Qty(1 + i64::from(b / 5 % 30));
                let tif = [
                    TimeInForce::Gtc,
                    TimeInForce::Ioc,
                    TimeInForce::Fok,
                    TimeInForce::PostOnly,
                ];
                let order = if b % 5 == 4 {
                    NewOrder::market(OrderId(id), AGENT, side, qty)
                } else {
                    NewOrder::limit(
                        OrderId(id),
                        AGENT,
                        side,
                        price,
                        qty,
                        tif[usize::from(b % 5)],
                    )
                };
                Step::Agent(OrderRequest::New(order))
            }
            10 if !self.agent_ids.is_empty() => {
                let id = self.agent_ids[usize::from(a) % self.agent_ids.len()];
                Step::Agent(OrderRequest::Cancel {
                    id: OrderId(id),
                    owner: AGENT,
                })
            }
            11 if !self.agent_ids.is_empty() => {
                let id = self.agent_ids[usize::from(a) % self.agent_ids.len()];
                Step::Agent(OrderRequest::Modify {
                    id: OrderId(id),
                    owner: AGENT,
                    price: Price(97 + i64::from(b % 8)),
                    qty: Qty(1 + i64::from(c % 30)),
                })
            }
            _ => msg(LobsterEventType::CrossTrade, 0, 1, Price(100), side),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn the_agent_never_overfills_and_never_changes_the_historical_replay(
        raw in proptest::collection::vec((any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>()), 1..160),
        latency in 0i64..3,
    ) {
        let config = AgentReplayConfig { entry_latency_ns: latency };
        let mut agent = LobsterAgentReplay::new(10, config).unwrap();
        let mut plain = LobsterReplay::new(10);
        let mut generator = Generator { live: BTreeMap::new(), next_id: 0, agent_ids: Vec::new() };
        // What the agent asked for: new orders' quantities, and the quantities modifies set.
        let mut asked: HashMap<u64, i64> = HashMap::new();
        let mut modified: HashSet<u64> = HashSet::new();
        let mut authorised = 0i64;
        let mut filled: HashMap<u64, i64> = HashMap::new();
        let mut total_filled = 0i64;
        for (i, &(kind, a, b, c)) in raw.iter().enumerate() {
            let t = i as i64;
            match generator.step(t, kind, a, b, c, &plain) {
                Step::History(m) => {
                    agent.process(&m, None);
                    plain.process(&m, None);
                }
                Step::Agent(request) => {
                    match request {
                        OrderRequest::New(o) => {
                            asked.insert(o.id.0, o.qty.0);
                            authorised += o.qty.0.max(0);
                        }
                        OrderRequest::Modify { id, qty, .. } => {
                            modified.insert(id.0);
                            authorised += qty.0.max(0);
                        }
                        OrderRequest::Cancel { .. } => {}
                    }
                    agent.submit(Ts(t), request).unwrap();
                }
            }
            for report in agent.drain_reports() {
                if let ExecReport::Fill(f) = report {
                    prop_assert!(f.qty.is_positive(), "empty fill {f:?}");
                    prop_assert!(f.leaves_qty.0 >= 0, "negative leaves {f:?}");
                    *filled.entry(f.id.0).or_default() += f.qty.0;
                    total_filled += f.qty.0;
                }
            }
            // The historical book and the replay's counters are the plain replay's.
            for side in [Side::Buy, Side::Sell] {
                prop_assert_eq!(levels(agent.book(), side), levels(plain.book(), side));
            }
            prop_assert_eq!(agent.book().len(), plain.book().len());
            prop_assert_eq!(agent.replay().stats(), plain.stats());
            // The agent never holds more of the book than there is.
            let visible: i64 = [Side::Buy, Side::Sell]
                .iter()
                .map(|&s| agent.book().depth(s, usize::MAX).0)
                .sum();
            prop_assert!(agent.consumed_qty().0 <= visible);
        }
        agent.finish();
        for report in agent.drain_reports() {
            if let ExecReport::Fill(f) = report {
                *filled.entry(f.id.0).or_default() += f.qty.0;
                total_filled += f.qty.0;
            }
        }
        prop_assert!(total_filled <= authorised, "{total_filled} > {authorised}");
        prop_assert_eq!(total_filled, agent.stats().filled_qty);
        for (id, &got) in &filled {
            if !modified.contains(id) {
                prop_assert!(got <= asked[id], "order {id} filled {got} of {}", asked[id]);
            }
        }
    }
}
