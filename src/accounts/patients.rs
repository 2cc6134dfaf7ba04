//! Patients' contact records, as the front desk manages them: create (a patient who phoned in,
//! optionally invited to the app), search, read and correct. Every read and write is audited.

use chrono::{NaiveDate, NaiveDateTime};

use super::{mailbox, Audited};
use crate::auth::Actor;
use crate::db::audit::{self, AuditEntry, Origin, Outcome};
use crate::db::tokens::{self, Purpose};
use crate::db::users::{self, NameCursor, PatientSearch, UserChanges, UserRow};
use crate::db::DbConnection;
use crate::domain::contact::{EmailAddress, PhoneNumber};
use crate::domain::person::{self, FullName};
use crate::domain::role::Role;
use crate::domain::Invalid;
use crate::error::fields::Checks;
use crate::error::{ApiError, ProblemCode};
use crate::mail::account_emails;
use crate::reminders::schedule::refresh as refresh_reminders;
use crate::reminders::ReminderLinks;

/// A patient the front desk enters, as parsed.
pub struct NewPatient {
    pub name: FullName,
    pub date_of_birth: NaiveDate,
    pub email: Option<EmailAddress>,
    pub phone: Option<PhoneNumber>,
    pub time_zone: String,
    /// Email an invitation to set a password (needs `email`).
    pub invite: bool,
    /// Create even though a patient with the same name and date of birth exists.
    pub allow_duplicate: bool,
}

/// A new patient as typed, before any check: the API's body or the console's form.
pub struct PatientAsTyped<'a> {
    pub full_name: &'a str,
    /// `None` when the form had no readable date.
    pub date_of_birth: Option<NaiveDate>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub time_zone: Option<&'a str>,
    pub invite: bool,
    pub allow_duplicate: bool,
}

impl NewPatient {
    /// Checks every field at once (one `422` naming each refused one); the time zone is
    /// `default_zone` unless one is given.
    pub fn check(typed: PatientAsTyped, default_zone: &str, today: NaiveDate) -> Result<Self, ApiError> {
        let mut checks = Checks::default();
        let name = checks.field("full_name", FullName::parse(typed.full_name));
        let dob = checks.field(
            "date_of_birth",
            typed
                .date_of_birth
                .ok_or_else(|| Invalid::new("required", "give the date of birth (YYYY-MM-DD)"))
                .and_then(|d| person::date_of_birth(d, today)),
        );
        let email = checks.optional("email", typed.email, EmailAddress::parse);
        let phone = checks.optional("phone", typed.phone, PhoneNumber::parse);
        let zone = checks.optional("time_zone", typed.time_zone, person::time_zone);
        if typed.invite && typed.email.is_none() {
            checks.fail("email", "required", "an email address is needed to invite the patient");
        }
        let (name, date_of_birth, email, phone, zone) = checks.finish(|| Some((name?, dob?, email?, phone?, zone?)))?;
        Ok(NewPatient {
            name,
            date_of_birth,
            email,
            phone,
            time_zone: zone.map_or_else(|| default_zone.to_string(), |z| z.name().to_string()),
            invite: typed.invite,
            allow_duplicate: typed.allow_duplicate,
        })
    }
}

/// Creates the patient. `409 email_taken` for an address in use, `409 possible_duplicate` for a
/// patient with the same name and date of birth unless `allow_duplicate`.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    public_url: &str,
    new: NewPatient,
    now: NaiveDateTime,
) -> Result<UserRow, ApiError> {
    let NewPatient { name, date_of_birth, email, phone, time_zone, invite, allow_duplicate } = new;
    if let Some(email) = &email {
        mailbox::ensure_free(conn, email.as_str())?;
    }
    if !allow_duplicate && same_person_exists(conn, &name, date_of_birth)? {
        return Err(ApiError::conflict(
            ProblemCode::PossibleDuplicate,
            "a patient with this name and date of birth exists; search for them, or send allow_duplicate: true",
        ));
    }
    let new = UserRow {
        email: email.as_ref().map(|e| e.as_str().to_string()),
        phone: phone.map(PhoneNumber::into_string),
        date_of_birth: Some(date_of_birth),
        created_by: Some(actor.id.clone()),
        ..UserRow::new(Role::Patient, &name, &time_zone, now)
    };
    users::insert(conn, &new)?;
    if let (true, Some(email)) = (invite, &email) {
        let link = mailbox::new_link(conn, public_url, Some(&new.id), Purpose::Invite, now)?;
        let content = account_emails::patient_invite(&crate::db::clinic::name(conn)?, name.as_str(), &link);
        mailbox::send(conn, "patient_invite", email.as_str(), &new.id, content, &link, now)?;
    }
    AuditEntry::new("patient.create", origin)
        .actor(&actor.id, actor.role)
        .patient(&new.id)
        .target(&new.id)
        .write(conn)?;
    users::find(conn, &new.id)?.ok_or(ApiError::NotFound)
}

