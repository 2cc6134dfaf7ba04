//! Appointment types for admins: every type with its length, buffers, notice, horizon and
//! cut-offs; a new one; changing or archiving one. Checked by `calendar::type_fields`, saved by
//! `calendar::clinic`, as the `/v1/appointment-types` routes do.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use maud::{html, Markup};

use crate::accounts::console_sessions::StaffSession;
use crate::calendar::clinic::{self as calendar, TypeChange};
use crate::calendar::type_fields::AppointmentTypeFields;
use crate::console::layout::{error_for, merged, message, notice, number_input, typed_number};
use crate::console::links::see_other;
use crate::console::session::{Posted, Staff};
use crate::console::shell::{self, csrf, refused};
use crate::db::audit::Origin;
use crate::db::clinic::{self, AppointmentTypeRow};
use crate::db::{self, now};
use crate::domain::appointment::{MAX_BUFFER_MINUTES, MAX_DURATION_MINUTES};
use crate::domain::role::Role;
use crate::error::{ApiError, FieldError};
use crate::state::AppState;

const CURRENT: &str = "/console/settings";

/// The number fields, their labels and bounds (the same bounds `type_fields` checks).
const NUMBERS: [(&str, &str, (i64, i64)); 7] = [
    ("duration_minutes", "Length (minutes)", (5, MAX_DURATION_MINUTES)),
    ("buffer_before_minutes", "Free time kept before (minutes)", (0, MAX_BUFFER_MINUTES)),
    ("buffer_after_minutes", "Free time kept after (minutes)", (0, MAX_BUFFER_MINUTES)),
    ("min_notice_hours", "Booked at least this many hours ahead", (0, 720)),
    ("horizon_days", "Booked at most this many days ahead", (1, 730)),
    ("cancel_cutoff_hours", "Cancelling later than this many hours before is late", (0, 720)),
    ("reschedule_cutoff_hours", "Moved by the patient up to this many hours before", (0, 720)),
];

