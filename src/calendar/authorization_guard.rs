//! Booking against a payer's authorization: a visit in an episode with authorizations must fall
//! on a day one covers and find a visit left on it. Otherwise the booking is refused with
//! `409 authorization_exceeded` or `409 outside_authorization`, unless staff give an override
//! reason (audited) or the clinic makes it a warning carried in the answer.
//!
//! The count is taken under the episode's row lock (an update of the row: PostgreSQL holds it to
//! the commit; SQLite writes one transaction at a time), so two front desks booking the last
//! authorized visit at the same moment are counted one after the other: one wins.

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::auth::Actor;
use crate::clinical::episode_view::{allowances, fits_authorizations};
use crate::db::appointments::AppointmentRow;
use crate::db::{episodes, DbConnection};
use crate::domain::authorization::Breach;
use crate::domain::role::Role;
use crate::error::{ApiError, ProblemCode};

/// What the guard let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passed {
    /// Within the authorizations (or the episode has none).
    Fits,
    /// Past them, with the staff's override reason.
    Overridden(Breach),
    /// Past them, and the clinic warns instead of refusing.
    Warned(Breach),
}

impl Passed {
    /// The audit row's detail for a visit booked past an authorization.
    pub fn detail(self) -> Option<String> {
        match self {
            Passed::Fits => None,
            Passed::Overridden(b) => Some(format!("override_{}", b.code())),
            Passed::Warned(b) => Some(format!("warned_{}", b.code())),
        }
    }
}

fn conflict(breach: Breach) -> ApiError {
    let code = match breach {
        Breach::Exceeded => ProblemCode::AuthorizationExceeded,
        Breach::Outside => ProblemCode::OutsideAuthorization,
    };
    ApiError::conflict(code, format!("{}; staff may give an override reason to book it anyway", breach.message()))
}

/// Checks visits on `dates` (clinic-local) about to be booked into `episode_id` (or the visit
/// `moving` about to move there, counted without its old day), under the episode's lock.
pub fn check(
    conn: &mut DbConnection,
    actor: &Actor,
    episode_id: &str,
    zone: Tz,
    dates: &[NaiveDate],
    override_reason: Option<&str>,
    moving: Option<&str>,
) -> Result<Passed, ApiError> {
    episodes::lock(conn, episode_id, crate::db::now())?;
    let Err((_, breach)) = fits_authorizations(conn, episode_id, zone, dates, moving)? else {
        return Ok(Passed::Fits);
    };
    if episodes::settings(conn)?.authorization_overrun == "warn" {
        return Ok(Passed::Warned(breach));
    }
    match override_reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(_) if actor.role != Role::Patient => Ok(Passed::Overridden(breach)),
        _ => Err(conflict(breach)),
    }
}

/// Whether a booked visit runs past its episode's authorizations (the warning its answer
/// carries): no authorization covers its day, or every one that does is booked past its count.
pub fn overrun_of(conn: &mut DbConnection, row: &AppointmentRow) -> Result<Option<Breach>, ApiError> {
    let Some(episode_id) = row.episode_id.as_deref() else { return Ok(None) };
    let zone = crate::db::clinic::settings(conn)?.zone();
    let rows = episodes::authorizations(conn, episode_id)?;
    if rows.is_empty() {
        return Ok(None);
    }
    let visits = crate::domain::treatment_days::local_dates(zone, &episodes::visits(conn, episode_id)?);
    let day = row.starts_at.and_utc().with_timezone(&zone).date_naive();
    let covering: Vec<_> = allowances(&rows, &visits).into_iter().filter(|a| a.covers(day)).collect();
    Ok(if covering.is_empty() {
        Some(Breach::Outside)
    } else if covering.iter().all(|a| a.remaining() < 0) {
        Some(Breach::Exceeded)
    } else {
        None
    })
}
