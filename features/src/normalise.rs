//! Normalisers: online z-score (Welford, and exponentially weighted) and rolling min–max,
//! column by column.
//!
//! Every normaliser is one online state machine used two ways:
//! - **fit / transform** (train/test): [`Normaliser::fit`] runs the online update over the
//!   training rows; [`Normaliser::transform`] then applies the *final* state unchanged to
//!   any rows (test data never moves the statistics).
//! - **online** ([`Normaliser::update_transform`]): each row is normalised with the state
//!   of the rows *before* it, then added; the output at a row never depends on that row or
//!   later ones.
//!
//! Degenerate statistics are defined, never NaN: a z-score with zero (or not yet defined)
//! standard deviation is 0, a min–max with `max = min` (or no rows yet) is 0.5.

use crate::error::{Error, Result};
use ndarray::{Array2, ArrayView2};
use std::collections::VecDeque;

/// A column-wise normaliser (see the [module documentation](self)).
///
/// # Design
/// One trait for batch and online use, because the two must agree: `fit` is the online
/// update run over the training rows and `transform` applies the state it ends in, so a
/// model trained offline sees exactly the scaling a live system would apply from the same
/// history. Rows are `&mut [f64]` for the streaming path and `ndarray` views for batches.
pub trait Normaliser {
    /// Columns, once known (from the first row or the fit).
    fn width(&self) -> Option<usize>;

    /// Adds one row to the statistics without transforming it.
    ///
    /// # Errors
    /// [`Error::WidthMismatch`]; [`Error::NonFiniteInput`] for NaN or infinity (row 0).
    fn update(&mut self, row: &[f64]) -> Result<()>;

    /// Normalises `row` in place with the current statistics.
    ///
    /// # Errors
    /// [`Error::NotFitted`] before any row was seen; [`Error::WidthMismatch`].
    fn transform_row(&self, row: &mut [f64]) -> Result<()>;

    /// Back to no rows seen.
    fn reset(&mut self);

    /// Normalises `row` with the statistics of the rows before it, then adds it.
    ///
    /// # Errors
    /// As [`Normaliser::update`].
    fn update_transform(&mut self, row: &mut [f64]) -> Result<()> {
        let original = row.to_vec();
        check_finite(&original, 0)?;
        if self.width().is_some() {
            self.transform_row(row)?;
        } else {
            row.iter_mut().for_each(|x| *x = self.neutral());
        }
        self.update(&original)
    }

    /// The output for a column without statistics.
    fn neutral(&self) -> f64;

    /// Resets, then adds every row of `train`.
    ///
    /// # Errors
    /// [`Error::EmptyFit`] for no rows, [`Error::NonFiniteInput`] naming the row and
    /// column of a NaN or infinity, [`Error::WidthMismatch`].
    fn fit(&mut self, train: ArrayView2<'_, f64>) -> Result<()> {
        if train.nrows() == 0 {
            return Err(Error::EmptyFit);
        }
        self.reset();
        let mut buf = vec![0.0; train.ncols()];
        for (r, row) in train.rows().into_iter().enumerate() {
            for (b, &x) in buf.iter_mut().zip(row.iter()) {
                *b = x;
            }
            check_finite(&buf, r)?;
            self.update(&buf)?;
        }
        Ok(())
    }

    /// Applies the current statistics to every row of `x` (a new matrix).
    ///
    /// # Errors
    /// As [`Normaliser::transform_row`].
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let mut out = x.to_owned();
        let mut buf = vec![0.0; x.ncols()];
        for mut row in out.rows_mut() {
            for (b, &v) in buf.iter_mut().zip(row.iter()) {
                *b = v;
            }
            self.transform_row(&mut buf)?;
            for (v, &b) in row.iter_mut().zip(buf.iter()) {
                *v = b;
            }
        }
        Ok(out)
    }
}

fn check_finite(row: &[f64], r: usize) -> Result<()> {
    match row.iter().position(|x| !x.is_finite()) {
        Some(c) => Err(Error::NonFiniteInput {
            column: c,
            row: r,
            value: row[c],
        }),
        None => Ok(()),
    }
}

