//! Passwords: reset links asked for by email, resets with them, changes from a signed-in
//! session, and what every new password does to the account (sessions end, links die).

use chrono::NaiveDateTime;

use super::mailbox;
use super::sessions::{self, SessionTerms, SignedIn};
use super::sign_in::admitted;
use super::Audited;
use crate::auth::{secret_token, Actor};
use crate::db::audit::{AuditEntry, Origin, Outcome};
use crate::db::login_attempts;
use crate::db::tokens::{self, Purpose};
use crate::db::users::{self, UserRow};
use crate::db::DbConnection;
use crate::domain::contact::EmailAddress;
use crate::domain::login_throttle::Limits;
use crate::error::ApiError;
use crate::mail::account_emails;

/// Emails a reset link to the account of `email`, if it has an active one and the hour's cap
/// allows. The caller answers the same either way; the audit row tells which it was.
pub fn request_reset(
    conn: &mut DbConnection,
    origin: &Origin,
    public_url: &str,
    email: Option<&EmailAddress>,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let entry = AuditEntry::new("auth.password_forgot", origin);
    let user = match email {
        Some(email) => users::find_by_email(conn, email.as_str())?.filter(|u| u.active),
        None => None,
    };
    let Some(user) = user else {
        entry.outcome(Outcome::NotFound).write(conn)?;
        return Ok(());
    };
    let entry = entry.subject(&user);
    if mailbox::hourly_links_used_up(conn, &user.id, &[Purpose::PasswordReset], now)? {
        entry.outcome(Outcome::Throttled).write(conn)?;
        return Ok(());
    }
    let link = mailbox::new_link(conn, public_url, Some(&user.id), Purpose::PasswordReset, now)?;
    let content = account_emails::password_reset(&crate::db::clinic::name(conn)?, &user.full_name, &link);
    let recipient = user.email.clone().unwrap_or_default();
    mailbox::send(conn, "password_reset", &recipient, &user.id, content, &link, now)?;
    entry.write(conn)?;
    Ok(())
}

/// Sets the password `hash` (of `password`) with an emailed reset token. Ends every session.
pub fn reset(
    conn: &mut DbConnection,
    origin: &Origin,
    token: &str,
    password: &str,
    hash: &str,
    now: NaiveDateTime,
) -> Audited<()> {
    let token_hash = secret_token::hash(token.trim());
    let Some(token) = tokens::consume_one_time(conn, &token_hash, &[Purpose::PasswordReset], now)? else {
        AuditEntry::new("auth.password_reset", origin).outcome(Outcome::Denied).write(conn)?;
        return Ok(Err(ApiError::InvalidToken));
    };
    let user = users::find(conn, token.user_id.as_deref().unwrap_or_default())?.ok_or(ApiError::InvalidToken)?;
    set_from_emailed_link(conn, &user, password, hash, now)?;
    AuditEntry::new("auth.password_reset", origin).subject(&user).write(conn)?;
    Ok(Ok(()))
}

/// A password set from an emailed link (a reset, an accepted invitation): it ends every session,
/// voids the other links, and proves the address is theirs.
pub(super) fn set_from_emailed_link(
    conn: &mut DbConnection,
    user: &UserRow,
    password: &str,
    hash: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    if user.email.as_deref().is_some_and(|email| email.eq_ignore_ascii_case(password.trim())) {
        return Err(ApiError::field("password", "too_common", "a password cannot be your email address"));
    }
    set_password_ending_sessions(conn, user, hash, now)?;
    tokens::void_outstanding(conn, &user.id, Purpose::PasswordReset, now)?;
    tokens::void_outstanding(conn, &user.id, Purpose::Invite, now)?;
    users::mark_email_verified(conn, &user.id, now)?;
    Ok(())
}

/// A new password voids every token issued before it: refresh families and access tokens.
fn set_password_ending_sessions(
    conn: &mut DbConnection,
    user: &UserRow,
    hash: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    users::set_password(conn, &user.id, hash, true, now)?;
    tokens::revoke_all_for_user(conn, &user.id, now)?;
    Ok(())
}

/// A password change the throttle let through: the account, and the attempt it counts as.
#[derive(Debug)]
pub struct Change {
    pub user: UserRow,
    attempt_id: String,
}

/// Step one of a change: counts it as a sign-in attempt (guesses of the current password count
/// with sign-in's), or refuses it.
pub fn admit_change(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    limits: &Limits,
    now: NaiveDateTime,
) -> Audited<Change> {
    let user = users::find(conn, &actor.id)?.ok_or(ApiError::Unauthorized)?;
    let client_key = origin.client_ip.clone().unwrap_or_default();
    let admission = login_attempts::admit(conn, limits, &account_key(&user), &client_key, now)?;
    Ok(admitted(admission).map(|attempt_id| Change { user, attempt_id }))
}

/// The throttle key of an account: the same one sign-in uses, so guesses count together.
fn account_key(row: &UserRow) -> String {
    secret_token::hash(row.email.as_deref().unwrap_or(&row.id))
}

/// Step two, once the current password was checked: `hash` is the new password's hash, `None`
/// when the current password was wrong. Every other session ends; the answer is a fresh one.
pub fn change(
    conn: &mut DbConnection,
    origin: &Origin,
    terms: &SessionTerms,
    change: Change,
    hash: Option<String>,
    now: NaiveDateTime,
) -> Audited<SignedIn> {
    let entry = AuditEntry::new("me.password_change", origin).subject(&change.user);
    let Some(hash) = hash else {
        entry.outcome(Outcome::Denied).write(conn)?;
        return Ok(Err(ApiError::field("current_password", "incorrect", "the current password is not correct")));
    };
    login_attempts::mark_succeeded(conn, &change.attempt_id)?;
    set_password_ending_sessions(conn, &change.user, &hash, now)?;
    let user = users::find(conn, &change.user.id)?.ok_or(ApiError::Unauthorized)?;
    let signed_in = sessions::start(conn, terms, user, now)?;
    entry.write(conn)?;
    Ok(Ok(signed_in))
}
