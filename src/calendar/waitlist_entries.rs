//! Patients' wishes on the waitlist: joining it (a patient for themself, staff for a patient),
//! the list of those waiting, and leaving it. Each runs inside the caller's transaction and
//! writes its audit rows; offers made from the wishes are in [`super::waitlist`].

use chrono::{NaiveDate, NaiveDateTime};

use super::availability;
use crate::auth::Actor;
use crate::db::audit::{AuditEntry, Origin};
use crate::db::waitlist::{self, EntryRow};
use crate::db::{clinic, new_id, users, DbConnection};
use crate::domain::role::Role;
use crate::error::{ApiError, ProblemCode};

/// A wish, its dates, weekdays and local times checked by the caller.
pub struct Wish {
    /// The type's code or id.
    pub appointment_type: String,
    pub clinician_id: Option<String>,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    /// ISO weekdays; any day when empty.
    pub weekdays: Vec<u32>,
    pub earliest_minute: Option<i32>,
    pub latest_minute: Option<i32>,
    /// Staff only: whom the wish is for.
    pub patient_id: Option<String>,
}

/// Whom the wish is for: the patient themself, or the patient staff named.
fn patient_for(conn: &mut DbConnection, actor: &Actor, patient_id: Option<&str>) -> Result<String, ApiError> {
    match (actor.role, patient_id) {
        (Role::Patient, None) => Ok(actor.id.clone()),
        (Role::Patient, Some(id)) if id == actor.id => Ok(actor.id.clone()),
        (Role::FrontDesk | Role::Clinician | Role::Admin, Some(id)) => users::find(conn, id)?
            .filter(|p| p.role == Role::Patient.as_str())
            .map(|p| p.id)
            .ok_or_else(|| ApiError::field("patient_id", "unknown", "no such patient")),
        (Role::FrontDesk | Role::Clinician | Role::Admin, None) => {
            Err(ApiError::field("patient_id", "required", "staff add a wish for a patient"))
        }
        _ => Err(ApiError::Forbidden),
    }
}

pub fn join(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    wish: Wish,
    now: NaiveDateTime,
) -> Result<EntryRow, ApiError> {
    let patient_id = patient_for(conn, actor, wish.patient_id.as_deref())?;
    let kind = clinic::find_type(conn, &wish.appointment_type)?
        .filter(|k| !k.archived)
        .ok_or_else(|| ApiError::field("appointment_type", "unknown", "no such appointment type"))?;
    if actor.role == Role::Patient && !kind.patient_bookable {
        // An offer would book it: patients wait only for what they may book themselves.
        return Err(ApiError::conflict(
            ProblemCode::NotPatientBookable,
            "please call the clinic to wait for this type of visit",
        ));
    }
    if let Some(clinician) = wish.clinician_id.as_deref() {
        if availability::clinicians(conn, Some(clinician), Some(&kind.id))?.is_empty() {
            return Err(ApiError::field("clinician_id", "unknown", "no clinician offering this type has this id"));
        }
    }
    let row = EntryRow {
        id: new_id(),
        patient_id,
        appointment_type_id: kind.id,
        clinician_id: wish.clinician_id,
        from_date: wish.from_date,
        to_date: wish.to_date,
        weekdays: wish.weekdays.iter().map(u32::to_string).collect::<Vec<_>>().join(","),
        earliest_minute: wish.earliest_minute,
        latest_minute: wish.latest_minute,
        status: "waiting".into(),
        created_by: Some(actor.id.clone()),
        created_at: now,
        updated_at: now,
    };
    waitlist::insert_entry(conn, &row)?;
    AuditEntry::new("waitlist.join", origin)
        .actor(&actor.id, actor.role)
        .patient(&row.patient_id)
        .target(&row.id)
        .write(conn)?;
    Ok(row)
}

/// Waiting wishes, oldest first: one patient's, or everyone's with `None`.
pub fn waiting(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    only: Option<&str>,
) -> Result<Vec<EntryRow>, ApiError> {
    let rows = waitlist::waiting(conn, only, 500)?;
    super::audit_shown(conn, actor, origin, "waitlist.list", rows.iter().map(|r| r.patient_id.as_str()))?;
    Ok(rows)
}

/// Leaves the waitlist (staff for anyone, a patient their own), withdrawing open offers.
pub fn leave(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    id: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let entry = waitlist::find_entry(conn, id)?
        .filter(|e| actor.role.is_staff() || e.patient_id == actor.id)
        .ok_or(ApiError::NotFound)?;
    waitlist::set_entry_status(conn, &entry.id, "cancelled", now)?;
    waitlist::withdraw_offers(conn, &entry.id)?;
    AuditEntry::new("waitlist.leave", origin)
        .actor(&actor.id, actor.role)
        .patient(&entry.patient_id)
        .target(&entry.id)
        .write(conn)?;
    Ok(())
}
