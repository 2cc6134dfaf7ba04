//! The comprehensive movement evaluation, recorded by a clinician against its appointment:
//! findings, STarT Back (→ risk group), the patient's PSFS activities, and the baselines of NRS,
//! ODI and PSFS. Recording it makes the clinician the patient's primary clinician when the patient
//! has none yet (an emergency access never takes a patient over). Front desk can neither read nor
//! write it.

use crate::http::json::Json;
use actix_web::{get, put, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::clinical::access::AccessReason;
use crate::clinical::evaluations as evaluation;
use crate::db;
use crate::db::audit::Origin;
use crate::db::evaluations::EvaluationRow;
use crate::domain::outcomes::OdiBand;
use crate::domain::role::Role;
use crate::error::{ApiError, Problem};
use crate::http::evaluation_form::parse;
pub use crate::http::evaluation_form::{
    EvaluationRequest, Findings, HipRangeOfMotion, HipSide, MovementPatterns, PsfsActivity, StartBackAnswers,
    TrunkEndurance,
};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct StartBackResult {
    pub answers: StartBackAnswers,
    pub total: i32,
    pub psychosocial: i32,
    /// `low`, `medium` or `high`.
    pub risk: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OdiResult {
    pub answers: Vec<Option<i32>>,
    /// Absent when too few sections were answered.
    pub percent: Option<f64>,
    pub band: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Evaluation {
    pub id: String,
    pub appointment_id: String,
    pub patient_id: String,
    pub clinician_id: String,
    /// The appointment's clinic-local date: the baseline's date.
    pub evaluated_on: NaiveDate,
    #[serde(flatten)]
    pub findings: Findings,
    pub start_back: StartBackResult,
    pub psfs_activities: Vec<PsfsActivity>,
    pub baseline_psfs: Option<f64>,
    pub baseline_nrs: i32,
    pub baseline_odi: OdiResult,
    pub updated_at: DateTime<Utc>,
}

impl StartBackResult {
    pub(crate) fn of(row: &EvaluationRow) -> Self {
        Self {
            answers: serde_json::from_str(&row.start_back_answers)
                .unwrap_or(StartBackAnswers { agree: vec![], bothersome: String::new() }),
            total: row.start_back_total,
            psychosocial: row.start_back_psychosocial,
            risk: row.start_back_risk.clone(),
        }
    }
}

impl OdiResult {
    /// The evaluation's baseline ODI.
    pub(crate) fn of(row: &EvaluationRow) -> Self {
        Self {
            answers: serde_json::from_str(&row.baseline_odi_answers).unwrap_or_default(),
            percent: row.baseline_odi,
            band: row.baseline_odi.map(|p| OdiBand::of(p).as_str().to_string()),
        }
    }
}

fn view(row: EvaluationRow) -> Evaluation {
    Evaluation {
        psfs_activities: serde_json::from_str(&row.baseline_psfs_ratings).unwrap_or_default(),
        findings: serde_json::from_str(&row.findings).unwrap_or_default(),
        start_back: StartBackResult::of(&row),
        baseline_psfs: row.baseline_psfs,
        baseline_nrs: row.baseline_nrs,
        baseline_odi: OdiResult::of(&row),
        id: row.id,
        appointment_id: row.appointment_id,
        patient_id: row.patient_id,
        clinician_id: row.clinician_id,
        evaluated_on: row.evaluated_on,
        updated_at: row.updated_at.and_utc(),
    }
}

#[utoipa::path(
    operation_id = "putEvaluation",
    summary = "Record the visit's evaluation",
    tag = "evaluations",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The appointment's id"),
        AccessReason
    ),
    request_body = EvaluationRequest,
    responses(
        (status = 200, description = "Stored (replacing an earlier version); the clinician becomes the primary clinician if the patient had none", body = Evaluation),
        (status = 403, description = "Clinicians only; `access_reason_required` for another clinician's patient", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`appointment_cancelled`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/appointments/{id}/evaluation")]
pub async fn put_evaluation(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
    body: Json<EvaluationRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Clinician])?;
    let appointment_id = path.into_inner();
    let (findings, assessment) = parse(body.into_inner())?;
    let row = db::transaction(&state.pool, move |conn| {
        evaluation::record(conn, &user, &meta, &reason, &appointment_id, &findings, &assessment)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view(row)))
}

#[utoipa::path(
    operation_id = "getEvaluation",
    summary = "Get the visit's evaluation",
    tag = "evaluations",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The appointment's id"),
        AccessReason
    ),
    responses(
        (status = 200, body = Evaluation),
        (status = 403, description = "`forbidden` (front desk), or `access_reason_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such appointment, or no evaluation recorded", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/appointments/{id}/evaluation")]
pub async fn get_evaluation(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let appointment_id = path.into_inner();
    let row = db::run(&state.pool, move |conn| evaluation::read(conn, &user, &meta, &reason, &appointment_id)).await?;
    Ok(HttpResponse::Ok().json(view(row)))
}
