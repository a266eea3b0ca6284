//! Reader for the FI-2010 limit-order-book benchmark (Ntakaris, Magris, Kanniainen,
//! Gabbouj & Iosifidis 2018, "Benchmark dataset for mid-price forecasting of limit order
//! book data with machine learning methods", *Journal of Forecasting* 37(8)).
//!
//! The official text files (e.g. `Train_Dst_NoAuction_ZScore_CF_7.txt`) hold one matrix of
//! 149 whitespace-separated rows by one column per sample: rows 1–144 are the features (the
//! paper's hand-crafted LOB features), rows 145–149 are the labels for the prediction
//! horizons k = 10, 20, 30, 50 and 100 events, with values 1, 2 and 3 (up, stationary,
//! down in the dataset's coding). This reader turns the matrix into samples × features and
//! maps the labels to class indices 0, 1, 2. The data are not redistributed here.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};

use crate::error::{Error, Result};
use crate::model::{OwnedDataset, Task};

/// Number of feature rows in an FI-2010 file.
pub const FI2010_FEATURES: usize = 144;

/// Prediction horizons (in events) of the five label rows, in file order.
pub const FI2010_HORIZONS: [usize; 5] = [10, 20, 30, 50, 100];

const ROWS: usize = FI2010_FEATURES + FI2010_HORIZONS.len();

/// One FI-2010 file: features (samples × 144) and the five label series as class indices.
#[derive(Debug, Clone, PartialEq)]
pub struct Fi2010 {
    /// The file it came from.
    pub path: PathBuf,
    /// Features, one row per sample.
    pub features: Array2<f64>,
    /// `labels[h][i]`: class (0 = label 1, 1 = label 2, 2 = label 3) of sample `i` at
    /// horizon `FI2010_HORIZONS[h]`.
    pub labels: [Vec<u8>; 5],
}

impl Fi2010 {
    /// Number of samples.
    pub fn n_samples(&self) -> usize {
        self.features.nrows()
    }

    /// The labels at `horizon` (one of [`FI2010_HORIZONS`]) as class indices in `f64`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a horizon not in the file.
    pub fn labels_at(&self, horizon: usize) -> Result<Array1<f64>> {
        let h = FI2010_HORIZONS
            .iter()
            .position(|&k| k == horizon)
            .ok_or_else(|| Error::InvalidParameter {
                name: "horizon",
                value: horizon.to_string(),
                allowed: "one of 10, 20, 30, 50, 100",
            })?;
        Ok(self.labels[h].iter().map(|&c| f64::from(c)).collect())
    }

    /// A three-class dataset (features and labels at `horizon`) for the crate's learners.
    ///
    /// # Errors
    /// As [`Fi2010::labels_at`], or as [`OwnedDataset::view`] (e.g. a single class).
    pub fn dataset(&self, horizon: usize) -> Result<OwnedDataset> {
        let d = OwnedDataset {
            features: self.features.clone(),
            labels: self.labels_at(horizon)?,
            weights: None,
            task: Task::Multiclass { n_classes: 3 },
        };
        d.view()?;
        Ok(d)
    }
}

