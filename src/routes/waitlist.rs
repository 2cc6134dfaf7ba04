//! The waitlist: a patient (or the front desk for them) asks for an earlier time; when one frees
//! up, an emailed offer arrives, and the link in it takes the time.

use crate::http::json::Json;
use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::appointments::{views, AppointmentView};
use crate::auth::Actor;
use crate::calendar::waitlist_entries::{self, WishAsTyped};
use crate::db::audit::Origin;
use crate::db::waitlist::EntryRow;
use crate::db::{self, now};
use crate::domain::hours::hh_mm;
use crate::domain::role::Role;
use crate::error::{ApiError, Problem};
use crate::http::link_actions;
use crate::state::AppState;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct WaitlistRequest {
    /// The type's code or id.
    pub appointment_type: String,
    /// Any clinician when absent.
    pub clinician_id: Option<String>,
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub from_date: NaiveDate,
    /// On or after `from_date`.
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub to_date: NaiveDate,
    /// ISO weekdays that suit (1 = Monday); any day when absent or empty.
    #[serde(default)]
    #[schema(schema_with = crate::http::schemas::weekdays)]
    pub weekdays: Vec<u32>,
    /// Earliest local start that suits, `HH:MM`.
    #[schema(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub earliest: Option<String>,
    /// Latest local start that suits, `HH:MM`.
    #[schema(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub latest: Option<String>,
    /// Staff only: whom the wish is for.
    pub patient_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WaitlistEntry {
    pub id: String,
    pub patient_id: String,
    pub appointment_type_id: String,
    pub clinician_id: Option<String>,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub weekdays: Vec<u32>,
    pub earliest: Option<String>,
    pub latest: Option<String>,
    /// `waiting`, `offered`, `booked` or `cancelled`.
    pub status: String,
    pub created_at: DateTime<Utc>,
}

impl From<EntryRow> for WaitlistEntry {
    fn from(row: EntryRow) -> Self {
        Self {
            weekdays: row.weekday_list(),
            earliest: row.earliest_minute.map(hh_mm),
            latest: row.latest_minute.map(hh_mm),
            id: row.id,
            patient_id: row.patient_id,
            appointment_type_id: row.appointment_type_id,
            clinician_id: row.clinician_id,
            from_date: row.from_date,
            to_date: row.to_date,
            status: row.status,
            created_at: row.created_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WaitlistPage {
    pub items: Vec<WaitlistEntry>,
}

#[utoipa::path(
    operation_id = "joinWaitlist",
    summary = "Join the waitlist",
    tag = "waitlist",
    security(("bearer" = [])),
    request_body = WaitlistRequest,
    responses(
        (status = 201, body = WaitlistEntry),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not_patient_bookable`: patients wait only for types they may book", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/waitlist")]
pub async fn join(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    body: Json<WaitlistRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let wish = WishAsTyped {
        appointment_type: body.appointment_type,
        clinician_id: body.clinician_id,
        from_date: body.from_date,
        to_date: body.to_date,
        weekdays: body.weekdays,
        earliest: body.earliest.as_deref(),
        latest: body.latest.as_deref(),
        patient_id: body.patient_id,
    }
    .check()?;
    let row = db::transaction(&state.pool, move |conn| waitlist_entries::join(conn, &user, &meta, wish, now())).await?;
    Ok(HttpResponse::Created().json(WaitlistEntry::from(row)))
}

#[utoipa::path(
    operation_id = "listWaitlist",
    summary = "List waitlist entries",
    tag = "waitlist",
    security(("bearer" = [])),
    responses((status = 200, description = "Waiting wishes, oldest first (a patient sees their own)", body = WaitlistPage),
        (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[get("/v1/waitlist")]
pub async fn list(state: web::Data<AppState>, user: Actor, meta: Origin) -> Result<HttpResponse, ApiError> {
    let only = match user.role {
        Role::Patient => Some(user.id.clone()),
        Role::FrontDesk | Role::Clinician | Role::Admin => None,
        Role::Worker => return Err(ApiError::Forbidden),
    };
    let rows = db::run(&state.pool, move |conn| waitlist_entries::waiting(conn, &user, &meta, only.as_deref())).await?;
    Ok(HttpResponse::Ok().json(WaitlistPage { items: rows.into_iter().map(WaitlistEntry::from).collect() }))
}

#[utoipa::path(
    operation_id = "leaveWaitlist",
    summary = "Leave the waitlist",
    tag = "waitlist",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The waitlist entry id")),
    responses((status = 204, description = "Left the waitlist"), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[delete("/v1/waitlist/{id}")]
pub async fn leave(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    db::transaction(&state.pool, move |conn| waitlist_entries::leave(conn, &user, &meta, &id, now())).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Takes an offered time. The token from the email is the credential: no sign-in needed.
#[utoipa::path(
    operation_id = "acceptWaitlistOffer",
    summary = "Accept a waitlist offer",
    security(),
    tag = "waitlist",
    params(("token" = String, Path, description = "The token from the offer email")),
    responses(
        (status = 201, description = "Booked", body = AppointmentView),
        (status = 400, description = "Unknown, lapsed or used offer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`slot_taken`: someone else booked it meanwhile", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/waitlist/offers/{token}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    meta: Origin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = link_actions::accept_offer(&state, meta, path.into_inner()).await?;
    let view = db::run(&state.pool, move |conn| {
        let viewer = Actor { id: row.patient_id.clone(), role: Role::Patient };
        views(conn, &viewer, vec![row])?.pop().ok_or(ApiError::NotFound)
    })
    .await?;
    Ok(HttpResponse::Created().json(view))
}
