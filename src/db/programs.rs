//! Home-exercise programs and their versions.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{exercises, program_items, program_versions, programs};
use super::DbConnection;
use crate::domain::adherence::{Prescription, Schedule};
use crate::domain::program::Dose;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = programs)]
pub struct ProgramRow {
    pub id: String,
    pub patient_id: String,
    pub created_by: String,
    pub current_version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = program_versions)]
pub struct VersionRow {
    pub id: String,
    pub program_id: String,
    pub version: i32,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub weekdays: String,
    pub sessions_per_week: Option<i32>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = program_items)]
pub struct ItemRow {
    pub id: String,
    pub version_id: String,
    pub position: i32,
    pub exercise_id: String,
    pub sets: Option<i32>,
    pub reps: Option<i32>,
    pub hold_seconds: Option<i32>,
    pub duration_seconds: Option<i32>,
    pub load: Option<String>,
    pub side: Option<String>,
    pub notes: Option<String>,
    pub phase: Option<i32>,
}

impl ItemRow {
    pub fn dose(&self) -> Dose {
        Dose {
            sets: self.sets,
            reps: self.reps,
            hold_seconds: self.hold_seconds,
            duration_seconds: self.duration_seconds,
        }
    }
}

pub fn insert_program(conn: &mut DbConnection, row: &ProgramRow) -> QueryResult<()> {
    diesel::insert_into(programs::table).values(row).execute(conn).map(|_| ())
}

/// Adds a version with its items and makes it the program's current one.
pub fn add_version(
    conn: &mut DbConnection,
    version: &VersionRow,
    items: &[ItemRow],
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(program_versions::table).values(version).execute(conn)?;
    for item in items {
        diesel::insert_into(program_items::table).values(item).execute(conn)?;
    }
    diesel::update(programs::table.find(&version.program_id))
        .set((programs::current_version.eq(version.version), programs::updated_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ProgramRow>> {
    programs::table.find(id).select(ProgramRow::as_select()).first(conn).optional()
}

pub fn of_patient(conn: &mut DbConnection, patient_id: &str) -> QueryResult<Vec<ProgramRow>> {
    programs::table
        .filter(programs::patient_id.eq(patient_id))
        .order((programs::created_at.desc(), programs::id.desc()))
        .select(ProgramRow::as_select())
        .load(conn)
}

pub fn version(conn: &mut DbConnection, program_id: &str, version: i32) -> QueryResult<Option<VersionRow>> {
    program_versions::table
        .filter(program_versions::program_id.eq(program_id))
        .filter(program_versions::version.eq(version))
        .select(VersionRow::as_select())
        .first(conn)
        .optional()
}

pub fn items(conn: &mut DbConnection, version_id: &str) -> QueryResult<Vec<ItemRow>> {
    program_items::table
        .filter(program_items::version_id.eq(version_id))
        .order(program_items::position.asc())
        .select(ItemRow::as_select())
        .load(conn)
}

impl VersionRow {
    /// What this version asks of the patient, for the adherence and reminder rules.
    pub fn prescription(&self) -> Prescription {
        let schedule = match self.sessions_per_week {
            Some(n) => Schedule::PerWeek(n.max(0) as u32),
            None => Schedule::Weekdays(
                self.weekdays
                    .split(',')
                    .filter_map(|d| d.parse::<u32>().ok())
                    .filter_map(|d| {
                        use chrono::Weekday::*;
                        [Mon, Tue, Wed, Thu, Fri, Sat, Sun].get(d.checked_sub(1)? as usize).copied()
                    })
                    .collect(),
            ),
        };
        Prescription { starts_on: self.starts_on, ends_on: self.ends_on, schedule }
    }
}

/// The patient's program in force on `date` (newest first wins), with its current version.
pub fn in_force(
    conn: &mut DbConnection,
    patient_id: &str,
    date: NaiveDate,
) -> QueryResult<Option<(ProgramRow, VersionRow)>> {
    for program in of_patient(conn, patient_id)? {
        let Some(version) = version(conn, &program.id, program.current_version)? else { continue };
        if version.starts_on <= date && version.ends_on.is_none_or(|end| end >= date) {
            return Ok(Some((program, version)));
        }
    }
    Ok(None)
}

/// A version's items with their exercises' names, in order: what a reminder lists.
pub fn items_named(conn: &mut DbConnection, version_id: &str) -> QueryResult<Vec<(ItemRow, String)>> {
    program_items::table
        .inner_join(exercises::table.on(exercises::id.eq(program_items::exercise_id)))
        .filter(program_items::version_id.eq(version_id))
        .order(program_items::position.asc())
        .select((ItemRow::as_select(), exercises::name))
        .load(conn)
}

/// Every patient who has been prescribed a program.
pub fn patients_with_programs(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    programs::table.select(programs::patient_id).distinct().order(programs::patient_id.asc()).load(conn)
}
