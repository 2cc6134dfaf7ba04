//! The clinic's settings and its appointment types. Everyone can read them (the app shows them
//! before sign-in); admins change them.

use crate::http::json::Json;
use actix_web::{get, patch, post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::db::audit::AuditEntry;
use crate::db::audit::Origin;
use crate::db::clinic::{self, AppointmentTypeRow, ClinicRow};
use crate::db::{self, now};
use crate::domain::appointment;
use crate::domain::contact::PhoneNumber;
use crate::domain::person;
use crate::domain::role::Role;
use crate::domain::Invalid;
use crate::error::fields::Checks;
use crate::error::{ApiError, Problem, ProblemCode};
use crate::state::AppState;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Clinic {
    #[schema(
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    #[schema(max_length = 500, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub address: String,
    /// Empty, or 7 to 15 digits.
    #[schema(
        pattern = r"^[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$|^[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\+?[ ().-]*([0-9][ ().-]*){7,15}[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub phone: String,
    /// IANA time zone: weekly hours and the day view are in it.
    #[schema(schema_with = crate::http::schemas::time_zone)]
    pub time_zone: String,
    /// Appointments start on multiples of this many minutes (5, 10, 15, 20, 30 or 60).
    #[schema(schema_with = granularity)]
    pub slot_granularity_minutes: i32,
    /// Reminders go this many minutes before an appointment (default 1440 and 120): up to five,
    /// each at most 10080 (7 days).
    #[schema(schema_with = crate::http::schemas::reminder_offsets)]
    pub reminder_offsets_minutes: Vec<i64>,
    /// How long a waitlist offer stays open (5 to 1440).
    #[schema(minimum = 5, maximum = 1440)]
    pub waitlist_offer_minutes: i32,
}

impl From<ClinicRow> for Clinic {
    fn from(row: ClinicRow) -> Self {
        Self {
            reminder_offsets_minutes: row.reminder_offsets(),
            name: row.name,
            address: row.address,
            phone: row.phone,
            time_zone: row.time_zone,
            slot_granularity_minutes: row.slot_granularity_minutes,
            waitlist_offer_minutes: row.waitlist_offer_minutes,
        }
    }
}

#[utoipa::path(tag = "clinic", responses((status = 200, body = Clinic)))]
#[get("/v1/clinic")]
pub async fn get_clinic(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let row = db::run(&state.pool, |conn| Ok(clinic::settings(conn)?)).await?;
    Ok(HttpResponse::Ok().json(Clinic::from(row)))
}

fn text(max: usize, required: bool) -> impl Fn(&str) -> Result<String, Invalid> {
    move |raw: &str| {
        // Length and characters as sent: the document's `maxLength` and `pattern`.
        if raw.chars().count() > max || raw.chars().any(char::is_control) {
            return Err(Invalid::new("invalid_format", format!("at most {max} characters, no control characters")));
        }
        let value = raw.trim();
        if required && value.is_empty() {
            return Err(Invalid::new("required", "this is required"));
        }
        Ok(value.to_string())
    }
}

fn within(min: i64, max: i64) -> impl Fn(i64) -> Result<i64, Invalid> {
    move |value| {
        if (min..=max).contains(&value) {
            Ok(value)
        } else {
            Err(Invalid::new("out_of_range", format!("between {min} and {max}")))
        }
    }
}

#[utoipa::path(
    tag = "clinic",
    security(("bearer" = [])),
    request_body = Clinic,
    responses(
        (status = 200, body = Clinic),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/clinic")]
pub async fn put_clinic(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    body: Json<Clinic>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Admin])?;
    let body = body.into_inner();
    let mut checks = Checks::default();
    let name = checks.field("name", text(200, true)(&body.name));
    let address = checks.field("address", text(500, false)(&body.address));
    let phone = checks.field(
        "phone",
        if body.phone.trim().is_empty() {
            Ok(String::new())
        } else {
            PhoneNumber::parse(&body.phone).map(|p| p.into_string())
        },
    );
    let zone = checks.field("time_zone", person::time_zone(&body.time_zone));
    let granularity = checks.field(
        "slot_granularity_minutes",
        if [5, 10, 15, 20, 30, 60].contains(&body.slot_granularity_minutes) {
            Ok(body.slot_granularity_minutes)
        } else {
            Err(Invalid::new("invalid", "one of 5, 10, 15, 20, 30 or 60"))
        },
    );
    let offsets = checks.field(
        "reminder_offsets_minutes",
        if body.reminder_offsets_minutes.len() <= 5
            && body.reminder_offsets_minutes.iter().all(|m| (1..=10_080).contains(m))
        {
            Ok(body.reminder_offsets_minutes.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
        } else {
            Err(Invalid::new("out_of_range", "at most 5 offsets, each 1 to 10080 minutes"))
        },
    );
    let offer = checks.field("waitlist_offer_minutes", within(5, 1440)(body.waitlist_offer_minutes.into()));
    let row = checks.finish(|| {
        Some(ClinicRow {
            id: 1,
            name: name?,
            address: address?,
            phone: phone?,
            time_zone: zone?.name().to_string(),
            slot_granularity_minutes: granularity?,
            reminder_offsets_minutes: offsets?,
            waitlist_offer_minutes: offer? as i32,
            updated_at: now(),
        })
    })?;
    let saved = db::transaction(&state.pool, move |conn| {
        clinic::save_settings(conn, &row)?;
        AuditEntry::new("clinic.update", &meta).actor(&user.id, user.role).write(conn)?;
        Ok(clinic::settings(conn)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Clinic::from(saved)))
}

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

#[utoipa::path(tag = "clinic", responses((status = 200, description = "The types on offer (not archived)", body = AppointmentTypeList)))]
#[get("/v1/appointment-types")]
pub async fn list_types(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let rows = db::run(&state.pool, |conn| Ok(clinic::types(conn, false)?)).await?;
    Ok(HttpResponse::Ok().json(AppointmentTypeList { items: rows.into_iter().map(AppointmentType::from).collect() }))
}

/// A new type, or changes to one: on create every field but the buffers is required.
#[derive(Debug, Default, Deserialize, ToSchema)]
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
    let saved = db::transaction(&state.pool, move |conn| {
        if clinic::find_type(conn, &row.code)?.is_some() {
            return Err(ApiError::conflict(ProblemCode::CodeTaken, "another appointment type has this code"));
        }
        clinic::insert_type(conn, &row)?;
        AuditEntry::new("appointment_type.create", &meta).actor(&user.id, user.role).target(&row.id).write(conn)?;
        Ok(row)
    })
    .await?;
    Ok(HttpResponse::Created().json(AppointmentType::from(saved)))
}

#[utoipa::path(
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
    let fields = body.into_inner();
    change_type(&state, user, meta, path.into_inner(), "appointment_type.update", move |row| {
        let mut checks = Checks::default();
        fields.apply(row, &mut checks, false);
        checks.finish(|| Some(()))
    })
    .await
}

