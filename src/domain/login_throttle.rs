//! When to stop answering sign-in attempts: a sliding window of recent failures, per account and
//! per client address. The caller counts; this decides. Sign-ups use the same rule with their
//! own limits ([`Limits::sign_up`]), counting every sign-up per target address and per client.

use std::time::Duration;

use chrono::NaiveDateTime;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub window: Duration,
    pub per_account: u32,
    pub per_client: u32,
}

impl Default for Limits {
    fn default() -> Self {
        // 10 per 15 minutes caps one account at 40 failures an hour (the bar is 100).
        Self { window: Duration::from_secs(15 * 60), per_account: 10, per_client: 50 }
    }
}

impl Limits {
    /// Sign-ups: a clinic's waiting room shares one address, so the client limit is generous;
    /// one target address gets few (each costs a password hash and an email to that mailbox).
    pub fn sign_up(per_address: u32, per_client: u32) -> Self {
        Self { window: Duration::from_secs(60 * 60), per_account: per_address, per_client }
    }
}

/// Recent failures for one key, oldest first within the window.
#[derive(Debug, Clone, Default)]
pub struct Failures {
    pub count: u32,
    pub oldest: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Refuse without checking the password; the client may try again after this many seconds.
    Throttle {
        retry_after_secs: u64,
    },
}

pub fn decide(limits: &Limits, account: &Failures, client: &Failures, now: NaiveDateTime) -> Decision {
    let over = |failures: &Failures, limit: u32| -> Option<u64> {
        if failures.count < limit {
            return None;
        }
        let oldest = failures.oldest?;
        let window = chrono::Duration::from_std(limits.window).ok()?;
        let frees_at = oldest + window;
        Some((frees_at - now).num_seconds().max(1) as u64)
    };
    match (over(account, limits.per_account), over(client, limits.per_client)) {
        (None, None) => Decision::Allow,
        (a, b) => Decision::Throttle { retry_after_secs: a.unwrap_or(0).max(b.unwrap_or(0)) },
    }
}

/// The most failures one account can accumulate in an hour under `limits`.
pub fn max_failures_per_hour(limits: &Limits) -> u64 {
    let windows = (3600 + limits.window.as_secs() - 1) / limits.window.as_secs().max(1);
    windows * u64::from(limits.per_account)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(minute: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap().and_hms_opt(9, minute, 0).unwrap()
    }

    fn limits() -> Limits {
        Limits::default()
    }

    #[test]
    fn allows_below_the_limit() {
        let account = Failures { count: 9, oldest: Some(at(0)) };
        assert_eq!(decide(&limits(), &account, &Failures::default(), at(5)), Decision::Allow);
    }

    #[test]
    fn throttles_until_the_oldest_failure_leaves_the_window() {
        let account = Failures { count: 10, oldest: Some(at(0)) };
        assert_eq!(
            decide(&limits(), &account, &Failures::default(), at(5)),
            Decision::Throttle { retry_after_secs: 600 }
        );
    }

    #[test]
    fn throttles_a_client_spraying_many_accounts() {
        let client = Failures { count: 50, oldest: Some(at(1)) };
        assert_eq!(
            decide(&limits(), &Failures::default(), &client, at(2)),
            Decision::Throttle { retry_after_secs: 840 }
        );
    }

    #[test]
    fn the_default_stays_under_a_hundred_failures_an_hour() {
        assert!(max_failures_per_hour(&limits()) <= 100);
    }
}
