//! The clinic's appointment types: everyone reads those on offer; admins create, change and
//! archive them.

use actix_web::{get, patch, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{text, within};
use crate::auth::Actor;
use crate::calendar::clinic::{self as calendar, TypeChange};
use crate::db::audit::Origin;
use crate::db::clinic::{self, AppointmentTypeRow};
use crate::db::{self, now};
use crate::domain::appointment;
use crate::domain::role::Role;
use crate::error::fields::Checks;
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

/// A new type, or changes to one: on create every field but the buffers is required.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct AppointmentTypeFields {
    /// Lower-case letters, digits and `_`, e.g. `follow_up`; fixed once created.
    #[schema(pattern = r"^[a-z0-9_]{2,50}$")]
    pub code: Option<String>,
    #[schema(
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: Option<String>,
    #[schema(minimum = 5, maximum = 480)]
    pub duration_minutes: Option<i64>,
    #[schema(minimum = 0, maximum = 120)]
    pub buffer_before_minutes: Option<i64>,
    #[schema(minimum = 0, maximum = 120)]
    pub buffer_after_minutes: Option<i64>,
    pub patient_bookable: Option<bool>,
    #[schema(minimum = 0, maximum = 720)]
    pub min_notice_hours: Option<i64>,
    #[schema(minimum = 1, maximum = 730)]
    pub horizon_days: Option<i64>,
    #[schema(minimum = 0, maximum = 720)]
    pub cancel_cutoff_hours: Option<i64>,
    #[schema(minimum = 0, maximum = 720)]
    pub reschedule_cutoff_hours: Option<i64>,
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

impl AppointmentTypeFields {
    /// Applies the present fields to `row`, recording refusals (and, with `creating`, absences).
    fn apply(self, row: &mut AppointmentTypeRow, checks: &mut Checks, creating: bool) {
        let mut number =
            |field: &str, value: Option<i64>, range: (i64, i64), target: &mut i32, required: bool| match value {
                Some(v) => {
                    if let Some(v) = checks.field(field, within(range.0, range.1)(v)) {
                        *target = v as i32;
                    }
                }
                None if required => checks.fail(field, "required", "this is required"),
                None => {}
            };
        let (longest, buffer) = (appointment::MAX_DURATION_MINUTES, appointment::MAX_BUFFER_MINUTES);
        number("duration_minutes", self.duration_minutes, (5, longest), &mut row.duration_minutes, creating);
        number("buffer_before_minutes", self.buffer_before_minutes, (0, buffer), &mut row.buffer_before_minutes, false);
        number("buffer_after_minutes", self.buffer_after_minutes, (0, buffer), &mut row.buffer_after_minutes, false);
        number("min_notice_hours", self.min_notice_hours, (0, 720), &mut row.min_notice_hours, creating);
        number("horizon_days", self.horizon_days, (1, 730), &mut row.horizon_days, creating);
        number("cancel_cutoff_hours", self.cancel_cutoff_hours, (0, 720), &mut row.cancel_cutoff_hours, creating);
        number(
            "reschedule_cutoff_hours",
            self.reschedule_cutoff_hours,
            (0, 720),
            &mut row.reschedule_cutoff_hours,
            creating,
        );
        match self.name {
            Some(name) => {
                if let Some(name) = checks.field("name", text(120, true)(&name)) {
                    row.name = name;
                }
            }
            None if creating => checks.fail("name", "required", "this is required"),
            None => {}
        }
        if let Some(bookable) = self.patient_bookable {
            row.patient_bookable = bookable;
        }
        match (self.code, creating) {
            (Some(code), true) => {
                let valid = (2..=50).contains(&code.len())
                    && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if valid {
                    row.code = code;
                } else {
                    checks.fail("code", "invalid_format", "2 to 50 lower-case letters, digits or _");
                }
            }
            (None, true) => checks.fail("code", "required", "this is required"),
            (Some(_), false) => checks.fail("code", "immutable", "a type's code cannot change"),
            (None, false) => {}
        }
    }
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
    let now = now();
    let mut row = AppointmentTypeRow {
        id: db::new_id(),
        code: String::new(),
        name: String::new(),
        duration_minutes: 0,
        buffer_before_minutes: 0,
        buffer_after_minutes: 0,
        patient_bookable: false,
        min_notice_hours: 0,
        horizon_days: 0,
        cancel_cutoff_hours: 0,
        reschedule_cutoff_hours: 0,
        archived: false,
        created_at: now,
        updated_at: now,
    };
    let mut checks = Checks::default();
    body.into_inner().apply(&mut row, &mut checks, true);
    checks.finish(|| Some(()))?;
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
    let fields = body.into_inner();
    let edit = move |row: &mut AppointmentTypeRow| {
        let mut checks = Checks::default();
        fields.apply(row, &mut checks, false);
        checks.finish(|| Some(()))
    };
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
