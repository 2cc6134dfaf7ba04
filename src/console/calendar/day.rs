//! The day sheet: a column per clinician with their working time, appointments and free gaps.
//! A clinician's "My day" is the same sheet with their own column only.

use actix_web::{get, web, HttpResponse};
use chrono::{Duration, NaiveDate, Utc};
use maud::html;
use serde::Deserialize;

use super::{clock, day_name, status_label, Names};
use crate::calendar::day_sheet;
use crate::console::session::Staff;
use crate::console::shell;
use crate::db::audit::Origin;
use crate::domain::role::Role;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct DayQuery {
    date: Option<NaiveDate>,
    mine: Option<String>,
}

#[get("/console/day")]
pub async fn day_page(
    state: web::Data<AppState>,
    staff: Staff,
    meta: Origin,
    query: web::Query<DayQuery>,
) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let mine = query.mine.is_some() && actor.role == Role::Clinician;
    let current = if mine { "/console/day?mine=1" } else { "/console/day" };
    let wanted = query.date;
    shell::read_page(
        &state,
        &staff,
        current,
        move |conn| {
            actor.require(&[Role::FrontDesk, Role::Clinician, Role::Admin])?;
            let wanted = match wanted {
                Some(date) => Some(crate::error::fields::plausible_date("date", date)?),
                None => None,
            };
            let mut sheet = day_sheet::day(conn, &actor, &meta, wanted, Utc::now())?;
            if mine {
                sheet.clinicians.retain(|c| c.clinician.id == actor.id);
                sheet.appointments.retain(|a| a.clinician_id == actor.id);
            }
            let names = Names::of(conn, &sheet.appointments)?;
            Ok((sheet, names))
        },
        move |clinic, (sheet, names)| {
            let zone = clinic.zone();
            let date = sheet.date;
            let mine_q = if mine { "&mine=1" } else { "" };
            let title = format!("{} — {}", if mine { "My day" } else { "Day sheet" }, day_name(date));
            let body = html! {
                nav.pager aria-label="Days" {
                    a href={ "/console/day?date=" (date - Duration::days(1)) (mine_q) } { "← Previous day" }
                    form.inline method="get" action="/console/day" {
                        label for="date" { "Go to" }
                        input type="date" id="date" name="date" value=(date);
                        @if mine { input type="hidden" name="mine" value="1"; }
                        button.secondary type="submit" { "Show" }
                    }
                    a href={ "/console/day?date=" (date + Duration::days(1)) (mine_q) } { "Next day →" }
                }
                @if sheet.clinicians.is_empty() {
                    p.notice { "No clinician is set up yet. An admin invites clinicians under Staff; each then sets their weekly hours." }
                }
                div.columns {
                    @for column in &sheet.clinicians {
                        section.column aria-label=(column.clinician.full_name) {
                            h2 { (column.clinician.full_name) }
                            @if column.working.is_empty() {
                                p.hint { "Not working this day." }
                            } @else {
                                p.hint { "Working " @for (i, w) in column.working.iter().enumerate() { @if i > 0 { ", " } (clock(zone, w.start)) "–" (clock(zone, w.end)) } }
                            }
                            ul.slots {
                                @for a in sheet.appointments.iter().filter(|a| a.clinician_id == column.clinician.id) {
                                    li class={ "appt " (a.status) } {
                                        a href={ "/console/appointments/" (a.id) } {
                                            strong { (clock(zone, a.starts_at.and_utc())) "–" (clock(zone, a.ends_at.and_utc())) }
                                            " " (names.person(&a.patient_id))
                                        }
                                        br;
                                        span.hint { (names.kind(&a.appointment_type_id)) " · " (status_label(&a.status)) @if a.late_cancellation { " (late)" } }
                                    }
                                }
                                @for free in &column.free {
                                    li.free {
                                        "Free " (clock(zone, free.start)) "–" (clock(zone, free.end))
                                        @if staff_books(mine) {
                                            " · " a href={ "/console/book?clinician_id=" (column.clinician.id) "&date=" (date) } { "Book" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            };
            (title, body)
        },
    )
    .await
}

/// The sheet offers booking links to the desk and admins (a clinician's own day is for seeing).
fn staff_books(mine: bool) -> bool {
    !mine
}
