//! The slot rules against real zones' daylight-saving days (Chicago, London, Lord Howe).

use super::*;
use chrono::TimeZone;
use chrono_tz::America::Chicago;
use chrono_tz::Australia::Lord_Howe;
use chrono_tz::Europe::London;
use std::collections::HashSet;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn every_day(start: u32, end: u32) -> Vec<WeeklyHours> {
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun]
        .into_iter()
        .map(|weekday| WeeklyHours {
            weekday,
            start_minute: start,
            end_minute: end,
            valid_from: None,
            valid_until: None,
        })
        .collect()
}

fn shape(minutes: i64) -> Shape {
    Shape { duration: Duration::minutes(minutes), buffer_before: Duration::zero(), buffer_after: Duration::zero() }
}

fn query(zone: Tz, shape: Shape, from: &str, to: &str) -> SlotQuery {
    SlotQuery {
        zone,
        granularity_minutes: 15,
        shape,
        window: Interval::new(utc(from), utc(to)),
        earliest_start: utc("2000-01-01T00:00:00Z"),
        latest_start: utc("2100-01-01T00:00:00Z"),
    }
}

fn slots(zone: Tz, rules: &[WeeklyHours], q: &SlotQuery) -> Vec<Slot> {
    let working = working_intervals(zone, rules, &[], q.window);
    free_slots(q, &working, &[], &[])
}

fn local_starts(slots: &[Slot]) -> Vec<String> {
    slots.iter().map(|s| s.local_start.format("%Y-%m-%d %H:%M").to_string()).collect()
}

#[test]
fn nine_to_five_opens_at_nine_local_on_both_sides_of_chicago_fall_back() {
    let q = query(Chicago, shape(60), "2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z");
    let found = slots(Chicago, &every_day(9 * 60, 17 * 60), &q);
    let firsts: Vec<_> = found.iter().filter(|s| s.local_start.format("%H:%M").to_string() == "09:00").collect();
    assert_eq!(firsts.len(), 3);
    assert_eq!(firsts[0].start, utc("2026-10-31T14:00:00Z")); // CDT, UTC-5
    assert_eq!(firsts[1].start, utc("2026-11-01T15:00:00Z")); // CST, UTC-6
    assert_eq!(firsts[2].start, utc("2026-11-02T15:00:00Z"));
    // 09:00 to 17:00 with 60-minute visits every 15 minutes: 29 starts a day, every day.
    assert_eq!(found.len(), 29 * 3);
}

#[test]
fn the_repeated_hour_appears_once_in_chicago() {
    // Overnight hours 00:00–04:00 on 2026-11-01, when 01:00–02:00 happens twice.
    let q = query(Chicago, shape(30), "2026-11-01T04:00:00Z", "2026-11-01T12:00:00Z");
    let rules = vec![WeeklyHours {
        weekday: Weekday::Sun,
        start_minute: 0,
        end_minute: 240,
        valid_from: None,
        valid_until: None,
    }];
    let found = local_starts(&slots(Chicago, &rules, &q));
    let in_fold = found.iter().filter(|s| s.ends_with("01:00")).count();
    assert_eq!(in_fold, 1, "{found:?}");
    let unique: HashSet<_> = found.iter().collect();
    assert_eq!(unique.len(), found.len(), "no local start twice");
    // Five hours of real time: every local quarter hour from 00:00 to 03:30 once.
    assert_eq!(found.first().unwrap(), "2026-11-01 00:00");
    assert_eq!(found.last().unwrap(), "2026-11-01 03:30");
    assert_eq!(found.len(), 15);
}

#[test]
fn the_second_occurrence_of_a_repeated_time_is_never_a_slot() {
    // A window that opens inside the second 01:00–02:00 of 2026-11-01 (07:00Z is 01:00 CST).
    let q = query(Chicago, shape(30), "2026-11-01T07:00:00Z", "2026-11-01T09:00:00Z");
    let rules = vec![WeeklyHours {
        weekday: Weekday::Sun,
        start_minute: 0,
        end_minute: 240,
        valid_from: None,
        valid_until: None,
    }];
    let found = slots(Chicago, &rules, &q);
    assert!(found.iter().all(|s| s.start >= utc("2026-11-01T08:00:00Z")), "{found:?}");
    assert_eq!(found[0].local_start.format("%H:%M").to_string(), "02:00");
}

