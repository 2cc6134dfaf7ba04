//! The waitlist: when a time frees up, the first waiting patient it suits gets an emailed offer,
//! held for a while; if they let it lapse, the next one gets it.

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use diesel::Connection;

use super::availability::{self, Request};
use super::booking::{self, Context, NewBooking};
use super::notices::Notices;
use super::{to_naive, to_utc};
use crate::auth::secret_token;
use crate::db::appointments::AppointmentRow;
use crate::db::audit::AuditEntry;
use crate::db::audit::Origin;
use crate::db::clinic::{self, ClinicRow};
use crate::db::outbox::{self, NewEmail};
use crate::db::waitlist::{self, EntryRow, OfferRow};
use crate::db::{new_id, users, DbConnection};
use crate::domain::local_time::local;
use crate::domain::slots::{Interval, Slot};
use crate::error::ApiError;
use crate::mail::appointment_emails::{self, AppointmentDetails};

/// Whether the entry's day and time wishes allow `slot`.
fn suits(entry: &EntryRow, clinic: &ClinicRow, slot: &Slot) -> bool {
    let local_start = local(clinic.zone(), slot.start);
    let minute = (local_start.hour() * 60 + local_start.minute()) as i32;
    let days = entry.weekday_list();
    (days.is_empty() || days.contains(&local_start.weekday().number_from_monday()))
        && entry.earliest_minute.is_none_or(|m| minute >= m)
        && entry.latest_minute.is_none_or(|m| minute <= m)
        && local_start.date() >= entry.from_date
        && local_start.date() <= entry.to_date
}

/// Offers a start within `freed` on `clinician_id` to the first waiting patient it suits.
pub fn offer_freed_time(
    conn: &mut DbConnection,
    clinic: &ClinicRow,
    notices: &Notices,
    clinician_id: &str,
    freed: Interval,
    now: DateTime<Utc>,
) -> Result<Option<OfferRow>, ApiError> {
    let date = local(clinic.zone(), freed.start).date();
    for entry in waitlist::candidates(conn, date)? {
        if entry.clinician_id.as_deref().is_some_and(|c| c != clinician_id) {
            continue;
        }
        let Some(kind) = clinic::find_type(conn, &entry.appointment_type_id)?.filter(|k| !k.archived) else { continue };
        let request = Request {
            appointment_type: &kind,
            from: freed.start,
            to: freed.end,
            clinician_id: Some(clinician_id),
            patient_id: Some(&entry.patient_id),
            ignore_notice_and_horizon: false,
            ignore_bookings: false,
            now,
        };
        let free = availability::free_slots(conn, clinic, &request)?;
        let asked = waitlist::offered_for_entry(conn, &entry.id)?;
        let slot = free
            .into_iter()
            .flat_map(|c| c.slots)
            .find(|slot| suits(&entry, clinic, slot) && !asked.contains(&to_naive(slot.start)));
        if let Some(slot) = slot {
            if let Some(offer) = make_offer(conn, clinic, notices, &entry, &kind.name, clinician_id, &slot, now)? {
                return Ok(Some(offer));
            }
        }
    }
    Ok(None)
}