fn values_of(row: &AppointmentTypeRow) -> HashMap<String, String> {
    let mut values: HashMap<String, String> = [
        ("code", row.code.clone()),
        ("name", row.name.clone()),
        ("duration_minutes", row.duration_minutes.to_string()),
        ("buffer_before_minutes", row.buffer_before_minutes.to_string()),
        ("buffer_after_minutes", row.buffer_after_minutes.to_string()),
        ("min_notice_hours", row.min_notice_hours.to_string()),
        ("horizon_days", row.horizon_days.to_string()),
        ("cancel_cutoff_hours", row.cancel_cutoff_hours.to_string()),
        ("reschedule_cutoff_hours", row.reschedule_cutoff_hours.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if row.patient_bookable {
        values.insert("patient_bookable".into(), "1".into());
    }
    values
}

/// The form as the routes' fields (every field present: a form always sends the whole type),
/// and the messages for what is not even a number.
fn fields_of(form: &HashMap<String, String>, creating: bool) -> (AppointmentTypeFields, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut number = |key: &str| typed_number(form, key, &mut errors);
    let fields = AppointmentTypeFields {
        code: creating.then(|| form.get("code").map(|c| c.trim().to_string()).unwrap_or_default()),
        name: Some(form.get("name").cloned().unwrap_or_default()),
        duration_minutes: number("duration_minutes"),
        buffer_before_minutes: number("buffer_before_minutes"),
        buffer_after_minutes: number("buffer_after_minutes"),
        patient_bookable: Some(form.contains_key("patient_bookable")),
        min_notice_hours: number("min_notice_hours"),
        horizon_days: number("horizon_days"),
        cancel_cutoff_hours: number("cancel_cutoff_hours"),
        reschedule_cutoff_hours: number("reschedule_cutoff_hours"),
    };
    (fields, errors)
}

fn type_form(
    staff: &StaffSession,
    action: &str,
    values: &HashMap<String, String>,
    errors: &[FieldError],
    creating: bool,
) -> Markup {
    let value = |k: &str| values.get(k).cloned().unwrap_or_default();
    html! {
        form.panel method="post" action=(action) {
            (csrf(staff))
            @if creating {
                label for="code" { "Code" }
                input type="text" id="code" name="code" value=(value("code")) required pattern="[a-z0-9_]{2,50}"
                    aria-describedby="code-hint" aria-invalid=[error_for(errors, "code").map(|_| "true")];
                p.hint id="code-hint" { "2 to 50 lower-case letters, digits or _, e.g. follow_up. Fixed once created." }
                (message(errors, "code"))
            }
            label for="name" { "Name" }
            input type="text" id="name" name="name" value=(value("name")) required maxlength="120"
                aria-invalid=[error_for(errors, "name").map(|_| "true")];
            (message(errors, "name"))
            @for (field, label, bounds) in &NUMBERS {
                (number_input(values, errors, field, label, *bounds))
            }
            div.check {
                input type="checkbox" id="patient_bookable" name="patient_bookable" value="1" checked[values.contains_key("patient_bookable")];
                label for="patient_bookable" { "Patients may book it themselves in the app" }
            }
            input type="hidden" name="action" value="save";
            button type="submit" { @if creating { "Create the type" } @else { "Save" } }
        }
    }
}

fn list(rows: &[AppointmentTypeRow]) -> Markup {
    html! {
        div.scroll {
            table {
                thead { tr { th { "Type" } th { "Length" } th { "Buffers" } th { "Notice / horizon" } th { "Late cancel / move" } th { "In the app" } } }
                tbody {
                    @for t in rows {
                        tr {
                            td { a href={ "/console/types/" (t.id) } { (t.name) } br; span.hint { code { (t.code) } @if t.archived { " · archived" } } }
                            td { (t.duration_minutes) " min" }
                            td { (t.buffer_before_minutes) " / " (t.buffer_after_minutes) " min" }
                            td { (t.min_notice_hours) " h / " (t.horizon_days) " days" }
                            td { (t.cancel_cutoff_hours) " h / " (t.reschedule_cutoff_hours) " h" }
                            td { (if t.patient_bookable { "Yes" } else { "No" }) }
                        }
                    }
                }
            }
        }
    }
}

fn listing(
    staff: &StaffSession,
    rows: &[AppointmentTypeRow],
    values: &HashMap<String, String>,
    errors: &[FieldError],
    done: Option<&str>,
) -> Markup {
    html! {
        p { a href="/console/settings" { "Clinic settings" } " · " strong { "Appointment types" } " · " a href="/console/rules" { "Clinical rules" } }
        @match done {
            Some("created") => (notice("good", "Created. It can be booked at once.")),
            Some("saved") => (notice("good", "Saved. New bookings follow it; booked visits keep their times.")),
            Some("archived") => (notice("good", "Archived: it can no longer be booked; booked visits stay.")),
            _ => {}
        }
        (list(rows))
        h2 { "New appointment type" }
        (type_form(staff, "/console/types", values, errors, true))
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

#[get("/console/types")]
pub async fn types_page(state: web::Data<AppState>, staff: Staff, query: web::Query<DoneQuery>) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let forms = staff.clone();
    let done = query.into_inner().done;
    shell::read_page(
        &state,
        &staff,
        CURRENT,
        move |conn| {
            actor.require(&[Role::Admin])?;
            Ok(clinic::types(conn, true)?)
        },
        move |_, rows| {
            let defaults: HashMap<String, String> = [
                ("horizon_days", "90"),
                ("min_notice_hours", "2"),
                ("cancel_cutoff_hours", "24"),
                ("reschedule_cutoff_hours", "24"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
            ("Appointment types".to_string(), listing(&forms, &rows, &defaults, &[], done.as_deref()))
        },
    )
    .await
}

#[post("/console/types")]
pub async fn create_type(
    state: web::Data<AppState>,
    meta: Origin,
    posted: Posted<HashMap<String, String>>,
) -> HttpResponse {
    let Posted { staff, form } = posted;
    let actor = staff.actor.clone();
    let (fields, mine) = fields_of(&form, true);
    let created = match (actor.require(&[Role::Admin]), fields.new_type(now())) {
        (Err(err), _) => Err(err),
        (Ok(()), Ok(row)) if mine.is_empty() => {
            db::transaction(&state.pool, move |conn| calendar::create_type(conn, &actor, &meta, row)).await.map(|_| ())
        }
        (Ok(()), Ok(_)) => Err(ApiError::Validation(Vec::new())),
        (Ok(()), Err(err)) => Err(err),
    };
    let errors = match created {
        Ok(()) => return see_other("/console/types?done=created"),
        Err(err) => match merged(mine, err, "code") {
            Ok(errors) => errors,
            Err(err) => return refused(&state, &staff, err).await,
        },
    };
    let read = db::run(&state.pool, |conn| Ok((clinic::settings(conn)?, clinic::types(conn, true)?))).await;
    match read {
        Ok((clinic, rows)) => {
            let body = listing(&staff, &rows, &form, &errors, None);
            shell::show(StatusCode::UNPROCESSABLE_ENTITY, &clinic, &staff, CURRENT, "Appointment types", body)
        }
        Err(err) => refused(&state, &staff, err).await,
    }
}

fn edit_page(
    staff: &StaffSession,
    row: &AppointmentTypeRow,
    values: &HashMap<String, String>,
    errors: &[FieldError],
) -> Markup {
    let action = format!("/console/types/{}", row.id);
    html! {
        p { a href="/console/types" { "← Appointment types" } }
        @if !errors.is_empty() { (notice("bad", "Not saved: see the messages next to the fields below.")) }
        p.hint { "Code " code { (row.code) } @if row.archived { " · archived: it can no longer be booked" } }
        (type_form(staff, &action, values, errors, false))
        @if !row.archived {
            form method="post" action=(action) {
                (csrf(staff))
                input type="hidden" name="action" value="archive";
                p.hint { "Archiving takes it out of booking and of the app; visits already booked stay." }
                button.danger type="submit" { "Archive this type" }
            }
        }
    }
}

#[get("/console/types/{id}")]
pub async fn type_page(state: web::Data<AppState>, staff: Staff, path: web::Path<String>) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let forms = staff.clone();
    let id = path.into_inner();
    shell::read_page(
        &state,
        &staff,
        CURRENT,
        move |conn| {
            actor.require(&[Role::Admin])?;
            clinic::find_type(conn, &id)?.ok_or(ApiError::NotFound)
        },
        move |_, row| (row.name.clone(), edit_page(&forms, &row, &values_of(&row), &[])),
    )
    .await
}

#[post("/console/types/{id}")]
pub async fn change_type(
    state: web::Data<AppState>,
    meta: Origin,
    path: web::Path<String>,
    posted: Posted<HashMap<String, String>>,
) -> HttpResponse {
    let Posted { staff, form } = posted;
    let actor = staff.actor.clone();
    let id = path.into_inner();
    let archive = form.get("action").map(String::as_str) == Some("archive");
    let (fields, mine) = fields_of(&form, false);
    let target = id.clone();
    let origin = meta.clone();
    let changed = if archive {
        db::transaction(&state.pool, move |conn| {
            actor.require(&[Role::Admin])?;
            calendar::archive_type(conn, &actor, &origin, &target, now()).map(|_| ())
        })
        .await
    } else if mine.is_empty() {
        let edit = fields.edit();
        db::transaction(&state.pool, move |conn| {
            actor.require(&[Role::Admin])?;
            calendar::change_type(conn, &actor, &origin, &target, TypeChange::Update, edit, now()).map(|_| ())
        })
        .await
    } else {
        Err(ApiError::Validation(Vec::new()))
    };
    let errors = match changed {
        Ok(()) => return see_other(&format!("/console/types?done={}", if archive { "archived" } else { "saved" })),
        Err(err) => match merged(mine, err, "code") {
            Ok(errors) => errors,
            Err(err) => return refused(&state, &staff, err).await,
        },
    };
    let read = db::run(&state.pool, move |conn| Ok((clinic::settings(conn)?, clinic::find_type(conn, &id)?))).await;
    match read {
        Ok((clinic, Some(row))) => {
            let body = edit_page(&staff, &row, &form, &errors);
            shell::show(StatusCode::UNPROCESSABLE_ENTITY, &clinic, &staff, CURRENT, &row.name, body)
        }
        Ok((_, None)) => refused(&state, &staff, ApiError::NotFound).await,
        Err(err) => refused(&state, &staff, err).await,
    }
}
