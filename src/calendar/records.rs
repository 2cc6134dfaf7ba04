//! Reading appointments: who may see which (staff any, a patient their own), each read audited
//! for the patient it shows. Runs inside the caller's connection or transaction.

use chrono::NaiveDateTime;

use super::notices::{self, Notices};
use crate::auth::Actor;
use crate::db::appointments::{self, AppointmentFilter, AppointmentRow, EventRow};
use crate::db::audit::{AuditEntry, Origin, Outcome};
use crate::db::clinic::{self, AppointmentTypeRow, ClinicRow};
use crate::db::DbConnection;
use crate::domain::role::Role;
use crate::error::ApiError;

/// The appointment, if `actor` may see it.
fn visible_row(conn: &mut DbConnection, actor: &Actor, id: &str) -> Result<Option<AppointmentRow>, ApiError> {
    let row = appointments::find(conn, id)?;
    Ok(row.filter(|row| match actor.role {
        Role::Patient => row.patient_id == actor.id,
        Role::FrontDesk | Role::Clinician | Role::Admin => true,
        Role::Worker => false,
    }))
}

fn visible(conn: &mut DbConnection, actor: &Actor, id: &str) -> Result<AppointmentRow, ApiError> {
    visible_row(conn, actor, id)?.ok_or(ApiError::NotFound)
}

/// The appointment; a look at one not there (or not theirs) is audited as not found.
pub fn read(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    id: &str,
) -> Result<Option<AppointmentRow>, ApiError> {
    let entry = AuditEntry::new("appointment.read", origin).actor(&actor.id, actor.role).target(id);
    let row = visible_row(conn, actor, id)?;
    match &row {
        Some(row) => entry.patient(&row.patient_id).write(conn)?,
        None => entry.outcome(Outcome::NotFound).write(conn)?,
    }
    Ok(row)
}

/// A visible appointment about to change, with the clinic and its type.
fn for_change(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
) -> Result<(AppointmentRow, ClinicRow, AppointmentTypeRow), ApiError> {
    let current = visible(conn, actor, id)?;
    let clinic = clinic::settings(conn)?;
    let kind = clinic::find_type(conn, &current.appointment_type_id)?.ok_or(ApiError::NotFound)?;
    Ok((current, clinic, kind))
}

/// Runs `change` on the visible appointment `id` with the booking context built once, inside the
/// caller's write transaction: the one way the API and the console move, cancel and mark visits.
pub fn change(
    conn: &mut DbConnection,
    notices: &Notices,
    actor: &Actor,
    origin: &Origin,
    id: &str,
    now: chrono::DateTime<chrono::Utc>,
    change: impl FnOnce(
        &mut DbConnection,
        &super::booking::Context,
        &AppointmentRow,
        &AppointmentTypeRow,
    ) -> Result<AppointmentRow, ApiError>,
) -> Result<AppointmentRow, ApiError> {
    let (current, clinic, kind) = for_change(conn, actor, id)?;
    let cx = super::booking::Context { clinic: &clinic, notices, actor, origin, now };
    change(conn, &cx, &current, &kind)
}

pub fn history(conn: &mut DbConnection, actor: &Actor, origin: &Origin, id: &str) -> Result<Vec<EventRow>, ApiError> {
    let row = visible(conn, actor, id)?;
    let entry = AuditEntry::new("appointment.history", origin).actor(&actor.id, actor.role);
    entry.patient(&row.patient_id).target(id).write(conn)?;
    Ok(appointments::history(conn, id)?)
}

/// The appointment's iCalendar file (METHOD:CANCEL once cancelled).
pub fn calendar_file(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    notices: &Notices,
    id: &str,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let row = visible(conn, actor, id)?;
    let entry = AuditEntry::new("appointment.calendar", origin).actor(&actor.id, actor.role);
    entry.patient(&row.patient_id).target(id).write(conn)?;
    let clinic = clinic::settings(conn)?;
    Ok(notices::invitation(conn, &clinic, notices, &row, now)?.0)
}

/// One page by start time, and one more row to tell whether another page follows; the page's
/// patients are audited as shown.
pub fn page(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    filter: &AppointmentFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<AppointmentRow>, ApiError> {
    let rows = appointments::list(conn, filter, after, limit + 1)?;
    let shown = rows.iter().take(limit as usize).map(|r| r.patient_id.as_str());
    super::audit_shown(conn, actor, origin, "appointment.list", shown)?;
    Ok(rows)
}
