//! The market kernel and exchange: determinism (hash of the event stream), latency
//! semantics, refusals, and flow-balance identities of the zero-intelligence flow.

use shortfall_core::{
    BookView, ExecReport, Liquidity, NewOrder, OrderId, OrderRequest, OrderSink, Price, Qty, Side,
    TimeInForce, TraderId, Ts,
};
use shortfall_lob_sim::book::L3Book;
use shortfall_lob_sim::sim::{
    FlowModel, Latency, Market, SimConfig, SizeConfig, StrategySpec, SubmitRefusal,
    ZeroIntelligence, ZiParams,
};

/// Hash and request count after `secs` simulated seconds of `model` with `seed`.
fn fingerprint(model: FlowModel, seed: u64, secs: i64) -> (u64, u64) {
    let mut config = SimConfig {
        seed,
        ..SimConfig::default()
    };
    config.flow.model = model;
    let mut market = config.build().expect("the default config is valid");
    market.run_until(Ts::from_secs(secs));
    (market.event_hash(), market.counters().requests)
}

#[test]
fn same_seed_gives_the_same_event_stream_and_another_seed_does_not() {
    for model in [
        FlowModel::Zi,
        FlowModel::Qr,
        FlowModel::Abides,
        FlowModel::Hawkes,
    ] {
        let a = fingerprint(model, 11, 120);
        let b = fingerprint(model, 11, 120);
        let c = fingerprint(model, 12, 120);
        assert!(a.1 > 1_000, "{model:?}: only {} requests", a.1);
        assert_eq!(a, b, "{model:?}: same seed, different streams");
        assert_ne!(a.0, c.0, "{model:?}: different seeds, same stream");
    }
}

#[test]
fn a_clone_continues_identically_and_a_reseeded_clone_diverges() {
    let mut market = SimConfig::default().build().unwrap();
    market.run_until(Ts::from_secs(30));
    let mut twin = market.clone();
    let mut branch = market.clone();
    branch.reseed(99);
    for m in [&mut market, &mut twin, &mut branch] {
        m.run_until(Ts::from_secs(60));
    }
    assert_eq!(market.event_hash(), twin.event_hash());
    assert_eq!(market.counters(), twin.counters());
    assert_ne!(market.event_hash(), branch.event_hash());
}

fn zi_market(params: &ZiParams, seed: u64) -> Market<ZeroIntelligence> {
    let flow = ZeroIntelligence::new(params, "flow.zi", Price(10_000)).unwrap();
    let mut market = Market::new(L3Book::new(), flow, Latency::ZERO, seed, Ts(0));
    market.seed_book(Price(10_000), 5, 4, Qty(1)).unwrap();
    market
}

#[test]
fn constant_latency_delays_the_order_and_its_reports_by_one_trip_each() {
    let mut market = zi_market(&ZiParams::default(), 5);
    market.run_until(Ts::from_secs(10));
    let me = market
        .add_strategy(StrategySpec {
            trader: TraderId(7),
            order_latency: Latency::Constant { us: 250.0 },
            market_data: Some(Latency::Constant { us: 1000.0 }),
        })
        .unwrap();
    let sent = market.now();
    let buy = NewOrder::market(OrderId(1), TraderId(7), Side::Buy, Qty(1));
    market
        .sink(me)
        .submit(sent, OrderRequest::New(buy))
        .unwrap();
    let mut reports = Vec::new();
    // Reports leave the exchange at sent + 250 µs and arrive 250 µs later.
    market.run_until(Ts(sent.0 + 499_999));
    market.drain_reports(me, &mut reports);
    assert!(reports.is_empty(), "{reports:?}");
    market.run_until(Ts(sent.0 + 500_000));
    market.drain_reports(me, &mut reports);
    let fill = reports
        .iter()
        .find_map(|r| match r {
            ExecReport::Fill(f) => Some(*f),
            _ => None,
        })
        .expect("a market buy into a two-sided book fills");
    assert_eq!(
        fill.ts,
        Ts(sent.0 + 250_000),
        "executed one trip after sending"
    );
    assert_eq!(fill.liquidity, Liquidity::Taker);
    // The feed carries the execution one market-data latency after it happened.
    let mut feed = Vec::new();
    market.run_until(Ts(sent.0 + 1_250_000));
    market.drain_market_data(me, &mut feed);
    assert!(feed.iter().any(|e| matches!(e,
        shortfall_core::MarketEvent::Execute { ts, .. } if *ts == Ts(sent.0 + 250_000))));
    assert!(feed.iter().all(|e| e.ts().0 + 1_000_000 <= market.now().0));
}

