//! The plan of care as a clinician sends it (the JSON body of the episode routes and the
//! console's plan form alike): the diagnoses (ICD-10-CM), the goals, the type and amount of
//! therapy, its frequency and duration, and the referral. Every field is checked; one 422 names
//! every refused field by its path (`diagnoses[1].code`).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::episodes::{DiagnosisRow, GoalRow, PlanChange};
use crate::db::new_id;
use crate::domain::diagnosis::Icd10Code;
use crate::domain::plan_of_care::{Frequency, GoalStatus, GoalTerm};
use crate::error::fields::{bounded_text, Checks};
use crate::error::ApiError;

/// At most this many diagnoses and goals on one plan.
pub const MAX_DIAGNOSES: usize = 12;
pub const MAX_GOALS: usize = 20;

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DiagnosisFields {
    /// ICD-10-CM, e.g. `M54.50`; stored upper-case with its dot.
    #[schema(example = "M54.50", max_length = 8, pattern = r"^[A-Za-z][0-9][0-9A-Za-z](\.?[0-9A-Za-z]{1,4})?$")]
    pub code: String,
    #[schema(
        example = "Low back pain, unspecified",
        max_length = 300,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub description: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct GoalFields {
    /// `short_term` or `long_term`.
    #[schema(example = "long_term", pattern = "^(short_term|long_term)$")]
    pub term: String,
    #[schema(
        example = "Walk 30 minutes without leg pain",
        max_length = 1000,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub description: String,
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub target_date: Option<NaiveDate>,
    /// `not_met` (the default), `partly_met` or `met`.
    #[schema(pattern = "^(not_met|partly_met|met)$")]
    pub status: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ReferralFields {
    /// Who sent the patient (a practice, a self-referral).
    #[schema(max_length = 200)]
    pub source: Option<String>,
    #[schema(max_length = 200)]
    pub referring_provider: Option<String>,
    /// When the order or referral was signed and dated.
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub signed_on: Option<NaiveDate>,
    /// Whether the signed order is on file (for the 2025 referral exception).
    #[serde(default)]
    pub order_on_file: bool,
}

/// The plan of care.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct PlanFields {
    /// The type and amount of therapy, in the plan's words.
    #[schema(
        example = "Therapeutic exercise, manual therapy, home program",
        max_length = 1000,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub treatment: String,
    #[schema(minimum = 1, maximum = 7, example = 2)]
    pub visits_per_week: i64,
    #[schema(minimum = 1, maximum = 52, example = 6)]
    pub duration_weeks: i64,
    /// 1 to 12 diagnoses, the first the primary.
    #[schema(min_items = 1, max_items = 12)]
    pub diagnoses: Vec<DiagnosisFields>,
    /// Short- and long-term goals (at least one long-term goal), at most 20.
    #[schema(min_items = 1, max_items = 20)]
    pub goals: Vec<GoalFields>,
    #[serde(default)]
    pub referral: ReferralFields,
}

/// A plan that passed every check, ready to store.
#[derive(Debug, Clone)]
pub struct CheckedPlan {
    pub treatment: String,
    pub frequency: Frequency,
    pub diagnoses: Vec<(String, String)>,
    pub goals: Vec<(GoalTerm, String, Option<NaiveDate>, GoalStatus)>,
    pub referral_source: Option<String>,
    pub referring_provider: Option<String>,
    pub referral_signed_on: Option<NaiveDate>,
    pub order_on_file: bool,
}

fn optional_text(checks: &mut Checks, field: &str, raw: Option<&str>, max: usize) -> Option<Option<String>> {
    checks.optional(field, raw, bounded_text(max, false)).map(|t| t.filter(|t| !t.is_empty()))
}

fn plausible(checks: &mut Checks, field: &str, date: Option<NaiveDate>) {
    if let Some(date) = date {
        checks.date(field, date);
    }
}

impl PlanFields {
    pub fn check(self) -> Result<CheckedPlan, ApiError> {
        let mut checks = Checks::default();
        let treatment = checks.field("treatment", bounded_text(1000, true)(&self.treatment));
        let frequency = match Frequency::new(self.visits_per_week, self.duration_weeks) {
            Ok(f) => Some(f),
            Err((field, invalid)) => {
                checks.field::<()>(field, Err(invalid));
                None
            }
        };
        if self.diagnoses.is_empty() || self.diagnoses.len() > MAX_DIAGNOSES {
            checks.fail("diagnoses", "out_of_range", "a plan has 1 to 12 diagnoses");
        }
        let mut diagnoses = Vec::new();
        for (i, d) in self.diagnoses.iter().enumerate() {
            let code = checks.field(&format!("diagnoses[{i}].code"), Icd10Code::parse(&d.code));
            let text = checks.field(&format!("diagnoses[{i}].description"), bounded_text(300, true)(&d.description));
            if let (Some(code), Some(text)) = (code, text) {
                diagnoses.push((code.into_string(), text));
            }
        }
        if self.goals.len() > MAX_GOALS {
            checks.fail("goals", "out_of_range", "a plan has at most 20 goals");
        }
        if !self.goals.iter().any(|g| g.term == GoalTerm::Long.as_str()) {
            checks.fail("goals", "required", "a plan has at least one long-term goal");
        }
        let mut goals = Vec::new();
        for (i, g) in self.goals.iter().enumerate() {
            let term = GoalTerm::parse(&g.term);
            if term.is_none() {
                checks.fail(&format!("goals[{i}].term"), "invalid", "short_term or long_term");
            }
            let status = match g.status.as_deref() {
                None => Some(GoalStatus::NotMet),
                Some(s) => GoalStatus::parse(s),
            };
            if status.is_none() {
                checks.fail(&format!("goals[{i}].status"), "invalid", "not_met, partly_met or met");
            }
            let text = checks.field(&format!("goals[{i}].description"), bounded_text(1000, true)(&g.description));
            plausible(&mut checks, &format!("goals[{i}].target_date"), g.target_date);
            if let (Some(term), Some(text), Some(status)) = (term, text, status) {
                goals.push((term, text, g.target_date, status));
            }
        }
        let r = &self.referral;
        let source = optional_text(&mut checks, "referral.source", r.source.as_deref(), 200);
        let provider = optional_text(&mut checks, "referral.referring_provider", r.referring_provider.as_deref(), 200);
        plausible(&mut checks, "referral.signed_on", r.signed_on);
        checks.finish(|| {
            Some(CheckedPlan {
                treatment: treatment?,
                frequency: frequency?,
                diagnoses,
                goals,
                referral_source: source?,
                referring_provider: provider?,
                referral_signed_on: r.signed_on,
                order_on_file: r.order_on_file,
            })
        })
    }
}

impl CheckedPlan {
    pub fn change(&self, now: NaiveDateTime) -> PlanChange {
        PlanChange {
            treatment: self.treatment.clone(),
            visits_per_week: self.frequency.per_week as i32,
            duration_weeks: self.frequency.weeks as i32,
            planned_visits: self.frequency.planned_visits() as i32,
            referral_source: self.referral_source.clone(),
            referring_provider: self.referring_provider.clone(),
            referral_signed_on: self.referral_signed_on,
            signed_order_on_file: self.order_on_file,
            updated_at: now,
        }
    }

    /// The diagnosis and goal rows of `episode_id`, in the order sent.
    pub fn rows(&self, episode_id: &str) -> (Vec<DiagnosisRow>, Vec<GoalRow>) {
        let diagnoses = self
            .diagnoses
            .iter()
            .enumerate()
            .map(|(i, (code, text))| DiagnosisRow {
                id: new_id(),
                episode_id: episode_id.to_string(),
                position: i as i32 + 1,
                code: code.clone(),
                description: text.clone(),
            })
            .collect();
        let goals = self
            .goals
            .iter()
            .enumerate()
            .map(|(i, (term, text, target, status))| GoalRow {
                id: new_id(),
                episode_id: episode_id.to_string(),
                position: i as i32 + 1,
                term: term.as_str().to_string(),
                description: text.clone(),
                target_date: *target,
                status: status.as_str().to_string(),
            })
            .collect();
        (diagnoses, goals)
    }
}