fn check_width(expected: Option<usize>, got: usize, what: &'static str) -> Result<()> {
    match expected {
        Some(e) if e != got => Err(Error::WidthMismatch {
            what,
            expected: e,
            got,
        }),
        _ => Ok(()),
    }
}

/// Z-score with Welford's running mean and variance (Welford 1962, "Note on a method for
/// calculating corrected sums of squares and products", Technometrics 4(3)):
/// `z = (x − x̄) / s` with `s` the sample standard deviation (`n − 1` denominator) of every
/// row seen; 0 while `n < 2` or `s = 0`.
#[derive(Clone, Debug, Default)]
pub struct ZScore {
    n: u64,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl ZScore {
    /// An empty normaliser.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rows seen.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Column means.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// Column sample standard deviations (0 while fewer than two rows).
    pub fn std(&self) -> Vec<f64> {
        self.m2
            .iter()
            .map(|&m2| {
                if self.n > 1 {
                    (m2 / (self.n - 1) as f64).sqrt()
                } else {
                    0.0
                }
            })
            .collect()
    }
}

impl Normaliser for ZScore {
    fn width(&self) -> Option<usize> {
        (self.n > 0).then_some(self.mean.len())
    }
    fn update(&mut self, row: &[f64]) -> Result<()> {
        check_width(self.width(), row.len(), "z-score row")?;
        check_finite(row, 0)?;
        if self.n == 0 {
            self.mean = vec![0.0; row.len()];
            self.m2 = vec![0.0; row.len()];
        }
        self.n += 1;
        let n = self.n as f64;
        for ((m, s), &x) in self.mean.iter_mut().zip(self.m2.iter_mut()).zip(row) {
            let delta = x - *m;
            *m += delta / n;
            *s += delta * (x - *m);
        }
        Ok(())
    }
    fn transform_row(&self, row: &mut [f64]) -> Result<()> {
        let w = self.width().ok_or(Error::NotFitted)?;
        check_width(Some(w), row.len(), "z-score row")?;
        for ((x, m), s) in row.iter_mut().zip(&self.mean).zip(self.std()) {
            *x = if s > 0.0 { (*x - m) / s } else { 0.0 };
        }
        Ok(())
    }
    fn reset(&mut self) {
        *self = Self::default();
    }
    fn neutral(&self) -> f64 {
        0.0
    }
}

/// Z-score with exponentially weighted mean and variance, half-life `h` rows:
/// with `α = 1 − 2^(−1/h)`, `δ = x − μ`, `μ ← μ + αδ`, `v ← (1 − α)(v + αδ²)` (the
/// incremental form in Finch 2009, "Incremental calculation of weighted mean and
/// variance", Technical report, University of Cambridge), started at the first row (`μ = x₁`, `v = 0`); `z = (x − μ)/√v`, 0 while
/// `v = 0`.
#[derive(Clone, Debug)]
pub struct EwZScore {
    alpha: f64,
    half_life: f64,
    mean: Vec<f64>,
    var: Vec<f64>,
    seen: bool,
}

impl EwZScore {
    /// With a half-life of `half_life` rows.
    ///
    /// # Errors
    /// [`Error::InvalidNormaliser`] unless `half_life` is finite and > 0.
    pub fn new(half_life: f64) -> Result<Self> {
        if !(half_life.is_finite() && half_life > 0.0) {
            return Err(Error::InvalidNormaliser {
                reason: format!("half-life must be finite and > 0, got {half_life}"),
            });
        }
        Ok(Self {
            alpha: 1.0 - (-1.0 / half_life).exp2(),
            half_life,
            mean: Vec::new(),
            var: Vec::new(),
            seen: false,
        })
    }

    /// The half-life in rows.
    pub fn half_life(&self) -> f64 {
        self.half_life
    }

