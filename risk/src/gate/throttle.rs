//! Token-bucket throttles for the order rate and the cancel rate.
//!
//! Tokens are kept in nano-tokens (one token = 10⁹ units), so that a refill of `r` tokens per
//! second adds exactly `r` units per elapsed nanosecond: the arithmetic is integer, exact and
//! deterministic for the same sequence of timestamps.

use shortfall_core::Ts;

const UNIT: i128 = Ts::NANOS_PER_SEC as i128;

/// A token bucket: holds at most `capacity` tokens, gains `refill_per_sec` per second of
/// [`Ts`] time, and spends one token per request.
#[derive(Clone, Debug)]
pub(crate) struct TokenBucket {
    capacity: i64,
    refill_per_sec: i64,
    /// Tokens in the bucket, in nano-tokens.
    level: i128,
    /// The time of the last refill; `None` before the first request.
    last: Option<Ts>,
}

impl TokenBucket {
    /// A full bucket. The caller has validated `capacity > 0` and `refill_per_sec >= 0`.
    pub(crate) fn new(capacity: i64, refill_per_sec: i64) -> Self {
        Self {
            capacity,
            refill_per_sec,
            level: i128::from(capacity) * UNIT,
            last: None,
        }
    }

    /// The bucket's capacity in tokens.
    pub(crate) fn capacity(&self) -> i64 {
        self.capacity
    }

    /// The refill rate in tokens per second.
    pub(crate) fn refill_per_sec(&self) -> i64 {
        self.refill_per_sec
    }

    /// Adds the tokens earned since the last refill. Time that runs backwards earns nothing
    /// and does not move the clock back.
    #[inline]
    fn refill(&mut self, now: Ts) {
        match self.last {
            Some(last) if now.0 > last.0 => {
                let elapsed = i128::from(now.0) - i128::from(last.0);
                let earned = elapsed.saturating_mul(i128::from(self.refill_per_sec));
                let full = i128::from(self.capacity) * UNIT;
                self.level = self.level.saturating_add(earned).min(full);
                self.last = Some(now);
            }
            Some(_) => {}
            None => self.last = Some(now),
        }
    }

    /// Spends one token at `now`.
    ///
    /// # Errors
    /// When the bucket is empty: how long until the next token, or `None` when the bucket
    /// never refills (`refill_per_sec == 0`; only [`TokenBucket::fill`] helps).
    #[inline]
    pub(crate) fn try_take(&mut self, now: Ts) -> Result<(), Option<Ts>> {
        self.refill(now);
        if self.level >= UNIT {
            self.level -= UNIT;
            Ok(())
        } else if self.refill_per_sec == 0 {
            Err(None)
        } else {
            let missing = UNIT - self.level;
            let rate = i128::from(self.refill_per_sec);
            let wait = (missing + rate - 1) / rate;
            Err(Some(Ts(i64::try_from(wait).unwrap_or(i64::MAX))))
        }
    }

    /// Fills the bucket to capacity (the start of a new trading day).
    pub(crate) fn fill(&mut self) {
        self.level = i128::from(self.capacity) * UNIT;
    }

    /// Whole tokens available at the last refill.
    #[cfg(test)]
    pub(crate) fn tokens(&self) -> i64 {
        i64::try_from(self.level / UNIT).unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_allows_its_capacity_then_reports_the_wait() {
        let mut b = TokenBucket::new(2, 4);
        assert!(b.try_take(Ts(0)).is_ok());
        assert!(b.try_take(Ts(0)).is_ok());
        // 4 tokens per second: one token every 250 ms.
        assert_eq!(b.try_take(Ts(0)), Err(Some(Ts::from_millis(250))));
        assert_eq!(
            b.try_take(Ts::from_millis(100)),
            Err(Some(Ts::from_millis(150)))
        );
        assert!(b.try_take(Ts::from_millis(250)).is_ok());
    }

    #[test]
    fn refill_is_capped_at_capacity_and_ignores_time_running_backwards() {
        let mut b = TokenBucket::new(3, 1);
        for _ in 0..3 {
            assert!(b.try_take(Ts::from_secs(10)).is_ok());
        }
        assert!(b.try_take(Ts::from_secs(5)).is_err());
        assert!(b.try_take(Ts::from_secs(1_000)).is_ok());
        assert_eq!(b.tokens(), 2);
    }

    #[test]
    fn a_bucket_without_refill_says_no_wait_helps_until_filled() {
        let mut b = TokenBucket::new(1, 0);
        assert!(b.try_take(Ts(0)).is_ok());
        assert_eq!(b.try_take(Ts::from_secs(3_600)), Err(None));
        b.fill();
        assert!(b.try_take(Ts::from_secs(3_600)).is_ok());
    }
}
