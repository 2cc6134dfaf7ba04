//! An appointment's life: its statuses and the moves between them, and the booking rules of its
//! type (notice, horizon, cut-offs) as they apply to patients and to staff.

use chrono::{DateTime, Duration, NaiveDate, Utc};
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

/// How a reminder speaks of the visit, seen from the instant it goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lead {
    /// Shortly before (under [`COUNTDOWN_MINUTES`]): the real minutes left, "in 1 hour and 30 minutes".
    In(i64),
    /// Later the same local day.
    Today,
    /// The next local day.
    Tomorrow,
    /// A later day, named.
    On(NaiveDate),
}

/// A reminder due less than this long before the start counts down the time left; one due
/// earlier names the day ("today", "tomorrow", "on Monday 29 March").
pub const COUNTDOWN_MINUTES: i64 = 4 * 60;

/// The words of a reminder for a visit at `start` that goes out at `due` (from [`reminder_due`]):
/// the days are counted between the clinic-local dates of the two instants, so a reminder sent on
/// Saturday evening says "tomorrow" even when a clock change makes that 25 real hours.
pub fn reminder_lead(zone: chrono_tz::Tz, start: DateTime<Utc>, due: DateTime<Utc>) -> Lead {
    let left = (start - due).num_minutes();
    if left < COUNTDOWN_MINUTES {
        return Lead::In(left.max(0));
    }
    let (sent_on, day) = (super::local_time::local(zone, due).date(), super::local_time::local(zone, start).date());
    if sent_on == day {
        Lead::Today
    } else if sent_on.succ_opt() == Some(day) {
        Lead::Tomorrow
    } else {
        Lead::On(day)
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

#[cfg(test)]
mod lead_tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Tz;

    fn local(zone: Tz, date: &str, time: &str) -> DateTime<Utc> {
        let wall = chrono::NaiveDateTime::parse_from_str(&format!("{date} {time}"), "%Y-%m-%d %H:%M").unwrap();
        zone.from_local_datetime(&wall).earliest().unwrap().with_timezone(&Utc)
    }

    fn day_before(zone: Tz, start: DateTime<Utc>) -> Lead {
        reminder_lead(zone, start, reminder_due(zone, start, 1440))
    }

    #[test]
    fn dublin_one_day_reminders_say_tomorrow_across_both_changes() {
        use chrono_tz::Europe::Dublin;
        // Sunday 2027-10-31 23:00 GMT, after the fall-back: due Saturday 23:00 IST, 25 hours before.
        let start = local(Dublin, "2027-10-31", "23:00");
        assert_eq!(reminder_due(Dublin, start, 1440), local(Dublin, "2027-10-30", "23:00"));
        assert_eq!(day_before(Dublin, start), Lead::Tomorrow);
        // Monday 2027-03-29 00:00 IST: due Sunday 00:00 GMT, 23 hours before.
        let start = local(Dublin, "2027-03-29", "00:00");
        assert_eq!(reminder_due(Dublin, start, 1440), local(Dublin, "2027-03-28", "00:00"));
        assert_eq!(day_before(Dublin, start), Lead::Tomorrow);
    }

    /// The zone's 2027 changes as (local date after the change, whether clocks went forward).
    fn changes_in_2027(zone: Tz) -> Vec<(NaiveDate, bool)> {
        use chrono::Offset;
        let offset = |t: DateTime<Utc>| zone.offset_from_utc_datetime(&t.naive_utc()).fix().local_minus_utc();
        let mut t = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2028, 1, 1, 0, 0, 0).unwrap();
        let mut found = Vec::new();
        while t < end {
            let next = t + Duration::minutes(15);
            if offset(next) != offset(t) {
                found.push((next.with_timezone(&zone).date_naive(), offset(next) > offset(t)));
            }
            t = next;
        }
        found
    }

    #[test]
    fn one_day_reminders_say_tomorrow_around_every_named_zones_changes() {
        use chrono::Datelike;
        use chrono_tz::{Africa, America, Asia, Australia, Europe, Pacific};
        let zones = [
            Europe::Dublin,
            Australia::Lord_Howe,
            Pacific::Chatham,
            America::St_Johns,
            Asia::Gaza,
            America::Santiago,
            Africa::Cairo,
        ];
        for zone in zones {
            let changes = changes_in_2027(zone);
            assert!(changes.len() >= 2, "{zone}");
            for (date, forward) in changes {
                // Just after midnight the day after a spring-forward (the day before is short);
                // late in the evening on and after a fall-back day (the day before is long).
                let visits: Vec<(NaiveDate, &str)> = if forward {
                    vec![(date.succ_opt().unwrap(), "00:00"), (date.succ_opt().unwrap(), "00:15")]
                } else {
                    vec![(date, "23:45"), (date.succ_opt().unwrap(), "23:45")]
                };
                for (day, time) in visits {
                    let start = local(zone, &day.format("%Y-%m-%d").to_string(), time);
                    assert_eq!(day_before(zone, start), Lead::Tomorrow, "{zone} {day} {time} ({})", day.weekday());
                }
            }
        }
    }

    #[test]
    fn short_offsets_count_down_the_real_minutes_and_longer_ones_name_the_day() {
        let zone = chrono_tz::America::Chicago;
        let start = local(zone, "2027-01-12", "09:00");
        let lead = |minutes| reminder_lead(zone, start, reminder_due(zone, start, minutes));
        assert_eq!(lead(1), Lead::In(1));
        assert_eq!(lead(90), Lead::In(90));
        assert_eq!(lead(239), Lead::In(239));
        assert_eq!(lead(240), Lead::Today);
        assert_eq!(lead(9 * 60 + 1), Lead::Tomorrow);
        assert_eq!(lead(1440), Lead::Tomorrow);
        assert_eq!(lead(10_080), Lead::On(chrono::NaiveDate::from_ymd_opt(2027, 1, 12).unwrap()));
    }
}
