//! Clinicians' calendars: who may change whose, their weekly hours, exceptions (time off, extra
//! hours) and the appointment types each offers. Each change runs inside the caller's write
//! transaction and writes its audit row.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::availability::{self, Clinician};
use crate::auth::Actor;
use crate::db::audit::{AuditEntry, Origin};
use crate::db::availability::{self as hours, ExceptionRow, NewRule, RuleRow};
use crate::db::{clinic, new_id, DbConnection};
use crate::domain::hours::{self as weekly, ExceptionKind};
use crate::domain::role::Role;
use crate::error::fields::Checks;
use crate::error::ApiError;

/// Active clinicians by name, each with the codes of the types they offer (every type when
/// they name none).
pub fn with_types(conn: &mut DbConnection) -> Result<Vec<(Clinician, Vec<String>)>, ApiError> {
    let people = availability::clinicians(conn, None, None)?;
    let types = clinic::types(conn, false)?;
    let services = clinic::all_services(conn)?;
    Ok(people
        .into_iter()
        .map(|clinician| {
            let offered: Vec<&String> = services.iter().filter(|(c, _)| *c == clinician.id).map(|(_, t)| t).collect();
            let codes = types
                .iter()
                .filter(|t| offered.is_empty() || offered.contains(&&t.id))
                .map(|t| t.code.clone())
                .collect();
            (clinician, codes)
        })
        .collect())
}

/// The clinician `id`, if `actor` may change their calendar: a clinician their own, admins and
/// the front desk anyone's.
pub fn editable(conn: &mut DbConnection, actor: &Actor, id: &str) -> Result<Clinician, ApiError> {
    let allowed =
        matches!(actor.role, Role::Admin | Role::FrontDesk) || (actor.role == Role::Clinician && actor.id == id);
    if !allowed {
        return Err(if actor.role == Role::Clinician { ApiError::Forbidden } else { ApiError::NotFound });
    }
    availability::clinicians(conn, Some(id), None)?.into_iter().next().ok_or(ApiError::NotFound)
}

/// A clinician's weekly hours, and their exceptions from `now` on.
pub struct Calendar {
    /// The clinic's zone, in which the hours are meant.
    pub time_zone: String,
    pub rules: Vec<RuleRow>,
    pub exceptions: Vec<ExceptionRow>,
}

pub fn calendar(conn: &mut DbConnection, clinician_id: &str, now: NaiveDateTime) -> Result<Calendar, ApiError> {
    let clinic = clinic::settings(conn)?;
    let ids = [clinician_id.to_string()];
    let far = now + chrono::Duration::days(3650);
    Ok(Calendar {
        time_zone: clinic.time_zone,
        rules: hours::rules(conn, &ids)?,
        exceptions: hours::exceptions(conn, &ids, now, far)?,
    })
}

/// One weekly period as typed: the API's body or the console's form.
pub struct TypedHours<'a> {
    pub weekday: i32,
    pub start: &'a str,
    pub end: &'a str,
    pub valid_from: Option<chrono::NaiveDate>,
    pub valid_until: Option<chrono::NaiveDate>,
}

/// Checks a week of periods at once; a refusal names the period's field (`rules[2].end`).
pub fn check_weekly_hours(typed: &[TypedHours]) -> Result<Vec<NewRule>, ApiError> {
    let mut checks = Checks::default();
    if typed.len() > 70 {
        checks.fail("rules", "too_many", "at most 70 weekly periods");
    }
    let mut rules = Vec::new();
    for (i, rule) in typed.iter().enumerate() {
        let field = |part: &str| format!("rules[{i}].{part}");
        let times = weekly::weekly_times(rule.weekday, rule.start, rule.end);
        for (part, why) in times.as_ref().err().into_iter().flatten() {
            checks.fail(&field(part), why.code, &why.message);
        }
        for (name, date) in [("valid_from", rule.valid_from), ("valid_until", rule.valid_until)] {
            if let Some(Err(ApiError::Validation(errors))) = date.map(|d| crate::error::fields::plausible_date(name, d))
            {
                for e in errors {
                    checks.fail(&field(&e.field), "out_of_range", &e.message);
                }
            }
        }
        checks.field(&field("valid_until"), weekly::valid_dates(rule.valid_from, rule.valid_until));
        if let Ok(weekly::WeeklyTimes { weekday, start_minute, end_minute }) = times {
            rules.push(NewRule {
                weekday,
                start_minute,
                end_minute,
                valid_from: rule.valid_from,
                valid_until: rule.valid_until,
            });
        }
    }
    checks.finish(|| Some(rules))
}

