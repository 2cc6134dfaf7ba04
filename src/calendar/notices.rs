//! The emails an appointment sends: a confirmation with a calendar invitation (stable UID,
//! SEQUENCE up on every move), reminders before the start that expire at the start, and a
//! cancellation with METHOD:CANCEL. Reminders are withdrawn whenever the appointment changes,
//! so one for a cancelled or moved appointment is never sent.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::to_utc;
use crate::db::appointments::AppointmentRow;
use crate::db::clinic::{self, ClinicRow};
use crate::db::outbox::{self, NewEmail};
use crate::db::{users, DbConnection};
use crate::domain::appointment::reminder_due;
use crate::mail::appointment_emails::{self, AppointmentDetails};
use crate::mail::ics::{self, CalendarEvent, Method};

/// Where links point and the domain invitations are named in.
#[derive(Debug, Clone)]
pub struct Notices {
    /// This server's pages (a waitlist offer, an alert).
    pub public_url: String,
    /// The patient's app (an appointment), `public_url` unless `BACKTRACK_APP_URL` is set.
    pub app_url: String,
    pub mail_domain: String,
    pub organizer_email: String,
}

impl Notices {
    pub fn from_config(config: &crate::config::Config) -> Self {
        let address = config.mail.from.rsplit('<').next().unwrap_or(&config.mail.from).trim_end_matches('>').trim();
        let domain = address.rsplit('@').next().unwrap_or("backtrack.localhost");
        Self {
            public_url: config.public_url.clone(),
            app_url: config.app_url.clone(),
            mail_domain: domain.to_string(),
            organizer_email: address.to_string(),
        }
    }
}

/// Everything an email or invitation about `appointment` says.
struct Facts {
    patient_email: Option<String>,
    patient_name: String,
    clinician_name: String,
    type_name: String,
}

fn facts(conn: &mut DbConnection, appointment: &AppointmentRow) -> QueryResult<Facts> {
    let patient = users::find(conn, &appointment.patient_id)?;
    let clinician = users::find(conn, &appointment.clinician_id)?;
    let kind = clinic::find_type(conn, &appointment.appointment_type_id)?;
    Ok(Facts {
        patient_email: patient.as_ref().and_then(|p| p.email.clone()),
        patient_name: patient.map(|p| p.full_name).unwrap_or_default(),
        clinician_name: clinician.map(|c| c.full_name).unwrap_or_default(),
        type_name: kind.map(|k| k.name).unwrap_or_default(),
    })
}

fn details<'a>(
    clinic: &'a ClinicRow,
    facts: &'a Facts,
    appointment: &AppointmentRow,
    link: &'a str,
) -> AppointmentDetails<'a> {
    let zone = clinic.zone();
    AppointmentDetails {
        patient_name: &facts.patient_name,
        type_name: &facts.type_name,
        clinician_name: &facts.clinician_name,
        start: to_utc(appointment.starts_at).with_timezone(&zone),
        end: to_utc(appointment.ends_at).with_timezone(&zone),
        clinic_name: &clinic.name,
        clinic_address: &clinic.address,
        clinic_phone: &clinic.phone,
        app_link: link,
    }
}

fn link(notices: &Notices, appointment: &AppointmentRow) -> String {
    format!("{}/appointments/{}", notices.app_url, appointment.id)
}

/// The invitation for the appointment as it stands (CANCEL once it is cancelled).
pub fn invitation(
    conn: &mut DbConnection,
    clinic: &ClinicRow,
    notices: &Notices,
    appointment: &AppointmentRow,
    now: NaiveDateTime,
) -> QueryResult<(String, Method)> {
    let facts = facts(conn, appointment)?;
    Ok(render(clinic, notices, &facts, appointment, now))
}

fn render(
    clinic: &ClinicRow,
    notices: &Notices,
    facts: &Facts,
    appointment: &AppointmentRow,
    now: NaiveDateTime,
) -> (String, Method) {
    let method = if appointment.status == "cancelled" { Method::Cancel } else { Method::Request };
    let summary = format!("{} with {}", facts.type_name, facts.clinician_name);
    let event = CalendarEvent {
        uid: &appointment.id,
        domain: &notices.mail_domain,
        sequence: appointment.sequence,
        method,
        start: to_utc(appointment.starts_at),
        end: to_utc(appointment.ends_at),
        stamp: to_utc(now),
        summary: &summary,
        location: &clinic.address,
        description: &format!("{} — {}", clinic.name, clinic.phone),
        organizer_name: &clinic.name,
        organizer_email: &notices.organizer_email,
        attendee_name: &facts.patient_name,
        attendee_email: facts.patient_email.as_deref(),
    };
    (ics::render(&event), method)
}

fn key(appointment: &AppointmentRow, what: &str) -> String {
    format!("appointment:{}:{what}", appointment.id)
}

