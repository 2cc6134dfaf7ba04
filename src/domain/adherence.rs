//! Adherence to a home-exercise program (docs/clinical-rules.md): sessions logged ÷ sessions prescribed in
//! a window, capped at 100%. A program prescribes either fixed weekdays or a number of sessions a
//! week; a day counts once however many logs it has.

use std::collections::{BTreeSet, HashSet};

use chrono::{Datelike, Duration, NaiveDate, Weekday};

#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// Sessions on these weekdays.
    Weekdays(HashSet<Weekday>),
    /// This many sessions a week, on days the patient picks.
    PerWeek(u32),
}

/// When a program is in force, and what it asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Prescription {
    pub starts_on: NaiveDate,
    /// Inclusive; `None` while open-ended.
    pub ends_on: Option<NaiveDate>,
    pub schedule: Schedule,
}

impl Prescription {
    fn active_days(&self, from: NaiveDate, to: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let start = from.max(self.starts_on);
        let end = self.ends_on.map_or(to, |e| e.min(to));
        (start <= end).then_some((start, end))
    }

    /// Sessions asked for on the local dates `from..=to` (fractional for per-week programs over
    /// part of a week).
    pub fn prescribed(&self, from: NaiveDate, to: NaiveDate) -> f64 {
        let Some((start, end)) = self.active_days(from, to) else { return 0.0 };
        match &self.schedule {
            Schedule::Weekdays(days) => {
                start.iter_days().take_while(|d| *d <= end).filter(|d| days.contains(&d.weekday())).count() as f64
            }
            Schedule::PerWeek(n) => f64::from(*n) * (((end - start).num_days() + 1) as f64) / 7.0,
        }
    }

    /// Whether `date` is a day the program asks for a session (per-week: any active day).
    pub fn asks_on(&self, date: NaiveDate) -> bool {
        self.active_days(date, date).is_some()
            && match &self.schedule {
                Schedule::Weekdays(days) => days.contains(&date.weekday()),
                Schedule::PerWeek(_) => true,
            }
    }
}

/// Sessions done and asked for over a window, and their ratio.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub done: u32,
    pub prescribed: f64,
    /// 0 to 100; `None` when nothing was asked for.
    pub percent: Option<f64>,
}

/// Adherence on `from..=to`, counting each logged date once (only dates the program was active).
pub fn over(prescription: &Prescription, logged: &BTreeSet<NaiveDate>, from: NaiveDate, to: NaiveDate) -> Figure {
    let prescribed = prescription.prescribed(from, to);
    let done = match prescription.active_days(from, to) {
        Some((start, end)) => logged.range(start..=end).count() as u32,
        None => 0,
    };
    let percent = (prescribed > 0.0).then(|| (f64::from(done) / prescribed * 100.0).min(100.0));
    Figure { done, prescribed, percent }
}

/// The last 14 days up to and including `today`.
pub fn last_14_days(prescription: &Prescription, logged: &BTreeSet<NaiveDate>, today: NaiveDate) -> Figure {
    over(prescription, logged, today - Duration::days(13), today)
}

/// Consecutive days the program asked for that were done, counting back from `today`; today
/// counts if done and does not break the streak if not (the day is not over).
pub fn streak(prescription: &Prescription, logged: &BTreeSet<NaiveDate>, today: NaiveDate) -> u32 {
    let mut count = 0;
    let mut day = today;
    loop {
        if day < prescription.starts_on {
            return count;
        }
        if prescription.asks_on(day) {
            if logged.contains(&day) {
                count += 1;
            } else if day != today {
                return count;
            }
        }
        day -= Duration::days(1);
    }
}

/// For a program of so many sessions a week: whether the ISO week of `date` has them all logged
/// by `date`, so a reminder that day would only nag. Fixed-weekday programs are never "met".
pub fn week_quota_met(prescription: &Prescription, logged: &BTreeSet<NaiveDate>, date: NaiveDate) -> bool {
    let Schedule::PerWeek(sessions) = prescription.schedule else { return false };
    let monday = date - Duration::days(date.weekday().num_days_from_monday().into());
    logged.range(monday..=date).count() as u32 >= sessions
}

