//! The waitlist at the desk: who is waiting for an earlier time, for what, with whom and when it
//! suits, and the offers out to them (the time offered and until when it is held); adding a
//! patient's wish from their page and taking a wish off. The same checks, services and audit
//! rows as `/v1/waitlist` (`calendar::waitlist_entries`).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

use super::{typed_date, when};
use crate::accounts::console_sessions::StaffSession;
use crate::accounts::patients;
use crate::calendar::availability::{self, Clinician};
use crate::calendar::waitlist_entries::{self, WishAsTyped};
use crate::console::layout::notice;
use crate::console::links::see_other;
use crate::console::session::{Posted, Staff};
use crate::console::shell::{self, csrf, refused};
use crate::db::audit::Origin;
use crate::db::clinic::{self, AppointmentTypeRow};
use crate::db::users::UserRow;
use crate::db::waitlist::{EntryRow, OfferRow};
use crate::db::{self, now, users};
use crate::domain::hours::hh_mm;
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::state::AppState;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

#[derive(Debug, Deserialize)]
pub struct WaitlistQuery {
    patient_id: Option<String>,
    done: Option<String>,
}

struct Board {
    rows: Vec<(EntryRow, Vec<OfferRow>)>,
    names: HashMap<String, String>,
    types: Vec<AppointmentTypeRow>,
    clinicians: Vec<Clinician>,
    adding: Option<UserRow>,
}

fn suits(row: &EntryRow) -> String {
    let days = row.weekday_list();
    let days = if days.is_empty() {
        "any day".to_string()
    } else {
        days.iter().filter_map(|d| WEEKDAYS.get((*d as usize).wrapping_sub(1))).copied().collect::<Vec<_>>().join(", ")
    };
    let times = match (row.earliest_minute, row.latest_minute) {
        (None, None) => "any time".to_string(),
        (Some(e), None) => format!("from {}", hh_mm(e)),
        (None, Some(l)) => format!("until {}", hh_mm(l)),
        (Some(e), Some(l)) => format!("{}–{}", hh_mm(e), hh_mm(l)),
    };
    format!("{} to {}, {days}, {times}", row.from_date, row.to_date)
}

fn add_form(staff: &StaffSession, patient: &UserRow, board: &Board, today: NaiveDate) -> Markup {
    html! {
        form.panel method="post" action="/console/waitlist" {
            (csrf(staff))
            h2 { "Add " (patient.full_name) " to the waitlist" }
            input type="hidden" name="patient_id" value=(patient.id);
            label for="appointment_type" { "Appointment type" }
            select id="appointment_type" name="appointment_type" required {
                @for t in &board.types { option value=(t.code) { (t.name) } }
            }
            label for="clinician_id" { "Clinician" }
            select id="clinician_id" name="clinician_id" {
                option value="" { "Anyone" }
                @for c in &board.clinicians { option value=(c.id) { (c.full_name) } }
            }
            label for="from_date" { "Earliest date" }
            input type="date" id="from_date" name="from_date" value=(today) required;
            label for="to_date" { "Latest date " span.hint { "(at most 180 days after the earliest)" } }
            input type="date" id="to_date" name="to_date" value=(today + chrono::Duration::days(28)) required;
            fieldset {
                legend { "Days that suit " span.hint { "(none ticked: any day)" } }
                @for (n, day) in WEEKDAYS.iter().enumerate() {
                    label.inline { input type="checkbox" name={ "day_" (n + 1) } value="1"; " " (day) }
                }
            }
            label for="earliest" { "Earliest start " span.hint { "(optional)" } }
            input type="time" id="earliest" name="earliest";
            label for="latest" { "Latest start " span.hint { "(optional)" } }
            input type="time" id="latest" name="latest";
            p.hint { "When a time that suits frees up, the patient gets an email offer and the first to take it books it." }
            button type="submit" { "Add to the waitlist" }
        }
    }
}

