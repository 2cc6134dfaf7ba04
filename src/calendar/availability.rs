//! Free slots per clinician: loads hours, exceptions and bookings, and hands them to
//! [`crate::domain::slots`].

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::hours::Hours;
use super::{to_naive, to_utc};
use crate::auth::Actor;
use crate::db::appointments;
use crate::db::clinic::{self, AppointmentTypeRow, ClinicRow};
use crate::db::schema::users;
use crate::db::DbConnection;
use crate::domain::role::Role;
use crate::domain::slots::{self, Interval, Slot, SlotQuery};
use crate::error::ApiError;

#[derive(Debug, Clone)]
pub struct Clinician {
    pub id: String,
    pub full_name: String,
    pub title: Option<String>,
}

/// Active clinicians, optionally one of them, who offer `type_id` (or any type with `None`).
pub fn clinicians(conn: &mut DbConnection, only: Option<&str>, type_id: Option<&str>) -> QueryResult<Vec<Clinician>> {
    let mut query = users::table.filter(users::role.eq("clinician")).filter(users::active.eq(true)).into_boxed();
    if let Some(id) = only {
        query = query.filter(users::id.eq(id.to_string()));
    }
    let rows: Vec<(String, String, Option<String>)> = query
        .order((users::name_key.asc(), users::id.asc()))
        .select((users::id, users::full_name, users::title))
        .load(conn)?;
    let services = clinic::all_services(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(id, _, _)| {
            let offered: Vec<&String> = services.iter().filter(|(c, _)| c == id).map(|(_, t)| t).collect();
            type_id.is_none_or(|t| offered.is_empty() || offered.iter().any(|o| *o == t))
        })
        .map(|(id, full_name, title)| Clinician { id, full_name, title })
        .collect())
}

/// What is asked: a type, a window, maybe one clinician and the patient the slot is for.
pub struct Request<'a> {
    pub appointment_type: &'a AppointmentTypeRow,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub clinician_id: Option<&'a str>,
    pub patient_id: Option<&'a str>,
    /// Staff passing the type's notice and horizon (with a reason, audited by the caller).
    pub ignore_notice_and_horizon: bool,
    /// Leave out existing appointments (to ask "is this within working hours at all?").
    pub ignore_bookings: bool,
    pub now: DateTime<Utc>,
}

pub struct ClinicianSlots {
    pub clinician: Clinician,
    pub slots: Vec<Slot>,
}

pub fn free_slots(conn: &mut DbConnection, clinic: &ClinicRow, request: &Request) -> QueryResult<Vec<ClinicianSlots>> {
    let kind = request.appointment_type;
    let people = clinicians(conn, request.clinician_id, Some(&kind.id))?;
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = people.iter().map(|c| c.id.clone()).collect();
    let margin = Duration::days(1);
    let (from, to) = (to_naive(request.from - margin), to_naive(request.to + margin));
    let hours = Hours::load(conn, &ids, from, to)?;
    let blocks =
        if request.ignore_bookings { Vec::new() } else { appointments::clinician_blocks(conn, &ids, from, to)? };
    let patient_busy: Vec<Interval> = match (request.patient_id, request.ignore_bookings) {
        (Some(patient), false) => appointments::patient_times(conn, patient, from, to)?
            .into_iter()
            .map(|(s, e)| Interval::new(to_utc(s), to_utc(e)))
            .collect(),
        _ => Vec::new(),
    };
    let rules_of_type = kind.rules();
    let (earliest, latest) = if request.ignore_notice_and_horizon {
        (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC)
    } else {
        rules_of_type.window(request.now)
    };
    let query = SlotQuery {
        zone: clinic.zone(),
        granularity_minutes: clinic.slot_granularity_minutes.max(1) as u32,
        shape: kind.shape(),
        window: Interval::new(request.from, request.to),
        earliest_start: earliest,
        latest_start: latest,
    };
    Ok(people
        .into_iter()
        .map(|clinician| {
            let busy: Vec<Interval> = blocks
                .iter()
                .filter(|(c, _, _)| *c == clinician.id)
                .map(|(_, s, e)| Interval::new(to_utc(*s), to_utc(*e)))
                .collect();
            let working = hours.working(query.zone, &clinician.id, query.window);
            let slots = slots::free_slots(&query, &working, &busy, &patient_busy);
            ClinicianSlots { clinician, slots }
        })
        .collect())
}

/// The free starts a type offers `actor` within `window`: none of an archived type, nor for a
/// patient of one they may not book themselves.
pub struct Offered {
    pub appointment_type: AppointmentTypeRow,
    pub time_zone: String,
    pub clinicians: Vec<ClinicianSlots>,
}

pub fn offered(
    conn: &mut DbConnection,
    actor: &Actor,
    type_code: &str,
    window: Interval,
    clinician_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Offered, ApiError> {
    let clinic = clinic::settings(conn)?;
    let kind = super::booking_request::appointment_type(conn, type_code)?;
    let is_patient = actor.role == Role::Patient;
    let clinicians = if kind.archived || (is_patient && !kind.patient_bookable) {
        Vec::new()
    } else {
        let request = Request {
            appointment_type: &kind,
            from: window.start,
            to: window.end,
            clinician_id,
            patient_id: is_patient.then_some(actor.id.as_str()),
            ignore_notice_and_horizon: false,
            ignore_bookings: false,
            now,
        };
        free_slots(conn, &clinic, &request)?
    };
    Ok(Offered { appointment_type: kind, time_zone: clinic.time_zone, clinicians })
}
