//! Patients' wishes on the waitlist: joining it (a patient for themself, staff for a patient),
//! the list of those waiting, and leaving it. Each runs inside the caller's transaction and
//! writes its audit rows; offers made from the wishes are in [`super::waitlist`].

use chrono::{NaiveDate, NaiveDateTime};

use super::availability;
use crate::auth::Actor;
use crate::db::audit::{AuditEntry, Origin};
use crate::db::waitlist::{self, EntryRow, OfferRow};
use crate::db::{clinic, new_id, users, DbConnection};
use crate::domain::role::Role;
use crate::error::{ApiError, ProblemCode};

/// A wish as typed: the dates, weekdays and local times not yet checked.
pub struct WishAsTyped<'a> {
    pub appointment_type: String,
    pub clinician_id: Option<String>,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub weekdays: Vec<u32>,
    /// `HH:MM`, local.
    pub earliest: Option<&'a str>,
    pub latest: Option<&'a str>,
    pub patient_id: Option<String>,
}

fn minute(field: &str, raw: Option<&str>) -> Result<Option<i32>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    match crate::domain::local_time::time_of_day(raw) {
        Some(minute) => Ok(Some(minute as i32)),
        None => Err(ApiError::field(field, "invalid_format", "a time is HH:MM")),
    }
}

impl WishAsTyped<'_> {
    /// The wish checked: plausible dates, the end on or after the start and at most 180 days
    /// later, weekdays 1 to 7, times as `HH:MM`.
    pub fn check(self) -> Result<Wish, ApiError> {
        crate::error::fields::plausible_date("from_date", self.from_date)?;
        crate::error::fields::plausible_date("to_date", self.to_date)?;
        if self.to_date < self.from_date {
            return Err(ApiError::field("to_date", "before_start", "to_date is on or after from_date"));
        }
        if (self.to_date - self.from_date).num_days() > 180 {
            return Err(ApiError::field("to_date", "out_of_range", "a wish spans at most 180 days"));
        }
        if self.weekdays.iter().any(|d| !(1..=7).contains(d)) {
            return Err(ApiError::field("weekdays", "out_of_range", "1 (Monday) to 7 (Sunday)"));
        }
        Ok(Wish {
            earliest_minute: minute("earliest", self.earliest)?,
            latest_minute: minute("latest", self.latest)?,
            appointment_type: self.appointment_type,
            clinician_id: self.clinician_id,
            from_date: self.from_date,
            to_date: self.to_date,
            weekdays: self.weekdays,
            patient_id: self.patient_id,
        })
    }
}

/// A wish, its dates, weekdays and local times checked ([`WishAsTyped::check`]).
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

/// The waiting and offered wishes, oldest first (the first 500), each with its open offers:
/// what the front desk's waitlist screen shows. Audited as the list.
pub fn board(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
) -> Result<Vec<(EntryRow, Vec<OfferRow>)>, ApiError> {
    if !actor.role.is_staff() {
        return Err(ApiError::Forbidden);
    }
    let rows = waiting(conn, actor, origin, None)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut offers = waitlist::open_offers(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (mine, rest): (Vec<_>, Vec<_>) = offers.drain(..).partition(|o| o.entry_id == row.id);
            offers = rest;
            (row, mine)
        })
        .collect())
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
