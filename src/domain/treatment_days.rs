//! Treatment days in an episode (CLINICAL.md): days on which the patient was seen for therapy —
//! visits that happened (arrived or completed), the evaluation included — each local date of the
//! clinic once, however many visits it had.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// A visit's status as the calendar keeps it.
pub fn happened(status: &str) -> bool {
    matches!(status, "arrived" | "completed")
}

/// The treatment days, in order: the clinic-local dates of the visits that happened.
pub fn days<'a>(zone: Tz, visits: impl IntoIterator<Item = (DateTime<Utc>, &'a str)>) -> Vec<NaiveDate> {
    let set: BTreeSet<NaiveDate> = visits
        .into_iter()
        .filter(|(_, status)| happened(status))
        .map(|(start, _)| start.with_timezone(&zone).date_naive())
        .collect();
    set.into_iter().collect()
}

/// An episode's treatment days: those of its visits, and the initial evaluation's day, which
/// counts even when that visit was not booked here. Never empty; its first is day 1.
pub fn of_episode<'a>(
    zone: Tz,
    evaluated_on: NaiveDate,
    visits: impl IntoIterator<Item = (DateTime<Utc>, &'a str)>,
) -> Vec<NaiveDate> {
    let mut all = days(zone, visits);
    if !all.contains(&evaluated_on) {
        all.push(evaluated_on);
        all.sort();
    }
    all
}

/// Visits as (clinic-local date, status): what authorizations and schedules are counted by.
pub fn local_dates(zone: Tz, visits: &[(chrono::NaiveDateTime, String)]) -> Vec<(NaiveDate, String)> {
    visits.iter().map(|(start, status)| (start.and_utc().with_timezone(&zone).date_naive(), status.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(zone: Tz, y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        zone.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn two_visits_on_one_day_are_one_treatment_day_and_only_visits_that_happened_count() {
        let zone: Tz = "America/Chicago".parse().unwrap();
        let visits = [
            (at(zone, 2027, 1, 4, 9), "completed"),
            (at(zone, 2027, 1, 4, 15), "completed"),
            (at(zone, 2027, 1, 6, 9), "arrived"),
            (at(zone, 2027, 1, 8, 9), "no_show"),
            (at(zone, 2027, 1, 11, 9), "cancelled"),
            (at(zone, 2027, 1, 13, 9), "booked"),
        ];
        let counted = days(zone, visits.iter().map(|(t, s)| (*t, *s)));
        assert_eq!(counted, vec!["2027-01-04".parse::<NaiveDate>().unwrap(), "2027-01-06".parse().unwrap()]);
    }

    #[test]
    fn the_evaluations_day_counts_once_whether_or_not_it_was_booked_here() {
        let zone: Tz = "America/Chicago".parse().unwrap();
        let day = |d: &str| d.parse::<NaiveDate>().unwrap();
        let later = at(zone, 2027, 1, 6, 9);
        assert_eq!(
            of_episode(zone, day("2027-01-04"), [(later, "completed")]),
            vec![day("2027-01-04"), day("2027-01-06")]
        );
        let same = at(zone, 2027, 1, 4, 9);
        assert_eq!(of_episode(zone, day("2027-01-04"), [(same, "completed")]), vec![day("2027-01-04")]);
    }

    #[test]
    fn days_are_the_clinics_local_dates() {
        // 21:00 in Chicago is 03:00 UTC the next day: the treatment day is Chicago's.
        let zone: Tz = "America/Chicago".parse().unwrap();
        let late = at(zone, 2027, 1, 4, 21);
        assert_eq!(late.date_naive().to_string(), "2027-01-05");
        assert_eq!(days(zone, [(late, "completed")]), vec!["2027-01-04".parse::<NaiveDate>().unwrap()]);
    }
}