#[test]
fn no_start_in_the_spring_gap_in_chicago() {
    let q = query(Chicago, shape(15), "2027-03-14T05:00:00Z", "2027-03-14T12:00:00Z");
    let rules = vec![WeeklyHours {
        weekday: Weekday::Sun,
        start_minute: 60,
        end_minute: 300,
        valid_from: None,
        valid_until: None,
    }];
    let found = local_starts(&slots(Chicago, &rules, &q));
    assert!(found.iter().all(|s| !s.contains(" 02:")), "{found:?}");
    assert!(found.contains(&"2027-03-14 01:45".to_string()));
    assert!(found.contains(&"2027-03-14 03:00".to_string()));
}

#[test]
fn london_change_days_keep_local_nine() {
    for (day, expected) in [("2026-10-25", "2026-10-25T09:00:00Z"), ("2027-03-28", "2027-03-28T08:00:00Z")] {
        let start = format!("{day}T00:00:00Z");
        let end = format!("{day}T23:00:00Z");
        let q = query(London, shape(45), &start, &end);
        let found = slots(London, &every_day(9 * 60, 12 * 60), &q);
        assert_eq!(found[0].start, utc(expected), "{day}");
        assert_eq!(found[0].local_start.format("%H:%M").to_string(), "09:00");
    }
}

#[test]
fn lord_howe_half_hour_change_keeps_local_times() {
    // Lord Howe moves 30 minutes on 2026-10-04 (+10:30 → +11:00).
    let q = query(Lord_Howe, shape(60), "2026-10-02T12:00:00Z", "2026-10-05T12:00:00Z");
    let found = slots(Lord_Howe, &every_day(8 * 60, 10 * 60), &q);
    let eights: Vec<_> =
        found.iter().filter(|s| s.local_start.format("%H:%M").to_string() == "08:00").map(|s| s.start).collect();
    assert!(eights.contains(&utc("2026-10-02T21:30:00Z")), "{eights:?}"); // +10:30
    assert!(eights.contains(&utc("2026-10-04T21:00:00Z")), "{eights:?}"); // +11:00
}

#[test]
fn buffers_notice_horizon_and_existing_appointments() {
    let monday = |h: u32, m: u32| Chicago.with_ymd_and_hms(2026, 11, 16, h, m, 0).unwrap().with_timezone(&Utc);
    let mut q = query(Chicago, shape(60), "2026-11-16T00:00:00Z", "2026-11-17T06:00:00Z");
    q.shape.buffer_after = Duration::minutes(15);
    q.earliest_start = monday(10, 0);
    q.latest_start = monday(15, 0);
    let rules = every_day(9 * 60, 17 * 60);
    let working = working_intervals(Chicago, &rules, &[], q.window);
    // An existing visit 12:00–13:00 with 15 minutes after it: busy 12:00–13:15.
    let busy = vec![Interval::new(monday(12, 0), monday(13, 15))];
    let found = free_slots(&q, &working, &busy, &[]);
    let starts: Vec<String> = found.iter().map(|s| s.local_start.format("%H:%M").to_string()).collect();
    assert_eq!(starts.first().unwrap(), "10:00", "minimum notice");
    assert_eq!(starts.last().unwrap(), "15:00", "horizon");
    assert!(!starts.contains(&"11:00".to_string()), "11:00–12:00 plus 15 minutes runs into the 12:00 visit");
    assert!(starts.contains(&"10:45".to_string()));
    assert!(!starts.contains(&"13:00".to_string()), "the other visit's buffer lasts until 13:15");
    assert!(starts.contains(&"13:15".to_string()));
}

