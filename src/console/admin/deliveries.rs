//! The outbox for admins: how many emails are in each state and how long the oldest due one has
//! waited, every delivery newest first (50 a page, one state or all) with its last error, and a
//! retry for a failed one (`mail::deliveries`, as `/v1/admin/deliveries`).

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use maud::html;
use serde::Deserialize;

use crate::console::calendar::when;
use crate::console::layout::notice;
use crate::console::links::see_other;
use crate::console::session::{Posted, Staff};
use crate::console::shell::{self, csrf, refused};
use crate::db::audit::Origin;
use crate::db::{self, now};
use crate::error::ApiError;
use crate::http::paging::{self, PageParams};
use crate::mail::deliveries as outbox;
use crate::state::AppState;

const PAGE: i64 = 50;

#[derive(Debug, Deserialize)]
pub struct DeliveriesQuery {
    status: Option<String>,
    cursor: Option<String>,
    done: Option<String>,
}

fn status_label(status: &str) -> &'static str {
    match status {
        "pending" => "Waiting to send",
        "leased" => "Sending",
        "sent" => "Sent",
        "failed" => "Failed",
        "cancelled" => "Cancelled",
        "expired" => "Expired unsent",
        _ => "Unknown",
    }
}

#[get("/console/deliveries")]
pub async fn deliveries_page(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<DeliveriesQuery>,
) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let forms = staff.clone();
    let DeliveriesQuery { status, cursor, done } = query.into_inner();
    let asked = status.clone().unwrap_or_default();
    shell::read_page(
        &state,
        &staff,
        "/console/deliveries",
        move |conn| {
            // The page's "All" sends an empty status: no filter.
            let status = outbox::status_filter(status.filter(|s| !s.is_empty()))?;
            let before = PageParams { limit: None, cursor }.cursor(1)?.and_then(|mut parts| parts.pop());
            let rows = outbox::list(conn, &actor, status.as_deref(), before.as_deref(), PAGE + 1)?;
            let counts = outbox::counts(conn, now())?;
            Ok((paging::page(rows, PAGE, |r| paging::encode_cursor(&[&r.id]), |r| r), counts))
        },
        move |clinic, ((rows, next), (counts, oldest_age))| {
            let zone = clinic.zone();
            let body = html! {
                @if done.is_some() { (notice("good", "Queued again: the worker sends it within a minute.")) }
                nav.filters aria-label="By state" {
                    ul {
                        li { a href="/console/deliveries" aria-current=[asked.is_empty().then_some("page")] { "All" } }
                        @for (status, count) in &counts {
                            li { a href={ "/console/deliveries?status=" (status) } aria-current=[(asked == *status).then_some("page")] { (status_label(status)) " (" (count) ")" } }
                        }
                    }
                }
                @if oldest_age > 0 {
                    p.hint { "The oldest email waiting to send has waited " (oldest_age / 60) " min. If this keeps growing, check that the worker runs and the mail server answers." }
                }
                @if rows.is_empty() {
                    p.notice { "No emails here. Emails appear as the clinic sends confirmations, reminders and account links." }
                } @else {
                    div.scroll {
                        table {
                            thead { tr { th { "Queued" } th { "What" } th { "To" } th { "Subject" } th { "State" } th { "Tries" } th { "Last error" } th { span.hint { "Action" } } } }
                            tbody {
                                @for r in &rows {
                                    tr {
                                        td { (when(zone, r.created_at.and_utc())) }
                                        td { code { (r.kind) } }
                                        td { (r.recipient) }
                                        td { (r.subject) }
                                        td { (status_label(&r.status)) @if let Some(sent) = r.sent_at { br; span.hint { (when(zone, sent.and_utc())) } } }
                                        td { (r.attempts) }
                                        td { (r.last_error.clone().unwrap_or_default()) }
                                        td {
                                            @if r.status == "failed" {
                                                form method="post" action={ "/console/deliveries/" (r.id) "/retry" } {
                                                    (csrf(&forms))
                                                    button.link type="submit" { "Retry" }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if let Some(next) = next {
                        p { a href={ "/console/deliveries?status=" (asked) "&cursor=" (next) } { "Older emails →" } }
                    }
                }
            };
            ("Deliveries".to_string(), body)
        },
    )
    .await
}

#[post("/console/deliveries/{id}/retry")]
pub async fn retry_delivery(
    state: web::Data<AppState>,
    meta: Origin,
    path: web::Path<String>,
    posted: Posted<std::collections::HashMap<String, String>>,
) -> HttpResponse {
    let staff = posted.staff;
    let actor = staff.actor.clone();
    let id = path.into_inner();
    let done = db::transaction(&state.pool, move |conn| outbox::retry(conn, &actor, &meta, &id, now())).await;
    match done {
        Ok(_) => see_other("/console/deliveries?done=1"),
        Err(err @ ApiError::Conflict { .. }) => {
            let text = shell::refusal_text(&err);
            let back = ("/console/deliveries?status=failed", "Back to the failed emails");
            shell::not_done(&state, &staff, StatusCode::CONFLICT, "/console/deliveries", "Not retried", &text, back)
                .await
        }
        Err(err) => refused(&state, &staff, err).await,
    }
}
