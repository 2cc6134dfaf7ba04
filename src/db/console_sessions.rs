//! Console sign-ins: the hash of the cookie's id, whose session it is, and its clock.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{clinic_settings, console_sessions, users};
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = console_sessions)]
pub struct ConsoleSessionRow {
    pub id: String,
    pub user_id: String,
    pub token_hash: String,
    pub token_version: i32,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, row: &ConsoleSessionRow) -> QueryResult<()> {
    diesel::insert_into(console_sessions::table).values(row).execute(conn).map(|_| ())
}

/// The session a cookie names, with the person as they are now and the clinic's idle limit.
pub fn find(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<(ConsoleSessionRow, super::users::UserRow, i32)>> {
    let idle: i32 = clinic_settings::table.find(1).select(clinic_settings::console_idle_minutes).first(conn)?;
    let found = console_sessions::table
        .inner_join(users::table)
        .filter(console_sessions::token_hash.eq(token_hash))
        .select((ConsoleSessionRow::as_select(), super::users::UserRow::as_select()))
        .first(conn)
        .optional()?;
    Ok(found.map(|(session, user)| (session, user, idle)))
}

/// Marks the session as used at `now` (its idle time starts again).
pub fn touch(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(console_sessions::table.find(id))
        .set(console_sessions::last_seen_at.eq(now))
        .execute(conn)
        .map(|_| ())
}

/// Ends one session; whether there was one.
pub fn delete(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    Ok(diesel::delete(console_sessions::table.find(id)).execute(conn)? > 0)
}

/// Ends every console session of `user_id` (deactivated, new password).
pub fn delete_for_user(conn: &mut DbConnection, user_id: &str) -> QueryResult<usize> {
    diesel::delete(console_sessions::table.filter(console_sessions::user_id.eq(user_id))).execute(conn)
}

/// Removes sessions past their lifetime, or idle since before `idle_since`.
pub fn prune(conn: &mut DbConnection, now: NaiveDateTime, idle_since: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        console_sessions::table
            .filter(console_sessions::expires_at.le(now).or(console_sessions::last_seen_at.lt(idle_since))),
    )
    .execute(conn)
}
