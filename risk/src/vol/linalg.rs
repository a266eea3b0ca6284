//! Small dense linear algebra for k ≤ 5 parameter problems: inversion, numerical Hessians and
//! scores. Matrices are row-major `Vec<f64>` of length k².

use crate::error::{Error, Result};

/// Inverse of the k×k matrix `a` by Gauss–Jordan elimination with partial pivoting.
pub(crate) fn invert(a: &[f64], k: usize, what: &'static str) -> Result<Vec<f64>> {
    debug_assert_eq!(a.len(), k * k);
    let scale = a.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    if a.iter().any(|v| !v.is_finite()) || scale <= 0.0 {
        return Err(Error::Singular { what });
    }
    let mut m = a.to_vec();
    let mut inv = vec![0.0; k * k];
    for i in 0..k {
        inv[i * k + i] = 1.0;
    }
    for col in 0..k {
        let pivot_row = (col..k)
            .max_by(|&r, &s| m[r * k + col].abs().total_cmp(&m[s * k + col].abs()))
            .unwrap_or(col);
        let pivot = m[pivot_row * k + col];
        if pivot.abs() <= 1e-14 * scale {
            return Err(Error::Singular { what });
        }
        if pivot_row != col {
            for j in 0..k {
                m.swap(col * k + j, pivot_row * k + j);
                inv.swap(col * k + j, pivot_row * k + j);
            }
        }
        for j in 0..k {
            m[col * k + j] /= pivot;
            inv[col * k + j] /= pivot;
        }
        for r in 0..k {
            if r != col {
                let f = m[r * k + col];
                if f != 0.0 {
                    for j in 0..k {
                        m[r * k + j] -= f * m[col * k + j];
                        inv[r * k + j] -= f * inv[col * k + j];
                    }
                }
            }
        }
    }
    Ok(inv)
}

/// c = a·b for k×k matrices.
pub(crate) fn matmul(a: &[f64], b: &[f64], k: usize) -> Vec<f64> {
    let mut c = vec![0.0; k * k];
    for i in 0..k {
        for l in 0..k {
            let ail = a[i * k + l];
            for j in 0..k {
                c[i * k + j] += ail * b[l * k + j];
            }
        }
    }
    c
}

/// Step for forward differences at x: √ε·max(|x|, 0.1) — the step `statsmodels`'
/// `approx_fprime` (which `arch` uses for its scores) takes, balancing truncation and rounding
/// error (Nocedal & Wright, 2006, §8.1).
pub(crate) fn forward_step(x: f64) -> f64 {
    f64::EPSILON.sqrt() * x.abs().max(0.1)
}

/// Hessian of a scalar function by forward differences of its analytic gradient `grad(x, g)`,
/// symmetrised: H_ij = ½[(g_i(x + h_j e_j) − g_i(x))/h_j + (g_j(x + h_i e_i) − g_j(x))/h_i],
/// with h_j = [`forward_step`]`(x_j)`. k + 1 gradient evaluations.
pub(crate) fn hessian_from_gradient(
    x: &[f64],
    mut grad: impl FnMut(&[f64], &mut [f64]),
) -> Vec<f64> {
    let mut g0 = vec![0.0; x.len()];
    grad(x, &mut g0);
    let finite = |xp: &[f64], g: &mut [f64]| {
        grad(xp, g);
        true
    };
    fd_hessian(x, &g0, forward_step, finite).expect("a gradient that never fails gives a Hessian")
}

/// The symmetrised forward-difference Hessian of the formula above, from the gradient `g0`
/// at `x`, steps `step(x_j)` and `grad(x, g)`, which returns false when the function is not
/// finite there (then `None`). k gradient evaluations.
pub(crate) fn fd_hessian(
    x: &[f64],
    g0: &[f64],
    step: impl Fn(f64) -> f64,
    mut grad: impl FnMut(&[f64], &mut [f64]) -> bool,
) -> Option<Vec<f64>> {
    let k = x.len();
    let mut h = vec![0.0; k * k];
    let mut xp = x.to_vec();
    let mut gp = vec![0.0; k];
    for j in 0..k {
        let step = step(x[j]);
        xp[j] = x[j] + step;
        let finite = grad(&xp, &mut gp);
        xp[j] = x[j];
        if !finite {
            return None;
        }
        for i in 0..k {
            h[i * k + j] = (gp[i] - g0[i]) / step;
        }
    }
    for i in 0..k {
        for j in 0..i {
            let s = 0.5 * (h[i * k + j] + h[j * k + i]);
            h[i * k + j] = s;
            h[j * k + i] = s;
        }
    }
    Some(h)
}

