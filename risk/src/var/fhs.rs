//! Filtered historical simulation (Barone-Adesi, Giannopoulos & Vosper, 1999).

use super::{VarEs, check_alpha, tail_of_sorted};
use crate::error::{Error, Result, check_finite};
use crate::vol::garch::forecast_variance;
use crate::vol::{GarchFit, GarchModel, GarchParams};

/// GARCH-filtered historical VaR/ES: the empirical tail of the standardised residuals
/// zₜ = (rₜ − μ̂)/σ̂ₜ of a GARCH fit, rescaled by the σ forecast (see the
/// [module docs](super)).
///
/// ```
/// use shortfall_risk::var::FilteredHistorical;
/// use shortfall_risk::vol::{GarchModel, GarchParams, MeanModel};
/// # fn main() -> shortfall_risk::Result<()> {
/// let model = GarchModel::garch(MeanModel::Zero);
/// let truth = GarchParams { omega: 0.02, alpha: 0.08, beta: 0.9, ..GarchParams::default() };
/// let y = model.simulate(&truth, 1500, 500, 3)?.returns;
/// let fhs = FilteredHistorical::fit(model, &y)?;
/// let tomorrow = fhs.forecast(0.01)?;
/// assert!(tomorrow.es > tomorrow.var && tomorrow.var > 0.0);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FilteredHistorical {
    model: GarchModel,
    params: GarchParams,
    /// Standardised losses −zₜ, ascending.
    sorted_losses: Vec<f64>,
    last_residual: f64,
    last_variance: f64,
}

/// One out-of-sample forecast of [`FilteredHistorical::out_of_sample`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FhsForecast {
    /// The σ forecast for the period.
    pub sigma: f64,
    /// VaR and ES for the period.
    pub risk: VarEs,
}

impl FilteredHistorical {
    /// Fits `model` to `returns` by maximum likelihood ([`GarchModel::fit`]) and keeps the
    /// standardised residuals.
    ///
    /// # Errors
    /// Any error of [`GarchModel::fit`] (too short, NaN, no convergence).
    pub fn fit(model: GarchModel, returns: &[f64]) -> Result<Self> {
        let fit = model.fit_with(
            returns,
            &crate::vol::FitOptions {
                std_errors: false,
                ..Default::default()
            },
        )?;
        Self::from_fit(&fit, returns)
    }

    /// Uses an existing fit of `returns` (the same series the fit was made on).
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when `returns` is not as long as the fit's sample,
    /// [`Error::NonFinite`] for a NaN/inf return.
    pub fn from_fit(fit: &GarchFit, returns: &[f64]) -> Result<Self> {
        if returns.len() != fit.nobs {
            return Err(Error::LengthMismatch {
                what: "returns for filtered historical simulation (the fit's sample)",
                got: returns.len(),
                expected: fit.nobs,
            });
        }
        check_finite("returns", returns)?;
        let mu = fit.params.mu;
        let mut sorted_losses: Vec<f64> = returns
            .iter()
            .zip(&fit.conditional_variance)
            .map(|(r, s2)| -(r - mu) / s2.sqrt())
            .collect();
        sorted_losses.sort_by(f64::total_cmp);
        Ok(Self {
            model: fit.model,
            params: fit.params,
            sorted_losses,
            last_residual: returns[returns.len() - 1] - mu,
            last_variance: *fit
                .conditional_variance
                .last()
                .expect("a fit has at least MIN_OBSERVATIONS observations"),
        })
    }

    /// Filters `returns` at given parameters (estimated earlier, perhaps on a shorter
    /// window): σₜ from [`GarchModel::conditional_variance`], then as
    /// [`FilteredHistorical::from_fit`]. A longer residual history estimates the tail
    /// quantile of z more precisely than the fitting window alone.
    ///
    /// # Errors
    /// As [`GarchModel::conditional_variance`] (too short, NaN, parameters outside the
    /// model's region).
    pub fn with_params(model: GarchModel, params: GarchParams, returns: &[f64]) -> Result<Self> {
        let s2 = model.conditional_variance(returns, &params)?;
        let mu = params.mu;
        let mut sorted_losses: Vec<f64> = returns
            .iter()
            .zip(&s2)
            .map(|(r, v)| -(r - mu) / v.sqrt())
            .collect();
        sorted_losses.sort_by(f64::total_cmp);
        Ok(Self {
            model,
            params,
            sorted_losses,
            last_residual: returns[returns.len() - 1] - mu,
            last_variance: s2[s2.len() - 1],
        })
    }

    /// The GARCH model behind the filter.
    pub fn model(&self) -> GarchModel {
        self.model
    }

    /// Its parameters.
    pub fn params(&self) -> &GarchParams {
        &self.params
    }

    /// VaR and ES of the standardised residuals (the unit-σ tail).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for α outside (0, 1); [`Error::TooShort`] when the
    /// sample has fewer than 1/α residuals.
    pub fn standardised_tail(&self, alpha: f64) -> Result<VarEs> {
        check_alpha(alpha)?;
        crate::error::check_len(
            "filtered historical simulation (needs n * alpha >= 1)",
            self.sorted_losses.len(),
            (1.0 / alpha).ceil() as usize,
        )?;
        Ok(tail_of_sorted(&self.sorted_losses, alpha))
    }

    /// VaR/ES for the period after the sample: −μ + σ_{T+1}·(VaR, ES of z).
    ///
    /// # Errors
    /// As [`FilteredHistorical::standardised_tail`].
    pub fn forecast(&self, alpha: f64) -> Result<VarEs> {
        let z = self.standardised_tail(alpha)?;
        let s2 = forecast_variance(&self.params, self.last_residual, self.last_variance, 1)?[0];
        Ok(self.scale(z, s2.sqrt()))
    }

    /// Out-of-sample forecasts for the returns that follow the sample, with the parameters
    /// and the residual distribution held fixed: forecast t uses `future[..t]` only (the
    /// GARCH recursion filters σ forward), so `forecasts[t]` can be compared with
    /// `future[t]` in a backtest.
    ///
    /// # Errors
    /// As [`FilteredHistorical::standardised_tail`], plus [`Error::NonFinite`] for a NaN/inf
    /// in `future`.
    pub fn out_of_sample(&self, future: &[f64], alpha: f64) -> Result<Vec<FhsForecast>> {
        let z = self.standardised_tail(alpha)?;
        check_finite("future returns", future)?;
        let p = &self.params;
        let mut s2 = forecast_variance(p, self.last_residual, self.last_variance, 1)?[0];
        let mut out = Vec::with_capacity(future.len());
        for &r in future {
            let sigma = s2.sqrt();
            out.push(FhsForecast {
                sigma,
                risk: self.scale(z, sigma),
            });
            let e = r - p.mu;
            let neg = if e < 0.0 { 1.0 } else { 0.0 };
            s2 = p.omega + (p.alpha + p.gamma * neg) * e * e + p.beta * s2;
        }
        Ok(out)
    }

    fn scale(&self, z: VarEs, sigma: f64) -> VarEs {
        VarEs {
            alpha: z.alpha,
            var: -self.params.mu + sigma * z.var,
            es: -self.params.mu + sigma * z.es,
        }
    }
}
