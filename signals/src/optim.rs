//! A small limited-memory BFGS minimiser for smooth convex objectives (Nocedal & Wright,
//! *Numerical Optimization*, 2nd ed., Algorithm 7.4 two-loop recursion, Algorithm 3.1
//! backtracking line search with the Armijo condition, eq. (3.4)).

use crate::error::{Error, Result};

/// Where the minimiser stopped.
#[derive(Debug, Clone)]
pub(crate) struct Minimum {
    /// The minimiser.
    pub x: Vec<f64>,
    /// Iterations used.
    pub iterations: usize,
}

/// Minimises `f` (which writes the gradient into its second argument and returns the value)
/// from `x0`, stopping when the largest gradient component is below `tol`.
///
/// # Errors
/// [`Error::Numerical`] when the objective becomes non-finite or no iterate satisfies the
/// tolerance within `max_iter` iterations.
pub(crate) fn lbfgs(
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
    x0: Vec<f64>,
    max_iter: usize,
    tol: f64,
    what: &'static str,
) -> Result<Minimum> {
    const MEMORY: usize = 10;
    let n = x0.len();
    let mut x = x0;
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    if !fx.is_finite() {
        return Err(Error::Numerical {
            what,
            reason: "objective is not finite at the starting point".into(),
        });
    }
    let mut s_hist: Vec<Vec<f64>> = Vec::with_capacity(MEMORY);
    let mut y_hist: Vec<Vec<f64>> = Vec::with_capacity(MEMORY);
    let mut rho: Vec<f64> = Vec::with_capacity(MEMORY);
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    for it in 0..max_iter {
        if inf_norm(&g) < tol {
            return Ok(Minimum { x, iterations: it });
        }
        // Two-loop recursion: d = -H g.
        let mut q = g.clone();
        let m = s_hist.len();
        let mut alpha = vec![0.0; m];
        for i in (0..m).rev() {
            alpha[i] = rho[i] * dot(&s_hist[i], &q);
            axpy(-alpha[i], &y_hist[i], &mut q);
        }
        let gamma = if m > 0 {
            dot(&s_hist[m - 1], &y_hist[m - 1]) / dot(&y_hist[m - 1], &y_hist[m - 1])
        } else {
            1.0 / inf_norm(&g).max(1.0)
        };
        q.iter_mut().for_each(|v| *v *= gamma);
        for i in 0..m {
            let beta = rho[i] * dot(&y_hist[i], &q);
            axpy(alpha[i] - beta, &s_hist[i], &mut q);
        }
        let mut d: Vec<f64> = q.iter().map(|v| -v).collect();
        let mut slope = dot(&g, &d);
        if slope >= 0.0 {
            // Not a descent direction (curvature information went stale): restart.
            d = g.iter().map(|v| -v).collect();
            slope = dot(&g, &d);
            s_hist.clear();
            y_hist.clear();
            rho.clear();
        }
        // Backtracking with the Armijo (sufficient decrease) condition, c1 = 1e-4.
        let mut step = 1.0;
        let mut accepted = false;
        let mut f_new = fx;
        for _ in 0..60 {
            for i in 0..n {
                x_new[i] = x[i] + step * d[i];
            }
            f_new = f(&x_new, &mut g_new);
            if f_new.is_finite() && f_new <= fx + 1e-4 * step * slope {
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            // No decrease is possible at working precision: the point is optimal to
            // rounding, accept it if the gradient is small relative to the scale.
            if inf_norm(&g) < tol.sqrt() {
                return Ok(Minimum { x, iterations: it });
            }
            return Err(Error::Numerical {
                what,
                reason: format!(
                    "line search failed at iteration {it} (gradient max-norm {:e})",
                    inf_norm(&g)
                ),
            });
        }
        let s: Vec<f64> = (0..n).map(|i| x_new[i] - x[i]).collect();
        let yv: Vec<f64> = (0..n).map(|i| g_new[i] - g[i]).collect();
        let sy = dot(&s, &yv);
        if sy > 1e-12 * dot(&yv, &yv).sqrt() * dot(&s, &s).sqrt() {
            if s_hist.len() == MEMORY {
                s_hist.remove(0);
                y_hist.remove(0);
                rho.remove(0);
            }
            s_hist.push(s);
            y_hist.push(yv);
            rho.push(1.0 / sy);
        }
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        let f_old = fx;
        fx = f_new;
        if (f_old - fx).abs() <= 1e-15 * fx.abs().max(1.0) && inf_norm(&g) < tol.sqrt() {
            return Ok(Minimum {
                x,
                iterations: it + 1,
            });
        }
    }
    if inf_norm(&g) < tol.sqrt() {
        return Ok(Minimum {
            x,
            iterations: max_iter,
        });
    }
    Err(Error::Numerical {
        what,
        reason: format!(
            "no convergence in {max_iter} iterations (gradient max-norm {:e})",
            inf_norm(&g)
        ),
    })
}

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

fn inf_norm(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_an_ill_conditioned_quadratic_to_its_closed_form() {
        // f(x) = 1/2 Σ a_i (x_i - c_i)^2, minimiser c.
        let a = [1.0, 10.0, 100.0, 1000.0];
        let c = [1.0, -2.0, 3.0, -4.0];
        let m = lbfgs(
            |x, g| {
                let mut v = 0.0;
                for i in 0..4 {
                    g[i] = a[i] * (x[i] - c[i]);
                    v += 0.5 * a[i] * (x[i] - c[i]).powi(2);
                }
                v
            },
            vec![0.0; 4],
            500,
            1e-10,
            "quadratic",
        )
        .unwrap();
        for i in 0..4 {
            assert!((m.x[i] - c[i]).abs() < 1e-9, "{:?}", m.x);
        }
    }

    #[test]
    fn minimises_rosenbrock() {
        let m = lbfgs(
            |x, g| {
                let (a, b) = (x[0], x[1]);
                g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
                g[1] = 200.0 * (b - a * a);
                (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
            },
            vec![-1.2, 1.0],
            2000,
            1e-9,
            "rosenbrock",
        )
        .unwrap();
        assert!(
            (m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] - 1.0).abs() < 1e-6,
            "{:?}",
            m.x
        );
    }
}
