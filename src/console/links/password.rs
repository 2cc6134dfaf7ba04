//! Asking for a reset link and setting a new password with it.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use super::{failure, incomplete, refused, see_other, show, token_input, TokenQuery};
use crate::console::layout::{notice, Field};
use crate::console::post_guard;
use crate::db::audit::Origin;
use crate::domain::password_policy;
use crate::error::{ApiError, FieldError};
use crate::http::link_actions;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

fn forgot_form(email: &str, errors: &[FieldError]) -> Markup {
    let field = Field {
        name: "email",
        label: "Your email address",
        kind: "email",
        value: email,
        autocomplete: "email",
        hint: Some(html! { "The address you sign in with." }),
    };
    html! {
        div.panel {
            form method="post" action="/forgot-password" {
                (field.render(errors))
                button type="submit" { "Email me a link" }
            }
        }
    }
}

#[get("/forgot-password")]
pub async fn forgot_password_page(state: web::Data<AppState>) -> HttpResponse {
    show(&state, StatusCode::OK, "Choose a new password", forgot_form("", &[])).await
}

#[post("/forgot-password")]
pub async fn forgot_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    meta: Origin,
    form: web::Form<EmailForm>,
) -> HttpResponse {
    if !post_guard::same_site(&req, &state.config.public_url) {
        return refused(&state).await;
    }
    let email = form.into_inner().email;
    if email.trim().is_empty() {
        let errors = [FieldError::new("email", "required", "Enter the address you sign in with.")];
        return show(&state, StatusCode::UNPROCESSABLE_ENTITY, "Choose a new password", forgot_form(&email, &errors))
            .await;
    }
    match link_actions::ask_for_reset(&state, meta, &email).await {
        Ok(()) => see_other("/forgot-password/sent"),
        Err(err) => failure(&state, err, html! {}).await,
    }
}

#[get("/forgot-password/sent")]
pub async fn forgot_password_sent(state: web::Data<AppState>) -> HttpResponse {
    let body = html! {
        (notice("good", "If this address has an account, we have sent it a link to choose a new password."))
        p { "The link works for 30 minutes. No email? Look in your spam folder, or check the address and " a href="/forgot-password" { "ask again" } "." }
    };
    show(&state, StatusCode::OK, "Check your email", body).await
}

fn reset_expired() -> Markup {
    html! {
        (notice("bad", "This link to choose a new password has expired or was already used."))
        p { "Links last 30 minutes and work once. " a href="/forgot-password" { "Ask for a new link" } "." }
    }
}

/// The two inputs of a form that sets a password, the policy's rules under the first.
pub(super) fn new_password_fields(label: &str, errors: &[FieldError]) -> Markup {
    let password = Field {
        name: "password",
        label,
        kind: "password",
        value: "",
        autocomplete: "new-password",
        hint: Some(password_rules()),
    };
    let again = Field {
        name: "password_again",
        label: "The same password again",
        kind: "password",
        value: "",
        autocomplete: "new-password",
        hint: None,
    };
    html! { (password.render(errors)) (again.render(errors)) }
}

/// The form's own check, before the service's: a typo in one of the two inputs.
pub(super) fn passwords_differ(password: &str, again: &str) -> Option<[FieldError; 1]> {
    (password != again).then(|| [FieldError::new("password_again", "mismatch", "The two passwords are not the same.")])
}

fn password_rules() -> Markup {
    html! {
        ul.rules {
            li { (password_policy::MIN_CHARS) " to " (password_policy::MAX_CHARS) " characters" }
            li { "not one of the most common passwords, and not your email address" }
            li { "a few words you will remember make a good one" }
        }
    }
}

fn reset_form(token: &str, errors: &[FieldError]) -> Markup {
    html! {
        div.panel {
            form method="post" action="/reset-password" {
                (token_input(token))
                (new_password_fields("New password", errors))
                button type="submit" { "Set my new password" }
            }
        }
    }
}

#[get("/reset-password/done")]
pub async fn reset_password_done(state: web::Data<AppState>) -> HttpResponse {
    let body = html! {
        (notice("good", "Your password is changed, and every device that was signed in is signed out."))
        p { "Sign in with your new password." }
    };
    show(&state, StatusCode::OK, "Password changed", body).await
}

#[get("/reset-password")]
pub async fn reset_password_page(state: web::Data<AppState>, query: web::Query<TokenQuery>) -> HttpResponse {
    let Some(token) = query.into_inner().token.filter(|t| !t.trim().is_empty()) else {
        return incomplete(&state).await;
    };
    match link_actions::still_works(&state, token.clone(), crate::db::tokens::Purpose::PasswordReset).await {
        Ok(true) => show(&state, StatusCode::OK, "Choose a new password", reset_form(&token, &[])).await,
        Ok(false) => show(&state, StatusCode::BAD_REQUEST, "This link has expired", reset_expired()).await,
        Err(err) => failure(&state, err, reset_expired()).await,
    }
}

#[post("/reset-password")]
pub async fn reset_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    meta: Origin,
    form: web::Form<ResetForm>,
) -> HttpResponse {
    if !post_guard::same_site(&req, &state.config.public_url) {
        return refused(&state).await;
    }
    let ResetForm { token, password, password_again } = form.into_inner();
    if token.trim().is_empty() {
        return incomplete(&state).await;
    }
    if let Some(errors) = passwords_differ(&password, &password_again) {
        return show(&state, StatusCode::UNPROCESSABLE_ENTITY, "Choose a new password", reset_form(&token, &errors))
            .await;
    }
    match link_actions::reset_password(&state, meta, token.clone(), &password).await {
        Ok(()) => see_other("/reset-password/done"),
        Err(ApiError::Validation(errors)) => {
            show(&state, StatusCode::UNPROCESSABLE_ENTITY, "Choose a new password", reset_form(&token, &errors)).await
        }
        Err(err) => failure(&state, err, reset_expired()).await,
    }
}
