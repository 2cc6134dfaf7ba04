//! Booking, moving, cancelling and the status changes of an appointment. Each runs inside the
//! caller's write transaction and leaves a history event, an audit row and its emails. Overlaps
//! are the database's call: a refused write becomes `409 slot_taken`.

use chrono::{DateTime, Utc};
use diesel::Connection;

use super::authorization_guard;
use super::availability::{self, Request};
use super::notices::{self, Notices};
use super::waitlist;
use super::{to_naive, to_utc};
use crate::auth::Actor;
use crate::db::appointments::{self, AppointmentRow, EventRow};
use crate::db::audit::{AuditEntry, Origin};
use crate::db::clinic::{AppointmentTypeRow, ClinicRow};
use crate::db::users::UserRow;
use crate::db::{new_id, DbConnection};
use crate::domain::appointment::{Refusal, Status};
use crate::domain::role::Role;
use crate::error::{ApiError, ProblemCode};

/// What every change needs besides the appointment: the clinic, where emails link, who acts, for
/// which request (history and audit), and when.
pub struct Context<'a> {
    pub clinic: &'a ClinicRow,
    pub notices: &'a Notices,
    pub actor: &'a Actor,
    pub origin: &'a Origin,
    pub now: DateTime<Utc>,
}

impl Context<'_> {
    fn is_patient(&self) -> bool {
        self.actor.role == Role::Patient
    }

    fn audit(&self, action: &str, appointment: &AppointmentRow) -> AuditEntry {
        AuditEntry::new(action, self.origin)
            .actor(&self.actor.id, self.actor.role)
            .patient(&appointment.patient_id)
            .target(&appointment.id)
    }
}

pub struct NewBooking<'a> {
    pub appointment_type: &'a AppointmentTypeRow,
    pub start: DateTime<Utc>,
    pub clinician_id: Option<&'a str>,
    pub patient: &'a UserRow,
    pub reason: Option<String>,
    /// Staff only: why notice or horizon may be passed.
    pub override_reason: Option<String>,
    /// Taking a waitlist offer the clinic made: the type's self-booking and notice rules were the
    /// clinic's to waive when it offered the time.
    pub offered: bool,
    /// The visit series it is booked in.
    pub series_id: Option<&'a str>,
}

fn changed_meanwhile() -> ApiError {
    ApiError::conflict(ProblemCode::AppointmentChanged, "the appointment changed meanwhile; load it again and retry")
}

/// The time an appointment gave back.
fn freed(appointment: &AppointmentRow) -> crate::domain::slots::Interval {
    crate::domain::slots::Interval::new(to_utc(appointment.block_start), to_utc(appointment.block_end))
}

fn refusal(refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::TooSoon => ApiError::field("start", "too_soon", "this start is sooner than the minimum notice"),
        Refusal::TooFarAhead => ApiError::field("start", "too_far_ahead", "this start is beyond the booking horizon"),
        Refusal::InsideCutoff => ApiError::conflict(ProblemCode::InsideCutoff, "too close to the start"),
    }
}

fn inside_cutoff(clinic: &ClinicRow, what: &str) -> ApiError {
    let phone = if clinic.phone.is_empty() { String::new() } else { format!(" at {}", clinic.phone) };
    ApiError::conflict(
        ProblemCode::InsideCutoff,
        format!("it is too late to {what} this appointment in the app; please call the clinic{phone}"),
    )
}

fn slot_taken(err: diesel::result::Error) -> ApiError {
    if appointments::is_slot_taken(&err) {
        ApiError::conflict(ProblemCode::SlotTaken, "this time is no longer free")
    } else {
        err.into()
    }
}

/// Checks the start against notice and horizon: patients are held to them; staff may pass them
/// with a reason. Returns whether they were passed.
fn check_window(
    actor: &Actor,
    kind: &AppointmentTypeRow,
    start: DateTime<Utc>,
    override_reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    match kind.rules().check_start(now, start) {
        Ok(()) => Ok(false),
        Err(refused) if actor.role == Role::Patient || override_reason.is_none_or(|r| r.trim().is_empty()) => {
            if actor.role == Role::Patient {
                Err(refusal(refused))
            } else {
                Err(ApiError::field(
                    "override_reason",
                    "required",
                    "this start is outside the type's notice or horizon; give a reason to book it anyway",
                ))
            }
        }
        Err(_) => Ok(true),
    }
}

