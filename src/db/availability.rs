//! Clinicians' weekly hours and their exceptions (time off, extra hours).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{availability_exceptions, availability_rules};
use super::{new_id, DbConnection};
use crate::domain::hours::{weekday, ExceptionKind};
use crate::domain::slots::{Exception, Interval, WeeklyHours};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = availability_rules)]
pub struct RuleRow {
    pub id: String,
    pub clinician_id: String,
    /// ISO weekday, 1 = Monday.
    pub weekday: i32,
    pub start_minute: i32,
    pub end_minute: i32,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
}

impl RuleRow {
    pub fn weekly_hours(&self) -> WeeklyHours {
        WeeklyHours {
            weekday: weekday(self.weekday),
            start_minute: self.start_minute.max(0) as u32,
            end_minute: self.end_minute.max(0) as u32,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
        }
    }
}

pub struct NewRule {
    pub weekday: i32,
    pub start_minute: i32,
    pub end_minute: i32,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

pub fn rules(conn: &mut DbConnection, clinician_ids: &[String]) -> QueryResult<Vec<RuleRow>> {
    availability_rules::table
        .filter(availability_rules::clinician_id.eq_any(clinician_ids))
        .order((availability_rules::clinician_id, availability_rules::weekday, availability_rules::start_minute))
        .select(RuleRow::as_select())
        .load(conn)
}

/// Replaces a clinician's weekly hours with `rules`.
pub fn replace_rules(
    conn: &mut DbConnection,
    clinician_id: &str,
    rules: &[NewRule],
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(availability_rules::table.filter(availability_rules::clinician_id.eq(clinician_id)))
        .execute(conn)?;
    for rule in rules {
        diesel::insert_into(availability_rules::table)
            .values((
                availability_rules::id.eq(new_id()),
                availability_rules::clinician_id.eq(clinician_id),
                availability_rules::weekday.eq(rule.weekday),
                availability_rules::start_minute.eq(rule.start_minute),
                availability_rules::end_minute.eq(rule.end_minute),
                availability_rules::valid_from.eq(rule.valid_from),
                availability_rules::valid_until.eq(rule.valid_until),
                availability_rules::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = availability_exceptions)]
pub struct ExceptionRow {
    pub id: String,
    pub clinician_id: String,
    /// `time_off` or `extra_hours`.
    pub kind: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub note: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

impl ExceptionRow {
    pub fn kind(&self) -> ExceptionKind {
        ExceptionKind::parse(&self.kind)
    }

    pub fn exception(&self) -> Exception {
        Exception { kind: self.kind(), interval: Interval::new(self.starts_at.and_utc(), self.ends_at.and_utc()) }
    }
}

pub fn insert_exception(conn: &mut DbConnection, row: &ExceptionRow) -> QueryResult<()> {
    diesel::insert_into(availability_exceptions::table).values(row).execute(conn).map(|_| ())
}

pub fn delete_exception(conn: &mut DbConnection, clinician_id: &str, id: &str) -> QueryResult<bool> {
    let deleted = diesel::delete(
        availability_exceptions::table
            .filter(availability_exceptions::id.eq(id))
            .filter(availability_exceptions::clinician_id.eq(clinician_id)),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}

/// Exceptions of these clinicians that overlap `[from, to)`.
pub fn exceptions(
    conn: &mut DbConnection,
    clinician_ids: &[String],
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<ExceptionRow>> {
    availability_exceptions::table
        .filter(availability_exceptions::clinician_id.eq_any(clinician_ids))
        .filter(availability_exceptions::starts_at.lt(to))
        .filter(availability_exceptions::ends_at.gt(from))
        .order(availability_exceptions::starts_at)
        .select(ExceptionRow::as_select())
        .load(conn)
}
