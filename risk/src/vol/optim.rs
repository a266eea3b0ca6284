//! A deterministic quasi-Newton minimiser: BFGS with a strong-Wolfe line search
//! (Nocedal & Wright, *Numerical Optimization*, 2nd ed., 2006: Algorithm 6.1 with the
//! initial scaling (6.20), line search Algorithms 3.5 and 3.6 with safeguarded cubic
//! interpolation (3.59)).
//!
//! Used on the unconstrained reparameterisation of the GARCH likelihood. The function and its
//! gradient are evaluated together by `fg(x, g) -> f`; a non-finite `f` counts as "too far"
//! and makes the line search step back.

use super::linalg::fd_hessian;

/// Stopping rules.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// Stop when max |gᵢ| ≤ `gtol`.
    pub(crate) gtol: f64,
    /// When no step along the search direction lowers f any more (the changes are at the
    /// rounding level of f), stop and count the run as converged if max |gᵢ| ≤ `stall_gtol`.
    pub(crate) stall_gtol: f64,
    /// Iteration cap.
    pub(crate) max_iter: usize,
    /// Largest move of any coordinate in one line search.
    pub(crate) max_step: f64,
    /// Start from the inverse of a forward-difference Hessian at x₀ (m extra gradient
    /// evaluations) instead of the identity, when that Hessian is positive definite: BFGS
    /// then begins with Newton steps and needs far fewer iterations on smooth problems.
    pub(crate) initial_hessian: bool,
}

/// What the minimiser found.
#[derive(Debug, Clone)]
pub(crate) struct Minimum {
    pub(crate) x: Vec<f64>,
    pub(crate) f: f64,
    pub(crate) grad: Vec<f64>,
    pub(crate) iterations: usize,
    pub(crate) evaluations: usize,
    pub(crate) converged: bool,
}

const C1: f64 = 1e-4;
const C2: f64 = 0.9;

struct Trial {
    a: f64,
    f: f64,
    d: f64,
    x: Vec<f64>,
    g: Vec<f64>,
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0_f64, |m, x| m.max(x.abs()))
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Minimises `fg` from `x0`. Returns `None` when `f(x0)` is not finite.
pub(crate) fn minimise(
    fg: &mut impl FnMut(&[f64], &mut [f64]) -> f64,
    x0: &[f64],
    s: Settings,
) -> Option<Minimum> {
    let m = x0.len();
    let mut x = x0.to_vec();
    let mut g = vec![0.0; m];
    let mut f = fg(&x, &mut g);
    let mut evaluations = 1;
    if !f.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mut h = identity(m);
    let mut fresh = true; // h is still a (scaled) identity
    if s.initial_hessian
        && let Some(inv) = inverse_fd_hessian(fg, &x, &g, &mut evaluations)
    {
        h = inv;
        fresh = false;
    }
    let mut resets = 0;
    let mut iterations = 0;
    let mut converged = max_abs(&g) <= s.gtol;
    while !converged && iterations < s.max_iter {
        iterations += 1;
        let mut p: Vec<f64> = (0..m)
            .map(|i| -(0..m).map(|j| h[i * m + j] * g[j]).sum::<f64>())
            .collect();
        let mut d0 = dot(&p, &g);
        if d0.is_nan() || d0 >= 0.0 {
            // Not a descent direction (H lost positive definiteness): steepest descent.
            h = identity(m);
            fresh = true;
            p = g.iter().map(|v| -v).collect();
            d0 = dot(&p, &g);
        }
        let a_max = s.max_step / max_abs(&p).max(f64::MIN_POSITIVE);
        let a_init = if fresh {
            (1.0 / max_abs(&g)).min(1.0)
        } else {
            1.0
        }
        .min(a_max);
        let search = line_search(fg, &x, f, d0, &p, a_init, a_max, &mut evaluations);
        let Some(t) = search else {
            if max_abs(&g) <= s.stall_gtol {
                converged = true;
                break;
            }
            if fresh || resets >= 2 {
                break;
            }
            resets += 1;
            h = identity(m);
            fresh = true;
            continue;
        };
        let sv: Vec<f64> = t.x.iter().zip(&x).map(|(a, b)| a - b).collect();
        let yv: Vec<f64> = t.g.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&sv, &yv);
        if sy > 1e-12 * dot(&sv, &sv).sqrt() * dot(&yv, &yv).sqrt() {
            if fresh {
                let scale = sy / dot(&yv, &yv);
                h.iter_mut().for_each(|v| *v *= scale);
                fresh = false;
            }
            bfgs_update(&mut h, &sv, &yv, sy, m);
        }
        x = t.x;
        g = t.g;
        f = t.f;
        converged = max_abs(&g) <= s.gtol;
    }
    Some(Minimum {
        x,
        f,
        grad: g,
        iterations,
        evaluations,
        converged,
    })
}

