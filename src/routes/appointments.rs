//! Appointments: finding a free time, booking (retry-safe with `Idempotency-Key`), moving,
//! cancelling, the front desk's status changes, lists, history and the calendar file.

use std::collections::HashMap;

use crate::http::json::Json;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::schedule::Period;
use super::views::RedFlagAdvice;
use crate::auth::{secret_token, Actor};
use crate::calendar::availability::{self as free, Request};
use crate::calendar::booking::{self, Context, NewBooking};
use crate::calendar::notices::{self, Notices};
use crate::clinical::alerts::raise_red_flag;
use crate::db::appointments::{self, AppointmentFilter, AppointmentRow};
use crate::db::audit::Origin;
use crate::db::audit::{AuditEntry, Outcome};
use crate::db::clinic::{self, AppointmentTypeRow};
use crate::db::{self, idempotency, users, DbConnection};
use crate::domain::appointment::Status;
use crate::domain::local_time::local;
use crate::domain::red_flags::Screening;
use crate::domain::role::Role;
use crate::error::{ApiError, Problem};
use crate::http::paging::{self, PageParams};
use crate::http::validate::{free_text, plausible_instant};
use crate::state::AppState;
use diesel::Connection;
use std::collections::BTreeMap;

const MAX_WINDOW_DAYS: i64 = 31;

/// A free start: a [`Period`], under the name the document gives it.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct SlotView(Period);

impl utoipa::PartialSchema for SlotView {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <Period as utoipa::PartialSchema>::schema()
    }
}

