//! Patients' contact records, as the front desk manages them: create (a patient who phoned in,
//! optionally invited to the app), search, read and correct. Every read and write is audited.

use crate::http::json::Json;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::views::person_fields;
use super::views::{ProfileChanges, UserPage, UserView};
use crate::accounts::patients::{self, NewPatient, PatientAsTyped, PatientUpdate};
use crate::auth::Actor;
use crate::db::audit::Origin;
use crate::db::users::{NameCursor, UserChanges};
use crate::db::{self, now};
use crate::domain::contact::EmailAddress;
use crate::domain::patient_search;

use crate::error::fields::Checks;
use crate::error::{ApiError, Problem};
use crate::http::paging::{self, PageParams};
use crate::reminders::ReminderLinks;
use crate::state::AppState;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct CreatePatientRequest {
    #[schema(schema_with = person_fields::full_name)]
    pub full_name: String,
    #[schema(schema_with = person_fields::date_of_birth)]
    pub date_of_birth: NaiveDate,
    #[schema(schema_with = person_fields::email_or_null)]
    pub email: Option<String>,
    #[schema(schema_with = person_fields::phone_or_null)]
    pub phone: Option<String>,
    /// IANA time zone; the clinic's default when absent.
    #[schema(schema_with = crate::http::schemas::time_zone_or_null)]
    pub time_zone: Option<String>,
    /// Email the patient an invitation to set a password and use the app (needs `email`).
    #[serde(default)]
    pub invite: bool,
    /// Create even though a patient with the same name and date of birth exists.
    #[serde(default)]
    pub allow_duplicate: bool,
}

#[utoipa::path(
    operation_id = "createPatient",
    summary = "Create a patient",
    tag = "patients",
    security(("bearer" = [])),
    request_body = CreatePatientRequest,
    responses(
        (status = 201, body = UserView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email_taken`, or `possible_duplicate` (same name and date of birth)", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/patients")]
pub async fn create_patient(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    body: Json<CreatePatientRequest>,
) -> Result<HttpResponse, ApiError> {
    if !user.role.manages_patients() {
        return Err(ApiError::Forbidden);
    }
    let body = body.into_inner();
    let typed = PatientAsTyped {
        full_name: &body.full_name,
        date_of_birth: Some(body.date_of_birth),
        email: body.email.as_deref(),
        phone: body.phone.as_deref(),
        time_zone: body.time_zone.as_deref(),
        invite: body.invite,
        allow_duplicate: body.allow_duplicate,
    };
    let new = NewPatient::check(typed, &state.config.default_time_zone, now().date())?;
    let public_url = state.config.public_url.clone();
    let row =
        db::transaction(&state.pool, move |conn| patients::create(conn, &user, &meta, &public_url, new, now())).await?;
    Ok(HttpResponse::Created().json(UserView::from(row)))
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PatientQuery {
    /// Part of a name or email; digits also match phone numbers, and `YYYY-MM-DD` a date of birth.
    /// At most 100 characters, none of them a control character.
    #[param(max_length = 100, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub q: Option<String>,
}

#[utoipa::path(
    operation_id = "listPatients",
    summary = "List patients",
    tag = "patients",
    security(("bearer" = [])),
    params(PatientQuery, PageParams),
    responses(
        (status = 200, description = "Patients ordered by name", body = UserPage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/patients")]
pub async fn list_patients(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    search: web::Query<PatientQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    if !user.role.reads_patients() {
        return Err(ApiError::Forbidden);
    }
    let limit = page.limit()?;
    let after = page
        .cursor(2)?
        .map(|mut parts| NameCursor { id: parts.pop().unwrap_or_default(), name_key: parts.pop().unwrap_or_default() });
    let terms = patient_search::parse(search.q.as_deref()).map_err(|e| ApiError::invalid("q", e))?;
    let rows =
        db::run(&state.pool, move |conn| patients::list(conn, &user, &meta, terms.as_ref(), after.as_ref(), limit))
            .await?;
    let (items, next_cursor) =
        paging::page(rows, limit, |r| paging::encode_cursor(&[&r.name_key, &r.id]), UserView::from);
    Ok(HttpResponse::Ok().json(UserPage { items, next_cursor }))
}

#[utoipa::path(
    operation_id = "getPatient",
    summary = "Get a patient",
    tag = "patients",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The patient's id")),
    responses(
        (status = 200, body = UserView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/patients/{id}")]
pub async fn get_patient(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let row =
        db::run(&state.pool, move |conn| patients::read(conn, &user, &meta, &id)).await?.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(UserView::from(row)))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct PatientChanges {
    #[serde(flatten)]
    pub profile: ProfileChanges,
    #[serde(default, deserialize_with = "crate::http::nullable::field")]
    #[schema(schema_with = person_fields::changed_patient_email)]
    pub email: Option<Option<String>>,
}

#[utoipa::path(
    operation_id = "updatePatient",
    summary = "Change a patient",
    tag = "patients",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The patient's id")),
    request_body = PatientChanges,
    responses(
        (status = 200, body = UserView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/v1/patients/{id}")]
pub async fn update_patient(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
    body: Json<PatientChanges>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let PatientChanges { profile, email } = body.into_inner();
    let mut checks = Checks::default();
    let mut changes = UserChanges::default();
    profile.parse_into(&mut checks, &mut changes);
    let email = match email {
        Some(Some(raw)) => checks.field("email", EmailAddress::parse(&raw)).map(|e| Some(Some(e.into_string()))),
        Some(None) => Some(Some(None)),
        None => Some(None),
    };
    let email = checks.finish(|| email)?;
    let update = PatientUpdate { changes, email };
    let links = ReminderLinks::from_config(&state.config);
    let row =
        db::transaction(&state.pool, move |conn| patients::update(conn, &user, &meta, &links, &id, update, now()))
            .await??;
    Ok(HttpResponse::Ok().json(UserView::from(row)))
}
