//! A patient's home program: what is prescribed now, and the form that prescribes one (or revises
//! the current one: a new version, the old kept) from the exercise library. The same services as
//! `POST /v1/patients/{id}/programs` and `PUT /v1/programs/{id}`; the draft's rules are the
//! domain's, and their messages show on the page.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use chrono::{NaiveDate, Utc};
use maud::{html, Markup};
use serde::Deserialize;

use crate::accounts::console_sessions::StaffSession;
use crate::clinical::access::AccessReason;
use crate::clinical::programs::{self, ProgramDetail};
use crate::console::layout::notice;
use crate::console::links::see_other;
use crate::console::session::{Posted, Staff};
use crate::console::shell::refused;
use crate::console::shell::{self, csrf};
use crate::db::audit::Origin;
use crate::db::exercises::{self, ExerciseFilter, ExerciseRow};
use crate::db::{self, users};
use crate::domain::local_time::local;
use crate::domain::program::{Dose, ItemDraft, ProgramDraft};
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::state::AppState;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

#[derive(Debug, Deserialize)]
pub struct ProgramQuery {
    done: Option<String>,
    reason: Option<String>,
}

fn current(detail: &ProgramDetail) -> Markup {
    html! {
        div.panel {
            h2 { (detail.version.title) " " span.hint { "version " (detail.version.version) ", by " (detail.prescribed_by) } }
            p { "From " (detail.version.starts_on) @if let Some(end) = detail.version.ends_on { " to " (end) } }
            ol {
                @for (item, exercise) in &detail.items {
                    li {
                        strong { (exercise.name) }
                        @if let (Some(sets), Some(reps)) = (item.sets, item.reps) { " · " (sets) " × " (reps) }
                        @if let Some(hold) = item.hold_seconds { " · hold " (hold) " s" }
                        @if let Some(duration) = item.duration_seconds { " · " (duration) " s" }
                    }
                }
            }
        }
    }
}

fn form(
    staff: &StaffSession,
    patient_id: &str,
    revising: Option<&ProgramDetail>,
    library: &[ExerciseRow],
    today: NaiveDate,
    reason: &str,
) -> Markup {
    let chosen: HashMap<&str, (Option<i32>, Option<i32>)> =
        revising.map(|d| d.items.iter().map(|(i, e)| (e.id.as_str(), (i.sets, i.reps))).collect()).unwrap_or_default();
    let title = revising.map_or("Home program", |d| d.version.title.as_str());
    let days: Vec<u32> = revising
        .map(|d| d.version.weekdays.split(',').filter_map(|w| w.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 3, 5]);
    html! {
        form.panel method="post" action={ "/console/patients/" (patient_id) "/program" } {
            (csrf(staff))
            @if let Some(d) = revising { input type="hidden" name="program_id" value=(d.program.id); }
            @if !reason.is_empty() { input type="hidden" name="access_reason" value=(reason); }
            label for="title" { "Title" }
            input type="text" id="title" name="title" value=(title) maxlength="200" required;
            label for="starts_on" { "Starts on" }
            input type="date" id="starts_on" name="starts_on" value=(revising.map_or(today, |d| d.version.starts_on.max(today))) required;
            fieldset {
                legend { "Days" }
                @for (n, name) in WEEKDAYS.iter().enumerate() {
                    @let day = n as u32 + 1;
                    span.check {
                        input type="checkbox" id={ "wd_" (day) } name={ "wd_" (day) } value="1" checked[days.contains(&day)];
                        label for={ "wd_" (day) } { (name) }
                    }
                }
            }
            fieldset {
                legend { "Exercises" }
                p.hint { "Tick each exercise. Sets and reps left empty take the exercise's default dose." }
                div.scroll {
                    table {
                        thead { tr { th { "Exercise" } th { "Phase" } th { "Sets" } th { "Reps" } } }
                        tbody {
                            @for e in library {
                                @let (sets, reps) = chosen.get(e.id.as_str()).copied().unwrap_or((None, None));
                                tr {
                                    td {
                                        input type="checkbox" id={ "ex_" (e.id) } name={ "ex_" (e.id) } value="1" checked[chosen.contains_key(e.id.as_str())];
                                        label.inline for={ "ex_" (e.id) } { (e.name) }
                                    }
                                    td { (e.phase) }
                                    td { input type="number" min="1" max="20" name={ "sets_" (e.id) } value=[sets] aria-label={ "Sets of " (e.name) }; }
                                    td { input type="number" min="1" max="200" name={ "reps_" (e.id) } value=[reps] aria-label={ "Reps of " (e.name) }; }
                                }
                            }
                        }
                    }
                }
            }
            button type="submit" { @if revising.is_some() { "Save as a new version" } @else { "Prescribe" } }
        }
    }
}

