//! Clinicians and their time: weekly hours in clinic-local time, exceptions (time off, extra
//! hours), and the appointment types each offers. A clinician edits their own; admins and the
//! front desk edit anyone's.

use crate::http::json::Json;
use actix_web::{delete, get, post, put, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::calendar::availability::{self as free, Clinician};
use crate::db::audit::AuditEntry;
use crate::db::audit::Origin;
use crate::db::availability::{self as hours, ExceptionRow, NewRule};
use crate::db::{self, clinic, now, DbConnection};
use crate::domain::role::Role;
use crate::domain::Invalid;
use crate::error::fields::Checks;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct ClinicianView {
    pub id: String,
    pub full_name: String,
    pub title: Option<String>,
    /// Codes of the appointment types they offer.
    pub appointment_types: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClinicianList {
    pub items: Vec<ClinicianView>,
}

#[utoipa::path(
    tag = "clinicians",
    security(("bearer" = [])),
    responses(
        (status = 200, body = ClinicianList),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/clinicians")]
pub async fn list_clinicians(state: web::Data<AppState>, _user: Actor) -> Result<HttpResponse, ApiError> {
    let items = db::run(&state.pool, |conn| {
        let people = free::clinicians(conn, None, None)?;
        let types = clinic::types(conn, false)?;
        let services = clinic::all_services(conn)?;
        Ok(people
            .into_iter()
            .map(|Clinician { id, full_name, title }| {
                let offered: Vec<&String> = services.iter().filter(|(c, _)| *c == id).map(|(_, t)| t).collect();
                let appointment_types = types
                    .iter()
                    .filter(|t| offered.is_empty() || offered.contains(&&t.id))
                    .map(|t| t.code.clone())
                    .collect();
                ClinicianView { id, full_name, title, appointment_types }
            })
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(HttpResponse::Ok().json(ClinicianList { items }))
}

/// The clinician `id`, if `user` may change their calendar.
fn editable(conn: &mut DbConnection, user: &Actor, id: &str) -> Result<Clinician, ApiError> {
    let allowed = matches!(user.role, Role::Admin | Role::FrontDesk) || (user.role == Role::Clinician && user.id == id);
    if !allowed {
        return Err(if user.role == Role::Clinician { ApiError::Forbidden } else { ApiError::NotFound });
    }
    free::clinicians(conn, Some(id), None)?.into_iter().next().ok_or(ApiError::NotFound)
}

/// One weekly period, in the clinic's local time.
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
pub struct WeeklyHours {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    #[schema(minimum = 1, maximum = 7)]
    pub weekday: i32,
    /// `HH:MM`, local.
    #[schema(pattern = r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    pub start: String,
    /// `HH:MM`, local; `24:00` for midnight at the end of the day. After `start`.
    #[schema(pattern = r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    pub end: String,
    #[schema(pattern = r"^2[01][0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub valid_from: Option<NaiveDate>,
    /// On or after `valid_from`.
    #[schema(pattern = r"^2[01][0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Availability {
    /// At most 70 weekly periods.
    #[schema(max_items = 70)]
    pub rules: Vec<WeeklyHours>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AvailabilityView {
    pub clinician_id: String,
    /// The clinic's zone, in which the hours are meant.
    pub time_zone: String,
    pub rules: Vec<WeeklyHours>,
    /// Exceptions from now on.
    pub exceptions: Vec<ExceptionView>,
}

fn minute_of(raw: &str) -> Result<i32, Invalid> {
    crate::domain::local_time::parse_hh_mm(raw)
        .map(|minute| minute as i32)
        .ok_or_else(|| Invalid::new("invalid_format", "a time is HH:MM, 00:00 to 24:00"))
}

fn hh_mm(minute: i32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

async fn availability_view(state: &AppState, clinician_id: String) -> Result<AvailabilityView, ApiError> {
    db::run(&state.pool, move |conn| {
        let clinic = clinic::settings(conn)?;
        let rules = hours::rules(conn, std::slice::from_ref(&clinician_id))?;
        let far = now() + chrono::Duration::days(3650);
        let exceptions = hours::exceptions(conn, std::slice::from_ref(&clinician_id), now(), far)?;
        Ok(AvailabilityView {
            time_zone: clinic.time_zone,
            rules: rules
                .into_iter()
                .map(|r| WeeklyHours {
                    weekday: r.weekday,
                    start: hh_mm(r.start_minute),
                    end: hh_mm(r.end_minute),
                    valid_from: r.valid_from,
                    valid_until: r.valid_until,
                })
                .collect(),
            exceptions: exceptions.into_iter().map(ExceptionView::from).collect(),
            clinician_id,
        })
    })
    .await
}

#[utoipa::path(
    tag = "clinicians",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The clinician's user id")),
    responses(
        (status = 200, body = AvailabilityView),
        (status = 403, description = "A clinician asking for another clinician's hours", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/clinicians/{id}/availability")]
pub async fn get_availability(
    state: web::Data<AppState>,
    user: Actor,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let check = id.clone();
    db::run(&state.pool, move |conn| editable(conn, &user, &check).map(|_| ())).await?;
    Ok(HttpResponse::Ok().json(availability_view(&state, id).await?))
}

#[utoipa::path(
    tag = "clinicians",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The clinician's user id")),
    request_body = Availability,
    responses(
        (status = 200, description = "The weekly hours now in force", body = AvailabilityView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/clinicians/{id}/availability")]
pub async fn put_availability(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
    body: Json<Availability>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let body = body.into_inner();
    let mut checks = Checks::default();
    if body.rules.len() > 70 {
        checks.fail("rules", "too_many", "at most 70 weekly periods");
    }
    let mut rules = Vec::new();
    for (i, rule) in body.rules.iter().enumerate() {
        let weekday = checks.field(
            &format!("rules[{i}].weekday"),
            if (1..=7).contains(&rule.weekday) {
                Ok(rule.weekday)
            } else {
                Err(Invalid::new("out_of_range", "1 (Monday) to 7 (Sunday)"))
            },
        );
        let start = checks.field(&format!("rules[{i}].start"), minute_of(&rule.start));
        let end = checks.field(&format!("rules[{i}].end"), minute_of(&rule.end));
        if let (Some(start), Some(end)) = (start, end) {
            if start >= end {
                checks.fail(&format!("rules[{i}].end"), "before_start", "the end is after the start");
            }
        }
        for (name, date) in [("valid_from", rule.valid_from), ("valid_until", rule.valid_until)] {
            if let Some(Err(ApiError::Validation(errors))) = date.map(|d| crate::error::fields::plausible_date(name, d))
            {
                for e in errors {
                    checks.fail(&format!("rules[{i}].{}", e.field), "out_of_range", &e.message);
                }
            }
        }
        if let (Some(from), Some(until)) = (rule.valid_from, rule.valid_until) {
            if from > until {
                checks.fail(
                    &format!("rules[{i}].valid_until"),
                    "before_start",
                    "valid_until is on or after valid_from",
                );
            }
        }
        if let (Some(weekday), Some(start_minute), Some(end_minute)) = (weekday, start, end) {
            rules.push(NewRule {
                weekday,
                start_minute,
                end_minute,
                valid_from: rule.valid_from,
                valid_until: rule.valid_until,
            });
        }
    }
    checks.finish(|| Some(()))?;
    let target = id.clone();
    db::transaction(&state.pool, move |conn| {
        editable(conn, &user, &target)?;
        hours::replace_rules(conn, &target, &rules, now())?;
        AuditEntry::new("clinician.availability", &meta).actor(&user.id, user.role).target(&target).write(conn)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Ok().json(availability_view(&state, id).await?))
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    TimeOff,
    ExtraHours,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewException {
    pub kind: ExceptionKind,
    #[schema(pattern = r"^2[01][0-9]{2}-")]
    pub starts_at: DateTime<Utc>,
    /// After `starts_at`.
    #[schema(pattern = r"^2[01][0-9]{2}-")]
    pub ends_at: DateTime<Utc>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExceptionView {
    pub id: String,
    pub kind: ExceptionKind,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub note: Option<String>,
}

impl From<ExceptionRow> for ExceptionView {
    fn from(row: ExceptionRow) -> Self {
        Self {
            kind: if row.kind == "extra_hours" { ExceptionKind::ExtraHours } else { ExceptionKind::TimeOff },
            id: row.id,
            starts_at: row.starts_at.and_utc(),
            ends_at: row.ends_at.and_utc(),
            note: row.note,
        }
    }
}

#[utoipa::path(
    tag = "clinicians",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The clinician's user id")),
    request_body = NewException,
    responses(
        (status = 201, body = ExceptionView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/clinicians/{id}/exceptions")]
pub async fn add_exception(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
    body: Json<NewException>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let body = body.into_inner();
    crate::error::fields::plausible_instant("starts_at", body.starts_at)?;
    crate::error::fields::plausible_instant("ends_at", body.ends_at)?;
    if body.ends_at <= body.starts_at {
        return Err(ApiError::field("ends_at", "before_start", "the end is after the start"));
    }
    if body.ends_at - body.starts_at > chrono::Duration::days(366) {
        return Err(ApiError::field("ends_at", "out_of_range", "an exception lasts at most a year"));
    }
    let note = match body.note.as_deref().map(str::trim) {
        Some(note) if note.chars().count() > 200 || note.chars().any(char::is_control) => {
            return Err(ApiError::field("note", "invalid_format", "at most 200 characters, no control characters"))
        }
        other => other.filter(|n| !n.is_empty()).map(str::to_string),
    };
    let row = db::transaction(&state.pool, move |conn| {
        editable(conn, &user, &id)?;
        let row = ExceptionRow {
            id: db::new_id(),
            clinician_id: id.clone(),
            kind: if body.kind == ExceptionKind::ExtraHours { "extra_hours" } else { "time_off" }.into(),
            starts_at: body.starts_at.naive_utc(),
            ends_at: body.ends_at.naive_utc(),
            note,
            created_by: Some(user.id.clone()),
            created_at: now(),
        };
        hours::insert_exception(conn, &row)?;
        AuditEntry::new("clinician.exception_add", &meta).actor(&user.id, user.role).target(&row.id).write(conn)?;
        Ok(row)
    })
    .await?;
    Ok(HttpResponse::Created().json(ExceptionView::from(row)))
}

#[utoipa::path(
    tag = "clinicians",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The clinician's user id"),
        ("eid" = String, Path, description = "The exception's id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/v1/clinicians/{id}/exceptions/{eid}")]
pub async fn delete_exception(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, eid) = path.into_inner();
    db::transaction(&state.pool, move |conn| {
        editable(conn, &user, &id)?;
        if !hours::delete_exception(conn, &id, &eid)? {
            return Err(ApiError::NotFound);
        }
        AuditEntry::new("clinician.exception_delete", &meta).actor(&user.id, user.role).target(&eid).write(conn)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Services {
    /// Codes (or ids) of the types the clinician offers (a set: repeats count once); empty
    /// means every type.
    pub appointment_types: Vec<String>,
}

#[utoipa::path(
    tag = "clinicians",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The clinician's user id")),
    request_body = Services,
    responses(
        (status = 204, description = "Saved"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/clinicians/{id}/services")]
pub async fn put_services(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
    body: Json<Services>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Admin])?;
    let id = path.into_inner();
    let wanted = body.into_inner().appointment_types;
    db::transaction(&state.pool, move |conn| {
        editable(conn, &user, &id)?;
        let mut ids = Vec::new();
        for (i, code) in wanted.iter().enumerate() {
            let kind = clinic::find_type(conn, code)?.ok_or_else(|| {
                ApiError::field(&format!("appointment_types[{i}]"), "unknown", "no such appointment type")
            })?;
            // A set: a type named twice (or by its code and its id) is offered once.
            if !ids.contains(&kind.id) {
                ids.push(kind.id);
            }
        }
        clinic::set_services(conn, &id, &ids)?;
        AuditEntry::new("clinician.services", &meta).actor(&user.id, user.role).target(&id).write(conn)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
