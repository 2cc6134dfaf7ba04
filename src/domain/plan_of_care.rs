//! The plan of care's amount of therapy: a frequency ("2× a week") for a duration ("for 6
//! weeks"), the visits it plans, and the goals' statuses (CLINICAL.md, "Episode of care").

use chrono::{Duration, NaiveDate};

use super::Invalid;

/// Visits a week, for so many weeks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frequency {
    pub per_week: u32,
    pub weeks: u32,
}

impl Frequency {
    /// 1 to 7 visits a week, for 1 to 52 weeks.
    pub fn new(per_week: i64, weeks: i64) -> Result<Frequency, (&'static str, Invalid)> {
        if !(1..=7).contains(&per_week) {
            return Err(("visits_per_week", Invalid::new("out_of_range", "visits a week are 1 to 7")));
        }
        if !(1..=52).contains(&weeks) {
            return Err(("duration_weeks", Invalid::new("out_of_range", "the plan lasts 1 to 52 weeks")));
        }
        Ok(Frequency { per_week: per_week as u32, weeks: weeks as u32 })
    }

    /// The visits the plan asks for in all.
    pub fn planned_visits(self) -> u32 {
        self.per_week * self.weeks
    }

    /// The planned duration in calendar days (6 weeks: 42).
    pub fn days(self) -> u32 {
        self.weeks * 7
    }

    /// Visits the plan needs over `days` days (rounded up: 2 a week over 14 days is 4).
    pub fn needed_over(self, days: u32) -> u32 {
        (self.per_week * days).div_ceil(7)
    }

    /// "2× a week for 6 weeks".
    pub fn in_words(self) -> String {
        let weeks = if self.weeks == 1 { "1 week".to_string() } else { format!("{} weeks", self.weeks) };
        format!("{}× a week for {weeks}", self.per_week)
    }
}

/// The window under-scheduling is judged over, in days.
pub const SCHEDULE_WINDOW_DAYS: u32 = 14;

/// Under-scheduled: fewer visits booked (`booked_ahead`, their dates from `today` on) over the
/// next 14 days, or up to the period's last day if sooner, than the frequency needs (rounded up).
/// The visits booked and needed when so.
pub fn under_scheduled(
    plan: Frequency,
    today: NaiveDate,
    period_ends: NaiveDate,
    booked_ahead: &[NaiveDate],
) -> Option<(u32, u32, u32)> {
    let horizon = today + Duration::days(SCHEDULE_WINDOW_DAYS.into());
    let days = (period_ends.min(horizon) - today).num_days().max(0) as u32;
    let booked = booked_ahead.iter().filter(|d| **d >= today && **d < horizon).count() as u32;
    let needed = plan.needed_over(days);
    (booked < needed).then_some((booked, needed, days))
}

/// The last day of a span of `days` calendar days that starts on (and counts) `first`.
pub fn last_day(first: NaiveDate, days: u32) -> NaiveDate {
    first + Duration::days(i64::from(days.max(1)) - 1)
}

/// How far a goal has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalStatus {
    NotMet,
    PartlyMet,
    Met,
}

impl GoalStatus {
    pub const ALL: [GoalStatus; 3] = [GoalStatus::NotMet, GoalStatus::PartlyMet, GoalStatus::Met];

    pub fn as_str(self) -> &'static str {
        match self {
            GoalStatus::NotMet => "not_met",
            GoalStatus::PartlyMet => "partly_met",
            GoalStatus::Met => "met",
        }
    }

    pub fn parse(text: &str) -> Option<GoalStatus> {
        GoalStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            GoalStatus::NotMet => "Not met",
            GoalStatus::PartlyMet => "Partly met",
            GoalStatus::Met => "Met",
        }
    }
}

/// A goal's horizon: long-term (the episode's end) or short-term (a step on the way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalTerm {
    Short,
    Long,
}

impl GoalTerm {
    pub fn as_str(self) -> &'static str {
        match self {
            GoalTerm::Short => "short_term",
            GoalTerm::Long => "long_term",
        }
    }

    pub fn parse(text: &str) -> Option<GoalTerm> {
        [GoalTerm::Short, GoalTerm::Long].into_iter().find(|t| t.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn two_a_week_for_six_weeks_plans_twelve_visits_over_forty_two_days() {
        let plan = Frequency::new(2, 6).unwrap();
        assert_eq!(plan.planned_visits(), 12);
        assert_eq!(plan.days(), 42);
        assert_eq!(last_day(day("2027-01-04"), plan.days()), day("2027-02-14"));
        assert_eq!(plan.in_words(), "2× a week for 6 weeks");
    }

    #[test]
    fn visits_needed_over_a_window_round_up() {
        let plan = Frequency::new(2, 6).unwrap();
        assert_eq!(plan.needed_over(14), 4);
        assert_eq!(Frequency::new(3, 4).unwrap().needed_over(10), 5);
        assert_eq!(Frequency::new(1, 4).unwrap().needed_over(14), 2);
    }

    #[test]
    fn twice_a_week_needs_four_visits_booked_in_the_next_two_weeks_or_fewer_near_the_end() {
        let plan = Frequency::new(2, 6).unwrap();
        let today = day("2027-01-04");
        let far = day("2027-02-14");
        assert_eq!(under_scheduled(plan, today, far, &[day("2027-01-06")]), Some((1, 4, 14)));
        let four = [day("2027-01-05"), day("2027-01-07"), day("2027-01-12"), day("2027-01-14")];
        assert_eq!(under_scheduled(plan, today, far, &four), None);
        let beyond = [day("2027-01-05"), day("2027-01-07"), day("2027-01-12"), day("2027-01-18")];
        assert_eq!(under_scheduled(plan, today, far, &beyond), Some((3, 4, 14)), "day 15 is outside the window");
        assert_eq!(
            under_scheduled(plan, today, day("2027-01-07"), &[day("2027-01-05")]),
            None,
            "3 days left: 1 needed"
        );
    }

    #[test]
    fn frequency_bounds_name_their_field() {
        assert_eq!(Frequency::new(0, 6).unwrap_err().0, "visits_per_week");
        assert_eq!(Frequency::new(8, 6).unwrap_err().0, "visits_per_week");
        assert_eq!(Frequency::new(2, 0).unwrap_err().0, "duration_weeks");
        assert_eq!(Frequency::new(2, 53).unwrap_err().0, "duration_weeks");
    }

    #[test]
    fn goal_statuses_round_trip() {
        for status in GoalStatus::ALL {
            assert_eq!(GoalStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(GoalStatus::parse("done"), None);
        assert_eq!(GoalTerm::parse("long_term"), Some(GoalTerm::Long));
    }
}
