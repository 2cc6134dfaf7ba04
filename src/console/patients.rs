//! Finding a patient (name, email, phone or date of birth), creating one during a phone call
//! with the app's invitation, and a patient's page with their appointments. The same services and
//! audit rows as `/v1/patients`.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

use super::calendar::booking_for::BookingFor;
use super::calendar::{status_label, when, Names};
use super::layout::{error_for, notice, Field};
use super::links::see_other;
use super::session::{Posted, Staff};
use super::shell::{self, csrf, refused};
use crate::accounts::console_sessions::StaffSession;
use crate::accounts::patients::{self, NewPatient, PatientAsTyped};
use crate::calendar::records;
use crate::db::appointments::AppointmentFilter;
use crate::db::audit::Origin;
use crate::db::users::NameCursor;
use crate::db::{self, now};
use crate::domain::patient_search;
use crate::domain::role::Role;
use crate::error::{ApiError, FieldError};
use crate::http::paging::{self, PageParams};
use crate::state::AppState;

const PAGE: i64 = 25;

#[derive(Debug, Deserialize)]
pub struct FindQuery {
    q: Option<String>,
    cursor: Option<String>,
    /// Set when the search is a booking's first step (the day sheet's "Book" in a clinician's
    /// column): the patient chosen goes on to the booking with this clinician and day.
    clinician_id: Option<String>,
    date: Option<String>,
}

pub fn search_form(q: &str, errors: &[FieldError], booking: &BookingFor) -> Markup {
    html! {
        form.search method="get" action="/console/patients" role="search" {
            (booking.hidden())
            label for="q" { "Find a patient" }
            input type="search" id="q" name="q" value=(q) autocomplete="off"
                aria-describedby="q-hint" aria-invalid=[error_for(errors, "q").map(|_| "true")];
            p.hint id="q-hint" { "Part of a name or email, a phone number, or a date of birth as YYYY-MM-DD." }
            @if let Some(e) = error_for(errors, "q") { p.error { (e) } }
            button type="submit" { "Find" }
        }
    }
}

#[get("/console/patients")]
pub async fn find_page(
    state: web::Data<AppState>,
    staff: Staff,
    meta: Origin,
    query: web::Query<FindQuery>,
) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let FindQuery { q, cursor, clinician_id, date } = query.into_inner();
    let booking = BookingFor::new(clinician_id, date);
    let q = q.unwrap_or_default();
    let typed = q.clone();
    let manages = actor.role.manages_patients();
    shell::read_page(
        &state,
        &staff,
        "/console/patients",
        move |conn| {
            if !actor.role.reads_patients() {
                return Err(ApiError::Forbidden);
            }
            let after = PageParams { limit: None, cursor }
                .cursor(2)?
                .map(|mut p| NameCursor { id: p.pop().unwrap_or_default(), name_key: p.pop().unwrap_or_default() });
            let terms = match patient_search::parse(Some(&typed)) {
                Ok(terms) => terms,
                Err(invalid) => return Ok(Err(vec![FieldError::new("q", invalid.code, invalid.message)])),
            };
            if terms.is_none() && after.is_none() {
                return Ok(Ok(None));
            }
            let rows = patients::list(conn, &actor, &meta, terms.as_ref(), after.as_ref(), PAGE)?;
            Ok(Ok(Some(paging::page(rows, PAGE, |r| paging::encode_cursor(&[&r.name_key, &r.id]), |r| r))))
        },
        move |_, found| {
            let (found, errors) = match found {
                Ok(found) => (found, Vec::new()),
                Err(errors) => (None, errors),
            };
            let body = html! {
                @if manages { p { a.button href="/console/patients/new" { "New patient" } } }
                @if booking.is_set() { p.notice { "Find the patient to book for, then choose their name." } }
                (search_form(&q, &errors, &booking))
                @match found {
                    None => { p.hint { "Type a name, phone number or date of birth to find a patient." } }
                    Some((rows, next)) => {
                        @if rows.is_empty() {
                            p.notice { "No patient matches “" (q) "”. Check the spelling, try the phone number, or create the patient." }
                        } @else {
                            div.scroll {
                                table {
                                    thead { tr { th { "Name" } th { "Date of birth" } th { "Phone" } th { "Email" } } }
                                    tbody {
                                        @for p in &rows {
                                            tr {
                                                td { a href=(booking.patient_link(&p.id)) { (p.full_name) } }
                                                td { (p.date_of_birth.map(|d| d.to_string()).unwrap_or_default()) }
                                                td { (p.phone.clone().unwrap_or_default()) }
                                                td { (p.email.clone().unwrap_or_default()) }
                                            }
                                        }
                                    }
                                }
                            }
                            @if let Some(next) = next {
                                p { a href={ "/console/patients?q=" (encode(&q)) "&cursor=" (next) (booking.query()) } { "Next page →" } }
                            }
                        }
                    }
                }
            };
            ("Patients".to_string(), body)
        },
    )
    .await
}

