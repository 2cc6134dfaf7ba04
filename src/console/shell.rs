//! The frame of every staff page: the clinic and its time zone, what this role finds where, who is
//! signed in and the sign-out button; and the pages for a request the console refuses.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use maud::{html, Markup, DOCTYPE};

use super::assets::STYLESHEET_PATH;
use super::layout::{notice, respond};
use crate::accounts::console_sessions::StaffSession;
use crate::db::clinic::ClinicRow;
use crate::domain::role::Role;
use crate::error::ApiError;

/// The screens each role finds in the menu, in the order they use them.
pub fn menu(role: Role) -> &'static [(&'static str, &'static str)] {
    match role {
        Role::FrontDesk => &[
            ("/console/day", "Day sheet"),
            ("/console/patients", "Patients"),
            ("/console/book", "Book"),
            ("/console/waitlist", "Waitlist"),
        ],
        Role::Clinician => &[
            ("/console/day?mine=1", "My day"),
            ("/console/worklist", "Worklist"),
            ("/console/patients", "Patients"),
            ("/console/exercises", "Exercises"),
            ("/console/hours", "My hours"),
        ],
        Role::Admin => &[
            ("/console/day", "Day sheet"),
            ("/console/patients", "Patients"),
            ("/console/book", "Book"),
            ("/console/waitlist", "Waitlist"),
            ("/console/staff", "Staff"),
            ("/console/settings", "Clinic"),
            ("/console/exercises", "Exercises"),
            ("/console/deliveries", "Emails"),
            ("/console/audit", "Audit log"),
        ],
        Role::Patient | Role::Worker => &[],
    }
}

/// Where a role starts after signing in.
pub fn home(role: Role) -> &'static str {
    menu(role).first().map_or("/console/sign-in", |(href, _)| href)
}

/// The hidden field that carries the session's form token.
pub fn csrf(staff: &StaffSession) -> Markup {
    html! { input type="hidden" name="csrf" value=(staff.form_token); }
}

/// A staff page: `current` is the menu entry it belongs to.
pub fn staff_page(clinic: &ClinicRow, staff: &StaffSession, current: &str, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (clinic.name) }
                link rel="stylesheet" href=(STYLESHEET_PATH);
            }
            body {
                header.bar.staff {
                    span.clinic { (clinic.name) }
                    nav aria-label="Console" {
                        ul {
                            @for (href, label) in menu(staff.actor.role) {
                                li { a href=(href) aria-current=[(*href == current).then_some("page")] { (label) } }
                            }
                        }
                    }
                    form.signout method="post" action="/console/sign-out" {
                        (csrf(staff))
                        span.who { (staff.full_name) }
                        button.link type="submit" { "Sign out" }
                    }
                }
                main.wide {
                    h1 { (title) }
                    p.zone { "Times are in " (clinic.time_zone) "." }
                    (body)
                }
            }
        }
    }
}

/// A staff page as an answer.
pub fn show(
    status: StatusCode,
    clinic: &ClinicRow,
    staff: &StaffSession,
    current: &str,
    title: &str,
    body: Markup,
) -> HttpResponse {
    respond(status, staff_page(clinic, staff, current, title, body))
}

/// What a staff page shows when the service refused for a reason that is not a field's.
pub fn failure(clinic: &ClinicRow, staff: &StaffSession, err: ApiError) -> HttpResponse {
    if let ApiError::Denied { code: crate::error::ProblemCode::AccessReasonRequired, .. } = &err {
        return show(StatusCode::FORBIDDEN, clinic, staff, "", "Another clinician's patient", emergency_access());
    }
    let (status, title, text) = match &err {
        ApiError::Forbidden | ApiError::Denied { .. } => (
            StatusCode::FORBIDDEN,
            "Not for your role",
            "Your role cannot open this page. The menu above lists what you can use.".to_string(),
        ),
        ApiError::NotFound => (
            StatusCode::NOT_FOUND,
            "Not found",
            "There is no such record, or it is not one your role may see.".to_string(),
        ),
        ApiError::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Try again shortly",
            "The clinic's system is not answering just now. Try again in a minute.".to_string(),
        ),
        ApiError::Internal(cause) => {
            tracing::error!(error = %cause, "console page failed");
            let reference = crate::http::request_id::current().unwrap_or_default();
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                format!("Something went wrong on our side, and nothing was changed. If it keeps happening, tell your admin this reference: {reference}"),
            )
        }
        other => (actix_web::ResponseError::status_code(other), "Not done", other.to_string()),
    };
    show(status, clinic, staff, "", title, html! { (notice("bad", &text)) })
}

