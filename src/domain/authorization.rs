//! A payer's authorization of visits: so many visits between two dates. Visits count against it
//! while booked and once they happened (arrived, completed); cancelled ones and no-shows do not,
//! as a payer is billed for neither. Booking past the count or outside the dates is refused
//! unless staff give a reason (or the clinic makes it a warning).

use chrono::{Duration, NaiveDate};

/// The worklist warns when this many visits or fewer are left…
pub const FEW_VISITS_LEFT: i64 = 2;
/// …or when the authorization ends within this many days.
pub const ENDING_WITHIN_DAYS: i64 = 7;

/// Whether a visit in this status counts against an authorization.
pub fn counts(status: &str) -> bool {
    matches!(status, "booked" | "arrived" | "completed")
}

/// One authorization and the visits already counted against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowance {
    pub id: String,
    pub visits: i64,
    pub valid_from: NaiveDate,
    /// Inclusive.
    pub valid_to: NaiveDate,
    /// Visits that happened (arrived, completed) within its dates.
    pub used: i64,
    /// Visits booked within its dates and not yet happened.
    pub booked: i64,
}

impl Allowance {
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && date <= self.valid_to
    }

    /// Visits not yet used or booked (negative when overbooked by an override).
    pub fn remaining(&self) -> i64 {
        self.visits - self.used - self.booked
    }

    /// The number the next visit booked against it would be ("visit 9 of 12").
    pub fn next_visit(&self) -> i64 {
        self.used + self.booked + 1
    }

    /// Whether the worklist should say so on `today`: few visits left, or ending soon.
    pub fn needs_attention(&self, today: NaiveDate) -> bool {
        let live = today <= self.valid_to;
        live && (self.remaining() <= FEW_VISITS_LEFT || self.valid_to - today <= Duration::days(ENDING_WITHIN_DAYS))
    }
}

/// Why a visit cannot go on the episode's authorizations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breach {
    /// Every authorization covering the day is used up.
    Exceeded,
    /// No authorization covers the day.
    Outside,
}

impl Breach {
    pub fn code(self) -> &'static str {
        match self {
            Breach::Exceeded => "authorization_exceeded",
            Breach::Outside => "outside_authorization",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Breach::Exceeded => "the payer's authorized visits are all used or booked",
            Breach::Outside => "this day is outside the dates the payer authorized",
        }
    }
}

/// The authorization a visit on `date` goes on: one covering the day with a visit left (the one
/// ending first, so the older is used up before the newer). An episode with no authorization
/// recorded has no payer limit: `Ok(None)`.
pub fn place(allowances: &[Allowance], date: NaiveDate) -> Result<Option<&Allowance>, Breach> {
    if allowances.is_empty() {
        return Ok(None);
    }
    let mut covering: Vec<&Allowance> = allowances.iter().filter(|a| a.covers(date)).collect();
    if covering.is_empty() {
        return Err(Breach::Outside);
    }
    covering.sort_by_key(|a| (a.valid_to, a.valid_from));
    covering.into_iter().find(|a| a.remaining() > 0).map(Some).ok_or(Breach::Exceeded)
}

/// Places several visits in turn (a series), each taking one of what is left. The first breach,
/// with the index of the visit it stops at.
pub fn place_all(allowances: &[Allowance], dates: &[NaiveDate]) -> Result<(), (usize, Breach)> {
    let mut left = allowances.to_vec();
    for (index, date) in dates.iter().enumerate() {
        let id = match place(&left, *date) {
            Ok(Some(a)) => a.id.clone(),
            Ok(None) => return Ok(()),
            Err(breach) => return Err((index, breach)),
        };
        if let Some(a) = left.iter_mut().find(|a| a.id == id) {
            a.booked += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn twelve(used: i64, booked: i64) -> Allowance {
        Allowance {
            id: "a".into(),
            visits: 12,
            valid_from: day("2027-01-04"),
            valid_to: day("2027-03-14"),
            used,
            booked,
        }
    }

    #[test]
    fn the_twelfth_visit_fits_and_the_thirteenth_is_refused() {
        let a = [twelve(8, 3)];
        assert_eq!(a[0].next_visit(), 12);
        assert_eq!(place(&a, day("2027-02-01")).unwrap().unwrap().id, "a");
        let full = [twelve(8, 4)];
        assert_eq!(place(&full, day("2027-02-01")), Err(Breach::Exceeded));
        assert_eq!(full[0].remaining(), 0);
    }

    #[test]
    fn a_day_outside_the_dates_is_refused_and_no_authorization_means_no_limit() {
        let a = [twelve(0, 0)];
        assert_eq!(place(&a, day("2027-03-15")), Err(Breach::Outside));
        assert_eq!(place(&a, day("2027-01-03")), Err(Breach::Outside));
        assert!(place(&a, day("2027-03-14")).unwrap().is_some(), "the last day counts");
        assert_eq!(place(&[], day("2030-01-01")), Ok(None));
    }

    #[test]
    fn the_authorization_ending_first_is_used_first_then_the_next() {
        let old = Allowance { id: "old".into(), visits: 1, ..twelve(0, 0) };
        let new = Allowance { id: "new".into(), valid_to: day("2027-06-30"), ..twelve(0, 0) };
        let both = [new.clone(), old.clone()];
        assert_eq!(place(&both, day("2027-02-01")).unwrap().unwrap().id, "old");
        let used_old = [new, Allowance { used: 1, ..old }];
        assert_eq!(place(&used_old, day("2027-02-01")).unwrap().unwrap().id, "new");
    }

    #[test]
    fn a_series_stops_at_the_visit_that_runs_past_the_count() {
        let a = [twelve(9, 0)];
        let dates = [day("2027-02-01"), day("2027-02-03"), day("2027-02-05"), day("2027-02-08")];
        assert_eq!(place_all(&a, &dates), Err((3, Breach::Exceeded)));
        assert_eq!(place_all(&a, &dates[..3]), Ok(()));
        assert_eq!(place_all(&a, &[day("2027-03-20")]), Err((0, Breach::Outside)));
    }

    #[test]
    fn the_worklist_hears_of_few_visits_left_or_an_end_within_a_week() {
        assert!(!twelve(5, 0).needs_attention(day("2027-02-01")));
        assert!(twelve(8, 2).needs_attention(day("2027-02-01")), "2 left");
        assert!(twelve(0, 0).needs_attention(day("2027-03-07")), "ends in 7 days");
        assert!(!twelve(0, 0).needs_attention(day("2027-03-06")));
        assert!(!twelve(12, 0).needs_attention(day("2027-03-15")), "over: nothing left to warn of");
        assert!(counts("booked") && counts("completed") && !counts("no_show") && !counts("cancelled"));
    }
}
