//! Support vector classification through smartcore 0.7's SMO solver, with Platt-scaled
//! probabilities, behind the crate's [`Learner`].
//!
//! Fitting: features are standardised (training mean and standard deviation), then one
//! binary smartcore `SVC` per task (binary) or per class against the rest (multiclass,
//! one-vs-rest). The fitted support vectors, their coefficients and the bias are copied out
//! of smartcore's model (through its serde representation, the only public route to them),
//! because smartcore's `SVC` borrows its parameters and cannot predict after being
//! deserialised; prediction evaluates `f(x) = b + Σᵢ wᵢ K(svᵢ, x)` here with the same kernel
//! formulas (checked against smartcore's own decision function in the tests).
//!
//! Probabilities: Platt (1999) scaling `P(y = 1 | f) = 1 / (1 + exp(A f + B))`, with `A, B`
//! fitted by maximum likelihood on the training decision values with Platt's smoothed
//! targets `(N₊ + 1)/(N₊ + 2)` and `1/(N₋ + 2)` (Lin, Lin & Weng 2007, §2). Fitting on the
//! training decision values rather than held-out ones makes the probabilities somewhat
//! over-confident; for one-vs-rest the per-class probabilities are normalised to sum to one.
//!
//! Determinism: smartcore shuffles the SMO visiting order from `rand::rng()` unless given a
//! seed; the seed is always passed. Sample weights are not supported (an error).

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};
use smartcore::svm::Kernels;
use smartcore::svm::svc::{SVC, SVCParameters};

use crate::error::{Error, Result, check_param};
use crate::linear::standardiser;
use crate::model::{Dataset, Learner, Model, Task, check_features};
use crate::optim::lbfgs;

/// A kernel function `K(x, y)` on standardised features.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum SvmKernel {
    /// `⟨x, y⟩`.
    Linear,
    /// `exp(−γ ‖x − y‖²)`.
    Rbf {
        /// γ > 0.
        gamma: f64,
    },
    /// `(γ ⟨x, y⟩ + c₀)^degree`.
    Polynomial {
        /// Degree (> 0).
        degree: f64,
        /// γ > 0.
        gamma: f64,
        /// Independent term c₀.
        coef0: f64,
    },
}

impl SvmKernel {
    fn apply(self, a: &[f64], b: &[f64]) -> f64 {
        match self {
            SvmKernel::Linear => a.iter().zip(b).map(|(x, y)| x * y).sum(),
            SvmKernel::Rbf { gamma } => {
                let d2: f64 = a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum();
                (-gamma * d2).exp()
            }
            SvmKernel::Polynomial {
                degree,
                gamma,
                coef0,
            } => {
                let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
                (gamma * dot + coef0).powf(degree)
            }
        }
    }

    fn smartcore(self) -> Kernels {
        match self {
            SvmKernel::Linear => Kernels::linear(),
            SvmKernel::Rbf { gamma } => Kernels::rbf().with_gamma(gamma),
            SvmKernel::Polynomial {
                degree,
                gamma,
                coef0,
            } => Kernels::polynomial()
                .with_degree(degree)
                .with_gamma(gamma)
                .with_coef0(coef0),
        }
    }
}

/// Configuration of an [`SvmModel`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Svm {
    /// Soft-margin penalty C > 0 (default 1).
    pub c: f64,
    /// Kernel (default RBF with γ = 0.25).
    pub kernel: SvmKernel,
    /// SMO stopping tolerance (default `1e-3`).
    pub tol: f64,
    /// SMO passes over the data (smartcore's `epoch`, default 2).
    pub epochs: usize,
    /// Seed of smartcore's SMO visiting order.
    pub seed: u64,
}

impl Default for Svm {
    fn default() -> Self {
        Svm {
            c: 1.0,
            kernel: SvmKernel::Rbf { gamma: 0.25 },
            tol: 1e-3,
            epochs: 2,
            seed: 0,
        }
    }
}

/// One fitted binary machine: support vectors, coefficients, bias and Platt's sigmoid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Machine {
    support: Vec<Vec<f64>>,
    coef: Vec<f64>,
    bias: f64,
    platt_a: f64,
    platt_b: f64,
}

impl Machine {
    fn decision(&self, kernel: SvmKernel, z: &[f64]) -> f64 {
        self.bias
            + self
                .support
                .iter()
                .zip(&self.coef)
                .map(|(sv, w)| w * kernel.apply(sv, z))
                .sum::<f64>()
    }

    fn probability(&self, f: f64) -> f64 {
        let z = self.platt_a * f + self.platt_b;
        // 1/(1+e^z), evaluated without overflow.
        if z >= 0.0 {
            let e = (-z).exp();
            e / (1.0 + e)
        } else {
            1.0 / (1.0 + z.exp())
        }
    }
}

/// A fitted support vector classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SvmModel {
    task: Task,
    kernel: SvmKernel,
    mean: Array1<f64>,
    sd: Array1<f64>,
    /// One machine (binary: class 1 positive) or one per class (one-vs-rest).
    machines: Vec<Machine>,
}

