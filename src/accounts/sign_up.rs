//! Patient sign-up and email verification. Sign-up answers the same whether or not the address is
//! taken (its owner gets an email instead), so it cannot be used to discover accounts.

use chrono::{NaiveDate, NaiveDateTime};

use super::sign_in::admitted;
use super::{mailbox, Audited};
use crate::auth::secret_token;
use crate::clinical::alerts::raise_red_flag;
use crate::db::audit::{AuditEntry, Origin, Outcome};
use crate::db::clinic;
use crate::db::login_attempts::{self, Admission};
use crate::db::tokens::{self, Purpose};
use crate::db::users::{self, UserRow};
use crate::db::DbConnection;
use crate::domain::contact::{EmailAddress, PhoneNumber};
use crate::domain::login_throttle::Limits;
use crate::domain::person::FullName;
use crate::domain::red_flags::Screening;
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::mail::account_emails;

/// A sign-up as parsed, with the password already hashed.
pub struct SignUp {
    pub email: EmailAddress,
    pub password_hash: String,
    pub name: FullName,
    pub phone: Option<PhoneNumber>,
    pub date_of_birth: NaiveDate,
    pub time_zone: chrono_tz::Tz,
    pub screening: Screening,
}

/// Step one of a sign-up, before any password is hashed: counts it against the target address
/// and the client (with sign-in's throttle, under keys of their own), or refuses it (audited).
/// The count is the same whether or not the address is taken.
pub fn admit(
    conn: &mut DbConnection,
    origin: &Origin,
    limits: &Limits,
    email: &EmailAddress,
    now: NaiveDateTime,
) -> Audited<()> {
    let address_key = secret_token::hash(&format!("sign-up {}", email.as_str()));
    let client_key = format!("sign-up {}", origin.client_ip.as_deref().unwrap_or("unknown"));
    let admission = login_attempts::admit(conn, limits, &address_key, &client_key, now)?;
    if let Admission::Throttled { .. } = admission {
        AuditEntry::new("auth.register", origin).outcome(Outcome::Throttled).write(conn)?;
    }
    Ok(admitted(admission).map(|_| ()))
}

/// Creates the patient and emails the verification link; a positive red-flag answer alerts a
/// clinician. A taken address gets an email instead (an invitation for a patient the front desk
/// created, a reset link otherwise), within the hourly cap on such links.
pub fn register(
    conn: &mut DbConnection,
    origin: &Origin,
    public_url: &str,
    sign_up: SignUp,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let SignUp { email, password_hash, name, phone, date_of_birth, time_zone, screening } = sign_up;
    let audit = AuditEntry::new("auth.register", origin);
    if let Some(existing) = users::find_by_email(conn, email.as_str())? {
        if mailbox::hourly_links_used_up(conn, &existing.id, &[Purpose::Invite, Purpose::PasswordReset], now)? {
            // Enough links went to this mailbox this hour; the answer stays the same.
            audit.target(&existing.id).outcome(Outcome::Throttled).detail("email_taken").write(conn)?;
            return Ok(());
        }
        let (content, link) = if existing.password_hash.is_none() && existing.role == Role::Patient.as_str() {
            // A patient the front desk created: the mailbox owner sets up the account.
            let link = mailbox::new_link(conn, public_url, Some(&existing.id), Purpose::Invite, now)?;
            (account_emails::patient_invite(&clinic::name(conn)?, &existing.full_name, &link), link)
        } else {
            let link = mailbox::new_link(conn, public_url, Some(&existing.id), Purpose::PasswordReset, now)?;
            (account_emails::already_registered(&clinic::name(conn)?, &existing.full_name, &link), link)
        };
        mailbox::send(conn, "account_exists", email.as_str(), &existing.id, content, &link, now)?;
        audit.target(&existing.id).outcome(Outcome::Denied).detail("email_taken").write(conn)?;
        return Ok(());
    }
    let user = UserRow {
        email: Some(email.as_str().to_string()),
        password_hash: Some(password_hash),
        phone: phone.map(PhoneNumber::into_string),
        date_of_birth: Some(date_of_birth),
        ..UserRow::new(Role::Patient, &name, time_zone.name(), now)
    };
    users::insert(conn, &user)?;
    let link = mailbox::new_link(conn, public_url, Some(&user.id), Purpose::VerifyEmail, now)?;
    let content = account_emails::verify_email(&clinic::name(conn)?, &user.full_name, &link);
    mailbox::send(conn, "verify_email", email.as_str(), &user.id, content, &link, now)?;
    audit.actor(&user.id, Role::Patient).patient(&user.id).target(&user.id).write(conn)?;
    if let Some(severity) = screening.severity() {
        raise_red_flag(conn, public_url, &user.id, severity, &screening.positive, now)?;
    }
    Ok(())
}

/// What sign-up answers once its transaction ended: two sign-ups with one address raced, the
/// other one won (its insert made this one's refused), and the answer is the same.
pub fn raced_is_accepted(result: Result<(), ApiError>) -> Result<(), ApiError> {
    match result {
        Ok(()) | Err(ApiError::Conflict { .. }) => Ok(()),
        Err(err) => Err(err),
    }
}

/// Confirms the address with the emailed token.
pub fn verify_email(conn: &mut DbConnection, origin: &Origin, token: &str, now: NaiveDateTime) -> Audited<()> {
    let hash = secret_token::hash(token.trim());
    let Some(token) = tokens::consume_one_time(conn, &hash, &[Purpose::VerifyEmail], now)? else {
        AuditEntry::new("auth.verify_email", origin).outcome(Outcome::Denied).write(conn)?;
        return Ok(Err(ApiError::InvalidToken));
    };
    let user_id = token.user_id.unwrap_or_default();
    users::mark_email_verified(conn, &user_id, now)?;
    AuditEntry::new("auth.verify_email", origin).actor(&user_id, Role::Patient).patient(&user_id).write(conn)?;
    Ok(Ok(()))
}

/// A new confirmation email for the actor's own address, within the hourly cap on such links
/// (earlier links stop working; past the cap, 429 until an hour after the oldest of them);
/// `true` when the address is confirmed already (nothing is sent).
pub fn resend_verification(
    conn: &mut DbConnection,
    actor: &crate::auth::Actor,
    origin: &Origin,
    public_url: &str,
    now: NaiveDateTime,
) -> Audited<bool> {
    let user = users::find(conn, &actor.id)?.ok_or(ApiError::Unauthorized)?;
    let (Some(email), None) = (user.email.clone(), user.email_verified_at) else {
        return Ok(Ok(true));
    };
    let entry = AuditEntry::new("auth.verify_email_resend", origin).subject(&user);
    if mailbox::hourly_links_used_up(conn, &user.id, &[Purpose::VerifyEmail], now)? {
        entry.outcome(Outcome::Throttled).write(conn)?;
        return Ok(Err(ApiError::RateLimited { retry_after_secs: 3600 }));
    }
    tokens::void_outstanding(conn, &user.id, Purpose::VerifyEmail, now)?;
    let link = mailbox::new_link(conn, public_url, Some(&user.id), Purpose::VerifyEmail, now)?;
    let content = account_emails::verify_email(&clinic::name(conn)?, &user.full_name, &link);
    mailbox::send(conn, "verify_email", &email, &user.id, content, &link, now)?;
    entry.write(conn)?;
    Ok(Ok(false))
}