    /// Column EW means.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// Column EW variances.
    pub fn variance(&self) -> &[f64] {
        &self.var
    }
}

impl Normaliser for EwZScore {
    fn width(&self) -> Option<usize> {
        self.seen.then_some(self.mean.len())
    }
    fn update(&mut self, row: &[f64]) -> Result<()> {
        check_width(self.width(), row.len(), "EW z-score row")?;
        check_finite(row, 0)?;
        if !self.seen {
            self.mean = row.to_vec();
            self.var = vec![0.0; row.len()];
            self.seen = true;
            return Ok(());
        }
        let a = self.alpha;
        for ((m, v), &x) in self.mean.iter_mut().zip(self.var.iter_mut()).zip(row) {
            let delta = x - *m;
            let incr = a * delta;
            *m += incr;
            *v = (1.0 - a) * (*v + delta * incr);
        }
        Ok(())
    }
    fn transform_row(&self, row: &mut [f64]) -> Result<()> {
        let w = self.width().ok_or(Error::NotFitted)?;
        check_width(Some(w), row.len(), "EW z-score row")?;
        for ((x, m), v) in row.iter_mut().zip(&self.mean).zip(&self.var) {
            *x = if *v > 0.0 { (*x - m) / v.sqrt() } else { 0.0 };
        }
        Ok(())
    }
    fn reset(&mut self) {
        self.mean.clear();
        self.var.clear();
        self.seen = false;
    }
    fn neutral(&self) -> f64 {
        0.0
    }
}

/// Min–max scaling over the last `window` rows: `(x − min) / (max − min)`, 0.5 when
/// `max = min`. Test rows outside the fitted range map outside `[0, 1]` (no clipping, so
/// the model sees the excursion). Monotonic deques keep min and max in amortised `O(1)`
/// per row (the "ascending minima" algorithm).
#[derive(Clone, Debug)]
pub struct RollingMinMax {
    window: usize,
    index: u64,
    /// Per column: candidates for the minimum and the maximum, (row, value).
    mins: Vec<VecDeque<(u64, f64)>>,
    maxs: Vec<VecDeque<(u64, f64)>>,
}

impl RollingMinMax {
    /// Over the last `window` rows.
    ///
    /// # Errors
    /// [`Error::InvalidNormaliser`] for a zero window.
    pub fn new(window: usize) -> Result<Self> {
        if window == 0 {
            return Err(Error::InvalidNormaliser {
                reason: "rolling min-max window must be >= 1".into(),
            });
        }
        Ok(Self {
            window,
            index: 0,
            mins: Vec::new(),
            maxs: Vec::new(),
        })
    }

