//! Sign-in: the throttle before the password is checked, then the session or the refusal. The
//! password check itself runs between the two steps, on the hasher's threads.

use chrono::NaiveDateTime;

use super::sessions::{self, SessionTerms, SignedIn};
use super::Audited;
use crate::auth::password::Verified;
use crate::auth::secret_token;
use crate::db::audit::{AuditEntry, Origin, Outcome};
use crate::db::login_attempts::{self, Admission};
use crate::db::users::{self, UserRow};
use crate::db::DbConnection;
use crate::domain::contact::EmailAddress;
use crate::domain::login_throttle::Limits;
use crate::error::ApiError;

/// A sign-in attempt the throttle let through, recorded as a failure until it succeeds.
#[derive(Debug)]
pub struct Attempt {
    attempt_id: String,
    user: Option<UserRow>,
}

impl Attempt {
    /// The hash to check the password against: none for an unknown or deactivated account (the
    /// hasher then checks a decoy, so both cost the same).
    pub fn stored_hash(&self) -> Option<String> {
        self.user.as_ref().filter(|u| u.active).and_then(|u| u.password_hash.clone())
    }
}

/// The attempt's id, or the answer to give when the throttle refuses it.
pub fn admitted(admission: Admission) -> Result<String, ApiError> {
    match admission {
        Admission::Throttled { retry_after_secs } => Err(ApiError::RateLimited { retry_after_secs }),
        Admission::Admitted { attempt_id } => Ok(attempt_id),
    }
}

/// Step one: counts the attempt against the account and the client, or refuses it (audited).
/// `email` is `None` for an address that cannot be one: an unknown account, never queried.
pub fn admit(
    conn: &mut DbConnection,
    origin: &Origin,
    limits: &Limits,
    email: Option<&EmailAddress>,
    now: NaiveDateTime,
) -> Audited<Attempt> {
    let account_key = secret_token::hash(email.map_or("", EmailAddress::as_str));
    let client_key = origin.client_ip.clone().unwrap_or_else(|| "unknown".into());
    let user = match email {
        Some(email) => users::find_by_email(conn, email.as_str())?,
        None => None,
    };
    let admission = login_attempts::admit(conn, limits, &account_key, &client_key, now)?;
    if let Admission::Throttled { .. } = admission {
        let entry = AuditEntry::new("auth.login", origin).outcome(Outcome::Throttled);
        match &user {
            Some(user) => entry.subject(user),
            None => entry,
        }
        .write(conn)?;
    }
    Ok(admitted(admission).map(|attempt_id| Attempt { attempt_id, user }))
}

/// Step two, once the password was checked: `start` opens the session (a token pair for the
/// API, a cookie session for the console), or the answer is `401` (audited either way). A
/// `start` that answers `Forbidden` (a patient at the staff console) is a refusal, audited too.
pub fn finish<T>(
    conn: &mut DbConnection,
    origin: &Origin,
    attempt: Attempt,
    verified: Verified,
    now: NaiveDateTime,
    start: impl FnOnce(&mut DbConnection, UserRow) -> Result<T, ApiError>,
) -> Audited<T> {
    let entry = AuditEntry::new("auth.login", origin);
    match (verified, attempt.user) {
        (Verified::Match { rehash }, Some(mut user)) => {
            if let Some(rehash) = rehash {
                users::set_password(conn, &user.id, &rehash, false, now)?;
                user.password_hash = Some(rehash);
            }
            login_attempts::mark_succeeded(conn, &attempt.attempt_id)?;
            let entry = entry.subject(&user);
            match start(conn, user) {
                Ok(started) => {
                    entry.write(conn)?;
                    Ok(Ok(started))
                }
                Err(ApiError::Forbidden) => {
                    entry.outcome(Outcome::Denied).detail("staff_only").write(conn)?;
                    Ok(Err(ApiError::Forbidden))
                }
                Err(other) => Err(other),
            }
        }
        (_, user) => {
            let entry = match &user {
                Some(user) => entry.subject(user),
                None => entry,
            };
            entry.outcome(Outcome::Denied).write(conn)?;
            Ok(Err(ApiError::InvalidCredentials))
        }
    }
}

/// The API's door: a token pair.
pub fn api_session(
    terms: &SessionTerms,
    now: NaiveDateTime,
) -> impl FnOnce(&mut DbConnection, UserRow) -> Result<SignedIn, ApiError> + '_ {
    move |conn, user| Ok(sessions::start(conn, terms, user, now)?)
}
