//! Recording a weekly check-in under the id the phone made (sent twice, stored once), with its
//! scores and the alert rules it can set off, and reading a patient's check-ins.

use chrono::{NaiveDate, NaiveDateTime, Utc};

use super::access::{on_record, read_record, AccessReason};
use super::alerts::{check_adherence, check_plateau, raise_red_flag};
use super::earlier_copy;
use crate::auth::Actor;
use crate::db::audit::Origin;
use crate::db::check_ins::{self, CheckInRow};
use crate::db::phone_made::{self, PhoneMade};
use crate::db::{clinic, evaluations, now, users, DbConnection};
use crate::domain::outcomes::{self, odi_min_answered, odi_percent, psfs_mean};
use crate::domain::red_flags::Screening;
use crate::error::ApiError;

/// A check-in's answers, each checked on its own (how they stand together is checked here).
#[derive(Debug, Clone)]
pub struct CheckInAnswers {
    pub completed_on: NaiveDate,
    pub pain_now: i32,
    pub pain_average: i32,
    pub pain_worst: i32,
    pub odi: [Option<i32>; outcomes::ODI_SECTIONS],
    /// Empty when the patient rated none.
    pub psfs: Vec<i32>,
    pub sleep_quality: Option<i32>,
    pub exercise_confidence: Option<i32>,
    pub note: Option<String>,
    pub screening: Screening,
}

/// The check-in as stored; `created` is false when the id was stored already (then replaced).
#[derive(Debug)]
pub struct Recorded {
    pub created: bool,
    pub row: CheckInRow,
}

/// Stores the signed-in patient's check-in `id`, scored with the clinic's rules; raises the red
/// flag it reports (emailing the clinician) and runs the plateau and adherence rules. Run it in a
/// write transaction. A check-in id that is another patient's is not found.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    public_url: &str,
    id: &str,
    answers: &CheckInAnswers,
) -> Result<Recorded, ApiError> {
    let me = users::find(conn, &actor.id)?.ok_or(ApiError::Unauthorized)?;
    let today = me.today(Utc::now());
    outcomes::check_in_date(answers.completed_on, today)
        .map_err(|invalid| ApiError::invalid("completed_on", invalid))?;
    let activities = evaluations::psfs_activities(conn, &actor.id)?;
    let ratings = &answers.psfs;
    outcomes::psfs_ratings(ratings, activities.len()).map_err(|invalid| ApiError::invalid("psfs", invalid))?;
    let rules = clinic::clinical_rules(conn)?;
    let existing = earlier_copy(check_ins::find(conn, id)?, &actor.id)?;
    let now = now();
    let row = CheckInRow {
        id: id.to_string(),
        patient_id: actor.id.clone(),
        completed_on: answers.completed_on,
        pain_now: answers.pain_now,
        pain_average: answers.pain_average,
        pain_worst: answers.pain_worst,
        odi_answers: serde_json::to_string(&answers.odi).map_err(ApiError::internal)?,
        odi_score: odi_percent(&answers.odi, odi_min_answered(rules.odi_min_answered)),
        psfs_ratings: serde_json::to_string(ratings).map_err(ApiError::internal)?,
        psfs_score: psfs_mean(ratings),
        sleep_quality: answers.sleep_quality,
        exercise_confidence: answers.exercise_confidence,
        note: answers.note.clone(),
        red_flags: serde_json::to_string(&answers.screening.positive).map_err(ApiError::internal)?,
        red_flag_severity: answers.screening.severity().map(|s| s.as_str().to_string()),
        created_at: existing.as_ref().map_or(now, PhoneMade::created_at),
        updated_at: now,
    };
    let created = phone_made::store(conn, &row, existing.as_ref())?;
    if let Some(severity) = answers.screening.severity() {
        raise_red_flag(conn, public_url, &actor.id, severity, &answers.screening.positive, now)?;
    }
    check_plateau(conn, &actor.id, row.completed_on, &rules, now)?;
    check_adherence(conn, &actor.id, today, &rules, now)?;
    on_record("check_in.write", origin, actor, &actor.id).target(id).write(conn)?;
    Ok(Recorded { created, row })
}

/// Up to `limit` of the patient's check-ins, newest first, before `(completed_on, created_at, id)`;
/// the read is audited.
pub fn page(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    patient_id: &str,
    before: Option<(NaiveDate, NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<CheckInRow>, ApiError> {
    read_record(conn, actor, patient_id, reason, origin, "check_in.list")?;
    Ok(check_ins::page(conn, patient_id, before, limit)?)
}
