//! One appointment: who, when, what, its status; and what the desk does with it — arrived,
//! no-show, completed, move to another free time, cancel with a reason (the late-cancellation
//! mark is the service's). A red flag raised while booking shows its advice here at once.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use maud::{html, Markup};
use serde::Deserialize;

use super::{any_free, clock, status_label, time_choices, when, Names};
use crate::accounts::console_sessions::StaffSession;
use crate::calendar::availability::{self, ClinicianSlots};
use crate::calendar::booking;
use crate::calendar::notices::Notices;
use crate::calendar::records;
use crate::console::layout::notice;
use crate::console::links::see_other;
use crate::console::session::{Posted, Staff};
use crate::console::shell::refused;
use crate::console::shell::{self, csrf};
use crate::db::audit::Origin;
use crate::db::{self, clinic};
use crate::domain::appointment::Status;
use crate::domain::local_time::{instant_or_next, local};
use crate::domain::red_flags::{self, Severity};
use crate::domain::role::Role;
use crate::domain::slots::Interval;
use crate::error::fields::free_text;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct Shown {
    booked: Option<String>,
    done: Option<String>,
    flag: Option<String>,
    /// A day to look for free times to move to.
    move_from: Option<NaiveDate>,
}

fn moves(staff: &StaffSession, zone: chrono_tz::Tz, id: &str, found: &[ClinicianSlots]) -> Markup {
    html! {
        @if !any_free(found) {
            p.notice { "No free time in these 7 days. Try a later date." }
        } @else {
            form method="post" action={ "/console/appointments/" (id) } {
                (csrf(staff))
                input type="hidden" name="action" value="move";
                (time_choices(zone, "Move to", found))
                button type="submit" { "Move the appointment" }
            }
        }
    }
}

#[get("/console/appointments/{id}")]
pub async fn appointment_page(
    state: web::Data<AppState>,
    staff: Staff,
    meta: Origin,
    path: web::Path<String>,
    query: web::Query<Shown>,
) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let id = path.into_inner();
    let shown = query.into_inner();
    let move_from = shown.move_from;
    let form_staff = staff.clone();
    shell::read_page(
        &state,
        &staff,
        "/console/day",
        move |conn| {
            actor.require(&[Role::FrontDesk, Role::Clinician, Role::Admin])?;
            let row = records::read(conn, &actor, &meta, &id)?.ok_or(ApiError::NotFound)?;
            let names = Names::of(conn, std::slice::from_ref(&row))?;
            let settings = clinic::settings(conn)?;
            let free = match (move_from, row.status.as_str()) {
                (Some(day), "booked") => {
                    let zone = settings.zone();
                    let from = instant_or_next(zone, day.and_hms_opt(0, 0, 0).unwrap_or_default());
                    let to = instant_or_next(zone, (day + Duration::days(7)).and_hms_opt(0, 0, 0).unwrap_or_default());
                    let code = names.types.get(&row.appointment_type_id).map(|t| t.code.clone()).unwrap_or_default();
                    Some(availability::offered(conn, &actor, &code, Interval::new(from, to), None, Utc::now())?.clinicians)
                }
                _ => None,
            };
            Ok((row, names, free))
        },
        move |clinic, (row, names, free)| {
            let zone = clinic.zone();
            let staff = form_staff;
            let booked = row.status == Status::Booked.as_str();
            let today = local(zone, Utc::now()).date();
            let title = format!("{} · {}", names.person(&row.patient_id), when(zone, row.starts_at.and_utc()));
            let flag = shown.flag.as_deref().map(Severity::from_stored);
            let body = html! {
                @if let Some(severity) = flag {
                    div.notice.bad.flag role="alert" {
                        strong { @if severity == Severity::Emergency { "Emergency: tell the patient now" } @else { "Urgent: tell the patient now" } }
                        p { (red_flags::advice(severity)) }
                        p.hint { "Their clinician has an alert on the worklist." }
                    }
                }
                @if shown.booked.is_some() { (notice("good", "Booked. The patient gets a confirmation email with the calendar invitation.")) }
                @if let Some(done) = &shown.done { (notice("good", done_text(done))) }
                div.panel {
                    dl {
                        dt { "Patient" } dd { a href={ "/console/patients/" (row.patient_id) } { (names.person(&row.patient_id)) } }
                        dt { "With" } dd { (names.person(&row.clinician_id)) }
                        dt { "Type" } dd { (names.kind(&row.appointment_type_id)) }
                        dt { "When" } dd { (when(zone, row.starts_at.and_utc())) "–" (clock(zone, row.ends_at.and_utc())) }
                        dt { "Status" } dd { (status_label(&row.status)) @if row.late_cancellation { " (late cancellation)" } }
                        @if let Some(reason) = &row.cancel_reason { dt { "Cancelled because" } dd { (reason) } }
                        @if staff.actor.role != Role::FrontDesk { @if let Some(reason) = &row.reason { dt { "Reason for the visit" } dd { (reason) } } }
                    }
                    @if matches!(staff.actor.role, Role::Clinician | Role::Admin) && row.status != Status::Cancelled.as_str() {
                        p { a.button href={ "/console/appointments/" (row.id) "/evaluation" } { "Evaluation" } }
                    }
                    form.actions method="post" action={ "/console/appointments/" (row.id) } {
                        (csrf(&staff))
                        @for (to, label) in [(Status::Arrived, "Arrived"), (Status::NoShow, "No-show"), (Status::Completed, "Completed")] {
                            @if Status::parse(&row.status).is_some_and(|s| s.can_become(to)) {
                                button.secondary type="submit" name="action" value=(to.as_str()) { (label) }
                            }
                        }
                    }
                }
                @if booked {
                    h2 { "Move" }
                    form.inline method="get" action={ "/console/appointments/" (row.id) } {
                        label for="move_from" { "Free times from" }
                        input type="date" id="move_from" name="move_from" value=(move_from.unwrap_or(today));
                        button.secondary type="submit" { "Show free times" }
                    }
                    @if let Some(found) = &free { (moves(&staff, zone, &row.id, found)) }
                    h2 { "Cancel" }
                    form method="post" action={ "/console/appointments/" (row.id) } {
                        (csrf(&staff))
                        input type="hidden" name="action" value="cancel";
                        label for="reason" { "Reason " span.hint { "(optional, at most 500 characters)" } }
                        input type="text" id="reason" name="reason" maxlength="500";
                        p.hint { "Inside the type's cancellation cut-off, the visit is marked as a late cancellation." }
                        button.danger type="submit" { "Cancel the appointment" }
                    }
                }
                p { a href={ "/console/day?date=" (local(zone, row.starts_at.and_utc()).date()) } { "← That day's sheet" } }
            };
            (title, body)
        },
    )
    .await
}

