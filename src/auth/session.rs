//! Sessions: an access token plus a rotating refresh token. Each sign-in starts a refresh-token
//! family; each refresh replaces the presented token with a new one of the same family and the
//! same absolute expiry. Presenting a used token again ends the whole family.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::jwt::JwtKeys;
use super::secret_token;
use crate::db::tokens::{self, Purpose, RefreshRow};
use crate::db::users::UserRow;
use crate::db::{new_id, DbConnection};
use crate::domain::role::Role;

#[derive(Debug)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
}

fn role_of(user: &UserRow) -> Role {
    Role::parse(&user.role).unwrap_or(Role::Patient)
}

fn issue(
    conn: &mut DbConnection,
    keys: &JwtKeys,
    user: &UserRow,
    family_id: &str,
    family_expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<Session> {
    let refresh_token = secret_token::generate();
    tokens::insert_refresh(conn, &user.id, family_id, &secret_token::hash(&refresh_token), now, family_expires_at)?;
    Ok(Session {
        access_token: keys.issue(
            &user.id,
            role_of(user),
            user.token_version,
            Some(family_id),
            now.and_utc().timestamp(),
        ),
        refresh_token,
        expires_in: keys.ttl_secs(),
    })
}

/// A new session (sign-in, accepted invite, changed password).
pub fn start(
    conn: &mut DbConnection,
    keys: &JwtKeys,
    user: &UserRow,
    refresh_ttl: std::time::Duration,
    now: NaiveDateTime,
) -> QueryResult<Session> {
    let expires_at = now + chrono::Duration::from_std(refresh_ttl).unwrap_or(chrono::Duration::days(30));
    issue(conn, keys, user, &new_id(), expires_at, now)
}

/// The next pair of the family `used` belongs to; `used` must already be marked used.
pub fn rotate(
    conn: &mut DbConnection,
    keys: &JwtKeys,
    user: &UserRow,
    used: &RefreshRow,
    now: NaiveDateTime,
) -> QueryResult<Session> {
    issue(conn, keys, user, &used.family_id, used.expires_at, now)
}

/// A one-time token for an email link; the raw token goes into the link, its hash into the table.
pub fn link_token(
    conn: &mut DbConnection,
    user_id: Option<&str>,
    purpose: Purpose,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let token = secret_token::generate();
    tokens::insert_one_time(conn, user_id, purpose, &secret_token::hash(&token), now)?;
    Ok(token)
}
