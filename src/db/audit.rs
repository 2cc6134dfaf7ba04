//! The append-only audit log: who did what to which patient's record, when, and how it ended.
//! The database refuses updates and deletes of these rows (see the migrations).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::audit_log;
use super::{new_id, now, DbConnection};
use crate::domain::role::Role;

/// Where a change came from, as audit rows record it: the request's id and the client's address.
/// Background jobs (sweeps, the scheduler) have neither.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

impl Origin {
    /// A change no request asked for: a sweep or a scheduled job.
    pub fn background() -> Self {
        Self::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// Refused: wrong password, wrong role, invalid token.
    Denied,
    /// Refused before it was tried: too many attempts.
    Throttled,
    /// The record asked for is not the caller's or does not exist.
    NotFound,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Throttled => "throttled",
            Outcome::NotFound => "not_found",
        }
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    id: String,
    occurred_at: NaiveDateTime,
    actor_id: Option<String>,
    actor_role: Option<String>,
    patient_id: Option<String>,
    action: String,
    target_id: Option<String>,
    outcome: String,
    request_id: Option<String>,
    client_ip: Option<String>,
    /// Never names, emails, dates of birth or clinical answers: ids and codes only (and a
    /// clinician's own stated reason for an emergency access, which is what the row is for).
    detail: Option<String>,
}

impl AuditEntry {
    pub fn new(action: &str, origin: &Origin) -> Self {
        Self {
            id: new_id(),
            occurred_at: now(),
            actor_id: None,
            actor_role: None,
            patient_id: None,
            action: action.to_string(),
            target_id: None,
            outcome: Outcome::Success.as_str().to_string(),
            request_id: origin.request_id.clone(),
            client_ip: origin.client_ip.clone(),
            detail: None,
        }
    }

    pub fn actor(mut self, id: &str, role: Role) -> Self {
        self.actor_id = Some(id.to_string());
        self.actor_role = Some(role.as_str().to_string());
        self
    }

    pub fn patient(mut self, id: &str) -> Self {
        self.patient_id = Some(id.to_string());
        self
    }

    pub fn target(mut self, id: &str) -> Self {
        self.target_id = Some(id.to_string());
        self
    }

    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome.as_str().to_string();
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The user an account event is about: the actor, the target, and the patient if they are one.
    pub fn subject(self, user: &super::users::UserRow) -> Self {
        let role = Role::parse(&user.role).unwrap_or(Role::Patient);
        let entry = self.actor(&user.id, role).target(&user.id);
        if role == Role::Patient {
            entry.patient(&user.id)
        } else {
            entry
        }
    }

    /// The same entry about another patient (one row each for a list that showed several).
    pub fn for_patient(&self, id: &str) -> Self {
        let mut entry = self.clone().patient(id).target(id);
        entry.id = new_id();
        entry
    }

    pub fn write(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(audit_log::table).values(self).execute(conn).map(|_| ())
    }
}

pub fn write_all(conn: &mut DbConnection, entries: &[AuditEntry]) -> QueryResult<()> {
    // One statement per row: SQLite caps bound parameters per statement, and pages are small.
    for entry in entries {
        entry.write(conn)?;
    }
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: String,
    pub occurred_at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
    pub patient_id: Option<String>,
    pub action: String,
    pub target_id: Option<String>,
    pub outcome: String,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub patient_id: Option<String>,
    pub actor_id: Option<String>,
    pub action: Option<String>,
}

/// Newest first; `before` is the (time, id) of the last row of the previous page.
pub fn list(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    before: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    let mut query = audit_log::table.into_boxed();
    if let Some(patient) = &filter.patient_id {
        query = query.filter(audit_log::patient_id.eq(patient.clone()));
    }
    if let Some(actor) = &filter.actor_id {
        query = query.filter(audit_log::actor_id.eq(actor.clone()));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::action.eq(action.clone()));
    }
    if let Some((at, id)) = before {
        query = query.filter(audit_log::occurred_at.lt(at).or(audit_log::occurred_at.eq(at).and(audit_log::id.lt(id))));
    }
    query
        .order((audit_log::occurred_at.desc(), audit_log::id.desc()))
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)
}