/// Inverse of the symmetrised forward-difference Hessian (gᵢ(x + hⱼeⱼ) − gᵢ(x))/hⱼ at `x`,
/// if it is positive definite (checked by a Cholesky factorisation).
fn inverse_fd_hessian(
    fg: &mut impl FnMut(&[f64], &mut [f64]) -> f64,
    x: &[f64],
    g: &[f64],
    evaluations: &mut usize,
) -> Option<Vec<f64>> {
    let m = x.len();
    let step = |xj: f64| 1e-6 * xj.abs().max(1.0);
    let hess = fd_hessian(x, g, step, |xp, gp| {
        *evaluations += 1;
        fg(xp, gp).is_finite()
    })?;
    // Cholesky L·Lᵀ = H; fails unless H is (numerically) positive definite.
    let mut l = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..=i {
            let mut v = hess[i * m + j];
            for p in 0..j {
                v -= l[i * m + p] * l[j * m + p];
            }
            if i == j {
                if !v.is_finite() || v <= 1e-12 * hess[i * m + i].abs() {
                    return None;
                }
                l[i * m + i] = v.sqrt();
            } else {
                l[i * m + j] = v / l[j * m + j];
            }
        }
    }
    // H⁻¹ = L⁻ᵀ L⁻¹: solve column by column.
    let mut inv = vec![0.0; m * m];
    for c in 0..m {
        let mut z = vec![0.0; m];
        for i in 0..m {
            let mut v = if i == c { 1.0 } else { 0.0 };
            for p in 0..i {
                v -= l[i * m + p] * z[p];
            }
            z[i] = v / l[i * m + i];
        }
        for i in (0..m).rev() {
            let mut v = z[i];
            for p in i + 1..m {
                v -= l[p * m + i] * inv[p * m + c];
            }
            inv[i * m + c] = v / l[i * m + i];
        }
    }
    Some(inv)
}

fn identity(m: usize) -> Vec<f64> {
    let mut h = vec![0.0; m * m];
    for i in 0..m {
        h[i * m + i] = 1.0;
    }
    h
}

/// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1/(yᵀs) (N&W eq. 6.17).
fn bfgs_update(h: &mut [f64], s: &[f64], y: &[f64], sy: f64, m: usize) {
    let rho = 1.0 / sy;
    let hy: Vec<f64> = (0..m)
        .map(|i| (0..m).map(|j| h[i * m + j] * y[j]).sum())
        .collect();
    let yhy = dot(y, &hy);
    for i in 0..m {
        for j in 0..m {
            h[i * m + j] +=
                -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn line_search(
    fg: &mut impl FnMut(&[f64], &mut [f64]) -> f64,
    x: &[f64],
    f0: f64,
    d0: f64,
    p: &[f64],
    a_init: f64,
    a_max: f64,
    evaluations: &mut usize,
) -> Option<Trial> {
    let mut eval = |a: f64| -> Trial {
        *evaluations += 1;
        let xa: Vec<f64> = x.iter().zip(p).map(|(xi, pi)| xi + a * pi).collect();
        let mut ga = vec![0.0; x.len()];
        let mut fa = fg(&xa, &mut ga);
        if !fa.is_finite() || ga.iter().any(|v| !v.is_finite()) {
            fa = f64::INFINITY;
        }
        let d = if fa.is_finite() {
            dot(&ga, p)
        } else {
            f64::NAN
        };
        Trial {
            a,
            f: fa,
            d,
            x: xa,
            g: ga,
        }
    };
    let mut prev = Trial {
        a: 0.0,
        f: f0,
        d: d0,
        x: x.to_vec(),
        g: Vec::new(),
    };
    let mut a = a_init;
    for i in 0..40 {
        let t = eval(a);
        if !t.f.is_finite() || t.f > f0 + C1 * a * d0 || (i > 0 && t.f >= prev.f) {
            return zoom(&mut eval, prev, t, f0, d0);
        }
        if t.d.abs() <= -C2 * d0 {
            return Some(t);
        }
        if t.d >= 0.0 {
            return zoom(&mut eval, t, prev, f0, d0);
        }
        if a >= a_max {
            return Some(t);
        }
        a = (2.0 * a).min(a_max);
        prev = t;
    }
    None
}

/// N&W Algorithm 3.6. `lo` always satisfies the sufficient-decrease condition.
fn zoom(
    eval: &mut impl FnMut(f64) -> Trial,
    mut lo: Trial,
    mut hi: Trial,
    f0: f64,
    d0: f64,
) -> Option<Trial> {
    for _ in 0..24 {
        let (a_lo, a_hi) = (lo.a, hi.a);
        let width = (a_hi - a_lo).abs();
        if width <= 1e-14 * a_lo.abs().max(a_hi.abs()) {
            break;
        }
        let (left, right) = (a_lo.min(a_hi), a_lo.max(a_hi));
        let mut a = if hi.f.is_finite() {
            cubic_minimiser(a_lo, lo.f, lo.d, a_hi, hi.f, hi.d)
        } else {
            None
        }
        .unwrap_or(0.5 * (a_lo + a_hi));
        let margin = 0.1 * width;
        if !(a > left + margin && a < right - margin) {
            a = 0.5 * (a_lo + a_hi);
        }
        let t = eval(a);
        // Differences at the rounding level of f: the interval has nothing more to tell.
        let in_noise = (t.f - lo.f).abs() <= 1e-14 * f0.abs();
        if !t.f.is_finite() || t.f > f0 + C1 * a * d0 || t.f >= lo.f {
            if in_noise {
                break;
            }
            hi = t;
        } else {
            if t.d.abs() <= -C2 * d0 {
                return Some(t);
            }
            if t.d * (a_hi - a_lo) >= 0.0 {
                hi = std::mem::replace(&mut lo, t);
            } else {
                lo = t;
            }
        }
    }
    // Interval exhausted: accept the best point with sufficient decrease, if it moved.
    (lo.a > 0.0 && lo.f < f0).then_some(lo)
}

/// Minimiser of the cubic through (a, fa, da) and (b, fb, db) (N&W eq. 3.59).
fn cubic_minimiser(a: f64, fa: f64, da: f64, b: f64, fb: f64, db: f64) -> Option<f64> {
    let d1 = da + db - 3.0 * (fa - fb) / (a - b);
    let disc = d1 * d1 - da * db;
    if disc.is_nan() || disc < 0.0 {
        return None;
    }
    let d2 = (b - a).signum() * disc.sqrt();
    let denom = db - da + 2.0 * d2;
    if denom == 0.0 {
        return None;
    }
    let z = b - (b - a) * (db + d2 - d1) / denom;
    z.is_finite().then_some(z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_the_rosenbrock_function() {
        let mut fg = |x: &[f64], g: &mut [f64]| {
            let (a, b) = (x[0], x[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
        };
        let s = Settings {
            gtol: 1e-9,
            stall_gtol: 1e-9,
            max_iter: 500,
            max_step: 10.0,
            initial_hessian: false,
        };
        for initial_hessian in [false, true] {
            let s = Settings {
                initial_hessian,
                ..s
            };
            let m = minimise(&mut fg, &[-1.2, 1.0], s).unwrap();
            assert!(m.converged, "{m:?}");
            assert!(
                (m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] - 1.0).abs() < 1e-6,
                "{m:?}"
            );
        }
    }

    #[test]
    fn non_finite_start_is_reported() {
        let mut fg = |_: &[f64], _: &mut [f64]| f64::NAN;
        let s = Settings {
            gtol: 1e-9,
            stall_gtol: 1e-9,
            max_iter: 10,
            max_step: 1.0,
            initial_hessian: true,
        };
        assert!(minimise(&mut fg, &[0.0], s).is_none());
    }
}
