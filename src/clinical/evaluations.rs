//! Recording and reading the evaluation of an appointment: STarT Back scored, the patient's PSFS
//! activities kept for every re-test, the baselines, and the primary clinician set the first time.

use serde::{Deserialize, Serialize};

use super::access::{on_record, open_entry, AccessReason};
use crate::auth::Actor;
use crate::db::appointments::{self, AppointmentRow};
use crate::db::audit::Origin;
use crate::db::evaluations::{self, EvaluationRow};
use crate::db::{clinic, new_id, now, DbConnection};
use crate::domain::local_time::local;
use crate::domain::outcomes::{self, odi_min_answered, odi_percent, psfs_mean, start_back, Bothersome};
use crate::error::{ApiError, ProblemCode};

/// One PSFS activity and its rating, as an evaluation stores it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PsfsRating {
    pub name: String,
    pub rating: i32,
}

/// The STarT Back answers as stored: items 1–8 and item 9 as the clinician sent it.
#[derive(Serialize)]
struct StartBackRecord<'a> {
    agree: &'a [bool],
    bothersome: &'a str,
}

/// An evaluation's answers, each checked.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub agree: [bool; 8],
    pub bothersome: Bothersome,
    /// As sent (validated), for the record.
    pub bothersome_answer: String,
    pub nrs: i32,
    pub activities: Vec<PsfsRating>,
    pub odi: [Option<i32>; outcomes::ODI_SECTIONS],
}

/// Stores the evaluation of appointment `appointment_id` (replacing an earlier version), with
/// `findings` as the clinician wrote them, scored with the clinic's rules. The clinician becomes
/// the patient's primary clinician when the patient has none. Run it in a write transaction.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    appointment_id: &str,
    findings: &impl Serialize,
    assessment: &Assessment,
) -> Result<EvaluationRow, ApiError> {
    let (appointment, _) = open_entry(conn, actor, reason, origin, |conn| appointments::find(conn, appointment_id))?;
    if appointment.status == "cancelled" {
        return Err(ApiError::conflict(ProblemCode::AppointmentCancelled, "a cancelled appointment has no evaluation"));
    }
    let rules = clinic::clinical_rules(conn)?;
    let zone = clinic::settings(conn)?.zone();
    let score = start_back(&assessment.agree, assessment.bothersome);
    let ratings: Vec<i32> = assessment.activities.iter().map(|a| a.rating).collect();
    let names: Vec<String> = assessment.activities.iter().map(|a| a.name.clone()).collect();
    let now = now();
    let existing = evaluations::of_appointment(conn, &appointment.id)?;
    let start_back_answers = StartBackRecord { agree: &assessment.agree, bothersome: &assessment.bothersome_answer };
    let row = EvaluationRow {
        id: existing.as_ref().map_or_else(new_id, |e| e.id.clone()),
        appointment_id: appointment.id.clone(),
        patient_id: appointment.patient_id.clone(),
        clinician_id: actor.id.clone(),
        evaluated_on: local(zone, appointment.starts_at.and_utc()).date(),
        findings: serde_json::to_string(findings).map_err(ApiError::internal)?,
        start_back_answers: serde_json::to_string(&start_back_answers).map_err(ApiError::internal)?,
        start_back_total: score.total as i32,
        start_back_psychosocial: score.psychosocial as i32,
        start_back_risk: score.risk.as_str().to_string(),
        baseline_nrs: assessment.nrs,
        baseline_odi_answers: serde_json::to_string(&assessment.odi).map_err(ApiError::internal)?,
        baseline_odi: odi_percent(&assessment.odi, odi_min_answered(rules.odi_min_answered)),
        // The activities with their ratings: a later re-evaluation may rate other ones.
        baseline_psfs_ratings: serde_json::to_string(&assessment.activities).map_err(ApiError::internal)?,
        baseline_psfs: psfs_mean(&ratings),
        created_at: existing.as_ref().map_or(now, |e| e.created_at),
        updated_at: now,
    };
    evaluations::save(conn, &row)?;
    evaluations::set_psfs_activities(conn, &appointment.patient_id, &names)?;
    if evaluations::primary_clinician(conn, &appointment.patient_id)?.is_none() {
        evaluations::set_primary_clinician(conn, &appointment.patient_id, &actor.id)?;
    }
    on_record("evaluation.write", origin, actor, &appointment.patient_id).target(&row.id).write(conn)?;
    Ok(row)
}

/// The evaluation of appointment `appointment_id`; not found when none was recorded. The read
/// is audited.
pub fn read(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    appointment_id: &str,
) -> Result<EvaluationRow, ApiError> {
    let (_, row) = of_appointment(conn, actor, origin, reason, appointment_id)?;
    row.ok_or(ApiError::NotFound)
}

/// The appointment `appointment_id` and its evaluation if one was recorded (that read audited):
/// what the evaluation form opens with.
pub fn of_appointment(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    appointment_id: &str,
) -> Result<(AppointmentRow, Option<EvaluationRow>), ApiError> {
    let (appointment, _) = open_entry(conn, actor, reason, origin, |conn| appointments::find(conn, appointment_id))?;
    let row = evaluations::of_appointment(conn, &appointment.id)?;
    if let Some(row) = &row {
        on_record("evaluation.read", origin, actor, &appointment.patient_id).target(&row.id).write(conn)?;
    }
    Ok((appointment, row))
}

/// The patient's evaluations, oldest first, once `actor` may open the record; audited as
/// `evaluation.list`.
pub fn of_patient(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    patient_id: &str,
) -> Result<Vec<EvaluationRow>, ApiError> {
    super::access::read_record(conn, actor, patient_id, reason, origin, "evaluation.list")?;
    Ok(evaluations::of_patient(conn, patient_id)?)
}
