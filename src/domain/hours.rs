//! Clinicians' weekly hours as people write them (an ISO weekday, `HH:MM` to `HH:MM`, optional
//! dates) and the kinds of exception to them: the checks the API applies, and the one reading
//! of stored rules that [`super::slots`] works from.

use chrono::{NaiveDate, Weekday};

pub use super::slots::ExceptionKind;
use super::Invalid;

impl ExceptionKind {
    /// The kind as the API spells it and the database stores it.
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionKind::TimeOff => "time_off",
            ExceptionKind::ExtraHours => "extra_hours",
        }
    }

    /// A stored kind: anything but `extra_hours` is time off, the reading that offers no time
    /// nobody meant to give.
    pub fn parse(stored: &str) -> Self {
        if stored == "extra_hours" {
            ExceptionKind::ExtraHours
        } else {
            ExceptionKind::TimeOff
        }
    }
}

/// The ISO weekday `iso` (1 = Monday); anything past 6 is Sunday.
pub fn weekday(iso: i32) -> Weekday {
    match iso {
        1 => Weekday::Mon,
        2 => Weekday::Tue,
        3 => Weekday::Wed,
        4 => Weekday::Thu,
        5 => Weekday::Fri,
        6 => Weekday::Sat,
        _ => Weekday::Sun,
    }
}

/// `minute` after local midnight as `HH:MM` (1440 is `24:00`).
pub fn hh_mm(minute: i32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// One weekly period's weekday, start and end minute, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklyTimes {
    pub weekday: i32,
    pub start_minute: i32,
    pub end_minute: i32,
}

/// A weekly period as written: an ISO weekday and `HH:MM` times (`24:00` ends the day), the end
/// after the start. Each refusal names its part: `weekday`, `start` or `end`.
pub fn weekly_times(weekday: i32, start: &str, end: &str) -> Result<WeeklyTimes, Vec<(&'static str, Invalid)>> {
    let mut refused = Vec::new();
    if !(1..=7).contains(&weekday) {
        refused.push(("weekday", Invalid::new("out_of_range", "1 (Monday) to 7 (Sunday)")));
    }
    let minute = |raw: &str| {
        super::local_time::parse_hh_mm(raw)
            .map(|minute| minute as i32)
            .ok_or_else(|| Invalid::new("invalid_format", "a time is HH:MM, 00:00 to 24:00"))
    };
    let (start, end) = (minute(start), minute(end));
    if let Err(why) = &start {
        refused.push(("start", why.clone()));
    }
    if let Err(why) = &end {
        refused.push(("end", why.clone()));
    }
    match (start, end) {
        (Ok(start), Ok(end)) if start >= end => {
            refused.push(("end", Invalid::new("before_start", "the end is after the start")));
        }
        (Ok(start_minute), Ok(end_minute)) if refused.is_empty() => {
            return Ok(WeeklyTimes { weekday, start_minute, end_minute });
        }
        _ => {}
    }
    Err(refused)
}

/// A period's optional dates: `valid_until` on or after `valid_from`.
pub fn valid_dates(valid_from: Option<NaiveDate>, valid_until: Option<NaiveDate>) -> Result<(), Invalid> {
    match (valid_from, valid_until) {
        (Some(from), Some(until)) if from > until => {
            Err(Invalid::new("before_start", "valid_until is on or after valid_from"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_as_written_and_unknown_ones_are_time_off() {
        for kind in [ExceptionKind::TimeOff, ExceptionKind::ExtraHours] {
            assert_eq!(ExceptionKind::parse(kind.as_str()), kind);
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        assert_eq!(ExceptionKind::parse("holiday"), ExceptionKind::TimeOff);
        let refused = serde_json::from_str::<ExceptionKind>("\"holiday\"").unwrap_err().to_string();
        assert!(refused.contains("unknown variant `holiday`"), "{refused}");
    }

    #[test]
    fn a_period_runs_from_its_start_to_a_later_end() {
        assert_eq!(
            weekly_times(1, "09:00", "24:00"),
            Ok(WeeklyTimes { weekday: 1, start_minute: 540, end_minute: 1440 })
        );
        let refused = weekly_times(8, "9am", "17:00").unwrap_err();
        let parts: Vec<_> = refused.iter().map(|(part, why)| (*part, why.code)).collect();
        assert_eq!(parts, [("weekday", "out_of_range"), ("start", "invalid_format")]);
        let refused = weekly_times(1, "17:00", "09:00").unwrap_err();
        assert_eq!(refused[0].0, "end");
        assert_eq!(refused[0].1.code, "before_start");
    }

    #[test]
    fn dates_run_forward_and_minutes_print_as_clock_times() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        assert!(valid_dates(Some(day(2)), Some(day(2))).is_ok());
        assert_eq!(valid_dates(Some(day(3)), Some(day(2))).unwrap_err().code, "before_start");
        assert_eq!(hh_mm(540), "09:00");
        assert_eq!(hh_mm(1440), "24:00");
        assert_eq!(weekday(7), Weekday::Sun);
    }
}
