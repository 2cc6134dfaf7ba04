//! Daylight-saving changes found from the zone data, so that a test about a change uses the next
//! one after today rather than a date that passes.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// One change of a zone's UTC offset.
#[derive(Debug, Clone, Copy)]
pub struct Change {
    /// The first instant with the new offset.
    pub at: DateTime<Utc>,
    /// Seconds east of UTC before and after.
    pub before: i64,
    pub after: i64,
}

impl Change {
    /// The local date of the change (by the offset after it).
    pub fn local_date(&self) -> NaiveDate {
        (self.at.naive_utc() + Duration::seconds(self.after)).date()
    }

    /// The instant of a wall-clock time read with the offset in force before the change.
    pub fn utc_before(&self, local: NaiveDateTime) -> NaiveDateTime {
        local - Duration::seconds(self.before)
    }

    /// The instant of a wall-clock time read with the offset in force after the change.
    pub fn utc_after(&self, local: NaiveDateTime) -> NaiveDateTime {
        local - Duration::seconds(self.after)
    }
}

fn offset(zone: Tz, at: DateTime<Utc>) -> i64 {
    i64::from(zone.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc())
}

/// The zone's offset changes after `after`, in order (hour steps, then the exact minute).
pub fn changes_after(zone: Tz, after: DateTime<Utc>) -> impl Iterator<Item = Change> {
    let mut probe = after;
    std::iter::from_fn(move || {
        for _ in 0..(2 * 366 * 24) {
            let next = probe + Duration::hours(1);
            let (before, later) = (offset(zone, probe), offset(zone, next));
            if before != later {
                let mut at = probe;
                while offset(zone, at) == before {
                    at += Duration::minutes(1);
                }
                probe = next;
                return Some(Change { at, before, after: later });
            }
            probe = next;
        }
        None
    })
}

/// The next change after `after` at which clocks go forward.
pub fn next_spring_forward(zone: Tz, after: DateTime<Utc>) -> Change {
    changes_after(zone, after).find(|c| c.after > c.before).expect("the zone changes its clocks")
}

/// The next change after `after` at which clocks go back.
pub fn next_fall_back(zone: Tz, after: DateTime<Utc>) -> Change {
    changes_after(zone, after).find(|c| c.after < c.before).expect("the zone changes its clocks")
}

/// A few days from now: far enough for any type's notice, near enough for a 730-day horizon.
pub fn soon() -> DateTime<Utc> {
    Utc::now() + Duration::days(3)
}

/// `date` at `hh:mm` (no zone).
pub fn wall(date: NaiveDate, hh: u32, mm: u32) -> NaiveDateTime {
    date.and_hms_opt(hh, mm, 0).unwrap()
}

/// RFC 3339 in UTC, as the API takes instants.
pub fn z(at: NaiveDateTime) -> String {
    at.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[test]
fn chicago_changes_are_found_at_two_in_the_morning_local() {
    let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let spring = next_spring_forward(chrono_tz::America::Chicago, from);
    assert_eq!(spring.at, Utc.with_ymd_and_hms(2026, 3, 8, 8, 0, 0).unwrap());
    assert_eq!((spring.before, spring.after), (-6 * 3600, -5 * 3600));
    let fall = next_fall_back(chrono_tz::America::Chicago, from);
    assert_eq!(fall.at, Utc.with_ymd_and_hms(2026, 11, 1, 7, 0, 0).unwrap());
    assert_eq!(fall.local_date(), NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
    let lord_howe = next_spring_forward(chrono_tz::Australia::Lord_Howe, from);
    assert_eq!(lord_howe.after - lord_howe.before, 30 * 60, "Lord Howe moves half an hour");
}
