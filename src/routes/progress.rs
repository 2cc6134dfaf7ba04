//! A patient's progress: NRS, ODI and PSFS each with baseline, latest, change, percent change,
//! whether the MCID is reached, the last-four-weeks trend and the series; adherence beside them;
//! and the same drawn as a chart (SVG, PNG) for staff screens and the weekly email.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::exercise_logs::Adherence;
use crate::auth::Actor;
use crate::clinical::access::AccessReason;
use crate::clinical::progress;
use crate::db;
use crate::db::audit::Origin;
use crate::domain::progress::Summary;
use crate::domain::role::Role;
use crate::error::{ApiError, Problem};
use crate::http::media;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesPoint {
    pub date: NaiveDate,
    pub value: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureProgress {
    pub baseline: SeriesPoint,
    pub latest: SeriesPoint,
    pub change: f64,
    /// Relative to the baseline; absent from a baseline of zero.
    pub percent_change: Option<f64>,
    pub mcid_reached: bool,
    /// The level at which the change becomes meaningful.
    pub mcid_target: f64,
    /// `improving`, `stable`, `worsening` or `unknown` (fewer than two points in four weeks).
    pub trend: String,
    /// Units per week over the last four weeks.
    pub slope_per_week: Option<f64>,
    /// Oldest first.
    pub series: Vec<SeriesPoint>,
}

impl From<Summary> for MeasureProgress {
    fn from(s: Summary) -> Self {
        let point = |p: crate::domain::progress::Point| SeriesPoint { date: p.date, value: p.value };
        Self {
            baseline: point(s.baseline),
            latest: point(s.latest),
            change: s.change,
            percent_change: s.percent_change,
            mcid_reached: s.mcid_reached,
            mcid_target: s.target,
            trend: s.trend.as_str().to_string(),
            slope_per_week: s.slope_per_week,
            series: s.series.into_iter().map(point).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Progress {
    pub patient_id: String,
    /// The patient's local date the figures are for.
    pub today: NaiveDate,
    /// Pain now, 0–10 (lower is better).
    pub nrs: Option<MeasureProgress>,
    /// Oswestry Disability Index, % (lower is better).
    pub odi: Option<MeasureProgress>,
    /// Patient-Specific Functional Scale mean, 0–10 (higher is better).
    pub psfs: Option<MeasureProgress>,
    /// The activities the PSFS rates, in order.
    pub psfs_activities: Vec<String>,
    pub adherence: Adherence,
}

impl From<progress::Progress> for Progress {
    fn from(p: progress::Progress) -> Self {
        Self {
            patient_id: p.patient_id,
            today: p.today,
            nrs: p.nrs.map(Into::into),
            odi: p.odi.map(Into::into),
            psfs: p.psfs.map(Into::into),
            psfs_activities: p.psfs_activities,
            adherence: p.adherence.into(),
        }
    }
}

/// The patient's progress, the read audited as `action`.
async fn load(
    state: &AppState,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    patient_id: String,
    action: &'static str,
) -> Result<progress::Progress, ApiError> {
    db::run(&state.pool, move |conn| progress::read(conn, &user, &meta, &reason, &patient_id, action)).await
}

#[utoipa::path(
    operation_id = "getMyProgress",
    summary = "Get my progress",
    tag = "progress",
    security(("bearer" = [])),
    responses((status = 200, body = Progress), (status = 403, description = "Patients only", body = Problem, content_type = "application/problem+json"))
)]
#[get("/v1/me/progress")]
pub async fn my_progress(state: web::Data<AppState>, user: Actor, meta: Origin) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Patient])?;
    let id = user.id.clone();
    let progress = load(&state, user, meta, AccessReason::default(), id, "progress.read").await?;
    Ok(HttpResponse::Ok().json(Progress::from(progress)))
}

#[utoipa::path(
    operation_id = "getPatientProgress",
    summary = "Get a patient's progress",
    tag = "progress",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The patient's id"),
        AccessReason
    ),
    responses(
        (status = 200, body = Progress),
        (status = 403, description = "`forbidden` (front desk), or `access_reason_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/patients/{id}/progress")]
pub async fn patient_progress(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let progress = load(&state, user, meta, reason, path.into_inner(), "progress.read").await?;
    Ok(HttpResponse::Ok().json(Progress::from(progress)))
}

#[utoipa::path(
    operation_id = "getPatientProgressSvg",
    summary = "Get a patient's progress chart (SVG)",
    tag = "progress",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The patient's id"),
        AccessReason
    ),
    responses(
        (status = 200, description = "Pain and ODI over the weeks with their MCID lines, adherence as bars; \
            as `application/octet-stream` when `Accept` asks for that and not for SVG",
            content(("image/svg+xml"), ("application/octet-stream"))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/patients/{id}/progress.svg")]
pub async fn progress_svg(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let progress = load(&state, user, meta, reason, path.into_inner(), "progress.chart").await?;
    Ok(media::file(req.headers(), "image/svg+xml", progress::chart(&progress).svg()))
}

#[utoipa::path(
    operation_id = "getPatientProgressPng",
    summary = "Get a patient's progress chart (PNG)",
    tag = "progress",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The patient's id"),
        AccessReason
    ),
    responses(
        (status = 200, description = "The same chart as PNG (no text); as `application/octet-stream` when `Accept` \
            asks for that and not for PNG",
            content(("image/png"), ("application/octet-stream"))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/patients/{id}/progress.png")]
pub async fn progress_png(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let progress = load(&state, user, meta, reason, path.into_inner(), "progress.chart").await?;
    Ok(media::file(req.headers(), "image/png", progress::chart(&progress).png()))
}
