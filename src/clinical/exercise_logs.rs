//! Sessions the patient logs from the phone (offline-first: the phone makes the id, so a log
//! sent twice is stored once, the later copy replacing the earlier), and reading them back.

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};

use super::access::read_record;
use super::access::AccessReason;
use super::earlier_copy;
use crate::auth::Actor;
use crate::db::audit::{AuditEntry, Origin};
use crate::db::exercise_logs::{self, LogRow};
use crate::db::phone_made::{self, PhoneMade};
use crate::db::{now, users, DbConnection};
use crate::error::ApiError;

/// A session as the phone sent it, its fields already checked.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub program_version_id: String,
    /// The patient's local date the session was done.
    pub performed_on: NaiveDate,
    /// The logged items, as JSON.
    pub items: String,
    pub pain: Option<i32>,
    pub effort: Option<i32>,
    pub note: Option<String>,
}

/// A stored log, and whether this was its first copy.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub created: bool,
    pub row: LogRow,
}

/// Stores the signed-in patient's log under the phone's `id`, replacing an earlier copy.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    id: &str,
    entry: LogEntry,
) -> Result<Recorded, ApiError> {
    let me = users::find(conn, &actor.id)?.ok_or(ApiError::Unauthorized)?;
    let today = me.today(Utc::now());
    if entry.performed_on > today + Duration::days(1) {
        return Err(ApiError::field("performed_on", "in_future", "a session cannot be logged ahead"));
    }
    let existing = earlier_copy(exercise_logs::find(conn, id)?, &actor.id)?;
    let (program_id, owner) = exercise_logs::version_owner(conn, &entry.program_version_id)?
        .filter(|(_, owner)| *owner == actor.id)
        .ok_or_else(|| ApiError::field("program_version_id", "unknown", "not a version of one of your programs"))?;
    let now = now();
    let row = LogRow {
        id: id.to_string(),
        patient_id: owner,
        program_id,
        program_version_id: entry.program_version_id,
        performed_on: entry.performed_on,
        items: entry.items,
        pain: entry.pain,
        effort: entry.effort,
        note: entry.note,
        created_at: existing.as_ref().map_or(now, PhoneMade::created_at),
        updated_at: now,
    };
    let created = phone_made::store(conn, &row, existing.as_ref())?;
    AuditEntry::new("exercise_log.write", origin)
        .actor(&actor.id, actor.role)
        .patient(&actor.id)
        .target(id)
        .write(conn)?;
    Ok(Recorded { created, row })
}

/// Up to `limit` of the patient's logs changed after `after`, oldest change first; the read is
/// audited.
pub fn changed_since(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    patient_id: &str,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<LogRow>, ApiError> {
    let patient = read_record(conn, actor, patient_id, reason, origin, "exercise_log.list")?;
    Ok(exercise_logs::changed_since(conn, &patient.id, after, limit)?)
}
