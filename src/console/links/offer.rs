//! Taking a time a waitlist offer holds, from the offer email's link: no sign-in, the token is the
//! credential. The email says which time and where; the page asks once more before booking.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::{failure, refused, see_other, show};
use crate::console::layout::notice;
use crate::console::post_guard;
use crate::db::audit::Origin;
use crate::error::ApiError;
use crate::http::link_actions;
use crate::state::AppState;

fn lapsed() -> Markup {
    html! {
        (notice("bad", "This offer has lapsed or was already taken."))
        p { "Offers hold a time for a few hours only. If you are still waiting, the clinic will email you when another time frees up." }
    }
}

#[get("/waitlist/offers/booked")]
pub async fn offer_booked(state: web::Data<AppState>) -> HttpResponse {
    let body = html! {
        (notice("good", "Booked. We have emailed you the details, with a calendar invitation."))
        p { "You can see and change your appointments in the app." }
    };
    show(&state, StatusCode::OK, "You are booked", body).await
}

#[get("/waitlist/offers/{token}")]
pub async fn offer_page(state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let token = path.into_inner();
    let body = html! {
        div.panel {
            p { "An earlier time is free for you: the day, time and place are in the email we sent." }
            form method="post" action={ "/waitlist/offers/" (token) } {
                button type="submit" { "Book this time" }
            }
            p.hint { "If it does not suit you, do nothing: the offer lapses on its own." }
        }
    };
    show(&state, StatusCode::OK, "Take this earlier time?", body).await
}

#[post("/waitlist/offers/{token}")]
pub async fn take_offer(
    req: HttpRequest,
    state: web::Data<AppState>,
    meta: Origin,
    path: web::Path<String>,
) -> HttpResponse {
    if !post_guard::same_site(&req, &state.config.public_url) {
        return refused(&state).await;
    }
    match link_actions::accept_offer(&state, meta, path.into_inner()).await {
        Ok(_) => see_other("/waitlist/offers/booked"),
        Err(ApiError::Conflict { .. }) => {
            let body = html! {
                (notice("bad", "Someone else booked this time a moment ago."))
                p { "You are still on the waiting list: the clinic will email you when another time frees up." }
            };
            show(&state, StatusCode::CONFLICT, "This time is gone", body).await
        }
        Err(err) => failure(&state, err, lapsed()).await,
    }
}
