//! The clinic's calendar: the one home of its operations, which the JSON routes (and later the
//! staff console) call.
//!
//! What it owns, file by file:
//! - `clinic`: the clinic's settings and appointment types as admins change them.
//! - `clinicians`: who may change whose calendar, weekly hours, exceptions, the types offered.
//! - `hours`: weekly hours plus extra hours, minus time off, into working periods; used by
//!   `availability` (free starts) and `day_sheet` (the front desk's day).
//! - `booking_request` (a booking as the API asks for it), `booking` (book, move, cancel, the
//!   status changes), `notices` (their emails and calendar invitations), `records` (reading
//!   appointments, audited).
//! - `waitlist_entries` (joining, listing, leaving the waitlist) and `waitlist` (offers of
//!   freed time, their lapse and acceptance).
//!
//! How to call: every function takes the caller's `&mut DbConnection`, and the `&Actor` and audit
//! `&Origin` where it acts or audits, plus plain inputs (rows, `&str`, small input structs defined
//! here) and the time (`now`) where it matters. Changes expect to run inside the caller's write
//! transaction (`db::transaction`) and open savepoints of their own where one refusal must not
//! undo the rest; reads run in `db::run` or a transaction alike. Retry-safe creation is
//! [`crate::idempotency::run`] around the call.
//!
//! What it returns: rows (`db::*Row`) or plain result structs, and [`crate::error::ApiError`]
//! for refusals (`409` conflicts with a [`crate::error::ProblemCode`], `422` field errors,
//! `404`). Each change leaves its history event, audit row and emails. The rules themselves are
//! pure code in `domain/`.

pub mod authorization_guard;
pub mod availability;
pub mod booking;
pub mod booking_request;
pub mod clinic;
pub mod clinicians;
pub mod day_sheet;
pub mod hours;
pub mod notices;
pub mod records;
pub mod series;
pub mod series_changes;
pub mod type_fields;
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
