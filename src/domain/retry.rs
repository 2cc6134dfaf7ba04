//! When to try a failed email again: exponential back-off with jitter, a bounded number of
//! attempts. The default (8 attempts, 11 minutes doubling) spreads the retries over about a day.

use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; after the last one the email is `failed`.
    pub max_attempts: u32,
    /// The wait after the first failure; each later wait doubles.
    pub first_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_attempts: 8, first_delay: Duration::from_secs(660) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryIn(Duration),
    GiveUp,
}

impl RetryPolicy {
    /// What to do after attempt number `attempts` (1-based) failed. `jitter` in [0, 1) spreads
    /// retries of many emails that failed together over ±20% of the wait.
    pub fn after_failure(&self, attempts: u32, permanent: bool, jitter: f64) -> AfterFailure {
        if permanent || attempts >= self.max_attempts {
            return AfterFailure::GiveUp;
        }
        let doublings = attempts.saturating_sub(1).min(20);
        let base = self.first_delay.as_secs_f64() * f64::from(1u32 << doublings);
        let factor = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
        AfterFailure::RetryIn(Duration::from_secs_f64(base * factor))
    }

    /// The waits between the attempts, without jitter: how long a failing email keeps trying.
    pub fn total_span(&self) -> Duration {
        (1..self.max_attempts)
            .map(|n| match self.after_failure(n, false, 0.5) {
                AfterFailure::RetryIn(wait) => wait,
                AfterFailure::GiveUp => Duration::ZERO,
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_the_first_delay() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.after_failure(1, false, 0.5), AfterFailure::RetryIn(Duration::from_secs(660)));
        assert_eq!(policy.after_failure(2, false, 0.5), AfterFailure::RetryIn(Duration::from_secs(1320)));
        assert_eq!(policy.after_failure(3, false, 0.5), AfterFailure::RetryIn(Duration::from_secs(2640)));
    }

    #[test]
    fn jitter_spreads_within_twenty_percent() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.after_failure(1, false, 0.0), AfterFailure::RetryIn(Duration::from_secs(528)));
        let AfterFailure::RetryIn(high) = policy.after_failure(1, false, 0.999) else { panic!() };
        assert!(high > Duration::from_secs(790) && high < Duration::from_secs(792), "{high:?}");
    }

    #[test]
    fn eight_attempts_span_about_a_day() {
        let span = RetryPolicy::default().total_span();
        assert!(span > Duration::from_secs(20 * 3600) && span < Duration::from_secs(28 * 3600), "{span:?}");
    }

    #[test]
    fn the_last_attempt_and_permanent_failures_give_up() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.after_failure(8, false, 0.5), AfterFailure::GiveUp);
        assert_eq!(policy.after_failure(1, true, 0.5), AfterFailure::GiveUp);
    }
}
