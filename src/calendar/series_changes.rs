//! Moving or cancelling "this visit and all following" in a series: each later visit of the same
//! series goes through the same move or cancellation as a single one, all in the caller's
//! transaction, so either every visit changes or none does. A move keeps the series' rhythm:
//! each following visit shifts by the same days and the same change of wall-clock time.

use chrono::{DateTime, Utc};

use super::booking::{self, Context};
use crate::db::appointments::{self, AppointmentRow};
use crate::db::clinic::AppointmentTypeRow;
use crate::db::DbConnection;
use crate::domain::local_time::{instant_exact, local};
use crate::error::{ApiError, ProblemCode};

/// Which visits a change is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    This,
    /// This visit and every later booked visit of its series.
    Following,
}

impl Scope {
    /// `this` (the default) or `following`; a 422 on `scope` otherwise.
    pub fn parse(text: Option<&str>) -> Result<Scope, ApiError> {
        match text.unwrap_or("this") {
            "this" => Ok(Scope::This),
            "following" => Ok(Scope::Following),
            _ => Err(ApiError::field("scope", "invalid", "this or following")),
        }
    }
}

/// The later booked visits of `current`'s series (none outside a series).
fn following(conn: &mut DbConnection, current: &AppointmentRow) -> Result<Vec<AppointmentRow>, ApiError> {
    let Some(series) = current.series_id.as_deref() else { return Ok(Vec::new()) };
    Ok(appointments::booked_of_series_after(conn, series, current.starts_at, &current.id)?)
}

pub fn cancel(
    conn: &mut DbConnection,
    cx: &Context,
    current: &AppointmentRow,
    kind: &AppointmentTypeRow,
    reason: Option<&str>,
    scope: Scope,
) -> Result<AppointmentRow, ApiError> {
    let later = if scope == Scope::Following { following(conn, current)? } else { Vec::new() };
    let cancelled = booking::cancel(conn, cx, current, kind, reason)?;
    for visit in &later {
        booking::cancel(conn, cx, visit, kind, reason)?;
    }
    Ok(cancelled)
}

/// Where a visit moves: the new start, another clinician (or the same), and staff's reason to
/// pass the type's notice or horizon.
pub struct MoveTo<'a> {
    pub start: DateTime<Utc>,
    pub clinician_id: Option<&'a str>,
    pub override_reason: Option<&'a str>,
}

pub fn reschedule(
    conn: &mut DbConnection,
    cx: &Context,
    current: &AppointmentRow,
    kind: &AppointmentTypeRow,
    to: MoveTo,
    scope: Scope,
) -> Result<AppointmentRow, ApiError> {
    let MoveTo { start, clinician_id, override_reason } = to;
    let later = if scope == Scope::Following { following(conn, current)? } else { Vec::new() };
    let zone = cx.clinic.zone();
    let shift = local(zone, start) - local(zone, current.starts_at.and_utc());
    let mut moves = vec![(current.clone(), start)];
    for visit in later {
        let wanted = local(zone, visit.starts_at.and_utc()) + shift;
        let Some(at) = instant_exact(zone, wanted) else {
            return Err(ApiError::conflict(
                ProblemCode::SlotTaken,
                format!("{wanted} does not exist in the clinic's zone (a daylight-saving change): move that visit on its own"),
            ));
        };
        moves.push((visit, at));
    }
    // Later visits first when moving later (and earlier first when moving earlier), so no visit
    // lands on a time its own series still holds.
    if shift > chrono::Duration::zero() {
        moves.reverse();
    }
    let mut moved = None;
    for (visit, at) in &moves {
        let row =
            booking::reschedule(conn, cx, visit, kind, *at, clinician_id, override_reason).map_err(
                |err| match err {
                    ApiError::Conflict { code, message } if visit.id != current.id => ApiError::conflict(
                        code,
                        format!("the visit moving to {} cannot: {message}; nothing was moved", local(zone, *at)),
                    ),
                    other => other,
                },
            )?;
        if visit.id == current.id {
            moved = Some(row);
        }
    }
    moved.ok_or(ApiError::NotFound)
}