#[get("/console/patients/{id}/program")]
pub async fn program_page(
    state: web::Data<AppState>,
    staff: Staff,
    meta: Origin,
    path: web::Path<String>,
    query: web::Query<ProgramQuery>,
) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let forms = staff.clone();
    let patient_id = path.into_inner();
    let ProgramQuery { done, reason } = query.into_inner();
    let typed_reason = reason.clone().unwrap_or_default();
    let access = AccessReason(reason.filter(|r| !r.trim().is_empty()));
    let id = patient_id.clone();
    shell::read_page(
        &state,
        &staff,
        "/console/patients",
        move |conn| {
            actor.require(&[Role::Clinician, Role::Admin])?;
            let existing = programs::of_patient(conn, &actor, &meta, &access, &id)?;
            let library = exercises::list(conn, &ExerciseFilter::default())?;
            let name = users::names(conn, std::slice::from_ref(&id))?.remove(&id).unwrap_or_default();
            Ok((existing, library, name))
        },
        move |clinic, (existing, library, name)| {
            let today = local(clinic.zone(), Utc::now()).date();
            let latest = existing.first();
            let body = html! {
                @if done.is_some() { (notice("good", "Saved. The patient's app shows it, and their reminders follow it.")) }
                p { a href={ "/console/patients/" (patient_id) } { "← " (name) } }
                @match latest {
                    Some(detail) => { (current(detail)) h2 { "Revise" } }
                    None => { p.hint { "No program yet. Choose exercises from the library below." } }
                }
                (form(&forms, &patient_id, latest, &library, today, &typed_reason))
            };
            (format!("Home program · {name}"), body)
        },
    )
    .await
}

fn draft(form: &HashMap<String, String>) -> ProgramDraft {
    let number = |key: String| form.get(&key).and_then(|v| v.trim().parse::<i32>().ok());
    let items = form
        .keys()
        .filter_map(|k| k.strip_prefix("ex_"))
        .map(|id| ItemDraft {
            exercise: id.to_string(),
            dose: Dose {
                sets: number(format!("sets_{id}")),
                reps: number(format!("reps_{id}")),
                hold_seconds: None,
                duration_seconds: None,
            },
            load: None,
            side: None,
            notes: None,
            phase: None,
        })
        .collect();
    ProgramDraft {
        title: form.get("title").cloned().unwrap_or_default(),
        starts_on: form
            .get("starts_on")
            .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
            .unwrap_or_default(),
        ends_on: None,
        weekdays: (1..=7).filter(|d| form.contains_key(&format!("wd_{d}"))).collect(),
        sessions_per_week: None,
        items,
    }
}

#[post("/console/patients/{id}/program")]
pub async fn prescribe(
    state: web::Data<AppState>,
    meta: Origin,
    path: web::Path<String>,
    posted: Posted<HashMap<String, String>>,
) -> HttpResponse {
    let Posted { staff, form } = posted;
    let actor = staff.actor.clone();
    let patient_id = path.into_inner();
    let links = crate::reminders::ReminderLinks::from_config(&state.config);
    let reason = AccessReason(form.get("access_reason").cloned().filter(|r| !r.trim().is_empty()));
    let mut draft = draft(&form);
    draft.items.sort_by(|a, b| a.exercise.cmp(&b.exercise));
    let program_id = form.get("program_id").cloned().filter(|p| !p.is_empty());
    let id = patient_id.clone();
    let saved = db::transaction(&state.pool, move |conn| {
        actor.require(&[Role::Clinician, Role::Admin])?;
        match program_id {
            Some(program) => programs::revise(conn, &actor, &meta, &reason, &links, &program, draft),
            None => programs::prescribe(conn, &actor, &meta, &reason, &links, &id, draft),
        }
    })
    .await;
    match saved {
        Ok(_) => see_other(&format!("/console/patients/{patient_id}/program?done=1")),
        Err(ApiError::Validation(errors)) => {
            let text = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
            let back = format!("/console/patients/{patient_id}/program");
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            shell::not_done(
                &state,
                &staff,
                status,
                "/console/patients",
                "Not saved",
                &text,
                (&back, "Back to the program"),
            )
            .await
        }
        Err(err) => refused(&state, &staff, err).await,
    }
}
