//! Exponentially weighted recursive least squares (RLS) with a forgetting factor: an online
//! linear regression whose effective memory is about `1 / (1 − λ)` observations, so its
//! coefficients track a drifting relation (regime-adaptive signals).
//!
//! The recursion is Haykin, *Adaptive Filter Theory*, 4th ed., §9.6, Table 9.1: with input
//! `u` (features plus a constant 1), gain `k = P u / (λ + uᵀ P u)`, a-priori error
//! `ξ = y − wᵀ u`, then `w ← w + k ξ` and `P ← λ⁻¹ (P − k uᵀ P)`, started from `w = 0`,
//! `P = δ⁻¹ I`. After `n` steps `w` minimises `Σᵢ λ^{n−i} (yᵢ − wᵀuᵢ)² + δ λⁿ ‖w‖²`
//! (Haykin eq. (9.12) with the regularising term of §9.3). Sample weights scale each term
//! of the sum (the row enters as `√wᵢ uᵢ`, `√wᵢ yᵢ`).

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_param};
use crate::model::{Dataset, Learner, Model, OnlineModel, Task, check_features};

/// Configuration of an [`RlsModel`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rls {
    /// Forgetting factor λ, `0 < λ ≤ 1` (default 0.995, memory ≈ 200 rows; 1 = ordinary
    /// recursive least squares).
    pub forgetting: f64,
    /// Initial regularisation δ > 0: `P₀ = δ⁻¹ I` (default `1e-3`).
    pub delta: f64,
}

impl Default for Rls {
    fn default() -> Self {
        Rls {
            forgetting: 0.995,
            delta: 1e-3,
        }
    }
}

impl Rls {
    /// An unfitted filter for `n_features` inputs, ready for [`OnlineModel::update`].
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for λ outside `(0, 1]`, δ ≤ 0 or zero features.
    pub fn start(&self, n_features: usize) -> Result<RlsModel> {
        check_param(
            self.forgetting > 0.0 && self.forgetting <= 1.0,
            "forgetting",
            self.forgetting,
            "0 < forgetting <= 1",
        )?;
        check_param(
            self.delta > 0.0 && self.delta.is_finite(),
            "delta",
            self.delta,
            "> 0",
        )?;
        check_param(n_features > 0, "n_features", n_features, ">= 1")?;
        let p = n_features + 1;
        Ok(RlsModel {
            forgetting: self.forgetting,
            weights: Array1::zeros(p),
            p_matrix: Array2::eye(p) / self.delta,
            n_updates: 0,
        })
    }
}

/// A recursive least squares filter: coefficients `[w_1, …, w_d, intercept]` and the
/// inverse correlation matrix `P`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RlsModel {
    forgetting: f64,
    weights: Array1<f64>,
    p_matrix: Array2<f64>,
    n_updates: u64,
}

impl RlsModel {
    /// Current coefficients, `[w_1, …, w_d, intercept]`.
    pub fn weights(&self) -> ArrayView1<'_, f64> {
        self.weights.view()
    }

    /// Number of observations learned.
    pub fn n_updates(&self) -> u64 {
        self.n_updates
    }

    fn predict_row(&self, x: ArrayView1<'_, f64>) -> f64 {
        let d = x.len();
        self.weights[d] + (0..d).map(|j| self.weights[j] * x[j]).sum::<f64>()
    }

    /// One weighted step (`weight ≥ 0`), returning the a-priori error.
    fn step(&mut self, x: ArrayView1<'_, f64>, y: f64, weight: f64) -> f64 {
        let d = x.len();
        let sw = weight.sqrt();
        let mut u = Array1::<f64>::zeros(d + 1);
        for j in 0..d {
            u[j] = sw * x[j];
        }
        u[d] = sw;
        let xi = y - self.predict_row(x);
        let pi = self.p_matrix.dot(&u);
        let denom = self.forgetting + u.dot(&pi);
        let k = &pi / denom;
        self.weights.scaled_add(sw * xi, &k);
        let lam = self.forgetting;
        let p = &mut self.p_matrix;
        for a in 0..=d {
            for b in 0..=d {
                p[[a, b]] = (p[[a, b]] - k[a] * pi[b]) / lam;
            }
        }
        // Keep P symmetric against rounding drift: the conventional recursion can lose
        // symmetry in finite precision, and symmetrising is the cheap standard guard.
        for a in 0..=d {
            for b in (a + 1)..=d {
                let m = 0.5 * (p[[a, b]] + p[[b, a]]);
                p[[a, b]] = m;
                p[[b, a]] = m;
            }
        }
        self.n_updates += 1;
        xi
    }
}

impl Learner for Rls {
    type Model = RlsModel;

    /// Runs the recursion over the rows in order (time order matters: later rows weigh
    /// more when λ < 1).
    fn fit(&self, data: &Dataset<'_>) -> Result<RlsModel> {
        if data.task() != Task::Regression {
            return Err(Error::Unsupported {
                model: "rls",
                what: data.task().to_string(),
            });
        }
        let mut m = self.start(data.n_features())?;
        for (i, row) in data.features().outer_iter().enumerate() {
            m.step(row, data.labels()[i], data.weight(i));
        }
        Ok(m)
    }
}

impl Model for RlsModel {
    fn name(&self) -> &'static str {
        "rls"
    }

    fn task(&self) -> Task {
        Task::Regression
    }

    fn n_features(&self) -> usize {
        self.weights.len() - 1
    }

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check_features(x, Some(self.n_features()))?;
        let mut out = Array2::zeros((x.nrows(), 1));
        for (i, row) in x.outer_iter().enumerate() {
            out[[i, 0]] = self.predict_row(row);
        }
        Ok(out)
    }
}

