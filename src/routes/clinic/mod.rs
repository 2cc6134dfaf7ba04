//! The clinic's settings and its appointment types. Everyone can read them (the app shows them
//! before sign-in); admins change them.

mod appointment_types;

pub use appointment_types::*;

use crate::http::json::Json;
use actix_web::{get, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::calendar::clinic as calendar;
use crate::db;
use crate::db::audit::Origin;
use crate::db::clinic::{self, ClinicRow};
use crate::domain::role::Role;
use crate::error::{ApiError, Problem};
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
    /// Minutes without a page before a staff member's console session ends (5 to 480, default
    /// 15: front-desk computers are shared). Omitted in a change, it stays as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 5, maximum = 480)]
    pub console_idle_minutes: Option<i32>,
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
            console_idle_minutes: Some(row.console_idle_minutes),
        }
    }
}

#[utoipa::path(operation_id = "getClinic", summary = "Get the clinic's settings", security(), tag = "clinic", responses((status = 200, body = Clinic)))]
#[get("/v1/clinic")]
pub async fn get_clinic(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let row = db::run(&state.pool, |conn| Ok(clinic::settings(conn)?)).await?;
    Ok(HttpResponse::Ok().json(Clinic::from(row)))
}

#[utoipa::path(
    operation_id = "putClinic",
    summary = "Change the clinic's settings",
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
    let (row, idle) = calendar::check_settings(calendar::SettingsAsTyped {
        name: &body.name,
        address: &body.address,
        phone: &body.phone,
        time_zone: &body.time_zone,
        slot_granularity_minutes: body.slot_granularity_minutes,
        reminder_offsets_minutes: &body.reminder_offsets_minutes,
        waitlist_offer_minutes: body.waitlist_offer_minutes,
        console_idle_minutes: body.console_idle_minutes,
    })?;
    let saved = db::transaction(&state.pool, move |conn| calendar::save_checked(conn, &user, &meta, row, idle)).await?;
    Ok(HttpResponse::Ok().json(Clinic::from(saved)))
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
