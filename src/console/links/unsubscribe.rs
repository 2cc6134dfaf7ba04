//! The page a reminder email's "stop these" link opens: it asks once (mail scanners open links
//! too), turns that kind of email off, says so and offers to undo it; the same signed token is
//! the credential throughout, and `reminders::settings` does the work, as the one-click
//! `POST /v1/unsubscribe/{token}` (RFC 8058) that mail programs send does.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use super::{failure, refused, see_other, show};
use crate::console::layout::notice;
use crate::console::post_guard;
use crate::db::{self, audit::Origin};
use crate::domain::reminders::ReminderKind;
use crate::error::ApiError;
use crate::reminders::{settings, ReminderLinks};
use crate::state::AppState;

fn unknown() -> Markup {
    html! {
        (notice("bad", "This link does not work: it was cut short when it was copied, or its account no longer exists."))
        p { "You can turn each kind of email on or off in the app, under Settings → Notifications." }
    }
}

fn ask(token: &str, kind: ReminderKind) -> Markup {
    html! {
        div.panel {
            p { "You will no longer get " (kind.in_words()) " by email. You can turn them on again here or in the app." }
            form method="post" action={ "/unsubscribe/" (token) } { button type="submit" { "Unsubscribe" } }
        }
    }
}

#[get("/unsubscribe/{token}")]
pub async fn unsubscribe_page(state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let token = path.into_inner();
    match ReminderLinks::from_config(&state.config).verify(&token) {
        Some((_, kind)) => show(&state, StatusCode::OK, "Stop these emails?", ask(&token, kind)).await,
        None => show(&state, StatusCode::BAD_REQUEST, "This link does not work", unknown()).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    undone: Option<String>,
}

#[get("/unsubscribe/{token}/done")]
pub async fn unsubscribed(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<DoneQuery>,
) -> HttpResponse {
    let token = path.into_inner();
    let Some((_, kind)) = ReminderLinks::from_config(&state.config).verify(&token) else {
        return show(&state, StatusCode::BAD_REQUEST, "This link does not work", unknown()).await;
    };
    if query.undone.is_some() {
        let body = html! {
            (notice("good", &format!("Turned back on: you will get {} again.", kind.in_words())))
            (ask(&token, kind))
        };
        return show(&state, StatusCode::OK, "Emails on again", body).await;
    }
    let body = html! {
        (notice("good", &format!("Done: you will no longer get {} by email.", kind.in_words())))
        div.panel {
            p { "Changed your mind?" }
            form method="post" action={ "/unsubscribe/" (token) "/undo" } { button.secondary type="submit" { "Turn them back on" } }
        }
    };
    show(&state, StatusCode::OK, "Unsubscribed", body).await
}

async fn switch(req: &HttpRequest, state: &AppState, meta: Origin, token: String, on: bool) -> HttpResponse {
    if !post_guard::same_site(req, &state.config.public_url) {
        return refused(state).await;
    }
    let links = ReminderLinks::from_config(&state.config);
    let Some((user_id, kind)) = links.verify(&token) else {
        return show(state, StatusCode::BAD_REQUEST, "This link does not work", unknown()).await;
    };
    let done = db::transaction(&state.pool, move |conn| {
        if on {
            settings::resubscribe(conn, &meta, &links, &user_id, kind)
        } else {
            settings::unsubscribe(conn, &meta, &links, &user_id, kind)
        }
    })
    .await;
    match done {
        Ok(()) => see_other(&format!("/unsubscribe/{token}/done{}", if on { "?undone=1" } else { "" })),
        Err(ApiError::InvalidToken) => show(state, StatusCode::BAD_REQUEST, "This link does not work", unknown()).await,
        Err(err) => failure(state, err, unknown()).await,
    }
}

#[post("/unsubscribe/{token}")]
pub async fn confirm_unsubscribe(
    req: HttpRequest,
    state: web::Data<AppState>,
    meta: Origin,
    path: web::Path<String>,
) -> HttpResponse {
    switch(&req, &state, meta, path.into_inner(), false).await
}

#[post("/unsubscribe/{token}/undo")]
pub async fn undo_unsubscribe(
    req: HttpRequest,
    state: web::Data<AppState>,
    meta: Origin,
    path: web::Path<String>,
) -> HttpResponse {
    switch(&req, &state, meta, path.into_inner(), true).await
}
