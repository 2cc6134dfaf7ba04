//! The clinic's catalogues that admins and clinicians edit in place (appointment types, the
//! exercise library): an entry is found by its id or its code, changed, saved and audited in one
//! step, inside the caller's transaction.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::audit::{AuditEntry, Origin};
use super::clinic::{self, AppointmentTypeRow};
use super::exercises::{self, ExerciseRow};
use super::DbConnection;
use crate::auth::Actor;
use crate::error::ApiError;

/// An entry of a catalogue.
pub trait CatalogueEntry: Sized {
    /// By id, or by the code people use (a type's code, an exercise's slug).
    fn find(conn: &mut DbConnection, id_or_code: &str) -> QueryResult<Option<Self>>;
    fn save(&self, conn: &mut DbConnection) -> QueryResult<()>;
    fn id(&self) -> &str;
    fn touch(&mut self, now: NaiveDateTime);
}

/// Loads the entry `id_or_code`, lets `edit` change it, saves it and audits `action`; an unknown
/// entry is not found.
pub fn change<E: CatalogueEntry>(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    id_or_code: &str,
    action: &str,
    edit: impl FnOnce(&mut E) -> Result<(), ApiError>,
    now: NaiveDateTime,
) -> Result<E, ApiError> {
    let mut entry = E::find(conn, id_or_code)?.ok_or(ApiError::NotFound)?;
    edit(&mut entry)?;
    entry.touch(now);
    entry.save(conn)?;
    AuditEntry::new(action, origin).actor(&actor.id, actor.role).target(entry.id()).write(conn)?;
    Ok(entry)
}

impl CatalogueEntry for AppointmentTypeRow {
    fn find(conn: &mut DbConnection, id_or_code: &str) -> QueryResult<Option<Self>> {
        clinic::find_type(conn, id_or_code)
    }

    fn save(&self, conn: &mut DbConnection) -> QueryResult<()> {
        clinic::save_type(conn, self)
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn touch(&mut self, now: NaiveDateTime) {
        self.updated_at = now;
    }
}

impl CatalogueEntry for ExerciseRow {
    fn find(conn: &mut DbConnection, id_or_slug: &str) -> QueryResult<Option<Self>> {
        exercises::find(conn, id_or_slug)
    }

    fn save(&self, conn: &mut DbConnection) -> QueryResult<()> {
        exercises::save(conn, self)
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn touch(&mut self, now: NaiveDateTime) {
        self.updated_at = now;
    }
}
