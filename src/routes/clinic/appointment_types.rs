//! The clinic's appointment types: everyone reads those on offer; admins create, change and
//! archive them.

use actix_web::{get, patch, post, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::calendar::clinic::{self as calendar, TypeChange};
pub use crate::calendar::type_fields::AppointmentTypeFields;
use crate::db::audit::Origin;
use crate::db::clinic::{self, AppointmentTypeRow};
use crate::db::{self, now};
use crate::domain::role::Role;
use crate::error::{ApiError, Problem};
use crate::http::json::Json;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentType {
    pub id: String,
    pub code: String,
    pub name: String,
    pub duration_minutes: i32,
    pub buffer_before_minutes: i32,
    pub buffer_after_minutes: i32,
    /// Patients may book it themselves in the app.
    pub patient_bookable: bool,
    pub min_notice_hours: i32,
    pub horizon_days: i32,
    pub cancel_cutoff_hours: i32,
    pub reschedule_cutoff_hours: i32,
    pub archived: bool,
}

impl From<AppointmentTypeRow> for AppointmentType {
    fn from(row: AppointmentTypeRow) -> Self {
        Self {
            id: row.id,
            code: row.code,
            name: row.name,
            duration_minutes: row.duration_minutes,
            buffer_before_minutes: row.buffer_before_minutes,
            buffer_after_minutes: row.buffer_after_minutes,
            patient_bookable: row.patient_bookable,
            min_notice_hours: row.min_notice_hours,
            horizon_days: row.horizon_days,
            cancel_cutoff_hours: row.cancel_cutoff_hours,
            reschedule_cutoff_hours: row.reschedule_cutoff_hours,
            archived: row.archived,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentTypeList {
    pub items: Vec<AppointmentType>,
}

#[utoipa::path(operation_id = "listAppointmentTypes", summary = "List appointment types", security(), tag = "clinic", responses((status = 200, description = "The types on offer (not archived)", body = AppointmentTypeList)))]
#[get("/v1/appointment-types")]
pub async fn list_types(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let rows = db::run(&state.pool, |conn| Ok(clinic::types(conn, false)?)).await?;
    Ok(HttpResponse::Ok().json(AppointmentTypeList { items: rows.into_iter().map(AppointmentType::from).collect() }))
}

/// A new appointment type: every field but the buffers and `patient_bookable` is required.
/// (The document's shape of [`AppointmentTypeFields`] on create.)
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct NewAppointmentType {
    /// Lower-case letters, digits and `_`, e.g. `follow_up`; fixed once created.
    #[schema(pattern = r"^[a-z0-9_]{2,50}$")]
    pub code: String,
    #[schema(
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    #[schema(minimum = 5, maximum = 480)]
    pub duration_minutes: i64,
    #[schema(minimum = 0, maximum = 120)]
    pub buffer_before_minutes: Option<i64>,
    #[schema(minimum = 0, maximum = 120)]
    pub buffer_after_minutes: Option<i64>,
    pub patient_bookable: Option<bool>,
    #[schema(minimum = 0, maximum = 720)]
    pub min_notice_hours: i64,
    #[schema(minimum = 1, maximum = 730)]
    pub horizon_days: i64,
    #[schema(minimum = 0, maximum = 720)]
    pub cancel_cutoff_hours: i64,
    #[schema(minimum = 0, maximum = 720)]
    pub reschedule_cutoff_hours: i64,
}

#[utoipa::path(
    operation_id = "createAppointmentType",
    summary = "Create an appointment type",
    tag = "clinic",
    security(("bearer" = [])),
    request_body = NewAppointmentType,
    responses(
        (status = 201, body = AppointmentType),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/appointment-types")]
pub async fn create_type(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    body: Json<AppointmentTypeFields>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Admin])?;
    let row = body.into_inner().new_type(now())?;
    let saved = db::transaction(&state.pool, move |conn| calendar::create_type(conn, &user, &meta, row)).await?;
    Ok(HttpResponse::Created().json(AppointmentType::from(saved)))
}

#[utoipa::path(
    operation_id = "updateAppointmentType",
    summary = "Change an appointment type",
    tag = "clinic",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The type's id or code")),
    request_body = AppointmentTypeFields,
    responses(
        (status = 200, body = AppointmentType),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/v1/appointment-types/{id}")]
pub async fn update_type(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
    body: Json<AppointmentTypeFields>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Admin])?;
    let edit = body.into_inner().edit();
    let id = path.into_inner();
    let saved = db::transaction(&state.pool, move |conn| {
        calendar::change_type(conn, &user, &meta, &id, TypeChange::Update, edit, now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(AppointmentType::from(saved)))
}

/// Archived types cannot be booked any more; existing appointments keep them.
#[utoipa::path(
    operation_id = "archiveAppointmentType",
    summary = "Archive an appointment type",
    tag = "clinic",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The type's id or code")),
    responses(
        (status = 200, body = AppointmentType),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/appointment-types/{id}/archive")]
pub async fn archive_type(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Admin])?;
    let id = path.into_inner();
    let saved =
        db::transaction(&state.pool, move |conn| calendar::archive_type(conn, &user, &meta, &id, now())).await?;
    Ok(HttpResponse::Ok().json(AppointmentType::from(saved)))
}
