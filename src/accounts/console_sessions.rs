//! Console sessions: a staff member signed in to the browser console. The browser holds a random
//! secret in a cookie; the database holds its hash. A session ends when its owner signs out, after
//! the clinic's idle time without a page, after [`LIFETIME`] whatever happens, and at once when the
//! account is deactivated, its role changes or its password changes.

use chrono::{Duration, NaiveDateTime};
use diesel::QueryResult;

use crate::auth::{secret_token, Actor};
use crate::db::audit::{AuditEntry, Origin};
use crate::db::console_sessions::{self, ConsoleSessionRow};
use crate::db::users::UserRow;
use crate::db::DbConnection;
use crate::domain::role::Role;
use crate::error::ApiError;

/// The longest a console session lasts, however busy (a long clinic day).
pub const LIFETIME: Duration = Duration::hours(12);

/// The idle times a clinic may choose, in minutes.
pub const IDLE_MINUTES: std::ops::RangeInclusive<i32> = 5..=480;

/// Who may sign in to the console: staff. Patients use the app; the worker is a machine.
pub fn admits(role: Role) -> bool {
    role.is_staff()
}

/// A session that stands: who it is, and the token its forms must carry.
#[derive(Debug, Clone)]
pub struct StaffSession {
    pub session_id: String,
    pub actor: Actor,
    pub full_name: String,
    /// The synchronizer token every state-changing form of this session carries.
    pub form_token: String,
}

/// The form token of the session whose cookie holds `secret`: derived from the secret, so it is
/// never stored, and no other site can know it.
pub fn form_token(secret: &str) -> String {
    secret_token::hash(&format!("console-form:{secret}"))
}

/// Opens a session for `user` (whose password was just checked): the cookie's secret, or
/// `Forbidden` for someone the console does not admit.
pub fn start(conn: &mut DbConnection, user: &UserRow, now: NaiveDateTime) -> Result<String, ApiError> {
    if !Role::parse(&user.role).is_some_and(admits) {
        return Err(ApiError::Forbidden);
    }
    let secret = secret_token::generate();
    console_sessions::insert(
        conn,
        &ConsoleSessionRow {
            id: crate::db::new_id(),
            user_id: user.id.clone(),
            token_hash: secret_token::hash(&secret),
            token_version: user.token_version,
            created_at: now,
            last_seen_at: now,
            expires_at: now + LIFETIME,
        },
    )?;
    Ok(secret)
}

/// The session the cookie's `secret` opens at `now`, its idle time started again; `None` when it
/// ended (the row goes then).
pub fn resume(conn: &mut DbConnection, secret: &str, now: NaiveDateTime) -> QueryResult<Option<StaffSession>> {
    let Some((session, user, idle_minutes)) = console_sessions::find(conn, &secret_token::hash(secret))? else {
        return Ok(None);
    };
    let role = Role::parse(&user.role).filter(|r| admits(*r));
    let idle = Duration::minutes(idle_minutes.clamp(*IDLE_MINUTES.start(), *IDLE_MINUTES.end()).into());
    let stands = user.active
        && user.token_version == session.token_version
        && session.expires_at > now
        && session.last_seen_at + idle > now;
    match role {
        Some(role) if stands => {
            console_sessions::touch(conn, &session.id, now)?;
            Ok(Some(StaffSession {
                session_id: session.id,
                actor: Actor::new(user.id, role),
                full_name: user.full_name,
                form_token: form_token(secret),
            }))
        }
        _ => {
            console_sessions::delete(conn, &session.id)?;
            Ok(None)
        }
    }
}

/// Signs out: the session ends at once (audited).
pub fn end(conn: &mut DbConnection, origin: &Origin, session: &StaffSession) -> QueryResult<()> {
    if console_sessions::delete(conn, &session.session_id)? {
        AuditEntry::new("auth.logout", origin).actor(&session.actor.id, session.actor.role).write(conn)?;
    }
    Ok(())
}
