//! Every model in the crate through the shared conformance suite
//! (`shortfall_signals::conformance::check_learner`).

use shortfall_signals::Task;
use shortfall_signals::conformance::check_learner;
use shortfall_signals::linear::{Logistic, Rls};

const SEEDS: [u64; 3] = [1, 2, 3];

#[test]
fn logistic_binary_conforms() {
    check_learner(|_| Logistic::default(), Task::Binary, &SEEDS);
}

#[test]
fn logistic_multiclass_conforms() {
    check_learner(
        |_| Logistic::default(),
        Task::Multiclass { n_classes: 3 },
        &SEEDS,
    );
}

#[test]
fn rls_regression_conforms() {
    check_learner(
        |_| Rls {
            forgetting: 1.0,
            delta: 1e-3,
        },
        Task::Regression,
        &SEEDS,
    );
}

/// A learner that ignores the features must fail the suite (the suite can fail).
mod constant {
    use ndarray::{Array2, ArrayView2};
    use serde::{Deserialize, Serialize};
    use shortfall_signals::model::check_features;
    use shortfall_signals::{Dataset, Learner, Model, Result, Task};

    #[derive(Debug)]
    pub struct Prior;

    #[derive(Debug, Serialize, Deserialize)]
    pub struct PriorModel {
        prior: Vec<f64>,
        d: usize,
    }

    impl Learner for Prior {
        type Model = PriorModel;
        fn fit(&self, data: &Dataset<'_>) -> Result<PriorModel> {
            let k = data.task().n_outputs();
            let mut prior = vec![0.0; k];
            for i in 0..data.n_rows() {
                prior[data.class(i)] += 1.0 / data.n_rows() as f64;
            }
            Ok(PriorModel {
                prior,
                d: data.n_features(),
            })
        }
    }

    impl Model for PriorModel {
        fn name(&self) -> &'static str {
            "prior"
        }
        fn task(&self) -> Task {
            Task::Binary
        }
        fn n_features(&self) -> usize {
            self.d
        }
        fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
            check_features(x, Some(self.d))?;
            Ok(Array2::from_shape_fn(
                (x.nrows(), self.prior.len()),
                |(_, c)| self.prior[c],
            ))
        }
    }
}

#[test]
#[should_panic(expected = "not below 0.8 × constant")]
fn a_constant_predictor_fails_the_suite() {
    check_learner(|_| constant::Prior, Task::Binary, &[1]);
}

mod regimes {
    use shortfall_signals::conformance::check_regime_learner;
    use shortfall_signals::regime::{CovarianceKind, GaussianHmm, GaussianMixture, KMeans};

    use super::SEEDS;

    #[test]
    fn kmeans_conforms() {
        check_regime_learner(|s| KMeans::new(3, s), &SEEDS);
    }

    #[test]
    fn gaussian_mixture_diagonal_and_full_conform() {
        check_regime_learner(
            |s| GaussianMixture::new(3, CovarianceKind::Diagonal, s),
            &SEEDS,
        );
        check_regime_learner(|s| GaussianMixture::new(3, CovarianceKind::Full, s), &SEEDS);
    }

    #[test]
    fn gaussian_hmm_conforms() {
        check_regime_learner(|s| GaussianHmm::new(3, s), &SEEDS);
    }
}

mod smartcore_models {
    use shortfall_signals::Task;
    use shortfall_signals::conformance::{check_learner, check_learner_with};
    use shortfall_signals::forest::RandomForest;
    use shortfall_signals::svm::Svm;

    use super::SEEDS;

    fn forest(seed: u64) -> RandomForest {
        RandomForest {
            n_trees: 30,
            seed,
            ..RandomForest::default()
        }
    }

    #[test]
    fn random_forest_conforms_on_every_task() {
        check_learner(forest, Task::Binary, &SEEDS);
        check_learner(forest, Task::Multiclass { n_classes: 3 }, &SEEDS);
        check_learner(forest, Task::Regression, &SEEDS);
    }

    #[test]
    fn svm_conforms_binary_and_one_vs_rest() {
        let svm = |seed| Svm {
            seed,
            ..Svm::default()
        };
        // SMO is quadratic in the rows: 200 training rows keep the debug build fast.
        check_learner_with(svm, Task::Binary, &SEEDS, 200);
        check_learner_with(svm, Task::Multiclass { n_classes: 3 }, &SEEDS, 200);
    }
}

mod gbdt {
    use super::SEEDS;
    use shortfall_signals::Task;
    use shortfall_signals::conformance::check_learner;
    use shortfall_signals::gbdt::{Gbdt, GbdtParams};

    fn learner(seed: u64) -> Gbdt {
        Gbdt::new(GbdtParams {
            rounds: 50,
            row_fraction: 0.8,
            feature_fraction: 0.75,
            threads: 2,
            seed,
            ..GbdtParams::default()
        })
        .expect("valid parameters")
    }

    #[test]
    fn gbdt_binary_conforms() {
        check_learner(learner, Task::Binary, &SEEDS);
    }

    #[test]
    fn gbdt_regression_conforms() {
        check_learner(learner, Task::Regression, &SEEDS);
    }
}
