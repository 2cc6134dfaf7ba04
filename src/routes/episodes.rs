//! Episodes of care: the plan of care (diagnoses, goals, frequency × duration, referral), its
//! certification periods, and the payer's authorizations. Clinicians open, revise, certify and
//! close them; the front desk reads an episode without its plan and records authorizations;
//! the patient reads their own.

use actix_web::{get, post, put, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::clinical::access::AccessReason;
use crate::clinical::authorizations;
pub use crate::clinical::authorizations::AuthorizationFields;
use crate::clinical::certifications::{self, RecertifyFields, SignatureFields};
pub use crate::clinical::episode_plan::{DiagnosisFields, GoalFields, PlanFields, ReferralFields};
pub use crate::clinical::episode_view::{
    AuthorizationView, CertificationView, EpisodeView, GoalView, PeriodView, PlanView,
};
use crate::clinical::episodes::{self, CloseEpisode, OpenEpisode};
use crate::db;
use crate::db::audit::Origin;
use crate::error::{ApiError, Problem};
use crate::http::json::Json;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct EpisodeList {
    /// Newest first (a patient has a handful).
    pub items: Vec<EpisodeView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FutureVisit {
    pub id: String,
    pub start: chrono::DateTime<chrono::Utc>,
    pub clinician_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClosedEpisode {
    pub episode: EpisodeView,
    /// Visits still booked ahead: closing leaves them booked, for the front desk to move or
    /// cancel.
    pub future_visits: Vec<FutureVisit>,
}

#[utoipa::path(
    operation_id = "openEpisode",
    summary = "Open an episode of care",
    description = "A clinician opens the patient's episode at or after the evaluation, with the plan of care. \
                   The first certification period starts on the evaluation's day. At most one episode is open per patient.",
    tag = "episodes",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The patient's id"), AccessReason),
    request_body = OpenEpisode,
    responses(
        (status = 201, description = "Opened", body = EpisodeView),
        (status = 403, description = "Clinicians only; `access_reason_required` for another clinician's patient", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`episode_open`: the patient has an open episode", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/patients/{id}/episodes")]
pub async fn open_episode(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
    body: Json<OpenEpisode>,
) -> Result<HttpResponse, ApiError> {
    let (patient_id, asked) = (path.into_inner(), body.into_inner());
    let now = chrono::Utc::now();
    let view =
        db::transaction(&state.pool, move |conn| episodes::open(conn, &user, &meta, &reason, &patient_id, asked, now))
            .await?;
    Ok(HttpResponse::Created().insert_header(("Location", format!("/v1/episodes/{}", view.id))).json(view))
}

#[utoipa::path(
    operation_id = "listEpisodes",
    summary = "A patient's episodes of care",
    tag = "episodes",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The patient's id"), AccessReason),
    responses(
        (status = 200, description = "Newest first; without `plan` and `certification` for the front desk", body = EpisodeList),
        (status = 403, description = "`access_reason_required` for another clinician's patient", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/patients/{id}/episodes")]
pub async fn list_episodes(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let patient_id = path.into_inner();
    let now = chrono::Utc::now();
    let items =
        db::transaction(&state.pool, move |conn| episodes::list(conn, &user, &meta, &reason, &patient_id, now)).await?;
    Ok(HttpResponse::Ok().json(EpisodeList { items }))
}

#[utoipa::path(
    operation_id = "getEpisode",
    summary = "An episode of care",
    tag = "episodes",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The episode's id"), AccessReason),
    responses(
        (status = 200, description = "Without `plan` and `certification` for the front desk", body = EpisodeView),
        (status = 403, description = "`access_reason_required` for another clinician's patient", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/episodes/{id}")]
pub async fn get_episode(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let now = chrono::Utc::now();
    let view = db::transaction(&state.pool, move |conn| episodes::read(conn, &user, &meta, &reason, &id, now)).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    operation_id = "reviseEpisode",
    summary = "Revise the plan of care",
    description = "Replaces the diagnoses, goals (with their statuses), the therapy, its frequency and duration, and the referral. \
                   The certification period keeps its dates: recertify for a new one.",
    tag = "episodes",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The episode's id"), AccessReason),
    request_body = PlanFields,
    responses(
        (status = 200, description = "Revised", body = EpisodeView),
        (status = 403, description = "Clinicians only; `access_reason_required` for another clinician's patient", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`episode_closed`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/episodes/{id}")]
pub async fn revise_episode(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
    body: Json<PlanFields>,
) -> Result<HttpResponse, ApiError> {
    let (id, plan) = (path.into_inner(), body.into_inner());
    let now = chrono::Utc::now();
    let view =
        db::transaction(&state.pool, move |conn| episodes::revise(conn, &user, &meta, &reason, &id, plan, now)).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    operation_id = "recordCertification",
    summary = "Record the plan's certification",
    description = "When the latest period's plan was sent to the physician or NPP, and when and by whom it was signed. \
                   Each field as sent: one left out is cleared.",
    tag = "episodes",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The episode's id"), AccessReason),
    request_body = SignatureFields,
    responses(
        (status = 200, description = "Recorded; `certification.status` says where it stands", body = EpisodeView),
        (status = 403, description = "Clinicians only; `access_reason_required` for another clinician's patient", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`episode_closed`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/episodes/{id}/certification")]
pub async fn record_certification(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
    body: Json<SignatureFields>,
) -> Result<HttpResponse, ApiError> {
    let (id, fields) = (path.into_inner(), body.into_inner());
    let now = chrono::Utc::now();
    let view = db::transaction(&state.pool, move |conn| {
        certifications::record_signature(conn, &user, &meta, &reason, &id, fields, now)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    operation_id = "recertifyEpisode",
    summary = "Recertify: start the next certification period",
    description = "The new period is the planned duration or 90 calendar days, whichever is shorter, from the day after the latest ends \
                   (or `starts_on`). The periods before are kept.",
    tag = "episodes",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The episode's id"), AccessReason),
    request_body = RecertifyFields,
    responses(
        (status = 201, description = "The new period is the last of `certification.periods`", body = EpisodeView),
        (status = 403, description = "Clinicians only; `access_reason_required` for another clinician's patient", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`episode_closed`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/episodes/{id}/recertifications")]
pub async fn recertify(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
    body: Json<RecertifyFields>,
) -> Result<HttpResponse, ApiError> {
    let (id, fields) = (path.into_inner(), body.into_inner());
    let now = chrono::Utc::now();
    let view = db::transaction(&state.pool, move |conn| {
        certifications::recertify(conn, &user, &meta, &reason, &id, fields, now)
    })
    .await?;
    Ok(HttpResponse::Created().json(view))
}

#[utoipa::path(
    operation_id = "closeEpisode",
    summary = "Close an episode of care",
    description = "Visits still booked ahead stay booked and are listed, for the front desk to move or cancel.",
    tag = "episodes",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The episode's id"), AccessReason),
    request_body = CloseEpisode,
    responses(
        (status = 200, description = "Closed", body = ClosedEpisode),
        (status = 403, description = "Clinicians only; `access_reason_required` for another clinician's patient", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`episode_closed`: closed already", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/episodes/{id}/close")]
pub async fn close_episode(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
    body: Json<CloseEpisode>,
) -> Result<HttpResponse, ApiError> {
    let (id, asked) = (path.into_inner(), body.into_inner());
    let now = chrono::Utc::now();
    let closed =
        db::transaction(&state.pool, move |conn| episodes::close(conn, &user, &meta, &reason, &id, asked, now)).await?;
    let future_visits = closed
        .future_visits
        .into_iter()
        .map(|a| FutureVisit { id: a.id, start: a.starts_at.and_utc(), clinician_id: a.clinician_id })
        .collect();
    Ok(HttpResponse::Ok().json(ClosedEpisode { episode: closed.episode, future_visits }))
}

#[utoipa::path(
    operation_id = "addAuthorization",
    summary = "Record a payer's authorization",
    tag = "episodes",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The episode's id"), AccessReason),
    request_body = AuthorizationFields,
    responses(
        (status = 201, description = "Recorded; the episode with every authorization's count", body = EpisodeView),
        (status = 403, description = "Front desk, clinicians and admins; `access_reason_required` for another clinician's patient", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`episode_closed`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/episodes/{id}/authorizations")]
pub async fn add_authorization(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
    body: Json<AuthorizationFields>,
) -> Result<HttpResponse, ApiError> {
    let (id, fields) = (path.into_inner(), body.into_inner());
    let now = chrono::Utc::now();
    let (created, view) =
        db::transaction(&state.pool, move |conn| authorizations::add(conn, &user, &meta, &reason, &id, fields, now))
            .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/episodes/{}/authorizations/{created}", view.id)))
        .json(view))
}

#[utoipa::path(
    operation_id = "changeAuthorization",
    summary = "Change a payer's authorization",
    tag = "episodes",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The episode's id"),
        ("authorization_id" = String, Path, description = "The authorization's id"),
        AccessReason
    ),
    request_body = AuthorizationFields,
    responses(
        (status = 200, description = "Changed", body = EpisodeView),
        (status = 403, description = "Front desk, clinicians and admins; `access_reason_required` for another clinician's patient", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`episode_closed`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/episodes/{id}/authorizations/{authorization_id}")]
pub async fn change_authorization(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<(String, String)>,
    body: Json<AuthorizationFields>,
) -> Result<HttpResponse, ApiError> {
    let ((episode_id, authorization_id), fields) = (path.into_inner(), body.into_inner());
    let now = chrono::Utc::now();
    let view = db::transaction(&state.pool, move |conn| {
        let view = authorizations::change(conn, &user, &meta, &reason, &authorization_id, fields, now)?;
        if view.id != episode_id {
            return Err(ApiError::NotFound);
        }
        Ok(view)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
