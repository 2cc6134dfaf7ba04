//! The clinic's clinical rules (docs/clinical-rules.md): how many ODI sections make a score, and
//! when low adherence, a plateau and missed check-ins reach the worklist. Clinicians read them;
//! admins change them through `clinical::rules`, as `/v1/clinic/clinical-rules` does.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use maud::{html, Markup};

use crate::accounts::console_sessions::StaffSession;
use crate::clinical::rules;
use crate::console::layout::{notice, number_input, typed_number};
use crate::console::links::see_other;
use crate::console::session::{Posted, Staff};
use crate::console::shell::{self, csrf, refused};
use crate::db;
use crate::db::audit::Origin;
use crate::db::clinic::ClinicalRules;
use crate::domain::role::Role;
use crate::error::{ApiError, FieldError};
use crate::state::AppState;

/// Each rule: its field, what it means, and its bounds (as `clinical::rules::check` holds them).
const RULES: [(&str, &str, (i64, i64)); 4] = [
    ("odi_min_answered", "ODI sections that must be answered for a score", (1, 10)),
    ("low_adherence_percent", "Low adherence: below this percent over the last 14 days", (1, 100)),
    ("plateau_weeks", "Plateau: weeks after the baseline before one is called", (4, 26)),
    ("missed_check_in_days", "Missed check-ins: days without one while a program runs", (7, 60)),
];

fn values_of(r: &ClinicalRules) -> HashMap<String, String> {
    [
        ("odi_min_answered", r.odi_min_answered),
        ("low_adherence_percent", r.low_adherence_percent),
        ("plateau_weeks", r.plateau_weeks),
        ("missed_check_in_days", r.missed_check_in_days),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn page(staff: &StaffSession, values: &HashMap<String, String>, errors: &[FieldError], done: bool) -> Markup {
    let admin = staff.actor.role == Role::Admin;
    html! {
        @if admin {
            p { a href="/console/settings" { "Clinic settings" } " · " a href="/console/types" { "Appointment types" } " · " strong { "Clinical rules" } }
        }
        @if done { (notice("good", "Saved. Scores and worklist alerts follow the new rules from now on.")) }
        @if !errors.is_empty() { (notice("bad", "Not saved: see the messages next to the fields below.")) }
        form.panel method="post" action="/console/rules" {
            (csrf(staff))
            @for (field, label, bounds) in &RULES {
                (number_input(values, errors, field, label, *bounds))
                p.hint { (bounds.0) " to " (bounds.1) "." }
            }
            @if admin { button type="submit" { "Save the rules" } }
            @else { p.hint { "Admins change these; the clinic's documentation explains each." } }
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

#[get("/console/rules")]
pub async fn rules_page(state: web::Data<AppState>, staff: Staff, query: web::Query<DoneQuery>) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let forms = staff.clone();
    let done = query.into_inner().done.is_some();
    shell::read_page(
        &state,
        &staff,
        "/console/settings",
        move |conn| {
            actor.require(&[Role::Clinician, Role::Admin])?;
            rules::current(conn)
        },
        move |_, current| ("Clinical rules".to_string(), page(&forms, &values_of(&current), &[], done)),
    )
    .await
}

#[post("/console/rules")]
pub async fn save_rules(
    state: web::Data<AppState>,
    meta: Origin,
    posted: Posted<HashMap<String, String>>,
) -> HttpResponse {
    let Posted { staff, form } = posted;
    let actor = staff.actor.clone();
    let mut mine = Vec::new();
    let typed: Vec<Option<i64>> = RULES.iter().map(|(field, _, _)| typed_number(&form, field, &mut mine)).collect();
    for ((field, _, _), value) in RULES.iter().zip(&typed) {
        if value.is_none() && !mine.iter().any(|e: &FieldError| e.field == *field) {
            mine.push(FieldError::new(*field, "required", "this is required"));
        }
    }
    let saved = match (actor.require(&[Role::Admin]), typed.as_slice()) {
        (Err(err), _) => Err(err),
        (Ok(()), [Some(odi), Some(adherence), Some(plateau), Some(missed)]) => {
            match rules::check(*odi, *adherence, *plateau, *missed) {
                Ok(checked) => {
                    db::transaction(&state.pool, move |conn| rules::update(conn, &actor, &meta, &checked).map(|_| ()))
                        .await
                }
                Err(err) => Err(err),
            }
        }
        (Ok(()), _) => Err(ApiError::Validation(Vec::new())),
    };
    match saved {
        Ok(()) => see_other("/console/rules?done=1"),
        Err(ApiError::Validation(found)) => {
            mine.extend(found);
            match db::run(&state.pool, |conn| Ok(db::clinic::settings(conn)?)).await {
                Ok(clinic) => {
                    let body = page(&staff, &form, &mine, false);
                    shell::show(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &clinic,
                        &staff,
                        "/console/settings",
                        "Clinical rules",
                        body,
                    )
                }
                Err(err) => refused(&state, &staff, err).await,
            }
        }
        Err(err) => refused(&state, &staff, err).await,
    }
}
