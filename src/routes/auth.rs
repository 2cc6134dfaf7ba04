//! Sign-up, email verification, sign-in, refresh-token rotation and sign-out.

use crate::http::json::Json;
use actix_web::{post, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::views::person_fields;
use super::views::RedFlagAdvice;
use super::views::{Accepted, TokenResponse};
use crate::accounts::sessions::{self, SessionTerms};
use crate::accounts::sign_in;
use crate::accounts::sign_up::{self, SignUp};
use crate::db::audit::Origin;
use crate::db::{self, now};
use crate::domain::contact::{EmailAddress, PhoneNumber};
use crate::domain::password_policy::NewPassword;
use crate::domain::person::{self, FullName};
use crate::domain::red_flags::Screening;
use crate::error::fields::Checks;
use crate::error::{ApiError, Problem};
use crate::http::link_actions;
use crate::state::AppState;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct RegisterRequest {
    #[schema(schema_with = person_fields::email)]
    pub email: String,
    /// 8 to 128 characters; the most common passwords are refused.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
    #[schema(schema_with = person_fields::full_name)]
    pub full_name: String,
    #[schema(schema_with = person_fields::phone_or_null)]
    pub phone: Option<String>,
    #[schema(schema_with = person_fields::date_of_birth)]
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
    operation_id = "registerPatient",
    summary = "Sign up as a patient",
    security(),
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 202, description = "Check your email to confirm the address", body = SignUpAccepted),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many sign-ups from this client or for this address; see Retry-After", body = Problem, content_type = "application/problem+json"),
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

    // Throttled before the costly part; the same count whether or not the address is taken.
    let limits = state.config.sign_up_throttle;
    let (admit_meta, admit_email) = (meta.clone(), email.clone());
    db::transaction(&state.pool, move |conn| sign_up::admit(conn, &admit_meta, &limits, &admit_email, now())).await??;

    // Hash whatever happens next, so a taken email takes as long to answer as a new one.
    let password_hash = state.hasher.hash(password.expose().to_string()).await?;
    let public_url = state.config.public_url.clone();
    let sign_up = SignUp { email, password_hash, name, phone, date_of_birth: dob, time_zone: zone, screening };
    let result =
        db::transaction(&state.pool, move |conn| sign_up::register(conn, &meta, &public_url, sign_up, now())).await;
    sign_up::raced_is_accepted(result)?;
    Ok(HttpResponse::Accepted().json(SignUpAccepted {
        accepted: Accepted::new(
            "pending_verification",
            "If this address can be used, we have sent it an email. Follow the link in it to continue.",
        ),
        red_flag: advice,
    }))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct TokenRequest {
    /// The token from the emailed link.
    pub token: String,
}

#[utoipa::path(
    operation_id = "verifyEmail",
    summary = "Confirm an email address",
    security(),
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
    link_actions::confirm_email(&state, meta, body.into_inner().token).await?;
    Ok(HttpResponse::Ok().json(Accepted::new("verified", "Your email address is confirmed.")))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[utoipa::path(
    operation_id = "logIn",
    summary = "Sign in",
    security(),
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
    let limits = state.config.login_throttle;
    let attempt = {
        let meta = meta.clone();
        db::transaction(&state.pool, move |conn| sign_in::admit(conn, &meta, &limits, email.as_ref(), now())).await??
    };
    let verified = state.hasher.verify(password, attempt.stored_hash()).await?;
    let terms = SessionTerms { keys: state.jwt.clone(), refresh_ttl: state.config.refresh_token_ttl };
    let signed_in = db::transaction(&state.pool, move |conn| {
        sign_in::finish(conn, &meta, attempt, verified, now(), sign_in::api_session(&terms, now()))
    })
    .await??;
    Ok(HttpResponse::Ok().json(TokenResponse::from(signed_in)))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Trades a refresh token for a new pair. Every refresh token works once: presenting one that
/// was already used ends its whole family (someone else has a copy) and answers 401.
#[utoipa::path(
    operation_id = "refreshTokens",
    summary = "Trade a refresh token for new tokens",
    security(),
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
    let refresh_token = body.into_inner().refresh_token;
    let keys = state.jwt.clone();
    let signed_in =
        db::transaction(&state.pool, move |conn| sessions::refresh(conn, &meta, &keys, &refresh_token, now()))
            .await??;
    Ok(HttpResponse::Ok().json(TokenResponse::from(signed_in)))
}

/// Ends the session the refresh token belongs to (its whole family). Always 204.
#[utoipa::path(
    operation_id = "logOut",
    summary = "Sign out",
    security(),
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
    let refresh_token = body.into_inner().refresh_token;
    db::transaction(&state.pool, move |conn| sessions::sign_out(conn, &meta, &refresh_token, now())).await?;
    Ok(HttpResponse::NoContent().finish())
}
