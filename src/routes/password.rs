//! Forgotten passwords, resets, and accepting an invitation (first password).

use crate::http::json::Json;
use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::views::person_fields;
use super::views::{Accepted, TokenResponse};
use crate::db::audit::Origin;
use crate::error::{ApiError, Problem};
use crate::http::link_actions;
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
    link_actions::ask_for_reset(&state, meta, &body.email).await?;
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
    link_actions::reset_password(&state, meta, token, &password).await?;
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
    let AcceptInviteRequest { token, password, email, full_name } = body.into_inner();
    let answer = link_actions::InvitationAnswer { token, password, email, full_name };
    let signed_in = link_actions::accept_invitation(&state, meta, answer).await?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(signed_in)))
}
