//! Wall-clock time in a place, turned into instants, with the daylight-saving policy written
//! down once:
//!
//! - **Gap** (clocks jump forward, e.g. 02:30 on a spring-forward night does not exist): a slot
//!   there does not exist ([`instant_exact`] gives `None`); something that must happen
//!   ("remind me at 02:30") happens at the first valid minute after ([`instant_or_next`]).
//! - **Fold** (clocks fall back, 01:30 happens twice): the earlier of the two is used, once.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The instant of a local wall-clock time, or `None` if that time does not exist (a gap).
pub fn instant_exact(zone: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(earliest, _) => Some(earliest.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

/// The instant of a local time; a time in a gap moves to the first valid minute after it.
pub fn instant_or_next(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = local;
    // Gaps are at most a few hours (usually 30 or 60 minutes).
    for _ in 0..(24 * 60) {
        if let Some(instant) = instant_exact(zone, probe) {
            return instant;
        }
        probe += Duration::minutes(1);
    }
    Utc.from_utc_datetime(&local)
}

/// The latest instant a local time stands for (the later one in a fold): where a working
/// period that ends at that wall-clock time really ends.
pub fn instant_latest(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(_, latest) => latest.with_timezone(&Utc),
        LocalResult::None => instant_or_next(zone, local),
    }
}

pub fn local(zone: Tz, instant: DateTime<Utc>) -> NaiveDateTime {
    instant.with_timezone(&zone).naive_local()
}

/// Minutes since local midnight as a time of day (0 ..= 1440; 1440 is the next midnight).
pub fn at_minute(date: NaiveDate, minute: u32) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minute))
}

/// `HH:MM` exactly (two digits, a colon, two digits), `00:00` to `24:00`, as minutes since
/// midnight; `24:00` is the end of a day (a working period that runs to midnight).
pub fn parse_hh_mm(time: &str) -> Option<u32> {
    let b = time.as_bytes();
    if b.len() != 5 || b[2] != b':' || ![b[0], b[1], b[3], b[4]].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let (h, m) =
        (u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0'), u32::from(b[3] - b'0') * 10 + u32::from(b[4] - b'0'));
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

/// A time of day at which something starts: `HH:MM` from `00:00` to `23:59`.
pub fn time_of_day(time: &str) -> Option<u32> {
    parse_hh_mm(time).filter(|minute| *minute < 24 * 60)
}

/// The local date in `zone` at `now`: a person's or the clinic's "today".
pub fn today_in(zone: Tz, now: DateTime<Utc>) -> NaiveDate {
    local(zone, now).date()
}

/// A stored IANA zone name as a zone; an unreadable one counts as UTC.
pub fn zone_or_utc(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_are_exactly_hh_mm() {
        assert_eq!(parse_hh_mm("07:30"), Some(450));
        assert_eq!(parse_hh_mm("24:00"), Some(1440));
        for bad in ["7:30", "+7:30", "07:3", "07:60", "24:01", " 07:30", "07:30\n", "0730", "07-30"] {
            assert_eq!(parse_hh_mm(bad), None, "{bad:?}");
        }
        assert_eq!(time_of_day("24:00"), None);
        assert_eq!(time_of_day("23:59"), Some(1439));
    }
    use chrono_tz::America::Chicago;
    use chrono_tz::Europe::London;

    fn t(date: &str, time: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(&format!("{date} {time}"), "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn a_time_in_the_spring_gap_does_not_exist_or_moves_forward() {
        // Chicago, 2027-03-14: 02:00 CST becomes 03:00 CDT.
        assert_eq!(instant_exact(Chicago, t("2027-03-14", "02:30")), None);
        assert_eq!(instant_or_next(Chicago, t("2027-03-14", "02:30")).to_rfc3339(), "2027-03-14T08:00:00+00:00");
        assert_eq!(local(Chicago, instant_or_next(Chicago, t("2027-03-14", "02:30"))), t("2027-03-14", "03:00"));
    }

    #[test]
    fn a_time_in_the_autumn_fold_is_the_earlier_instant() {
        // Chicago, 2026-11-01: 02:00 CDT becomes 01:00 CST, so 01:30 happens twice.
        assert_eq!(instant_exact(Chicago, t("2026-11-01", "01:30")).unwrap().to_rfc3339(), "2026-11-01T06:30:00+00:00");
        assert_eq!(instant_latest(Chicago, t("2026-11-01", "01:30")).to_rfc3339(), "2026-11-01T07:30:00+00:00");
    }

    #[test]
    fn nine_o_clock_is_nine_o_clock_on_both_sides_of_a_change() {
        let before = instant_exact(London, t("2026-10-24", "09:00")).unwrap();
        let after = instant_exact(London, t("2026-10-26", "09:00")).unwrap();
        assert_eq!(before.to_rfc3339(), "2026-10-24T08:00:00+00:00"); // BST
        assert_eq!(after.to_rfc3339(), "2026-10-26T09:00:00+00:00"); // GMT
    }
}
