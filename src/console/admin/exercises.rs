//! The exercise library for admins and clinicians: every exercise by category and phase (the
//! archived ones on request), a new one, changing or archiving one. Checked and saved by
//! `clinical::exercises`, as the `/v1/exercises` routes do.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use crate::accounts::console_sessions::StaffSession;
use crate::clinical::exercises::{self, ExerciseEdit};
use crate::console::layout::{error_for, merged, message, notice, number_input, typed_number};
use crate::console::links::see_other;
use crate::console::session::{Posted, Staff};
use crate::console::shell::{self, csrf, refused};
use crate::db;
use crate::db::audit::Origin;
use crate::db::exercises::{self as library, ExerciseFilter, ExerciseRow};
use crate::domain::exercise_category::Category;
use crate::domain::program::Dose;
use crate::domain::role::Role;
use crate::error::{ApiError, FieldError};
use crate::state::AppState;

const CURRENT: &str = "/console/exercises";
const EDITORS: &[Role] = &[Role::Clinician, Role::Admin];
const PHASES: [(i32, &str); 3] = [(1, "1 · control"), (2, "2 · capacity"), (3, "3 · loading")];
const DOSE: [(&str, &str, (i64, i64)); 4] = [
    ("default_dose.sets", "Sets", (1, 20)),
    ("default_dose.reps", "Reps", (1, 200)),
    ("default_dose.hold_seconds", "Hold (seconds)", (1, 600)),
    ("default_dose.duration_seconds", "Duration (seconds)", (1, 7200)),
];

