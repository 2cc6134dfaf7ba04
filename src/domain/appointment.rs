//! An appointment's life: its statuses and the moves between them, and the booking rules of its
//! type (notice, horizon, cut-offs) as they apply to patients and to staff.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The longest visit an appointment type may have, and the most time kept free on either side
/// (the document's `maximum`s on `AppointmentTypeFields` repeat them: attributes need literals).
pub const MAX_DURATION_MINUTES: i64 = 480;
pub const MAX_BUFFER_MINUTES: i64 = 120;

/// No appointment keeps a clinician busy longer than this, so one that overlaps a window started
/// at most this long before it: the lower bound that keeps the calendar's range scans short however
/// much history there is.
pub fn longest_block() -> Duration {
    Duration::minutes(MAX_DURATION_MINUTES + 2 * MAX_BUFFER_MINUTES)
}

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

/// When a reminder `offset_minutes` before `start` goes out. Whole days are counted on the
/// wall clock ("the day before at the same time", even across a daylight-saving change);
/// shorter offsets are real elapsed time ("two hours before").
pub fn reminder_due(zone: chrono_tz::Tz, start: DateTime<Utc>, offset_minutes: i64) -> DateTime<Utc> {
    const DAY: i64 = 24 * 60;
    if offset_minutes > 0 && offset_minutes % DAY == 0 {
        let local_start = super::local_time::local(zone, start);
        super::local_time::instant_or_next(zone, local_start - Duration::days(offset_minutes / DAY))
    } else {
        start - Duration::minutes(offset_minutes)
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

#[cfg(test)]
mod reminder_tests {
    use super::*;
    use chrono_tz::America::Chicago;
    use chrono_tz::Europe::London;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_day_before_is_the_same_wall_clock_time_across_spring_forward() {
        // 09:00 CDT on 2027-03-14 (14:00Z); the day before at 09:00 CST is 15:00Z, 23 real hours.
        let start = utc("2027-03-14T14:00:00Z");
        assert_eq!(reminder_due(Chicago, start, 1440), utc("2027-03-13T15:00:00Z"));
        assert_eq!(reminder_due(Chicago, start, 120), utc("2027-03-14T12:00:00Z"));
        // 07:00 CDT
    }

    #[test]
    fn the_day_before_is_the_same_wall_clock_time_across_fall_back() {
        // 09:00 CST on 2026-11-01 (15:00Z); the day before at 09:00 CDT is 14:00Z, 25 real hours.
        let start = utc("2026-11-01T15:00:00Z");
        assert_eq!(reminder_due(Chicago, start, 1440), utc("2026-10-31T14:00:00Z"));
        // Two hours before 09:00 CST is 07:00 CST.
        assert_eq!(reminder_due(Chicago, start, 120), utc("2026-11-01T13:00:00Z"));
    }

    #[test]
    fn london_change_days() {
        // 09:00 GMT on 2026-10-26, the day after the change: the reminder is 09:00 BST the day before.
        assert_eq!(reminder_due(London, utc("2026-10-26T09:00:00Z"), 1440), utc("2026-10-25T09:00:00Z"));
        // 09:00 BST on 2027-03-28 (08:00Z): the day before is 09:00 GMT.
        assert_eq!(reminder_due(London, utc("2027-03-28T08:00:00Z"), 1440), utc("2027-03-27T09:00:00Z"));
    }

    #[test]
    fn a_wall_clock_reminder_in_a_gap_moves_to_the_first_valid_minute() {
        // 02:30 on 2027-03-15 (CDT); the day before at 02:30 does not exist: 03:00 CDT instead.
        let start = utc("2027-03-15T07:30:00Z");
        assert_eq!(reminder_due(Chicago, start, 1440), utc("2027-03-14T08:00:00Z"));
    }
}