/// The clinic's low-adherence rule: below `threshold_percent` over the last 14 days, with the
/// program active for at least 14 days (both clinic settings; default 50%).
pub fn is_low(
    prescription: &Prescription,
    logged: &BTreeSet<NaiveDate>,
    today: NaiveDate,
    threshold_percent: f64,
) -> bool {
    let active_long_enough = today - prescription.starts_on >= Duration::days(13);
    let figure = last_14_days(prescription, logged, today);
    active_long_enough && figure.percent.is_some_and(|p| p < threshold_percent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
    }

    fn mon_wed_fri(from: u32) -> Prescription {
        Prescription {
            starts_on: d(from),
            ends_on: None,
            schedule: Schedule::Weekdays([Weekday::Mon, Weekday::Wed, Weekday::Fri].into_iter().collect()),
        }
    }

    fn logs(days: &[u32]) -> BTreeSet<NaiveDate> {
        days.iter().map(|n| d(*n)).collect()
    }

    #[test]
    fn a_hand_computed_fortnight() {
        // 2026-11-02 is a Monday. Mon/Wed/Fri from the 2nd to the 15th: 6 sessions asked
        // (2, 4, 6, 9, 11, 13). Logged: 2, 4, 9, 13, plus Sunday 8th (not asked) and the 4th twice.
        let figure = over(&mon_wed_fri(2), &logs(&[2, 4, 4, 8, 9, 13]), d(2), d(15));
        assert_eq!(figure.prescribed, 6.0);
        // Every logged active date counts once: 2, 4, 8, 9, 13 → 5 of 6.
        assert_eq!(figure.done, 5);
        assert!((figure.percent.unwrap() - 83.333).abs() < 0.01);
    }

    #[test]
    fn adherence_is_capped_at_100() {
        let per_week = Prescription { starts_on: d(2), ends_on: None, schedule: Schedule::PerWeek(2) };
        let figure = over(&per_week, &logs(&[2, 3, 4, 5, 6]), d(2), d(8));
        assert_eq!((figure.done, figure.prescribed), (5, 2.0));
        assert_eq!(figure.percent, Some(100.0));
    }

    #[test]
    fn nothing_asked_before_the_start_or_after_the_end() {
        let mut program = mon_wed_fri(9);
        program.ends_on = Some(d(13));
        assert_eq!(program.prescribed(d(2), d(8)), 0.0);
        assert_eq!(over(&program, &logs(&[3]), d(2), d(8)).percent, None);
        assert_eq!(program.prescribed(d(2), d(20)), 3.0);
    }

    #[test]
    fn streaks_count_back_over_asked_days() {
        let program = mon_wed_fri(2);
        // Fri 13 not done yet (today): the streak is Mon 9 and Wed 11; Fri 6 was missed.
        assert_eq!(streak(&program, &logs(&[2, 4, 9, 11]), d(13)), 2);
        assert_eq!(streak(&program, &logs(&[2, 4, 6, 9, 11, 13]), d(13)), 6);
        assert_eq!(streak(&program, &logs(&[]), d(13)), 0);
    }

    #[test]
    fn a_weekly_quota_is_met_once_that_many_days_of_the_iso_week_are_logged() {
        let three_a_week = Prescription { starts_on: d(2), ends_on: None, schedule: Schedule::PerWeek(3) };
        // Mon 9, Tue 10 logged; the week of the 9th needs a third.
        assert!(!week_quota_met(&three_a_week, &logs(&[6, 7, 9, 10]), d(11)));
        assert!(week_quota_met(&three_a_week, &logs(&[9, 10, 11]), d(12)));
        // Last week's sessions do not count for this one.
        assert!(!week_quota_met(&three_a_week, &logs(&[4, 5, 6, 7]), d(9)));
        assert!(!week_quota_met(&mon_wed_fri(2), &logs(&[9, 10, 11, 12]), d(13)));
    }

    #[test]
    fn the_low_adherence_rule_needs_fourteen_days() {
        let program = mon_wed_fri(2);
        // Two of six over the fortnight: 33% < 50%.
        assert!(is_low(&program, &logs(&[2, 9]), d(15), 50.0));
        assert!(!is_low(&program, &logs(&[2, 4, 6, 9]), d(15), 50.0));
        // Active for less than 14 days: no alert yet, whatever the figure.
        assert!(!is_low(&mon_wed_fri(9), &logs(&[]), d(15), 50.0));
    }
}