pub fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[derive(Debug, Default, Deserialize)]
pub struct PatientForm {
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    date_of_birth: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    invite: Option<String>,
    allow_duplicate: Option<String>,
}

fn new_form(staff: &StaffSession, form: &PatientForm, errors: &[FieldError], duplicate: bool) -> Markup {
    let name = Field {
        name: "full_name",
        label: "Full name",
        kind: "text",
        value: &form.full_name,
        autocomplete: "off",
        hint: None,
    };
    let dob = Field {
        name: "date_of_birth",
        label: "Date of birth",
        kind: "date",
        value: &form.date_of_birth,
        autocomplete: "off",
        hint: None,
    };
    html! {
        @if duplicate {
            (notice("bad", "A patient with this name and date of birth already exists. Search for them first; if this is someone else, tick “This is a different person” and save again."))
        }
        div.panel {
            form method="post" action="/console/patients/new" {
                (csrf(staff))
                (name.render(errors))
                (dob.render(errors))
                (optional("phone", "Phone", "tel", &form.phone, errors))
                (optional("email", "Email address", "email", &form.email, errors))
                div.check {
                    input type="checkbox" id="invite" name="invite" value="1" checked[form.invite.is_some()];
                    label for="invite" { "Email them an invitation to the BackTrack app" }
                }
                @if duplicate {
                    div.check {
                        input type="checkbox" id="allow_duplicate" name="allow_duplicate" value="1";
                        label for="allow_duplicate" { "This is a different person with the same name and date of birth" }
                    }
                }
                button type="submit" { "Create patient" }
            }
        }
    }
}

/// An input that may stay empty.
fn optional(name: &str, label: &str, kind: &str, value: &str, errors: &[FieldError]) -> Markup {
    let error = error_for(errors, name);
    html! {
        label for=(name) { (label) " " span.hint { "(optional)" } }
        input type=(kind) id=(name) name=(name) value=(value) autocomplete="off"
            aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| format!("{name}-error"))];
        @if let Some(error) = error { p.error id={ (name) "-error" } { (error) } }
    }
}

#[get("/console/patients/new")]
pub async fn new_page(state: web::Data<AppState>, staff: Staff) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let shown = staff.clone();
    shell::read_page(
        &state,
        &staff,
        "/console/patients",
        move |_| if actor.role.manages_patients() { Ok(()) } else { Err(ApiError::Forbidden) },
        move |_, ()| {
            (
                "New patient".into(),
                new_form(&shown, &PatientForm { invite: Some("1".into()), ..Default::default() }, &[], false),
            )
        },
    )
    .await
}

