//! A small BFGS minimiser with a backtracking Armijo line search, for the Hawkes likelihood.

/// Result of [`minimise`].
#[derive(Debug, Clone)]
pub(crate) struct Minimum {
    pub x: Vec<f64>,
    pub f: f64,
    pub iterations: usize,
    pub converged: bool,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0_f64, |m, x| m.max(x.abs()))
}

/// Minimises `f` from `x0` by BFGS on the inverse Hessian (Nocedal & Wright 2006, alg. 6.1,
/// with the initial scaling of eq. 6.20). `f(x, g)` returns the value and writes the gradient
/// into `g`; it may return `+∞` (or NaN) where the objective is undefined, and the line search
/// backs off. Steps are capped at `max_step` in every coordinate (the parameters are logs, so
/// one step never changes a parameter by more than a factor e^max_step).
///
/// Converged when max |gᵢ| ≤ `gtol`, or when the value has changed by less than
/// 1e-13·(1 + |f|) over three consecutive iterations.
pub(crate) fn minimise(
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
    x0: &[f64],
    max_iter: usize,
    gtol: f64,
    max_step: f64,
) -> Minimum {
    let m = x0.len();
    let mut x = x0.to_vec();
    let mut g = vec![0.0; m];
    let mut fx = f(&x, &mut g);
    let mut h = identity(m);
    let mut fresh = true;
    let (mut p, mut xn, mut gn) = (vec![0.0; m], vec![0.0; m], vec![0.0; m]);
    let (mut s, mut y) = (vec![0.0; m], vec![0.0; m]);
    let mut stalls = 0;
    if !fx.is_finite() {
        return Minimum {
            x,
            f: fx,
            iterations: 0,
            converged: false,
        };
    }
    for iter in 0..max_iter {
        if max_abs(&g) <= gtol {
            return Minimum {
                x,
                f: fx,
                iterations: iter,
                converged: true,
            };
        }
        for (i, pi) in p.iter_mut().enumerate() {
            *pi = -dot(&h[i * m..(i + 1) * m], &g);
        }
        let mut slope = dot(&g, &p);
        if slope >= 0.0 {
            h = identity(m);
            fresh = true;
            p.iter_mut().zip(&g).for_each(|(pi, gi)| *pi = -gi);
            slope = -dot(&g, &g);
        }
        let cap = max_abs(&p);
        if cap > max_step {
            let c = max_step / cap;
            p.iter_mut().for_each(|v| *v *= c);
            slope *= c;
        }
        // Backtracking with safeguarded quadratic interpolation (Nocedal & Wright, §3.5).
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..60 {
            for i in 0..m {
                xn[i] = x[i] + step * p[i];
            }
            let fnew = f(&xn, &mut gn);
            if fnew.is_finite() && fnew <= fx + 1e-4 * step * slope {
                accepted = Some(fnew);
                break;
            }
            let next = if fnew.is_finite() {
                -slope * step * step / (2.0 * (fnew - fx - slope * step))
            } else {
                0.1 * step
            };
            step = next.clamp(0.1 * step, 0.5 * step);
        }
        let Some(fnew) = accepted else {
            if fresh {
                // Even steepest descent cannot decrease f: as good as this precision allows.
                return Minimum {
                    x,
                    f: fx,
                    iterations: iter,
                    converged: max_abs(&g) <= gtol.sqrt(),
                };
            }
            h = identity(m);
            fresh = true;
            continue;
        };
        for i in 0..m {
            s[i] = xn[i] - x[i];
            y[i] = gn[i] - g[i];
        }
        let sy = dot(&s, &y);
        if sy > 1e-12 * dot(&s, &s).sqrt() * dot(&y, &y).sqrt() {
            if fresh {
                let scale = sy / dot(&y, &y);
                h.iter_mut().for_each(|v| *v *= scale);
                fresh = false;
            }
            bfgs_update(&mut h, &s, &y, sy);
        }
        stalls = if (fx - fnew).abs() <= 1e-13 * (1.0 + fx.abs()) {
            stalls + 1
        } else {
            0
        };
        std::mem::swap(&mut x, &mut xn);
        std::mem::swap(&mut g, &mut gn);
        fx = fnew;
        if stalls >= 3 {
            return Minimum {
                x,
                f: fx,
                iterations: iter + 1,
                converged: true,
            };
        }
    }
    let converged = max_abs(&g) <= gtol;
    Minimum {
        x,
        f: fx,
        iterations: max_iter,
        converged,
    }
}

fn identity(m: usize) -> Vec<f64> {
    let mut h = vec![0.0; m * m];
    for i in 0..m {
        h[i * m + i] = 1.0;
    }
    h
}

/// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ with ρ = 1/(yᵀs) (Nocedal & Wright, eq. 6.17),
/// expanded as H − ρ(s (Hy)ᵀ + (Hy) sᵀ) + (ρ² yᵀHy + ρ) s sᵀ for symmetric H.
fn bfgs_update(h: &mut [f64], s: &[f64], y: &[f64], sy: f64) {
    let m = s.len();
    let rho = 1.0 / sy;
    let hy: Vec<f64> = (0..m).map(|i| dot(&h[i * m..(i + 1) * m], y)).collect();
    let yhy = dot(y, &hy);
    let c = rho * rho * yhy + rho;
    for i in 0..m {
        for j in 0..m {
            h[i * m + j] += -rho * (s[i] * hy[j] + hy[i] * s[j]) + c * s[i] * s[j];
        }
    }
}

/// The inverse of a symmetric positive-definite `m × m` matrix by Cholesky factorisation, or
/// `None` when it is not positive definite.
pub(crate) fn spd_inverse(a: &[f64], m: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * m + k] * l[j * m + k]).sum();
            if i == j {
                let v = a[i * m + i] - s;
                if !(v > 0.0 && v.is_finite()) {
                    return None;
                }
                l[i * m + i] = v.sqrt();
            } else {
                l[i * m + j] = (a[i * m + j] - s) / l[j * m + j];
            }
        }
    }
    // Solve L Lᵀ X = I column by column.
    let mut inv = vec![0.0; m * m];
    let mut z = vec![0.0; m];
    for c in 0..m {
        for i in 0..m {
            let e = if i == c { 1.0 } else { 0.0 };
            let s: f64 = (0..i).map(|k| l[i * m + k] * z[k]).sum();
            z[i] = (e - s) / l[i * m + i];
        }
        for i in (0..m).rev() {
            let s: f64 = (i + 1..m).map(|k| l[k * m + i] * inv[k * m + c]).sum();
            inv[i * m + c] = (z[i] - s) / l[i * m + i];
        }
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_the_rosenbrock_function() {
        let rosen = |x: &[f64], g: &mut [f64]| {
            let (a, b) = (x[0], x[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
        };
        let r = minimise(rosen, &[-1.2, 1.0], 500, 1e-9, 10.0);
        assert!(r.converged);
        assert!(
            (r.x[0] - 1.0).abs() < 1e-6 && (r.x[1] - 1.0).abs() < 1e-6,
            "{:?}",
            r.x
        );
    }

    #[test]
    fn spd_inverse_inverts_and_rejects_indefinite_matrices() {
        let a = [4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
        let inv = spd_inverse(&a, 3).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let v: f64 = (0..3).map(|k| a[i * 3 + k] * inv[k * 3 + j]).sum();
                assert!((v - f64::from(u8::from(i == j))).abs() < 1e-12);
            }
        }
        assert!(spd_inverse(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
    }
}