#[test]
fn time_off_removes_and_extra_hours_add() {
    let day = |h: u32| Chicago.with_ymd_and_hms(2026, 11, 18, h, 0, 0).unwrap().with_timezone(&Utc);
    let q = query(Chicago, shape(60), "2026-11-18T00:00:00Z", "2026-11-19T06:00:00Z");
    let exceptions = vec![
        Exception { kind: ExceptionKind::TimeOff, interval: Interval::new(day(9), day(12)) },
        Exception { kind: ExceptionKind::ExtraHours, interval: Interval::new(day(18), day(20)) },
    ];
    let working = working_intervals(Chicago, &every_day(9 * 60, 17 * 60), &exceptions, q.window);
    let found = free_slots(&q, &working, &[], &[]);
    let starts: Vec<String> = found.iter().map(|s| s.local_start.format("%H:%M").to_string()).collect();
    assert_eq!(starts.first().unwrap(), "12:00");
    assert!(starts.contains(&"18:00".to_string()) && starts.contains(&"19:00".to_string()));
    assert!(!starts.contains(&"19:15".to_string()));
}

#[test]
fn gaps_are_working_time_without_the_bookings() {
    let t = |h: u32| Chicago.with_ymd_and_hms(2026, 11, 18, h, 0, 0).unwrap().with_timezone(&Utc);
    let gaps = without(&[Interval::new(t(9), t(17))], &[Interval::new(t(10), t(11)), Interval::new(t(16), t(18))]);
    assert_eq!(gaps, [Interval::new(t(9), t(10)), Interval::new(t(11), t(16))]);
}

#[test]
fn rules_respect_their_date_range() {
    let q = query(Chicago, shape(60), "2026-11-16T00:00:00Z", "2026-11-21T00:00:00Z");
    let mut rules = every_day(9 * 60, 10 * 60);
    for rule in &mut rules {
        rule.valid_from = NaiveDate::from_ymd_opt(2026, 11, 18);
        rule.valid_until = NaiveDate::from_ymd_opt(2026, 11, 19);
    }
    let days: HashSet<_> = slots(Chicago, &rules, &q).iter().map(|s| s.local_start.date()).collect();
    assert_eq!(days.len(), 2);
}

#[test]
fn the_patients_own_appointments_block_overlapping_starts() {
    let day = |h: u32| Chicago.with_ymd_and_hms(2026, 11, 18, h, 0, 0).unwrap().with_timezone(&Utc);
    let q = query(Chicago, shape(60), "2026-11-18T00:00:00Z", "2026-11-19T06:00:00Z");
    let working = working_intervals(Chicago, &every_day(9 * 60, 12 * 60), &[], q.window);
    let found = free_slots(&q, &working, &[], &[Interval::new(day(10), day(11))]);
    let starts: Vec<String> = found.iter().map(|s| s.local_start.format("%H:%M").to_string()).collect();
    assert_eq!(starts, ["09:00", "11:00"]);
}

#[test]
fn hours_to_24_00_stop_at_the_first_of_a_repeated_midnight() {
    // Saturday 22:00–24:00 only, on the nights whose Sunday midnight happens twice.
    for (zone, window_from, window_to) in [
        (chrono_tz::Atlantic::Azores, "2027-10-30T20:00:00Z", "2027-10-31T06:00:00Z"),
        (chrono_tz::America::Havana, "2027-11-07T00:00:00Z", "2027-11-07T10:00:00Z"),
    ] {
        let rules = vec![WeeklyHours {
            weekday: Weekday::Sat,
            start_minute: 22 * 60,
            end_minute: 24 * 60,
            valid_from: None,
            valid_until: None,
        }];
        let q = query(zone, shape(30), window_from, window_to);
        let found = local_starts(&slots(zone, &rules, &q));
        let saturday = &found[0][..10];
        let expected: Vec<String> = ["22:00", "22:15", "22:30", "22:45", "23:00", "23:15", "23:30"]
            .iter()
            .map(|t| format!("{saturday} {t}"))
            .collect();
        assert_eq!(found, expected, "{zone}: nothing on Sunday, nothing ending after Saturday");
        let working = working_intervals(zone, &rules, &[], q.window);
        assert_eq!(working.len(), 1);
        assert_eq!(local(zone, working[0].end).format("%H:%M").to_string(), "00:00");
        assert_eq!(working[0].end - working[0].start, Duration::hours(2), "{zone}: two hours, not three");
    }
}
