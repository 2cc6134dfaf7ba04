//! API tokens for machine users: the worker's credential. Random, prefixed `btw_`, stored hashed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{api_tokens, users};
use super::users::UserRow;
use super::{new_id, DbConnection};
use crate::domain::person::FullName;
use crate::domain::role::Role;

pub const PREFIX: &str = "btw_";

/// The worker user with this name, made on first use.
pub fn worker_user(conn: &mut DbConnection, name: &str, zone: &str, now: NaiveDateTime) -> QueryResult<UserRow> {
    let name = FullName::parse(name).unwrap_or_else(|_| FullName::parse("Reminder worker").expect("valid name"));
    let existing = users::table
        .filter(users::role.eq(Role::Worker.as_str()))
        .filter(users::name_key.eq(name.search_key()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    if let Some(user) = existing {
        return Ok(user);
    }
    let user = UserRow::new(Role::Worker, &name, zone, now);
    super::users::insert(conn, &user)?;
    Ok(user)
}

/// Stores a new token for `user_id`; with `replace`, the user's earlier tokens stop working.
pub fn insert(
    conn: &mut DbConnection,
    user_id: &str,
    label: &str,
    token_hash: &str,
    replace: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    if replace {
        diesel::update(
            api_tokens::table.filter(api_tokens::user_id.eq(user_id)).filter(api_tokens::revoked_at.is_null()),
        )
        .set(api_tokens::revoked_at.eq(now))
        .execute(conn)?;
    }
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::id.eq(new_id()),
            api_tokens::user_id.eq(user_id),
            api_tokens::label.eq(label),
            api_tokens::token_hash.eq(token_hash),
            api_tokens::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The active user a live token belongs to, with their role.
pub fn holder(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<(String, String)>> {
    api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::revoked_at.is_null())
        .filter(users::active.eq(true))
        .select((users::id, users::role))
        .first(conn)
        .optional()
}
