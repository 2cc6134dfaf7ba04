//! The links in patients' emails that are meant for the phone app (an appointment, the home
//! program, a check-in, progress) land here while `BACKTRACK_APP_URL` is left at this server: a
//! page that says where in the app to go, with the clinic's phone for changes. It shows no
//! patient data, since following a link signs nobody in. And the link in a clinician's alert
//! email, which goes on into the console's worklist (through the sign-in page when needed).

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpResponse};
use maud::html;

use super::{see_other, show};
use crate::state::AppState;

/// A place in the patient's app: its name in the app's menu, and what they do there.
struct InApp {
    title: &'static str,
    section: &'static str,
    what: &'static str,
}

const APPOINTMENTS: InApp =
    InApp { title: "Your appointments", section: "Appointments", what: "see, move or cancel your appointments" };
const PROGRAM: InApp =
    InApp { title: "Your home program", section: "Program", what: "see today's exercises and log them" };
const CHECK_IN: InApp =
    InApp { title: "Your weekly check-in", section: "Check-in", what: "tell your therapist how this week went" };
const PROGRESS: InApp =
    InApp { title: "Your progress", section: "Progress", what: "see your scores and how they changed" };

async fn in_app(state: &AppState, place: InApp) -> HttpResponse {
    let clinic = crate::db::run(&state.pool, |conn| Ok(crate::db::clinic::settings(conn)?)).await.ok();
    let phone = clinic.as_ref().map(|c| c.phone.trim().to_string()).filter(|p| !p.is_empty());
    let body = html! {
        div.panel {
            p { "This link is meant for the BackTrack app on your phone." }
            p { "Open the app and go to " strong { (place.section) } " to " (place.what) "." }
            p.hint { "No app yet? Install BackTrack and sign in with the email address this message came to. Forgot your password? "
                a href="/forgot-password" { "Set a new one" } "." }
            @if let (Some(phone), Some(clinic)) = (&phone, &clinic) {
                p { "To change or cancel an appointment you can also call " (clinic.name) " on "
                    a href={ "tel:" (phone.replace(' ', "")) } { (phone) } "." }
            }
        }
    };
    show(state, StatusCode::OK, place.title, body).await
}

#[get("/appointments")]
pub async fn app_appointments(state: web::Data<AppState>) -> HttpResponse {
    in_app(&state, APPOINTMENTS).await
}

#[get("/appointments/{id}")]
pub async fn app_appointment(state: web::Data<AppState>, _id: web::Path<String>) -> HttpResponse {
    in_app(&state, APPOINTMENTS).await
}

#[get("/program")]
pub async fn app_program(state: web::Data<AppState>) -> HttpResponse {
    in_app(&state, PROGRAM).await
}

#[get("/check-in")]
pub async fn app_check_in(state: web::Data<AppState>) -> HttpResponse {
    in_app(&state, CHECK_IN).await
}

#[get("/progress")]
pub async fn app_progress(state: web::Data<AppState>) -> HttpResponse {
    in_app(&state, PROGRESS).await
}

/// An alert email's link: the worklist, at that alert (signing in first if needed).
#[get("/alerts/{id}")]
pub async fn alert_link(id: web::Path<String>) -> HttpResponse {
    let id = id.into_inner();
    let plain = !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if plain {
        see_other(&format!("/console/worklist#alert-{id}"))
    } else {
        see_other("/console/worklist")
    }
}
