//! Sessions: starting one for a person who proved who they are, trading a refresh token for the
//! next pair, and signing out.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::Audited;
use crate::auth::jwt::JwtKeys;
use crate::auth::secret_token;
use crate::auth::session::{self, Session};
use crate::db::audit::{AuditEntry, Origin, Outcome};
use crate::db::tokens;
use crate::db::users::{self, UserRow};
use crate::db::DbConnection;
use crate::error::ApiError;

/// What a new session is made with: the access-token keys and how long a refresh family lives.
#[derive(Clone)]
pub struct SessionTerms {
    pub keys: JwtKeys,
    pub refresh_ttl: Duration,
}

/// A session and the person it belongs to, as they are after it started.
#[derive(Debug)]
pub struct SignedIn {
    pub session: Session,
    pub user: UserRow,
}

/// A new session for `user` (sign-in, accepted invitation, changed password).
pub fn start(
    conn: &mut DbConnection,
    terms: &SessionTerms,
    user: UserRow,
    now: NaiveDateTime,
) -> QueryResult<SignedIn> {
    let session = session::start(conn, &terms.keys, &user, terms.refresh_ttl, now)?;
    Ok(SignedIn { session, user })
}

/// Trades a refresh token for a new pair. Every refresh token works once: presenting one that
/// was already used ends its whole family (someone else has a copy).
pub fn refresh(
    conn: &mut DbConnection,
    origin: &Origin,
    keys: &JwtKeys,
    refresh_token: &str,
    now: NaiveDateTime,
) -> Audited<SignedIn> {
    let hash = secret_token::hash(refresh_token.trim());
    let entry = AuditEntry::new("auth.refresh", origin);
    let Some(presented) = tokens::find_refresh(conn, &hash)? else {
        entry.outcome(Outcome::Denied).detail("unknown_token").write(conn)?;
        return Ok(Err(ApiError::Unauthorized));
    };
    let user = users::find(conn, &presented.user_id)?.ok_or(ApiError::Unauthorized)?;
    let entry = entry.subject(&user);
    if presented.revoked_at.is_some() || presented.expires_at <= now || !user.active {
        entry.outcome(Outcome::Denied).detail("revoked_or_expired").write(conn)?;
        return Ok(Err(ApiError::Unauthorized));
    }
    if !tokens::use_refresh(conn, &presented.id, now)? {
        // Reuse: whoever holds this family, the thief or the owner, must sign in again.
        tokens::revoke_family(conn, &presented.family_id, now)?;
        AuditEntry::new("auth.refresh_token_reuse", origin)
            .subject(&user)
            .outcome(Outcome::Denied)
            .detail(format!("family={}", presented.family_id))
            .write(conn)?;
        return Ok(Err(ApiError::Unauthorized));
    }
    let session = session::rotate(conn, keys, &user, &presented, now)?;
    entry.write(conn)?;
    Ok(Ok(SignedIn { session, user }))
}

/// Ends the session `refresh_token` belongs to (its whole family); an unknown token ends nothing.
pub fn sign_out(
    conn: &mut DbConnection,
    origin: &Origin,
    refresh_token: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let hash = secret_token::hash(refresh_token.trim());
    if let Some(presented) = tokens::find_refresh(conn, &hash)? {
        tokens::revoke_family(conn, &presented.family_id, now)?;
        if let Some(user) = users::find(conn, &presented.user_id)? {
            AuditEntry::new("auth.logout", origin).subject(&user).write(conn)?;
        }
    }
    Ok(())
}
