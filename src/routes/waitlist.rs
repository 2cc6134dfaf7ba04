//! The waitlist: a patient (or the front desk for them) asks for an earlier time; when one frees
//! up, an emailed offer arrives, and the link in it takes the time.

use crate::http::json::Json;
use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::appointments::{views, AppointmentView};
use crate::auth::Actor;
use crate::calendar::availability as free;
use crate::calendar::notices::Notices;
use crate::calendar::waitlist as offers;
use crate::db::audit::AuditEntry;
use crate::db::audit::Origin;
use crate::db::waitlist::{self, EntryRow};
use crate::db::{self, clinic, now, users};
use crate::domain::role::Role;
use crate::error::{ApiError, Problem, ProblemCode};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct WaitlistRequest {
    /// The type's code or id.
    pub appointment_type: String,
    /// Any clinician when absent.
    pub clinician_id: Option<String>,
    #[schema(pattern = r"^2[01][0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub from_date: NaiveDate,
    /// On or after `from_date`.
    #[schema(pattern = r"^2[01][0-9]{2}-[0-9]{2}-[0-9]{2}$")]
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

fn hh_mm(minute: Option<i32>) -> Option<String> {
    minute.map(|m| format!("{:02}:{:02}", m / 60, m % 60))
}

impl From<EntryRow> for WaitlistEntry {
    fn from(row: EntryRow) -> Self {
        Self {
            weekdays: row.weekday_list(),
            earliest: hh_mm(row.earliest_minute),
            latest: hh_mm(row.latest_minute),
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

fn minute(field: &str, raw: Option<&str>) -> Result<Option<i32>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    match crate::domain::local_time::time_of_day(raw) {
        Some(minute) => Ok(Some(minute as i32)),
        None => Err(ApiError::field(field, "invalid_format", "a time is HH:MM")),
    }
}

#[utoipa::path(
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
    crate::error::fields::plausible_date("from_date", body.from_date)?;
    crate::error::fields::plausible_date("to_date", body.to_date)?;
    if body.to_date < body.from_date {
        return Err(ApiError::field("to_date", "before_start", "to_date is on or after from_date"));
    }
    if (body.to_date - body.from_date).num_days() > 180 {
        return Err(ApiError::field("to_date", "out_of_range", "a wish spans at most 180 days"));
    }
    if body.weekdays.iter().any(|d| !(1..=7).contains(d)) {
        return Err(ApiError::field("weekdays", "out_of_range", "1 (Monday) to 7 (Sunday)"));
    }
    let (earliest, latest) = (minute("earliest", body.earliest.as_deref())?, minute("latest", body.latest.as_deref())?);
    let row = db::transaction(&state.pool, move |conn| {
        let patient_id = match (user.role, body.patient_id.as_deref()) {
            (Role::Patient, None) => user.id.clone(),
            (Role::Patient, Some(id)) if id == user.id => user.id.clone(),
            (Role::FrontDesk | Role::Clinician | Role::Admin, Some(id)) => users::find(conn, id)?
                .filter(|p| p.role == Role::Patient.as_str())
                .map(|p| p.id)
                .ok_or_else(|| ApiError::field("patient_id", "unknown", "no such patient"))?,
            (Role::FrontDesk | Role::Clinician | Role::Admin, None) => {
                return Err(ApiError::field("patient_id", "required", "staff add a wish for a patient"))
            }
            _ => return Err(ApiError::Forbidden),
        };
        let kind = clinic::find_type(conn, &body.appointment_type)?
            .filter(|k| !k.archived)
            .ok_or_else(|| ApiError::field("appointment_type", "unknown", "no such appointment type"))?;
        if user.role == Role::Patient && !kind.patient_bookable {
            // An offer would book it: patients wait only for what they may book themselves.
            return Err(ApiError::conflict(
                ProblemCode::NotPatientBookable,
                "please call the clinic to wait for this type of visit",
            ));
        }
        if let Some(clinician) = body.clinician_id.as_deref() {
            if free::clinicians(conn, Some(clinician), Some(&kind.id))?.is_empty() {
                return Err(ApiError::field("clinician_id", "unknown", "no clinician offering this type has this id"));
            }
        }
        let now = now();
        let row = EntryRow {
            id: db::new_id(),
            patient_id,
            appointment_type_id: kind.id,
            clinician_id: body.clinician_id.clone(),
            from_date: body.from_date,
            to_date: body.to_date,
            weekdays: body.weekdays.iter().map(u32::to_string).collect::<Vec<_>>().join(","),
            earliest_minute: earliest,
            latest_minute: latest,
            status: "waiting".into(),
            created_by: Some(user.id.clone()),
            created_at: now,
            updated_at: now,
        };
        waitlist::insert_entry(conn, &row)?;
        AuditEntry::new("waitlist.join", &meta)
            .actor(&user.id, user.role)
            .patient(&row.patient_id)
            .target(&row.id)
            .write(conn)?;
        Ok(row)
    })
    .await?;
    Ok(HttpResponse::Created().json(WaitlistEntry::from(row)))
}

#[utoipa::path(
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
    let rows = db::run(&state.pool, move |conn| {
        let rows = waitlist::waiting(conn, only.as_deref(), 500)?;
        let shown = AuditEntry::new("waitlist.list", &meta).actor(&user.id, user.role);
        let mut patients: Vec<&String> = rows.iter().map(|r| &r.patient_id).collect();
        patients.sort();
        patients.dedup();
        crate::db::audit::write_all(conn, &patients.into_iter().map(|p| shown.for_patient(p)).collect::<Vec<_>>())?;
        Ok(rows)
    })
    .await?;
    Ok(HttpResponse::Ok().json(WaitlistPage { items: rows.into_iter().map(WaitlistEntry::from).collect() }))
}

#[utoipa::path(
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
    db::transaction(&state.pool, move |conn| {
        let entry = waitlist::find_entry(conn, &id)?
            .filter(|e| user.role.is_staff() || e.patient_id == user.id)
            .ok_or(ApiError::NotFound)?;
        waitlist::set_entry_status(conn, &entry.id, "cancelled", now())?;
        waitlist::withdraw_offers(conn, &entry.id)?;
        AuditEntry::new("waitlist.leave", &meta)
            .actor(&user.id, user.role)
            .patient(&entry.patient_id)
            .target(&entry.id)
            .write(conn)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Takes an offered time. The token from the email is the credential: no sign-in needed.
#[utoipa::path(
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
    let token = path.into_inner();
    let notices = Notices::from_config(&state.config);
    let view = db::transaction(&state.pool, move |conn| {
        let row = offers::accept(conn, &notices, &meta, &token, Utc::now())?;
        let viewer = Actor { id: row.patient_id.clone(), role: Role::Patient };
        views(conn, &viewer, vec![row])?.pop().ok_or(ApiError::NotFound)
    })
    .await?;
    Ok(HttpResponse::Created().json(view))
}
