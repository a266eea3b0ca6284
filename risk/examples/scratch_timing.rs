use shortfall_risk::vol::*;
fn main() {
    let what = std::env::args().nth(1).unwrap_or_default();
    let model = GarchModel::garch(MeanModel::Zero);
    let truth = GarchParams {
        omega: 0.05,
        alpha: 0.1,
        beta: 0.85,
        ..GarchParams::default()
    };
    let y = model.simulate(&truth, 5000, 500, 3).unwrap().returns;
    let fit = model.fit(&y).unwrap();
    let o = FitOptions {
        std_errors: false,
        ..FitOptions::default()
    };
    for _ in 0..200 {
        match what.as_str() {
            "cov" => {
                std::hint::black_box(model.covariance(&y, &fit.params).unwrap());
            }
            "nose" => {
                std::hint::black_box(model.fit_with(&y, &o).unwrap());
            }
            "ll" => {
                std::hint::black_box(model.loglikelihood(&y, &fit.params).unwrap());
            }
            _ => {
                std::hint::black_box(model.fit(&y).unwrap());
            }
        }
    }
}
