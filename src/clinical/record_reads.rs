//! Reading one part of a patient's record: open it (who may, see [`super::access`]) and audit the
//! read under the part's own action, in the caller's transaction.

use super::access::{open_record, AccessReason};
use crate::auth::Actor;
use crate::db::audit::{AuditEntry, Origin};
use crate::db::users::UserRow;
use crate::db::DbConnection;
use crate::error::ApiError;

/// The patient whose record `actor` opens to read a part of it, the read audited as `action`.
pub fn open_to_read(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    patient_id: &str,
    action: &'static str,
) -> Result<UserRow, ApiError> {
    let patient = open_record(conn, actor, patient_id, reason, origin)?;
    AuditEntry::new(action, origin).actor(&actor.id, actor.role).patient(&patient.id).write(conn)?;
    Ok(patient)
}
