//! VaR backtests on a sequence of exceedance indicators Iₜ (true when the loss exceeded the
//! VaR forecast, see [`super::exceedances`]): likelihood-ratio tests with χ² p-values from
//! `statrs`.
//!
//! - **Kupiec (1995) proportion of failures** (unconditional coverage): with N exceedances
//!   in T periods and nominal rate p = α,
//!   LR_uc = −2·ln[(1 − p)^{T−N}·p^N / ((1 − N/T)^{T−N}·(N/T)^N)] ~ χ²(1).
//! - **Christoffersen (1998) independence**: with nᵢⱼ the number of transitions i → j in
//!   I₀ … I_{T−1} (T − 1 transitions), π₀₁ = n₀₁/(n₀₀ + n₀₁), π₁₁ = n₁₁/(n₁₀ + n₁₁),
//!   π = (n₀₁ + n₁₁)/(T − 1):
//!   LR_ind = −2·ln[(1 − π)^{n₀₀+n₁₀}·π^{n₀₁+n₁₁} / ((1 − π₀₁)^{n₀₀}·π₀₁^{n₀₁}·(1 − π₁₁)^{n₁₀}·π₁₁^{n₁₁})] ~ χ²(1).
//! - **Christoffersen (1998) conditional coverage**: LR_cc = LR_uc + LR_ind ~ χ²(2)
//!   (Christoffersen, 1998: the sum holds exactly when the first observation is
//!   conditioned on; using LR_uc on all T periods, as here and as in most practice, is
//!   the usual finite-sample convention).
//!
//! **Edge cases**: every term is evaluated as n·ln q with 0·ln 0 = 0 (the limit), so no
//! exceedances (N = 0), only exceedances (N = T), and transition rows that never occur
//! (e.g. no 1 → · transitions) give finite statistics. An empty row contributes nothing to
//! either likelihood; with N = 0 or N = T the independence statistic is 0 (there is nothing
//! to be dependent).
//!
//! # References
//! - Kupiec, P. (1995). Techniques for verifying the accuracy of risk measurement models.
//!   *Journal of Derivatives* 3(2), 73–84.
//! - Christoffersen, P. (1998). Evaluating interval forecasts. *International Economic
//!   Review* 39, 841–862.
//!
//! ```
//! use shortfall_risk::var::backtest::kupiec;
//! # fn main() -> shortfall_risk::Result<()> {
//! // 250 days at 99 %: 2.5 breaches expected; 8 breaches is too many at the 5 % level.
//! let mut hits = vec![false; 250];
//! for t in [10, 40, 41, 90, 150, 151, 200, 230] { hits[t] = true; }
//! let test = kupiec(&hits, 0.01)?;
//! assert_eq!(test.df, 1);
//! assert!(test.p_value < 0.05);
//! assert!(test.rejects(0.05));
//! # Ok(()) }
//! ```

use super::check_alpha;
use crate::error::{Error, Result};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// A likelihood-ratio test result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LrTest {
    /// The LR statistic (≥ 0).
    pub statistic: f64,
    /// Degrees of freedom of its asymptotic χ² distribution.
    pub df: u32,
    /// P(χ²(df) ≥ statistic).
    pub p_value: f64,
}

impl LrTest {
    fn new(statistic: f64, df: u32) -> Self {
        // Rounding can leave −1e-16 where the likelihoods are equal.
        let statistic = statistic.max(0.0);
        let chi2 = ChiSquared::new(f64::from(df)).expect("df is 1 or 2");
        Self {
            statistic,
            df,
            p_value: chi2.sf(statistic),
        }
    }

    /// True when the test rejects the model at significance `level` (p-value < level).
    pub fn rejects(&self, level: f64) -> bool {
        self.p_value < level
    }
}

/// The exceedance counts the tests use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HitCounts {
    /// Periods T.
    pub periods: usize,
    /// Exceedances N.
    pub exceedances: usize,
    /// Transitions no-hit → no-hit.
    pub n00: usize,
    /// Transitions no-hit → hit.
    pub n01: usize,
    /// Transitions hit → no-hit.
    pub n10: usize,
    /// Transitions hit → hit.
    pub n11: usize,
}

impl HitCounts {
    /// Counts `hits`.
    pub fn of(hits: &[bool]) -> Self {
        let mut c = HitCounts {
            periods: hits.len(),
            exceedances: hits.iter().filter(|h| **h).count(),
            ..Self::default()
        };
        for w in hits.windows(2) {
            match (w[0], w[1]) {
                (false, false) => c.n00 += 1,
                (false, true) => c.n01 += 1,
                (true, false) => c.n10 += 1,
                (true, true) => c.n11 += 1,
            }
        }
        c
    }
}

