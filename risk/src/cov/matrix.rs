//! Small dense square matrices and their Cholesky factorisation — enough linear algebra for
//! covariance matrices of a handful to a few hundred assets, with no external dependency.
#![allow(clippy::needless_range_loop)] // index loops read like the formulas (lᵢⱼ, qᵢⱼ)

use crate::error::{Error, Result};

/// A dense square matrix, stored row-major.
///
/// ```
/// use shortfall_risk::cov::Matrix;
/// # fn main() -> shortfall_risk::Result<()> {
/// let a = Matrix::from_rows(&[vec![4.0, 2.0], vec![2.0, 3.0]])?;
/// let chol = a.cholesky("example")?;
/// assert!((chol.determinant() - 8.0).abs() < 1e-12);
/// let inv = chol.inverse();
/// assert!((inv.get(0, 0) - 3.0 / 8.0).abs() < 1e-12);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    dim: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// The `dim`×`dim` zero matrix.
    pub fn zeros(dim: usize) -> Self {
        Self {
            dim,
            data: vec![0.0; dim * dim],
        }
    }

    /// The `dim`×`dim` identity.
    pub fn identity(dim: usize) -> Self {
        let mut m = Self::zeros(dim);
        for i in 0..dim {
            m.data[i * dim + i] = 1.0;
        }
        m
    }

    /// A matrix from its rows.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when a row's length differs from the number of rows,
    /// [`Error::NonFinite`] at the first NaN or infinity (index in row-major order).
    pub fn from_rows(rows: &[Vec<f64>]) -> Result<Self> {
        let dim = rows.len();
        let mut data = Vec::with_capacity(dim * dim);
        for row in rows {
            if row.len() != dim {
                return Err(Error::LengthMismatch {
                    what: "matrix row",
                    got: row.len(),
                    expected: dim,
                });
            }
            data.extend_from_slice(row);
        }
        Self::from_row_major(dim, data)
    }

    /// A matrix from `dim`² values in row-major order.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] unless `data.len() == dim²`, [`Error::NonFinite`] at the
    /// first NaN or infinity.
    pub fn from_row_major(dim: usize, data: Vec<f64>) -> Result<Self> {
        if data.len() != dim * dim {
            return Err(Error::LengthMismatch {
                what: "matrix data (row-major)",
                got: data.len(),
                expected: dim * dim,
            });
        }
        crate::error::check_finite("matrix entries (row-major)", &data)?;
        Ok(Self { dim, data })
    }

    /// Number of rows (= columns).
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Entry (i, j).
    ///
    /// # Panics
    /// If `i` or `j` is not below [`Matrix::dim`].
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> f64 {
        assert!(
            i < self.dim && j < self.dim,
            "index ({i}, {j}) out of range"
        );
        self.data[i * self.dim + j]
    }

    /// Row-major entries.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// Row `i`.
    ///
    /// # Panics
    /// If `i` is not below [`Matrix::dim`].
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// The diagonal.
    pub fn diagonal(&self) -> Vec<f64> {
        (0..self.dim).map(|i| self.data[i * self.dim + i]).collect()
    }

    /// Sum of the diagonal.
    pub fn trace(&self) -> f64 {
        (0..self.dim).map(|i| self.data[i * self.dim + i]).sum()
    }

    /// Frobenius norm √(Σᵢⱼ aᵢⱼ²).
    pub fn frobenius_norm(&self) -> f64 {
        self.data.iter().map(|v| v * v).sum::<f64>().sqrt()
    }

    /// Frobenius norm of `self − other`.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when the dimensions differ.
    pub fn frobenius_distance(&self, other: &Matrix) -> Result<f64> {
        self.same_dim(other, "other matrix")?;
        Ok(self
            .data
            .iter()
            .zip(&other.data)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt())
    }

    /// The largest |aᵢⱼ − aⱼᵢ|.
    pub fn asymmetry(&self) -> f64 {
        let n = self.dim;
        let mut worst = 0.0_f64;
        for i in 0..n {
            for j in 0..i {
                worst = worst.max((self.data[i * n + j] - self.data[j * n + i]).abs());
            }
        }
        worst
    }

    /// The correlation matrix D^{-1/2}·A·D^{-1/2} with D = diag(A).
    ///
    /// # Errors
    /// [`Error::NotPositiveDefinite`] naming the first non-positive diagonal entry.
    pub fn correlation(&self, what: &'static str) -> Result<Matrix> {
        let n = self.dim;
        let mut inv_sd = Vec::with_capacity(n);
        for i in 0..n {
            let d = self.data[i * n + i];
            if d.is_nan() || d <= 0.0 {
                return Err(Error::NotPositiveDefinite {
                    what,
                    pivot: i,
                    value: d,
                });
            }
            inv_sd.push(1.0 / d.sqrt());
        }
        let mut out = self.clone();
        for i in 0..n {
            for j in 0..n {
                out.data[i * n + j] *= inv_sd[i] * inv_sd[j];
            }
            out.data[i * n + i] = 1.0;
        }
        Ok(out)
    }

    /// The Cholesky factorisation A = L·Lᵀ (Cholesky–Banachiewicz order). `what` names the
    /// matrix in the error.
    ///
    /// Only the lower triangle is read. A pivot dᵢ = aᵢᵢ − Σ_{j<i} lᵢⱼ² that is not finite or
    /// not above n·ε·max|aᵢᵢ| (the rounding level of the diagonal) fails: such a matrix is
    /// not positive definite, or so close to singular that its inverse is meaningless.
    ///
    /// # Errors
    /// [`Error::NotPositiveDefinite`] with the index and value of the failing pivot.
    pub fn cholesky(&self, what: &'static str) -> Result<Cholesky> {
        let n = self.dim;
        let a = &self.data;
        let scale = (0..n).fold(0.0_f64, |m, i| m.max(a[i * n + i].abs()));
        let floor = n as f64 * f64::EPSILON * scale;
        let mut l = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..=i {
                let mut v = a[i * n + j];
                for k in 0..j {
                    v -= l[i * n + k] * l[j * n + k];
                }
                if i == j {
                    if !v.is_finite() || v <= floor {
                        return Err(Error::NotPositiveDefinite {
                            what,
                            pivot: i,
                            value: v,
                        });
                    }
                    l[i * n + i] = v.sqrt();
                } else {
                    l[i * n + j] = v / l[j * n + j];
                }
            }
        }
        Ok(Cholesky { dim: n, l })
    }

    pub(crate) fn same_dim(&self, other: &Matrix, what: &'static str) -> Result<()> {
        if other.dim != self.dim {
            return Err(Error::LengthMismatch {
                what,
                got: other.dim,
                expected: self.dim,
            });
        }
        Ok(())
    }

    pub(crate) fn data_mut(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// A matrix from data already known to be finite and of length dim².
    pub(crate) fn from_parts(dim: usize, data: Vec<f64>) -> Self {
        debug_assert_eq!(data.len(), dim * dim);
        Self { dim, data }
    }
}

