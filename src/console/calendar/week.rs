//! The week: Monday to Sunday, a row per clinician, each day's appointments and free time. Each
//! day is the day sheet's (`calendar::day_sheet`), audited as it is.

use actix_web::{get, web, HttpResponse};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use maud::html;
use serde::Deserialize;

use super::{clock, Names};
use crate::calendar::day_sheet::{self, DaySheet};
use crate::console::session::Staff;
use crate::console::shell;
use crate::db::audit::Origin;
use crate::domain::local_time::local;
use crate::domain::role::Role;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct WeekQuery {
    date: Option<NaiveDate>,
}

/// Free minutes in a clinician's day.
fn free_minutes(sheet: &DaySheet, clinician_id: &str) -> i64 {
    sheet
        .clinicians
        .iter()
        .filter(|c| c.clinician.id == clinician_id)
        .flat_map(|c| c.free.iter().map(|f| (f.end - f.start).num_minutes()))
        .sum()
}

#[get("/console/week")]
pub async fn week_page(
    state: web::Data<AppState>,
    staff: Staff,
    meta: Origin,
    query: web::Query<WeekQuery>,
) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let wanted = query.date;
    shell::read_page(
        &state,
        &staff,
        "/console/week",
        move |conn| {
            actor.require(&[Role::FrontDesk, Role::Clinician, Role::Admin])?;
            let zone = crate::db::clinic::settings(conn)?.zone();
            let day = match wanted {
                Some(date) => crate::error::fields::plausible_date("date", date)?,
                None => local(zone, Utc::now()).date(),
            };
            let monday = day - Duration::days(day.weekday().num_days_from_monday().into());
            let mut sheets = Vec::new();
            for n in 0..7 {
                sheets.push(day_sheet::day(conn, &actor, &meta, Some(monday + Duration::days(n)), Utc::now())?);
            }
            let all: Vec<_> = sheets.iter().flat_map(|s| s.appointments.iter().cloned()).collect();
            let names = Names::of(conn, &all)?;
            Ok((monday, sheets, names))
        },
        move |clinic, (monday, sheets, names)| {
            let zone = clinic.zone();
            let people = sheets.first().map(|s| s.clinicians.iter().map(|c| c.clinician.clone()).collect::<Vec<_>>()).unwrap_or_default();
            let body = html! {
                nav.pager aria-label="Weeks" {
                    a href={ "/console/week?date=" (monday - Duration::days(7)) } { "← Previous week" }
                    a href={ "/console/week?date=" (monday + Duration::days(7)) } { "Next week →" }
                }
                @if people.is_empty() {
                    p.notice { "No clinician is set up yet. An admin invites clinicians under Staff; each then sets their weekly hours." }
                } @else {
                    div.scroll {
                        table.week {
                            thead { tr { th { "Clinician" } @for s in &sheets { th { a href={ "/console/day?date=" (s.date) } { (s.date.format("%a %-d %b")) } } } } }
                            tbody {
                                @for person in &people {
                                    tr {
                                        th scope="row" { (person.full_name) }
                                        @for s in &sheets {
                                            td {
                                                @for a in s.appointments.iter().filter(|a| a.clinician_id == person.id && a.status != "cancelled" && local(zone, a.starts_at.and_utc()).date() == s.date) {
                                                    a href={ "/console/appointments/" (a.id) } { (clock(zone, a.starts_at.and_utc())) " " (names.person(&a.patient_id)) }
                                                    br;
                                                }
                                                @let free = free_minutes(s, &person.id);
                                                @if free > 0 { span.hint { (free / 60) " h " (free % 60) " min free" } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            };
            (format!("Week of {}", monday.format("%-d %b %Y")), body)
        },
    )
    .await
}