/// Streaming sample covariance (divisor n − 1, as `numpy.cov`) of rows of up to 5 values.
/// Sums are taken about the first row (the "shifted data" algorithm), which avoids the
/// cancellation of the naive one-pass formula when the mean is large relative to the spread.
#[derive(Debug, Clone)]
pub(crate) struct RowCovariance {
    k: usize,
    n: usize,
    shift: [f64; 5],
    sum: [f64; 5],
    cross: [[f64; 5]; 5],
}

impl RowCovariance {
    pub(crate) fn new(k: usize) -> Self {
        assert!(k <= 5, "RowCovariance is for at most 5 columns, got {k}");
        Self {
            k,
            n: 0,
            shift: [0.0; 5],
            sum: [0.0; 5],
            cross: [[0.0; 5]; 5],
        }
    }

    #[inline(always)]
    pub(crate) fn push(&mut self, row: &[f64]) {
        if self.n == 0 {
            self.shift[..self.k].copy_from_slice(&row[..self.k]);
        }
        self.n += 1;
        let k = row.len().min(5);
        let mut d = [0.0; 5];
        for i in 0..k {
            d[i] = row[i] - self.shift[i];
            self.sum[i] += d[i];
        }
        for i in 0..k {
            for j in 0..k {
                self.cross[i][j] += d[i] * d[j];
            }
        }
    }

    /// Row-major k×k covariance.
    pub(crate) fn finish(&self) -> Vec<f64> {
        let (k, n) = (self.k, self.n as f64);
        let div = (self.n.max(2) - 1) as f64;
        let mut c = vec![0.0; k * k];
        for i in 0..k {
            for j in 0..k {
                c[i * k + j] = (self.cross[i][j] - self.sum[i] * self.sum[j] / n) / div;
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_times_matrix_is_identity() {
        let a = [4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 2.0];
        let inv = invert(&a, 3, "test").unwrap();
        let id = matmul(&a, &inv, 3);
        for i in 0..3 {
            for j in 0..3 {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((id[i * 3 + j] - want).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn singular_matrix_is_an_error_not_a_panic() {
        assert!(invert(&[1.0, 2.0, 2.0, 4.0], 2, "test").is_err());
        assert!(invert(&[f64::NAN, 0.0, 0.0, 1.0], 2, "test").is_err());
    }

    #[test]
    fn row_covariance_uses_n_minus_one_and_survives_a_large_mean() {
        // Rows (1, 2), (3, 6), (5, 10): var = 4, 16, cov = 8; then the same shifted by 1e9.
        for offset in [0.0, 1e9] {
            let mut c = RowCovariance::new(2);
            for row in [[1.0, 2.0], [3.0, 6.0], [5.0, 10.0]] {
                c.push(&[row[0] + offset, row[1] + offset]);
            }
            for (got, want) in c.finish().iter().zip([4.0, 8.0, 8.0, 16.0]) {
                assert!((got - want).abs() < 1e-9, "{got} vs {want}");
            }
        }
    }

    #[test]
    fn hessian_of_a_quadratic_is_exact() {
        // f = x0² + 3 x0 x1 + 2 x1², gradient (2x0 + 3x1, 3x0 + 4x1)
        let h = hessian_from_gradient(&[0.3, -0.7], |x, g| {
            g[0] = 2.0 * x[0] + 3.0 * x[1];
            g[1] = 3.0 * x[0] + 4.0 * x[1];
        });
        for (got, want) in h.iter().zip([2.0, 3.0, 3.0, 4.0]) {
            assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        }
    }
}
