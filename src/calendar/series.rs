//! A series of visits from the plan of care, booked in one request: N visits on chosen weekdays
//! and local times with one clinician. Every visit goes through the same booking as a single one
//! (the database's no-overlap guard, the authorization guard), all or nothing: when any visit
//! cannot be booked, none is, and the answer lists each one that could not with the nearest free
//! starts for it. One email confirms the whole series; each visit keeps its own reminders.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use diesel::Connection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::availability::{self, Request};
use super::booking::{place, Context, NewBooking};
use super::booking_request::appointment_type;
use super::notices;
use crate::clinical::access::AccessReason;
use crate::clinical::episodes::{closed, open_episode};
use crate::db::appointments::AppointmentRow;
use crate::db::episodes::{self, SeriesRow};
use crate::db::users;
use crate::db::{new_id, DbConnection};
use crate::domain::local_time::parse_hh_mm;
use crate::domain::role::Role;
use crate::domain::visit_series::{self, Weekly};
use crate::error::{ApiError, ProblemCode};

/// Who books a series: the clinic's staff.
const BOOKERS: &[Role] = &[Role::FrontDesk, Role::Clinician, Role::Admin];
/// Alternatives offered for each visit that could not be booked.
const ALTERNATIVES: usize = 3;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct WeeklyTime {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    #[schema(minimum = 1, maximum = 7)]
    pub weekday: i64,
    /// Local time `HH:MM` in the clinic's zone.
    #[schema(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "09:00")]
    pub time: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct SeriesRequest {
    #[schema(example = "follow_up")]
    pub appointment_type: String,
    pub clinician_id: String,
    /// The first day the series may start on (clinic-local).
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub first_date: NaiveDate,
    #[schema(min_items = 1, max_items = 14)]
    pub weekly: Vec<WeeklyTime>,
    /// How many visits (1 to 60).
    #[schema(minimum = 1, maximum = 60, example = 12)]
    pub count: i64,
    /// Staff's reason to book past the type's notice or horizon, or past the payer's authorization.
    #[schema(max_length = 500)]
    pub override_reason: Option<String>,
}

/// A visit of the series that could not be booked, and the nearest free starts for it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeriesConflict {
    /// 1-based, in the series' order.
    pub number: usize,
    pub start: Option<DateTime<Utc>>,
    /// Clinic-local wall-clock time asked for.
    #[schema(value_type = String, example = "2027-03-14T02:30:00")]
    pub local_start: chrono::NaiveDateTime,
    /// Why: `slot_taken`, `not_available`, `too_soon`, `too_far_ahead`, `not_a_time` (a
    /// daylight-saving gap), `authorization_exceeded` or `outside_authorization`.
    pub reason: String,
    /// The nearest free starts with the same clinician, nearest first.
    pub alternatives: Vec<DateTime<Utc>>,
}

/// What booking a series came to.
pub enum Booked {
    Series { id: String, visits: Vec<AppointmentRow> },
    Conflicts(Vec<SeriesConflict>),
}

fn reason_of(err: &ApiError) -> String {
    match err {
        ApiError::Conflict { code, .. } => code.as_str().to_string(),
        ApiError::Validation(errors) => errors.first().map_or("not_available".into(), |e| e.code.clone()),
        _ => "not_available".into(),
    }
}

