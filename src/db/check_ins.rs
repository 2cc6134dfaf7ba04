//! Weekly check-ins, stored under the id the phone made.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::check_ins;
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = check_ins)]
#[diesel(treat_none_as_null = true)]
pub struct CheckInRow {
    pub id: String,
    pub patient_id: String,
    pub completed_on: NaiveDate,
    pub pain_now: i32,
    pub pain_average: i32,
    pub pain_worst: i32,
    pub odi_answers: String,
    pub odi_score: Option<f64>,
    pub psfs_ratings: String,
    pub psfs_score: Option<f64>,
    pub sleep_quality: Option<i32>,
    pub exercise_confidence: Option<i32>,
    pub note: Option<String>,
    pub red_flags: String,
    pub red_flag_severity: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<CheckInRow>> {
    check_ins::table.find(id).select(CheckInRow::as_select()).first(conn).optional()
}

pub fn insert(conn: &mut DbConnection, row: &CheckInRow) -> QueryResult<()> {
    diesel::insert_into(check_ins::table).values(row).execute(conn).map(|_| ())
}

pub fn replace(conn: &mut DbConnection, row: &CheckInRow) -> QueryResult<()> {
    diesel::update(check_ins::table.find(&row.id)).set(row).execute(conn).map(|_| ())
}

/// The patient's check-ins, oldest first: by date, and within a date in the order they were
/// received (the id is the phone's and says nothing about order; it only breaks exact ties).
pub fn of_patient(conn: &mut DbConnection, patient_id: &str) -> QueryResult<Vec<CheckInRow>> {
    check_ins::table
        .filter(check_ins::patient_id.eq(patient_id))
        .order((check_ins::completed_on.asc(), check_ins::created_at.asc(), check_ins::id.asc()))
        .select(CheckInRow::as_select())
        .load(conn)
}

/// A page of the patient's check-ins, newest first (the reverse of [`of_patient`]), before
/// `(completed_on, created_at, id)`.
pub fn page(
    conn: &mut DbConnection,
    patient_id: &str,
    before: Option<(NaiveDate, NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<CheckInRow>> {
    let mut query = check_ins::table.filter(check_ins::patient_id.eq(patient_id)).into_boxed();
    if let Some((date, received, id)) = before {
        let earlier_that_day =
            check_ins::created_at.lt(received).or(check_ins::created_at.eq(received).and(check_ins::id.lt(id)));
        query =
            query.filter(check_ins::completed_on.lt(date).or(check_ins::completed_on.eq(date).and(earlier_that_day)));
    }
    query
        .order((check_ins::completed_on.desc(), check_ins::created_at.desc(), check_ins::id.desc()))
        .limit(limit)
        .select(CheckInRow::as_select())
        .load(conn)
}

pub fn latest_date(conn: &mut DbConnection, patient_id: &str) -> QueryResult<Option<NaiveDate>> {
    check_ins::table
        .filter(check_ins::patient_id.eq(patient_id))
        .select(diesel::dsl::max(check_ins::completed_on))
        .first(conn)
}
