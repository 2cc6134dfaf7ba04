//! The evaluation form of an appointment: the movement findings, STarT Back, the patient's PSFS
//! activities and the baselines of pain and ODI. Each input is named as the field of
//! `PUT /v1/appointments/{id}/evaluation` it fills (`hip_range_of_motion.left.flexion`,
//! `psfs_activities[0].rating`), so the service's message for a field shows next to it. Saved
//! through `clinical::evaluation_form::parse` and `clinical::evaluations::record`, as that route.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use super::evaluation_values::{checked, values_of, PSFS_ROWS};
use crate::accounts::console_sessions::StaffSession;
use crate::clinical::access::AccessReason;
use crate::clinical::evaluations;
use crate::console::calendar::when;
use crate::console::layout::{error_for, message, notice, number_input};
use crate::console::links::see_other;
use crate::console::session::{Posted, Staff};
use crate::console::shell::{self, csrf, refused};
use crate::db::audit::Origin;
use crate::db::{self, users};
use crate::domain::outcomes::ODI_SECTIONS;
use crate::domain::role::Role;
use crate::error::{ApiError, FieldError};
use crate::state::AppState;

const TEXTS: [(&str, &str); 5] = [
    ("lumbar_mobility", "Lumbar mobility"),
    ("core_activation", "Core activation"),
    ("repeated_movements", "Response to repeated movements"),
    ("impression", "Impression"),
    ("plan", "Plan"),
];
const PATTERNS: [(&str, &str); 3] = [("hinge", "Hip hinge"), ("squat", "Squat"), ("rotation", "Rotation")];
const HIP: [(&str, &str); 3] =
    [("flexion", "Flexion"), ("internal_rotation", "Internal rotation"), ("external_rotation", "External rotation")];
const TRUNK: [(&str, &str); 4] = [
    ("plank_seconds", "Plank"),
    ("side_plank_left_seconds", "Side plank, left"),
    ("side_plank_right_seconds", "Side plank, right"),
    ("extensor_hold_seconds", "Extensor hold"),
];
const BOTHERSOME: [(&str, &str); 5] = [
    ("not_at_all", "Not at all"),
    ("slightly", "Slightly"),
    ("moderately", "Moderately"),
    ("very_much", "Very much"),
    ("extremely", "Extremely"),
];
/// The sections of the ODI (2.1a), in order.
const ODI: [&str; ODI_SECTIONS] = [
    "Pain intensity",
    "Personal care",
    "Lifting",
    "Walking",
    "Sitting",
    "Standing",
    "Sleeping",
    "Sex life",
    "Social life",
    "Travelling",
];

