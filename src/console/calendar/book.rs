//! Booking at the desk: the patient → the appointment type → a clinician or anyone → the free
//! starts of the week from that day → confirm. A first evaluation asks the red-flag questions;
//! a positive answer shows its advice at once on the booked appointment's page. Each step is a
//! plain form (keyboard and no script), and the booking is `calendar::booking_request::book`,
//! as `POST /v1/appointments` makes it.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use maud::{html, Markup};
use serde::Deserialize;

use super::{any_free, time_choices};
use crate::accounts::console_sessions::StaffSession;
use crate::accounts::patients;
use crate::calendar::availability::{self, Clinician, ClinicianSlots};
use crate::calendar::booking_request::{self, Asked};
use crate::calendar::notices::Notices;
use crate::console::calendar::booking_for::BookingFor;
use crate::console::layout::notice;
use crate::console::links::see_other;
use crate::console::patients::search_form;
use crate::console::session::{Posted, Staff};
use crate::console::shell::{self, csrf};
use crate::db::audit::Origin;
use crate::db::clinic::{self, AppointmentTypeRow};
use crate::db::users::UserRow;
use crate::db::{self, now};
use crate::domain::local_time::{instant_or_next, local};
use crate::domain::red_flags::{self, Screening, QUESTIONS};
use crate::domain::role::Role;
use crate::domain::slots::Interval;
use crate::error::fields::free_text;
use crate::error::ApiError;
use crate::state::AppState;

/// Who may book from the console: everyone at the clinic.
const BOOKERS: &[Role] = &[Role::FrontDesk, Role::Clinician, Role::Admin];

#[derive(Debug, Default, Clone, Deserialize)]
pub struct Choice {
    patient_id: Option<String>,
    appointment_type: Option<String>,
    clinician_id: Option<String>,
    date: Option<NaiveDate>,
}

struct Shown {
    patient: Option<UserRow>,
    types: Vec<AppointmentTypeRow>,
    clinicians: Vec<Clinician>,
    offered: Option<(AppointmentTypeRow, Vec<ClinicianSlots>)>,
    date: NaiveDate,
}

fn read(conn: &mut db::DbConnection, staff: &StaffSession, meta: &Origin, choice: &Choice) -> Result<Shown, ApiError> {
    let actor = &staff.actor;
    actor.require(BOOKERS)?;
    let settings = clinic::settings(conn)?;
    let zone = settings.zone();
    let date = choice.date.unwrap_or_else(|| local(zone, Utc::now()).date());
    let patient = match choice.patient_id.as_deref().filter(|p| !p.is_empty()) {
        Some(id) => Some(patients::read(conn, actor, meta, id)?.ok_or(ApiError::NotFound)?),
        None => None,
    };
    let types = clinic::types(conn, false)?;
    let clinicians = availability::clinicians(conn, None, None)?;
    let offered = match (&patient, choice.appointment_type.as_deref().filter(|t| !t.is_empty())) {
        (Some(_), Some(kind)) => {
            let from = instant_or_next(zone, date.and_hms_opt(0, 0, 0).unwrap_or_default());
            let to = instant_or_next(zone, (date + Duration::days(7)).and_hms_opt(0, 0, 0).unwrap_or_default());
            let asked = choice.clinician_id.as_deref().filter(|c| !c.is_empty());
            let found = availability::offered(conn, actor, kind, Interval::new(from, to), asked, Utc::now())?;
            Some((found.appointment_type, found.clinicians))
        }
        _ => None,
    };
    Ok(Shown { patient, types, clinicians, offered, date })
}

fn choose(choice: &Choice, shown: &Shown) -> Markup {
    let patient_id = choice.patient_id.clone().unwrap_or_default();
    html! {
        form.panel method="get" action="/console/book" {
            input type="hidden" name="patient_id" value=(patient_id);
            label for="appointment_type" { "Appointment type" }
            select id="appointment_type" name="appointment_type" required {
                option value="" { "Choose…" }
                @for t in &shown.types {
                    option value=(t.code) selected[choice.appointment_type.as_deref() == Some(t.code.as_str())] {
                        (t.name) " (" (t.duration_minutes) " min)"
                    }
                }
            }
            label for="clinician_id" { "Clinician" }
            select id="clinician_id" name="clinician_id" {
                option value="" { "Anyone" }
                @for c in &shown.clinicians {
                    option value=(c.id) selected[choice.clinician_id.as_deref() == Some(c.id.as_str())] { (c.full_name) }
                }
            }
            label for="date" { "From" }
            input type="date" id="date" name="date" value=(shown.date);
            p.hint { "Free times for 7 days from this day." }
            button type="submit" { "Show free times" }
        }
    }
}

