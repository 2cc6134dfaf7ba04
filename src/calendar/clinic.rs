//! The clinic's settings and its appointment types as admins change them: each change loaded,
//! edited, saved and audited inside the caller's write transaction. Field checks are the
//! caller's; the rows come back as saved.

use chrono::NaiveDateTime;

use crate::auth::Actor;
use crate::db::audit::{AuditEntry, Origin};
use crate::db::clinic::{self, AppointmentTypeRow, ClinicRow};
use crate::db::DbConnection;
use crate::error::{ApiError, ProblemCode};

pub fn save_settings(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    row: &ClinicRow,
) -> Result<ClinicRow, ApiError> {
    clinic::save_settings(conn, row)?;
    AuditEntry::new("clinic.update", origin).actor(&actor.id, actor.role).write(conn)?;
    Ok(clinic::settings(conn)?)
}

/// A new type; its code must be free (`409 code_taken`).
pub fn create_type(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    row: AppointmentTypeRow,
) -> Result<AppointmentTypeRow, ApiError> {
    if clinic::find_type(conn, &row.code)?.is_some() {
        return Err(ApiError::conflict(ProblemCode::CodeTaken, "another appointment type has this code"));
    }
    clinic::insert_type(conn, &row)?;
    AuditEntry::new("appointment_type.create", origin).actor(&actor.id, actor.role).target(&row.id).write(conn)?;
    Ok(row)
}

/// What an edit of a type records: its audit action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeChange {
    Update,
    Archive,
}

impl TypeChange {
    fn action(self) -> &'static str {
        match self {
            TypeChange::Update => "appointment_type.update",
            TypeChange::Archive => "appointment_type.archive",
        }
    }
}

/// Loads the type `id` (or code), lets `edit` change it, saves and audits it.
pub fn change_type(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    id: &str,
    change: TypeChange,
    edit: impl FnOnce(&mut AppointmentTypeRow) -> Result<(), ApiError>,
    now: NaiveDateTime,
) -> Result<AppointmentTypeRow, ApiError> {
    crate::db::catalogue::change(conn, actor, origin, id, change.action(), edit, now)
}

/// Archived types cannot be booked any more; existing appointments keep them.
pub fn archive_type(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    id: &str,
    now: NaiveDateTime,
) -> Result<AppointmentTypeRow, ApiError> {
    let archive = |row: &mut AppointmentTypeRow| {
        row.archived = true;
        Ok(())
    };
    change_type(conn, actor, origin, id, TypeChange::Archive, archive, now)
}