/// Reads one official FI-2010 text file.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::Parse`] naming the file, line and
/// column for a field that is not a finite number, a line with a different number of
/// fields than the first, a label other than 1, 2 or 3, or a file without exactly 149
/// non-empty lines.
pub fn load_fi2010(path: impl AsRef<Path>) -> Result<Fi2010> {
    let path = path.as_ref();
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let parse = |line: usize, column: usize, reason: String| Error::Parse {
        path: path.to_path_buf(),
        line,
        column,
        reason,
    };
    let reader = BufReader::new(File::open(path).map_err(io)?);
    let mut features: Option<Array2<f64>> = None;
    let mut labels: [Vec<u8>; 5] = Default::default();
    let mut row = 0usize;
    for (idx, line) in reader.lines().enumerate() {
        let line_no = idx + 1;
        let line = line.map_err(io)?;
        if line.trim().is_empty() {
            continue;
        }
        if row >= ROWS {
            return Err(parse(
                line_no,
                1,
                format!("more than {ROWS} rows (144 features + 5 labels)"),
            ));
        }
        let mut values = Vec::new();
        for (col, field) in line.split_whitespace().enumerate() {
            let v: f64 = field.parse().map_err(|_| {
                parse(
                    line_no,
                    col + 1,
                    format!("expected a number, got {field:?}"),
                )
            })?;
            if !v.is_finite() {
                return Err(parse(
                    line_no,
                    col + 1,
                    format!("non-finite value {field:?}"),
                ));
            }
            values.push(v);
        }
        let n = features.as_ref().map_or(values.len(), |f| f.nrows());
        if values.len() != n {
            return Err(parse(
                line_no,
                values.len().min(n) + 1,
                format!("{} fields, but the first row has {n} samples", values.len()),
            ));
        }
        let f = features.get_or_insert_with(|| Array2::zeros((n, FI2010_FEATURES)));
        if row < FI2010_FEATURES {
            for (i, v) in values.into_iter().enumerate() {
                f[[i, row]] = v;
            }
        } else {
            let h = row - FI2010_FEATURES;
            labels[h] = values
                .iter()
                .enumerate()
                .map(|(col, &v)| {
                    if v == 1.0 || v == 2.0 || v == 3.0 {
                        Ok(v as u8 - 1)
                    } else {
                        Err(parse(
                            line_no,
                            col + 1,
                            format!(
                                "label for horizon k = {} must be 1, 2 or 3, got {v}",
                                FI2010_HORIZONS[h]
                            ),
                        ))
                    }
                })
                .collect::<Result<_>>()?;
        }
        row += 1;
    }
    if row != ROWS {
        return Err(parse(
            row + 1,
            1,
            format!(
                "found {row} non-empty rows, an FI-2010 file has {ROWS} (144 features + 5 labels)"
            ),
        ));
    }
    Ok(Fi2010 {
        path: path.to_path_buf(),
        features: features.expect("invariant: 149 rows were read"),
        labels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Writes a file of 149 rows × 3 samples where feature row r of sample s holds
    /// `r + s / 10` and the label rows hold `labels`.
    fn write_file(
        name: &str,
        labels: [[&str; 3]; 5],
        tweak: impl Fn(usize, &mut Vec<String>),
    ) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("shortfall-fi2010-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        let mut f = File::create(&path).unwrap();
        for r in 0..ROWS {
            let mut fields: Vec<String> = if r < FI2010_FEATURES {
                (0..3)
                    .map(|s| format!("{:.7e}", r as f64 + s as f64 / 10.0))
                    .collect()
            } else {
                labels[r - FI2010_FEATURES]
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            };
            tweak(r, &mut fields);
            writeln!(f, "  {}", fields.join("   ")).unwrap();
        }
        path
    }

    const GOOD: [[&str; 3]; 5] = [
        ["1.0000000e+00", "2.0000000e+00", "3.0000000e+00"],
        ["2", "2", "1"],
        ["3", "3", "3"],
        ["1", "1", "2"],
        ["2", "3", "1"],
    ];

    #[test]
    fn reads_features_transposed_and_labels_as_classes() {
        let path = write_file("good.txt", GOOD, |_, _| {});
        let d = load_fi2010(&path).unwrap();
        assert_eq!(d.features.dim(), (3, 144));
        assert_eq!(d.features[[2, 5]], 5.2);
        assert_eq!(d.features[[0, 143]], 143.0);
        assert_eq!(d.labels[0], vec![0, 1, 2]);
        assert_eq!(d.labels_at(100).unwrap().to_vec(), vec![1.0, 2.0, 0.0]);
        let ds = d.dataset(10).unwrap();
        assert_eq!(ds.task, Task::Multiclass { n_classes: 3 });
        // Horizon 30 is all "3": one class only.
        assert!(matches!(
            d.dataset(30),
            Err(Error::SingleClass { class: 2 })
        ));
        assert!(matches!(
            d.labels_at(40),
            Err(Error::InvalidParameter {
                name: "horizon",
                ..
            })
        ));
    }

    #[test]
    fn a_bad_number_names_file_line_and_column() {
        let path = write_file("bad_number.txt", GOOD, |r, f| {
            if r == 6 {
                f[1] = "1.2.3".into();
            }
        });
        let err = load_fi2010(&path).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Parse {
                    line: 7,
                    column: 2,
                    ..
                }
            ),
            "{err}"
        );
        let msg = err.to_string();
        assert!(
            msg.contains("bad_number.txt") && msg.contains("line 7, column 2"),
            "{msg}"
        );
        let path = write_file("nan.txt", GOOD, |r, f| {
            if r == 0 {
                f[2] = "NaN".into();
            }
        });
        assert!(matches!(
            load_fi2010(&path),
            Err(Error::Parse {
                line: 1,
                column: 3,
                ..
            })
        ));
    }

    #[test]
    fn ragged_rows_bad_labels_and_wrong_row_counts_are_errors() {
        let path = write_file("ragged.txt", GOOD, |r, f| {
            if r == 10 {
                f.pop();
            }
        });
        assert!(matches!(
            load_fi2010(&path),
            Err(Error::Parse { line: 11, .. })
        ));
        let mut bad = GOOD;
        bad[3] = ["1", "4", "2"];
        let path = write_file("label.txt", bad, |_, _| {});
        let err = load_fi2010(&path).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Parse {
                    line: 148,
                    column: 2,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("k = 50"));
        let path = write_file("short.txt", GOOD, |_, _| {});
        let text = std::fs::read_to_string(&path).unwrap();
        let cut: Vec<&str> = text.lines().take(100).collect();
        std::fs::write(&path, cut.join("\n")).unwrap();
        assert!(matches!(
            load_fi2010(&path),
            Err(Error::Parse { line: 101, .. })
        ));
        assert!(matches!(
            load_fi2010(path.with_file_name("missing.txt")),
            Err(Error::Io { .. })
        ));
    }
}