fn values_of(row: &ExerciseRow) -> HashMap<String, String> {
    let mut values: HashMap<String, String> = [
        ("slug", row.slug.clone()),
        ("name", row.name.clone()),
        ("category", row.category.clone()),
        ("phase", row.phase.to_string()),
        ("instructions", row.instructions.clone()),
        ("cues", row.cues.clone()),
        ("common_mistakes", row.common_mistakes.clone()),
        ("video_url", row.video_url.clone().unwrap_or_default()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let dose = row.default_dose();
    for (key, value) in [
        ("default_dose.sets", dose.sets),
        ("default_dose.reps", dose.reps),
        ("default_dose.hold_seconds", dose.hold_seconds),
        ("default_dose.duration_seconds", dose.duration_seconds),
    ] {
        if let Some(v) = value {
            values.insert(key.into(), v.to_string());
        }
    }
    values
}

/// The form as the service's edit (every part present: a form sends the whole exercise), and
/// the messages for what is not even a number.
fn edit_of(form: &HashMap<String, String>, creating: bool) -> (ExerciseEdit, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut number = |key: &str| typed_number(form, key, &mut errors).map(|n| i32::try_from(n).unwrap_or(i32::MAX));
    let text = |key: &str| form.get(key).cloned().unwrap_or_default();
    let lines = |key: &str| text(key).lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
    let category = form.get("category").and_then(|c| Category::ALL.into_iter().find(|k| k.as_str() == c));
    let edit = ExerciseEdit {
        slug: creating.then(|| text("slug").trim().to_string()),
        name: Some(text("name")),
        category: category.map(Category::as_str),
        phase: number("phase"),
        instructions: Some(text("instructions")),
        cues: Some(lines("cues")),
        common_mistakes: Some(lines("common_mistakes")),
        default_dose: Some(Dose {
            sets: number("default_dose.sets"),
            reps: number("default_dose.reps"),
            hold_seconds: number("default_dose.hold_seconds"),
            duration_seconds: number("default_dose.duration_seconds"),
        }),
        video_url: Some(text("video_url").trim().to_string()),
    };
    (edit, errors)
}

fn text_input(values: &HashMap<String, String>, errors: &[FieldError], field: &str, label: &str, hint: &str) -> Markup {
    html! {
        label for=(field) { (label) }
        input type="text" id=(field) name=(field) value=(values.get(field).cloned().unwrap_or_default())
            aria-describedby={ (field) "-hint" } aria-invalid=[error_for(errors, field).map(|_| "true")];
        p.hint id={ (field) "-hint" } { (hint) }
        (message(errors, field))
    }
}

fn area(values: &HashMap<String, String>, errors: &[FieldError], field: &str, label: &str, rows: u8) -> Markup {
    html! {
        label for=(field) { (label) }
        textarea id=(field) name=(field) rows=(rows) aria-invalid=[error_for(errors, field).map(|_| "true")] {
            (values.get(field).cloned().unwrap_or_default())
        }
        (message(errors, field))
    }
}

fn exercise_form(
    staff: &StaffSession,
    action: &str,
    values: &HashMap<String, String>,
    errors: &[FieldError],
    creating: bool,
) -> Markup {
    let value = |k: &str| values.get(k).cloned().unwrap_or_default();
    html! {
        @if !errors.is_empty() { (notice("bad", "Not saved: see the messages next to the fields below.")) }
        form.panel method="post" action=(action) {
            (csrf(staff))
            input type="hidden" name="action" value="save";
            @if creating {
                (text_input(values, errors, "slug", "Short name for links", "2 to 80 lower-case letters, digits or -, e.g. dead-bug. Fixed once created."))
            }
            (text_input(values, errors, "name", "Name", "As the patient reads it in the app, at most 120 characters."))
            label for="category" { "Category" }
            select id="category" name="category" {
                @for c in Category::ALL { option value=(c.as_str()) selected[value("category") == c.as_str()] { (c.label()) } }
            }
            (message(errors, "category"))
            label for="phase" { "Phase" }
            select id="phase" name="phase" {
                @for (n, label) in PHASES { option value=(n) selected[value("phase") == n.to_string()] { (label) } }
            }
            (message(errors, "phase"))
            (area(values, errors, "instructions", "Instructions", 4))
            (area(values, errors, "cues", "Cues (one per line)", 3))
            (area(values, errors, "common_mistakes", "Common mistakes (one per line)", 3))
            fieldset {
                legend { "Default dose " span.hint { "(optional; a prescription may change it)" } }
                @for (field, label, bounds) in &DOSE { (number_input(values, errors, field, label, *bounds)) }
            }
            (text_input(values, errors, "video_url", "Video link", "Optional: an https:// link."))
            button type="submit" { @if creating { "Add to the library" } @else { "Save" } }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct LibraryQuery {
    category: Option<String>,
    archived: Option<String>,
    done: Option<String>,
}

#[get("/console/exercises")]
pub async fn exercises_page(state: web::Data<AppState>, staff: Staff, query: web::Query<LibraryQuery>) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let LibraryQuery { category, archived, done } = query.into_inner();
    let chosen = category.clone().filter(|c| Category::ALL.iter().any(|k| k.as_str() == c));
    let filter = ExerciseFilter { category: chosen.clone(), phase: None, include_archived: archived.is_some() };
    shell::read_page(
        &state,
        &staff,
        CURRENT,
        move |conn| {
            actor.require(EDITORS)?;
            Ok(library::list(conn, &filter)?)
        },
        move |_, rows| {
            let body = html! {
                @match done.as_deref() {
                    Some("created") => (notice("good", "Added. Clinicians can prescribe it at once.")),
                    Some("saved") => (notice("good", "Saved. Programs that use it show the new words at once.")),
                    Some("archived") => (notice("good", "Archived: it is no longer offered for new programs; programs that use it keep it.")),
                    _ => {}
                }
                p { a.button href="/console/exercises/new" { "New exercise" } }
                form.inline.panel method="get" action="/console/exercises" {
                    label for="category" { "Category" }
                    select id="category" name="category" {
                        option value="" { "All" }
                        @for c in Category::ALL { option value=(c.as_str()) selected[chosen.as_deref() == Some(c.as_str())] { (c.label()) } }
                    }
                    span.check { input type="checkbox" id="archived" name="archived" value="1" checked[archived.is_some()]; label for="archived" { "Show archived" } }
                    button type="submit" { "Show" }
                }
                @if rows.is_empty() {
                    p.notice { "No exercise here. Choose another category, or add one." }
                } @else {
                    div.scroll {
                        table {
                            thead { tr { th { "Exercise" } th { "Category" } th { "Phase" } th { "Default dose" } } }
                            tbody {
                                @for e in &rows {
                                    @let dose = e.default_dose();
                                    tr {
                                        td { a href={ "/console/exercises/" (e.id) } { (e.name) } @if e.archived { " " span.hint { "(archived)" } } }
                                        td { (Category::parse(&e.category).label()) }
                                        td { (e.phase) }
                                        td {
                                            @if let Some(s) = dose.sets { (s) " × " }
                                            @if let Some(r) = dose.reps { (r) " reps " }
                                            @if let Some(h) = dose.hold_seconds { (h) " s hold " }
                                            @if let Some(d) = dose.duration_seconds { (d) " s" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            };
            ("Exercise library".to_string(), body)
        },
    )
    .await
}

#[get("/console/exercises/new")]
pub async fn new_exercise_page(state: web::Data<AppState>, staff: Staff) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let forms = staff.clone();
    shell::read_page(
        &state,
        &staff,
        CURRENT,
        move |_| actor.require(EDITORS),
        move |_, ()| {
            let values: HashMap<String, String> =
                [("category", "mobility"), ("phase", "1")].into_iter().map(|(k, v)| (k.into(), v.into())).collect();
            let body = html! {
                p { a href="/console/exercises" { "← The library" } }
                (exercise_form(&forms, "/console/exercises", &values, &[], true))
            };
            ("New exercise".to_string(), body)
        },
    )
    .await
}

async fn refused_form(
    state: &AppState,
    staff: &StaffSession,
    title: &str,
    action: &str,
    form: &HashMap<String, String>,
    errors: &[FieldError],
    creating: bool,
) -> HttpResponse {
    match db::run(&state.pool, |conn| Ok(db::clinic::settings(conn)?)).await {
        Ok(clinic) => {
            let body = html! {
                p { a href="/console/exercises" { "← The library" } }
                (exercise_form(staff, action, form, errors, creating))
            };
            shell::show(StatusCode::UNPROCESSABLE_ENTITY, &clinic, staff, CURRENT, title, body)
        }
        Err(err) => refused(state, staff, err).await,
    }
}

#[post("/console/exercises")]
pub async fn create_exercise(
    state: web::Data<AppState>,
    meta: Origin,
    posted: Posted<HashMap<String, String>>,
) -> HttpResponse {
    let Posted { staff, form } = posted;
    let actor = staff.actor.clone();
    let (edit, mine) = edit_of(&form, true);
    let created = match (actor.require(EDITORS), edit.new_exercise()) {
        (Err(err), _) => Err(err),
        (Ok(()), Ok(row)) if mine.is_empty() => {
            db::transaction(&state.pool, move |conn| exercises::create(conn, &actor, &meta, row)).await.map(|_| ())
        }
        (Ok(()), Ok(_)) => Err(ApiError::Validation(Vec::new())),
        (Ok(()), Err(err)) => Err(err),
    };
    match created {
        Ok(()) => see_other("/console/exercises?done=created"),
        Err(err) => match merged(mine, err, "slug") {
            Ok(errors) => {
                refused_form(&state, &staff, "New exercise", "/console/exercises", &form, &errors, true).await
            }
            Err(err) => refused(&state, &staff, err).await,
        },
    }
}

#[get("/console/exercises/{id}")]
pub async fn exercise_page(state: web::Data<AppState>, staff: Staff, path: web::Path<String>) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let forms = staff.clone();
    let id = path.into_inner();
    shell::read_page(
        &state,
        &staff,
        CURRENT,
        move |conn| {
            actor.require(EDITORS)?;
            library::find(conn, &id)?.ok_or(ApiError::NotFound)
        },
        move |_, row| {
            let action = format!("/console/exercises/{}", row.id);
            let body = html! {
                p { a href="/console/exercises" { "← The library" } }
                @if row.archived { p.notice { "Archived: not offered for new programs." } }
                (exercise_form(&forms, &action, &values_of(&row), &[], false))
                @if !row.archived {
                    form method="post" action=(action) {
                        (csrf(&forms))
                        input type="hidden" name="action" value="archive";
                        p.hint { "Archiving takes it out of the choice for new programs; programs that use it keep it." }
                        button.danger type="submit" { "Archive this exercise" }
                    }
                }
            };
            (row.name.clone(), body)
        },
    )
    .await
}

#[post("/console/exercises/{id}")]
pub async fn change_exercise(
    state: web::Data<AppState>,
    meta: Origin,
    path: web::Path<String>,
    posted: Posted<HashMap<String, String>>,
) -> HttpResponse {
    let Posted { staff, form } = posted;
    let actor = staff.actor.clone();
    let id = path.into_inner();
    let archive = form.get("action").map(String::as_str) == Some("archive");
    let (edit, mine) = edit_of(&form, false);
    let target = id.clone();
    let changed = if archive {
        db::transaction(&state.pool, move |conn| {
            actor.require(EDITORS)?;
            exercises::change(conn, &actor, &meta, &target, "exercise.archive", exercises::archive).map(|_| ())
        })
        .await
    } else if mine.is_empty() {
        let change = edit.into_change();
        db::transaction(&state.pool, move |conn| {
            actor.require(EDITORS)?;
            exercises::change(conn, &actor, &meta, &target, "exercise.update", change).map(|_| ())
        })
        .await
    } else {
        Err(ApiError::Validation(Vec::new()))
    };
    match changed {
        Ok(()) => see_other(&format!("/console/exercises?done={}", if archive { "archived" } else { "saved" })),
        Err(err) => match merged(mine, err, "slug") {
            Ok(errors) => {
                let action = format!("/console/exercises/{id}");
                let title = form.get("name").cloned().unwrap_or_else(|| "Exercise".into());
                refused_form(&state, &staff, &title, &action, &form, &errors, false).await
            }
            Err(err) => refused(&state, &staff, err).await,
        },
    }
}
