//! The clinic calendar's operations, shared by the routes and the waitlist: finding free times,
//! booking, moving, cancelling and the status changes, each with its history, audit row and
//! emails, inside the caller's transaction. The rules themselves are in `domain/`.

pub mod availability;
pub mod booking;
pub mod booking_request;
pub mod clinic;
pub mod clinicians;
pub mod day_sheet;
pub mod hours;
pub mod notices;
pub mod records;
pub mod waitlist;
pub mod waitlist_entries;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::QueryResult;

use crate::auth::Actor;
use crate::db::audit::{self, AuditEntry, Origin};
use crate::db::DbConnection;

pub fn to_utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

pub fn to_naive(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

/// Audits that `actor` was shown records of these patients: one `action` row per patient, however
/// many of their records the list held.
pub fn audit_shown<'a>(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    action: &str,
    patient_ids: impl IntoIterator<Item = &'a str>,
) -> QueryResult<()> {
    let shown = AuditEntry::new(action, origin).actor(&actor.id, actor.role);
    let mut patients: Vec<&str> = patient_ids.into_iter().collect();
    patients.sort();
    patients.dedup();
    audit::write_all(conn, &patients.into_iter().map(|p| shown.for_patient(p)).collect::<Vec<_>>())
}