/// n·ln q with 0·ln 0 = 0 (also for q = 0 when n = 0).
fn xlnq(n: usize, q: f64) -> f64 {
    if n == 0 { 0.0 } else { n as f64 * q.ln() }
}

fn check_hits(hits: &[bool], needed: usize) -> Result<()> {
    crate::error::check_len("VaR backtest (exceedance sequence)", hits.len(), needed)
}

/// Kupiec's proportion-of-failures test of H₀: P(exceedance) = `alpha`.
///
/// # Errors
/// [`Error::InvalidParameter`] for α outside (0, 1), [`Error::TooShort`] for an empty
/// sequence.
pub fn kupiec(hits: &[bool], alpha: f64) -> Result<LrTest> {
    check_alpha(alpha)?;
    check_hits(hits, 1)?;
    let c = HitCounts::of(hits);
    Ok(LrTest::new(lr_uc(&c, alpha), 1))
}

fn lr_uc(c: &HitCounts, alpha: f64) -> f64 {
    let (t, n) = (c.periods, c.exceedances);
    let rate = n as f64 / t as f64;
    let null = xlnq(t - n, 1.0 - alpha) + xlnq(n, alpha);
    let alt = xlnq(t - n, 1.0 - rate) + xlnq(n, rate);
    -2.0 * (null - alt)
}

fn lr_ind(c: &HitCounts) -> f64 {
    let row0 = c.n00 + c.n01;
    let row1 = c.n10 + c.n11;
    let total = row0 + row1;
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let pi = ratio(c.n01 + c.n11, total);
    let pi01 = ratio(c.n01, row0);
    let pi11 = ratio(c.n11, row1);
    let null = xlnq(c.n00 + c.n10, 1.0 - pi) + xlnq(c.n01 + c.n11, pi);
    let alt =
        xlnq(c.n00, 1.0 - pi01) + xlnq(c.n01, pi01) + xlnq(c.n10, 1.0 - pi11) + xlnq(c.n11, pi11);
    -2.0 * (null - alt)
}

/// Christoffersen's test of H₀: exceedances are independent (first-order Markov
/// alternative).
///
/// # Errors
/// [`Error::TooShort`] for fewer than 2 periods (no transition).
pub fn christoffersen_independence(hits: &[bool]) -> Result<LrTest> {
    check_hits(hits, 2)?;
    Ok(LrTest::new(lr_ind(&HitCounts::of(hits)), 1))
}

/// Christoffersen's conditional-coverage test of H₀: exceedances are independent and
/// occur with probability `alpha`; LR_cc = LR_uc + LR_ind, χ²(2).
///
/// # Errors
/// [`Error::InvalidParameter`] for α outside (0, 1), [`Error::TooShort`] for fewer than
/// 2 periods.
pub fn christoffersen_conditional_coverage(hits: &[bool], alpha: f64) -> Result<LrTest> {
    check_alpha(alpha)?;
    check_hits(hits, 2)?;
    let c = HitCounts::of(hits);
    Ok(LrTest::new(lr_uc(&c, alpha) + lr_ind(&c), 2))
}

/// All three tests at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BacktestReport {
    /// The counts behind the tests.
    pub counts: HitCounts,
    /// Kupiec's unconditional coverage.
    pub kupiec: LrTest,
    /// Christoffersen's independence.
    pub independence: LrTest,
    /// Christoffersen's conditional coverage.
    pub conditional_coverage: LrTest,
}

