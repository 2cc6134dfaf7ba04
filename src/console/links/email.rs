//! Confirming an email address from the sign-up email's link.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::{failure, incomplete, refused, see_other, show, token_input, TokenForm, TokenQuery};
use crate::console::layout::notice;
use crate::console::post_guard;
use crate::db::audit::Origin;
use crate::http::link_actions;
use crate::state::AppState;

fn confirm_expired() -> Markup {
    html! {
        (notice("bad", "This confirmation link has expired or was already used."))
        p { "If your address is not confirmed yet, open the app and ask for a new confirmation email: links last 48 hours, and a new one replaces the old." }
    }
}

#[get("/verify-email")]
pub async fn verify_email_page(state: web::Data<AppState>, query: web::Query<TokenQuery>) -> HttpResponse {
    let Some(token) = query.into_inner().token.filter(|t| !t.trim().is_empty()) else {
        return incomplete(&state).await;
    };
    match link_actions::still_works(&state, token.clone(), crate::db::tokens::Purpose::VerifyEmail).await {
        Ok(true) => {}
        Ok(false) => return show(&state, StatusCode::BAD_REQUEST, "This link has expired", confirm_expired()).await,
        Err(err) => return failure(&state, err, confirm_expired()).await,
    }
    let body = html! {
        div.panel {
            p { "Confirm that this is your email address, so the clinic can send you your appointments and reminders." }
            form method="post" action="/verify-email" {
                (token_input(&token))
                button type="submit" { "Confirm my address" }
            }
        }
    };
    show(&state, StatusCode::OK, "Confirm your email address", body).await
}

#[post("/verify-email")]
pub async fn verify_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    meta: Origin,
    form: web::Form<TokenForm>,
) -> HttpResponse {
    if !post_guard::same_site(&req, &state.config.public_url) {
        return refused(&state).await;
    }
    let token = form.into_inner().token;
    if token.trim().is_empty() {
        return incomplete(&state).await;
    }
    match link_actions::confirm_email(&state, meta, token).await {
        Ok(()) => see_other("/verify-email/done"),
        Err(err) => failure(&state, err, confirm_expired()).await,
    }
}

#[get("/verify-email/done")]
pub async fn verify_email_done(state: web::Data<AppState>) -> HttpResponse {
    let body = html! {
        (notice("good", "Thank you: your email address is confirmed."))
        p { "You can close this page and go back to the app." }
    };
    show(&state, StatusCode::OK, "Address confirmed", body).await
}