/// Who could see a patient at a start.
enum Opening {
    /// This clinician is free then.
    Free(String),
    /// Nobody is free, but this clinician works then (the one asked for, or the first).
    Busy(String),
    /// Nobody offering the type works then.
    Closed,
}

fn not_available() -> ApiError {
    ApiError::field("start", "not_available", "no clinician offering this type works at this time")
}

/// Who works at `start` for this type: the clinician asked for, or the first one free.
fn opening_at(
    conn: &mut DbConnection,
    clinic: &ClinicRow,
    kind: &AppointmentTypeRow,
    start: DateTime<Utc>,
    clinician_id: Option<&str>,
    patient_id: &str,
    now: DateTime<Utc>,
) -> Result<Opening, ApiError> {
    let ask = |ignore_bookings| Request {
        appointment_type: kind,
        from: start,
        to: start + chrono::Duration::minutes(1),
        clinician_id,
        patient_id: Some(patient_id),
        ignore_notice_and_horizon: true,
        ignore_bookings,
        now,
    };
    let at_start = |found: Vec<availability::ClinicianSlots>| {
        found.into_iter().find(|c| c.slots.iter().any(|s| s.start == start)).map(|c| c.clinician.id)
    };
    if let Some(id) = at_start(availability::free_slots(conn, clinic, &ask(false))?) {
        return Ok(Opening::Free(id));
    }
    Ok(match at_start(availability::free_slots(conn, clinic, &ask(true))?) {
        Some(id) => Opening::Busy(id),
        None => Opening::Closed,
    })
}

pub fn book(conn: &mut DbConnection, cx: &Context, booking: NewBooking) -> Result<AppointmentRow, ApiError> {
    let row = place(conn, cx, booking)?;
    notices::booked(conn, cx.clinic, cx.notices, &row, false, to_naive(cx.now))?;
    Ok(row)
}

