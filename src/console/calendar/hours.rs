//! Weekly hours: a clinician's own (admins and the desk may open anyone's with `?clinician_id=`),
//! two periods a day at most on this page, in the clinic's zone. Saving replaces the week through
//! `calendar::clinicians`, with the same checks as `PUT /v1/clinicians/{id}/availability`.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use crate::accounts::console_sessions::StaffSession;
use crate::calendar::clinicians::{self, TypedHours};
use crate::console::layout::notice;
use crate::console::links::see_other;
use crate::console::session::{Posted, Staff};
use crate::console::shell::refused;
use crate::console::shell::{self, csrf};
use crate::db::audit::Origin;
use crate::db::availability::RuleRow;
use crate::db::{self, now};
use crate::domain::hours::hh_mm;
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::state::AppState;

const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const PERIODS: usize = 2;

#[derive(Debug, Deserialize)]
pub struct HoursQuery {
    clinician_id: Option<String>,
    done: Option<String>,
}

/// Whose hours a page or form is about: `?clinician_id=`, or the signed-in clinician's own.
pub(super) fn whose(staff: &StaffSession, asked: Option<String>) -> String {
    asked.filter(|c| !c.is_empty()).unwrap_or_else(|| staff.actor.id.clone())
}

fn week(staff: &StaffSession, clinician_id: &str, rules: &[RuleRow]) -> Markup {
    html! {
        form.panel method="post" action={ "/console/hours?clinician_id=" (clinician_id) } {
            (csrf(staff))
            p.hint { "Up to two periods a day, e.g. 08:00–12:00 and 13:00–17:00. Leave a day empty when not working. Saving replaces the whole week." }
            div.scroll {
                table {
                    thead { tr { th { "Day" } th { "From" } th { "To" } th { "From" } th { "To" } } }
                    tbody {
                        @for (n, day) in DAYS.iter().enumerate() {
                            @let weekday = n as i32 + 1;
                            @let periods: Vec<&RuleRow> = rules.iter().filter(|r| r.weekday == weekday).collect();
                            tr {
                                th scope="row" { (day) }
                                @for k in 0..PERIODS {
                                    @let period = periods.get(k);
                                    td { input type="time" name={ "start_" (weekday) "_" (k) } aria-label={ (day) " period " (k + 1) " from" } value=[period.map(|p| hh_mm(p.start_minute))]; }
                                    td { input type="time" name={ "end_" (weekday) "_" (k) } aria-label={ (day) " period " (k + 1) " to" } value=[period.map(|p| hh_mm(p.end_minute))]; }
                                }
                            }
                        }
                    }
                }
            }
            button type="submit" { "Save the week" }
        }
    }
}

#[get("/console/hours")]
pub async fn hours_page(state: web::Data<AppState>, staff: Staff, query: web::Query<HoursQuery>) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let HoursQuery { clinician_id, done } = query.into_inner();
    let id = whose(&staff, clinician_id);
    let forms = staff.clone();
    shell::read_page(
        &state,
        &staff,
        "/console/hours",
        move |conn| {
            let clinician = clinicians::editable(conn, &actor, &id)?;
            let calendar = clinicians::calendar(conn, &id, now())?;
            Ok((clinician, calendar))
        },
        move |clinic, (clinician, calendar)| {
            let body = html! {
                @if done.is_some() { (notice("good", "Saved. Free times follow the new hours at once.")) }
                (week(&forms, &clinician.id, &calendar.rules))
                (super::exceptions::section(&forms, clinic.zone(), &clinician.id, &calendar.exceptions))
            };
            (format!("Weekly hours · {}", clinician.full_name), body)
        },
    )
    .await
}

#[post("/console/hours")]
pub async fn save_hours(
    state: web::Data<AppState>,
    meta: Origin,
    query: web::Query<HoursQuery>,
    posted: Posted<HashMap<String, String>>,
) -> HttpResponse {
    let Posted { staff, form } = posted;
    let actor = staff.actor.clone();
    let id = whose(&staff, query.into_inner().clinician_id);
    let mut typed = Vec::new();
    for weekday in 1..=7 {
        for k in 0..PERIODS {
            let start = form.get(&format!("start_{weekday}_{k}")).map(|s| s.trim()).unwrap_or_default();
            let end = form.get(&format!("end_{weekday}_{k}")).map(|s| s.trim()).unwrap_or_default();
            if !(start.is_empty() && end.is_empty()) {
                typed.push((weekday, start.to_string(), end.to_string()));
            }
        }
    }
    let rules = clinicians::check_weekly_hours(
        &typed
            .iter()
            .map(|(weekday, start, end)| TypedHours {
                weekday: *weekday,
                start,
                end,
                valid_from: None,
                valid_until: None,
            })
            .collect::<Vec<_>>(),
    );
    let target = id.clone();
    let saved = match rules {
        Ok(rules) => {
            db::transaction(&state.pool, move |conn| {
                actor.require(&[Role::Clinician, Role::Admin, Role::FrontDesk])?;
                clinicians::set_weekly_hours(conn, &actor, &meta, &target, &rules, now())
            })
            .await
        }
        Err(err) => Err(err),
    };
    match saved {
        Ok(()) => see_other(&format!("/console/hours?clinician_id={id}&done=1")),
        Err(ApiError::Validation(errors)) => {
            let text = errors
                .iter()
                .map(|e| {
                    let day = e
                        .field
                        .trim_start_matches("rules[")
                        .split(']')
                        .next()
                        .and_then(|i| i.parse::<usize>().ok())
                        .and_then(|i| typed.get(i))
                        .map(|(d, _, _)| DAYS[(*d - 1) as usize]);
                    format!("{}: {}", day.unwrap_or("the week"), e.message)
                })
                .collect::<Vec<_>>()
                .join("; ");
            let back = format!("/console/hours?clinician_id={id}");
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            shell::not_done(&state, &staff, status, "/console/hours", "Not saved", &text, (&back, "Back to the hours"))
                .await
        }
        Err(err) => refused(&state, &staff, err).await,
    }
}
