//! Certifying the plan of care, as US Medicare asks (CLINICAL.md, "Episode of care"): the period
//! a certification covers, when the physician's or NPP's signature is due, the 2025 referral
//! exception, and when a recertification is due. A clinic outside the US turns these rules off
//! (`rules_on: false`) and every answer is "not required".

use chrono::{Duration, NaiveDate};

use super::plan_of_care::last_day;

/// The longest certification period, in calendar days counting its first.
pub const PERIOD_MAX_DAYS: u32 = 90;
/// The signature is due this many days after the first treatment.
pub const SIGN_WITHIN_DAYS: i64 = 30;
/// The plan sent within this many days of the evaluation meets the referral exception.
pub const SEND_WITHIN_DAYS: i64 = 30;
/// The worklist chases an unsigned certification this many days after the first treatment.
pub const CHASE_AFTER_DAYS: i64 = 21;
/// The worklist warns this many days before a recertification is due.
pub const RECERT_WARNING_DAYS: i64 = 7;

/// The day the referral exception took effect (CY2025 Physician Fee Schedule final rule).
pub fn referral_exception_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default()
}

/// The certification period that starts on `first_day` for a plan of `planned_days`: the planned
/// duration or 90 calendar days, whichever is shorter, day 1 counted. Inclusive bounds.
pub fn period(first_day: NaiveDate, planned_days: u32) -> (NaiveDate, NaiveDate) {
    (first_day, last_day(first_day, planned_days.min(PERIOD_MAX_DAYS)))
}

/// The day the physician's or NPP's signature is due: 30 days after the first treatment.
pub fn signature_due(first_treatment: NaiveDate) -> NaiveDate {
    first_treatment + Duration::days(SIGN_WITHIN_DAYS)
}

/// The referral on file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Referral {
    /// When the order or referral was signed and dated.
    pub signed_on: Option<NaiveDate>,
    /// Whether the signed order itself is on file.
    pub order_on_file: bool,
}

/// The 2025 exception: a signed and dated order or referral on file, and the plan sent to that
/// practitioner within 30 days of the initial evaluation (on or after the exception's start).
pub fn met_by_referral(referral: &Referral, evaluated_on: NaiveDate, plan_sent_on: Option<NaiveDate>) -> bool {
    let Some(sent) = plan_sent_on else { return false };
    referral.order_on_file
        && referral.signed_on.is_some()
        && sent >= referral_exception_from()
        && sent >= evaluated_on
        && sent <= evaluated_on + Duration::days(SEND_WITHIN_DAYS)
}

/// What is known about a certification period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The clinic's setting: US Medicare's certification rules apply.
    pub rules_on: bool,
    /// The episode's first treatment day (the evaluation day counts), once there is one.
    pub first_treatment: Option<NaiveDate>,
    pub evaluated_on: Option<NaiveDate>,
    pub referral: Referral,
    pub sent_on: Option<NaiveDate>,
    pub signed_on: Option<NaiveDate>,
}

/// Where a certification stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The clinic does not follow the certification rules.
    NotRequired,
    /// No treatment yet, so no clock is running.
    AwaitingFirstTreatment,
    /// Signed and dated (`late` when after the due day).
    Signed { on: NaiveDate, late: bool },
    /// The referral exception holds: no signature needed for this period.
    MetByReferral,
    /// Still to be signed, by `by`.
    Due { by: NaiveDate },
    /// Not signed and past its due day.
    Overdue { since: NaiveDate },
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotRequired => "not_required",
            Status::AwaitingFirstTreatment => "awaiting_first_treatment",
            Status::Signed { .. } => "signed",
            Status::MetByReferral => "met_by_referral",
            Status::Due { .. } => "due",
            Status::Overdue { .. } => "overdue",
        }
    }

    /// Whether the requirement is met (or does not apply).
    pub fn is_met(self) -> bool {
        matches!(self, Status::NotRequired | Status::Signed { .. } | Status::MetByReferral)
    }
}

/// The certification's status on `today` (for the first period; a recertification's clock is
/// its own period's end, see [`recertification`]).
pub fn status(facts: &Facts, today: NaiveDate) -> Status {
    if !facts.rules_on {
        return Status::NotRequired;
    }
    let Some(first) = facts.first_treatment else { return Status::AwaitingFirstTreatment };
    let due = signature_due(first);
    if let Some(on) = facts.signed_on {
        return Status::Signed { on, late: on > due };
    }
    if let Some(evaluated) = facts.evaluated_on {
        if met_by_referral(&facts.referral, evaluated, facts.sent_on) {
            return Status::MetByReferral;
        }
    }
    if today > due {
        Status::Overdue { since: due }
    } else {
        Status::Due { by: due }
    }
}

/// Whether the worklist should chase the signature: the rules apply, it is still unsigned (and
/// not met by the referral), and 21 days have passed since the first treatment.
pub fn chase_signature(facts: &Facts, today: NaiveDate) -> bool {
    let unmet = matches!(status(facts, today), Status::Due { .. } | Status::Overdue { .. });
    unmet && facts.first_treatment.is_some_and(|first| today >= first + Duration::days(CHASE_AFTER_DAYS))
}

/// A recertification coming due for a period ending on `period_end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recertification {
    /// Due within the warning days (by the period's last day).
    DueSoon { by: NaiveDate },
    /// The period is over without a new one.
    Overdue { since: NaiveDate },
}