fn entries(staff: &StaffSession, zone: chrono_tz::Tz, board: &Board) -> Markup {
    let type_name = |id: &str| board.types.iter().find(|t| t.id == id).map_or("(archived type)", |t| t.name.as_str());
    let person = |id: &str| board.names.get(id).map_or("(unknown)", String::as_str);
    html! {
        @if board.rows.is_empty() {
            p.notice { "Nobody is waiting. To add a patient, open their page from Patients and choose “Add to the waitlist”." }
        } @else {
            p.hint { "Oldest first: the first to ask is offered a freed time first. The 500 oldest are shown." }
            div.scroll {
                table {
                    thead { tr { th { "Patient" } th { "For" } th { "With" } th { "Suits" } th { "Offer out" } th { span.hint { "Action" } } } }
                    tbody {
                        @for (row, offers) in &board.rows {
                            tr {
                                td { a href={ "/console/patients/" (row.patient_id) } { (person(&row.patient_id)) } }
                                td { (type_name(&row.appointment_type_id)) }
                                td { (row.clinician_id.as_deref().map_or("Anyone", person)) }
                                td { (suits(row)) }
                                td {
                                    @if offers.is_empty() { "—" }
                                    @for offer in offers {
                                        div { (when(zone, offer.starts_at.and_utc())) " with " (person(&offer.clinician_id))
                                            br; span.hint { "held until " (when(zone, offer.expires_at.and_utc())) } }
                                    }
                                }
                                td {
                                    form method="post" action={ "/console/waitlist/" (row.id) "/remove" } {
                                        (csrf(staff))
                                        button.link type="submit" { "Take off the list" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[get("/console/waitlist")]
pub async fn waitlist_page(
    state: web::Data<AppState>,
    staff: Staff,
    meta: Origin,
    query: web::Query<WaitlistQuery>,
) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let forms = staff.clone();
    let WaitlistQuery { patient_id, done } = query.into_inner();
    shell::read_page(
        &state,
        &staff,
        "/console/waitlist",
        move |conn| {
            let rows = waitlist_entries::board(conn, &actor, &meta)?;
            let adding = match patient_id.as_deref().filter(|p| !p.is_empty()) {
                Some(id) => Some(patients::read(conn, &actor, &meta, id)?.ok_or(ApiError::NotFound)?),
                None => None,
            };
            let mut ids: Vec<String> = rows
                .iter()
                .flat_map(|(r, offers)| {
                    std::iter::once(r.patient_id.clone())
                        .chain(r.clinician_id.clone())
                        .chain(offers.iter().map(|o| o.clinician_id.clone()))
                })
                .collect();
            ids.sort();
            ids.dedup();
            let names = users::names(conn, &ids)?;
            let types = clinic::types(conn, true)?;
            let clinicians = availability::clinicians(conn, None, None)?;
            Ok(Board { rows, names, types, clinicians, adding })
        },
        move |clinic, mut board| {
            let zone = clinic.zone();
            let today = crate::domain::local_time::today_in(zone, chrono::Utc::now());
            let adding = board.adding.take();
            board.types.retain(|t| !t.archived || board.rows.iter().any(|(r, _)| r.appointment_type_id == t.id));
            let body = html! {
                @match done.as_deref() {
                    Some("added") => (notice("good", "Added to the waitlist. The patient is emailed an offer when a time that suits frees up.")),
                    Some("removed") => (notice("good", "Taken off the waitlist; any offer out to them is withdrawn.")),
                    _ => {}
                }
                @if let Some(patient) = &adding { (add_form(&forms, patient, &board, today)) }
                (entries(&forms, zone, &board))
            };
            ("Waitlist".to_string(), body)
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct WishForm {
    #[serde(default)]
    patient_id: String,
    #[serde(default)]
    appointment_type: String,
    #[serde(default)]
    clinician_id: String,
    #[serde(default)]
    from_date: String,
    #[serde(default)]
    to_date: String,
    #[serde(default)]
    earliest: String,
    #[serde(default)]
    latest: String,
    #[serde(flatten)]
    days: HashMap<String, String>,
}

fn given(raw: &str) -> Option<&str> {
    Some(raw.trim()).filter(|t| !t.is_empty())
}

async fn after(state: &AppState, staff: &StaffSession, done: Result<&str, ApiError>, back: &str) -> HttpResponse {
    match done {
        Ok(done) => see_other(&format!("/console/waitlist?done={done}")),
        Err(err @ (ApiError::Validation(_) | ApiError::Conflict { .. })) => {
            let text = shell::refusal_text(&err);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            shell::not_done(
                state,
                staff,
                status,
                "/console/waitlist",
                "Not done",
                &text,
                (back, "Back to the waitlist"),
            )
            .await
        }
        Err(err) => refused(state, staff, err).await,
    }
}

#[post("/console/waitlist")]
pub async fn join_waitlist(state: web::Data<AppState>, meta: Origin, posted: Posted<WishForm>) -> HttpResponse {
    let Posted { staff, form } = posted;
    let actor = staff.actor.clone();
    let back = format!("/console/waitlist?patient_id={}", crate::console::patients::encode(&form.patient_id));
    let wish = (|| {
        let weekdays = (1..=7).filter(|d| form.days.contains_key(&format!("day_{d}"))).collect();
        WishAsTyped {
            appointment_type: form.appointment_type.clone(),
            clinician_id: given(&form.clinician_id).map(str::to_string),
            from_date: typed_date("from_date", &form.from_date)?,
            to_date: typed_date("to_date", &form.to_date)?,
            weekdays,
            earliest: given(&form.earliest),
            latest: given(&form.latest),
            patient_id: Some(form.patient_id.clone()),
        }
        .check()
    })();
    let done = match wish {
        Ok(wish) => {
            db::transaction(&state.pool, move |conn| {
                actor.require(&[Role::FrontDesk, Role::Clinician, Role::Admin])?;
                waitlist_entries::join(conn, &actor, &meta, wish, now()).map(|_| "added")
            })
            .await
        }
        Err(err) => Err(err),
    };
    after(&state, &staff, done, &back).await
}

#[post("/console/waitlist/{id}/remove")]
pub async fn leave_waitlist(
    state: web::Data<AppState>,
    meta: Origin,
    path: web::Path<String>,
    posted: Posted<HashMap<String, String>>,
) -> HttpResponse {
    let staff = posted.staff;
    let actor = staff.actor.clone();
    let id = path.into_inner();
    let done = db::transaction(&state.pool, move |conn| {
        actor.require(&[Role::FrontDesk, Role::Clinician, Role::Admin])?;
        waitlist_entries::leave(conn, &actor, &meta, &id, now()).map(|_| "removed")
    })
    .await;
    after(&state, &staff, done, "/console/waitlist").await
}
