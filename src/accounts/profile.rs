//! A person's own account: reading it and changing their contact details.

use chrono::NaiveDateTime;

use crate::auth::Actor;
use crate::db::audit::{AuditEntry, Origin};
use crate::db::users::{self, UserChanges, UserRow};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::reminders::schedule::refresh as refresh_reminders;
use crate::reminders::ReminderLinks;

/// The actor's own account (audited as a read).
pub fn read(conn: &mut DbConnection, actor: &Actor, origin: &Origin) -> Result<UserRow, ApiError> {
    let row = users::find(conn, &actor.id)?.ok_or(ApiError::Unauthorized)?;
    AuditEntry::new("me.read", origin).subject(&row).write(conn)?;
    Ok(row)
}

/// Applies `changes` to the actor's own account; reminders follow a new time zone.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    links: &ReminderLinks,
    changes: &UserChanges,
    now: NaiveDateTime,
) -> Result<UserRow, ApiError> {
    users::update(conn, &actor.id, changes, now)?;
    if changes.time_zone.is_some() {
        // Reminders already queued were timed in the old zone.
        refresh_reminders(conn, links, &actor.id, now.and_utc())?;
    }
    let row = users::find(conn, &actor.id)?.ok_or(ApiError::Unauthorized)?;
    AuditEntry::new("me.update", origin).subject(&row).write(conn)?;
    Ok(row)
}