fn form(
    staff: &StaffSession,
    appointment_id: &str,
    values: &HashMap<String, String>,
    errors: &[FieldError],
    reason: &str,
) -> Markup {
    let value = |field: &str| values.get(field).cloned().unwrap_or_default();
    let writes = staff.actor.role == Role::Clinician;
    html! {
        @if !errors.is_empty() { (notice("bad", "Not saved: see the messages next to the fields below.")) }
        form.panel.evaluation method="post" action={ "/console/appointments/" (appointment_id) "/evaluation" } {
            (csrf(staff))
            @if !reason.is_empty() { input type="hidden" name="access_reason" value=(reason); }
            h2 { "Movement" }
            @for (field, label) in TEXTS.iter().take(2) {
                label for=(field) { (label) }
                textarea id=(field) name=(field) rows="2" maxlength="2000" { (value(field)) }
                (message(errors, field))
            }
            fieldset {
                legend { "Hip range of motion (degrees, 0–180)" }
                @for side in ["left", "right"] {
                    @for (name, label) in &HIP {
                        (number_input(values, errors, &format!("hip_range_of_motion.{side}.{name}"), &format!("{label}, {side}"), (0, 180)))
                    }
                }
            }
            fieldset {
                legend { "Trunk endurance (seconds held, 0–600)" }
                @for (name, label) in &TRUNK {
                    (number_input(values, errors, &format!("trunk_endurance.{name}"), label, (0, 600)))
                }
            }
            fieldset {
                legend { "Movement patterns" }
                @for (name, label) in &PATTERNS {
                    @let field = format!("movement_patterns.{name}");
                    label for=(field) { (label) }
                    textarea id=(field) name=(field) rows="2" maxlength="2000" { (value(&field)) }
                    (message(errors, &field))
                }
            }
            @for (field, label) in TEXTS.iter().skip(2) {
                label for=(field) { (label) }
                textarea id=(field) name=(field) rows="3" maxlength="2000" { (value(field)) }
                (message(errors, field))
            }
            h2 { "STarT Back" }
            p.hint { "Ask items 1 to 9 from the clinic's STarT Back form, in its order. The total and risk group are scored on saving." }
            (message(errors, "start_back.agree"))
            @for i in 0..8 {
                @let field = format!("start_back.agree[{i}]");
                fieldset.inline {
                    legend { "Item " (i + 1) }
                    @for (answer, label) in [("agree", "Agree"), ("disagree", "Disagree")] {
                        label.inline { input type="radio" name=(field) value=(answer) checked[value(&field) == answer]; " " (label) }
                    }
                    (message(errors, &field))
                }
            }
            label for="start_back.bothersome" { "Item 9: how bothersome the pain has been" }
            select id="start_back.bothersome" name="start_back.bothersome" {
                option value="" { "Choose…" }
                @for (answer, label) in &BOTHERSOME {
                    option value=(answer) selected[value("start_back.bothersome") == *answer] { (label) }
                }
            }
            (message(errors, "start_back.bothersome"))
            h2 { "Patient-Specific Functional Scale" }
            p.hint { "Three to five activities the patient finds hard, each rated 0 (unable) to 10 (as before the problem). Every re-test rates the same ones." }
            (message(errors, "psfs_activities"))
            @for i in 0..PSFS_ROWS {
                @let name = format!("psfs_activities[{i}].name");
                @let rating = format!("psfs_activities[{i}].rating");
                div.pair {
                    label for=(name) { "Activity " (i + 1) }
                    input type="text" id=(name) name=(name) maxlength="120" value=(value(&name)) aria-invalid=[error_for(errors, &name).map(|_| "true")];
                    (message(errors, &name))
                    (number_input(values, errors, &rating, &format!("Rating of activity {}", i + 1), (0, 10)))
                }
            }
            h2 { "Baselines" }
            (number_input(values, errors, "baseline_nrs", "Pain now (0–10)", (0, 10)))
            fieldset {
                legend { "Oswestry Disability Index: each section 0–5, empty when skipped" }
                (message(errors, "baseline_odi"))
                @for (i, section) in ODI.iter().enumerate() {
                    @let field = format!("baseline_odi[{i}]");
                    label for=(field) { (i + 1) ". " (section) }
                    select id=(field) name=(field) {
                        option value="" { "Skipped" }
                        @for score in 0..=5 { option value=(score) selected[value(&field) == score.to_string()] { (score) } }
                    }
                    (message(errors, &field))
                }
            }
            @if writes {
                button type="submit" { "Save the evaluation" }
            } @else {
                p.hint { "Only clinicians record evaluations; admins read them." }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct EvaluationQuery {
    reason: Option<String>,
    done: Option<String>,
}

struct Opened {
    patient_id: String,
    patient: String,
    starts_at: chrono::NaiveDateTime,
    values: HashMap<String, String>,
    recorded: bool,
}

fn open(
    conn: &mut db::DbConnection,
    actor: &crate::auth::Actor,
    meta: &Origin,
    reason: &AccessReason,
    id: &str,
) -> Result<Opened, ApiError> {
    actor.require(&[Role::Clinician, Role::Admin])?;
    let (appointment, row) = evaluations::of_appointment(conn, actor, meta, reason, id)?;
    let patient = users::names(conn, std::slice::from_ref(&appointment.patient_id))?.remove(&appointment.patient_id);
    Ok(Opened {
        patient: patient.unwrap_or_default(),
        patient_id: appointment.patient_id,
        starts_at: appointment.starts_at,
        recorded: row.is_some(),
        values: row.as_ref().map(values_of).unwrap_or_default(),
    })
}

fn page(
    staff: &StaffSession,
    zone: chrono_tz::Tz,
    id: &str,
    opened: &Opened,
    errors: &[FieldError],
    reason: &str,
    done: bool,
) -> (String, Markup) {
    let body = html! {
        @if done { (notice("good", "Saved. The baselines, the STarT Back risk group and the PSFS activities are on the record.")) }
        p { a href={ "/console/patients/" (opened.patient_id) "/record" } { "← Clinical record of " (opened.patient) } " · "
            a href={ "/console/appointments/" (id) } { "The appointment, " (when(zone, opened.starts_at.and_utc())) } }
        @if !opened.recorded && errors.is_empty() { p.hint { "Nothing recorded yet for this visit." } }
        (form(staff, id, &opened.values, errors, reason))
    };
    (format!("Evaluation · {}", opened.patient), body)
}

#[get("/console/appointments/{id}/evaluation")]
pub async fn evaluation_page(
    state: web::Data<AppState>,
    staff: Staff,
    meta: Origin,
    path: web::Path<String>,
    query: web::Query<EvaluationQuery>,
) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let forms = staff.clone();
    let id = path.into_inner();
    let EvaluationQuery { reason, done } = query.into_inner();
    let typed = reason.clone().unwrap_or_default();
    let access = AccessReason(reason.filter(|r| !r.trim().is_empty()));
    let shown = id.clone();
    shell::read_page(
        &state,
        &staff,
        "/console/patients",
        move |conn| open(conn, &actor, &meta, &access, &id),
        move |clinic, opened| page(&forms, clinic.zone(), &shown, &opened, &[], &typed, done.is_some()),
    )
    .await
}

#[post("/console/appointments/{id}/evaluation")]
pub async fn save_evaluation(
    state: web::Data<AppState>,
    meta: Origin,
    path: web::Path<String>,
    posted: Posted<HashMap<String, String>>,
) -> HttpResponse {
    let Posted { staff, form } = posted;
    let actor = staff.actor.clone();
    let id = path.into_inner();
    let typed = form.get("access_reason").cloned().unwrap_or_default();
    let reason = AccessReason(Some(typed.trim().to_string()).filter(|r| !r.is_empty()));
    let target = id.clone();
    let origin = meta.clone();
    let checked = if actor.role == Role::Clinician { checked(&form) } else { Err(ApiError::Forbidden) };
    let saved = match checked {
        Ok((findings, assessment)) => {
            db::transaction(&state.pool, move |conn| {
                evaluations::record(conn, &actor, &meta, &reason, &target, &findings, &assessment).map(|_| ())
            })
            .await
        }
        Err(err) => Err(err),
    };
    match saved {
        Ok(()) => see_other(&format!("/console/appointments/{id}/evaluation?done=1")),
        Err(ApiError::Validation(errors)) => {
            let actor = staff.actor.clone();
            let access = AccessReason(Some(typed.trim().to_string()).filter(|r| !r.is_empty()));
            let shown = id.clone();
            let opened = db::run(&state.pool, move |conn| {
                let clinic = db::clinic::settings(conn)?;
                Ok((clinic, open(conn, &actor, &origin, &access, &shown)))
            })
            .await;
            match opened {
                Ok((clinic, Ok(mut opened))) => {
                    opened.values = form.clone();
                    let (title, body) = page(&staff, clinic.zone(), &id, &opened, &errors, &typed, false);
                    shell::show(StatusCode::UNPROCESSABLE_ENTITY, &clinic, &staff, "/console/patients", &title, body)
                }
                Ok((clinic, Err(err))) => shell::failure(&clinic, &staff, err),
                Err(err) => refused(&state, &staff, err).await,
            }
        }
        Err(err) => refused(&state, &staff, err).await,
    }
}