    /// Column minima and maxima of the current window.
    pub fn range(&self) -> Vec<(f64, f64)> {
        self.mins
            .iter()
            .zip(&self.maxs)
            .map(|(a, b)| {
                (
                    a.front().map_or(0.0, |e| e.1),
                    b.front().map_or(0.0, |e| e.1),
                )
            })
            .collect()
    }
}

impl Normaliser for RollingMinMax {
    fn width(&self) -> Option<usize> {
        (self.index > 0).then_some(self.mins.len())
    }
    fn update(&mut self, row: &[f64]) -> Result<()> {
        check_width(self.width(), row.len(), "min-max row")?;
        check_finite(row, 0)?;
        if self.index == 0 {
            self.mins = vec![VecDeque::new(); row.len()];
            self.maxs = vec![VecDeque::new(); row.len()];
        }
        let i = self.index;
        let oldest = (i + 1).saturating_sub(self.window as u64);
        for ((mins, maxs), &x) in self.mins.iter_mut().zip(self.maxs.iter_mut()).zip(row) {
            while mins.back().is_some_and(|e| e.1 >= x) {
                mins.pop_back();
            }
            mins.push_back((i, x));
            while maxs.back().is_some_and(|e| e.1 <= x) {
                maxs.pop_back();
            }
            maxs.push_back((i, x));
            while mins.front().is_some_and(|e| e.0 < oldest) {
                mins.pop_front();
            }
            while maxs.front().is_some_and(|e| e.0 < oldest) {
                maxs.pop_front();
            }
        }
        self.index += 1;
        Ok(())
    }
    fn transform_row(&self, row: &mut [f64]) -> Result<()> {
        let w = self.width().ok_or(Error::NotFitted)?;
        check_width(Some(w), row.len(), "min-max row")?;
        for (x, (lo, hi)) in row.iter_mut().zip(self.range()) {
            *x = if hi > lo { (*x - lo) / (hi - lo) } else { 0.5 };
        }
        Ok(())
    }
    fn reset(&mut self) {
        self.index = 0;
        self.mins.clear();
        self.maxs.clear();
    }
    fn neutral(&self) -> f64 {
        0.5
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn welford_matches_the_textbook_mean_and_sample_deviation() {
        let train = array![[1.0, 10.0], [2.0, 10.0], [3.0, 10.0], [4.0, 10.0]];
        let mut z = ZScore::new();
        z.fit(train.view()).unwrap();
        assert_eq!(z.mean(), &[2.5, 10.0]);
        // sample variance of 1..4 is 5/3
        assert!((z.std()[0] - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
        let out = z.transform(array![[4.0, 11.0]].view()).unwrap();
        assert!((out[[0, 0]] - 1.5 / (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(out[[0, 1]], 0.0, "a constant column maps to 0");
        // transform does not move the statistics
        assert_eq!(z.count(), 4);
    }

    #[test]
    fn ew_z_score_matches_the_weighted_definition() {
        // h = 1: alpha = 1/2; weights of x0, x1, x2 are 1/4, 1/4, 1/2
        let mut z = EwZScore::new(1.0).unwrap();
        z.fit(array![[2.0], [4.0], [8.0]].view()).unwrap();
        let mean = 0.25 * 2.0 + 0.25 * 4.0 + 0.5 * 8.0;
        let var = 0.25 * (2.0f64 - mean).powi(2)
            + 0.25 * (4.0f64 - mean).powi(2)
            + 0.5 * (8.0f64 - mean).powi(2);
        assert!((z.mean()[0] - mean).abs() < 1e-12);
        assert!(
            (z.variance()[0] - var).abs() < 1e-12,
            "{:?} vs {var}",
            z.variance()
        );
        assert!(EwZScore::new(0.0).is_err());
    }

    #[test]
    fn rolling_min_max_tracks_the_window_and_fits_then_freezes() {
        let mut mm = RollingMinMax::new(2).unwrap();
        mm.fit(array![[5.0], [1.0], [3.0]].view()).unwrap();
        // last two rows: 1 and 3
        assert_eq!(mm.range(), vec![(1.0, 3.0)]);
        let out = mm.transform(array![[2.0], [5.0]].view()).unwrap();
        assert_eq!(out, array![[0.5], [2.0]]);
        // online: each row scaled by the rows before it
        let mut online = RollingMinMax::new(2).unwrap();
        let mut outs = Vec::new();
        for x in [5.0, 1.0, 3.0, 3.0] {
            let mut r = [x];
            online.update_transform(&mut r).unwrap();
            outs.push(r[0]);
        }
        // row0: none -> 0.5; row1: window {5} -> 0.5; row2: {5,1} -> 0.5; row3: {1,3} -> 1
        assert_eq!(outs, vec![0.5, 0.5, 0.5, 1.0]);
    }

    #[test]
    fn bad_input_is_an_error_naming_the_place() {
        let mut z = ZScore::new();
        assert!(matches!(z.transform_row(&mut [1.0]), Err(Error::NotFitted)));
        let e = z
            .fit(array![[1.0, 2.0], [f64::NAN, 1.0]].view())
            .unwrap_err();
        assert!(
            matches!(
                e,
                Error::NonFiniteInput {
                    row: 1,
                    column: 0,
                    ..
                }
            ),
            "{e}"
        );
        z.fit(array![[1.0, 2.0]].view()).unwrap();
        assert!(matches!(
            z.transform_row(&mut [1.0]),
            Err(Error::WidthMismatch {
                expected: 2,
                got: 1,
                ..
            })
        ));
        assert!(matches!(
            z.fit(Array2::<f64>::zeros((0, 2)).view()),
            Err(Error::EmptyFit)
        ));
        assert!(RollingMinMax::new(0).is_err());
    }
}
