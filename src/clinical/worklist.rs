//! The clinician's worklist of alerts and closing one with a note, and the patient's own open red
//! flag (the advice the app keeps showing until a clinician has acted).

use std::collections::HashMap;

use chrono::Utc;

use super::access::{on_record, open_entry, AccessReason};
use crate::auth::Actor;
use crate::db::alerts::{self, AlertRow, WorklistCursor};
use crate::db::audit::{self, Origin};
use crate::db::{now, users, DbConnection};
use crate::domain::role::Role;
use crate::error::{ApiError, ProblemCode};
use crate::reminders::ReminderLinks;

/// A worklist page and the names of its patients, by id.
#[derive(Debug)]
pub struct Page {
    pub rows: Vec<AlertRow>,
    pub names: HashMap<String, String>,
}

/// Up to `limit` alerts of `status` (any when `None`) after `after`, most severe first: a
/// clinician sees their patients' and those of patients with no primary clinician yet, an admin
/// every one. Each alert shown leaves an audit row.
pub fn page(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    status: Option<&str>,
    after: Option<WorklistCursor>,
    limit: i64,
) -> Result<Page, ApiError> {
    let mine = (actor.role == Role::Clinician).then_some(actor.id.as_str());
    let rows = alerts::worklist(conn, status, mine, after, limit)?;
    let patients: Vec<String> = rows.iter().map(|r| r.patient_id.clone()).collect();
    let entries: Vec<_> =
        rows.iter().map(|r| on_record("alert.list", origin, actor, &r.patient_id).target(&r.id)).collect();
    audit::write_all(conn, &entries)?;
    Ok(Page { names: users::names(conn, &patients)?, rows })
}

/// Closes open alert `id` with the clinician's `note` and queues again the exercise reminders a
/// red flag withheld; the alert as closed, with its patient's name. Run it in a write
/// transaction.
pub fn acknowledge(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    links: &ReminderLinks,
    id: &str,
    note: &str,
) -> Result<(AlertRow, String), ApiError> {
    let (alert, patient) = open_entry(conn, actor, reason, origin, |conn| alerts::find(conn, id))?;
    if !alerts::acknowledge(conn, id, &actor.id, note, now())? {
        return Err(ApiError::conflict(ProblemCode::AlreadyAcknowledged, "this alert was acknowledged already"));
    }
    // Exercise reminders withheld while it was open are queued again from now on.
    crate::reminders::schedule::refresh(conn, links, &alert.patient_id, Utc::now())?;
    on_record("alert.acknowledge", origin, actor, &alert.patient_id).target(id).write(conn)?;
    let row = alerts::find(conn, id)?.ok_or(ApiError::NotFound)?;
    Ok((row, patient.full_name))
}

/// The signed-in patient's open red-flag alert, if any; the read is audited.
pub fn open_red_flag(conn: &mut DbConnection, actor: &Actor, origin: &Origin) -> Result<Option<AlertRow>, ApiError> {
    on_record("red_flag.read", origin, actor, &actor.id).write(conn)?;
    Ok(alerts::open_of(conn, &actor.id, "red_flag")?)
}
