//! SVG plots of an evaluation (plotters, SVG backend: no system fonts needed).

use super::Evaluation;
use crate::error::{Error, Result};
use plotters::prelude::*;
use std::path::Path;

fn plot_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Plot {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}

/// Box plots of each policy's per-episode shortfall (box: quartiles; whiskers: the most
/// extreme values within 1.5 interquartile ranges).
pub(super) fn shortfall_distributions(e: &Evaluation, path: &Path) -> Result<()> {
    let names: Vec<String> = e.summaries.iter().map(|p| p.name.clone()).collect();
    let data: Vec<Vec<f64>> = e
        .outcomes
        .iter()
        .map(|rows| rows.iter().map(|o| o.is_bps).collect())
        .collect();
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for d in &data {
        let q = Quartiles::new(d).values();
        // Whisker ends, not outliers, set the range.
        lo = lo.min(f64::from(q[0]));
        hi = hi.max(f64::from(q[4]));
    }
    if !(lo.is_finite() && hi.is_finite()) {
        lo = -1.0;
        hi = 1.0;
    }
    let pad = 0.08 * (hi - lo).max(1e-6);
    let (lo, hi) = ((lo - pad) as f32, (hi + pad) as f32);
    let root = SVGBackend::new(path, (900, 520)).into_drawing_area();
    root.fill(&WHITE).map_err(|x| plot_err(path, x))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Implementation shortfall per episode (bps)",
            ("sans-serif", 22),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d((0..names.len()).into_segmented(), lo..hi)
        .map_err(|x| plot_err(path, x))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .y_desc("shortfall (bps)")
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => names.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .draw()
        .map_err(|x| plot_err(path, x))?;
    chart
        .draw_series(data.iter().enumerate().map(|(i, d)| {
            Boxplot::new_vertical(SegmentValue::CenterOf(i), &Quartiles::new(d))
                .width(30)
                .style(Palette99::pick(i).stroke_width(2))
        }))
        .map_err(|x| plot_err(path, x))?;
    root.present().map_err(|x| plot_err(path, x))?;
    Ok(())
}

/// Average remaining share of the parent against decision steps, one line per policy, and
/// the reference curve (dashed black) when the evaluation has one.
pub(super) fn inventory_trajectories(e: &Evaluation, path: &Path) -> Result<()> {
    let steps = e
        .details
        .first()
        .map(|d| d.mean_inventory.len().saturating_sub(1))
        .unwrap_or(1)
        .max(1);
    let root = SVGBackend::new(path, (900, 520)).into_drawing_area();
    root.fill(&WHITE).map_err(|x| plot_err(path, x))?;
    let mut chart = ChartBuilder::on(&root)
        .caption("Average inventory remaining", ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0f64..steps as f64, 0f64..1.02)
        .map_err(|x| plot_err(path, x))?;
    chart
        .configure_mesh()
        .x_desc("decision step")
        .y_desc("share of parent remaining")
        .draw()
        .map_err(|x| plot_err(path, x))?;
    for (i, (p, d)) in e.summaries.iter().zip(&e.details).enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(
                d.mean_inventory
                    .iter()
                    .enumerate()
                    .map(|(k, v)| (k as f64, *v)),
                color.stroke_width(2),
            ))
            .map_err(|x| plot_err(path, x))?
            .label(p.name.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
    }
    if let Some((label, curve)) = &e.reference_inventory {
        chart
            .draw_series(DashedLineSeries::new(
                curve.iter().enumerate().map(|(k, v)| (k as f64, *v)),
                6,
                4,
                BLACK.stroke_width(2),
            ))
            .map_err(|x| plot_err(path, x))?
            .label(label.clone())
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE.mix(0.9))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(|x| plot_err(path, x))?;
    root.present().map_err(|x| plot_err(path, x))?;
    Ok(())
}