/// Books one visit, with its history and audit rows, and tells nobody yet: [`book`] sends its
/// emails, a series sends one for all its visits.
pub fn place(conn: &mut DbConnection, cx: &Context, booking: NewBooking) -> Result<AppointmentRow, ApiError> {
    let (clinic, actor, now) = (cx.clinic, cx.actor, cx.now);
    let kind = booking.appointment_type;
    if kind.archived {
        return Err(ApiError::field("appointment_type", "archived", "this appointment type is no longer offered"));
    }
    if cx.is_patient() && !kind.patient_bookable && !booking.offered {
        return Err(ApiError::conflict(
            ProblemCode::NotPatientBookable,
            "please call the clinic to book this type of visit",
        ));
    }
    let passed = if booking.offered {
        false
    } else {
        check_window(actor, kind, booking.start, booking.override_reason.as_deref(), now)?
    };
    // Nobody free: taken (409) unless a clinician was asked for, whose insert the database
    // refuses; not a bookable time at all (422) if nobody works then.
    let clinician_id =
        match opening_at(conn, clinic, kind, booking.start, booking.clinician_id, &booking.patient.id, now)? {
            Opening::Free(id) => id,
            Opening::Busy(id) if booking.clinician_id.is_some() => id,
            Opening::Busy(_) => {
                return Err(ApiError::conflict(ProblemCode::SlotTaken, "no clinician is free at this time"))
            }
            Opening::Closed => return Err(not_available()),
        };
    let shape = kind.shape();
    let block = shape.block(booking.start);
    // A visit booked while the patient has an open episode belongs to it (its treatment days),
    // and counts against its authorizations.
    let episode_id = crate::db::episodes::open_of(conn, &booking.patient.id)?.map(|e| e.id);
    let authorized = match &episode_id {
        Some(id) => {
            let day = booking.start.with_timezone(&clinic.zone()).date_naive();
            let why = booking.override_reason.as_deref();
            authorization_guard::check(conn, actor, id, clinic.zone(), &[day], why, None)?
        }
        None => authorization_guard::Passed::Fits,
    };
    let row = AppointmentRow {
        id: new_id(),
        patient_id: booking.patient.id.clone(),
        clinician_id,
        appointment_type_id: kind.id.clone(),
        starts_at: to_naive(booking.start),
        ends_at: to_naive(booking.start + shape.duration),
        block_start: to_naive(block.start),
        block_end: to_naive(block.end),
        status: Status::Booked.as_str().into(),
        reason: booking.reason.filter(|r| !r.trim().is_empty()),
        late_cancellation: false,
        cancel_reason: None,
        sequence: 0,
        booked_by: Some(actor.id.clone()),
        created_at: to_naive(now),
        updated_at: to_naive(now),
        episode_id,
        series_id: booking.series_id.map(str::to_string),
    };
    conn.transaction(|conn| appointments::insert(conn, &row)).map_err(slot_taken)?;
    let mut event = EventRow::new(&row.id, &actor.id, "booked", to_naive(now));
    event.to_status = Some(row.status.clone());
    event.to_starts_at = Some(row.starts_at);
    event.to_clinician_id = Some(row.clinician_id.clone());
    event.detail =
        booking.override_reason.clone().filter(|_| passed).map(|r| format!("outside notice or horizon: {r}"));
    appointments::record(conn, &event)?;
    let mut audit = cx.audit("appointment.create", &row);
    let details: Vec<String> =
        [passed.then(|| "override_notice_or_horizon".to_string()), authorized.detail()].into_iter().flatten().collect();
    if !details.is_empty() {
        audit = audit.detail(details.join(","));
    }
    audit.write(conn)?;
    Ok(row)
}

pub fn reschedule(
    conn: &mut DbConnection,
    cx: &Context,
    current: &AppointmentRow,
    kind: &AppointmentTypeRow,
    start: DateTime<Utc>,
    clinician_id: Option<&str>,
    override_reason: Option<&str>,
) -> Result<AppointmentRow, ApiError> {
    let (clinic, actor, now) = (cx.clinic, cx.actor, cx.now);
    if current.status != Status::Booked.as_str() {
        return Err(ApiError::conflict(ProblemCode::InvalidTransition, "only a booked appointment can be moved"));
    }
    if cx.is_patient() {
        kind.rules().check_reschedule(now, to_utc(current.starts_at)).map_err(|_| inside_cutoff(clinic, "move"))?;
    }
    let passed = check_window(actor, kind, start, override_reason, now)?;
    // A visit of an episode moves only within its payer's authorization, counted without it.
    let authorized = match current.episode_id.as_deref() {
        Some(id) => {
            let day = [start.with_timezone(&clinic.zone()).date_naive()];
            authorization_guard::check(conn, actor, id, clinic.zone(), &day, override_reason, Some(&current.id))?
        }
        None => authorization_guard::Passed::Fits,
    };
    let clinician_id = clinician_id.unwrap_or(&current.clinician_id);
    // The appointment's own time counts as busy in that look-up; only the database decides.
    let chosen = match opening_at(conn, clinic, kind, start, Some(clinician_id), &current.patient_id, now)? {
        Opening::Free(id) | Opening::Busy(id) => id,
        Opening::Closed => return Err(not_available()),
    };
    let shape = kind.shape();
    let block = shape.block(start);
    let times = (to_naive(start), to_naive(start + shape.duration), to_naive(block.start), to_naive(block.end));
    if !conn
        .transaction(|conn| appointments::move_to(conn, current, &chosen, times, to_naive(now)))
        .map_err(slot_taken)?
    {
        return Err(changed_meanwhile());
    }
    let moved = appointments::find(conn, &current.id)?.ok_or(ApiError::NotFound)?;
    let mut event = EventRow::new(&moved.id, &actor.id, "rescheduled", to_naive(now));
    event.from_starts_at = Some(current.starts_at);
    event.to_starts_at = Some(moved.starts_at);
    event.from_clinician_id = Some(current.clinician_id.clone());
    event.to_clinician_id = Some(moved.clinician_id.clone());
    event.detail = override_reason.filter(|_| passed).map(|r| format!("outside notice or horizon: {r}"));
    appointments::record(conn, &event)?;
    let mut audit = cx.audit("appointment.reschedule", &moved);
    let details: Vec<String> =
        [passed.then(|| "override_notice_or_horizon".to_string()), authorized.detail()].into_iter().flatten().collect();
    if !details.is_empty() {
        audit = audit.detail(details.join(","));
    }
    audit.write(conn)?;
    notices::withdraw_reminders(conn, &moved.id, to_naive(now))?;
    notices::booked(conn, clinic, cx.notices, &moved, true, to_naive(now))?;
    waitlist::offer_freed_time(conn, clinic, cx.notices, &current.clinician_id, freed(current), now)?;
    Ok(moved)
}