fn same_person_exists(conn: &mut DbConnection, name: &FullName, dob: NaiveDate) -> Result<bool, ApiError> {
    let search = PatientSearch::by_name_key(name.search_key());
    let candidates = users::search_patients(conn, Some(&search), None, 50)?;
    Ok(candidates.iter().any(|c| c.name_key == name.search_key() && c.date_of_birth == Some(dob)))
}

/// A page of patients matching `search`, by name. Each patient on the page is audited as a read
/// of their record; one row more than `limit` comes back when a page follows.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    search: Option<&PatientSearch>,
    after: Option<&NameCursor>,
    limit: i64,
) -> Result<Vec<UserRow>, ApiError> {
    let rows = users::search_patients(conn, search, after, limit + 1)?;
    let shown = AuditEntry::new("patient.list", origin).actor(&actor.id, actor.role);
    let entries: Vec<AuditEntry> = rows.iter().take(limit as usize).map(|r| shown.for_patient(&r.id)).collect();
    audit::write_all(conn, &entries)?;
    Ok(rows)
}

/// The patient with `id` as `actor` may see them: staff see every patient, a patient only
/// themselves. Anything else is "not found", so ids of other patients reveal nothing.
fn visible_patient(conn: &mut DbConnection, actor: &Actor, id: &str) -> Result<Option<UserRow>, ApiError> {
    if !(actor.role.reads_patients() || (actor.role == Role::Patient && actor.id == id)) {
        return Ok(None);
    }
    Ok(users::find(conn, id)?.filter(|row| row.role == Role::Patient.as_str()))
}

/// The patient `id`, or `None` when the actor may not see them (audited either way).
pub fn read(conn: &mut DbConnection, actor: &Actor, origin: &Origin, id: &str) -> Result<Option<UserRow>, ApiError> {
    let row = visible_patient(conn, actor, id)?;
    let entry = AuditEntry::new("patient.read", origin).actor(&actor.id, actor.role).target(id);
    match row {
        Some(row) => {
            entry.patient(&row.id).write(conn)?;
            Ok(Some(row))
        }
        None => {
            entry.outcome(Outcome::NotFound).write(conn)?;
            Ok(None)
        }
    }
}

/// Corrections to a patient's record: the profile fields, and `email` (`Some(None)` removes it).
pub struct PatientUpdate {
    pub changes: UserChanges,
    pub email: Option<Option<String>>,
}

/// Corrects the patient `id`. Only the front desk's roles may; a patient who uses the app changes
/// their email address themselves.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    links: &ReminderLinks,
    id: &str,
    update: PatientUpdate,
    now: NaiveDateTime,
) -> Audited<UserRow> {
    let PatientUpdate { mut changes, email: new_email } = update;
    let target = visible_patient(conn, actor, id)?;
    let entry = AuditEntry::new("patient.update", origin).actor(&actor.id, actor.role).target(id);
    let Some(target) = target else {
        entry.outcome(Outcome::NotFound).write(conn)?;
        return Ok(Err(ApiError::NotFound));
    };
    if !actor.role.manages_patients() {
        entry.patient(&target.id).outcome(Outcome::Denied).write(conn)?;
        return Ok(Err(ApiError::Forbidden));
    }
    if let Some(email) = new_email.filter(|email| email.as_deref() != target.email.as_deref()) {
        if target.password_hash.is_some() {
            // The address is how the patient signs in and recovers the account: only they change
            // it, from the app, or staff could take the account over.
            return Err(ApiError::conflict(
                ProblemCode::HasAppAccount,
                "this patient uses the app; they change their email address themselves",
            ));
        }
        if let Some(address) = &email {
            mailbox::ensure_free(conn, address)?;
        }
        changes.email = Some(email);
        users::clear_email_verification(conn, &target.id)?;
        // Links already sent to the old address stop working.
        for purpose in [Purpose::Invite, Purpose::PasswordReset, Purpose::VerifyEmail] {
            tokens::void_outstanding(conn, &target.id, purpose, now)?;
        }
    }
    users::update(conn, &target.id, &changes, now)?;
    if changes.time_zone.is_some() || changes.email.is_some() {
        // Reminders already queued were timed in the old zone, or addressed to the old email.
        refresh_reminders(conn, links, &target.id, now.and_utc())?;
    }
    entry.patient(&target.id).write(conn)?;
    Ok(Ok(users::find(conn, &target.id)?.ok_or(ApiError::NotFound)?))
}
