//! Waitlist entries (a patient's wish for an earlier time) and the offers made from them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{waitlist_entries as entries, waitlist_offers as offers};
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = entries)]
pub struct EntryRow {
    pub id: String,
    pub patient_id: String,
    pub appointment_type_id: String,
    pub clinician_id: Option<String>,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub weekdays: String,
    pub earliest_minute: Option<i32>,
    pub latest_minute: Option<i32>,
    pub status: String,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl EntryRow {
    pub fn weekday_list(&self) -> Vec<u32> {
        self.weekdays.split(',').filter_map(|d| d.trim().parse().ok()).collect()
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = offers)]
pub struct OfferRow {
    pub id: String,
    pub entry_id: String,
    pub token_hash: String,
    pub clinician_id: String,
    pub starts_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub status: String,
    pub appointment_id: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert_entry(conn: &mut DbConnection, row: &EntryRow) -> QueryResult<()> {
    diesel::insert_into(entries::table).values(row).execute(conn).map(|_| ())
}

pub fn find_entry(conn: &mut DbConnection, id: &str) -> QueryResult<Option<EntryRow>> {
    entries::table.find(id).select(EntryRow::as_select()).first(conn).optional()
}

pub fn set_entry_status(conn: &mut DbConnection, id: &str, status: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(entries::table.find(id))
        .set((entries::status.eq(status), entries::updated_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}

/// Waiting entries, first come first served; of one patient when given.
pub fn waiting(conn: &mut DbConnection, patient_id: Option<&str>, limit: i64) -> QueryResult<Vec<EntryRow>> {
    let mut query = entries::table.filter(entries::status.eq_any(["waiting", "offered"])).into_boxed();
    if let Some(patient) = patient_id {
        query = query.filter(entries::patient_id.eq(patient.to_string()));
    }
    query.order((entries::created_at.asc(), entries::id.asc())).limit(limit).select(EntryRow::as_select()).load(conn)
}

/// Entries still waiting that could take a time on `date`, oldest first (the first 50: a freed
/// time is offered to one of them, not searched against everyone).
pub fn candidates(conn: &mut DbConnection, date: NaiveDate) -> QueryResult<Vec<EntryRow>> {
    entries::table
        .filter(entries::status.eq("waiting"))
        .filter(entries::from_date.le(date))
        .filter(entries::to_date.ge(date))
        .order((entries::created_at.asc(), entries::id.asc()))
        .limit(50)
        .select(EntryRow::as_select())
        .load(conn)
}

/// Withdraws the entry's open offers (the patient left the waitlist).
pub fn withdraw_offers(conn: &mut DbConnection, entry_id: &str) -> QueryResult<usize> {
    diesel::update(offers::table.filter(offers::entry_id.eq(entry_id)).filter(offers::status.eq("open")))
        .set(offers::status.eq("withdrawn"))
        .execute(conn)
}

/// The open offers of these entries, soonest start first.
pub fn open_offers(conn: &mut DbConnection, entry_ids: &[String]) -> QueryResult<Vec<OfferRow>> {
    offers::table
        .filter(offers::entry_id.eq_any(entry_ids))
        .filter(offers::status.eq("open"))
        .order(offers::starts_at.asc())
        .select(OfferRow::as_select())
        .load(conn)
}

pub fn insert_offer(conn: &mut DbConnection, row: &OfferRow) -> QueryResult<()> {
    diesel::insert_into(offers::table).values(row).execute(conn).map(|_| ())
}

pub fn offer_by_token(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<OfferRow>> {
    offers::table.filter(offers::token_hash.eq(token_hash)).select(OfferRow::as_select()).first(conn).optional()
}

/// The starts this entry was already offered (it is not asked twice about one time).
pub fn offered_for_entry(conn: &mut DbConnection, entry_id: &str) -> QueryResult<Vec<NaiveDateTime>> {
    offers::table.filter(offers::entry_id.eq(entry_id)).select(offers::starts_at).load(conn)
}

pub fn close_offer(conn: &mut DbConnection, id: &str, status: &str, appointment_id: Option<&str>) -> QueryResult<bool> {
    let updated = diesel::update(offers::table.find(id).filter(offers::status.eq("open")))
        .set((offers::status.eq(status), offers::appointment_id.eq(appointment_id)))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Open offers whose time to answer has run out.
pub fn lapsed(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<Vec<OfferRow>> {
    offers::table
        .filter(offers::status.eq("open"))
        .filter(offers::expires_at.le(now))
        .order(offers::expires_at.asc())
        .select(OfferRow::as_select())
        .load(conn)
}
