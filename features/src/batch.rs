//! The batch API: a replay or simulation (an iterator of `(event, book)` pairs, or a
//! caller-driven loop) into `ndarray` matrices of features, labels and timestamps.

use crate::error::{Error, Result};
use crate::labels::LabelSpec;
use crate::pipeline::FeaturePipeline;
use ndarray::{Array1, Array2};
use shortfall_core::{BookView, MarketEvent};
use std::borrow::Borrow;
use std::io::Write;

/// Collects one feature row per event, checks it for NaN and infinities, and at the end
/// computes labels from the carried mids.
///
/// ```
/// use shortfall_core::{MarketEvent, Price, PriceLevel, Qty, Side, Ts};
/// use shortfall_features::{BookSnapshot, DatasetBuilder, FeaturePipeline, LabelSpec};
///
/// let pipeline = FeaturePipeline::from_toml("[[features]]\nkind = \"mid\"")?;
/// let mut builder = DatasetBuilder::new(pipeline, vec![LabelSpec::FutureReturn { horizon: 1 }])?;
/// let lv = |p, q| PriceLevel { price: Price(p), qty: Qty(q) };
/// for (t, ask) in [(1, 102), (2, 104), (3, 106)] {
///     let book = BookSnapshot::<1>::from_levels(&[lv(100, 1)], &[lv(ask, 1)]);
///     let event = MarketEvent::Level { ts: Ts(t), side: Side::Sell, price: Price(ask), qty: Qty(1) };
///     builder.push(&event, &book)?;
/// }
/// let data = builder.finish()?;
/// // the last row has no future mid, so it is dropped
/// assert_eq!(data.features.column(0).to_vec(), vec![101.0, 102.0]);
/// assert_eq!(data.timestamps.to_vec(), vec![1, 2]);
/// # Ok::<(), shortfall_features::Error>(())
/// ```
#[derive(Debug)]
pub struct DatasetBuilder {
    pipeline: FeaturePipeline,
    labels: Vec<LabelSpec>,
    values: Vec<f64>,
    timestamps: Vec<i64>,
    mids: Vec<Option<f64>>,
    row: Vec<f64>,
}

impl DatasetBuilder {
    /// A builder that runs `pipeline` and computes `labels` at the end.
    ///
    /// # Errors
    /// [`Error::InvalidLabel`] for a label with bad parameters;
    /// [`Error::DuplicateName`] when two labels share a name.
    pub fn new(pipeline: FeaturePipeline, labels: Vec<LabelSpec>) -> Result<Self> {
        let mut seen = std::collections::HashSet::new();
        for l in &labels {
            l.validate()?;
            if !seen.insert(l.name()) {
                return Err(Error::DuplicateName { name: l.name() });
            }
        }
        let width = pipeline.width();
        Ok(Self {
            pipeline,
            labels,
            values: Vec::new(),
            timestamps: Vec::new(),
            mids: Vec::new(),
            row: vec![0.0; width],
        })
    }

    /// Reserves room for `rows` more rows.
    pub fn reserve(&mut self, rows: usize) {
        self.values.reserve(rows * self.row.len());
        self.timestamps.reserve(rows);
        self.mids.reserve(rows);
    }

    /// Rows so far.
    pub fn rows(&self) -> usize {
        self.timestamps.len()
    }

    /// The pipeline (its names and carried mid).
    pub fn pipeline(&self) -> &FeaturePipeline {
        &self.pipeline
    }

    /// The row just pushed (the zero row before the first push).
    pub fn last_row(&self) -> &[f64] {
        &self.row
    }

