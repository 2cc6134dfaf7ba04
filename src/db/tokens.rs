//! Refresh tokens (rotating, in families) and one-time tokens (email links). Only hashes are kept.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{one_time_tokens, refresh_tokens};
use super::{new_id, DbConnection};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshRow {
    pub id: String,
    pub user_id: String,
    pub family_id: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn insert_refresh(
    conn: &mut DbConnection,
    user_id: &str,
    family_id: &str,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(new_id()),
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::family_id.eq(family_id),
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::created_at.eq(now),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn find_refresh(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<RefreshRow>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select(RefreshRow::as_select())
        .first(conn)
        .optional()
}

/// Marks a refresh token used; false if it was already used or revoked (two racing refreshes
/// with one token: exactly one wins, the other is treated as reuse).
pub fn use_refresh(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(
        refresh_tokens::table
            .find(id)
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn revoke_family(conn: &mut DbConnection, family_id: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)
    .map(|_| ())
}

pub fn revoke_all_for_user(conn: &mut DbConnection, user_id: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        refresh_tokens::table.filter(refresh_tokens::user_id.eq(user_id)).filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)
    .map(|_| ())
}

/// What a one-time token is for; a token for one purpose never works for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    PasswordReset,
    /// Staff, or a patient the front desk created, setting their first password.
    Invite,
    /// The first admin of a new installation (no user exists yet).
    BootstrapAdmin,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::PasswordReset => "password_reset",
            Purpose::Invite => "invite",
            Purpose::BootstrapAdmin => "bootstrap_admin",
        }
    }

    /// How long a link stays good.
    pub fn lifetime(self) -> chrono::Duration {
        match self {
            Purpose::VerifyEmail => chrono::Duration::hours(48),
            Purpose::PasswordReset => chrono::Duration::minutes(30),
            Purpose::Invite => chrono::Duration::days(7),
            Purpose::BootstrapAdmin => chrono::Duration::hours(24),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = one_time_tokens)]
pub struct OneTimeRow {
    pub id: String,
    pub user_id: Option<String>,
    pub purpose: String,
}

/// Stores a new one-time token's hash; returns the row id.
pub fn insert_one_time(
    conn: &mut DbConnection,
    user_id: Option<&str>,
    purpose: Purpose,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let id = new_id();
    diesel::insert_into(one_time_tokens::table)
        .values((
            one_time_tokens::id.eq(&id),
            one_time_tokens::user_id.eq(user_id),
            one_time_tokens::purpose.eq(purpose.as_str()),
            one_time_tokens::token_hash.eq(token_hash),
            one_time_tokens::created_at.eq(now),
            one_time_tokens::expires_at.eq(now + purpose.lifetime()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The unused, unexpired token with this hash and one of `purposes`, left as it is (a page
/// that shows what a link is for before anyone acts on it).
pub fn find_live_one_time(
    conn: &mut DbConnection,
    token_hash: &str,
    purposes: &[Purpose],
    now: NaiveDateTime,
) -> QueryResult<Option<OneTimeRow>> {
    let names: Vec<&str> = purposes.iter().map(|p| p.as_str()).collect();
    one_time_tokens::table
        .filter(one_time_tokens::token_hash.eq(token_hash))
        .filter(one_time_tokens::purpose.eq_any(names))
        .filter(one_time_tokens::used_at.is_null())
        .filter(one_time_tokens::expires_at.gt(now))
        .select(OneTimeRow::as_select())
        .first(conn)
        .optional()
}

/// Uses up a live token of one of `purposes`: at most one caller ever gets it back.
pub fn consume_one_time(
    conn: &mut DbConnection,
    token_hash: &str,
    purposes: &[Purpose],
    now: NaiveDateTime,
) -> QueryResult<Option<OneTimeRow>> {
    let Some(row) = find_live_one_time(conn, token_hash, purposes, now)? else {
        return Ok(None);
    };
    let claimed = diesel::update(one_time_tokens::table.find(&row.id).filter(one_time_tokens::used_at.is_null()))
        .set(one_time_tokens::used_at.eq(now))
        .execute(conn)?;
    Ok((claimed == 1).then_some(row))
}

/// Voids a user's outstanding tokens of one purpose (a reset link, once a password is set).
pub fn void_outstanding(
    conn: &mut DbConnection,
    user_id: &str,
    purpose: Purpose,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        one_time_tokens::table
            .filter(one_time_tokens::user_id.eq(user_id))
            .filter(one_time_tokens::purpose.eq(purpose.as_str()))
            .filter(one_time_tokens::used_at.is_null()),
    )
    .set(one_time_tokens::used_at.eq(now))
    .execute(conn)
    .map(|_| ())
}

/// How many tokens of `purpose` were made for the user since `since` (to cap reset emails).
pub fn count_since(conn: &mut DbConnection, user_id: &str, purpose: Purpose, since: NaiveDateTime) -> QueryResult<i64> {
    one_time_tokens::table
        .filter(one_time_tokens::user_id.eq(user_id))
        .filter(one_time_tokens::purpose.eq(purpose.as_str()))
        .filter(one_time_tokens::created_at.gt(since))
        .count()
        .get_result(conn)
}
