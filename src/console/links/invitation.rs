//! Accepting an invitation, and the first admin's link `serve` prints.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use super::password::{new_password_fields, passwords_differ};
use super::{failure, incomplete, refused, see_other, show, token_input, TokenQuery};
use crate::console::layout::{notice, Field};
use crate::console::post_guard;
use crate::db::audit::Origin;
use crate::error::{ApiError, FieldError};
use crate::http::link_actions;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct InvitationForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    full_name: Option<String>,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

fn invitation_expired() -> Markup {
    html! {
        (notice("bad", "This invitation has expired or was already used."))
        p { "Invitations last 7 days and work once. Ask the clinic to send you a new one; if you already set your password, sign in with it." }
        p { "Setting up a new clinic? Restart " code { "backtrack serve" } ": while the clinic has no admin, it prints a new link for the first one." }
    }
}

fn invitation_form(token: &str, first_admin: bool, form: &InvitationForm, errors: &[FieldError]) -> Markup {
    let email = Field {
        name: "email",
        label: "Your email address",
        kind: "email",
        value: form.email.as_deref().unwrap_or_default(),
        autocomplete: "email",
        hint: Some(html! { "You will sign in with it." }),
    };
    let name = Field {
        name: "full_name",
        label: "Your full name",
        kind: "text",
        value: form.full_name.as_deref().unwrap_or_default(),
        autocomplete: "name",
        hint: None,
    };
    html! {
        div.panel {
            @if first_admin {
                p { "You are setting up this clinic's BackTrack: you will be its first admin, who invites the rest of the team." }
            } @else {
                p { "Choose the password for your account." }
            }
            form method="post" action="/accept-invite" {
                (token_input(token))
                @if first_admin { (email.render(errors)) (name.render(errors)) }
                (new_password_fields("Choose a password", errors))
                button type="submit" { @if first_admin { "Create my admin account" } @else { "Set my password" } }
            }
        }
    }
}

#[get("/accept-invite")]
pub async fn accept_invite_page(state: web::Data<AppState>, query: web::Query<TokenQuery>) -> HttpResponse {
    let Some(token) = query.into_inner().token.filter(|t| !t.trim().is_empty()) else {
        return incomplete(&state).await;
    };
    let blank = InvitationForm {
        token: token.clone(),
        email: None,
        full_name: None,
        password: String::new(),
        password_again: String::new(),
    };
    match link_actions::invitation(&state, token.clone()).await {
        Ok(Some(first_admin)) => {
            let title = if first_admin { "Set up your clinic" } else { "Welcome" };
            show(&state, StatusCode::OK, title, invitation_form(&token, first_admin, &blank, &[])).await
        }
        Ok(None) => show(&state, StatusCode::BAD_REQUEST, "This invitation has expired", invitation_expired()).await,
        Err(err) => failure(&state, err, invitation_expired()).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    app: Option<String>,
}

#[get("/accept-invite/done")]
pub async fn accept_invite_done(state: web::Data<AppState>, query: web::Query<DoneQuery>) -> HttpResponse {
    let body = html! {
        (notice("good", "Your account is ready."))
        @if query.app.is_some() {
            p { "Open the app and sign in with your email address and this password." }
        } @else {
            p { "From now on, sign in to the console with your email address and this password." }
            p { a.button href="/console/sign-in" { "Sign in to the console" } }
        }
    };
    show(&state, StatusCode::OK, "You are all set", body).await
}

#[post("/accept-invite")]
pub async fn accept_invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    meta: Origin,
    form: web::Form<InvitationForm>,
) -> HttpResponse {
    if !post_guard::same_site(&req, &state.config.public_url) {
        return refused(&state).await;
    }
    let form = form.into_inner();
    if form.token.trim().is_empty() {
        return incomplete(&state).await;
    }
    let first_admin = match link_actions::invitation(&state, form.token.clone()).await {
        Ok(Some(first_admin)) => first_admin,
        Ok(None) => {
            return show(&state, StatusCode::BAD_REQUEST, "This invitation has expired", invitation_expired()).await
        }
        Err(err) => return failure(&state, err, invitation_expired()).await,
    };
    let title = if first_admin { "Set up your clinic" } else { "Welcome" };
    if let Some(errors) = passwords_differ(&form.password, &form.password_again) {
        let page = invitation_form(&form.token, first_admin, &form, &errors);
        return show(&state, StatusCode::UNPROCESSABLE_ENTITY, title, page).await;
    }
    let answer = link_actions::InvitationAnswer {
        token: form.token.clone(),
        password: form.password.clone(),
        email: first_admin.then(|| form.email.clone().unwrap_or_default()),
        full_name: first_admin.then(|| form.full_name.clone().unwrap_or_default()),
    };
    match link_actions::accept_invitation_page(&state, meta, answer).await {
        Ok(user) => {
            let patient = user.role == crate::domain::role::Role::Patient.as_str();
            see_other(if patient { "/accept-invite/done?app=1" } else { "/accept-invite/done" })
        }
        Err(ApiError::Validation(errors)) => {
            show(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                title,
                invitation_form(&form.token, first_admin, &form, &errors),
            )
            .await
        }
        Err(err) => failure(&state, err, invitation_expired()).await,
    }
}
