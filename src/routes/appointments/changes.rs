//! Moving, cancelling and the front desk's status changes.

use actix_web::{post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{view, AppointmentView};
use crate::auth::Actor;
use crate::calendar::booking::{self, Context};
use crate::calendar::notices::Notices;
use crate::calendar::records;
use crate::calendar::series_changes::{self, MoveTo, Scope};
use crate::db::appointments::AppointmentRow;
use crate::db::audit::Origin;
use crate::db::clinic::AppointmentTypeRow;
use crate::db::{self, DbConnection};
use crate::domain::appointment::Status;
use crate::domain::role::Role;
use crate::error::fields::{free_text, plausible_instant};
use crate::error::{ApiError, Problem};
use crate::http::json::Json;
use crate::state::AppState;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct RescheduleRequest {
    #[schema(pattern = r"^20[0-9]{2}-")]
    pub start: DateTime<Utc>,
    /// Another clinician, or the same one when absent.
    pub clinician_id: Option<String>,
    /// Staff only: why the type's minimum notice or horizon may be passed (audited).
    #[schema(max_length = 500, pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$")]
    pub override_reason: Option<String>,
    /// `this` (the default) or `following`: in a series, this visit and every later one, each
    /// shifted by the same days and change of time; all move or none does.
    #[schema(pattern = "^(this|following)$")]
    pub scope: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct CancelRequest {
    /// At most 500 characters.
    #[schema(max_length = 500, pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$")]
    pub reason: Option<String>,
    /// `this` (the default) or `following`: in a series, this visit and every later one.
    #[schema(pattern = "^(this|following)$")]
    pub scope: Option<String>,
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
        let updated = records::change(conn, &notices, &user, &meta, &id, db::now().and_utc(), change)?;
        view(conn, &user, updated)
    })
    .await?;
    Ok(HttpResponse::Ok().json(updated))
}

#[utoipa::path(
    operation_id = "rescheduleAppointment",
    summary = "Move an appointment",
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
    let scope = Scope::parse(body.scope.as_deref())?;
    change(&state, user, meta, path.into_inner(), move |conn, cx, current, kind| {
        let to = MoveTo {
            start: body.start,
            clinician_id: body.clinician_id.as_deref(),
            override_reason: body.override_reason.as_deref(),
        };
        series_changes::reschedule(conn, cx, current, kind, to, scope)
    })
    .await
}

#[utoipa::path(
    operation_id = "cancelAppointment",
    summary = "Cancel an appointment",
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
    let body = body.into_inner();
    let reason = free_text("reason", body.reason.as_deref(), 500)?;
    let scope = Scope::parse(body.scope.as_deref())?;
    change(&state, user, meta, path.into_inner(), move |conn, cx, current, kind| {
        series_changes::cancel(conn, cx, current, kind, reason.as_deref(), scope)
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

/// The front desk's status changes: one handler each, the same answers, another status.
macro_rules! status_change {
    ($name:ident, $path:literal, $operation_id:literal, $summary:literal, $to:expr) => {
        #[utoipa::path(operation_id = $operation_id, summary = $summary, tag = "appointments", security(("bearer" = [])), params(("id" = String, Path, description = "The appointment id")),
            responses((status = 200, body = AppointmentView), (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "`invalid_transition`", body = Problem, content_type = "application/problem+json")))]
        #[post($path)]
        pub async fn $name(
            state: web::Data<AppState>,
            user: Actor,
            meta: Origin,
            path: web::Path<String>,
        ) -> Result<HttpResponse, ApiError> {
            staff_transition(state, user, meta, path.into_inner(), $to).await
        }
    };
}

status_change!(
    arrive,
    "/v1/appointments/{id}/arrive",
    "markAppointmentArrived",
    "Mark the patient arrived",
    Status::Arrived
);
status_change!(
    no_show,
    "/v1/appointments/{id}/no-show",
    "markAppointmentNoShow",
    "Mark an appointment a no-show",
    Status::NoShow
);
status_change!(
    complete,
    "/v1/appointments/{id}/complete",
    "completeAppointment",
    "Mark an appointment completed",
    Status::Completed
);
