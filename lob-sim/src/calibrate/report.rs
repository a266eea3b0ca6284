//! The Markdown report and the one-line JSON summary of a [`Calibration`].

use std::fmt::Write as _;

use serde_json::json;

use super::{Calibration, SizeDistribution};
use crate::hawkes::HawkesFit;

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |x| format!("{x:.4}"))
}

fn sizes_row(out: &mut String, name: &str, d: &SizeDistribution) {
    let q = |p| {
        d.quantile(p)
            .map_or_else(|| "–".into(), |v| format!("{v:.0}"))
    };
    let _ = writeln!(
        out,
        "| {name} | {} | {:.1} | {:.1} | {} | {} | {} | {} | {} | {} | {:.3} | {:.3} | {:.2} |",
        d.count,
        d.mean,
        d.sd,
        q(0.05),
        q(0.25),
        q(0.5),
        q(0.75),
        q(0.95),
        q(0.99),
        d.lognormal_mu,
        d.lognormal_sigma,
        d.round_lot_share
    );
}

fn hawkes_section(
    out: &mut String,
    title: &str,
    labels: &[&str],
    fit: &HawkesFit,
    ks: Option<f64>,
) {
    let _ = writeln!(out, "### {title}\n");
    let _ = writeln!(
        out,
        "{} events, β mode `{:?}`, log-likelihood {:.2}, AIC {:.2}, branching ratio ρ(G) = \
         {:.4}, converged: {}, starts' log-likelihoods: {:?}.\n",
        fit.events,
        fit.beta_mode,
        fit.log_likelihood,
        fit.aic,
        fit.branching_ratio,
        fit.converged,
        fit.start_log_likelihoods
            .iter()
            .map(|v| (v * 100.0).round() / 100.0)
            .collect::<Vec<_>>()
    );
    let _ = writeln!(
        out,
        "| target i | μ_i (1/s) | source j | α_ij (1/s) | β_ij (1/s) | α/β |"
    );
    let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- |");
    for (i, li) in labels.iter().enumerate() {
        for (j, lj) in labels.iter().enumerate() {
            let mu = if j == 0 {
                format!("{:.4} ± {:.4}", fit.mu[i], fit.mu_se[i])
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "| {li} | {mu} | {lj} | {:.4} ± {:.4} | {:.2} ± {:.2} | {:.3} |",
                fit.alpha[i][j],
                fit.alpha_se[i][j],
                fit.beta[i][j],
                fit.beta_se[i][j],
                fit.alpha[i][j] / fit.beta[i][j]
            );
        }
    }
    let _ = writeln!(
        out,
        "\n(± one standard error from the observed information.) Time-rescaling check: \
         √n·D = {} against Exp(1) (> 1.95 rejects the fit at the 0.1% level).\n",
        ks.map_or_else(|| "–".into(), |v| format!("{v:.2}"))
    );
}

