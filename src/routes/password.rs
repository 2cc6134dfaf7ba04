//! Forgotten passwords, resets, and accepting an invitation (first password).

use crate::http::json::Json;
use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::views::{Accepted, TokenResponse};
use crate::auth::{secret_token, session};
use crate::db::audit::Origin;
use crate::db::audit::{AuditEntry, Outcome};
use crate::db::outbox::{self, NewEmail};
use crate::db::tokens::{self, Purpose};
use crate::db::users::{self, UserRow};
use crate::db::{self, now, DbConnection};
use crate::domain::contact::EmailAddress;
use crate::domain::password_policy::NewPassword;
use crate::domain::person::FullName;
use crate::domain::role::Role;
use crate::error::{ApiError, Problem};
use crate::http::validate::Checks;
use crate::mail::{account_emails, link};
use crate::state::AppState;

/// At most this many reset emails an hour for one account, so the form cannot flood a mailbox.
pub(crate) const RESETS_PER_HOUR: i64 = 3;

#[derive(Debug, Deserialize, ToSchema)]
pub struct ForgotRequest {
    pub email: String,
}

/// Always 202, whether or not the address has an account.
#[utoipa::path(
    tag = "auth",
    request_body = ForgotRequest,
    responses((status = 202, description = "If the address has an account, a reset link was sent", body = Accepted))
)]
#[post("/v1/auth/password/forgot")]
pub async fn forgot(
    state: web::Data<AppState>,
    meta: Origin,
    body: Json<ForgotRequest>,
) -> Result<HttpResponse, ApiError> {
    // An address that cannot be one has no account: the same 202, and no query.
    let email = EmailAddress::parse(&body.email).ok();
    let public_url = state.config.public_url.clone();
    db::transaction(&state.pool, move |conn| {
        let now = now();
        let entry = AuditEntry::new("auth.password_forgot", &meta);
        let user = match &email {
            Some(email) => users::find_by_email(conn, email.as_str())?.filter(|u| u.active),
            None => None,
        };
        let Some(user) = user else {
            entry.outcome(Outcome::NotFound).write(conn)?;
            return Ok(());
        };
        let entry = entry.subject(&user);
        let recent = tokens::count_since(conn, &user.id, Purpose::PasswordReset, now - chrono::Duration::hours(1))?;
        if recent >= RESETS_PER_HOUR {
            entry.outcome(Outcome::Throttled).write(conn)?;
            return Ok(());
        }
        let token = session::link_token(conn, Some(&user.id), Purpose::PasswordReset, now)?;
        let content = account_emails::password_reset(&user.full_name, &link(&public_url, "reset-password", &token));
        let recipient = user.email.clone().unwrap_or_default();
        outbox::enqueue(conn, &NewEmail::immediate("password_reset", &recipient, Some(&user.id), content, now), now)?;
        entry.write(conn)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Accepted().json(Accepted::new(
        "reset_requested",
        "If this address has an account, we have sent it a link to choose a new password.",
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetRequest {
    pub token: String,
    /// 8 to 128 characters; the most common passwords are refused.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
}

/// Sets a new password with an emailed token (single use, 30 minutes). Ends every session of
/// the user: all refresh tokens are revoked and all access tokens stop working at once.
#[utoipa::path(
    tag = "auth",
    request_body = ResetRequest,
    responses(
        (status = 200, description = "The password is changed; sign in with it", body = Accepted),
        (status = 400, description = "Invalid, expired or used token", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/auth/password/reset")]
pub async fn reset(
    state: web::Data<AppState>,
    meta: Origin,
    body: Json<ResetRequest>,
) -> Result<HttpResponse, ApiError> {
    let ResetRequest { token, password } = body.into_inner();
    let mut checks = Checks::default();
    let password = checks.field("password", NewPassword::parse(&password, None));
    let password = checks.finish(|| password)?;
    let hash = state.hasher.hash(password.expose().to_string()).await?;
    let token_hash = secret_token::hash(token.trim());
    db::transaction(&state.pool, move |conn| {
        let now = now();
        let Some(token) = tokens::consume_one_time(conn, &token_hash, &[Purpose::PasswordReset], now)? else {
            AuditEntry::new("auth.password_reset", &meta).outcome(Outcome::Denied).write(conn)?;
            return Ok(Err(ApiError::InvalidToken));
        };
        let user = users::find(conn, token.user_id.as_deref().unwrap_or_default())?.ok_or(ApiError::InvalidToken)?;
        reject_email_as_password(&user, password.expose())?;
        set_password_ending_sessions(conn, &user, &hash, now)?;
        tokens::void_outstanding(conn, &user.id, Purpose::PasswordReset, now)?;
        tokens::void_outstanding(conn, &user.id, Purpose::Invite, now)?;
        // Following the emailed link proved the address is theirs.
        users::mark_email_verified(conn, &user.id, now)?;
        AuditEntry::new("auth.password_reset", &meta).subject(&user).write(conn)?;
        Ok(Ok(()))
    })
    .await??;
    Ok(HttpResponse::Ok().json(Accepted::new("password_changed", "Your password is changed. Sign in with it.")))
}

fn reject_email_as_password(user: &UserRow, password: &str) -> Result<(), ApiError> {
    if user.email.as_deref().is_some_and(|email| email.eq_ignore_ascii_case(password.trim())) {
        return Err(ApiError::field("password", "too_common", "a password cannot be your email address"));
    }
    Ok(())
}

/// A new password voids every token issued before it: refresh families and access tokens.
pub(crate) fn set_password_ending_sessions(
    conn: &mut DbConnection,
    user: &UserRow,
    hash: &str,
    now: chrono::NaiveDateTime,
) -> Result<(), ApiError> {
    users::set_password(conn, &user.id, hash, true, now)?;
    tokens::revoke_all_for_user(conn, &user.id, now)?;
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AcceptInviteRequest {
    pub token: String,
    /// 8 to 128 characters; the most common passwords are refused.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
    /// Only for the first admin's invitation (printed by `backtrack serve` on first start).
    #[schema(
        max_length = 254,
        pattern = r"^[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub email: Option<String>,
    /// Only for the first admin's invitation.
    #[schema(
        max_length = 200,
        pattern = r"^[^\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]*$"
    )]
    pub full_name: Option<String>,
}

/// Sets the first password of an invited user (staff, or a patient the front desk created) and
/// signs them in.
#[utoipa::path(
    tag = "auth",
    request_body = AcceptInviteRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 400, description = "Invalid, expired or used token", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/auth/accept-invite")]
pub async fn accept_invite(
    state: web::Data<AppState>,
    meta: Origin,
    body: Json<AcceptInviteRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut checks = Checks::default();
    let password = checks.field("password", NewPassword::parse(&body.password, body.email.as_deref()));
    let email = checks.optional("email", body.email.as_deref(), EmailAddress::parse);
    let name = checks.optional("full_name", body.full_name.as_deref(), FullName::parse);
    let (password, email, name) = checks.finish(|| Some((password?, email?, name?)))?;
    let hash = state.hasher.hash(password.expose().to_string()).await?;
    let token_hash = secret_token::hash(body.token.trim());
    let (keys, refresh_ttl) = (state.jwt.clone(), state.config.refresh_token_ttl);
    let default_zone = state.config.default_time_zone.clone();
    let response = db::transaction(&state.pool, move |conn| {
        let now = now();
        let purposes = [Purpose::Invite, Purpose::BootstrapAdmin];
        let Some(token) = tokens::consume_one_time(conn, &token_hash, &purposes, now)? else {
            AuditEntry::new("auth.accept_invite", &meta).outcome(Outcome::Denied).write(conn)?;
            return Ok(Err(ApiError::InvalidToken));
        };
        let user = match token.user_id {
            Some(user_id) => {
                let user = users::find(conn, &user_id)?.filter(|u| u.active).ok_or(ApiError::InvalidToken)?;
                reject_email_as_password(&user, password.expose())?;
                set_password_ending_sessions(conn, &user, &hash, now)?;
                users::mark_email_verified(conn, &user.id, now)?;
                tokens::void_outstanding(conn, &user.id, Purpose::Invite, now)?;
                tokens::void_outstanding(conn, &user.id, Purpose::PasswordReset, now)?;
                user
            }
            None => create_first_admin(conn, email, name, hash, &default_zone, now)?,
        };
        let user = users::find(conn, &user.id)?.ok_or(ApiError::InvalidToken)?;
        let session = session::start(conn, &keys, &user, refresh_ttl, now)?;
        AuditEntry::new("auth.accept_invite", &meta).subject(&user).write(conn)?;
        Ok(Ok(TokenResponse::new(session, user)))
    })
    .await??;
    Ok(HttpResponse::Ok().json(response))
}

fn create_first_admin(
    conn: &mut DbConnection,
    email: Option<EmailAddress>,
    name: Option<FullName>,
    hash: String,
    zone: &str,
    now: chrono::NaiveDateTime,
) -> Result<UserRow, ApiError> {
    if users::count_active_admins(conn)? > 0 {
        // The installation already has its admin: first-start links are void.
        return Err(ApiError::InvalidToken);
    }
    let mut missing = Vec::new();
    if email.is_none() {
        missing.push(crate::error::FieldError::new("email", "required", "the first admin's email is required"));
    }
    if name.is_none() {
        missing.push(crate::error::FieldError::new("full_name", "required", "the first admin's name is required"));
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
