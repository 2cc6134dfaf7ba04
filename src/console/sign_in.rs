//! Signing in to the console and out of it. Sign-in goes through the same service as the API's
//! (`accounts::sign_in`: the same throttle, password check and audit rows); only the session it
//! opens differs: a cookie for staff. A patient is told to use the app.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{self, notice, Field};
use super::links::{clinic_name, see_other};
use super::session::{self, Posted, Staff};
use super::{post_guard, shell};
use crate::accounts::{console_sessions, sign_in};
use crate::db::audit::Origin;
use crate::db::{self, now};
use crate::domain::contact::EmailAddress;
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
    ended: Option<String>,
    out: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Only a console page is a place to come back to (never another site).
fn safe_next(next: &str) -> Option<&str> {
    let local = next.starts_with("/console") && !next.starts_with("/console/sign-");
    (local && !next.contains("//") && !next.contains('\\')).then_some(next)
}

fn form(email: &str, next: &str, message: Option<Markup>) -> Markup {
    let email = Field {
        name: "email",
        label: "Email address",
        kind: "email",
        value: email,
        autocomplete: "username",
        hint: None,
    };
    let password = Field {
        name: "password",
        label: "Password",
        kind: "password",
        value: "",
        autocomplete: "current-password",
        hint: None,
    };
    html! {
        @if let Some(message) = message { (message) }
        div.panel {
            form method="post" action="/console/sign-in" {
                input type="hidden" name="next" value=(next);
                (email.render(&[]))
                (password.render(&[]))
                button type="submit" { "Sign in" }
            }
            p.hint { a href="/forgot-password" { "Forgot your password?" } }
        }
    }
}

async fn page(state: &AppState, status: StatusCode, email: &str, next: &str, message: Option<Markup>) -> HttpResponse {
    layout::respond(status, layout::page(&clinic_name(state).await, "Sign in", form(email, next, message)))
}

#[get("/console/sign-in")]
pub async fn sign_in_page(state: web::Data<AppState>, query: web::Query<SignInQuery>) -> HttpResponse {
    let next = query.next.as_deref().and_then(safe_next).unwrap_or_default().to_string();
    let message = if query.ended.is_some() {
        Some(notice("", "You were signed out: the console signs you out after a while without activity, and at the end of the day. Sign in again to go on."))
    } else if query.out.is_some() {
        Some(notice("good", "You are signed out."))
    } else {
        None
    };
    page(&state, StatusCode::OK, "", &next, message).await
}

#[post("/console/sign-in")]
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    meta: Origin,
    form: web::Form<SignInForm>,
) -> HttpResponse {
    let SignInForm { email, password, next } = form.into_inner();
    let next = safe_next(&next).unwrap_or_default().to_string();
    if !post_guard::same_site(&req, &state.config.public_url) {
        let message = notice("bad", "This form can only be sent from this site's own sign-in page.");
        return page(&state, StatusCode::FORBIDDEN, "", &next, Some(message)).await;
    }
    let address = EmailAddress::parse(&email).ok();
    let limits = state.config.login_throttle;
    let result = async {
        let attempt = {
            let meta = meta.clone();
            db::transaction(&state.pool, move |conn| sign_in::admit(conn, &meta, &limits, address.as_ref(), now()))
                .await??
        };
        let verified = state.hasher.verify(password, attempt.stored_hash()).await?;
        db::transaction(&state.pool, move |conn| {
            sign_in::finish(conn, &meta, attempt, verified, now(), |conn, user| {
                let secret = console_sessions::start(conn, &user, now())?;
                Ok((secret, Role::parse(&user.role).unwrap_or(Role::FrontDesk)))
            })
        })
        .await?
    }
    .await;
    match result {
        Ok((secret, role)) => {
            let to = if next.is_empty() { shell::home(role).to_string() } else { next };
            HttpResponse::SeeOther()
                .cookie(session::cookie(&state, secret))
                .insert_header((actix_web::http::header::LOCATION, to))
                .finish()
        }
        Err(ApiError::InvalidCredentials) => {
            let message =
                notice("bad", "That email address and password do not match an account. Check both and try again.");
            page(&state, StatusCode::UNAUTHORIZED, &email, &next, Some(message)).await
        }
        Err(ApiError::Forbidden) => {
            let message = notice("bad", "The console is for the clinic's staff. Patients sign in to the BackTrack app on their phone with this email address and password.");
            page(&state, StatusCode::FORBIDDEN, "", "", Some(message)).await
        }
        Err(ApiError::RateLimited { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60).max(1);
            let message = notice(
                "bad",
                &format!("Too many tries. Wait {minutes} minute(s), then sign in again, or reset your password."),
            );
            page(&state, StatusCode::TOO_MANY_REQUESTS, &email, &next, Some(message)).await
        }
        Err(err) => {
            if let ApiError::Internal(cause) = &err {
                tracing::error!(error = %cause, "console sign-in failed");
            }
            let message = notice("bad", "The clinic's system could not sign you in just now. Try again in a minute.");
            page(&state, StatusCode::SERVICE_UNAVAILABLE, &email, &next, Some(message)).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Nothing {}

#[post("/console/sign-out")]
pub async fn sign_out(state: web::Data<AppState>, meta: Origin, posted: Posted<Nothing>) -> HttpResponse {
    let staff = posted.staff;
    let ended = db::transaction(&state.pool, move |conn| Ok(console_sessions::end(conn, &meta, &staff)?)).await;
    if let Err(err) = ended {
        tracing::warn!(error = %err, "console sign-out could not be recorded");
    }
    HttpResponse::SeeOther()
        .cookie(session::forget(&state))
        .insert_header((actix_web::http::header::LOCATION, "/console/sign-in?out=1"))
        .finish()
}

/// `/console`: where this person starts.
#[get("/console")]
pub async fn start(staff: Staff) -> HttpResponse {
    see_other(shell::home(staff.0.actor.role))
}