fn blank(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

#[post("/console/patients/new")]
pub async fn create(state: web::Data<AppState>, meta: Origin, posted: Posted<PatientForm>) -> HttpResponse {
    let Posted { staff, form } = posted;
    let actor = staff.actor.clone();
    let typed = PatientAsTyped {
        full_name: &form.full_name,
        date_of_birth: NaiveDate::parse_from_str(form.date_of_birth.trim(), "%Y-%m-%d").ok(),
        email: blank(&form.email),
        phone: blank(&form.phone),
        time_zone: None,
        invite: form.invite.is_some(),
        allow_duplicate: form.allow_duplicate.is_some(),
    };
    let checked = if actor.role.manages_patients() {
        NewPatient::check(typed, &state.config.default_time_zone, now().date())
    } else {
        Err(ApiError::Forbidden)
    };
    let public_url = state.config.public_url.clone();
    let created = match checked {
        Ok(new) => {
            db::transaction(&state.pool, move |conn| patients::create(conn, &actor, &meta, &public_url, new, now()))
                .await
        }
        Err(err) => Err(err),
    };
    match created {
        Ok(row) => see_other(&format!(
            "/console/patients/{}?created=1{}",
            row.id,
            if form.invite.is_some() { "&invited=1" } else { "" }
        )),
        Err(err) => {
            let (errors, duplicate) = match &err {
                ApiError::Validation(errors) => (errors.clone(), false),
                ApiError::Conflict { code: crate::error::ProblemCode::PossibleDuplicate, .. } => (Vec::new(), true),
                ApiError::Conflict { code: crate::error::ProblemCode::EmailTaken, message } => {
                    (vec![FieldError::new("email", "email_taken", message.clone())], false)
                }
                _ => return refused(&state, &staff, err).await,
            };
            let body = new_form(&staff, &form, &errors, duplicate);
            let clinic = db::run(&state.pool, |conn| Ok(db::clinic::settings(conn)?)).await;
            match clinic {
                Ok(clinic) => shell::show(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &clinic,
                    &staff,
                    "/console/patients",
                    "New patient",
                    body,
                ),
                Err(err) => refused(&state, &staff, err).await,
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ShownQuery {
    created: Option<String>,
    invited: Option<String>,
}

#[get("/console/patients/{id}")]
pub async fn patient_page(
    state: web::Data<AppState>,
    staff: Staff,
    meta: Origin,
    path: web::Path<String>,
    query: web::Query<ShownQuery>,
) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let id = path.into_inner();
    let role = actor.role;
    shell::read_page(
        &state,
        &staff,
        "/console/patients",
        move |conn| {
            let patient = patients::read(conn, &actor, &meta, &id)?.ok_or(ApiError::NotFound)?;
            let filter = AppointmentFilter { patient_id: Some(id.clone()), from: Some(now() - chrono::Duration::days(30)), ..Default::default() };
            let rows = records::page(conn, &actor, &meta, &filter, None, 50)?;
            let names = Names::of(conn, &rows)?;
            Ok((patient, rows, names))
        },
        move |clinic, (patient, rows, names)| {
            let zone = clinic.zone();
            let body = html! {
                @if query.created.is_some() {
                    (notice("good", if query.invited.is_some() { "Patient created. The app invitation is on its way to their email." } else { "Patient created." }))
                }
                div.panel {
                    dl {
                        dt { "Date of birth" } dd { (patient.date_of_birth.map(|d| d.to_string()).unwrap_or_default()) }
                        dt { "Phone" } dd { (patient.phone.clone().unwrap_or_else(|| "—".into())) }
                        dt { "Email" } dd { (patient.email.clone().unwrap_or_else(|| "—".into())) }
                        dt { "Uses the app" } dd { (if patient.password_hash.is_some() { "Yes" } else { "Not yet" }) }
                    }
                    p.actions {
                        @if role.manages_patients() || role == Role::Clinician {
                            a.button href={ "/console/book?patient_id=" (patient.id) } { "Book an appointment" }
                            " " a.button href={ "/console/waitlist?patient_id=" (patient.id) } { "Add to the waitlist" }
                        }
                        @if matches!(role, Role::Clinician | Role::Admin) {
                            " " a.button href={ "/console/patients/" (patient.id) "/record" } { "Clinical record" }
                            " " a.button href={ "/console/patients/" (patient.id) "/program" } { "Home program" }
                        }
                    }
                }
                h2 { "Appointments" }
                @if rows.is_empty() {
                    p.hint { "No appointments in the last 30 days or ahead." }
                } @else {
                    ul.list {
                        @for a in rows.iter().take(50) {
                            li {
                                a href={ "/console/appointments/" (a.id) } { (when(zone, a.starts_at.and_utc())) }
                                " · " (names.kind(&a.appointment_type_id)) " with " (names.person(&a.clinician_id))
                                " · " (status_label(&a.status))
                            }
                        }
                    }
                }
            };
            (patient.full_name.clone(), body)
        },
    )
    .await
}
