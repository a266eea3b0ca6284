//! SVG reliability diagrams (feature `plots`, on by default): predicted probability on the
//! x axis, observed frequency on the y axis, the diagonal for perfect calibration, one line
//! per model. SVG only, drawn by plotters without system fonts.

use std::path::Path;

use plotters::prelude::*;

use super::calibration::CalibrationCurve;
use crate::error::{Error, Result};

fn plot_err(e: impl std::fmt::Debug) -> Error {
    Error::Plot {
        reason: format!("{e:?}"),
    }
}

const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// Draws the reliability curves `(label, curve)` as an SVG document and returns it.
/// Empty bins are skipped; each label carries its expected calibration error.
///
/// # Errors
/// [`Error::Plot`] when drawing fails, [`Error::TooFewRows`] for no curves.
pub fn calibration_svg(title: &str, curves: &[(&str, &CalibrationCurve)]) -> Result<String> {
    if curves.is_empty() {
        return Err(Error::TooFewRows {
            what: "calibration plot curves".into(),
            rows: 0,
            needed: 1,
        });
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 560)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..1f64, 0f64..1f64)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_desc("mean predicted probability")
            .y_desc("observed frequency")
            .draw()
            .map_err(plot_err)?;
        chart
            .draw_series(LineSeries::new([(0.0, 0.0), (1.0, 1.0)], BLACK.mix(0.4)))
            .map_err(plot_err)?
            .label("perfectly calibrated")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.mix(0.4)));
        for (i, (label, curve)) in curves.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            let points: Vec<(f64, f64)> = curve
                .bins
                .iter()
                .filter(|b| b.count > 0)
                .map(|b| (b.mean_predicted, b.observed_frequency))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
                .map_err(plot_err)?
                .label(format!(
                    "{label} (ECE {:.3})",
                    curve.expected_calibration_error
                ))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour));
            chart
                .draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 3, colour.filled())),
                )
                .map_err(plot_err)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

/// [`calibration_svg`] written to `path`.
///
/// # Errors
/// As [`calibration_svg`], or [`Error::Io`] when the file cannot be written.
pub fn write_calibration_svg(
    path: impl AsRef<Path>,
    title: &str,
    curves: &[(&str, &CalibrationCurve)],
) -> Result<()> {
    let svg = calibration_svg(title, curves)?;
    std::fs::write(path.as_ref(), svg).map_err(|source| Error::Io {
        path: path.as_ref().to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::calibration_curve;

    #[test]
    fn svg_has_the_title_labels_and_one_point_per_non_empty_bin() {
        let p = [0.05, 0.15, 0.45, 0.55, 0.95];
        let y = [false, true, false, true, true];
        let c = calibration_curve(&y, &p, 10).unwrap();
        let svg = calibration_svg("Reliability of test", &[("logistic", &c)]).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("Reliability of test"));
        assert!(svg.contains("logistic (ECE"));
        assert!(svg.contains("mean predicted probability"));
        assert_eq!(
            svg.matches("<circle").count(),
            5,
            "one marker per non-empty bin"
        );
        assert!(calibration_svg("x", &[]).is_err());
    }
}
