//! A series of visits from the plan: N visits on chosen weekdays at chosen local times, from a
//! first date. Each visit keeps its wall-clock time across a daylight-saving change (09:00 stays
//! 09:00, so its UTC instant moves); a time that does not exist that night (a gap) is left
//! without an instant, for the booking to report rather than to shift silently.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use super::local_time::instant_exact;
use super::Invalid;

/// The most visits one series books.
pub const MAX_VISITS: usize = 60;

/// A weekday and the local time of its visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Weekly {
    pub weekday: u32,
    pub time: NaiveTime,
}

impl Weekly {
    fn day(self) -> Weekday {
        Weekday::try_from((self.weekday.clamp(1, 7) - 1) as u8).unwrap_or(Weekday::Mon)
    }
}

/// One visit of the series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// 1-based.
    pub number: usize,
    pub local: NaiveDateTime,
    /// `None` when the local time does not exist that day (a daylight-saving gap).
    pub start: Option<DateTime<Utc>>,
}

/// Checks what a series asks for: 1 to 60 visits, at least one weekday (ISO 1 = Monday … 7),
/// each weekday and time once.
pub fn check(count: i64, slots: &[Weekly]) -> Result<(), (&'static str, Invalid)> {
    if !(1..=MAX_VISITS as i64).contains(&count) {
        return Err(("count", Invalid::new("out_of_range", format!("a series books 1 to {MAX_VISITS} visits"))));
    }
    if slots.is_empty() {
        return Err(("weekly", Invalid::new("required", "choose at least one weekday and time")));
    }
    if slots.iter().any(|s| !(1..=7).contains(&s.weekday)) {
        return Err(("weekly", Invalid::new("out_of_range", "weekdays are 1 (Monday) to 7 (Sunday)")));
    }
    let distinct: BTreeSet<&Weekly> = slots.iter().collect();
    if distinct.len() != slots.len() {
        return Err(("weekly", Invalid::new("duplicate", "each weekday and time once")));
    }
    Ok(())
}

/// The first `count` visits on or after `from`, in order.
pub fn expand(zone: Tz, from: NaiveDate, slots: &[Weekly], count: usize) -> Vec<Occurrence> {
    let mut sorted = slots.to_vec();
    sorted.sort_by_key(|s| s.time);
    let mut out = Vec::with_capacity(count);
    if sorted.is_empty() {
        return out;
    }
    let mut date = from;
    // At most one visit a week on one slot: 60 visits need at most 60 weeks.
    let last = from + Duration::weeks(MAX_VISITS as i64 + 1);
    while out.len() < count && date <= last {
        for slot in sorted.iter().filter(|s| s.day() == date.weekday()) {
            if out.len() == count {
                break;
            }
            let local = date.and_time(slot.time);
            out.push(Occurrence { number: out.len() + 1, local, start: instant_exact(zone, local) });
        }
        date += Duration::days(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    fn weekly(weekday: u32, hh: u32, mm: u32) -> Weekly {
        Weekly { weekday, time: NaiveTime::from_hms_opt(hh, mm, 0).unwrap() }
    }

    #[test]
    fn twice_a_week_for_six_weeks_is_twelve_visits_on_those_days() {
        let zone: Tz = "America/Chicago".parse().unwrap();
        let from: NaiveDate = "2027-01-04".parse().unwrap(); // a Monday
        let visits = expand(zone, from, &[weekly(4, 16, 30), weekly(1, 9, 0)], 12);
        assert_eq!(visits.len(), 12);
        assert_eq!(visits[0].local.to_string(), "2027-01-04 09:00:00");
        assert_eq!(visits[1].local.to_string(), "2027-01-07 16:30:00");
        assert_eq!(visits[11].local.to_string(), "2027-02-11 16:30:00");
        assert_eq!(visits.iter().map(|v| v.number).collect::<Vec<_>>(), (1..=12).collect::<Vec<_>>());
    }

    #[test]
    fn a_series_across_the_spring_change_keeps_its_local_time() {
        // Chicago moves to daylight time on Sunday 2027-03-14: Monday 09:00 is 15:00 UTC before
        // and 14:00 UTC after.
        let zone: Tz = "America/Chicago".parse().unwrap();
        let visits = expand(zone, "2027-03-01".parse().unwrap(), &[weekly(1, 9, 0)], 4);
        let utc_hours: Vec<u32> = visits.iter().map(|v| v.start.unwrap().hour()).collect();
        assert_eq!(utc_hours, vec![15, 15, 14, 14]);
        assert!(visits.iter().all(|v| v.local.hour() == 9));
    }

    #[test]
    fn a_series_across_the_autumn_change_keeps_its_local_time() {
        // Berlin leaves summer time on Sunday 2027-10-31: Tuesday 18:00 is 16:00 UTC, then 17:00.
        let zone: Tz = "Europe/Berlin".parse().unwrap();
        let visits = expand(zone, "2027-10-25".parse().unwrap(), &[weekly(2, 18, 0)], 2);
        assert_eq!(visits[0].start.unwrap().hour(), 16);
        assert_eq!(visits[1].start.unwrap().hour(), 17);
    }

    #[test]
    fn a_time_in_the_gap_has_no_instant() {
        let zone: Tz = "America/Chicago".parse().unwrap();
        let visits = expand(zone, "2027-03-14".parse().unwrap(), &[weekly(7, 2, 30)], 2);
        assert_eq!(visits[0].start, None, "02:30 does not exist on 2027-03-14 in Chicago");
        assert!(visits[1].start.is_some());
    }

    #[test]
    fn what_a_series_asks_for_is_checked() {
        assert!(check(12, &[weekly(1, 9, 0)]).is_ok());
        assert_eq!(check(0, &[weekly(1, 9, 0)]).unwrap_err().0, "count");
        assert_eq!(check(61, &[weekly(1, 9, 0)]).unwrap_err().0, "count");
        assert_eq!(check(4, &[]).unwrap_err().1.code, "required");
        assert_eq!(check(4, &[weekly(8, 9, 0)]).unwrap_err().1.code, "out_of_range");
        assert_eq!(check(4, &[weekly(1, 9, 0), weekly(1, 9, 0)]).unwrap_err().1.code, "duplicate");
    }
}
