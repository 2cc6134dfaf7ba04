//! Forgotten passwords, resets, and accepting an invitation (first password).

use crate::http::json::Json;
use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::views::person_fields;
use super::views::{Accepted, TokenResponse};
use crate::accounts::invitations::{self, Acceptance};
use crate::accounts::passwords;
use crate::accounts::sessions::SessionTerms;
use crate::db::audit::Origin;
use crate::db::{self, now};
use crate::domain::contact::EmailAddress;
use crate::domain::password_policy::NewPassword;
use crate::domain::person::FullName;
use crate::error::fields::Checks;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ForgotRequest {
    pub email: String,
}

/// Always 202, whether or not the address has an account.
#[utoipa::path(
    operation_id = "forgotPassword",
    summary = "Ask for a password-reset email",
    security(),
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
    db::transaction(&state.pool, move |conn| passwords::request_reset(conn, &meta, &public_url, email.as_ref(), now()))
        .await?;
    Ok(HttpResponse::Accepted().json(Accepted::new(
        "reset_requested",
        "If this address has an account, we have sent it a link to choose a new password.",
    )))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ResetRequest {
    pub token: String,
    /// 8 to 128 characters; the most common passwords are refused.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
}

/// Sets a new password with an emailed token (single use, 30 minutes). Ends every session of
/// the user: all refresh tokens are revoked and all access tokens stop working at once.
#[utoipa::path(
    operation_id = "resetPassword",
    summary = "Set a new password with a reset token",
    security(),
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
    db::transaction(&state.pool, move |conn| passwords::reset(conn, &meta, &token, password.expose(), &hash, now()))
        .await??;
    Ok(HttpResponse::Ok().json(Accepted::new("password_changed", "Your password is changed. Sign in with it.")))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct AcceptInviteRequest {
    pub token: String,
    /// 8 to 128 characters; the most common passwords are refused.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
    #[schema(schema_with = person_fields::first_admin_email)]
    pub email: Option<String>,
    #[schema(schema_with = person_fields::first_admin_name)]
    pub full_name: Option<String>,
}

/// Sets the first password of an invited user (staff, or a patient the front desk created) and
/// signs them in.
#[utoipa::path(
    operation_id = "acceptInvitation",
    summary = "Accept an invitation",
    security(),
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
    let terms = SessionTerms { keys: state.jwt.clone(), refresh_ttl: state.config.refresh_token_ttl };
    let default_zone = state.config.default_time_zone.clone();
    let signed_in = db::transaction(&state.pool, move |conn| {
        let acceptance = Acceptance {
            token: &body.token,
            password: password.expose(),
            hash,
            email,
            name,
            default_zone: &default_zone,
        };
        invitations::accept(conn, &meta, &terms, acceptance, now())
    })
    .await??;
    Ok(HttpResponse::Ok().json(TokenResponse::from(signed_in)))
}