fn times(
    staff: &StaffSession,
    zone: chrono_tz::Tz,
    patient: &UserRow,
    kind: &AppointmentTypeRow,
    found: &[ClinicianSlots],
) -> Markup {
    let screened = red_flags::screened_at_booking(&kind.code);
    html! {
        @if !any_free(found) {
            p.notice { "No free time for " (kind.name) " in these 7 days. Try a later date or another clinician, or add the patient to the waitlist." }
        } @else {
            form method="post" action="/console/book" {
                (csrf(staff))
                input type="hidden" name="patient_id" value=(patient.id);
                input type="hidden" name="appointment_type" value=(kind.code);
                (time_choices(zone, &format!("Free times for {}", kind.name), found))
                label for="reason" { "Reason for the visit " span.hint { "(optional)" } }
                textarea id="reason" name="reason" rows="2" maxlength="1000" {}
                @if screened {
                    fieldset.flags {
                        legend { "Ask the patient: do they have any of these now?" }
                        p.hint { "Tick each one they say yes to. A yes shows what to tell them as soon as you book." }
                        @for q in &QUESTIONS {
                            div.check {
                                input type="checkbox" id={ "flag_" (q.id) } name={ "flag_" (q.id) } value="1";
                                label for={ "flag_" (q.id) } { (q.text) }
                            }
                        }
                    }
                }
                button type="submit" { "Book for " (patient.full_name) }
            }
        }
    }
}

async fn book_view(
    state: &AppState,
    staff: StaffSession,
    meta: Origin,
    choice: Choice,
    message: Option<Markup>,
    status: StatusCode,
) -> HttpResponse {
    let reader = staff.clone();
    let wanted = choice.clone();
    let read = db::run(&state.pool, move |conn| {
        let settings = clinic::settings(conn)?;
        Ok((settings, read(conn, &reader, &meta, &wanted)))
    })
    .await;
    let (settings, shown) = match read {
        Ok(found) => found,
        Err(err) => return shell::refused(state, &staff, err).await,
    };
    let shown = match shown {
        Ok(shown) => shown,
        Err(err) => return shell::failure(&settings, &staff, err),
    };
    let zone = settings.zone();
    let body = html! {
        @if let Some(message) = message { (message) }
        @match &shown.patient {
            None => {
                p { "Find the patient first; choosing their name goes on to the booking." }
                (search_form("", &[], &BookingFor::new(choice.clinician_id.clone(), choice.date.map(|d| d.to_string()))))
            }
            Some(patient) => {
                p { "Booking for " strong { a href={ "/console/patients/" (patient.id) } { (patient.full_name) } }
                    @if let Some(dob) = patient.date_of_birth { " (born " (dob) ")" } }
                (choose(&choice, &shown))
                @if let Some((kind, found)) = &shown.offered { (times(&staff, zone, patient, kind, found)) }
            }
        }
    };
    shell::show(status, &settings, &staff, "/console/book", "Book an appointment", body)
}

#[get("/console/book")]
pub async fn book_page(
    state: web::Data<AppState>,
    staff: Staff,
    meta: Origin,
    choice: web::Query<Choice>,
) -> HttpResponse {
    book_view(&state, staff.0, meta, choice.into_inner(), None, StatusCode::OK).await
}

#[post("/console/book")]
pub async fn book_submit(
    state: web::Data<AppState>,
    meta: Origin,
    posted: Posted<HashMap<String, String>>,
) -> HttpResponse {
    let Posted { staff, form } = posted;
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default().to_string();
    let choice = Choice {
        patient_id: Some(field("patient_id")),
        appointment_type: Some(field("appointment_type")),
        clinician_id: None,
        date: None,
    };
    let slot = field("slot");
    let Some((clinician_id, start)) = slot
        .split_once(' ')
        .and_then(|(c, s)| Some((c.to_string(), DateTime::parse_from_rfc3339(s).ok()?.with_timezone(&Utc))))
    else {
        let message = notice("bad", "Choose one of the free times, then book.");
        return book_view(&state, staff, meta, choice, Some(message), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let answers: BTreeMap<String, bool> =
        QUESTIONS.iter().map(|q| (q.id.to_string(), form.contains_key(&format!("flag_{}", q.id)))).collect();
    let screening = Screening::parse(&answers).unwrap_or_default();
    let severity = screening.severity();
    let reason = free_text("reason", Some(field("reason").as_str()).filter(|r| !r.trim().is_empty()), 1000);
    let notices = Notices::from_config(&state.config);
    let actor = staff.actor.clone();
    let booked = match reason {
        Ok(reason) => {
            let (meta, choice) = (meta.clone(), choice.clone());
            db::transaction(&state.pool, move |conn| {
                actor.require(BOOKERS)?;
                let asked = Asked {
                    appointment_type: choice.appointment_type.as_deref().unwrap_or_default(),
                    start,
                    clinician_id: Some(&clinician_id),
                    patient_id: choice.patient_id.as_deref(),
                    reason,
                    override_reason: None,
                    screening: &screening,
                };
                booking_request::book(conn, &notices, &actor, &meta, now(), asked)
            })
            .await
        }
        Err(err) => Err(err),
    };
    match booked {
        Ok(row) => {
            let flag = severity.map(|s| format!("&flag={}", s.as_str())).unwrap_or_default();
            see_other(&format!("/console/appointments/{}?booked=1{flag}", row.id))
        }
        Err(err @ ApiError::Validation(_)) => {
            let text = shell::refusal_text(&err);
            let message = notice("bad", &format!("Not booked: {text}."));
            book_view(&state, staff, meta, choice, Some(message), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ApiError::Conflict { message, .. }) => {
            let message = notice("bad", &format!("Not booked: {message}. Choose another time."));
            book_view(&state, staff, meta, choice, Some(message), StatusCode::CONFLICT).await
        }
        Err(err) => shell::refused(&state, &staff, err).await,
    }
}
