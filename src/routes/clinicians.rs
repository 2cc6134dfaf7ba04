//! Clinicians and their time: weekly hours in clinic-local time, exceptions (time off, extra
//! hours), and the appointment types each offers. A clinician edits their own; admins and the
//! front desk edit anyone's.

use crate::http::json::Json;
use actix_web::{delete, get, post, put, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::calendar::availability::Clinician;
use crate::calendar::clinicians as calendar;
use crate::db::audit::Origin;
use crate::db::availability::ExceptionRow;
use crate::db::{self, now};
use crate::domain::hours::{hh_mm, ExceptionKind};
use crate::domain::role::Role;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct ClinicianView {
    pub id: String,
    pub full_name: String,
    pub title: Option<String>,
    /// Codes of the appointment types they offer.
    pub appointment_types: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClinicianList {
    pub items: Vec<ClinicianView>,
}

#[utoipa::path(
    operation_id = "listClinicians",
    summary = "List clinicians",
    tag = "clinicians",
    security(("bearer" = [])),
    responses(
        (status = 200, body = ClinicianList),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/clinicians")]
pub async fn list_clinicians(state: web::Data<AppState>, _user: Actor) -> Result<HttpResponse, ApiError> {
    let items = db::run(&state.pool, calendar::with_types)
        .await?
        .into_iter()
        .map(|(Clinician { id, full_name, title }, appointment_types)| ClinicianView {
            id,
            full_name,
            title,
            appointment_types,
        })
        .collect();
    Ok(HttpResponse::Ok().json(ClinicianList { items }))
}

/// One weekly period, in the clinic's local time.
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
pub struct WeeklyHours {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    #[schema(minimum = 1, maximum = 7)]
    pub weekday: i32,
    /// `HH:MM`, local.
    #[schema(pattern = r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    pub start: String,
    /// `HH:MM`, local; `24:00` for midnight at the end of the day. After `start`.
    #[schema(pattern = r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    pub end: String,
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub valid_from: Option<NaiveDate>,
    /// On or after `valid_from`.
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Availability {
    /// At most 70 weekly periods.
    #[schema(max_items = 70)]
    pub rules: Vec<WeeklyHours>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AvailabilityView {
    pub clinician_id: String,
    /// The clinic's zone, in which the hours are meant.
    #[schema(schema_with = crate::http::schemas::time_zone)]
    pub time_zone: String,
    pub rules: Vec<WeeklyHours>,
    /// Exceptions from now on.
    pub exceptions: Vec<ExceptionView>,
}

async fn availability_view(state: &AppState, clinician_id: String) -> Result<AvailabilityView, ApiError> {
    let id = clinician_id.clone();
    let found = db::run(&state.pool, move |conn| calendar::calendar(conn, &id, now())).await?;
    Ok(AvailabilityView {
        time_zone: found.time_zone,
        rules: found
            .rules
            .into_iter()
            .map(|r| WeeklyHours {
                weekday: r.weekday,
                start: hh_mm(r.start_minute),
                end: hh_mm(r.end_minute),
                valid_from: r.valid_from,
                valid_until: r.valid_until,
            })
            .collect(),
        exceptions: found.exceptions.into_iter().map(ExceptionView::from).collect(),
        clinician_id,
    })
}

#[utoipa::path(
    operation_id = "getClinicianHours",
    summary = "Get a clinician's weekly hours and exceptions",
    tag = "clinicians",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The clinician's user id")),
    responses(
        (status = 200, body = AvailabilityView),
        (status = 403, description = "A clinician asking for another clinician's hours", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/clinicians/{id}/availability")]
pub async fn get_availability(
    state: web::Data<AppState>,
    user: Actor,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let check = id.clone();
    db::run(&state.pool, move |conn| calendar::editable(conn, &user, &check).map(|_| ())).await?;
    Ok(HttpResponse::Ok().json(availability_view(&state, id).await?))
}

#[utoipa::path(
    operation_id = "putClinicianHours",
    summary = "Set a clinician's weekly hours",
    tag = "clinicians",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The clinician's user id")),
    request_body = Availability,
    responses(
        (status = 200, description = "The weekly hours now in force", body = AvailabilityView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/clinicians/{id}/availability")]
pub async fn put_availability(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
    body: Json<Availability>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let body = body.into_inner();
    let typed: Vec<calendar::TypedHours> = body
        .rules
        .iter()
        .map(|r| calendar::TypedHours {
            weekday: r.weekday,
            start: &r.start,
            end: &r.end,
            valid_from: r.valid_from,
            valid_until: r.valid_until,
        })
        .collect();
    let rules = calendar::check_weekly_hours(&typed)?;
    let target = id.clone();
    db::transaction(&state.pool, move |conn| calendar::set_weekly_hours(conn, &user, &meta, &target, &rules, now()))
        .await?;
    Ok(HttpResponse::Ok().json(availability_view(&state, id).await?))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct NewException {
    pub kind: ExceptionKind,
    #[schema(pattern = r"^20[0-9]{2}-")]
    pub starts_at: DateTime<Utc>,
    /// After `starts_at`.
    #[schema(pattern = r"^20[0-9]{2}-")]
    pub ends_at: DateTime<Utc>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExceptionView {
    pub id: String,
    pub kind: ExceptionKind,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub note: Option<String>,
}

impl From<ExceptionRow> for ExceptionView {
    fn from(row: ExceptionRow) -> Self {
        Self {
            kind: row.kind(),
            id: row.id,
            starts_at: row.starts_at.and_utc(),
            ends_at: row.ends_at.and_utc(),
            note: row.note,
        }
    }
}

#[utoipa::path(
    operation_id = "addClinicianException",
    summary = "Add an exception to a clinician's hours",
    tag = "clinicians",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The clinician's user id")),
    request_body = NewException,
    responses(
        (status = 201, body = ExceptionView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/clinicians/{id}/exceptions")]
pub async fn add_exception(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
    body: Json<NewException>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let body = body.into_inner();
    let exception = calendar::NewException::check(body.kind, body.starts_at, body.ends_at, body.note.as_deref())?;
    let row =
        db::transaction(&state.pool, move |conn| calendar::add_exception(conn, &user, &meta, &id, exception, now()))
            .await?;
    Ok(HttpResponse::Created().json(ExceptionView::from(row)))
}

#[utoipa::path(
    operation_id = "deleteClinicianException",
    summary = "Remove an exception from a clinician's hours",
    tag = "clinicians",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The clinician's user id"),
        ("eid" = String, Path, description = "The exception's id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/v1/clinicians/{id}/exceptions/{eid}")]
pub async fn delete_exception(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, eid) = path.into_inner();
    db::transaction(&state.pool, move |conn| calendar::delete_exception(conn, &user, &meta, &id, &eid)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct Services {
    /// Codes (or ids) of the types the clinician offers (a set: repeats count once); empty
    /// means every type.
    pub appointment_types: Vec<String>,
}

#[utoipa::path(
    operation_id = "putClinicianServices",
    summary = "Set the appointment types a clinician offers",
    tag = "clinicians",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The clinician's user id")),
    request_body = Services,
    responses(
        (status = 204, description = "Saved"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/clinicians/{id}/services")]
pub async fn put_services(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
    body: Json<Services>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Admin])?;
    let id = path.into_inner();
    let wanted = body.into_inner().appointment_types;
    db::transaction(&state.pool, move |conn| calendar::set_services(conn, &user, &meta, &id, &wanted)).await?;
    Ok(HttpResponse::NoContent().finish())
}
