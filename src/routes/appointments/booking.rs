//! Free starts and booking.

use std::collections::BTreeMap;

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{view, AppointmentView};
use crate::auth::Actor;
use crate::calendar::availability as free;
use crate::calendar::booking_request::{self, Asked};
use crate::calendar::notices::Notices;
use crate::db::audit::Origin;
use crate::db::{self, DbConnection};
use crate::domain::red_flags::Screening;
use crate::domain::role::Role;
use crate::domain::slots::Interval;
use crate::error::fields::{free_text, plausible_instant};
use crate::error::{ApiError, Problem};
use crate::http::json::Json;
use crate::idempotency::{self, Answer, IdempotencyKey, Retry};
use crate::routes::schedule::Period;
use crate::routes::views::RedFlagAdvice;
use crate::state::AppState;

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
    #[schema(schema_with = crate::http::schemas::time_zone)]
    pub time_zone: String,
    pub clinicians: Vec<ClinicianSlotsView>,
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    /// The type's code or id.
    pub appointment_type: String,
    /// From 2000 to 2099.
    #[param(pattern = r"^20[0-9]{2}-")]
    pub from: DateTime<Utc>,
    /// After `from`, and at most 31 days after it.
    #[param(pattern = r"^20[0-9]{2}-")]
    pub to: DateTime<Utc>,
    pub clinician_id: Option<String>,
}

#[utoipa::path(
    operation_id = "listAvailableSlots",
    summary = "Find free times",
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
    let window = Interval::new(query.from, query.to);
    let offered = db::run(&state.pool, move |conn| {
        let asked = query.clinician_id.as_deref();
        free::offered(conn, &user, &query.appointment_type, window, asked, Utc::now())
    })
    .await?;
    let response = AvailabilityResponse {
        appointment_type: offered.appointment_type.code,
        time_zone: offered.time_zone,
        clinicians: offered
            .clinicians
            .into_iter()
            .map(|c| ClinicianSlotsView {
                clinician_id: c.clinician.id,
                full_name: c.clinician.full_name,
                title: c.clinician.title,
                slots: c.slots.into_iter().map(|s| SlotView(s.into())).collect(),
            })
            .collect(),
    };
    Ok(HttpResponse::Ok().json(response))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct BookRequest {
    /// The type's code or id.
    pub appointment_type: String,
    #[schema(pattern = r"^20[0-9]{2}-")]
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

impl BookRequest {
    fn asked<'a>(&'a self, screening: &'a Screening) -> Asked<'a> {
        Asked {
            appointment_type: &self.appointment_type,
            start: self.start,
            clinician_id: self.clinician_id.as_deref(),
            patient_id: self.patient_id.as_deref(),
            reason: self.reason.clone(),
            override_reason: self.override_reason.clone(),
            screening,
        }
    }
}

/// A new booking's answer: the appointment, the red-flag advice for a positive answer, and the
/// warning of a visit booked past the payer's authorization.
fn booked_view(
    conn: &mut DbConnection,
    user: &Actor,
    row: crate::db::appointments::AppointmentRow,
    screening: &Screening,
) -> Result<AppointmentView, ApiError> {
    let overrun = crate::calendar::authorization_guard::overrun_of(conn, &row)?;
    let mut booked = view(conn, user, row)?;
    booked.authorization_warning = overrun.map(|b| b.code().to_string());
    booked.red_flag = RedFlagAdvice::of(screening);
    Ok(booked)
}

#[utoipa::path(
    operation_id = "bookAppointment",
    summary = "Book an appointment",
    tag = "appointments",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,200}$", description = "Retry-safe creation: a retry with the same key gets the same answer (1 to 200 visible ASCII characters)")),
    request_body = BookRequest,
    responses(
        (status = 201, body = AppointmentView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`slot_taken`, `not_patient_bookable`; in an episode with authorizations, `authorization_exceeded` or `outside_authorization` (staff may give an override reason; the clinic may warn instead)", body = Problem, content_type = "application/problem+json"),
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
    let key = req.headers().get("idempotency-key").map(|v| IdempotencyKey::parse(v.to_str().unwrap_or_default()));
    let key = key.transpose()?;
    let mut body = body.into_inner();
    plausible_instant("start", body.start)?;
    body.reason = free_text("reason", body.reason.as_deref(), 1000)?;
    body.override_reason = free_text("override_reason", body.override_reason.as_deref(), 500)?;
    let screening = match &body.red_flags {
        Some(answers) => Screening::parse(answers).map_err(|e| ApiError::invalid("red_flags", e))?,
        None => Screening::default(),
    };
    let retry = key.map(|key| Retry::new(&user.id, key, &body));
    let notices = Notices::from_config(&state.config);
    let answer = db::transaction(&state.pool, move |conn| {
        let now = db::now();
        let replayed =
            |conn: &mut DbConnection, answer: &Answer| booking_request::audit_replay(conn, &user, &meta, answer);
        idempotency::run(conn, retry.as_ref(), &meta, now, replayed, |conn| {
            let row = booking_request::book(conn, &notices, &user, &meta, now, body.asked(&screening))?;
            Ok(Answer::created(&booked_view(conn, &user, row, &screening)?))
        })
    })
    .await?;
    Ok(answer.respond())
}
