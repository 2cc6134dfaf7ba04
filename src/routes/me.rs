//! The signed-in user's own account: read it, change contact details, change the password, ask
//! for a new email to confirm the address.

use crate::http::json::Json;
use actix_web::{get, patch, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::views::{Accepted, ProfileChanges, TokenResponse, UserView};
use crate::accounts::passwords;
use crate::accounts::profile;
use crate::accounts::sessions::SessionTerms;
use crate::accounts::sign_up;
use crate::auth::password::Verified;
use crate::auth::Actor;
use crate::db::audit::Origin;
use crate::db::users::UserChanges;
use crate::db::{self, now};
use crate::domain::password_policy::NewPassword;
use crate::error::fields::Checks;
use crate::error::{ApiError, Problem};
use crate::reminders::ReminderLinks;
use crate::state::AppState;

#[utoipa::path(
    operation_id = "getMe",
    summary = "Get my account",
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, body = UserView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/me")]
pub async fn get_me(state: web::Data<AppState>, user: Actor, meta: Origin) -> Result<HttpResponse, ApiError> {
    let row = db::run(&state.pool, move |conn| profile::read(conn, &user, &meta)).await?;
    Ok(HttpResponse::Ok().json(UserView::from(row)))
}

#[utoipa::path(
    operation_id = "updateMe",
    summary = "Change my account",
    tag = "me",
    security(("bearer" = [])),
    request_body = ProfileChanges,
    responses(
        (status = 200, body = UserView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/v1/me")]
pub async fn patch_me(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    body: Json<ProfileChanges>,
) -> Result<HttpResponse, ApiError> {
    let mut checks = Checks::default();
    let mut changes = UserChanges::default();
    body.into_inner().parse_into(&mut checks, &mut changes);
    checks.finish(|| Some(()))?;
    let links = ReminderLinks::from_config(&state.config);
    let row =
        db::transaction(&state.pool, move |conn| profile::update(conn, &user, &meta, &links, &changes, now())).await?;
    Ok(HttpResponse::Ok().json(UserView::from(row)))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// 8 to 128 characters; the most common passwords are refused.
    #[schema(min_length = 8, max_length = 128)]
    pub new_password: String,
}

/// Changes the password. Every other session ends; the answer is a fresh session for this one.
#[utoipa::path(
    operation_id = "changeMyPassword",
    summary = "Change my password",
    tag = "me",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 200, description = "Changed; use the new tokens", body = TokenResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The current password is wrong, or the new one is refused", body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    body: Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let ChangePasswordRequest { current_password, new_password } = body.into_inner();
    let limits = state.config.login_throttle;
    let change = {
        let meta = meta.clone();
        db::transaction(&state.pool, move |conn| passwords::admit_change(conn, &user, &meta, &limits, now())).await??
    };
    let mut checks = Checks::default();
    let new_password = checks.field("new_password", NewPassword::parse(&new_password, change.user.email.as_deref()));
    let new_password = checks.finish(|| new_password)?;
    let verified = state.hasher.verify(current_password, change.user.password_hash.clone()).await?;
    let hash = match verified {
        Verified::Match { .. } => Some(state.hasher.hash(new_password.expose().to_string()).await?),
        Verified::NoMatch => None,
    };
    let terms = SessionTerms { keys: state.jwt.clone(), refresh_ttl: state.config.refresh_token_ttl };
    let signed_in =
        db::transaction(&state.pool, move |conn| passwords::change(conn, &meta, &terms, change, hash, now())).await??;
    Ok(HttpResponse::Ok().json(TokenResponse::from(signed_in)))
}

/// Asks for a new email to confirm the caller's address (earlier links stop working; at most a
/// few an hour). The one call, with `GET /v1/me`, that a patient who has not confirmed their
/// address yet may make.
#[utoipa::path(
    tag = "me",
    operation_id = "resendEmailVerification",
    summary = "Send a new confirmation email",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The address is confirmed already; nothing was sent", body = Accepted),
        (status = 202, description = "A new confirmation email is on its way", body = Accepted),
        (status = 429, description = "`rate_limited`: three links went out this hour (the sign-up's included); `Retry-After` says when to ask again", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/me/email-verification")]
pub async fn resend_email_verification(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
) -> Result<HttpResponse, ApiError> {
    let public_url = state.config.public_url.clone();
    let confirmed =
        db::transaction(&state.pool, move |conn| sign_up::resend_verification(conn, &user, &meta, &public_url, now()))
            .await??;
    Ok(if confirmed {
        HttpResponse::Ok().json(Accepted::new("verified", "Your email address is confirmed already."))
    } else {
        HttpResponse::Accepted().json(Accepted::new(
            "pending_verification",
            "We have sent you an email. Follow the link in it to confirm your address.",
        ))
    })
}