impl OnlineModel for RlsModel {
    fn update(&mut self, x: ArrayView1<'_, f64>, y: f64) -> Result<f64> {
        if x.len() != self.n_features() {
            return Err(Error::FeatureCount {
                got: x.len(),
                expected: self.n_features(),
            });
        }
        if let Some(col) = x.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                what: "features",
                row: 0,
                col,
                value: x[col],
            });
        }
        if !y.is_finite() {
            return Err(Error::NonFinite {
                what: "labels",
                row: 0,
                col: 0,
                value: y,
            });
        }
        Ok(self.step(x, y, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use rand_distr::{Distribution, StandardNormal};

    /// Solves `A w = b` by Gaussian elimination with partial pivoting (test-only truth).
    fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
        let n = b.len();
        for c in 0..n {
            let piv = (c..n)
                .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
                .unwrap();
            a.swap(c, piv);
            b.swap(c, piv);
            for r in (c + 1)..n {
                let f = a[r][c] / a[c][c];
                for k in c..n {
                    a[r][k] -= f * a[c][k];
                }
                b[r] -= f * b[c];
            }
        }
        let mut w = vec![0.0; n];
        for r in (0..n).rev() {
            let s: f64 = ((r + 1)..n).map(|k| a[r][k] * w[k]).sum();
            w[r] = (b[r] - s) / a[r][r];
        }
        w
    }

    /// The recursion equals the closed-form exponentially weighted, regularised least
    /// squares solution (Haykin eq. (9.12)) at every step checked.
    #[test]
    fn matches_closed_form_weighted_least_squares() {
        let mut rng = StdRng::seed_from_u64(7);
        let (n, d) = (60, 3);
        let lam: f64 = 0.95;
        let delta = 0.5;
        let mut x = Array2::<f64>::zeros((n, d));
        let mut y = Array1::<f64>::zeros(n);
        for i in 0..n {
            for j in 0..d {
                x[[i, j]] = StandardNormal.sample(&mut rng);
            }
            let e: f64 = StandardNormal.sample(&mut rng);
            y[i] = 1.0 + 2.0 * x[[i, 0]] - x[[i, 2]] + 0.3 * e;
        }
        let mut m = Rls {
            forgetting: lam,
            delta,
        }
        .start(d)
        .unwrap();
        for t in 0..n {
            m.update(x.row(t), y[t]).unwrap();
            if t % 7 != 6 {
                continue;
            }
            let steps = t + 1;
            let p = d + 1;
            let mut a = vec![vec![0.0; p]; p];
            let mut b = vec![0.0; p];
            for i in 0..steps {
                let wgt = lam.powi((steps - 1 - i) as i32);
                let mut u: Vec<f64> = x.row(i).to_vec();
                u.push(1.0);
                for r in 0..p {
                    b[r] += wgt * u[r] * y[i];
                    for c in 0..p {
                        a[r][c] += wgt * u[r] * u[c];
                    }
                }
            }
            for (r, row) in a.iter_mut().enumerate() {
                row[r] += delta * lam.powi(steps as i32);
            }
            let want = solve(a, b);
            for r in 0..p {
                assert!(
                    (m.weights()[r] - want[r]).abs() < 1e-8,
                    "step {steps}: {:?} vs {want:?}",
                    m.weights()
                );
            }
        }
    }

    /// After an abrupt change of the coefficients, a forgetting filter (λ = 0.95, memory ≈
    /// 20) re-converges to the new relation while λ = 1 stays between the two.
    #[test]
    fn forgetting_tracks_a_regime_change() {
        let mut rng = StdRng::seed_from_u64(11);
        let mut fast = Rls {
            forgetting: 0.95,
            delta: 1e-3,
        }
        .start(1)
        .unwrap();
        let mut slow = Rls {
            forgetting: 1.0,
            delta: 1e-3,
        }
        .start(1)
        .unwrap();
        for t in 0..1000 {
            let xv: f64 = StandardNormal.sample(&mut rng);
            let e: f64 = StandardNormal.sample(&mut rng);
            let slope = if t < 500 { 1.0 } else { -1.0 };
            let y = slope * xv + 0.1 * e;
            let x = ndarray::array![xv];
            fast.update(x.view(), y).unwrap();
            slow.update(x.view(), y).unwrap();
        }
        assert!((fast.weights()[0] + 1.0).abs() < 0.1, "{}", fast.weights());
        assert!(slow.weights()[0].abs() < 0.3, "{}", slow.weights());
    }

    #[test]
    fn bad_forgetting_and_bad_rows_are_errors() {
        assert!(matches!(
            Rls {
                forgetting: 1.5,
                delta: 1.0
            }
            .start(2),
            Err(Error::InvalidParameter {
                name: "forgetting",
                ..
            })
        ));
        let mut m = Rls::default().start(2).unwrap();
        assert!(matches!(
            m.update(ndarray::array![1.0].view(), 0.0),
            Err(Error::FeatureCount {
                got: 1,
                expected: 2
            })
        ));
        assert!(matches!(
            m.update(ndarray::array![1.0, f64::NAN].view(), 0.0),
            Err(Error::NonFinite { col: 1, .. })
        ));
        assert_eq!(m.n_updates(), 0);
    }
}
