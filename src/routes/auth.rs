//! Sign-up, email verification, sign-in, refresh-token rotation and sign-out.

use crate::http::json::Json;
use actix_web::{post, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::views::RedFlagAdvice;
use super::views::{Accepted, TokenResponse};
use crate::auth::password::Verified;
use crate::auth::{secret_token, session};
use crate::clinical::alerts::raise_red_flag;
use crate::db::audit::Origin;
use crate::db::audit::{AuditEntry, Outcome};
use crate::db::login_attempts::{self, Admission};
use crate::db::outbox::{self, NewEmail};
use crate::db::tokens::{self, Purpose};
use crate::db::users::{self, UserRow};
use crate::db::{self, now};
use crate::domain::contact::{EmailAddress, PhoneNumber};
use crate::domain::password_policy::NewPassword;
use crate::domain::person::{self, FullName};
use crate::domain::red_flags::Screening;
use crate::domain::role::Role;
use crate::error::{ApiError, Problem};
use crate::http::validate::Checks;
use crate::mail::{account_emails, link};
use crate::state::AppState;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterRequest {
    #[schema(
        max_length = 254,
        pattern = r"^[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub email: String,
    /// 8 to 128 characters; the most common passwords are refused.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
    #[schema(
        max_length = 200,
        pattern = r"^[^\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]*$"
    )]
    pub full_name: String,
    #[schema(
        pattern = r"^[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\+?[ ().-]*([0-9][ ().-]*){7,15}[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub phone: Option<String>,
    /// On or after 1900-01-01, and not in the future.
    #[schema(pattern = r"^(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub date_of_birth: NaiveDate,
    /// IANA time zone, e.g. `America/Chicago`: reminders follow it.
    #[schema(schema_with = crate::http::schemas::time_zone)]
    pub time_zone: String,
    /// The red-flag screening questions (`GET /v1/red-flag-questions`): a positive answer
    /// alerts a clinician once the account exists, and the answer carries the advice at once.
    #[serde(default)]
    #[schema(schema_with = crate::http::schemas::red_flags)]
    pub red_flags: BTreeMap<String, bool>,
}

/// Sign-up's answer: the same whether or not the email was free; the advice depends only on the
/// answers given.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignUpAccepted {
    #[serde(flatten)]
    pub accepted: Accepted,
    /// Present when a red-flag answer was positive: show it at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub red_flag: Option<RedFlagAdvice>,
}