/// The question before an emergency access: a form back to the same page with the reason,
/// which the service records in the audit log.
fn emergency_access() -> Markup {
    html! {
        (notice("bad", "This patient has another primary clinician. You may open the record when you need to (for example, covering a colleague's patient), and your reason is recorded in the audit log."))
        form.panel method="get" {
            label for="reason" { "Why you are opening this record" }
            input type="text" id="reason" name="reason" required maxlength="500" autocomplete="off";
            button type="submit" { "Open the record" }
        }
    }
}

/// A staff page's title and body, once its data is read.
pub type Rendered = (String, Markup);

/// Reads what a staff page shows (`work`, with the clinic's settings read first, audited as
/// its service audits) and renders it, or the page for the service's refusal.
pub async fn read_page<T, W, R>(
    state: &crate::state::AppState,
    staff: &StaffSession,
    current: &str,
    work: W,
    render: R,
) -> HttpResponse
where
    T: Send + 'static,
    W: FnOnce(&mut crate::db::DbConnection) -> Result<T, ApiError> + Send + 'static,
    R: FnOnce(&ClinicRow, T) -> Rendered,
{
    let read = crate::db::run(&state.pool, move |conn| {
        let clinic = crate::db::clinic::settings(conn)?;
        let found = work(conn);
        Ok((clinic, found))
    })
    .await;
    match read {
        Ok((clinic, Ok(found))) => {
            let (title, body) = render(&clinic, found);
            show(StatusCode::OK, &clinic, staff, current, &title, body)
        }
        Ok((clinic, Err(err))) => failure(&clinic, staff, err),
        Err(_) => respond(
            StatusCode::SERVICE_UNAVAILABLE,
            super::layout::bare_page(
                "Try again shortly",
                "The clinic's system is not answering just now. Reload this page in a minute.",
            ),
        ),
    }
}

/// The page for a refusal that is not a field's, with the clinic read for its frame.
pub async fn refused(state: &crate::state::AppState, staff: &StaffSession, err: ApiError) -> HttpResponse {
    match crate::db::run(&state.pool, |conn| Ok(crate::db::clinic::settings(conn)?)).await {
        Ok(clinic) => failure(&clinic, staff, err),
        Err(_) => respond(
            StatusCode::SERVICE_UNAVAILABLE,
            super::layout::bare_page(
                "Try again shortly",
                "The clinic's system is not answering just now. Try again in a minute.",
            ),
        ),
    }
}

/// What a refusal says: its fields' messages, or its own.
pub fn refusal_text(err: &ApiError) -> String {
    match err {
        ApiError::Validation(errors) => errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

/// After a form the service refused: `title`, why (`text`), and a link `back` (address, words).
pub async fn not_done(
    state: &crate::state::AppState,
    staff: &StaffSession,
    status: StatusCode,
    current: &str,
    title: &str,
    text: &str,
    back: (&str, &str),
) -> HttpResponse {
    match crate::db::run(&state.pool, |conn| Ok(crate::db::clinic::settings(conn)?)).await {
        Ok(clinic) => {
            let body = html! { (notice("bad", &format!("{title}: {text}."))) p { a href=(back.0) { (back.1) } } };
            show(status, &clinic, staff, current, title, body)
        }
        Err(err) => refused(state, staff, err).await,
    }
}