/// The fields of smartcore's serialised `SVC` that define its decision function.
#[derive(Deserialize)]
struct ScSvcParts {
    classes: Option<(i32, i32)>,
    instances: Option<Vec<Vec<f64>>>,
    w: Option<Vec<f64>>,
    b: Option<f64>,
}

fn sc_err(e: impl std::fmt::Display) -> Error {
    Error::Smartcore {
        model: "SVC",
        reason: e.to_string(),
    }
}

/// Fits Platt's sigmoid to decision values `f` with 0/1 targets `pos`.
fn platt(f: &[f64], pos: &[bool]) -> Result<(f64, f64)> {
    let n_pos = pos.iter().filter(|&&p| p).count() as f64;
    let n_neg = pos.len() as f64 - n_pos;
    let t_pos = (n_pos + 1.0) / (n_pos + 2.0);
    let t_neg = 1.0 / (n_neg + 2.0);
    let softplus = |z: f64| {
        if z > 0.0 {
            z + (-z).exp().ln_1p()
        } else {
            z.exp().ln_1p()
        }
    };
    let sigmoid = |z: f64| 1.0 / (1.0 + (-z).exp());
    let objective = |p: &[f64], g: &mut [f64]| {
        let (mut v, mut ga, mut gb) = (0.0, 0.0, 0.0);
        for (&fi, &yi) in f.iter().zip(pos) {
            let t = if yi { t_pos } else { t_neg };
            let z = p[0] * fi + p[1];
            v += softplus(z) - (1.0 - t) * z;
            let r = sigmoid(z) - (1.0 - t);
            ga += r * fi;
            gb += r;
        }
        g[0] = ga;
        g[1] = gb;
        v
    };
    let start = vec![0.0, ((n_neg + 1.0) / (n_pos + 1.0)).ln()];
    let m = lbfgs(objective, start, 200, 1e-9, "Platt scaling")?;
    Ok((m.x[0], m.x[1]))
}

impl Svm {
    fn fit_machine(&self, z: &Array2<f64>, positive: &[bool]) -> Result<Machine> {
        let y: Array1<i32> = positive.iter().map(|&p| i32::from(p)).collect();
        let params = SVCParameters::default()
            .with_c(self.c)
            .with_tol(self.tol)
            .with_epoch(self.epochs)
            .with_kernel(self.kernel.smartcore())
            .with_seed(Some(self.seed));
        let svc = SVC::fit(z, &y, &params).map_err(sc_err)?;
        let parts: ScSvcParts =
            serde_json::from_value(serde_json::to_value(&svc).map_err(sc_err)?).map_err(sc_err)?;
        let (Some(classes), Some(support), Some(coef), Some(bias)) =
            (parts.classes, parts.instances, parts.w, parts.b)
        else {
            return Err(sc_err("fitted SVC is missing its support vectors"));
        };
        // smartcore maps the larger label (here 1) to a positive decision value.
        if classes != (0, 1) {
            return Err(sc_err(format!("unexpected class pair {classes:?}")));
        }
        let mut m = Machine {
            support,
            coef,
            bias,
            platt_a: 0.0,
            platt_b: 0.0,
        };
        let f: Vec<f64> = z
            .outer_iter()
            .map(|r| m.decision(self.kernel, r.as_slice().expect("standard layout")))
            .collect();
        let (a, b) = platt(&f, positive)?;
        m.platt_a = a;
        m.platt_b = b;
        Ok(m)
    }
}

impl Learner for Svm {
    type Model = SvmModel;

    fn fit(&self, data: &Dataset<'_>) -> Result<SvmModel> {
        check_param(self.c > 0.0 && self.c.is_finite(), "c", self.c, "> 0")?;
        check_param(self.tol > 0.0, "tol", self.tol, "> 0")?;
        check_param(self.epochs >= 1, "epochs", self.epochs, ">= 1")?;
        match self.kernel {
            SvmKernel::Linear => {}
            SvmKernel::Rbf { gamma } => check_param(gamma > 0.0, "gamma", gamma, "> 0")?,
            SvmKernel::Polynomial { degree, gamma, .. } => {
                check_param(gamma > 0.0, "gamma", gamma, "> 0")?;
                check_param(degree > 0.0, "degree", degree, "> 0")?;
            }
        }
        let Some(k) = data.task().n_classes() else {
            return Err(Error::Unsupported {
                model: "svm",
                what: "regression".into(),
            });
        };
        if data.weights().is_some() {
            return Err(Error::Unsupported {
                model: "svm",
                what: "sample weights".into(),
            });
        }
        let n = data.n_rows();
        let (mean, sd) = standardiser(data.features(), &vec![1.0; n]);
        let z = (&data.features() - &mean) / &sd;
        let z = z.as_standard_layout().into_owned();
        let machines = if k == 2 {
            let pos: Vec<bool> = (0..n).map(|i| data.class(i) == 1).collect();
            vec![self.fit_machine(&z, &pos)?]
        } else {
            (0..k)
                .map(|c| {
                    let pos: Vec<bool> = (0..n).map(|i| data.class(i) == c).collect();
                    if pos.iter().all(|&p| !p) {
                        return Err(Error::Unsupported {
                            model: "svm",
                            what: format!("a one-vs-rest fit with class {c} absent from the data"),
                        });
                    }
                    self.fit_machine(&z, &pos)
                })
                .collect::<Result<_>>()?
        };
        Ok(SvmModel {
            task: data.task(),
            kernel: self.kernel,
            mean,
            sd,
            machines,
        })
    }
}

