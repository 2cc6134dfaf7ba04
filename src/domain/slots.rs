//! Free slots: from a clinician's weekly hours (clinic-local wall-clock times), their exceptions,
//! and what is already booked, the times an appointment of some length can start.
//!
//! Starts are whole multiples of the clinic's granularity in local time. Daylight saving follows
//! [`super::local_time`]: a start in a gap does not exist, a start in a repeated hour appears
//! once, and a 09:00–17:00 rule opens at 09:00 local on both sides of a change.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use super::local_time::{at_minute, instant_exact, instant_latest, instant_or_next, local};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Interval {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Self { start, end }
    }

    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// A weekly rule: on `weekday`, from `start_minute` to `end_minute` after local midnight, on
/// dates within the optional range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklyHours {
    pub weekday: Weekday,
    pub start_minute: u32,
    pub end_minute: u32,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

impl WeeklyHours {
    fn applies_on(&self, date: NaiveDate) -> bool {
        date.weekday() == self.weekday
            && self.valid_from.is_none_or(|from| date >= from)
            && self.valid_until.is_none_or(|until| date <= until)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExceptionKind {
    TimeOff,
    ExtraHours,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exception {
    pub kind: ExceptionKind,
    pub interval: Interval,
}

/// When a clinician works within `window`: weekly hours plus extra hours, minus time off,
/// merged and sorted.
pub fn working_intervals(zone: Tz, rules: &[WeeklyHours], exceptions: &[Exception], window: Interval) -> Vec<Interval> {
    let first = local(zone, window.start).date() - Duration::days(1);
    let last = local(zone, window.end).date() + Duration::days(1);
    let mut open = Vec::new();
    let mut date = first;
    while date <= last {
        for rule in rules.iter().filter(|r| r.applies_on(date)) {
            let start = instant_or_next(zone, at_minute(date, rule.start_minute));
            let end = instant_latest(zone, at_minute(date, rule.end_minute));
            if start < end {
                open.push(Interval::new(start, end));
            }
        }
        date += Duration::days(1);
    }
    open.extend(exceptions.iter().filter(|e| e.kind == ExceptionKind::ExtraHours).map(|e| e.interval));
    let mut open = merge(open);
    for off in exceptions.iter().filter(|e| e.kind == ExceptionKind::TimeOff) {
        open = subtract(&open, &off.interval);
    }
    open.into_iter().filter(|i| i.overlaps(&window)).collect()
}

/// `intervals` with every one of `cuts` taken out: the free gaps of a working day.
pub fn without(intervals: &[Interval], cuts: &[Interval]) -> Vec<Interval> {
    cuts.iter().fold(intervals.to_vec(), |open, cut| subtract(&open, cut))
}

fn merge(mut intervals: Vec<Interval>) -> Vec<Interval> {
    intervals.sort_by_key(|i| i.start);
    let mut merged: Vec<Interval> = Vec::with_capacity(intervals.len());
    for interval in intervals {
        match merged.last_mut() {
            Some(last) if interval.start <= last.end => last.end = last.end.max(interval.end),
            _ => merged.push(interval),
        }
    }
    merged
}

fn subtract(intervals: &[Interval], cut: &Interval) -> Vec<Interval> {
    let mut out = Vec::with_capacity(intervals.len() + 1);
    for interval in intervals {
        if !interval.overlaps(cut) {
            out.push(*interval);
            continue;
        }
        if interval.start < cut.start {
            out.push(Interval::new(interval.start, cut.start));
        }
        if cut.end < interval.end {
            out.push(Interval::new(cut.end, interval.end));
        }
    }
    out
}

/// The length of an appointment and the time kept free around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub duration: Duration,
    pub buffer_before: Duration,
    pub buffer_after: Duration,
}

impl Shape {
    /// The time an appointment starting at `start` keeps the clinician busy, buffers included.
    pub fn block(&self, start: DateTime<Utc>) -> Interval {
        Interval::new(start - self.buffer_before, start + self.duration + self.buffer_after)
    }
}

#[derive(Debug, Clone)]
pub struct SlotQuery {
    pub zone: Tz,
    pub granularity_minutes: u32,
    pub shape: Shape,
    /// Starts within this window.
    pub window: Interval,
    /// No start before this (minimum notice) …
    pub earliest_start: DateTime<Utc>,
    /// … and none after this (booking horizon).
    pub latest_start: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub local_start: NaiveDateTime,
    pub local_end: NaiveDateTime,
}

/// Free starts for one clinician. `busy` are the blocks (buffers included) of their existing
/// appointments; `patient_busy` the patient's own appointments, which a new one may not overlap.
pub fn free_slots(query: &SlotQuery, working: &[Interval], busy: &[Interval], patient_busy: &[Interval]) -> Vec<Slot> {
    let busy = BusyTimes::new(busy);
    let step = Duration::minutes(i64::from(query.granularity_minutes.max(1)));
    let mut slots = Vec::new();
    for interval in working {
        let mut start = aligned_at_or_after(query, ceil_minute(interval.start.max(query.window.start)));
        while start + query.shape.duration <= interval.end && start < query.window.end {
            if !is_aligned(query, start) {
                start = aligned_at_or_after(query, start);
                continue;
            }
            let end = start + query.shape.duration;
            let local_start = local(query.zone, start);
            let free = start >= query.earliest_start
                && start <= query.latest_start
                && !busy.overlaps(&query.shape.block(start))
                && !patient_busy.iter().any(|b| b.overlaps(&Interval::new(start, end)));
            // In a repeated hour only the first occurrence of a local time is a slot, whatever
            // the window: the one a person means by "01:30".
            if free && instant_exact(query.zone, local_start) == Some(start) {
                slots.push(Slot { start, end, local_start, local_end: local(query.zone, end) });
            }
            start += step;
        }
    }
    slots.sort_by_key(|s| s.start);
    slots
}

/// Busy intervals sorted by start, with the latest end so far, for O(log n) overlap checks.
struct BusyTimes {
    starts: Vec<DateTime<Utc>>,
    latest_end: Vec<DateTime<Utc>>,
}

impl BusyTimes {
    fn new(busy: &[Interval]) -> Self {
        let mut sorted = busy.to_vec();
        sorted.sort_by_key(|b| b.start);
        let mut latest = DateTime::<Utc>::MIN_UTC;
        let latest_end = sorted
            .iter()
            .map(|b| {
                latest = latest.max(b.end);
                latest
            })
            .collect();
        Self { starts: sorted.iter().map(|b| b.start).collect(), latest_end }
    }

    /// Only intervals starting before `block` ends can overlap it; one does if any of them
    /// ends after `block` starts.
    fn overlaps(&self, block: &Interval) -> bool {
        let candidates = self.starts.partition_point(|start| *start < block.end);
        candidates > 0 && self.latest_end[candidates - 1] > block.start
    }
}

fn ceil_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    let floor = t - Duration::seconds(i64::from(t.second())) - Duration::nanoseconds(i64::from(t.nanosecond()));
    if floor == t {
        t
    } else {
        floor + Duration::minutes(1)
    }
}

fn is_aligned(query: &SlotQuery, t: DateTime<Utc>) -> bool {
    let local = local(query.zone, t);
    local.second() == 0 && (local.hour() * 60 + local.minute()).is_multiple_of(query.granularity_minutes.max(1))
}

fn aligned_at_or_after(query: &SlotQuery, t: DateTime<Utc>) -> DateTime<Utc> {
    let mut t = t;
    for _ in 0..=query.granularity_minutes {
        if is_aligned(query, t) {
            return t;
        }
        t += Duration::minutes(1);
    }
    t
}

/// Whether `start` is one of the free starts (used to check a requested booking).
pub fn offers(slots: &[Slot], start: DateTime<Utc>) -> bool {
    slots.iter().any(|s| s.start == start)
}

#[cfg(test)]
mod tests {
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
}
