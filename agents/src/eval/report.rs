//! `results.json`, `report.md` and `episodes.csv`.

use super::{ClosedForm, Evaluation, PairedTest, PolicySummary};
use crate::error::{Error, Result};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Serialize)]
struct Results<'a> {
    policies: &'a [PolicySummary],
    paired_tests: &'a [PairedTest],
    #[serde(skip_serializing_if = "Option::is_none")]
    closed_form: Option<&'a ClosedForm>,
}

/// The files [`Evaluation::write`] produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    /// `results.json`.
    pub results: PathBuf,
    /// `report.md`.
    pub report: PathBuf,
    /// `episodes.csv`.
    pub episodes: PathBuf,
    /// The SVG plots.
    pub plots: Vec<PathBuf>,
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })
}

impl Evaluation {
    /// `results.json`'s content: `{"policies": [...], "paired_tests": [...]}` plus
    /// `"closed_form"` when set.
    ///
    /// # Errors
    /// [`Error::Json`] if serialisation fails.
    pub fn results_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(&Results {
            policies: &self.summaries,
            paired_tests: &self.paired_tests,
            closed_form: self.closed_form.as_ref(),
        })?)
    }

    /// `report.md`: the comparison table in the seed's layout (rows: implementation
    /// shortfall, market impact, timing risk, adaptability; one column per policy), the
    /// other per-policy statistics, the paired tests, and `notes` (e.g. the world's
    /// parameters) verbatim.
    pub fn report_markdown(&self, title: &str, notes: &str) -> String {
        let mut s = String::new();
        let n = self.seeds.len();
        let _ = writeln!(s, "# {title}\n");
        let _ = writeln!(
            s,
            "{n} paired episodes per policy (the same seeds for every policy). Costs in bps of \
             the arrival notional; positive is a cost. Shortfall: mean ± standard error \
             [percentile-bootstrap 95 % interval].\n"
        );
        let header: Vec<&str> = self.summaries.iter().map(|p| p.name.as_str()).collect();
        let _ = writeln!(s, "| Metric | {} |", header.join(" | "));
        let _ = writeln!(s, "|---|{}", "---|".repeat(header.len()));
        let row = |s: &mut String, label: &str, cells: Vec<String>| {
            let _ = writeln!(s, "| {label} | {} |", cells.join(" | "));
        };
        row(
            &mut s,
            "Implementation shortfall (bps)",
            self.summaries
                .iter()
                .map(|p| {
                    format!(
                        "{:.2} ± {:.2} [{:.2}, {:.2}]",
                        p.mean_is_bps, p.se_is_bps, p.ci95_is_bps[0], p.ci95_is_bps[1]
                    )
                })
                .collect(),
        );
        row(
            &mut s,
            "Market impact (bps)",
            self.summaries
                .iter()
                .map(|p| format!("{:.2}", p.mean_impact_bps))
                .collect(),
        );
        row(
            &mut s,
            "Timing risk (bps, std of shortfall)",
            self.summaries
                .iter()
                .map(|p| format!("{:.2}", p.std_is_bps))
                .collect(),
        );
        row(
            &mut s,
            "Adaptability (bps, volatile − calm)",
            self.details
                .iter()
                .map(|d| format!("{:+.2}", d.adaptability_bps))
                .collect(),
        );
        let _ = writeln!(s, "\n## Other statistics\n");
        let _ = writeln!(s, "| Metric | {} |", header.join(" | "));
        let _ = writeln!(s, "|---|{}", "---|".repeat(header.len()));
        row(
            &mut s,
            "Spread cost (bps)",
            self.details
                .iter()
                .map(|d| format!("{:.2}", d.mean_spread_bps))
                .collect(),
        );
        row(
            &mut s,
            "Timing cost (bps)",
            self.details
                .iter()
                .map(|d| format!("{:.2}", d.mean_timing_bps))
                .collect(),
        );
        row(
            &mut s,
            "Completion",
            self.summaries
                .iter()
                .map(|p| format!("{:.4}", p.completion))
                .collect(),
        );
        row(
            &mut s,
            "Time to fill (share of horizon)",
            self.details
                .iter()
                .map(|d| format!("{:.3}", d.mean_time_to_fill))
                .collect(),
        );
        if let Some(c) = &self.closed_form {
            let _ = writeln!(
                s,
                "\nClosed form (Almgren & Chriss 2000, eq. (20)) for the configured risk aversion: \
                 expected cost {:.3} bps, variance {:.3} bps² (standard deviation {:.3} bps).",
                c.expected_cost_bps,
                c.variance_bps2,
                c.variance_bps2.sqrt()
            );
        }
        let _ = writeln!(s, "\n## Paired tests\n");
        let _ = writeln!(
            s,
            "Two-sided Wilcoxon signed-rank test of the per-seed differences (zeros dropped; exact \
             null distribution for ≤ 50 untied differences, otherwise the normal approximation \
             with tie and continuity corrections), Benjamini–Hochberg adjusted over all {} pairs.\n",
            self.paired_tests.len()
        );
        let _ = writeln!(
            s,
            "| A | B | mean A − B (bps) | Wilcoxon p | BH-adjusted p |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|");
        for t in &self.paired_tests {
            let _ = writeln!(
                s,
                "| {} | {} | {:+.3} | {:.3e} | {:.3e} |",
                t.a, t.b, t.mean_diff_bps, t.wilcoxon_p, t.p_fdr
            );
        }
        let _ = writeln!(
            s,
            "\n## Definitions\n\n\
             - Implementation shortfall: side × (fill notional − filled × arrival mid), in bps of \
             parent × arrival mid.\n\
             - Market impact: the environment's cost of the parent's own trading moving prices \
             (temporary impact beyond the touch, permanent impact on inventory still held).\n\
             - Timing risk: standard deviation of the shortfall over episodes.\n\
             - Adaptability: mean shortfall on the volatile half of the seeds minus the calm \
             half (a seed's volatility is the median over policies of the realised per-step \
             mid volatility); lower is better.\n"
        );
        if !notes.is_empty() {
            let _ = writeln!(s, "## Setup\n\n{notes}");
        }
        s
    }

    /// `episodes.csv`: one row per policy and seed.
    pub fn episodes_csv(&self) -> String {
        let mut s = String::from(
            "policy,seed,is_bps,impact_bps,spread_bps,timing_bps,completion,time_to_fill,realised_vol_bps\n",
        );
        for (p, rows) in self.summaries.iter().zip(&self.outcomes) {
            for o in rows {
                let ttf = o.time_to_fill.map(|v| v.to_string()).unwrap_or_default();
                let _ = writeln!(
                    s,
                    "{},{},{},{},{},{},{},{},{}",
                    p.name,
                    o.seed,
                    o.is_bps,
                    o.impact_bps,
                    o.spread_bps,
                    o.timing_bps,
                    o.completion,
                    ttf,
                    o.realised_vol_bps
                );
            }
        }
        s
    }

    /// Writes `results.json`, `report.md`, `episodes.csv`, `shortfall.svg` (shortfall
    /// distributions) and `inventory.svg` (average inventory against the reference curve)
    /// into `dir`, creating it.
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Plot`] naming the file.
    pub fn write(&self, dir: &Path, title: &str, notes: &str) -> Result<Written> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_owned(),
            source,
        })?;
        let results = dir.join("results.json");
        write_file(&results, &self.results_json()?)?;
        let report = dir.join("report.md");
        write_file(&report, &self.report_markdown(title, notes))?;
        let episodes = dir.join("episodes.csv");
        write_file(&episodes, &self.episodes_csv())?;
        let shortfall = dir.join("shortfall.svg");
        super::plot::shortfall_distributions(self, &shortfall)?;
        let inventory = dir.join("inventory.svg");
        super::plot::inventory_trajectories(self, &inventory)?;
        Ok(Written {
            results,
            report,
            episodes,
            plots: vec![shortfall, inventory],
        })
    }
}
