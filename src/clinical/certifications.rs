//! Certifying the plan: recording when it was sent to the physician or NPP and when (and by
//! whom) it was signed, for the latest period; and recertifying, which starts the next period on
//! the same episode and keeps the ones before.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::access::{on_record, AccessReason};
use super::episode_view::{clinic_today, view, EpisodeView};
use super::episodes::planned;
use crate::auth::Actor;
use crate::db::audit::Origin;
use crate::db::episodes::{self, PeriodRow};
use crate::db::{new_id, DbConnection};
use crate::domain::certification;
use crate::domain::plan_of_care::Frequency;
use crate::error::fields::{bounded_text, plausible_date, Checks};
use crate::error::ApiError;

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct SignatureFields {
    /// When the plan was sent to the physician or NPP for signature.
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub sent_on: Option<NaiveDate>,
    /// When they signed and dated it.
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub signed_on: Option<NaiveDate>,
    /// Who signed (needed with `signed_on`).
    #[schema(max_length = 200)]
    pub signed_by: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct RecertifyFields {
    /// The new period's first day; the day after the latest period ends unless given.
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub starts_on: Option<NaiveDate>,
    /// The revised frequency, if it changes (with `duration_weeks`).
    #[schema(minimum = 1, maximum = 7)]
    pub visits_per_week: Option<i64>,
    /// How long the new period plans therapy for (its length is this or 90 days, whichever is
    /// shorter); the plan's duration unless given.
    #[schema(minimum = 1, maximum = 52)]
    pub duration_weeks: Option<i64>,
}

/// Records the latest period's signature facts (each as sent: a field left out is cleared).
pub fn record_signature(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    episode_id: &str,
    fields: SignatureFields,
    now: DateTime<Utc>,
) -> Result<EpisodeView, ApiError> {
    let episode = planned(conn, actor, origin, reason, episode_id)?;
    let (zone, today) = clinic_today(conn, now)?;
    let mut checks = Checks::default();
    for (field, date) in [("sent_on", fields.sent_on), ("signed_on", fields.signed_on)] {
        if let Some(date) = date.filter(|d| checks.date(field, *d)) {
            if date > today {
                checks.fail(field, "in_future", "this day has not come yet");
            } else if date < episode.evaluated_on {
                checks.fail(field, "out_of_range", "on or after the evaluation");
            }
        }
    }
    let signer = checks.optional("signed_by", fields.signed_by.as_deref(), bounded_text(200, false));
    let signer = signer.flatten().filter(|s| !s.is_empty());
    if fields.signed_on.is_some() && signer.is_none() {
        checks.fail("signed_by", "required", "say who signed the plan");
    }
    if let (Some(sent), Some(signed)) = (fields.sent_on, fields.signed_on) {
        if signed < sent {
            checks.fail("signed_on", "out_of_range", "a plan is signed after it was sent");
        }
    }
    checks.finish(|| Some(()))?;
    let periods = episodes::periods(conn, &episode.id)?;
    let latest = periods.last().ok_or(ApiError::NotFound)?;
    episodes::record_signature(conn, &latest.id, fields.sent_on, fields.signed_on, signer.as_deref())?;
    on_record("episode.certification", origin, actor, &episode.patient_id).target(&episode.id).write(conn)?;
    view(conn, &episode, actor.role, zone, today)
}

/// Starts the next certification period.
pub fn recertify(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    episode_id: &str,
    fields: RecertifyFields,
    now: DateTime<Utc>,
) -> Result<EpisodeView, ApiError> {
    let episode = planned(conn, actor, origin, reason, episode_id)?;
    let (zone, today) = clinic_today(conn, now)?;
    let periods = episodes::periods(conn, &episode.id)?;
    let latest = periods.last().ok_or(ApiError::NotFound)?;
    let per_week = fields.visits_per_week.unwrap_or(episode.visits_per_week.into());
    let weeks = fields.duration_weeks.unwrap_or(episode.duration_weeks.into());
    let frequency = Frequency::new(per_week, weeks).map_err(|(field, invalid)| {
        ApiError::Validation(vec![crate::error::FieldError::new(field, invalid.code, invalid.message)])
    })?;
    let starts_on = fields.starts_on.unwrap_or(latest.ends_on + Duration::days(1));
    plausible_date("starts_on", starts_on)?;
    if starts_on <= latest.starts_on || starts_on > latest.ends_on + Duration::days(1) {
        return Err(ApiError::field(
            "starts_on",
            "out_of_range",
            "a new period starts after the latest one begins and no later than the day after it ends",
        ));
    }
    let (starts_on, ends_on) = certification::period(starts_on, frequency.days());
    let stamp = crate::db::now();
    if fields.visits_per_week.is_some() || fields.duration_weeks.is_some() {
        // The visits planned so far, and those the new period plans.
        let planned = episode.planned_visits + frequency.planned_visits() as i32;
        episodes::set_frequency(conn, &episode.id, frequency, planned, stamp)?;
    }
    episodes::insert_period(
        conn,
        &PeriodRow {
            id: new_id(),
            episode_id: episode.id.clone(),
            number: latest.number + 1,
            starts_on,
            ends_on,
            sent_on: None,
            signed_on: None,
            signed_by: None,
            created_by: Some(actor.id.clone()),
            created_at: stamp,
        },
    )?;
    on_record("episode.recertify", origin, actor, &episode.patient_id).target(&episode.id).write(conn)?;
    let episode = episodes::find(conn, &episode.id)?.ok_or(ApiError::NotFound)?;
    view(conn, &episode, actor.role, zone, today)
}