#[test]
fn random_latency_never_lets_a_later_request_overtake_an_earlier_one() {
    let mut market = zi_market(&ZiParams::default(), 8);
    market.run_until(Ts::from_secs(5));
    let me = market
        .add_strategy(StrategySpec {
            trader: TraderId(3),
            order_latency: Latency::Exponential {
                floor_us: 10.0,
                mean_us: 500.0,
            },
            market_data: None,
        })
        .unwrap();
    // Ten resting bids far from the market, then ten cancels sent at once: every cancel
    // must find its order (FIFO), so none is rejected as unknown.
    for i in 0..10u64 {
        let bid = NewOrder::limit(
            OrderId(i + 1),
            TraderId(3),
            Side::Buy,
            Price(5_000 + i as i64),
            Qty(1),
            TimeInForce::Gtc,
        );
        market.submit(me, OrderRequest::New(bid)).unwrap();
        market
            .submit(
                me,
                OrderRequest::Cancel {
                    id: OrderId(i + 1),
                    owner: TraderId(3),
                },
            )
            .unwrap();
    }
    market.run_until(Ts::from_secs(6));
    let mut reports = Vec::new();
    market.drain_reports(me, &mut reports);
    let cancelled = reports
        .iter()
        .filter(|r| matches!(r, ExecReport::Cancelled { .. }))
        .count();
    assert_eq!(cancelled, 10, "{reports:?}");
    assert!(
        !reports
            .iter()
            .any(|r| matches!(r, ExecReport::Rejected { .. }))
    );
    let times: Vec<Ts> = reports.iter().map(|r| r.ts()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn strategies_cannot_impersonate_or_use_background_ids() {
    let mut market = zi_market(&ZiParams::default(), 1);
    assert!(
        market
            .add_strategy(StrategySpec::colocated(TraderId::MARKET))
            .is_err()
    );
    let me = market
        .add_strategy(StrategySpec::colocated(TraderId(4)))
        .unwrap();
    assert!(
        market
            .add_strategy(StrategySpec::colocated(TraderId(4)))
            .is_err()
    );
    let foreign = NewOrder::market(OrderId(1), TraderId(5), Side::Buy, Qty(1));
    assert_eq!(
        market.submit(me, OrderRequest::New(foreign)),
        Err(SubmitRefusal::WrongOwner)
    );
    let reserved = NewOrder::market(OrderId(1 << 63 | 5), TraderId(4), Side::Buy, Qty(1));
    assert_eq!(
        market.submit(me, OrderRequest::New(reserved)),
        Err(SubmitRefusal::ReservedOrderId)
    );
}

/// Unit sizes make every market order remove exactly one resting order, so in the
/// stationary state the flow balances: `2L = ν·E[N] + 2M` (limit arrivals = cancels +
/// market executions, both sides non-empty), i.e. `E[N] = (2L − 2M)/ν`; and the exchange
/// sees requests at the mean total rate `2L + 2M + ν·E[N] = 4L`.
#[test]
fn zero_intelligence_book_size_and_request_rate_match_the_flow_balance() {
    let params = ZiParams {
        limit_rate_per_s_by_distance: vec![4.0, 3.0, 2.0, 1.0],
        market_rate_per_s: 2.0,
        cancel_rate_per_order_per_s: 0.2,
        limit_size: SizeConfig::Constant { lots: 1 },
        market_size: SizeConfig::Constant { lots: 1 },
    };
    let expected_n = (20.0 - 4.0) / 0.2;
    for seed in [1, 2, 3] {
        let mut market = zi_market(&params, seed);
        market.run_until(Ts::from_secs(100));
        let r0 = market.counters().requests;
        let secs = 2_000;
        let mut total = 0.0;
        for s in 1..=secs {
            market.run_until(Ts::from_secs(100 + s));
            // Every resting order is the flow's, and the flow knows each of them.
            assert_eq!(market.flow().resting_orders(), market.book().len());
            assert!(!market.book().is_crossed());
            total += market.book().len() as f64;
        }
        let mean_n = total / secs as f64;
        // N relaxes in 1/ν = 5 s: ~400 independent samples of sd ≈ √80 ≈ 9, so the mean has
        // a standard error near 0.5; ±4 is 8 standard errors (and a 5 % bias bound).
        assert!(
            (mean_n - expected_n).abs() < 4.0,
            "seed {seed}: mean N {mean_n}, want {expected_n}"
        );
        let rate = (market.counters().requests - r0) as f64 / secs as f64;
        // 80,000 expected requests: Poisson sd 283, plus N's fluctuation (0.2 × 0.5 × 2000);
        // ±2.5 % is over 6 sd.
        assert!(
            (rate - 40.0).abs() < 1.0,
            "seed {seed}: {rate} requests/s, want 40"
        );
    }
}