pub fn cancel(
    conn: &mut DbConnection,
    cx: &Context,
    current: &AppointmentRow,
    kind: &AppointmentTypeRow,
    reason: Option<&str>,
) -> Result<AppointmentRow, ApiError> {
    let (clinic, actor, now) = (cx.clinic, cx.actor, cx.now);
    if current.status != Status::Booked.as_str() {
        return Err(ApiError::conflict(ProblemCode::InvalidTransition, "only a booked appointment can be cancelled"));
    }
    let late = kind.rules().is_late_cancellation(now, to_utc(current.starts_at));
    if late && cx.is_patient() {
        return Err(inside_cutoff(clinic, "cancel"));
    }
    if !appointments::mark_cancelled(conn, current, reason, late, to_naive(now))? {
        return Err(changed_meanwhile());
    }
    let cancelled = appointments::find(conn, &current.id)?.ok_or(ApiError::NotFound)?;
    let mut event = EventRow::new(&cancelled.id, &actor.id, "cancelled", to_naive(now));
    event.from_status = Some(current.status.clone());
    event.to_status = Some(cancelled.status.clone());
    event.detail = late.then(|| "late cancellation".to_string());
    appointments::record(conn, &event)?;
    let mut audit = cx.audit("appointment.cancel", &cancelled);
    if late {
        audit = audit.detail("late_cancellation");
    }
    audit.write(conn)?;
    notices::withdraw_reminders(conn, &cancelled.id, to_naive(now))?;
    notices::cancelled(conn, clinic, cx.notices, &cancelled, to_naive(now))?;
    waitlist::offer_freed_time(conn, clinic, cx.notices, &current.clinician_id, freed(current), now)?;
    Ok(cancelled)
}

/// arrive, no-show, complete: staff only; anything but the allowed moves is `409`.
pub fn transition(
    conn: &mut DbConnection,
    cx: &Context,
    current: &AppointmentRow,
    to: Status,
) -> Result<AppointmentRow, ApiError> {
    let (actor, now) = (cx.actor, cx.now);
    let from = Status::parse(&current.status).ok_or(ApiError::NotFound)?;
    if !from.can_become(to) || !appointments::set_status(conn, &current.id, from.as_str(), to.as_str(), to_naive(now))?
    {
        return Err(ApiError::conflict(
            ProblemCode::InvalidTransition,
            format!("an appointment that is {} cannot become {}", from.as_str(), to.as_str()),
        ));
    }
    let updated = appointments::find(conn, &current.id)?.ok_or(ApiError::NotFound)?;
    let mut event = EventRow::new(&updated.id, &actor.id, to.as_str(), to_naive(now));
    event.from_status = Some(from.as_str().into());
    event.to_status = Some(to.as_str().into());
    appointments::record(conn, &event)?;
    cx.audit(&format!("appointment.{}", to.as_str()), &updated).write(conn)?;
    notices::withdraw_reminders(conn, &updated.id, to_naive(now))?;
    Ok(updated)
}
