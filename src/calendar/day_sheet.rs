//! The front desk's day sheet: per clinician, working time, appointments and the free gaps
//! between them within one clinic-local day.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::availability::{self, Clinician};
use super::hours::Hours;
use crate::auth::Actor;
use crate::db::appointments::{self, AppointmentFilter, AppointmentRow};
use crate::db::audit::Origin;
use crate::db::clinic::{self, ClinicRow};
use crate::db::DbConnection;
use crate::domain::local_time::{instant_or_next, local};
use crate::domain::slots::{self, Interval};
use crate::error::ApiError;

pub struct DaySheet {
    pub date: NaiveDate,
    /// Whose zone the day is in.
    pub clinic: ClinicRow,
    /// Active clinicians, by name.
    pub clinicians: Vec<ClinicianTime>,
    /// Every appointment whose time or buffers reach into the day, cancelled ones too, by start.
    pub appointments: Vec<AppointmentRow>,
}

pub struct ClinicianTime {
    pub clinician: Clinician,
    pub working: Vec<Interval>,
    /// Working time not taken by an appointment or its buffers.
    pub free: Vec<Interval>,
}

/// The sheet for `date` (the clinic's today when `None`). Showing it is audited per patient.
pub fn day(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    date: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<DaySheet, ApiError> {
    let clinic = clinic::settings(conn)?;
    let zone = clinic.zone();
    let date = date.unwrap_or_else(|| local(zone, now).date());
    let day = Interval::new(
        instant_or_next(zone, date.and_hms_opt(0, 0, 0).unwrap_or_default()),
        instant_or_next(zone, (date + Duration::days(1)).and_hms_opt(0, 0, 0).unwrap_or_default()),
    );
    let people = availability::clinicians(conn, None, None)?;
    let ids: Vec<String> = people.iter().map(|c| c.id.clone()).collect();
    let hours = Hours::load(conn, &ids, day.start.naive_utc(), day.end.naive_utc())?;
    // Appointments whose time or buffers reach into the day (one may start the evening before).
    let filter = AppointmentFilter {
        from: Some((day.start - Duration::days(1)).naive_utc()),
        to: Some(day.end.naive_utc()),
        ..Default::default()
    };
    let booked: Vec<_> = appointments::list(conn, &filter, None, 5000)?
        .into_iter()
        .filter(|a| a.block_end.and_utc() > day.start)
        .collect();
    super::audit_shown(conn, actor, origin, "appointment.list", booked.iter().map(|a| a.patient_id.as_str()))?;
    let clinicians = people
        .into_iter()
        .map(|clinician| {
            let working: Vec<Interval> = hours
                .working(zone, &clinician.id, day)
                .into_iter()
                .map(|i| Interval::new(i.start.max(day.start), i.end.min(day.end)))
                .collect();
            let blocks: Vec<Interval> = booked
                .iter()
                .filter(|a| a.clinician_id == clinician.id && a.status != "cancelled")
                .map(|a| Interval::new(a.block_start.and_utc(), a.block_end.and_utc()))
                .collect();
            let free = slots::without(&working, &blocks);
            ClinicianTime { clinician, working, free }
        })
        .collect();
    Ok(DaySheet { date, clinic, clinicians, appointments: booked })
}
