//! Wall-clock time in a place, turned into instants, with the daylight-saving policy written
//! down once:
//!
//! - **Gap** (clocks jump forward, e.g. 02:30 on a spring-forward night does not exist): a slot
//!   there does not exist ([`instant_exact`] gives `None`); something that must happen
//!   ("remind me at 02:30") happens at the first valid minute after ([`instant_or_next`]).
//! - **Fold** (clocks fall back, 01:30 happens twice): the earlier of the two is used, once.
//!   Shown to people, such a time carries its UTC offset ([`clock`]): `01:45 UTC+11:00`.
//! - **`24:00`** is the first instant of the next date, even when that midnight happens twice.
//! - **Range**: the zone data (chrono-tz) has each zone's changes up to [`LAST_YEAR`] only, so
//!   dates after it are refused rather than read with no daylight saving at all.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The last year whose daylight-saving changes the zone data holds; no date after it is taken.
pub const LAST_YEAR: i32 = 2099;

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

/// Where a working period ending `minute` after midnight on `date` ends: the latest instant of
/// that wall-clock time, but `24:00` is the first instant of the next date (a midnight that
/// happens twice ends the day at its first occurrence).
pub fn end_instant(zone: Tz, date: NaiveDate, minute: u32) -> DateTime<Utc> {
    if minute >= 24 * 60 {
        instant_or_next(zone, at_minute(date, minute))
    } else {
        instant_latest(zone, at_minute(date, minute))
    }
}

pub fn local(zone: Tz, instant: DateTime<Utc>) -> NaiveDateTime {
    instant.with_timezone(&zone).naive_local()
}

/// The UTC offset a wall-clock time `local` had at `instant`, `+10:30` (seconds only if any):
/// what tells apart the two readings of a time in a repeated hour.
pub fn utc_offset(local: NaiveDateTime, instant: DateTime<Utc>) -> String {
    let seconds = (local - instant.naive_utc()).num_seconds();
    i32::try_from(seconds).ok().and_then(chrono::FixedOffset::east_opt).map(|o| o.to_string()).unwrap_or_default()
}

/// Whether the wall-clock time of `at` happens twice in its zone (a repeated hour).
pub fn is_repeated(at: &DateTime<Tz>) -> bool {
    matches!(at.timezone().from_local_datetime(&at.naive_local()), LocalResult::Ambiguous(..))
}

/// A time of day as people read it: `HH:MM`, followed by the UTC offset where that wall-clock
/// time happens twice (`01:45 UTC+11:00`, then `01:45 UTC+10:30`), so the two are told apart.
pub fn clock(at: &DateTime<Tz>) -> String {
    if is_repeated(at) {
        at.format("%H:%M UTC%:z").to_string()
    } else {
        at.format("%H:%M").to_string()
    }
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
    fn a_period_to_24_00_ends_at_the_first_of_a_repeated_midnight() {
        use chrono_tz::America::Havana;
        use chrono_tz::Atlantic::Azores;
        // Azores, 2027-10-31: 01:00 becomes 00:00, so Sunday's midnight happens twice.
        let saturday = NaiveDate::from_ymd_opt(2027, 10, 30).unwrap();
        assert_eq!(end_instant(Azores, saturday, 24 * 60).to_rfc3339(), "2027-10-31T00:00:00+00:00");
        // Havana, 2027-11-07: 01:00 CDT becomes 00:00 CST.
        let saturday = NaiveDate::from_ymd_opt(2027, 11, 6).unwrap();
        assert_eq!(end_instant(Havana, saturday, 24 * 60).to_rfc3339(), "2027-11-07T04:00:00+00:00");
        // Another end in a repeated hour is its later occurrence, as before.
        let sunday = NaiveDate::from_ymd_opt(2027, 11, 7).unwrap();
        assert_eq!(end_instant(Havana, sunday, 30).to_rfc3339(), "2027-11-07T05:30:00+00:00");
    }

    #[test]
    fn a_time_in_a_repeated_hour_shows_its_offset() {
        use chrono_tz::Australia::Lord_Howe;
        // Lord Howe, 2027-04-04: 02:00 (UTC+11) becomes 01:30 (UTC+10:30).
        let first = utc("2027-04-03T14:45:00Z").with_timezone(&Lord_Howe);
        let second = utc("2027-04-03T15:15:00Z").with_timezone(&Lord_Howe);
        assert_eq!((clock(&first), clock(&second)), ("01:45 UTC+11:00".into(), "01:45 UTC+10:30".into()));
        assert_eq!(clock(&utc("2027-04-03T16:15:00Z").with_timezone(&Lord_Howe)), "02:45");
        assert_eq!(clock(&utc("2027-04-03T14:15:00Z").with_timezone(&Lord_Howe)), "01:15");
        let second = utc("2027-04-03T15:15:00Z");
        assert_eq!(utc_offset(local(Lord_Howe, second), second), "+10:30");
        let winter = utc("2027-07-01T12:00:00Z");
        assert_eq!(utc_offset(local(chrono_tz::America::St_Johns, winter), winter), "-02:30");
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_zone_data_has_changes_up_to_the_last_year_taken_and_none_after() {
        use chrono::Offset;
        use chrono_tz::{Africa, America, Asia, Atlantic, Australia, Europe, Pacific};
        let offset = |zone: Tz, year: i32, month: u32| {
            zone.offset_from_utc_datetime(&at_minute(NaiveDate::from_ymd_opt(year, month, 15).unwrap(), 720))
                .fix()
                .local_minus_utc()
        };
        let zones = [
            Europe::Dublin,
            Australia::Lord_Howe,
            Pacific::Chatham,
            America::St_Johns,
            Asia::Gaza,
            America::Santiago,
            Africa::Cairo,
            Atlantic::Azores,
            America::Havana,
        ];
        for zone in zones {
            assert_ne!(offset(zone, LAST_YEAR, 1), offset(zone, LAST_YEAR, 7), "{zone} changes in {LAST_YEAR}");
            // The year after, the tables have run out: the offset no longer changes. If a
            // newer chrono-tz covers it, LAST_YEAR (and the README, the document's patterns)
            // can move on.
            assert_eq!(offset(zone, LAST_YEAR + 1, 4), offset(zone, LAST_YEAR + 1, 11), "{zone} after {LAST_YEAR}");
        }
    }

    #[test]
    fn nine_o_clock_is_nine_o_clock_on_both_sides_of_a_change() {
        let before = instant_exact(London, t("2026-10-24", "09:00")).unwrap();
        let after = instant_exact(London, t("2026-10-26", "09:00")).unwrap();
        assert_eq!(before.to_rfc3339(), "2026-10-24T08:00:00+00:00"); // BST
        assert_eq!(after.to_rfc3339(), "2026-10-26T09:00:00+00:00"); // GMT
    }
}
