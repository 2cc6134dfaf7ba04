//! The admins' read of the audit log: newest first, filtered by patient, actor and action. The
//! read is itself audited, about the patient when it was filtered to one.

use chrono::NaiveDateTime;

use crate::auth::Actor;
use crate::db::audit::{self, AuditEntry, AuditFilter, AuditRow, Origin};
use crate::db::DbConnection;
use crate::error::ApiError;

/// Up to `limit` rows older than `before` (the time and id of the last row of the previous page),
/// and one more when a page follows.
pub fn read(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    filter: &AuditFilter,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<AuditRow>, ApiError> {
    let rows = audit::list(conn, filter, before, limit + 1)?;
    let mut entry = AuditEntry::new("audit.read", origin).actor(&actor.id, actor.role);
    if let Some(patient) = &filter.patient_id {
        entry = entry.patient(patient);
    }
    entry.write(conn)?;
    Ok(rows)
}
