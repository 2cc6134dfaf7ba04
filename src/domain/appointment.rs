//! An appointment's life: its statuses and the moves between them, and the booking rules of its
//! type (notice, horizon, cut-offs) as they apply to patients and to staff.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Booked,
    Arrived,
    Completed,
    NoShow,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 5] =
        [Status::Booked, Status::Arrived, Status::Completed, Status::NoShow, Status::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Booked => "booked",
            Status::Arrived => "arrived",
            Status::Completed => "completed",
            Status::NoShow => "no_show",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// booked → arrived → completed; booked → no_show; booked → cancelled. Nothing else.
    pub fn can_become(self, next: Status) -> bool {
        matches!(
            (self, next),
            (Status::Booked, Status::Arrived)
                | (Status::Arrived, Status::Completed)
                | (Status::Booked, Status::NoShow)
                | (Status::Booked, Status::Cancelled)
        )
    }
}

/// An appointment type's booking rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingRules {
    pub min_notice: Duration,
    pub horizon: Duration,
    pub cancel_cutoff: Duration,
    pub reschedule_cutoff: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Starts sooner than the minimum notice allows.
    TooSoon,
    /// Starts beyond the booking horizon.
    TooFarAhead,
    /// A change inside the cut-off before the start.
    InsideCutoff,
}

impl BookingRules {
    /// The earliest and latest starts that may be booked at `now`.
    pub fn window(&self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        (now + self.min_notice, now + self.horizon)
    }

    pub fn check_start(&self, now: DateTime<Utc>, start: DateTime<Utc>) -> Result<(), Refusal> {
        let (earliest, latest) = self.window(now);
        if start < earliest {
            Err(Refusal::TooSoon)
        } else if start > latest {
            Err(Refusal::TooFarAhead)
        } else {
            Ok(())
        }
    }

    /// Whether cancelling at `now` an appointment starting at `start` is late.
    pub fn is_late_cancellation(&self, now: DateTime<Utc>, start: DateTime<Utc>) -> bool {
        now > start - self.cancel_cutoff
    }

    pub fn check_reschedule(&self, now: DateTime<Utc>, current_start: DateTime<Utc>) -> Result<(), Refusal> {
        if now > current_start - self.reschedule_cutoff {
            Err(Refusal::InsideCutoff)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hours: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z").unwrap().with_timezone(&Utc) + Duration::hours(hours)
    }

    fn rules() -> BookingRules {
        BookingRules {
            min_notice: Duration::hours(12),
            horizon: Duration::days(60),
            cancel_cutoff: Duration::hours(24),
            reschedule_cutoff: Duration::hours(24),
        }
    }

    #[test]
    fn only_the_allowed_transitions() {
        let allowed: Vec<(Status, Status)> = Status::ALL
            .iter()
            .flat_map(|from| Status::ALL.iter().map(move |to| (*from, *to)))
            .filter(|(from, to)| from.can_become(*to))
            .collect();
        assert_eq!(
            allowed,
            [
                (Status::Booked, Status::Arrived),
                (Status::Booked, Status::NoShow),
                (Status::Booked, Status::Cancelled),
                (Status::Arrived, Status::Completed),
            ]
        );
    }

    #[test]
    fn notice_and_horizon() {
        assert_eq!(rules().check_start(at(0), at(11)), Err(Refusal::TooSoon));
        assert_eq!(rules().check_start(at(0), at(12)), Ok(()));
        assert_eq!(rules().check_start(at(0), at(60 * 24)), Ok(()));
        assert_eq!(rules().check_start(at(0), at(60 * 24 + 1)), Err(Refusal::TooFarAhead));
    }

    #[test]
    fn cut_offs() {
        assert!(rules().is_late_cancellation(at(0), at(23)));
        assert!(!rules().is_late_cancellation(at(0), at(24)));
        assert_eq!(rules().check_reschedule(at(0), at(23)), Err(Refusal::InsideCutoff));
        assert_eq!(rules().check_reschedule(at(0), at(25)), Ok(()));
    }
}
