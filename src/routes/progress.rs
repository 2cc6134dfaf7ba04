//! A patient's progress: NRS, ODI and PSFS each with baseline, latest, change, percent change,
//! whether the MCID is reached, the last-four-weeks trend and the series; adherence beside them;
//! and the same drawn as a chart (SVG, PNG) for staff screens and the weekly email.

use actix_web::{get, web, HttpResponse};
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::exercise_logs::{adherence_of, Adherence};
use crate::auth::Actor;
use crate::clinical::access::{open_record, AccessReason};
use crate::clinical::progress::series;
use crate::db::audit::AuditEntry;
use crate::db::audit::Origin;
use crate::db::{self, evaluations, DbConnection};
use crate::domain::outcomes::Measure;
use crate::domain::progress::Summary;
use crate::domain::role::Role;
use crate::error::{ApiError, Problem};
use crate::progress_chart::ProgressChart;
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

/// The progress of a patient whose record the caller may open (checked by the caller).
pub(crate) fn progress_of(conn: &mut DbConnection, patient: &crate::db::users::UserRow) -> Result<Progress, ApiError> {
    let today = patient.today(Utc::now());
    let series = series(conn, &patient.id)?;
    Ok(Progress {
        patient_id: patient.id.clone(),
        today,
        nrs: series.summary(Measure::Nrs, today).map(Into::into),
        odi: series.summary(Measure::Odi, today).map(Into::into),
        psfs: series.summary(Measure::Psfs, today).map(Into::into),
        psfs_activities: evaluations::psfs_activities(conn, &patient.id)?,
        adherence: adherence_of(conn, &patient.id)?,
    })
}

/// The chart of a progress: days since the first point of any series.
pub(crate) fn chart(progress: &Progress) -> ProgressChart {
    let measures = [&progress.nrs, &progress.odi];
    let start = measures
        .iter()
        .filter_map(|m| m.as_ref().map(|m| m.baseline.date))
        .chain(progress.adherence.weeks.first().map(|w| w.week_of))
        .min()
        .unwrap_or(progress.today);
    let days = |date: NaiveDate| (date - start).num_days();
    let line = |m: &Option<MeasureProgress>| {
        m.as_ref().map(|m| m.series.iter().map(|p| (days(p.date), p.value)).collect()).unwrap_or_default()
    };
    ProgressChart {
        pain: line(&progress.nrs),
        odi: line(&progress.odi),
        adherence: progress.adherence.weeks.iter().filter_map(|w| Some((days(w.week_of), w.percent?))).collect(),
        pain_target: progress.nrs.as_ref().map(|m| m.mcid_target),
        odi_target: progress.odi.as_ref().map(|m| m.mcid_target),
    }
}

async fn load(
    state: &AppState,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    patient_id: String,
    action: &'static str,
) -> Result<Progress, ApiError> {
    db::run(&state.pool, move |conn| {
        let patient = open_record(conn, &user, &patient_id, &reason, &meta)?;
        AuditEntry::new(action, &meta).actor(&user.id, user.role).patient(&patient.id).write(conn)?;
        progress_of(conn, &patient)
    })
    .await
}

#[utoipa::path(
    tag = "progress",
    security(("bearer" = [])),
    responses((status = 200, body = Progress), (status = 403, description = "Patients only", body = Problem, content_type = "application/problem+json"))
)]
#[get("/v1/me/progress")]
pub async fn my_progress(state: web::Data<AppState>, user: Actor, meta: Origin) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Patient])?;
    let id = user.id.clone();
    let progress = load(&state, user, meta, AccessReason::default(), id, "progress.read").await?;
    Ok(HttpResponse::Ok().json(progress))
}

#[utoipa::path(
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
    Ok(HttpResponse::Ok().json(progress))
}

#[utoipa::path(
    tag = "progress",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The patient's id"),
        AccessReason
    ),
    responses(
        (status = 200, description = "Pain and ODI over the weeks with their MCID lines, adherence as bars", content_type = "image/svg+xml"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/patients/{id}/progress.svg")]
pub async fn progress_svg(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let progress = load(&state, user, meta, reason, path.into_inner(), "progress.chart").await?;
    Ok(HttpResponse::Ok().content_type("image/svg+xml").body(chart(&progress).svg()))
}

#[utoipa::path(
    tag = "progress",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The patient's id"),
        AccessReason
    ),
    responses(
        (status = 200, description = "The same chart as PNG (no text)", content_type = "image/png"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/patients/{id}/progress.png")]
pub async fn progress_png(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let progress = load(&state, user, meta, reason, path.into_inner(), "progress.chart").await?;
    Ok(HttpResponse::Ok().content_type("image/png").body(chart(&progress).png()))
}