    /// One event and the book after it: one row.
    ///
    /// # Errors
    /// [`Error::NonFinite`] naming the feature, its column and the row when a feature
    /// produced NaN or an infinity (the row is not kept).
    #[inline]
    pub fn push<B: BookView + ?Sized>(&mut self, event: &MarketEvent, book: &B) -> Result<()> {
        self.pipeline.update(event, book, &mut self.row)?;
        if let Some(column) = self.row.iter().position(|x| !x.is_finite()) {
            return Err(Error::NonFinite {
                feature: self.pipeline.names()[column].clone(),
                column,
                row: self.timestamps.len(),
                value: self.row[column],
            });
        }
        self.values.extend_from_slice(&self.row);
        self.timestamps.push(event.ts().0);
        self.mids.push(self.pipeline.mid());
        Ok(())
    }

    /// Pushes every `(event, book)` pair (a recorded replay or simulation).
    ///
    /// # Errors
    /// As [`DatasetBuilder::push`], stopping at the first.
    pub fn extend<I, E, B>(&mut self, pairs: I) -> Result<()>
    where
        I: IntoIterator<Item = (E, B)>,
        E: Borrow<MarketEvent>,
        B: BookView,
    {
        for (event, book) in pairs {
            self.push(event.borrow(), &book)?;
        }
        Ok(())
    }

    /// The matrices: every row when there are no labels, else only rows where every label
    /// is defined (the first rows lack a mid or a past window, the last `max horizon`
    /// rows a future).
    ///
    /// # Panics
    /// Never: the row storage always holds `rows × width` values.
    pub fn finish(self) -> Result<Dataset> {
        let width = self.row.len();
        let n = self.timestamps.len();
        let label_values: Vec<Vec<Option<f64>>> =
            self.labels.iter().map(|l| l.compute(&self.mids)).collect();
        let keep: Vec<usize> = (0..n)
            .filter(|&r| label_values.iter().all(|col| col[r].is_some()))
            .collect();
        let all = Array2::from_shape_vec((n, width), self.values)
            .expect("invariant: rows x width values were stored");
        let features = all.select(ndarray::Axis(0), &keep);
        let mut labels = Array2::zeros((keep.len(), self.labels.len()));
        for (j, col) in label_values.iter().enumerate() {
            for (i, &r) in keep.iter().enumerate() {
                labels[[i, j]] = col[r].unwrap_or_default();
            }
        }
        Ok(Dataset {
            feature_names: self.pipeline.names().to_vec(),
            label_names: self.labels.iter().map(LabelSpec::name).collect(),
            features,
            labels,
            timestamps: keep.iter().map(|&r| self.timestamps[r]).collect(),
            mids: keep
                .iter()
                .map(|&r| self.mids[r].unwrap_or_default())
                .collect(),
            rows: Array1::from(keep),
            events: n,
        })
    }
}

/// Feature, label and timestamp matrices, row-aligned.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Feature column names.
    pub feature_names: Vec<String>,
    /// Label column names.
    pub label_names: Vec<String>,
    /// `rows × features`.
    pub features: Array2<f64>,
    /// `rows × labels`.
    pub labels: Array2<f64>,
    /// Event timestamps (ns) of the rows.
    pub timestamps: Array1<i64>,
    /// The carried mid (ticks) at each row, 0 where undefined.
    pub mids: Array1<f64>,
    /// The event number (0-based) of each row.
    pub rows: Array1<usize>,
    /// Events pushed (rows before dropping unlabelled ones).
    pub events: usize,
}

impl Dataset {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.features.nrows()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes `ts_ns`, the features and the labels as CSV with a header row.
    ///
    /// # Errors
    /// The writer's I/O errors.
    pub fn write_csv<W: Write>(&self, mut w: W) -> std::io::Result<()> {
        write!(w, "ts_ns")?;
        for name in self.feature_names.iter().chain(&self.label_names) {
            write!(w, ",{name}")?;
        }
        writeln!(w)?;
        for ((ts, f), l) in self
            .timestamps
            .iter()
            .zip(self.features.rows())
            .zip(self.labels.rows())
        {
            write!(w, "{ts}")?;
            for x in f.iter().chain(l.iter()) {
                write!(w, ",{x}")?;
            }
            writeln!(w)?;
        }
        Ok(())
    }
}