/// The Cholesky factor L (lower triangular, positive diagonal) of a symmetric positive
/// definite matrix A = L·Lᵀ; built by [`Matrix::cholesky`].
#[derive(Debug, Clone, PartialEq)]
pub struct Cholesky {
    dim: usize,
    l: Vec<f64>,
}

impl Cholesky {
    /// The dimension of A.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// L as a matrix (zeros above the diagonal).
    pub fn lower(&self) -> Matrix {
        Matrix::from_parts(self.dim, self.l.clone())
    }

    /// ln det A = 2 Σᵢ ln lᵢᵢ.
    pub fn log_determinant(&self) -> f64 {
        2.0 * (0..self.dim)
            .map(|i| self.l[i * self.dim + i].ln())
            .sum::<f64>()
    }

    /// det A = Πᵢ lᵢᵢ².
    pub fn determinant(&self) -> f64 {
        (0..self.dim)
            .map(|i| {
                let d = self.l[i * self.dim + i];
                d * d
            })
            .product()
    }

    /// z = L⁻¹·b (forward substitution), in place.
    pub(crate) fn forward_in_place(&self, b: &mut [f64]) {
        let n = self.dim;
        for i in 0..n {
            let mut v = b[i];
            for k in 0..i {
                v -= self.l[i * n + k] * b[k];
            }
            b[i] = v / self.l[i * n + i];
        }
    }

    /// bᵀA⁻¹b = |L⁻¹b|², without forming A⁻¹.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] unless `b.len()` is the dimension.
    pub fn inverse_quadratic_form(&self, b: &[f64]) -> Result<f64> {
        self.check_len(b.len())?;
        let mut z = b.to_vec();
        self.forward_in_place(&mut z);
        Ok(z.iter().map(|v| v * v).sum())
    }

