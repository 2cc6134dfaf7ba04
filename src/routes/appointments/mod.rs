//! Appointments: finding a free time, booking (retry-safe with `Idempotency-Key`), moving,
//! cancelling, the front desk's status changes, lists, history and the calendar file. The
//! calendar's services do the work (`crate::calendar`); these handlers parse, authorize, call
//! and show.

mod booking;
mod changes;
mod reads;

pub use booking::*;
pub use changes::*;
pub use reads::*;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::views::RedFlagAdvice;
use crate::auth::Actor;
use crate::db::appointments::AppointmentRow;
use crate::db::clinic::{self, AppointmentTypeRow};
use crate::db::{users, DbConnection};
use crate::domain::appointment::Status;
use crate::domain::local_time::{local, utc_offset};
use crate::domain::role::Role;
use crate::error::ApiError;

/// An appointment as the apps see it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AppointmentView {
    pub id: String,
    pub patient_id: String,
    pub patient_name: String,
    pub clinician_id: String,
    pub clinician_name: String,
    /// The type's code.
    pub appointment_type: String,
    pub appointment_type_name: String,
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
    #[schema(schema_with = crate::http::schemas::time_zone)]
    pub time_zone: String,
    pub status: Status,
    /// The patient's reason for the visit; not shown to the front desk.
    pub reason: Option<String>,
    pub late_cancellation: bool,
    pub cancel_reason: Option<String>,
    /// Goes up with every move (the calendar invitation's SEQUENCE).
    pub sequence: i32,
    pub created_at: DateTime<Utc>,
    /// Only when booking with red-flag answers and one is positive: the advice to show at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub red_flag: Option<RedFlagAdvice>,
    /// The episode of care the visit belongs to, if any.
    pub episode_id: Option<String>,
    /// The visit series it was booked in, if any.
    pub series_id: Option<String>,
    /// Only when the visit was booked past the payer's authorization (the clinic warns instead
    /// of refusing, or staff gave an override reason): `authorization_exceeded` or
    /// `outside_authorization`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_warning: Option<String>,
}

/// Views for `rows`, with names looked up once for the whole list.
pub(crate) fn views(
    conn: &mut DbConnection,
    viewer: &Actor,
    rows: Vec<AppointmentRow>,
) -> Result<Vec<AppointmentView>, ApiError> {
    let clinic = clinic::settings(conn)?;
    let types: HashMap<String, AppointmentTypeRow> =
        clinic::types(conn, true)?.into_iter().map(|t| (t.id.clone(), t)).collect();
    let mut ids: Vec<String> = rows.iter().flat_map(|r| [r.patient_id.clone(), r.clinician_id.clone()]).collect();
    ids.sort();
    ids.dedup();
    let names = users::names(conn, &ids)?;
    let zone = clinic.zone();
    let show_reason = viewer.role != Role::FrontDesk;
    Ok(rows
        .into_iter()
        .map(|row| {
            let kind = types.get(&row.appointment_type_id);
            AppointmentView {
                patient_name: names.get(&row.patient_id).cloned().unwrap_or_default(),
                clinician_name: names.get(&row.clinician_id).cloned().unwrap_or_default(),
                appointment_type: kind.map(|k| k.code.clone()).unwrap_or_default(),
                appointment_type_name: kind.map(|k| k.name.clone()).unwrap_or_default(),
                start: row.starts_at.and_utc(),
                end: row.ends_at.and_utc(),
                local_start: local(zone, row.starts_at.and_utc()),
                local_end: local(zone, row.ends_at.and_utc()),
                local_start_offset: utc_offset(local(zone, row.starts_at.and_utc()), row.starts_at.and_utc()),
                local_end_offset: utc_offset(local(zone, row.ends_at.and_utc()), row.ends_at.and_utc()),
                time_zone: clinic.time_zone.clone(),
                status: Status::parse(&row.status).unwrap_or(Status::Booked),
                reason: if show_reason { row.reason } else { None },
                late_cancellation: row.late_cancellation,
                cancel_reason: row.cancel_reason,
                sequence: row.sequence,
                created_at: row.created_at.and_utc(),
                red_flag: None,
                authorization_warning: None,
                episode_id: row.episode_id,
                series_id: row.series_id,
                id: row.id,
                patient_id: row.patient_id,
                clinician_id: row.clinician_id,
            }
        })
        .collect())
}

fn view(conn: &mut DbConnection, viewer: &Actor, row: AppointmentRow) -> Result<AppointmentView, ApiError> {
    views(conn, viewer, vec![row])?.pop().ok_or(ApiError::NotFound)
}
