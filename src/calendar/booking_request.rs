//! A booking as the API asks for it: the type by code or id, whom it is for, the red-flag
//! answers given with it. Resolves them, books (see [`super::booking::book`]) and raises the
//! red-flag alert, inside the caller's transaction (a savepoint of [`crate::idempotency::run`]).

use chrono::{DateTime, NaiveDateTime, Utc};

use super::booking::{self, Context, NewBooking};
use super::notices::Notices;
use crate::auth::Actor;
use crate::clinical::alerts::raise_red_flag;
use crate::db::appointments::AppointmentRow;
use crate::db::audit::{AuditEntry, Origin};
use crate::db::clinic::{self, AppointmentTypeRow};
use crate::db::users::{self, UserRow};
use crate::db::DbConnection;
use crate::domain::red_flags::Screening;
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::idempotency::Answer;

/// The type asked for by its code or id; unknown is a 422 on `appointment_type`.
pub fn appointment_type(conn: &mut DbConnection, code: &str) -> Result<AppointmentTypeRow, ApiError> {
    clinic::find_type(conn, code)?
        .ok_or_else(|| ApiError::field("appointment_type", "unknown", "no such appointment type"))
}

/// Who the booking is for: the patient themself, or the patient staff named.
fn patient_for(conn: &mut DbConnection, actor: &Actor, patient_id: Option<&str>) -> Result<UserRow, ApiError> {
    let id = match (actor.role, patient_id) {
        (Role::Patient, None) => actor.id.as_str(),
        (Role::Patient, Some(id)) if id == actor.id => id,
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

/// What was asked, checked for shape by the caller.
pub struct Asked<'a> {
    pub appointment_type: &'a str,
    pub start: DateTime<Utc>,
    pub clinician_id: Option<&'a str>,
    pub patient_id: Option<&'a str>,
    pub reason: Option<String>,
    pub override_reason: Option<String>,
    pub screening: &'a Screening,
}

pub fn book(
    conn: &mut DbConnection,
    notices: &Notices,
    actor: &Actor,
    origin: &Origin,
    now: NaiveDateTime,
    asked: Asked,
) -> Result<AppointmentRow, ApiError> {
    let clinic = clinic::settings(conn)?;
    let kind = appointment_type(conn, asked.appointment_type)?;
    let patient = patient_for(conn, actor, asked.patient_id)?;
    let booking = NewBooking {
        appointment_type: &kind,
        start: asked.start,
        clinician_id: asked.clinician_id,
        patient: &patient,
        reason: asked.reason,
        override_reason: asked.override_reason,
        offered: false,
        series_id: None,
    };
    let cx = Context { clinic: &clinic, notices, actor, origin, now: now.and_utc() };
    let row = booking::book(conn, &cx, booking)?;
    if let Some(severity) = asked.screening.severity() {
        raise_red_flag(conn, &notices.public_url, &patient.id, severity, &asked.screening.positive, now)?;
    }
    Ok(row)
}

/// A replayed answer shows the appointment again: that read is audited too.
pub fn audit_replay(conn: &mut DbConnection, actor: &Actor, origin: &Origin, answer: &Answer) -> Result<(), ApiError> {
    let patient = serde_json::from_str::<serde_json::Value>(&answer.body)
        .ok()
        .and_then(|v| v["patient_id"].as_str().map(str::to_string));
    let mut entry = AuditEntry::new("appointment.create_replay", origin).actor(&actor.id, actor.role);
    if let Some(patient) = &patient {
        entry = entry.patient(patient);
    }
    entry.write(conn)?;
    Ok(())
}