impl Calibration {
    /// The calibration report in Markdown: source and window, zero-intelligence,
    /// queue-reactive and Hawkes estimates, and the data statistics, with units.
    pub fn to_markdown(&self) -> String {
        let mut o = String::new();
        let s = &self.source;
        let zi = &self.zero_intelligence;
        let _ = writeln!(o, "# Order-flow calibration\n");
        let _ = writeln!(
            o,
            "Messages `{}`, orderbook `{}`: {} rows, {} classified. Window {:.3}–{:.3} s after \
             midnight ({:.1} s). Tick = {} LOBSTER price units. Rates are per second of the \
             window; sizes in shares; distances in ticks.\n",
            s.messages,
            s.orderbook,
            s.rows,
            s.classified_messages,
            s.window_start_s,
            s.window_end_s,
            s.duration_s,
            s.tick
        );
        let _ = writeln!(
            o,
            "## Zero-intelligence (Smith, Farmer, Gillemot & Krishnamurthy 2003)\n"
        );
        let mo = &zi.market_orders;
        let c = &zi.cancels;
        let _ = writeln!(o, "| parameter | value | unit |\n| --- | --- | --- |");
        let rows: [(&str, String, &str); 12] = [
            (
                "limit orders, both sides",
                format!("{:.4}", zi.limit_rate_per_s),
                "1/s",
            ),
            (
                "limit orders buy / sell",
                format!("{:.4} / {:.4}", zi.limit_buy_per_s, zi.limit_sell_per_s),
                "1/s",
            ),
            (
                "α per tick per side (distances 1..=D)",
                format!(
                    "{:.5} (D = {})",
                    zi.alpha_per_tick_per_side, zi.alpha_distances
                ),
                "1/(s·tick)",
            ),
            (
                "market orders buy / sell",
                format!("{:.4} / {:.4}", mo.buy_per_s, mo.sell_per_s),
                "1/s",
            ),
            (
                "market orders, both sides",
                format!("{:.4}", mo.total_per_s),
                "1/s",
            ),
            (
                "market-order volume",
                format!("{:.2}", mo.shares_per_s),
                "shares/s",
            ),
            (
                "cancels at best (events)",
                format!("{}", c.events_at_best),
                "count",
            ),
            (
                "cancel rate per resting share",
                format!("{:.3e}", c.rate_per_share_per_s),
                "1/(s·share)",
            ),
            (
                "cancel rate per resting order (mean limit size)",
                format!("{:.5}", c.rate_per_resting_order_per_s),
                "1/s",
            ),
            (
                "cancelled volume per resting share",
                format!("{:.3e}", c.volume_rate_per_share_per_s),
                "1/s",
            ),
            (
                "mean best-queue size per side",
                format!("{:.1}", c.mean_best_queue_shares),
                "shares",
            ),
            (
                "limit orders outside tables",
                format!("{}", zi.beyond_table),
                "count",
            ),
        ];
        for (n, v, u) in rows {
            let _ = writeln!(o, "| {n} | {v} | {u} |");
        }
        let _ = writeln!(o, "\n### Sizes (shares)\n");
        let _ = writeln!(
            o,
            "| orders | n | mean | sd | q05 | q25 | median | q75 | q95 | q99 | lognormal μ | lognormal σ | round lots |"
        );
        let _ = writeln!(
            o,
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
        );
        sizes_row(&mut o, "limit", &zi.limit_sizes);
        sizes_row(&mut o, "market (grouped)", &zi.market_sizes);
        sizes_row(&mut o, "visible executions", &self.data.execution_sizes);
        for (title, table) in [
            (
                "from the opposite best (1 = one tick from it)",
                &zi.by_opposite_distance,
            ),
            (
                "from the same best (0 = joins it, < 0 improves it)",
                &zi.by_same_distance,
            ),
        ] {
            let _ = writeln!(o, "\n### Limit arrivals by distance {title}\n");
            let _ = writeln!(
                o,
                "| d | buy | sell | rate (1/s) | visible (s) | buy rate while visible | sell rate while visible |"
            );
            let _ = writeln!(o, "| --- | --- | --- | --- | --- | --- | --- |");
            for r in table {
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {:.5} | {:.1} | {} | {} |",
                    r.distance_ticks,
                    r.buy_count,
                    r.sell_count,
                    r.rate_per_s,
                    r.visible_s,
                    opt(r.buy_rate_visible_per_s),
                    opt(r.sell_rate_visible_per_s)
                );
            }
        }
        let qr = &self.queue_reactive;
        let _ = writeln!(o, "\n## Queue-reactive (Huang, Lehalle & Rosenbaum 2015)\n");
        let _ = writeln!(
            o,
            "Queue unit: AES = {:.1} shares. n = ⌈Q/AES⌉ (last bin: n ≥ {}). Exposure sums both \
             sides' best queues.\n",
            qr.aes_shares,
            qr.bins.len()
        );
        let _ = writeln!(
            o,
            "| n | exposure (s) | limit | cancel | market | λ^L (1/s) | λ^C (1/s) | λ^M (1/s) |"
        );
        let _ = writeln!(o, "| --- | --- | --- | --- | --- | --- | --- | --- |");
        for b in &qr.bins {
            let _ = writeln!(
                o,
                "| {} | {:.1} | {} | {} | {} | {} | {} | {} |",
                b.queue_aes,
                b.exposure_s,
                b.limit_count,
                b.cancel_count,
                b.market_count,
                opt(b.limit_rate_per_s),
                opt(b.cancel_rate_per_s),
                opt(b.market_rate_per_s)
            );
        }
        let _ = writeln!(o, "\n## Hawkes (exponential kernels, maximum likelihood)\n");
        match &self.hawkes.market_orders {
            Some(f) => hawkes_section(
                &mut o,
                "Market orders (0 = buy, 1 = sell)",
                &["buy MO", "sell MO"],
                f,
                self.hawkes.market_orders_ks_sqrt_n,
            ),
            None => {
                let _ = writeln!(
                    o,
                    "Market orders: {}\n",
                    self.hawkes.market_orders_note.as_deref().unwrap_or("–")
                );
            }
        }
        match &self.hawkes.limit_and_market {
            Some(f) => hawkes_section(
                &mut o,
                "Market and limit orders",
                &["buy MO", "sell MO", "buy limit", "sell limit"],
                f,
                self.hawkes.limit_and_market_ks_sqrt_n,
            ),
            None => {
                let _ = writeln!(
                    o,
                    "Market and limit orders: {}\n",
                    self.hawkes.limit_and_market_note.as_deref().unwrap_or("–")
                );
            }
        }
        let d = &self.data;
        let _ = writeln!(o, "## Data statistics\n");
        let _ = writeln!(
            o,
            "Mean spread {:.3} ticks (time-weighted), {:.3} ticks (per event). One-sided time \
             {:.1} s, locked/crossed time {:.1} s. Market orders {:.4}/s.\n",
            d.mean_spread_ticks_time_weighted,
            d.mean_spread_ticks_per_event,
            d.one_sided_s,
            d.crossed_s,
            d.market_orders_per_s
        );
        let _ = writeln!(
            o,
            "| type | name | count | rate (1/s) | shares |\n| --- | --- | --- | --- | --- |"
        );
        for t in &d.events_by_type {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {:.4} | {} |",
                t.code, t.name, t.count, t.rate_per_s, t.shares
            );
        }
        let _ = writeln!(o, "\n| spread (ticks) | time share |\n| --- | --- |");
        for sp in &d.spread_distribution {
            if sp.time_share >= 0.001 {
                let _ = writeln!(o, "| {} | {:.4} |", sp.ticks, sp.time_share);
            }
        }
        let _ = writeln!(
            o,
            "\n(Spreads with time share below 0.1% omitted; the JSON has all.)"
        );
        o
    }

    /// The main estimates as one JSON object (the calibrate example's last stdout line).
    pub fn summary_json(&self) -> serde_json::Value {
        let zi = &self.zero_intelligence;
        let mo_fit = self.hawkes.market_orders.as_ref();
        json!({
            "duration_s": self.source.duration_s,
            "rows_read": self.source.rows,
            "limit_rate_per_s": zi.limit_rate_per_s,
            "alpha_per_tick_per_side": zi.alpha_per_tick_per_side,
            "market_order_rate_per_s": zi.market_orders.total_per_s,
            "cancel_rate_per_share_per_s": zi.cancels.rate_per_share_per_s,
            "cancel_rate_per_resting_order_per_s": zi.cancels.rate_per_resting_order_per_s,
            "mean_limit_size": zi.limit_sizes.mean,
            "mean_market_order_size": zi.market_sizes.mean,
            "qr_aes_shares": self.queue_reactive.aes_shares,
            "mean_spread_ticks_time_weighted": self.data.mean_spread_ticks_time_weighted,
            "mean_spread_ticks_per_event": self.data.mean_spread_ticks_per_event,
            "hawkes_mo_mu": mo_fit.map(|f| f.mu.clone()),
            "hawkes_mo_branching_ratio": mo_fit.map(|f| f.branching_ratio),
            "hawkes_mo_ks_sqrt_n": self.hawkes.market_orders_ks_sqrt_n,
            "hawkes_4d_branching_ratio": self.hawkes.limit_and_market.as_ref().map(|f| f.branching_ratio),
        })
    }
}
