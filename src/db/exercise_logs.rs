//! Logged exercise sessions.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{exercise_logs as logs, program_versions};
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = logs)]
#[diesel(treat_none_as_null = true)]
pub struct LogRow {
    pub id: String,
    pub patient_id: String,
    pub program_id: String,
    pub program_version_id: String,
    pub performed_on: NaiveDate,
    pub items: String,
    pub pain: Option<i32>,
    pub effort: Option<i32>,
    pub note: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<LogRow>> {
    logs::table.find(id).select(LogRow::as_select()).first(conn).optional()
}

pub fn insert(conn: &mut DbConnection, row: &LogRow) -> QueryResult<()> {
    diesel::insert_into(logs::table).values(row).execute(conn).map(|_| ())
}

pub fn replace(conn: &mut DbConnection, row: &LogRow) -> QueryResult<()> {
    diesel::update(logs::table.find(&row.id)).set(row).execute(conn).map(|_| ())
}

/// The program a version belongs to, and its patient.
pub fn version_owner(conn: &mut DbConnection, version_id: &str) -> QueryResult<Option<(String, String)>> {
    use super::schema::programs;
    program_versions::table
        .inner_join(programs::table.on(programs::id.eq(program_versions::program_id)))
        .filter(program_versions::id.eq(version_id))
        .select((programs::id, programs::patient_id))
        .first(conn)
        .optional()
}

/// A patient's logs changed after `(updated_at, id)`, oldest change first: what a phone syncs.
pub fn changed_since(
    conn: &mut DbConnection,
    patient_id: &str,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<LogRow>> {
    let mut query = logs::table.filter(logs::patient_id.eq(patient_id)).into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(logs::updated_at.gt(at).or(logs::updated_at.eq(at).and(logs::id.gt(id))));
    }
    query.order((logs::updated_at.asc(), logs::id.asc())).limit(limit).select(LogRow::as_select()).load(conn)
}

/// The dates a patient logged a session for one program.
pub fn dates(conn: &mut DbConnection, program_id: &str) -> QueryResult<Vec<NaiveDate>> {
    logs::table.filter(logs::program_id.eq(program_id)).select(logs::performed_on).load(conn)
}

/// Whether the patient logged a session (of any program) for the local date `date`.
pub fn logged_on(conn: &mut DbConnection, patient_id: &str, date: NaiveDate) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        logs::table.filter(logs::patient_id.eq(patient_id)).filter(logs::performed_on.eq(date)),
    ))
    .get_result(conn)
}
