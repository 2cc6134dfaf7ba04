//! One appointment, its history and calendar file, and the lists.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{view, views, AppointmentView};
use crate::auth::Actor;
use crate::calendar::notices::Notices;
use crate::calendar::records;
use crate::db;
use crate::db::appointments::AppointmentFilter;
use crate::db::audit::Origin;
use crate::domain::appointment::Status;
use crate::domain::role::Role;
use crate::error::fields::plausible_instant;
use crate::error::{ApiError, Problem};
use crate::http::paging::{self, PageParams};
use crate::state::AppState;

#[utoipa::path(
    operation_id = "getAppointment",
    summary = "Get an appointment",
    tag = "appointments",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The appointment id")),
    responses((status = 200, body = AppointmentView), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/v1/appointments/{id}")]
pub async fn get_appointment(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let found = db::run(&state.pool, move |conn| match records::read(conn, &user, &meta, &id)? {
        Some(row) => Ok(Some(view(conn, &user, row)?)),
        None => Ok(None),
    })
    .await?
    .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(found))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEvent {
    pub at: DateTime<Utc>,
    pub actor_id: Option<String>,
    /// `booked`, `rescheduled`, `cancelled`, `arrived`, `no_show`, `completed`.
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub from_start: Option<DateTime<Utc>>,
    pub to_start: Option<DateTime<Utc>>,
    pub from_clinician_id: Option<String>,
    pub to_clinician_id: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct History {
    pub items: Vec<HistoryEvent>,
}

#[utoipa::path(operation_id = "getAppointmentHistory", summary = "Get an appointment's history", tag = "appointments", security(("bearer" = [])), params(("id" = String, Path, description = "The appointment id")),
    responses((status = 200, body = History), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/v1/appointments/{id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let items = db::run(&state.pool, move |conn| records::history(conn, &user, &meta, &id))
        .await?
        .into_iter()
        .map(|e| HistoryEvent {
            at: e.occurred_at.and_utc(),
            actor_id: e.actor_id,
            action: e.action,
            from_status: e.from_status,
            to_status: e.to_status,
            from_start: e.from_starts_at.map(|t| t.and_utc()),
            to_start: e.to_starts_at.map(|t| t.and_utc()),
            from_clinician_id: e.from_clinician_id,
            to_clinician_id: e.to_clinician_id,
            detail: e.detail,
        })
        .collect();
    Ok(HttpResponse::Ok().json(History { items }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentPage {
    pub items: Vec<AppointmentView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppointmentQuery {
    #[param(pattern = r"^20[0-9]{2}-")]
    pub from: Option<DateTime<Utc>>,
    #[param(pattern = r"^20[0-9]{2}-")]
    pub to: Option<DateTime<Utc>>,
    pub clinician_id: Option<String>,
    pub patient_id: Option<String>,
    /// `booked`, `arrived`, `completed`, `no_show` or `cancelled`.
    pub status: Option<Status>,
}

async fn list_page(
    state: &AppState,
    user: Actor,
    meta: Origin,
    filter: AppointmentFilter,
    page: &PageParams,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit()?;
    let after = page.time_cursor()?;
    let (rows, items) = db::run(&state.pool, move |conn| {
        let rows = records::page(conn, &user, &meta, &filter, after, limit)?;
        let keys: Vec<(NaiveDateTime, String)> = rows.iter().map(|r| (r.starts_at, r.id.clone())).collect();
        Ok((keys, views(conn, &user, rows)?))
    })
    .await?;
    let (items, next_cursor) = paging::page(
        items.into_iter().zip(rows).collect::<Vec<_>>(),
        limit,
        |(_, (at, id))| paging::encode_time_cursor(*at, id),
        |(view, _)| view,
    );
    Ok(HttpResponse::Ok().json(AppointmentPage { items, next_cursor }))
}

#[utoipa::path(
    operation_id = "listAppointments",
    summary = "List appointments",
    tag = "appointments",
    security(("bearer" = [])),
    params(AppointmentQuery, PageParams),
    responses(
        (status = 200, description = "By start time", body = AppointmentPage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/appointments")]
pub async fn list(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    query: web::Query<AppointmentQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::FrontDesk, Role::Clinician, Role::Admin])?;
    let query = query.into_inner();
    for (field, t) in [("from", query.from), ("to", query.to)] {
        if let Some(t) = t {
            plausible_instant(field, t)?;
        }
    }
    let filter = AppointmentFilter {
        from: query.from.map(|t| t.naive_utc()),
        to: query.to.map(|t| t.naive_utc()),
        clinician_id: query.clinician_id,
        patient_id: query.patient_id,
        status: query.status.map(|s| s.as_str().to_string()),
    };
    list_page(&state, user, meta, filter, &page).await
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MyAppointmentsQuery {
    #[param(pattern = r"^20[0-9]{2}-")]
    pub from: Option<DateTime<Utc>>,
    pub status: Option<Status>,
}

#[utoipa::path(
    operation_id = "listMyAppointments",
    summary = "List my appointments",
    tag = "appointments",
    security(("bearer" = [])),
    params(MyAppointmentsQuery, PageParams),
    responses((status = 200, description = "The patient's own, by start time", body = AppointmentPage), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[get("/v1/me/appointments")]
pub async fn mine(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    query: web::Query<MyAppointmentsQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Patient])?;
    let query = query.into_inner();
    if let Some(from) = query.from {
        plausible_instant("from", from)?;
    }
    let filter = AppointmentFilter {
        from: query.from.map(|t| t.naive_utc()),
        patient_id: Some(user.id.clone()),
        status: query.status.map(|s| s.as_str().to_string()),
        ..Default::default()
    };
    list_page(&state, user, meta, filter, &page).await
}

#[utoipa::path(
    operation_id = "getAppointmentCalendarFile",
    summary = "Get the appointment as an iCalendar file",
    tag = "appointments",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The appointment id")),
    responses(
        (status = 200, description = "An iCalendar file (METHOD:CANCEL once cancelled)", body = String, content_type = "text/calendar"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/appointments/{id}/calendar.ics")]
pub async fn calendar_file(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let notices = Notices::from_config(&state.config);
    let ics =
        db::run(&state.pool, move |conn| records::calendar_file(conn, &user, &meta, &notices, &id, db::now())).await?;
    Ok(HttpResponse::Ok().content_type("text/calendar; charset=utf-8").body(ics))
}
