//! Time off and extra hours on the weekly-hours page: the exceptions from now on, each with a
//! remove button, and a form to add one in the clinic's zone. Whole days unless times are given.
//! The same checks (`calendar::clinicians::NewException::check`) and audit rows as
//! `/v1/clinicians/{id}/exceptions`.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use maud::{html, Markup};
use serde::Deserialize;

use super::hours::whose;
use super::{typed_date, when};
use crate::accounts::console_sessions::StaffSession;
use crate::calendar::clinicians::{self, NewException};
use crate::console::links::see_other;
use crate::console::session::Posted;
use crate::console::shell::{self, csrf, refused};
use crate::db::audit::Origin;
use crate::db::availability::ExceptionRow;
use crate::db::{self, now};
use crate::domain::hours::ExceptionKind;
use crate::domain::local_time::{end_instant, instant_or_next, parse_hh_mm, time_of_day};
use crate::error::ApiError;
use crate::state::AppState;

fn kind_label(kind: ExceptionKind) -> &'static str {
    match kind {
        ExceptionKind::TimeOff => "Time off",
        ExceptionKind::ExtraHours => "Extra hours",
    }
}

/// The exceptions list and the form to add one, for the hours page of `clinician_id`.
pub fn section(staff: &StaffSession, zone: Tz, clinician_id: &str, rows: &[ExceptionRow]) -> Markup {
    html! {
        h2 { "Time off and extra hours" }
        @if rows.is_empty() {
            p.hint { "None ahead. Add time off (holidays, training) or extra hours below; free times follow at once." }
        } @else {
            div.scroll {
                table {
                    thead { tr { th { "What" } th { "From" } th { "Until" } th { "Note" } th { span.hint { "Action" } } } }
                    tbody {
                        @for row in rows {
                            tr {
                                td { (kind_label(row.kind())) }
                                td { (when(zone, row.starts_at.and_utc())) }
                                td { (when(zone, row.ends_at.and_utc())) }
                                td { (row.note.clone().unwrap_or_default()) }
                                td {
                                    form method="post" action={ "/console/hours/exceptions/" (row.id) "/remove?clinician_id=" (clinician_id) } {
                                        (csrf(staff))
                                        button.link type="submit" { "Remove" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        form.panel method="post" action={ "/console/hours/exceptions?clinician_id=" (clinician_id) } {
            (csrf(staff))
            fieldset {
                legend { "Add" }
                label { input type="radio" name="kind" value="time_off" checked; " Time off" }
                label { input type="radio" name="kind" value="extra_hours"; " Extra hours" }
            }
            label for="from_date" { "From date" }
            input type="date" id="from_date" name="from_date" required;
            label for="from_time" { "From time " span.hint { "(empty: the start of the day)" } }
            input type="time" id="from_time" name="from_time";
            label for="to_date" { "Until date " span.hint { "(empty: the same day)" } }
            input type="date" id="to_date" name="to_date";
            label for="to_time" { "Until time " span.hint { "(empty: the end of the day)" } }
            input type="time" id="to_time" name="to_time";
            label for="note" { "Note " span.hint { "(optional, at most 200 characters; shown to staff only)" } }
            input type="text" id="note" name="note" maxlength="200";
            button type="submit" { "Add" }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ExceptionForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    from_date: String,
    #[serde(default)]
    from_time: String,
    #[serde(default)]
    to_date: String,
    #[serde(default)]
    to_time: String,
    #[serde(default)]
    note: String,
}

#[derive(Debug, Deserialize)]
pub struct WhoseQuery {
    clinician_id: Option<String>,
}

impl ExceptionForm {
    /// The typed local dates and times as instants in `zone`: an empty start time is the start of
    /// the day, an empty end date the start date, an empty end time the end of the day.
    fn instants(&self, zone: Tz) -> Result<(ExceptionKind, DateTime<Utc>, DateTime<Utc>), ApiError> {
        let kind = match self.kind.as_str() {
            "time_off" => ExceptionKind::TimeOff,
            "extra_hours" => ExceptionKind::ExtraHours,
            _ => return Err(ApiError::field("kind", "invalid", "time off or extra hours")),
        };
        let from = typed_date("from_date", &self.from_date)?;
        let to = if self.to_date.trim().is_empty() { from } else { typed_date("to_date", &self.to_date)? };
        let start = match self.from_time.trim() {
            "" => 0,
            t => time_of_day(t).ok_or_else(|| ApiError::field("from_time", "invalid_format", "a time is HH:MM"))?,
        };
        let end = match self.to_time.trim() {
            "" => 24 * 60,
            t => parse_hh_mm(t).ok_or_else(|| ApiError::field("to_time", "invalid_format", "a time is HH:MM"))?,
        };
        let starts_at = instant_or_next(zone, crate::domain::local_time::at_minute(from, start));
        Ok((kind, starts_at, end_instant(zone, to, end)))
    }
}

async fn after(state: &AppState, staff: &StaffSession, id: &str, done: Result<(), ApiError>) -> HttpResponse {
    match done {
        Ok(()) => see_other(&format!("/console/hours?clinician_id={id}&done=1")),
        Err(err @ ApiError::Validation(_)) => {
            let back = format!("/console/hours?clinician_id={id}");
            let text = shell::refusal_text(&err);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            shell::not_done(state, staff, status, "/console/hours", "Not saved", &text, (&back, "Back to the hours"))
                .await
        }
        Err(err) => refused(state, staff, err).await,
    }
}

#[post("/console/hours/exceptions")]
pub async fn add_exception(
    state: web::Data<AppState>,
    meta: Origin,
    query: web::Query<WhoseQuery>,
    posted: Posted<ExceptionForm>,
) -> HttpResponse {
    let Posted { staff, form } = posted;
    let actor = staff.actor.clone();
    let id = whose(&staff, query.into_inner().clinician_id);
    let target = id.clone();
    let done = db::transaction(&state.pool, move |conn| {
        let zone = db::clinic::settings(conn)?.zone();
        let (kind, starts_at, ends_at) = form.instants(zone)?;
        let exception = NewException::check(kind, starts_at, ends_at, Some(&form.note))?;
        clinicians::add_exception(conn, &actor, &meta, &target, exception, now()).map(|_| ())
    })
    .await;
    after(&state, &staff, &id, done).await
}

#[post("/console/hours/exceptions/{eid}/remove")]
pub async fn remove_exception(
    state: web::Data<AppState>,
    meta: Origin,
    path: web::Path<String>,
    query: web::Query<WhoseQuery>,
    posted: Posted<std::collections::HashMap<String, String>>,
) -> HttpResponse {
    let staff = posted.staff;
    let actor = staff.actor.clone();
    let id = whose(&staff, query.into_inner().clinician_id);
    let (target, eid) = (id.clone(), path.into_inner());
    let done =
        db::transaction(&state.pool, move |conn| clinicians::delete_exception(conn, &actor, &meta, &target, &eid))
            .await;
    after(&state, &staff, &id, done).await
}