/// Admin-only: loads a type, lets `edit` change it, saves and audits it, in one transaction.
async fn change_type(
    state: &AppState,
    user: Actor,
    meta: Origin,
    id: String,
    action: &'static str,
    edit: impl FnOnce(&mut AppointmentTypeRow) -> Result<(), ApiError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Admin])?;
    let saved = db::transaction(&state.pool, move |conn| {
        let mut row = clinic::find_type(conn, &id)?.ok_or(ApiError::NotFound)?;
        edit(&mut row)?;
        row.updated_at = now();
        clinic::save_type(conn, &row)?;
        AuditEntry::new(action, &meta).actor(&user.id, user.role).target(&row.id).write(conn)?;
        Ok(row)
    })
    .await?;
    Ok(HttpResponse::Ok().json(AppointmentType::from(saved)))
}

/// Archived types cannot be booked any more; existing appointments keep them.
#[utoipa::path(
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
    change_type(&state, user, meta, path.into_inner(), "appointment_type.archive", |row| {
        row.archived = true;
        Ok(())
    })
    .await
}

/// 5, 10, 15, 20, 30 or 60.
fn granularity() -> utoipa::openapi::schema::Schema {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int32)))
        .enum_values(Some([5, 10, 15, 20, 30, 60]))
        .build()
        .into()
}
