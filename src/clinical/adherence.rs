//! Adherence to a patient's program: what it is figured from (the version's prescription and the
//! days logged), loaded in one place for every rule and view, and the figures the app and staff
//! screens show (the last 8 ISO weeks, the last 14 days, the streak).

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, Utc};
use diesel::QueryResult;

use super::access::read_record;
use super::access::AccessReason;
use crate::auth::Actor;
use crate::db::audit::Origin;
use crate::db::programs::{self, VersionRow};
use crate::db::{exercise_logs, users, DbConnection};
use crate::domain::adherence::{self, Figure, Prescription};
use crate::domain::role::Role;
use crate::error::ApiError;

/// What adherence to one program is figured from.
#[derive(Debug, Clone)]
pub struct AdherenceInputs {
    /// What the version asks of the patient.
    pub prescription: Prescription,
    /// The local dates a session of the program was logged for, each once.
    pub logged: BTreeSet<NaiveDate>,
}

/// The inputs for `program_id` under its `version`.
pub fn inputs(conn: &mut DbConnection, program_id: &str, version: &VersionRow) -> QueryResult<AdherenceInputs> {
    let logged = exercise_logs::dates(conn, program_id)?.into_iter().collect();
    Ok(AdherenceInputs { prescription: version.prescription(), logged })
}

/// A window's figure and the day it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct DatedFigure {
    /// A week's Monday, or the first of the last 14 days.
    pub from: NaiveDate,
    pub figure: Figure,
}

/// A patient's adherence to their latest program.
#[derive(Debug, Clone, PartialEq)]
pub struct Adherence {
    pub program_id: Option<String>,
    /// The patient's local date the figures are for.
    pub today: NaiveDate,
    /// Per ISO week, oldest first, from the program's start (at most the last 8).
    pub weeks: Vec<DatedFigure>,
    pub last_14_days: Option<DatedFigure>,
    /// Consecutive asked-for days done, counting back from today.
    pub current_streak: u32,
}

/// Adherence to the patient's latest program, per ISO week (the last 8), the last 14 days and
/// the streak. The schedule is the program's current version's.
pub fn of_patient(conn: &mut DbConnection, patient_id: &str) -> Result<Adherence, ApiError> {
    let patient =
        users::find(conn, patient_id)?.filter(|p| p.role == Role::Patient.as_str()).ok_or(ApiError::NotFound)?;
    let today = patient.today(Utc::now());
    let latest = programs::of_patient(conn, patient_id)?.into_iter().next();
    let Some(program) = latest else {
        return Ok(Adherence { program_id: None, today, weeks: vec![], last_14_days: None, current_streak: 0 });
    };
    let version = programs::version(conn, &program.id, program.current_version)?.ok_or(ApiError::NotFound)?;
    let AdherenceInputs { prescription: rx, logged } = inputs(conn, &program.id, &version)?;
    let this_monday = today - Duration::days(today.weekday().num_days_from_monday().into());
    let weeks = (0..8)
        .rev()
        .map(|n| this_monday - Duration::weeks(n))
        .filter(|monday| *monday + Duration::days(6) >= rx.starts_on)
        .map(|monday| DatedFigure {
            from: monday,
            figure: adherence::over(&rx, &logged, monday, (monday + Duration::days(6)).min(today)),
        })
        .collect();
    Ok(Adherence {
        program_id: Some(program.id),
        today,
        weeks,
        last_14_days: Some(DatedFigure {
            from: today - Duration::days(13),
            figure: adherence::last_14_days(&rx, &logged, today),
        }),
        current_streak: adherence::streak(&rx, &logged, today),
    })
}

/// A patient's adherence as staff (or the patient) open the record; the read is audited.
pub fn read(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    patient_id: &str,
) -> Result<Adherence, ApiError> {
    let patient = read_record(conn, actor, patient_id, reason, origin, "adherence.read")?;
    of_patient(conn, &patient.id)
}