/// Whether a recertification needs attention on `today`: within 7 days of the period's last
/// day, or after it (with no later period recorded). `None` while it is further off.
pub fn recertification(rules_on: bool, period_end: NaiveDate, today: NaiveDate) -> Option<Recertification> {
    if !rules_on {
        return None;
    }
    if today > period_end {
        Some(Recertification::Overdue { since: period_end })
    } else if period_end - today <= Duration::days(RECERT_WARNING_DAYS) {
        Some(Recertification::DueSoon { by: period_end })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan_of_care::Frequency;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn facts(first: &str) -> Facts {
        Facts {
            rules_on: true,
            first_treatment: Some(day(first)),
            evaluated_on: Some(day(first)),
            referral: Referral::default(),
            sent_on: None,
            signed_on: None,
        }
    }

    #[test]
    fn two_a_week_for_six_weeks_is_certified_for_its_forty_two_days_and_signed_by_day_thirty() {
        // CLINICAL.md: first treatment 2027-01-04, "2×/week for 6 weeks".
        let plan = Frequency::new(2, 6).unwrap();
        assert_eq!(period(day("2027-01-04"), plan.days()), (day("2027-01-04"), day("2027-02-14")));
        assert_eq!(signature_due(day("2027-01-04")), day("2027-02-03"));
    }

    #[test]
    fn sixteen_weeks_is_cut_to_ninety_days() {
        // CLINICAL.md: "3×/week for 16 weeks": 112 days > 90, so the period ends on day 90.
        let plan = Frequency::new(3, 16).unwrap();
        let (_, end) = period(day("2027-01-04"), plan.days());
        assert_eq!(end, day("2027-04-03"));
        assert_eq!(recertification(true, end, day("2027-03-27")), Some(Recertification::DueSoon { by: end }));
        assert_eq!(recertification(true, end, day("2027-03-26")), None);
        assert_eq!(recertification(true, end, day("2027-04-04")), Some(Recertification::Overdue { since: end }));
        assert_eq!(recertification(false, end, day("2027-04-04")), None);
    }

    #[test]
    fn the_referral_exception_holds_when_the_plan_is_sent_within_thirty_days_of_the_evaluation() {
        // CLINICAL.md: referral signed 2026-12-20 on file, evaluation 2027-01-04.
        let referral = Referral { signed_on: Some(day("2026-12-20")), order_on_file: true };
        assert!(met_by_referral(&referral, day("2027-01-04"), Some(day("2027-01-20"))));
        assert!(!met_by_referral(&referral, day("2027-01-04"), Some(day("2027-02-10"))));
        assert!(met_by_referral(&referral, day("2027-01-04"), Some(day("2027-02-03"))), "day 30 still counts");
        assert!(!met_by_referral(&referral, day("2027-01-04"), None), "not sent");
        let unsigned = Referral { signed_on: None, order_on_file: true };
        assert!(!met_by_referral(&unsigned, day("2027-01-04"), Some(day("2027-01-20"))));
        let not_on_file = Referral { signed_on: Some(day("2026-12-20")), order_on_file: false };
        assert!(!met_by_referral(&not_on_file, day("2027-01-04"), Some(day("2027-01-20"))));
        let before_2025 = Referral { signed_on: Some(day("2024-11-20")), order_on_file: true };
        assert!(!met_by_referral(&before_2025, day("2024-12-04"), Some(day("2024-12-20"))), "before the rule");
    }

    #[test]
    fn the_status_follows_the_signature_the_exception_and_the_due_day() {
        let mut f = facts("2027-01-04");
        assert_eq!(status(&f, day("2027-01-10")), Status::Due { by: day("2027-02-03") });
        assert_eq!(status(&f, day("2027-02-03")), Status::Due { by: day("2027-02-03") });
        assert_eq!(status(&f, day("2027-02-04")), Status::Overdue { since: day("2027-02-03") });
        f.referral = Referral { signed_on: Some(day("2026-12-20")), order_on_file: true };
        f.sent_on = Some(day("2027-01-20"));
        assert_eq!(status(&f, day("2027-02-10")), Status::MetByReferral);
        f.sent_on = Some(day("2027-02-10"));
        assert_eq!(status(&f, day("2027-02-10")), Status::Overdue { since: day("2027-02-03") }, "signature still due");
        f.signed_on = Some(day("2027-02-12"));
        assert_eq!(status(&f, day("2027-02-12")), Status::Signed { on: day("2027-02-12"), late: true });
        f.signed_on = Some(day("2027-01-30"));
        assert!(status(&f, day("2027-02-12")).is_met());
        assert_eq!(
            status(&Facts { first_treatment: None, ..facts("2027-01-04") }, day("2027-01-04")),
            Status::AwaitingFirstTreatment
        );
        assert_eq!(status(&Facts { rules_on: false, ..facts("2027-01-04") }, day("2027-03-01")), Status::NotRequired);
    }

    #[test]
    fn an_unsigned_certification_is_chased_from_day_twenty_one() {
        let f = facts("2027-01-04");
        assert!(!chase_signature(&f, day("2027-01-24")));
        assert!(chase_signature(&f, day("2027-01-25")));
        let signed = Facts { signed_on: Some(day("2027-01-20")), ..facts("2027-01-04") };
        assert!(!chase_signature(&signed, day("2027-01-30")));
        let off = Facts { rules_on: false, ..facts("2027-01-04") };
        assert!(!chase_signature(&off, day("2027-01-30")));
    }
}
