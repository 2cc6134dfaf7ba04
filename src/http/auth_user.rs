//! The [`Actor`] of a request: the signed-in caller, checked against the database on every
//! request so that a deactivated user, one whose password was reset, or one who signed out of
//! that session, is locked out at once.
//! Machine users (the worker) present an API token (`btw_…`) instead of a JWT.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};

use crate::auth::{secret_token, Actor};
use crate::db::{api_tokens, users};
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::state::AppState;

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

/// The worker is a machine that sends email: its credential reaches the delivery endpoints and
/// "who am I", nothing else, so a leaked worker token opens no patient's record.
fn worker_may_call(req: &HttpRequest) -> bool {
    req.path().starts_with("/v1/worker/") || (req.method() == actix_web::http::Method::GET && req.path() == "/v1/me")
}

/// Until a patient confirms their email address, their sign-in reaches only the account's status
/// and a new confirmation email: an address someone else typed opens nothing.
fn unverified_may_call(req: &HttpRequest) -> bool {
    use actix_web::http::Method;
    (req.method() == Method::GET && req.path() == "/v1/me")
        || (req.method() == Method::POST && req.path() == "/v1/me/email-verification")
}

fn email_not_verified() -> ApiError {
    ApiError::Denied {
        code: crate::error::ProblemCode::EmailNotVerified,
        message: "confirm your email address first: follow the link we emailed you, or ask for a new one".into(),
    }
}

impl FromRequest for Actor {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        let worker_allowed = worker_may_call(req);
        let unverified_allowed = unverified_may_call(req);
        Box::pin(async move {
            let state = state.ok_or(ApiError::Unavailable)?;
            if let Some(api_token) = token.as_deref().filter(|t| t.starts_with(api_tokens::PREFIX)) {
                let hash = secret_token::hash(api_token);
                let holder = crate::db::run(&state.pool, move |conn| Ok(api_tokens::holder(conn, &hash)?)).await?;
                let (id, role) = holder.ok_or(ApiError::Unauthorized)?;
                // API tokens are the worker's credential and never carry any other role.
                if Role::parse(&role) != Some(Role::Worker) {
                    return Err(ApiError::Unauthorized);
                }
                return if worker_allowed { Ok(Actor { id, role: Role::Worker }) } else { Err(ApiError::Forbidden) };
            }
            let claims = token.and_then(|t| state.jwt.verify(&t)).ok_or(ApiError::Unauthorized)?;
            let user_id = claims.sub.clone();
            let family = claims.sid.clone();
            // The user as they are now, and whether the sign-in the token belongs to still
            // stands (signed out, a reused refresh token or a new password end it at once).
            let standing = crate::db::run(&state.pool, move |conn| {
                Ok(users::standing(conn, &user_id, family.as_deref(), crate::db::now())?)
            })
            .await?;
            match standing {
                // Only the in-process worker's tokens are minted without a sign-in.
                Some(now)
                    if now.active
                        && (now.session_live || (claims.sid.is_none() && claims.role == Role::Worker))
                        && now.token_version == claims.ver
                        && Role::parse(&now.role) == Some(claims.role) =>
                {
                    if claims.role == Role::Worker && !worker_allowed {
                        return Err(ApiError::Forbidden);
                    }
                    if claims.role == Role::Patient && !now.email_verified && !unverified_allowed {
                        return Err(email_not_verified());
                    }
                    Ok(Actor { id: claims.sub, role: claims.role })
                }
                _ => Err(ApiError::Unauthorized),
            }
        })
    }
}
