//! The front desk's day: per clinician, working hours, appointments and free gaps, in clinic time.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::appointments::{views, AppointmentView};
use crate::auth::Actor;
use crate::calendar::day_sheet::{self, ClinicianTime, DaySheet};
use crate::db;
use crate::db::audit::Origin;
use crate::domain::local_time::{local, utc_offset};
use crate::domain::role::Role;
use crate::domain::slots::{Interval, Slot};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

// A stretch of time, in UTC and in clinic time; free starts are the same shape (`SlotView`). No
// doc comment: it would become the schema's description.
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
    /// The clinic's UTC offset at `start`, e.g. `+10:30`: in a repeated hour it tells the two
    /// readings of the same `local_start` apart.
    #[schema(pattern = r"^[+-][0-9]{2}:[0-9]{2}(:[0-9]{2})?$", example = "-06:00")]
    pub local_start_offset: String,
    /// The clinic's UTC offset at `end`.
    #[schema(pattern = r"^[+-][0-9]{2}:[0-9]{2}(:[0-9]{2})?$", example = "-06:00")]
    pub local_end_offset: String,
}

impl Period {
    pub fn of(zone: Tz, time: &Interval) -> Self {
        Self::from(Slot {
            start: time.start,
            end: time.end,
            local_start: local(zone, time.start),
            local_end: local(zone, time.end),
        })
    }
}

impl From<Slot> for Period {
    fn from(slot: Slot) -> Self {
        Self {
            start: slot.start,
            end: slot.end,
            local_start: slot.local_start,
            local_end: slot.local_end,
            local_start_offset: utc_offset(slot.local_start, slot.start),
            local_end_offset: utc_offset(slot.local_end, slot.end),
        }
    }
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
    #[schema(schema_with = crate::http::schemas::time_zone)]
    pub time_zone: String,
    pub clinicians: Vec<ClinicianDay>,
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScheduleQuery {
    /// A clinic-local date (2000 to 2099); today when absent.
    #[param(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub date: Option<NaiveDate>,
}

#[utoipa::path(
    operation_id = "getDaySheet",
    summary = "Get a day's schedule",
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
        let sheet = day_sheet::day(conn, &user, &meta, wanted, Utc::now())?;
        let shown = views(conn, &user, sheet.appointments.clone())?;
        Ok(DaySchedule::of(sheet, shown))
    })
    .await?;
    Ok(HttpResponse::Ok().json(schedule))
}

impl DaySchedule {
    /// The sheet with each clinician's appointments (`shown`, in the sheet's order) beside them.
    fn of(sheet: DaySheet, mut shown: Vec<AppointmentView>) -> Self {
        let zone = sheet.clinic.zone();
        let periods = |times: &[Interval]| times.iter().map(|t| Period::of(zone, t)).collect();
        let mut clinicians = Vec::new();
        for ClinicianTime { clinician, working, free } in sheet.clinicians {
            let (listed, rest): (Vec<_>, Vec<_>) = shown.into_iter().partition(|v| v.clinician_id == clinician.id);
            shown = rest;
            clinicians.push(ClinicianDay {
                clinician_id: clinician.id,
                full_name: clinician.full_name,
                working: periods(&working),
                appointments: listed,
                free: periods(&free),
            });
        }
        Self { date: sheet.date, time_zone: sheet.clinic.time_zone, clinicians }
    }
}
