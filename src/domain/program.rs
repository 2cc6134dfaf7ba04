//! Program drafts (docs/clinical-rules.md, "Home programs"): what a clinician sends to prescribe
//! or revise a home program, and the rules a draft must keep: a schedule of weekdays or of so many
//! sessions a week (not both), 1 to 30 exercises, doses within their bounds, and an item without a dose of
//! its own taking the exercise's default.

use chrono::NaiveDate;

use super::Invalid;

/// At most this many exercises in one version.
pub const MAX_ITEMS: usize = 30;
/// A week asks for at most this many sessions.
pub const MAX_SESSIONS_PER_WEEK: i32 = 14;
/// 1 control, 2 capacity, 3 loading.
pub const MAX_PHASE: i32 = 3;

/// A dose: sets with reps, a hold, or a duration. Each part is optional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dose {
    pub sets: Option<i32>,
    pub reps: Option<i32>,
    pub hold_seconds: Option<i32>,
    pub duration_seconds: Option<i32>,
}

impl Dose {
    /// Each part checked against its bound, in the order sets, reps, hold, duration; `keep`
    /// records a refusal under the part's field name and says what to keep.
    pub fn checked(&self, mut keep: impl FnMut(&'static str, Result<Option<i32>, Invalid>) -> Option<i32>) -> Dose {
        Dose {
            sets: keep("sets", dose_number(self.sets, 20)),
            reps: keep("reps", dose_number(self.reps, 200)),
            hold_seconds: keep("hold_seconds", dose_number(self.hold_seconds, 600)),
            duration_seconds: keep("duration_seconds", dose_number(self.duration_seconds, 7200)),
        }
    }

    /// Without reps, a hold or a duration of its own, an item takes the exercise's default dose
    /// (sets it gives are kept).
    pub fn or_default(self, default: &Dose) -> Dose {
        if self.reps.is_none() && self.hold_seconds.is_none() && self.duration_seconds.is_none() {
            Dose { sets: self.sets.or(default.sets), ..*default }
        } else {
            self
        }
    }
}

/// A dose figure (or a phase): absent, or 1 to `max`.
pub fn dose_number(value: Option<i32>, max: i32) -> Result<Option<i32>, Invalid> {
    match value {
        Some(v) if !(1..=max).contains(&v) => Err(Invalid::new("out_of_range", format!("between 1 and {max}"))),
        other => Ok(other),
    }
}

/// When the sessions come: fixed weekdays (sorted, each once) or so many a week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionPlan {
    /// ISO weekdays, 1 = Monday; empty for a per-week plan.
    pub weekdays: Vec<u32>,
    pub sessions_per_week: Option<i32>,
}

/// The weekdays-or-sessions-per-week rule. The refusal names the field it is about.
pub fn session_plan(weekdays: &[u32], sessions_per_week: Option<i32>) -> Result<SessionPlan, (&'static str, Invalid)> {
    let mut weekdays = weekdays.to_vec();
    weekdays.sort_unstable();
    weekdays.dedup();
    match (weekdays.is_empty(), sessions_per_week) {
        (false, None) if weekdays.iter().all(|d| (1..=7).contains(d)) => {
            Ok(SessionPlan { weekdays, sessions_per_week: None })
        }
        (false, None) => Err(("weekdays", Invalid::new("out_of_range", "1 (Monday) to 7 (Sunday)"))),
        (true, Some(n)) if (1..=MAX_SESSIONS_PER_WEEK).contains(&n) => {
            Ok(SessionPlan { weekdays, sessions_per_week: Some(n) })
        }
        (true, Some(_)) => Err(("sessions_per_week", Invalid::new("out_of_range", "1 to 14"))),
        _ => Err(("weekdays", Invalid::new("required", "give weekdays or sessions_per_week, not both"))),
    }
}

/// Whether a version may hold `count` exercises.
pub fn item_count_allowed(count: usize) -> bool {
    (1..=MAX_ITEMS).contains(&count)
}

/// A program version as the clinician sent it, before it is checked.
#[derive(Debug, Clone)]
pub struct ProgramDraft {
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub weekdays: Vec<u32>,
    pub sessions_per_week: Option<i32>,
    pub items: Vec<ItemDraft>,
}

/// One exercise of a draft.
#[derive(Debug, Clone)]
pub struct ItemDraft {
    /// The exercise's id or slug.
    pub exercise: String,
    pub dose: Dose,
    pub load: Option<String>,
    /// `both`, `left`, `right` or `alternating`.
    pub side: Option<&'static str>,
    pub notes: Option<String>,
    /// The exercise's own phase when absent.
    pub phase: Option<i32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_are_sorted_once_each() {
        let plan = session_plan(&[5, 1, 3, 1], None).unwrap();
        assert_eq!(plan, SessionPlan { weekdays: vec![1, 3, 5], sessions_per_week: None });
    }

    #[test]
    fn a_plan_is_weekdays_or_sessions_per_week_not_both() {
        assert_eq!(session_plan(&[], Some(3)).unwrap().sessions_per_week, Some(3));
        assert_eq!(session_plan(&[1], Some(3)).unwrap_err().0, "weekdays");
        assert_eq!(session_plan(&[], None).unwrap_err().1.code, "required");
        assert_eq!(session_plan(&[0, 8], None).unwrap_err().1.code, "out_of_range");
        assert_eq!(session_plan(&[], Some(15)).unwrap_err().0, "sessions_per_week");
        assert_eq!(session_plan(&[], Some(0)).unwrap_err().0, "sessions_per_week");
    }

    #[test]
    fn an_item_without_a_dose_takes_the_exercises_default() {
        let default = Dose { sets: Some(3), reps: Some(10), hold_seconds: None, duration_seconds: None };
        assert_eq!(Dose::default().or_default(&default), default);
        let sets_only = Dose { sets: Some(2), ..Dose::default() };
        assert_eq!(sets_only.or_default(&default), Dose { sets: Some(2), ..default });
        let own = Dose { hold_seconds: Some(30), ..Dose::default() };
        assert_eq!(own.or_default(&default), own);
    }

    #[test]
    fn dose_parts_have_bounds() {
        assert!(dose_number(Some(20), 20).is_ok());
        assert_eq!(dose_number(Some(21), 20).unwrap_err().message, "between 1 and 20");
        assert_eq!(dose_number(Some(0), 3).unwrap_err().code, "out_of_range");
        let mut refused = Vec::new();
        let dose = Dose { sets: Some(21), reps: Some(10), hold_seconds: Some(601), duration_seconds: None };
        let kept = dose.checked(|field, result| result.map_err(|_| refused.push(field)).ok().flatten());
        assert_eq!(refused, ["sets", "hold_seconds"]);
        assert_eq!(kept, Dose { reps: Some(10), ..Dose::default() });
    }

    #[test]
    fn a_version_holds_one_to_thirty_exercises() {
        assert!(!item_count_allowed(0));
        assert!(item_count_allowed(1) && item_count_allowed(30));
        assert!(!item_count_allowed(31));
    }
}