/// The nearest free starts with `clinician_id` within two days of `wanted`.
fn alternatives(
    conn: &mut DbConnection,
    cx: &Context,
    kind: &crate::db::clinic::AppointmentTypeRow,
    clinician_id: &str,
    patient_id: &str,
    wanted: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, ApiError> {
    let request = Request {
        appointment_type: kind,
        from: (wanted - Duration::days(2)).max(cx.now),
        to: wanted + Duration::days(2),
        clinician_id: Some(clinician_id),
        patient_id: Some(patient_id),
        ignore_notice_and_horizon: false,
        ignore_bookings: false,
        now: cx.now,
    };
    let mut starts: Vec<DateTime<Utc>> = availability::free_slots(conn, cx.clinic, &request)?
        .into_iter()
        .flat_map(|c| c.slots)
        .map(|s| s.start)
        .collect();
    starts.sort_by_key(|s| ((*s - wanted).num_minutes().abs(), *s));
    starts.truncate(ALTERNATIVES);
    Ok(starts)
}

/// Books the series into the episode; nothing is written when any visit cannot be booked.
pub fn book(
    conn: &mut DbConnection,
    cx: &Context,
    reason: &AccessReason,
    episode_id: &str,
    asked: SeriesRequest,
) -> Result<Booked, ApiError> {
    cx.actor.require(BOOKERS)?;
    let (episode, _) = open_episode(conn, cx.actor, episode_id, reason, cx.origin)?;
    if !episode.is_open() {
        return Err(closed());
    }
    let kind = appointment_type(conn, &asked.appointment_type)?;
    let patient = users::find(conn, &episode.patient_id)?.filter(|p| p.active).ok_or(ApiError::NotFound)?;
    let weekly: Vec<Weekly> = asked
        .weekly
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let minute = parse_hh_mm(&w.time)
                .filter(|m| *m < 24 * 60)
                .ok_or_else(|| ApiError::field(&format!("weekly[{i}].time"), "invalid_format", "a local time HH:MM"))?;
            let time = NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).unwrap_or_default();
            Ok(Weekly { weekday: w.weekday.clamp(0, 8) as u32, time })
        })
        .collect::<Result<_, ApiError>>()?;
    visit_series::check(asked.count, &weekly)
        .map_err(|(field, invalid)| ApiError::field(field, invalid.code, &invalid.message))?;
    crate::error::fields::plausible_date("first_date", asked.first_date)?;
    let zone = cx.clinic.zone();
    let occurrences = visit_series::expand(zone, asked.first_date, &weekly, asked.count as usize);
    let clinician = users::find(conn, &asked.clinician_id)?;
    if !clinician.is_some_and(|c| c.role == Role::Clinician.as_str() && c.active) {
        return Err(ApiError::field("clinician_id", "unknown", "no such clinician"));
    }
    let series = SeriesRow {
        id: new_id(),
        episode_id: episode.id.clone(),
        clinician_id: asked.clinician_id.clone(),
        appointment_type_id: kind.id.clone(),
        weekly: serde_json::to_string(&asked.weekly).unwrap_or_default(),
        created_by: Some(cx.actor.id.clone()),
        created_at: crate::db::now(),
    };
    let series_id = series.id.clone();
    // Each visit in its own savepoint inside one that holds them all: a refused visit is noted
    // and the rest still tried, so the answer names every conflict; then all is rolled back.
    let mut conflicts = Vec::new();
    let mut visits = Vec::new();
    let outcome = conn.transaction::<_, ApiError, _>(|conn| {
        episodes::insert_series(conn, &series)?;
        for occurrence in &occurrences {
            let refused = match occurrence.start {
                None => Some(("not_a_time".to_string(), None)),
                Some(start) => {
                    let booking = NewBooking {
                        appointment_type: &kind,
                        start,
                        clinician_id: Some(&asked.clinician_id),
                        patient: &patient,
                        reason: None,
                        override_reason: asked.override_reason.clone(),
                        offered: false,
                        series_id: Some(&series_id),
                    };
                    match conn.transaction(|conn| place(conn, cx, booking)) {
                        Ok(row) => {
                            visits.push(row);
                            None
                        }
                        Err(err @ (ApiError::Conflict { .. } | ApiError::Validation(_))) => {
                            Some((reason_of(&err), Some(start)))
                        }
                        Err(other) => return Err(other),
                    }
                }
            };
            if let Some((why, start)) = refused {
                let near = match start {
                    Some(start) => alternatives(conn, cx, &kind, &asked.clinician_id, &patient.id, start)?,
                    None => Vec::new(),
                };
                conflicts.push(SeriesConflict {
                    number: occurrence.number,
                    start,
                    local_start: occurrence.local,
                    reason: why,
                    alternatives: near,
                });
            }
        }
        if conflicts.is_empty() {
            Ok(())
        } else {
            Err(ApiError::conflict(ProblemCode::SlotTaken, "rolled back"))
        }
    });
    match outcome {
        Ok(()) => {
            notices::series_booked(conn, cx.clinic, cx.notices, &visits, cx.now.naive_utc())?;
            Ok(Booked::Series { id: series_id, visits })
        }
        Err(ApiError::Conflict { .. }) if !conflicts.is_empty() => Ok(Booked::Conflicts(conflicts)),
        Err(other) => Err(other),
    }
}