impl SvmModel {
    /// Raw decision values `f(x)`, one column per machine (binary: one column, positive
    /// for class 1; one-vs-rest: one column per class).
    ///
    /// # Errors
    /// [`Error::FeatureCount`] or [`Error::NonFinite`] for bad input.
    pub fn decision_function(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check_features(x, Some(self.mean.len()))?;
        let mut out = Array2::zeros((x.nrows(), self.machines.len()));
        for (i, row) in x.outer_iter().enumerate() {
            let z: Vec<f64> = (0..row.len())
                .map(|j| (row[j] - self.mean[j]) / self.sd[j])
                .collect();
            for (c, m) in self.machines.iter().enumerate() {
                out[[i, c]] = m.decision(self.kernel, &z);
            }
        }
        Ok(out)
    }
}

impl Model for SvmModel {
    fn name(&self) -> &'static str {
        "svm"
    }

    fn task(&self) -> Task {
        self.task
    }

    fn n_features(&self) -> usize {
        self.mean.len()
    }

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let f = self.decision_function(x)?;
        let k = self.task.n_outputs();
        let mut p = Array2::zeros((x.nrows(), k));
        for (i, row) in f.outer_iter().enumerate() {
            if self.machines.len() == 1 {
                let p1 = self.machines[0].probability(row[0]);
                p[[i, 0]] = 1.0 - p1;
                p[[i, 1]] = p1;
            } else {
                let mut s = 0.0;
                for c in 0..k {
                    p[[i, c]] = self.machines[c].probability(row[c]);
                    s += p[[i, c]];
                }
                for c in 0..k {
                    p[[i, c]] = if s > 0.0 {
                        p[[i, c]] / s
                    } else {
                        1.0 / k as f64
                    };
                }
            }
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::synthetic;

    /// The decision function rebuilt from the extracted support vectors equals smartcore's
    /// own `decision_function` on the same fitted SVC (independent implementation).
    #[test]
    fn extracted_machine_matches_smartcores_decision_function() {
        for kernel in [
            SvmKernel::Linear,
            SvmKernel::Rbf { gamma: 0.3 },
            SvmKernel::Polynomial {
                degree: 2.0,
                gamma: 0.5,
                coef0: 1.0,
            },
        ] {
            let data = synthetic(Task::Binary, 120, 5);
            let z = data.features.clone();
            let pos: Vec<bool> = data.labels.iter().map(|&y| y == 1.0).collect();
            let svm = Svm {
                kernel,
                ..Svm::default()
            };
            let m = svm.fit_machine(&z, &pos).unwrap();
            let y: Array1<i32> = pos.iter().map(|&p| i32::from(p)).collect();
            let params = SVCParameters::default()
                .with_c(svm.c)
                .with_tol(svm.tol)
                .with_epoch(svm.epochs)
                .with_kernel(kernel.smartcore())
                .with_seed(Some(svm.seed));
            let sc = SVC::fit(&z, &y, &params).unwrap();
            let want = sc.decision_function(&z).unwrap();
            for (i, row) in z.outer_iter().enumerate() {
                let got = m.decision(kernel, row.as_slice().unwrap());
                assert!(
                    (got - want[i]).abs() < 1e-9,
                    "{kernel:?} row {i}: {got} vs {}",
                    want[i]
                );
            }
        }
    }

    /// Platt's fit on perfectly calibrated synthetic scores: if P(y=1|f) = 1/(1+e^{−2f}),
    /// maximum likelihood gives A ≈ −2, B ≈ 0 (SE ≈ 0.07 and 0.04 at n = 4000; tolerance
    /// 0.3 and 0.15, several seeds; Platt's target smoothing shifts them by O(1/n)).
    #[test]
    fn platt_scaling_recovers_a_known_sigmoid() {
        use rand::{RngExt, SeedableRng};
        for seed in [1u64, 2, 3] {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let f: Vec<f64> = (0..4000).map(|_| rng.random::<f64>() * 4.0 - 2.0).collect();
            let pos: Vec<bool> = f
                .iter()
                .map(|&v| rng.random::<f64>() < 1.0 / (1.0 + (-2.0 * v).exp()))
                .collect();
            let (a, b) = platt(&f, &pos).unwrap();
            assert!(
                (a + 2.0).abs() < 0.3 && b.abs() < 0.15,
                "seed {seed}: A {a}, B {b}"
            );
        }
    }

    #[test]
    fn regression_and_weights_are_unsupported() {
        let data = synthetic(Task::Regression, 20, 1);
        assert!(matches!(
            Svm::default().fit(&data.view().unwrap()),
            Err(Error::Unsupported { .. })
        ));
    }
}