/// Runs the three tests on `hits` at nominal rate `alpha`.
///
/// # Errors
/// As [`christoffersen_conditional_coverage`].
pub fn backtest(hits: &[bool], alpha: f64) -> Result<BacktestReport> {
    check_alpha(alpha)?;
    if hits.len() < 2 {
        return Err(Error::TooShort {
            what: "VaR backtest (exceedance sequence)",
            len: hits.len(),
            needed: 2,
        });
    }
    let counts = HitCounts::of(hits);
    let uc = lr_uc(&counts, alpha);
    let ind = lr_ind(&counts);
    Ok(BacktestReport {
        counts,
        kupiec: LrTest::new(uc, 1),
        independence: LrTest::new(ind, 1),
        conditional_coverage: LrTest::new(uc + ind, 2),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(bits: &[u8]) -> Vec<bool> {
        bits.iter().map(|b| *b == 1).collect()
    }

    #[test]
    fn hand_computed_statistics_for_a_small_clustered_sequence() {
        // 0 0 1 1 0 0 0 0 1 1 0 0: T = 12, N = 4, p = 0.2.
        // Transitions: n00 = 5, n01 = 2, n10 = 2, n11 = 2; π₀₁ = 2/7, π₁₁ = 1/2, π = 4/11.
        let h = hits(&[0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0]);
        let c = HitCounts::of(&h);
        assert_eq!((c.n00, c.n01, c.n10, c.n11), (5, 2, 2, 2));
        let ln = f64::ln;
        let uc = -2.0 * (8.0 * ln(0.8) + 4.0 * ln(0.2) - 8.0 * ln(2.0 / 3.0) - 4.0 * ln(1.0 / 3.0));
        let ind = -2.0
            * ((7.0 * ln(7.0 / 11.0) + 4.0 * ln(4.0 / 11.0))
                - (5.0 * ln(5.0 / 7.0) + 2.0 * ln(2.0 / 7.0) + 4.0 * ln(0.5)));
        // The same numbers evaluated independently (Python, math.log): 1.1694600814246527,
        // 0.4996473411574751; χ² p-values 0.2795122070041725 (df 1), 0.47965511840891645
        // (df 1) and 0.4340681579297522 (df 2, = exp(−LR/2)).
        assert!((uc - 1.169_460_081_424_652_7).abs() < 1e-12);
        assert!((ind - 0.499_647_341_157_475_1).abs() < 1e-12);
        let r = backtest(&h, 0.2).unwrap();
        assert!((r.kupiec.statistic - uc).abs() < 1e-12);
        assert!((r.kupiec.p_value - 0.279_512_207_004_172_5).abs() < 1e-9);
        assert!((r.independence.statistic - ind).abs() < 1e-12);
        assert!((r.independence.p_value - 0.479_655_118_408_916_45).abs() < 1e-9);
        assert!((r.conditional_coverage.statistic - (uc + ind)).abs() < 1e-12);
        assert!((r.conditional_coverage.p_value - 0.434_068_157_929_752_2).abs() < 1e-9);
        assert_eq!(r.conditional_coverage.df, 2);
        assert_eq!(kupiec(&h, 0.2).unwrap(), r.kupiec);
        assert_eq!(christoffersen_independence(&h).unwrap(), r.independence);
        assert_eq!(
            christoffersen_conditional_coverage(&h, 0.2).unwrap(),
            r.conditional_coverage
        );
    }

    #[test]
    fn no_exceedances_and_all_exceedances_use_zero_log_zero() {
        // N = 0 of 250 at 1 %: LR = −2·250·ln 0.99 = 5.025167926750726.
        let none = vec![false; 250];
        let k = kupiec(&none, 0.01).unwrap();
        assert!((k.statistic - 5.025_167_926_750_726).abs() < 1e-10);
        assert!(k.rejects(0.05));
        let ind = christoffersen_independence(&none).unwrap();
        assert_eq!(ind.statistic, 0.0);
        assert_eq!(ind.p_value, 1.0);
        // N = T = 5 at 1 %: LR = −2·5·ln 0.01 = 46.05170185988091.
        let all = vec![true; 5];
        let k = kupiec(&all, 0.01).unwrap();
        assert!((k.statistic - 46.051_701_859_880_91).abs() < 1e-10);
        assert!(k.p_value < 1e-10);
        assert_eq!(christoffersen_independence(&all).unwrap().statistic, 0.0);
        // A single hit at the very end: no 1 → · transition at all.
        let mut last = vec![false; 100];
        last[99] = true;
        let r = backtest(&last, 0.01).unwrap();
        assert!(r.independence.statistic.is_finite());
        assert!(r.kupiec.statistic.abs() < 1e-12); // N/T = α exactly
    }

    #[test]
    fn exact_coverage_gives_a_zero_statistic_and_p_value_one() {
        let mut h = vec![false; 100];
        h[50] = true;
        let k = kupiec(&h, 0.01).unwrap();
        assert!(k.statistic.abs() < 1e-12);
        assert!((k.p_value - 1.0).abs() < 1e-9);
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(kupiec(&[], 0.01).is_err());
        assert!(kupiec(&[true], 1.0).is_err());
        assert!(christoffersen_independence(&[true]).is_err());
        assert!(backtest(&[false], 0.05).is_err());
    }
}
