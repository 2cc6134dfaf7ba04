//! A patient's reminder choices: reading them (made with the defaults on first use) and changing
//! them, where every change withdraws what was queued for later and queues afresh to match.
//! Everything here runs inside the caller's write transaction.

use chrono::Utc;

use super::schedule::refresh;
use super::ReminderLinks;
use crate::auth::Actor;
use crate::db::audit::{AuditEntry, Origin};
use crate::db::reminders::{self, SettingRow};
use crate::db::users::{self, UserChanges};
use crate::db::{now, DbConnection};
use crate::domain::reminders::{ReminderKind, ReminderTime};
use crate::error::ApiError;

/// A patient's choices, one row per kind, and the zone their times are local to.
#[derive(Debug, Clone)]
pub struct Settings {
    pub rows: Vec<SettingRow>,
    pub time_zone: String,
}

impl Settings {
    /// Whether `kind` is on and when it comes: the patient's choice, or the kind's default
    /// where no row holds one.
    pub fn of_kind(&self, kind: ReminderKind) -> (bool, ReminderTime) {
        match self.rows.iter().find(|r| r.kind() == Some(kind)) {
            Some(row) => (row.enabled, row.time()),
            None => (true, kind.default_time()),
        }
    }
}

/// The patient's settings (made with the defaults on first use) and zone.
fn load(conn: &mut DbConnection, user_id: &str) -> Result<Settings, ApiError> {
    let me = users::find(conn, user_id)?.ok_or(ApiError::Unauthorized)?;
    Ok(Settings { rows: reminders::ensure(conn, user_id, now())?, time_zone: me.time_zone })
}

/// The signed-in patient's settings, with the read audited as `action`.
pub fn read(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    action: &'static str,
) -> Result<Settings, ApiError> {
    AuditEntry::new(action, origin).actor(&actor.id, actor.role).patient(&actor.id).write(conn)?;
    load(conn, &actor.id)
}

/// One change of a patient's settings: `apply` edits them, then what was queued for later is
/// withdrawn and queued afresh to match, and `entry` is audited.
fn change(
    conn: &mut DbConnection,
    links: &ReminderLinks,
    user_id: &str,
    entry: AuditEntry,
    apply: impl FnOnce(&mut DbConnection) -> Result<(), ApiError>,
) -> Result<Settings, ApiError> {
    reminders::ensure(conn, user_id, now())?;
    apply(conn)?;
    refresh(conn, links, user_id, Utc::now())?;
    entry.write(conn)?;
    load(conn, user_id)
}

/// A new time zone (moving every reminder with it) and new choices for some kinds.
pub fn choose(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    links: &ReminderLinks,
    zone: Option<chrono_tz::Tz>,
    choices: &[(ReminderKind, bool, ReminderTime)],
) -> Result<Settings, ApiError> {
    let entry = AuditEntry::new("reminders.update", origin).actor(&actor.id, actor.role).patient(&actor.id);
    change(conn, links, &actor.id, entry, |conn| {
        if let Some(zone) = zone {
            let changes = UserChanges { time_zone: Some(zone.name().to_string()), ..Default::default() };
            users::update(conn, &actor.id, &changes, now())?;
        }
        for (kind, enabled, time) in choices {
            reminders::set_time(conn, &actor.id, *kind, time, now())?;
            reminders::set_enabled(conn, &actor.id, *kind, *enabled, now())?;
        }
        Ok(())
    })
}

/// Some kinds switched on or off.
pub fn switch(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    links: &ReminderLinks,
    switches: &[(ReminderKind, bool)],
) -> Result<Settings, ApiError> {
    let entry =
        AuditEntry::new("notification_preferences.update", origin).actor(&actor.id, actor.role).patient(&actor.id);
    change(conn, links, &actor.id, entry, |conn| {
        for (kind, on) in switches {
            reminders::set_enabled(conn, &actor.id, *kind, *on, now())?;
        }
        Ok(())
    })
}

/// One kind turned off from the email's link, without signing in (`user_id` and `kind` come
/// from a verified token).
pub fn unsubscribe(
    conn: &mut DbConnection,
    origin: &Origin,
    links: &ReminderLinks,
    user_id: &str,
    kind: ReminderKind,
) -> Result<(), ApiError> {
    from_link(conn, origin, links, user_id, kind, false)
}

/// The same kind turned back on from the page an unsubscribe link opens (an undo), without
/// signing in; the same token is the credential.
pub fn resubscribe(
    conn: &mut DbConnection,
    origin: &Origin,
    links: &ReminderLinks,
    user_id: &str,
    kind: ReminderKind,
) -> Result<(), ApiError> {
    from_link(conn, origin, links, user_id, kind, true)
}

fn from_link(
    conn: &mut DbConnection,
    origin: &Origin,
    links: &ReminderLinks,
    user_id: &str,
    kind: ReminderKind,
    on: bool,
) -> Result<(), ApiError> {
    // A token outlives nothing: a removed account simply has nothing to turn off.
    if users::find(conn, user_id)?.is_none() {
        return Err(ApiError::InvalidToken);
    }
    let action = if on { "notification_preferences.resubscribe" } else { "notification_preferences.unsubscribe" };
    let entry = AuditEntry::new(action, origin).patient(user_id).target(kind.as_str());
    change(conn, links, user_id, entry, |conn| Ok(reminders::set_enabled(conn, user_id, kind, on, now())?))?;
    Ok(())
}