impl ToSchema for SlotView {
    fn name() -> std::borrow::Cow<'static, str> {
        "SlotView".into()
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClinicianSlotsView {
    pub clinician_id: String,
    pub full_name: String,
    pub title: Option<String>,
    pub slots: Vec<SlotView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AvailabilityResponse {
    pub appointment_type: String,
    pub time_zone: String,
    pub clinicians: Vec<ClinicianSlotsView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    /// The type's code or id.
    pub appointment_type: String,
    /// From 2000 to 2199.
    #[param(pattern = r"^2[01][0-9]{2}-")]
    pub from: DateTime<Utc>,
    /// After `from`, and at most 31 days after it.
    #[param(pattern = r"^2[01][0-9]{2}-")]
    pub to: DateTime<Utc>,
    pub clinician_id: Option<String>,
}

fn load_type(conn: &mut DbConnection, code: &str) -> Result<AppointmentTypeRow, ApiError> {
    clinic::find_type(conn, code)?
        .ok_or_else(|| ApiError::field("appointment_type", "unknown", "no such appointment type"))
}

#[utoipa::path(
    tag = "appointments",
    security(("bearer" = [])),
    params(AvailabilityQuery),
    responses(
        (status = 200, description = "Free starts per clinician", body = AvailabilityResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/availability")]
pub async fn availability(
    state: web::Data<AppState>,
    user: Actor,
    query: web::Query<AvailabilityQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    plausible_instant("from", query.from)?;
    plausible_instant("to", query.to)?;
    if query.to <= query.from {
        return Err(ApiError::field("to", "before_start", "to is after from"));
    }
    if query.to - query.from > chrono::Duration::days(MAX_WINDOW_DAYS) {
        return Err(ApiError::field("to", "out_of_range", "the window is at most 31 days"));
    }
    if user.role == Role::Worker {
        return Err(ApiError::Forbidden);
    }
    let response = db::run(&state.pool, move |conn| {
        let clinic = clinic::settings(conn)?;
        let kind = load_type(conn, &query.appointment_type)?;
        if kind.archived || (user.role == Role::Patient && !kind.patient_bookable) {
            return Ok(AvailabilityResponse {
                appointment_type: kind.code,
                time_zone: clinic.time_zone,
                clinicians: vec![],
            });
        }
        let request = Request {
            appointment_type: &kind,
            from: query.from,
            to: query.to,
            clinician_id: query.clinician_id.as_deref(),
            patient_id: (user.role == Role::Patient).then_some(user.id.as_str()),
            ignore_notice_and_horizon: false,
            ignore_bookings: false,
            now: Utc::now(),
        };
        let found = free::free_slots(conn, &clinic, &request)?;
        Ok(AvailabilityResponse {
            appointment_type: kind.code.clone(),
            time_zone: clinic.time_zone.clone(),
            clinicians: found
                .into_iter()
                .map(|c| ClinicianSlotsView {
                    clinician_id: c.clinician.id,
                    full_name: c.clinician.full_name,
                    title: c.clinician.title,
                    slots: c.slots.into_iter().map(|s| SlotView(s.into())).collect(),
                })
                .collect(),
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(response))
}

/// An appointment as the apps see it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AppointmentView {
    pub id: String,
    pub patient_id: String,
    pub patient_name: String,
    pub clinician_id: String,
    pub clinician_name: String,
    /// The type's code.
    pub appointment_type: String,
    pub appointment_type_name: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Clinic-local wall-clock time (no offset), e.g. `2026-11-16T09:00:00`.
    #[schema(value_type = String, pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$", example = "2026-11-16T09:00:00")]
    pub local_start: NaiveDateTime,
    /// Clinic-local wall-clock time (no offset).
    #[schema(value_type = String, pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$", example = "2026-11-16T09:00:00")]
    pub local_end: NaiveDateTime,
    pub time_zone: String,
    pub status: Status,
    /// The patient's reason for the visit; not shown to the front desk.
    pub reason: Option<String>,
    pub late_cancellation: bool,
    pub cancel_reason: Option<String>,
    /// Goes up with every move (the calendar invitation's SEQUENCE).
    pub sequence: i32,
    pub created_at: DateTime<Utc>,
    /// Only when booking with red-flag answers and one is positive: the advice to show at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub red_flag: Option<RedFlagAdvice>,
}

/// Views for `rows`, with names looked up once for the whole list.
pub(crate) fn views(
    conn: &mut DbConnection,
    viewer: &Actor,
    rows: Vec<AppointmentRow>,
) -> Result<Vec<AppointmentView>, ApiError> {
    let clinic = clinic::settings(conn)?;
    let types: HashMap<String, AppointmentTypeRow> =
        clinic::types(conn, true)?.into_iter().map(|t| (t.id.clone(), t)).collect();
    let mut ids: Vec<String> = rows.iter().flat_map(|r| [r.patient_id.clone(), r.clinician_id.clone()]).collect();
    ids.sort();
    ids.dedup();
    let names = users::names(conn, &ids)?;
    let zone = clinic.zone();
    let show_reason = viewer.role != Role::FrontDesk;
    Ok(rows
        .into_iter()
        .map(|row| {
            let kind = types.get(&row.appointment_type_id);
            AppointmentView {
                patient_name: names.get(&row.patient_id).cloned().unwrap_or_default(),
                clinician_name: names.get(&row.clinician_id).cloned().unwrap_or_default(),
                appointment_type: kind.map(|k| k.code.clone()).unwrap_or_default(),
                appointment_type_name: kind.map(|k| k.name.clone()).unwrap_or_default(),
                start: row.starts_at.and_utc(),
                end: row.ends_at.and_utc(),
                local_start: local(zone, row.starts_at.and_utc()),
                local_end: local(zone, row.ends_at.and_utc()),
                time_zone: clinic.time_zone.clone(),
                status: Status::parse(&row.status).unwrap_or(Status::Booked),
                reason: if show_reason { row.reason } else { None },
                late_cancellation: row.late_cancellation,
                cancel_reason: row.cancel_reason,
                sequence: row.sequence,
                created_at: row.created_at.and_utc(),
                red_flag: None,
                id: row.id,
                patient_id: row.patient_id,
                clinician_id: row.clinician_id,
            }
        })
        .collect())
}

fn view(conn: &mut DbConnection, viewer: &Actor, row: AppointmentRow) -> Result<AppointmentView, ApiError> {
    views(conn, viewer, vec![row])?.pop().ok_or(ApiError::NotFound)
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct BookRequest {
    /// The type's code or id.
    pub appointment_type: String,
    #[schema(pattern = r"^2[01][0-9]{2}-")]
    pub start: DateTime<Utc>,
    /// Any free clinician when absent.
    pub clinician_id: Option<String>,
    /// Staff only: whom the appointment is for (patients book for themselves).
    pub patient_id: Option<String>,
    /// At most 1000 characters.
    #[schema(max_length = 1000, pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$")]
    pub reason: Option<String>,
    /// Staff only: why the type's minimum notice or horizon may be passed (audited).
    #[schema(max_length = 500, pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$")]
    pub override_reason: Option<String>,
    /// The red-flag questions (`GET /v1/red-flag-questions`), asked when booking a first
    /// evaluation: a positive answer alerts the clinician and the answer carries the advice.
    #[schema(schema_with = crate::http::schemas::red_flags_or_null)]
    pub red_flags: Option<BTreeMap<String, bool>>,
}

fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("idempotency-key") else { return Ok(None) };
    let key = value.to_str().map(str::trim).unwrap_or_default();
    if key.is_empty() || key.len() > 200 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::field("Idempotency-Key", "invalid_format", "1 to 200 visible ASCII characters"));
    }
    Ok(Some(key.to_string()))
}

/// Who the booking is for: the patient themself, or the patient staff named.
fn booking_patient(
    conn: &mut DbConnection,
    user: &Actor,
    patient_id: Option<&str>,
) -> Result<users::UserRow, ApiError> {
    let id = match (user.role, patient_id) {
        (Role::Patient, None) => user.id.as_str(),
        (Role::Patient, Some(id)) if id == user.id => id,
        (Role::Patient, Some(_)) => return Err(ApiError::Forbidden),
        (Role::Worker, _) => return Err(ApiError::Forbidden),
        (_, Some(id)) => id,
        (_, None) => {
            return Err(ApiError::field("patient_id", "required", "staff book for a patient: give patient_id"))
        }
    };
    users::find(conn, id)?
        .filter(|p| p.role == Role::Patient.as_str() && p.active)
        .ok_or_else(|| ApiError::field("patient_id", "unknown", "no such patient"))
}

#[utoipa::path(
    tag = "appointments",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,200}$", description = "Retry-safe creation: a retry with the same key gets the same answer (1 to 200 visible ASCII characters)")),
    request_body = BookRequest,
    responses(
        (status = 201, body = AppointmentView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`slot_taken`, `not_patient_bookable`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad input, or the same Idempotency-Key with another body (`idempotency_key_reused`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/appointments")]
pub async fn book(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: Actor,
    meta: Origin,
    body: Json<BookRequest>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    let mut body = body.into_inner();
    plausible_instant("start", body.start)?;
    body.reason = free_text("reason", body.reason.as_deref(), 1000)?;
    body.override_reason = free_text("override_reason", body.override_reason.as_deref(), 500)?;
    let screening = match &body.red_flags {
        Some(answers) => Screening::parse(answers).map_err(|e| ApiError::field("red_flags", e.code, &e.message))?,
        None => Screening::default(),
    };
    let public_url = state.config.public_url.clone();
    let fingerprint = secret_token::hash(&serde_json::to_string(&body).unwrap_or_default());
    let notices = Notices::from_config(&state.config);
    let (status, json) = db::transaction(&state.pool, move |conn| {
        let now = db::now();
        if let Some(key) = &key {
            if !idempotency::reserve(conn, &user.id, key, &fingerprint, now)? {
                let stored = idempotency::find(conn, &user.id, key)?.ok_or(ApiError::Unavailable)?;
                if stored.request_hash != fingerprint {
                    return Err(ApiError::field(
                        "Idempotency-Key",
                        "idempotency_key_reused",
                        "this key was used for a different request",
                    ));
                }
                // A replay shows the appointment again: that read is audited too.
                let patient = serde_json::from_str::<serde_json::Value>(&stored.response_body)
                    .ok()
                    .and_then(|v| v["patient_id"].as_str().map(str::to_string));
                let mut entry = AuditEntry::new("appointment.create_replay", &meta).actor(&user.id, user.role);
                if let Some(patient) = &patient {
                    entry = entry.patient(patient);
                }
                entry.write(conn)?;
                return Ok((stored.status_code as u16, stored.response_body));
            }
        }
        let outcome = conn.transaction(|conn| {
            let clinic = clinic::settings(conn)?;
            let kind = load_type(conn, &body.appointment_type)?;
            let patient = booking_patient(conn, &user, body.patient_id.as_deref())?;
            let booking = NewBooking {
                appointment_type: &kind,
                start: body.start,
                clinician_id: body.clinician_id.as_deref(),
                patient: &patient,
                reason: body.reason.clone(),
                override_reason: body.override_reason.clone(),
                offered: false,
            };
            let cx = Context { clinic: &clinic, notices: &notices, actor: &user, origin: &meta, now: now.and_utc() };
            let row = booking::book(conn, &cx, booking)?;
            if let Some(severity) = screening.severity() {
                raise_red_flag(conn, &public_url, &patient.id, severity, &screening.positive, now)?;
            }
            let mut booked = view(conn, &user, row)?;
            booked.red_flag = RedFlagAdvice::of(&screening);
            Ok(booked)
        });
        let (status, json) = match outcome {
            Ok(view) => (201, serde_json::to_string(&view).unwrap_or_default()),
            Err(err) if err_is_final(&err) => {
                use actix_web::ResponseError;
                (
                    err.status_code().as_u16(),
                    serde_json::to_string(&err.to_problem(meta.request_id.clone())).unwrap_or_default(),
                )
            }
            Err(err) => return Err(err),
        };
        if let Some(key) = &key {
            idempotency::complete(conn, &user.id, key, status, &json)?;
        }
        Ok((status, json))
    })
    .await?;
    let mut response = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default());
    response.content_type(if status < 300 { "application/json" } else { "application/problem+json" });
    Ok(response.body(json))
}

/// A client error is the request's answer, kept for retries; anything else may pass.
fn err_is_final(err: &ApiError) -> bool {
    use actix_web::ResponseError;
    err.status_code().is_client_error()
}

/// The appointment, if `user` may see it: staff any, a patient only their own.
fn visible(conn: &mut DbConnection, user: &Actor, id: &str) -> Result<AppointmentRow, ApiError> {
    let row = appointments::find(conn, id)?.ok_or(ApiError::NotFound)?;
    match user.role {
        Role::Patient if row.patient_id == user.id => Ok(row),
        Role::FrontDesk | Role::Clinician | Role::Admin => Ok(row),
        _ => Err(ApiError::NotFound),
    }
}

#[utoipa::path(
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
    let found = db::run(&state.pool, move |conn| {
        let entry = AuditEntry::new("appointment.read", &meta).actor(&user.id, user.role).target(&id);
        match visible(conn, &user, &id) {
            Ok(row) => {
                entry.patient(&row.patient_id).write(conn)?;
                Ok(Some(view(conn, &user, row)?))
            }
            Err(ApiError::NotFound) => {
                entry.outcome(Outcome::NotFound).write(conn)?;
                Ok(None)
            }
            Err(err) => Err(err),
        }
    })
    .await?
    .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(found))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RescheduleRequest {
    #[schema(pattern = r"^2[01][0-9]{2}-")]
    pub start: DateTime<Utc>,
    /// Another clinician, or the same one when absent.
    pub clinician_id: Option<String>,
    /// Staff only: why the type's minimum notice or horizon may be passed (audited).
    #[schema(max_length = 500, pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$")]
    pub override_reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CancelRequest {
    /// At most 500 characters.
    #[schema(max_length = 500, pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$")]
    pub reason: Option<String>,
}

/// Runs `change` on a visible appointment in one transaction and answers with its new state.
async fn change(
    state: &AppState,
    user: Actor,
    meta: Origin,
    id: String,
    change: impl FnOnce(&mut DbConnection, &Context, &AppointmentRow, &AppointmentTypeRow) -> Result<AppointmentRow, ApiError>
        + Send
        + 'static,
) -> Result<HttpResponse, ApiError> {
    let notices = Notices::from_config(&state.config);
    let updated = db::transaction(&state.pool, move |conn| {
        let current = visible(conn, &user, &id)?;
        let clinic = clinic::settings(conn)?;
        let kind = clinic::find_type(conn, &current.appointment_type_id)?.ok_or(ApiError::NotFound)?;
        let cx = Context { clinic: &clinic, notices: &notices, actor: &user, origin: &meta, now: db::now().and_utc() };
        let updated = change(conn, &cx, &current, &kind)?;
        view(conn, &user, updated)
    })
    .await?;
    Ok(HttpResponse::Ok().json(updated))
}

#[utoipa::path(
    tag = "appointments",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The appointment id")),
    request_body = RescheduleRequest,
    responses(
        (status = 200, body = AppointmentView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`slot_taken`, `inside_cutoff` (patients; the detail gives the clinic's phone), `invalid_transition`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/appointments/{id}/reschedule")]
pub async fn reschedule(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
    body: Json<RescheduleRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut body = body.into_inner();
    plausible_instant("start", body.start)?;
    body.override_reason = free_text("override_reason", body.override_reason.as_deref(), 500)?;
    change(&state, user, meta, path.into_inner(), move |conn, cx, current, kind| {
        booking::reschedule(
            conn,
            cx,
            current,
            kind,
            body.start,
            body.clinician_id.as_deref(),
            body.override_reason.as_deref(),
        )
    })
    .await
}

#[utoipa::path(
    tag = "appointments",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The appointment id")),
    request_body = CancelRequest,
    responses(
        (status = 200, body = AppointmentView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`inside_cutoff` (patients; the detail gives the clinic's phone), `invalid_transition`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/appointments/{id}/cancel")]
pub async fn cancel(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
    body: Json<CancelRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = free_text("reason", body.into_inner().reason.as_deref(), 500)?;
    change(&state, user, meta, path.into_inner(), move |conn, cx, current, kind| {
        booking::cancel(conn, cx, current, kind, reason.as_deref())
    })
    .await
}

async fn staff_transition(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    id: String,
    to: Status,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::FrontDesk, Role::Clinician, Role::Admin])?;
    change(&state, user, meta, id, move |conn, cx, current, _| booking::transition(conn, cx, current, to)).await
}

#[utoipa::path(tag = "appointments", security(("bearer" = [])), params(("id" = String, Path, description = "The appointment id")),
    responses((status = 200, body = AppointmentView), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`", body = Problem, content_type = "application/problem+json")))]
#[post("/v1/appointments/{id}/arrive")]
pub async fn arrive(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    staff_transition(state, user, meta, path.into_inner(), Status::Arrived).await
}

#[utoipa::path(tag = "appointments", security(("bearer" = [])), params(("id" = String, Path, description = "The appointment id")),
    responses((status = 200, body = AppointmentView), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`", body = Problem, content_type = "application/problem+json")))]
#[post("/v1/appointments/{id}/no-show")]
pub async fn no_show(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    staff_transition(state, user, meta, path.into_inner(), Status::NoShow).await
}

#[utoipa::path(tag = "appointments", security(("bearer" = [])), params(("id" = String, Path, description = "The appointment id")),
    responses((status = 200, body = AppointmentView), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`", body = Problem, content_type = "application/problem+json")))]
#[post("/v1/appointments/{id}/complete")]
pub async fn complete(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    staff_transition(state, user, meta, path.into_inner(), Status::Completed).await
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

#[utoipa::path(tag = "appointments", security(("bearer" = [])), params(("id" = String, Path, description = "The appointment id")),
    responses((status = 200, body = History), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/v1/appointments/{id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let items = db::run(&state.pool, move |conn| {
        let row = visible(conn, &user, &id)?;
        let entry = AuditEntry::new("appointment.history", &meta).actor(&user.id, user.role);
        entry.patient(&row.patient_id).target(&id).write(conn)?;
        Ok(appointments::history(conn, &id)?)
    })
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppointmentQuery {
    #[param(pattern = r"^2[01][0-9]{2}-")]
    pub from: Option<DateTime<Utc>>,
    #[param(pattern = r"^2[01][0-9]{2}-")]
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
        let rows = appointments::list(conn, &filter, after, limit + 1)?;
        let shown = AuditEntry::new("appointment.list", &meta).actor(&user.id, user.role);
        let mut patients: Vec<&String> = rows.iter().take(limit as usize).map(|r| &r.patient_id).collect();
        patients.sort();
        patients.dedup();
        let entries: Vec<AuditEntry> = patients.into_iter().map(|p| shown.for_patient(p)).collect();
        crate::db::audit::write_all(conn, &entries)?;
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MyAppointmentsQuery {
    #[param(pattern = r"^2[01][0-9]{2}-")]
    pub from: Option<DateTime<Utc>>,
    pub status: Option<Status>,
}

#[utoipa::path(
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
    let ics = db::run(&state.pool, move |conn| {
        let row = visible(conn, &user, &id)?;
        let entry = AuditEntry::new("appointment.calendar", &meta).actor(&user.id, user.role);
        entry.patient(&row.patient_id).target(&id).write(conn)?;
        let clinic = clinic::settings(conn)?;
        Ok(notices::invitation(conn, &clinic, &notices, &row, db::now())?.0)
    })
    .await?;
    Ok(HttpResponse::Ok().content_type("text/calendar; charset=utf-8").body(ics))
}
