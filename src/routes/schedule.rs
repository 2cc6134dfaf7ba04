//! The front desk's day: per clinician, working hours, appointments and free gaps, in clinic time.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::appointments::{views, AppointmentView};
use crate::auth::Actor;
use crate::calendar::availability::{self as free, weekday};
use crate::db::appointments::{self, AppointmentFilter};
use crate::db::audit::Origin;
use crate::db::audit::{self, AuditEntry};
use crate::db::availability as hours;
use crate::db::{self, clinic};
use crate::domain::local_time::{instant_or_next, local};
use crate::domain::role::Role;
use crate::domain::slots::{self, Exception, ExceptionKind, Interval, WeeklyHours};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Period {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Clinic-local wall-clock time (no offset), e.g. `2026-11-16T09:00:00`.
    #[schema(value_type = String, pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$", example = "2026-11-16T09:00:00")]
    pub local_start: NaiveDateTime,
    /// Clinic-local wall-clock time (no offset).
    #[schema(value_type = String, pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$", example = "2026-11-16T09:00:00")]
    pub local_end: NaiveDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClinicianDay {
    pub clinician_id: String,
    pub full_name: String,
    pub working: Vec<Period>,
    pub appointments: Vec<AppointmentView>,
    /// Working time not taken by an appointment or its buffers.
    pub free: Vec<Period>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DaySchedule {
    pub date: NaiveDate,
    pub time_zone: String,
    pub clinicians: Vec<ClinicianDay>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScheduleQuery {
    /// A clinic-local date (2000 to 2199); today when absent.
    #[param(pattern = r"^2[01][0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub date: Option<NaiveDate>,
}

#[utoipa::path(
    tag = "appointments",
    security(("bearer" = [])),
    params(ScheduleQuery),
    responses(
        (status = 200, body = DaySchedule),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/schedule")]
pub async fn day(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    query: web::Query<ScheduleQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::FrontDesk, Role::Clinician, Role::Admin])?;
    let wanted = match query.date {
        Some(date) => Some(crate::error::fields::plausible_date("date", date)?),
        None => None,
    };
    let schedule = db::run(&state.pool, move |conn| {
        let clinic = clinic::settings(conn)?;
        let zone = clinic.zone();
        let date = wanted.unwrap_or_else(|| local(zone, Utc::now()).date());
        let day = Interval::new(
            instant_or_next(zone, date.and_hms_opt(0, 0, 0).unwrap_or_default()),
            instant_or_next(zone, (date + Duration::days(1)).and_hms_opt(0, 0, 0).unwrap_or_default()),
        );
        let people = free::clinicians(conn, None, None)?;
        let ids: Vec<String> = people.iter().map(|c| c.id.clone()).collect();
        let rules = hours::rules(conn, &ids)?;
        let exceptions = hours::exceptions(conn, &ids, day.start.naive_utc(), day.end.naive_utc())?;
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
        let mut shown_views = views(conn, &user, booked.clone())?;
        let shown = AuditEntry::new("appointment.list", &meta).actor(&user.id, user.role);
        let mut patients: Vec<&String> = booked.iter().map(|a| &a.patient_id).collect();
        patients.sort();
        patients.dedup();
        audit::write_all(conn, &patients.into_iter().map(|p| shown.for_patient(p)).collect::<Vec<_>>())?;
        let period = |i: &Interval| Period {
            start: i.start,
            end: i.end,
            local_start: local(zone, i.start),
            local_end: local(zone, i.end),
        };
        let mut days = Vec::new();
        for person in people {
            let weekly: Vec<WeeklyHours> = rules
                .iter()
                .filter(|r| r.clinician_id == person.id)
                .map(|r| WeeklyHours {
                    weekday: weekday(r.weekday),
                    start_minute: r.start_minute.max(0) as u32,
                    end_minute: r.end_minute.max(0) as u32,
                    valid_from: r.valid_from,
                    valid_until: r.valid_until,
                })
                .collect();
            let own: Vec<Exception> = exceptions
                .iter()
                .filter(|e| e.clinician_id == person.id)
                .map(|e| Exception {
                    kind: if e.kind == "extra_hours" { ExceptionKind::ExtraHours } else { ExceptionKind::TimeOff },
                    interval: Interval::new(e.starts_at.and_utc(), e.ends_at.and_utc()),
                })
                .collect();
            let working: Vec<Interval> = slots::working_intervals(zone, &weekly, &own, day)
                .into_iter()
                .map(|i| Interval::new(i.start.max(day.start), i.end.min(day.end)))
                .collect();
            let theirs: Vec<_> =
                booked.iter().filter(|a| a.clinician_id == person.id && a.status != "cancelled").cloned().collect();
            let blocks: Vec<Interval> =
                theirs.iter().map(|a| Interval::new(a.block_start.and_utc(), a.block_end.and_utc())).collect();
            let gaps = slots::without(&working, &blocks);
            let (listed, rest): (Vec<_>, Vec<_>) = shown_views.into_iter().partition(|v| v.clinician_id == person.id);
            shown_views = rest;
            days.push(ClinicianDay {
                clinician_id: person.id,
                full_name: person.full_name,
                working: working.iter().map(period).collect(),
                appointments: listed,
                free: gaps.iter().map(period).collect(),
            });
        }
        Ok(DaySchedule { date, time_zone: clinic.time_zone, clinicians: days })
    })
    .await?;
    Ok(HttpResponse::Ok().json(schedule))
}
