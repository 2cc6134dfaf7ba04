//! Invitations: making an account whose owner sets the password from an emailed link, accepting
//! one (the first password, and a session), and the first admin of a new installation.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::passwords::set_from_emailed_link;
use super::{mailbox, Audited};
use crate::auth::secret_token;
use crate::db::audit::{AuditEntry, Origin, Outcome};
use crate::db::tokens::{self, Purpose};
use crate::db::users::{self, UserRow};
use crate::db::DbConnection;
use crate::domain::contact::EmailAddress;
use crate::domain::person::FullName;
use crate::domain::role::Role;
use crate::error::{ApiError, FieldError};

/// Creates `user` (a new row with an email address and no password) and returns the link where
/// they set one. Refused with `409 email_taken` when the address is someone else's.
pub fn invite(
    conn: &mut DbConnection,
    public_url: &str,
    user: &UserRow,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    mailbox::ensure_free(conn, user.email.as_deref().unwrap_or_default())?;
    users::insert(conn, user)?;
    Ok(mailbox::new_link(conn, public_url, Some(&user.id), Purpose::Invite, now)?)
}

/// Whether the installation has its admin: then first-start links are void.
fn has_admin(conn: &mut DbConnection) -> QueryResult<bool> {
    Ok(users::count_active_admins(conn)? > 0)
}

/// With no active admin, a one-time link for the first one (they give their email and name
/// when they accept it). `None` when the clinic already has an admin.
pub fn first_admin_link(conn: &mut DbConnection, public_url: &str, now: NaiveDateTime) -> QueryResult<Option<String>> {
    if has_admin(conn)? {
        return Ok(None);
    }
    mailbox::new_link(conn, public_url, None, Purpose::BootstrapAdmin, now).map(Some)
}

/// What an invitation link is for, without using it: `Some(true)` for the first admin's (who
/// give their email and name), `Some(false)` for an invited person's, `None` for an unknown,
/// used or expired link (or a first-admin link once the clinic has its admin).
pub fn look_up(conn: &mut DbConnection, token: &str, now: NaiveDateTime) -> QueryResult<Option<bool>> {
    let token_hash = secret_token::hash(token.trim());
    let purposes = [Purpose::Invite, Purpose::BootstrapAdmin];
    let Some(row) = tokens::find_live_one_time(conn, &token_hash, &purposes, now)? else { return Ok(None) };
    Ok(match row.user_id {
        Some(user_id) => users::find(conn, &user_id)?.filter(|u| u.active).map(|_| false),
        None => (!has_admin(conn)?).then_some(true),
    })
}

/// What accepting an invitation sends: the token, the first password and its hash, and, for the
/// first admin's link only, their email and name.
pub struct Acceptance<'a> {
    pub token: &'a str,
    pub password: &'a str,
    pub hash: String,
    pub email: Option<EmailAddress>,
    pub name: Option<FullName>,
    /// The first admin's time zone.
    pub default_zone: &'a str,
}

/// Sets the first password of an invited user (staff, or a patient the front desk created), or
/// creates the first admin: the account, ready to sign in (the API's answer signs them in
/// with [`crate::accounts::sessions::start`]; the page sends them to sign in where they work).
pub fn accept(
    conn: &mut DbConnection,
    origin: &Origin,
    acceptance: Acceptance<'_>,
    now: NaiveDateTime,
) -> Audited<UserRow> {
    let token_hash = secret_token::hash(acceptance.token.trim());
    let purposes = [Purpose::Invite, Purpose::BootstrapAdmin];
    let Some(token) = tokens::consume_one_time(conn, &token_hash, &purposes, now)? else {
        AuditEntry::new("auth.accept_invite", origin).outcome(Outcome::Denied).write(conn)?;
        return Ok(Err(ApiError::InvalidToken));
    };
    let user = match token.user_id {
        Some(user_id) => {
            let user = users::find(conn, &user_id)?.filter(|u| u.active).ok_or(ApiError::InvalidToken)?;
            set_from_emailed_link(conn, &user, acceptance.password, &acceptance.hash, now)?;
            user
        }
        None => {
            create_first_admin(conn, acceptance.email, acceptance.name, acceptance.hash, acceptance.default_zone, now)?
        }
    };
    let user = users::find(conn, &user.id)?.ok_or(ApiError::InvalidToken)?;
    AuditEntry::new("auth.accept_invite", origin).subject(&user).write(conn)?;
    Ok(Ok(user))
}

fn create_first_admin(
    conn: &mut DbConnection,
    email: Option<EmailAddress>,
    name: Option<FullName>,
    hash: String,
    zone: &str,
    now: NaiveDateTime,
) -> Result<UserRow, ApiError> {
    if has_admin(conn)? {
        // The installation already has its admin: first-start links are void.
        return Err(ApiError::InvalidToken);
    }
    let mut missing = Vec::new();
    if email.is_none() {
        missing.push(FieldError::new("email", "required", "the first admin's email is required"));
    }
    if name.is_none() {
        missing.push(FieldError::new("full_name", "required", "the first admin's name is required"));
    }
    let (Some(email), Some(name)) = (email, name) else {
        return Err(ApiError::Validation(missing));
    };
    let user = UserRow {
        email: Some(email.into_string()),
        password_hash: Some(hash),
        ..UserRow::new(Role::Admin, &name, zone, now)
    };
    users::insert(conn, &user)?;
    users::find(conn, &user.id)?.ok_or(ApiError::InvalidToken)
}