#[allow(clippy::too_many_arguments)]
fn make_offer(
    conn: &mut DbConnection,
    clinic: &ClinicRow,
    notices: &Notices,
    entry: &EntryRow,
    type_name: &str,
    clinician_id: &str,
    slot: &Slot,
    now: DateTime<Utc>,
) -> Result<Option<OfferRow>, ApiError> {
    let Some(patient) = users::find(conn, &entry.patient_id)?.filter(|p| p.active) else { return Ok(None) };
    let Some(recipient) = patient.email.clone() else { return Ok(None) };
    let token = secret_token::generate();
    // An offer never outlives the time it offers.
    let expires = (now + Duration::minutes(clinic.waitlist_offer_minutes.max(5).into())).min(slot.start);
    let offer = OfferRow {
        id: new_id(),
        entry_id: entry.id.clone(),
        token_hash: secret_token::hash(&token),
        clinician_id: clinician_id.to_string(),
        starts_at: to_naive(slot.start),
        expires_at: to_naive(expires),
        status: "open".into(),
        appointment_id: None,
        created_at: to_naive(now),
    };
    waitlist::insert_offer(conn, &offer)?;
    waitlist::set_entry_status(conn, &entry.id, "offered", to_naive(now))?;
    let clinician = users::find(conn, clinician_id)?.map(|c| c.full_name).unwrap_or_default();
    let link = format!("{}/waitlist/offers/{token}", notices.public_url);
    let details = AppointmentDetails {
        patient_name: &patient.full_name,
        type_name,
        clinician_name: &clinician,
        start: slot.start.with_timezone(&clinic.zone()),
        end: slot.end.with_timezone(&clinic.zone()),
        clinic_name: &clinic.name,
        clinic_address: &clinic.address,
        clinic_phone: &clinic.phone,
        app_link: &link,
    };
    let content = appointment_emails::waitlist_offer(&details, expires.with_timezone(&clinic.zone()));
    let email = NewEmail {
        expires_at: Some(offer.expires_at),
        priority: 1,
        ..NewEmail::immediate("waitlist_offer", &recipient, Some(&patient.id), content, to_naive(now))
    };
    outbox::enqueue(conn, &email, to_naive(now))?;
    AuditEntry::new("waitlist.offer", &Origin::background()).patient(&patient.id).target(&offer.id).write(conn)?;
    Ok(Some(offer))
}

/// Offers whose time ran out go to the next patient waiting. Run periodically.
pub fn sweep(conn: &mut DbConnection, notices: &Notices, now: DateTime<Utc>) -> Result<usize, ApiError> {
    let clinic = clinic::settings(conn)?;
    let lapsed = waitlist::lapsed(conn, to_naive(now))?;
    for offer in &lapsed {
        // Each in its own savepoint: one offer that cannot be passed on does not hold up the rest.
        let passed_on = conn.transaction(|conn| -> Result<(), ApiError> {
            if waitlist::close_offer(conn, &offer.id, "expired", None)? {
                if let Some(entry) = waitlist::find_entry(conn, &offer.entry_id)?.filter(|e| e.status == "offered") {
                    waitlist::set_entry_status(conn, &entry.id, "waiting", to_naive(now))?;
                }
                let start = to_utc(offer.starts_at);
                if start > now {
                    let freed = Interval::new(start, start + Duration::minutes(1));
                    offer_freed_time(conn, &clinic, notices, &offer.clinician_id, freed, now)?;
                }
            }
            Ok(())
        });
        if let Err(err) = passed_on {
            tracing::warn!(offer = %offer.id, error = %err, "a lapsed waitlist offer could not be passed on");
        }
    }
    Ok(lapsed.len())
}

/// Books the offered time for the patient it was offered to. The token is the credential.
pub fn accept(
    conn: &mut DbConnection,
    notices: &Notices,
    meta: &Origin,
    token: &str,
    now: DateTime<Utc>,
) -> Result<AppointmentRow, ApiError> {
    let offer = waitlist::offer_by_token(conn, &secret_token::hash(token))?
        .filter(|o| o.status == "open" && to_utc(o.expires_at) > now && to_utc(o.starts_at) > now)
        .ok_or(ApiError::InvalidToken)?;
    let entry =
        waitlist::find_entry(conn, &offer.entry_id)?.filter(|e| e.status == "offered").ok_or(ApiError::InvalidToken)?;
    let patient = users::find(conn, &entry.patient_id)?.filter(|p| p.active).ok_or(ApiError::InvalidToken)?;
    let kind = clinic::find_type(conn, &entry.appointment_type_id)?.ok_or(ApiError::InvalidToken)?;
    let clinic = clinic::settings(conn)?;
    let actor = crate::auth::Actor::new(&patient.id, crate::domain::role::Role::Patient);
    let cx = Context { clinic: &clinic, notices, actor: &actor, origin: meta, now };
    let booking = NewBooking {
        appointment_type: &kind,
        start: to_utc(offer.starts_at),
        clinician_id: Some(&offer.clinician_id),
        patient: &patient,
        reason: None,
        override_reason: None,
        offered: true,
        series_id: None,
    };
    let appointment = booking::book(conn, &cx, booking)?;
    if !waitlist::close_offer(conn, &offer.id, "accepted", Some(&appointment.id))? {
        return Err(ApiError::InvalidToken);
    }
    waitlist::set_entry_status(conn, &entry.id, "booked", to_naive(now))?;
    Ok(appointment)
}
