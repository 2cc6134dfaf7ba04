//! Who may open a patient's clinical record: the patient (their own; another's is 404), the
//! patient's primary clinician, any clinician while the patient has none yet (before the
//! evaluation assigns one), admins; front desk and workers never (403). Another clinician opens
//! it only by giving a reason in `X-Access-Reason` ("emergency access"), which is audited.
//! A read of the whole record opens it with [`read_record`] (the read is audited), one entry of it
//! (an appointment, a program, an alert) with [`open_entry`].

use diesel::QueryResult;

use crate::auth::Actor;
use crate::db::alerts::AlertRow;
use crate::db::appointments::AppointmentRow;
use crate::db::audit::AuditEntry;
use crate::db::audit::Origin;
use crate::db::programs::ProgramRow;
use crate::db::users::{self, UserRow};
use crate::db::{evaluations, DbConnection};
use crate::domain::role::Role;
use crate::error::{ApiError, ProblemCode};

/// The header a clinician states their reason in (read by `http::access_reason`).
pub const REASON_HEADER: &str = "X-Access-Reason";

/// A clinician's stated reason for opening a record that is not theirs, if they gave one.
#[derive(Debug, Clone, Default)]
pub struct AccessReason(pub Option<String>);

/// The patient whose record `user` may open, or why not. An emergency access leaves an audit
/// row with the reason.
pub fn open_record(
    conn: &mut DbConnection,
    user: &Actor,
    patient_id: &str,
    reason: &AccessReason,
    meta: &Origin,
) -> Result<UserRow, ApiError> {
    if matches!(user.role, Role::FrontDesk | Role::Worker) {
        return Err(ApiError::Forbidden);
    }
    if user.role == Role::Patient && user.id != patient_id {
        return Err(ApiError::NotFound);
    }
    let patient =
        users::find(conn, patient_id)?.filter(|p| p.role == Role::Patient.as_str()).ok_or(ApiError::NotFound)?;
    if user.role != Role::Clinician {
        return Ok(patient);
    }
    match evaluations::primary_clinician(conn, patient_id)? {
        None => Ok(patient),
        Some(primary) if primary == user.id => Ok(patient),
        Some(_) => match &reason.0 {
            Some(reason) => {
                on_record("record.emergency_access", meta, user, patient_id)
                    .detail(serde_json::json!({ "reason": reason }).to_string())
                    .write(conn)?;
                Ok(patient)
            }
            None => Err(ApiError::Denied {
                code: ProblemCode::AccessReasonRequired,
                message: format!(
                    "this patient has another primary clinician: give your reason in the {REASON_HEADER} header \
                     to open the record (it is audited)"
                ),
            }),
        },
    }
}

/// The audit row of `actor` doing `action` on the patient's record (add the entry's id with
/// `target`).
pub fn on_record(action: &str, origin: &Origin, actor: &Actor, patient_id: &str) -> AuditEntry {
    AuditEntry::new(action, origin).actor(&actor.id, actor.role).patient(patient_id)
}

/// Opens the record as [`open_record`] does, for a read of it as a whole, and leaves the read's
/// audit row (`action`, e.g. `progress.read`).
pub fn read_record(
    conn: &mut DbConnection,
    actor: &Actor,
    patient_id: &str,
    reason: &AccessReason,
    origin: &Origin,
    action: &str,
) -> Result<UserRow, ApiError> {
    let patient = open_record(conn, actor, patient_id, reason, origin)?;
    on_record(action, origin, actor, patient_id).write(conn)?;
    Ok(patient)
}

/// An entry that belongs to one patient's record: opening it opens their record.
pub trait RecordEntry {
    fn patient_id(&self) -> &str;
}

impl RecordEntry for AppointmentRow {
    fn patient_id(&self) -> &str {
        &self.patient_id
    }
}

impl RecordEntry for AlertRow {
    fn patient_id(&self) -> &str {
        &self.patient_id
    }
}

impl RecordEntry for ProgramRow {
    fn patient_id(&self) -> &str {
        &self.patient_id
    }
}

/// The entry `find` loads and its patient, once `actor` may open that patient's record (as
/// [`open_record`] decides); not found when there is no such entry.
pub fn open_entry<T: RecordEntry>(
    conn: &mut DbConnection,
    actor: &Actor,
    reason: &AccessReason,
    origin: &Origin,
    find: impl FnOnce(&mut DbConnection) -> QueryResult<Option<T>>,
) -> Result<(T, UserRow), ApiError> {
    let entry = find(conn)?.ok_or(ApiError::NotFound)?;
    let patient = open_record(conn, actor, entry.patient_id(), reason, origin)?;
    Ok((entry, patient))
}
