//! The public pages behind the emailed links: confirm an address, ask for a reset link, set a new
//! password, accept an invitation, take a waitlist offer, stop (and restart) reminder emails; and
//! where the links meant for the patient's app and a clinician's alert land. Opening a link
//! changes nothing (mail scanners open links too): each page shows a button or a form, and posting
//! it does the work through `http::link_actions`, the same calls the JSON API makes. A link that
//! expired, was used or never existed gets a page that says what to do instead.

mod app;
mod email;
mod invitation;
mod offer;
mod password;
mod unsubscribe;

pub use app::{alert_link, app_appointment, app_appointments, app_check_in, app_program, app_progress};
pub use email::{verify_email, verify_email_done, verify_email_page};
pub use invitation::{accept_invite, accept_invite_done, accept_invite_page};
pub use offer::{offer_booked, offer_page, take_offer};
pub use password::{
    forgot_password, forgot_password_page, forgot_password_sent, reset_password, reset_password_done,
    reset_password_page,
};
pub use unsubscribe::{confirm_unsubscribe, undo_unsubscribe, unsubscribe_page, unsubscribed};

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{self, notice};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    pub token: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    pub token: String,
}

pub(super) async fn clinic_name(state: &AppState) -> String {
    crate::db::run(&state.pool, |conn| Ok(crate::db::clinic::name(conn)?)).await.unwrap_or_else(|_| "BackTrack".into())
}

pub(super) async fn show(state: &AppState, status: StatusCode, title: &str, body: Markup) -> HttpResponse {
    layout::respond(status, layout::page(&clinic_name(state).await, title, body))
}

/// A link with no token in it (cut short when it was copied).
pub(super) async fn incomplete(state: &AppState) -> HttpResponse {
    let body = html! {
        (notice("bad", "This link is incomplete. Open it again from the email, or copy all of it into the address bar."))
    };
    show(state, StatusCode::BAD_REQUEST, "This link does not work", body).await
}

/// A form posted from another site.
pub(super) async fn refused(state: &AppState) -> HttpResponse {
    let body = html! { (notice("bad", "This form can only be sent from this site's own page. Open the link from your email again.")) };
    show(state, StatusCode::FORBIDDEN, "Not sent", body).await
}

/// What a page shows when the service refused for a reason other than a field.
pub(super) async fn failure(state: &AppState, err: ApiError, expired: Markup) -> HttpResponse {
    match err {
        ApiError::InvalidToken => show(state, StatusCode::BAD_REQUEST, "This link has expired", expired).await,
        ApiError::RateLimited { .. } => {
            let body = html! { (notice("bad", "Too many tries in a short time. Wait a few minutes, then try again.")) };
            show(state, StatusCode::TOO_MANY_REQUESTS, "Please wait", body).await
        }
        ApiError::Unavailable => {
            let body =
                html! { (notice("bad", "The clinic's system is not answering just now. Try again in a minute.")) };
            show(state, StatusCode::SERVICE_UNAVAILABLE, "Try again shortly", body).await
        }
        other => {
            if let ApiError::Internal(cause) = &other {
                tracing::error!(error = %cause, "page failed");
            }
            let reference = crate::http::request_id::current().unwrap_or_default();
            let body = html! {
                (notice("bad", "Something went wrong on our side, and nothing was changed. Try again; if it keeps happening, tell the clinic this reference:"))
                p { code { (reference) } }
            };
            show(state, StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", body).await
        }
    }
}

/// After a form did its work: the browser GETs the result page (post, redirect, get), so
/// reloading it sends nothing again.
pub(super) fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((actix_web::http::header::LOCATION, location)).finish()
}

pub(super) fn token_input(token: &str) -> Markup {
    html! { input type="hidden" name="token" value=(token); }
}