    /// x = A⁻¹·b by forward then backward substitution.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] unless `b.len()` is the dimension.
    pub fn solve(&self, b: &[f64]) -> Result<Vec<f64>> {
        self.check_len(b.len())?;
        let n = self.dim;
        let mut x = b.to_vec();
        self.forward_in_place(&mut x);
        for i in (0..n).rev() {
            let mut v = x[i];
            for k in i + 1..n {
                v -= self.l[k * n + i] * x[k];
            }
            x[i] = v / self.l[i * n + i];
        }
        Ok(x)
    }

    /// A⁻¹ = L⁻ᵀ·L⁻¹, column by column.
    pub fn inverse(&self) -> Matrix {
        let n = self.dim;
        let mut inv = vec![0.0; n * n];
        let mut e = vec![0.0; n];
        for c in 0..n {
            e.iter_mut().for_each(|v| *v = 0.0);
            e[c] = 1.0;
            let x = self.solve(&e).expect("e has the factor's dimension");
            for r in 0..n {
                inv[r * n + c] = x[r];
            }
        }
        // Symmetrise away the rounding differences between the two triangles.
        for i in 0..n {
            for j in 0..i {
                let s = 0.5 * (inv[i * n + j] + inv[j * n + i]);
                inv[i * n + j] = s;
                inv[j * n + i] = s;
            }
        }
        Matrix::from_parts(n, inv)
    }

    fn check_len(&self, len: usize) -> Result<()> {
        if len != self.dim {
            return Err(Error::LengthMismatch {
                what: "vector for the Cholesky factor",
                got: len,
                expected: self.dim,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rows: &[&[f64]]) -> Matrix {
        Matrix::from_rows(&rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn cholesky_of_a_hand_factored_matrix() {
        // L = [[2,0,0],[1,3,0],[-1,2,1]] ⇒ A = L·Lᵀ = [[4,2,-2],[2,10,5],[-2,5,6]].
        let a = m(&[&[4.0, 2.0, -2.0], &[2.0, 10.0, 5.0], &[-2.0, 5.0, 6.0]]);
        let c = a.cholesky("test").unwrap();
        let want = [2.0, 0.0, 0.0, 1.0, 3.0, 0.0, -1.0, 2.0, 1.0];
        for (got, want) in c.lower().as_slice().iter().zip(want) {
            assert!((got - want).abs() < 1e-14, "{got} vs {want}");
        }
        // det = (2·3·1)² = 36.
        assert!((c.determinant() - 36.0).abs() < 1e-12);
        assert!((c.log_determinant() - 36.0_f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn inverse_times_matrix_is_identity_and_solve_agrees() {
        let a = m(&[&[4.0, 2.0, -2.0], &[2.0, 10.0, 5.0], &[-2.0, 5.0, 6.0]]);
        let c = a.cholesky("test").unwrap();
        let inv = c.inverse();
        for i in 0..3 {
            for j in 0..3 {
                let v: f64 = (0..3).map(|k| a.get(i, k) * inv.get(k, j)).sum();
                assert!((v - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12);
            }
        }
        let b = [1.0, -2.0, 0.5];
        let x = c.solve(&b).unwrap();
        for i in 0..3 {
            let v: f64 = (0..3).map(|k| a.get(i, k) * x[k]).sum();
            assert!((v - b[i]).abs() < 1e-12);
        }
        let q: f64 = b.iter().zip(&x).map(|(u, v)| u * v).sum();
        assert!((c.inverse_quadratic_form(&b).unwrap() - q).abs() < 1e-12);
    }

    #[test]
    fn indefinite_matrix_names_the_failing_pivot() {
        // Eigenvalues 3 and −1: the second pivot is 1 − 2²/1 = −3.
        let a = m(&[&[1.0, 2.0], &[2.0, 1.0]]);
        assert_eq!(
            a.cholesky("test matrix"),
            Err(Error::NotPositiveDefinite {
                what: "test matrix",
                pivot: 1,
                value: -3.0
            })
        );
        // Singular (rank one): second pivot 0.
        let s = m(&[&[1.0, 1.0], &[1.0, 1.0]]);
        let err = s.cholesky("rank one").unwrap_err();
        assert!(matches!(err, Error::NotPositiveDefinite { pivot: 1, .. }));
        assert!(
            err.to_string()
                .contains("rank one is not positive definite")
        );
    }

    #[test]
    fn ragged_or_non_finite_input_is_an_error() {
        assert!(matches!(
            Matrix::from_rows(&[vec![1.0, 0.0], vec![0.0]]),
            Err(Error::LengthMismatch { got: 1, .. })
        ));
        assert!(matches!(
            Matrix::from_rows(&[vec![1.0, f64::NAN], vec![0.0, 1.0]]),
            Err(Error::NonFinite { index: 1, .. })
        ));
    }
}