/// Replaces the clinician's weekly hours.
pub fn set_weekly_hours(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    clinician_id: &str,
    rules: &[NewRule],
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    editable(conn, actor, clinician_id)?;
    hours::replace_rules(conn, clinician_id, rules, now)?;
    AuditEntry::new("clinician.availability", origin).actor(&actor.id, actor.role).target(clinician_id).write(conn)?;
    Ok(())
}

/// Time off or extra hours, as [`NewException::check`] lets it through: the end after the start,
/// at most a year long, a plain note.
pub struct NewException {
    pub kind: ExceptionKind,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub note: Option<String>,
}

impl NewException {
    /// The exception as typed, checked: plausible instants, the end after the start, at most a
    /// year, and a note of at most 200 characters without control characters (blank is none).
    pub fn check(
        kind: ExceptionKind,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        note: Option<&str>,
    ) -> Result<Self, ApiError> {
        crate::error::fields::plausible_instant("starts_at", starts_at)?;
        crate::error::fields::plausible_instant("ends_at", ends_at)?;
        if ends_at <= starts_at {
            return Err(ApiError::field("ends_at", "before_start", "the end is after the start"));
        }
        if ends_at - starts_at > chrono::Duration::days(366) {
            return Err(ApiError::field("ends_at", "out_of_range", "an exception lasts at most a year"));
        }
        let note = match note.map(str::trim) {
            Some(note) if note.chars().count() > 200 || note.chars().any(char::is_control) => {
                return Err(ApiError::field("note", "invalid_format", "at most 200 characters, no control characters"))
            }
            other => other.filter(|n| !n.is_empty()).map(str::to_string),
        };
        Ok(Self { kind, starts_at, ends_at, note })
    }
}

pub fn add_exception(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    clinician_id: &str,
    exception: NewException,
    now: NaiveDateTime,
) -> Result<ExceptionRow, ApiError> {
    editable(conn, actor, clinician_id)?;
    let row = ExceptionRow {
        id: new_id(),
        clinician_id: clinician_id.to_string(),
        kind: exception.kind.as_str().into(),
        starts_at: exception.starts_at.naive_utc(),
        ends_at: exception.ends_at.naive_utc(),
        note: exception.note,
        created_by: Some(actor.id.clone()),
        created_at: now,
    };
    hours::insert_exception(conn, &row)?;
    AuditEntry::new("clinician.exception_add", origin).actor(&actor.id, actor.role).target(&row.id).write(conn)?;
    Ok(row)
}

pub fn delete_exception(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    clinician_id: &str,
    exception_id: &str,
) -> Result<(), ApiError> {
    editable(conn, actor, clinician_id)?;
    if !hours::delete_exception(conn, clinician_id, exception_id)? {
        return Err(ApiError::NotFound);
    }
    AuditEntry::new("clinician.exception_delete", origin)
        .actor(&actor.id, actor.role)
        .target(exception_id)
        .write(conn)?;
    Ok(())
}

/// Sets the types the clinician offers from their codes or ids (a set; empty means every type).
/// An unknown one is refused by its place, `appointment_types[i]`.
pub fn set_services(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    clinician_id: &str,
    wanted: &[String],
) -> Result<(), ApiError> {
    editable(conn, actor, clinician_id)?;
    let mut ids = Vec::new();
    for (i, code) in wanted.iter().enumerate() {
        let kind = clinic::find_type(conn, code)?.ok_or_else(|| {
            ApiError::field(&format!("appointment_types[{i}]"), "unknown", "no such appointment type")
        })?;
        // A set: a type named twice (or by its code and its id) is offered once.
        if !ids.contains(&kind.id) {
            ids.push(kind.id);
        }
    }
    clinic::set_services(conn, clinician_id, &ids)?;
    AuditEntry::new("clinician.services", origin).actor(&actor.id, actor.role).target(clinician_id).write(conn)?;
    Ok(())
}