fn done_text(done: &str) -> &'static str {
    match done {
        "arrived" => "Marked as arrived.",
        "no_show" => "Marked as a no-show.",
        "completed" => "Marked as completed.",
        "move" => "Moved. The patient gets an email with the new time.",
        "cancel" => "Cancelled. The patient gets an email, and the freed time is offered to the waitlist.",
        _ => "Saved.",
    }
}

#[post("/console/appointments/{id}")]
pub async fn change_appointment(
    state: web::Data<AppState>,
    meta: Origin,
    path: web::Path<String>,
    posted: Posted<HashMap<String, String>>,
) -> HttpResponse {
    let Posted { staff, form } = posted;
    let id = path.into_inner();
    let action = form.get("action").cloned().unwrap_or_default();
    let actor = staff.actor.clone();
    let notices = Notices::from_config(&state.config);
    let (target, reason) = (id.clone(), form.get("reason").cloned());
    let slot = form.get("slot").and_then(|s| {
        let (clinician, at) = s.split_once(' ')?;
        Some((clinician.to_string(), DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc)))
    });
    let done = action.clone();
    let changed = db::transaction(&state.pool, move |conn| {
        actor.require(&[Role::FrontDesk, Role::Clinician, Role::Admin])?;
        let now = db::now().and_utc();
        match action.as_str() {
            "arrived" | "no_show" | "completed" => {
                let to = Status::parse(&action).ok_or(ApiError::NotFound)?;
                records::change(conn, &notices, &actor, &meta, &target, now, |conn, cx, current, _| {
                    booking::transition(conn, cx, current, to)
                })
            }
            "cancel" => {
                let reason = free_text("reason", reason.as_deref().filter(|r| !r.trim().is_empty()), 500)?;
                records::change(conn, &notices, &actor, &meta, &target, now, |conn, cx, current, kind| {
                    booking::cancel(conn, cx, current, kind, reason.as_deref())
                })
            }
            "move" => {
                let (clinician, start) =
                    slot.ok_or_else(|| ApiError::field("slot", "required", "choose one of the free times"))?;
                records::change(conn, &notices, &actor, &meta, &target, now, |conn, cx, current, kind| {
                    booking::reschedule(conn, cx, current, kind, start, Some(&clinician), None)
                })
            }
            _ => Err(ApiError::field("action", "unknown", "no such change")),
        }
    })
    .await;
    match changed {
        Ok(_) => see_other(&format!("/console/appointments/{id}?done={done}")),
        Err(err @ (ApiError::Validation(_) | ApiError::Conflict { .. })) => {
            let back = format!("/console/appointments/{id}");
            let text = shell::refusal_text(&err);
            shell::not_done(
                &state,
                &staff,
                StatusCode::CONFLICT,
                "/console/day",
                "Not changed",
                &text,
                (&back, "Back to the appointment"),
            )
            .await
        }
        Err(err) => refused(&state, &staff, err).await,
    }
}
