//! The clinic's clinical rules (docs/clinical-rules.md): the thresholds that are the clinic's choice rather
//! than a published rule, which the scores and the alert rules read.

use crate::auth::Actor;
use crate::db::audit::{AuditEntry, Origin};
use crate::db::clinic::{self, ClinicalRules};
use crate::db::DbConnection;
use crate::error::fields::{within, Checks};
use crate::error::ApiError;

/// The rules as typed, each checked against its bounds (docs/clinical-rules.md): ODI sections
/// needed 1–10, low adherence 1–100 %, plateau 4–26 weeks, missed check-ins 7–60 days.
pub fn check(
    odi_min_answered: i64,
    low_adherence_percent: i64,
    plateau_weeks: i64,
    missed_check_in_days: i64,
) -> Result<ClinicalRules, ApiError> {
    let mut checks = Checks::default();
    let mut field =
        |name: &str, value: i64, low: i64, high: i64| checks.field(name, within(low, high)(value)).map(|v| v as i32);
    let rules = (
        field("odi_min_answered", odi_min_answered, 1, 10),
        field("low_adherence_percent", low_adherence_percent, 1, 100),
        field("plateau_weeks", plateau_weeks, 4, 26),
        field("missed_check_in_days", missed_check_in_days, 7, 60),
    );
    checks.finish(|| {
        Some(ClinicalRules {
            odi_min_answered: rules.0?,
            low_adherence_percent: rules.1?,
            plateau_weeks: rules.2?,
            missed_check_in_days: rules.3?,
        })
    })
}

/// The rules in force.
pub fn current(conn: &mut DbConnection) -> Result<ClinicalRules, ApiError> {
    Ok(clinic::clinical_rules(conn)?)
}

/// Puts `rules` (each within its bounds: [`check`]) in force, audited; the rules as
/// stored. Run it in a write transaction.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    rules: &ClinicalRules,
) -> Result<ClinicalRules, ApiError> {
    clinic::save_clinical_rules(conn, rules)?;
    AuditEntry::new("clinic.clinical_rules.update", origin).actor(&actor.id, actor.role).write(conn)?;
    current(conn)
}