/// A confirmation (with the invitation) and the reminders, for a new or moved appointment.
pub fn booked(
    conn: &mut DbConnection,
    clinic: &ClinicRow,
    notices: &Notices,
    appointment: &AppointmentRow,
    rescheduled: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let facts = facts(conn, appointment)?;
    let Some(recipient) = facts.patient_email.clone() else { return Ok(()) };
    let link = link(notices, appointment);
    let details = details(clinic, &facts, appointment, &link);
    let (invitation, method) = render(clinic, notices, &facts, appointment, now);
    let confirmation = NewEmail {
        dedupe_key: key(appointment, &format!("confirmation:{}", appointment.sequence)),
        attachments: Some(ics::attachment_json(&invitation, method)),
        ..NewEmail::immediate(
            "appointment_confirmation",
            &recipient,
            Some(&appointment.patient_id),
            appointment_emails::confirmation(&details, rescheduled),
            now,
        )
    };
    outbox::enqueue(conn, &confirmation, now)?;
    queue_reminders(conn, clinic, appointment, &details, &recipient, now)
}

/// One confirmation for a series of visits (every visit listed, one invitation holding them
/// all), and each visit's own reminders.
pub fn series_booked(
    conn: &mut DbConnection,
    clinic: &ClinicRow,
    notices: &Notices,
    visits: &[AppointmentRow],
    now: NaiveDateTime,
) -> QueryResult<()> {
    let Some(first) = visits.first() else { return Ok(()) };
    let facts = facts(conn, first)?;
    let Some(recipient) = facts.patient_email.clone() else { return Ok(()) };
    let all = format!("{}/appointments", notices.app_url);
    let details = details(clinic, &facts, first, &all);
    let zone = clinic.zone();
    let starts: Vec<_> = visits.iter().map(|v| to_utc(v.starts_at).with_timezone(&zone)).collect();
    let calendars: Vec<String> = visits.iter().map(|v| render(clinic, notices, &facts, v, now).0).collect();
    let invitation = ics::merge(&calendars);
    let series = first.series_id.clone().unwrap_or_else(|| first.id.clone());
    let confirmation = NewEmail {
        dedupe_key: format!("series:{series}:confirmation"),
        attachments: Some(ics::attachment_json(&invitation, Method::Request)),
        ..NewEmail::immediate(
            "appointment_confirmation",
            &recipient,
            Some(&first.patient_id),
            appointment_emails::series_confirmation(&details, &starts),
            now,
        )
    };
    outbox::enqueue(conn, &confirmation, now)?;
    for visit in visits {
        let to_visit = link(notices, visit);
        let details = self::details(clinic, &facts, visit, &to_visit);
        queue_reminders(conn, clinic, visit, &details, &recipient, now)?;
    }
    Ok(())
}

/// The reminders of one visit at the clinic's offsets, those still ahead.
fn queue_reminders(
    conn: &mut DbConnection,
    clinic: &ClinicRow,
    appointment: &AppointmentRow,
    details: &AppointmentDetails,
    recipient: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    for minutes in clinic.reminder_offsets() {
        let due = reminder_due(clinic.zone(), to_utc(appointment.starts_at), minutes);
        if due.naive_utc() <= now {
            continue; // too late to be useful
        }
        let reminder = NewEmail {
            dedupe_key: key(appointment, &format!("reminder:{minutes}:{}", appointment.sequence)),
            due_at: due.naive_utc(),
            expires_at: Some(appointment.starts_at),
            ..NewEmail::immediate(
                "appointment_reminder",
                recipient,
                Some(&appointment.patient_id),
                appointment_emails::reminder(details, due),
                now,
            )
        };
        outbox::enqueue(conn, &reminder, now)?;
    }
    Ok(())
}

/// Cancels every reminder of the appointment not sent yet.
pub fn withdraw_reminders(conn: &mut DbConnection, appointment_id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    outbox::cancel_prefix(conn, &format!("appointment:{appointment_id}:reminder:"), now)
}

pub fn cancelled(
    conn: &mut DbConnection,
    clinic: &ClinicRow,
    notices: &Notices,
    appointment: &AppointmentRow,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let facts = facts(conn, appointment)?;
    let Some(recipient) = facts.patient_email.clone() else { return Ok(()) };
    let link = format!("{}/appointments", notices.app_url);
    let details = details(clinic, &facts, appointment, &link);
    let (invitation, method) = render(clinic, notices, &facts, appointment, now);
    let email = NewEmail {
        dedupe_key: key(appointment, "cancellation"),
        attachments: Some(ics::attachment_json(&invitation, method)),
        ..NewEmail::immediate(
            "appointment_cancellation",
            &recipient,
            Some(&appointment.patient_id),
            appointment_emails::cancellation(&details),
            now,
        )
    };
    outbox::enqueue(conn, &email, now)?;
    Ok(())
}
