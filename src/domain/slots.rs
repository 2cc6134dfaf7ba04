//! Free slots: from a clinician's weekly hours (clinic-local wall-clock times), their exceptions,
//! and what is already booked, the times an appointment of some length can start.
//!
//! Starts are whole multiples of the clinic's granularity in local time. Daylight saving follows
//! [`super::local_time`]: a start in a gap does not exist, a start in a repeated hour appears
//! once, and a 09:00–17:00 rule opens at 09:00 local on both sides of a change.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use super::local_time::{at_minute, end_instant, instant_exact, instant_or_next, local};

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

// Time off takes working time away; extra hours add it (spelled `time_off`, `extra_hours`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
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
            let end = end_instant(zone, date, rule.end_minute);
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
mod tests;