/// Patient sign-up. The answer is the same whether or not the email is taken (the owner of an
/// existing account gets an email instead), so sign-up cannot be used to discover accounts.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 202, description = "Check your email to confirm the address", body = SignUpAccepted),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/auth/register")]
pub async fn register(
    state: web::Data<AppState>,
    meta: Origin,
    body: Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let today = now().date();
    let mut checks = Checks::default();
    let email = checks.field("email", EmailAddress::parse(&body.email));
    let password = checks.field("password", NewPassword::parse(&body.password, Some(&body.email)));
    let name = checks.field("full_name", FullName::parse(&body.full_name));
    let phone = checks.optional("phone", body.phone.as_deref(), PhoneNumber::parse);
    let dob = checks.field("date_of_birth", person::date_of_birth(body.date_of_birth, today));
    let zone = checks.field("time_zone", person::time_zone(&body.time_zone));
    let screening = checks.field("red_flags", Screening::parse(&body.red_flags));
    let (email, password, name, phone, dob, zone, screening) =
        checks.finish(|| Some((email?, password?, name?, phone?, dob?, zone?, screening?)))?;
    let advice = RedFlagAdvice::of(&screening);

    // Hash whatever happens next, so a taken email takes as long to answer as a new one.
    let hash = state.hasher.hash(password.expose().to_string()).await?;
    let public_url = state.config.public_url.clone();
    let result = db::transaction(&state.pool, move |conn| {
        let now = now();
        let audit = AuditEntry::new("auth.register", &meta);
        if let Some(existing) = users::find_by_email(conn, email.as_str())? {
            let since = now - chrono::Duration::hours(1);
            let recent = tokens::count_since(conn, &existing.id, Purpose::Invite, since)?
                + tokens::count_since(conn, &existing.id, Purpose::PasswordReset, since)?;
            if recent >= super::password::RESETS_PER_HOUR {
                // Enough links went to this mailbox this hour; the answer stays the same.
                audit.target(&existing.id).outcome(Outcome::Throttled).detail("email_taken").write(conn)?;
                return Ok(());
            }
            let content = if existing.password_hash.is_none() && existing.role == Role::Patient.as_str() {
                // A patient the front desk created: the mailbox owner sets up the account.
                let token = session::link_token(conn, Some(&existing.id), Purpose::Invite, now)?;
                account_emails::patient_invite(&existing.full_name, &link(&public_url, "accept-invite", &token))
            } else {
                let token = session::link_token(conn, Some(&existing.id), Purpose::PasswordReset, now)?;
                account_emails::already_registered(&existing.full_name, &link(&public_url, "reset-password", &token))
            };
            outbox::enqueue(
                conn,
                &NewEmail::immediate("account_exists", email.as_str(), Some(&existing.id), content, now),
                now,
            )?;
            audit.target(&existing.id).outcome(Outcome::Denied).detail("email_taken").write(conn)?;
            return Ok(());
        }
        let user = UserRow {
            email: Some(email.as_str().to_string()),
            password_hash: Some(hash),
            phone: phone.map(PhoneNumber::into_string),
            date_of_birth: Some(dob),
            ..UserRow::new(Role::Patient, &name, zone.name(), now)
        };
        users::insert(conn, &user)?;
        let token = session::link_token(conn, Some(&user.id), Purpose::VerifyEmail, now)?;
        let content = account_emails::verify_email(&user.full_name, &link(&public_url, "verify-email", &token));
        outbox::enqueue(conn, &NewEmail::immediate("verify_email", email.as_str(), Some(&user.id), content, now), now)?;
        audit.actor(&user.id, Role::Patient).patient(&user.id).target(&user.id).write(conn)?;
        if let Some(severity) = screening.severity() {
            raise_red_flag(conn, &public_url, &user.id, severity, &screening.positive, now)?;
        }
        Ok(())
    })
    .await;
    match result {
        // Two sign-ups with one address raced: the other one won, and the answer is the same.
        Ok(()) | Err(ApiError::Conflict { .. }) => {}
        Err(err) => return Err(err),
    }
    Ok(HttpResponse::Accepted().json(SignUpAccepted {
        accepted: Accepted::new(
            "pending_verification",
            "If this address can be used, we have sent it an email. Follow the link in it to continue.",
        ),
        red_flag: advice,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// The token from the emailed link.
    pub token: String,
}

#[utoipa::path(
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "The address is confirmed", body = Accepted),
        (status = 400, description = "Invalid, expired or used token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/auth/verify-email")]
pub async fn verify_email(
    state: web::Data<AppState>,
    meta: Origin,
    body: Json<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = secret_token::hash(body.token.trim());
    db::transaction(&state.pool, move |conn| {
        let now = now();
        let Some(token) = tokens::consume_one_time(conn, &hash, &[Purpose::VerifyEmail], now)? else {
            AuditEntry::new("auth.verify_email", &meta).outcome(Outcome::Denied).write(conn)?;
            return Ok(Err(ApiError::InvalidToken));
        };
        let user_id = token.user_id.unwrap_or_default();
        users::mark_email_verified(conn, &user_id, now)?;
        AuditEntry::new("auth.verify_email", &meta).actor(&user_id, Role::Patient).patient(&user_id).write(conn)?;
        Ok(Ok(()))
    })
    .await??;
    Ok(HttpResponse::Ok().json(Accepted::new("verified", "Your email address is confirmed.")))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    meta: Origin,
    body: Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { email, password } = body.into_inner();
    // An address that cannot be one is an unknown account: it never reaches a query.
    let email = EmailAddress::parse(&email).ok();
    let account_key = secret_token::hash(email.as_ref().map_or("", EmailAddress::as_str));
    let client_key = meta.client_ip.clone().unwrap_or_else(|| "unknown".into());
    let limits = state.config.login_throttle;

    let (admission, user) = {
        let meta = meta.clone();
        db::transaction(&state.pool, move |conn| {
            let now = now();
            let user = match &email {
                Some(email) => users::find_by_email(conn, email.as_str())?,
                None => None,
            };
            let admission = login_attempts::admit(conn, &limits, &account_key, &client_key, now)?;
            if let Admission::Throttled { .. } = admission {
                let entry = AuditEntry::new("auth.login", &meta).outcome(Outcome::Throttled);
                match &user {
                    Some(user) => entry.subject(user),
                    None => entry,
                }
                .write(conn)?;
            }
            Ok((admission, user))
        })
        .await?
    };
    let attempt_id = match admission {
        Admission::Throttled { retry_after_secs } => return Err(ApiError::RateLimited { retry_after_secs }),
        Admission::Admitted { attempt_id } => attempt_id,
    };

    let stored = user.as_ref().filter(|u| u.active).and_then(|u| u.password_hash.clone());
    let verified = state.hasher.verify(password, stored).await?;
    let (keys, refresh_ttl) = (state.jwt.clone(), state.config.refresh_token_ttl);
    db::transaction(&state.pool, move |conn| {
        let now = now();
        let entry = AuditEntry::new("auth.login", &meta);
        match (verified, user) {
            (Verified::Match { rehash }, Some(mut user)) => {
                if let Some(rehash) = rehash {
                    users::set_password(conn, &user.id, &rehash, false, now)?;
                    user.password_hash = Some(rehash);
                }
                login_attempts::mark_succeeded(conn, &attempt_id)?;
                let session = session::start(conn, &keys, &user, refresh_ttl, now)?;
                entry.subject(&user).write(conn)?;
                Ok(Ok(TokenResponse::new(session, user)))
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
    })
    .await?
    .map(|tokens| HttpResponse::Ok().json(tokens))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Trades a refresh token for a new pair. Every refresh token works once: presenting one that
/// was already used ends its whole family (someone else has a copy) and answers 401.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new access and refresh token", body = TokenResponse),
        (status = 401, description = "Unknown, expired, revoked or reused token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    meta: Origin,
    body: Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = secret_token::hash(body.refresh_token.trim());
    let keys = state.jwt.clone();
    db::transaction(&state.pool, move |conn| {
        let now = now();
        let entry = AuditEntry::new("auth.refresh", &meta);
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
            AuditEntry::new("auth.refresh_token_reuse", &meta)
                .subject(&user)
                .outcome(Outcome::Denied)
                .detail(format!("family={}", presented.family_id))
                .write(conn)?;
            return Ok(Err(ApiError::Unauthorized));
        }
        let session = session::rotate(conn, &keys, &user, &presented, now)?;
        entry.write(conn)?;
        Ok(Ok(TokenResponse::new(session, user)))
    })
    .await?
    .map(|tokens| HttpResponse::Ok().json(tokens))
}

/// Ends the session the refresh token belongs to (its whole family). Always 204.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses((status = 204, description = "Signed out"))
)]
#[post("/v1/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    meta: Origin,
    body: Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = secret_token::hash(body.refresh_token.trim());
    db::transaction(&state.pool, move |conn| {
        if let Some(presented) = tokens::find_refresh(conn, &hash)? {
            let now = now();
            tokens::revoke_family(conn, &presented.family_id, now)?;
            if let Some(user) = users::find(conn, &presented.user_id)? {
                AuditEntry::new("auth.logout", &meta).subject(&user).write(conn)?;
            }
        }
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
