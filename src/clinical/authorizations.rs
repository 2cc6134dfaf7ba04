//! A payer's authorizations on an episode: the payer, its reference number, the visits it
//! allows and the dates they are valid. The front desk records them as clinicians and admins
//! do; what is used, booked and left is counted from the episode's visits (`episode_view`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::access::{on_record, AccessReason};
use super::episode_view::{clinic_today, view, EpisodeView};
use super::episodes::{closed, open_episode};
use crate::auth::Actor;
use crate::db::audit::Origin;
use crate::db::episodes::{self, AuthorizationRow, EpisodeRow};
use crate::db::{new_id, DbConnection};
use crate::domain::role::Role;
use crate::error::fields::{bounded_text, within, Checks};
use crate::error::ApiError;

/// Who records a payer's authorization.
const RECORDERS: &[Role] = &[Role::FrontDesk, Role::Clinician, Role::Admin];

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct AuthorizationFields {
    #[schema(
        example = "Blue Cross",
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub payer: String,
    /// The payer's reference or authorization number.
    #[schema(
        example = "AUTH-2027-0042",
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub reference: String,
    #[schema(minimum = 1, maximum = 200, example = 12)]
    pub visits: i64,
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub valid_from: NaiveDate,
    /// Inclusive.
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub valid_to: NaiveDate,
}

struct Checked {
    payer: String,
    reference: String,
    visits: i32,
}

impl AuthorizationFields {
    fn check(&self) -> Result<Checked, ApiError> {
        let mut checks = Checks::default();
        let payer = checks.field("payer", bounded_text(200, true)(&self.payer));
        let reference = checks.field("reference", bounded_text(100, true)(&self.reference));
        let visits = checks.field("visits", within(1, 200)(self.visits));
        for (field, date) in [("valid_from", self.valid_from), ("valid_to", self.valid_to)] {
            checks.date(field, date);
        }
        if self.valid_to < self.valid_from {
            checks.fail("valid_to", "out_of_range", "an authorization ends on or after the day it starts");
        }
        checks.finish(|| Some(Checked { payer: payer?, reference: reference?, visits: visits? as i32 }))
    }
}

fn writable(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    episode_id: &str,
) -> Result<EpisodeRow, ApiError> {
    actor.require(RECORDERS)?;
    let (episode, _) = open_episode(conn, actor, episode_id, reason, origin)?;
    if !episode.is_open() {
        return Err(closed());
    }
    Ok(episode)
}

fn answer(
    conn: &mut DbConnection,
    actor: &Actor,
    episode: &EpisodeRow,
    now: DateTime<Utc>,
) -> Result<EpisodeView, ApiError> {
    let (zone, today) = clinic_today(conn, now)?;
    view(conn, episode, actor.role, zone, today)
}

pub fn add(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    episode_id: &str,
    fields: AuthorizationFields,
    now: DateTime<Utc>,
) -> Result<(String, EpisodeView), ApiError> {
    let episode = writable(conn, actor, origin, reason, episode_id)?;
    let checked = fields.check()?;
    let row = AuthorizationRow {
        id: new_id(),
        episode_id: episode.id.clone(),
        payer: checked.payer,
        reference: checked.reference,
        visits: checked.visits,
        valid_from: fields.valid_from,
        valid_to: fields.valid_to,
        created_by: Some(actor.id.clone()),
        created_at: crate::db::now(),
    };
    episodes::insert_authorization(conn, &row)?;
    on_record("authorization.create", origin, actor, &episode.patient_id).target(&row.id).write(conn)?;
    Ok((row.id, answer(conn, actor, &episode, now)?))
}

pub fn change(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    authorization_id: &str,
    fields: AuthorizationFields,
    now: DateTime<Utc>,
) -> Result<EpisodeView, ApiError> {
    actor.require(RECORDERS)?;
    let existing = episodes::find_authorization(conn, authorization_id)?.ok_or(ApiError::NotFound)?;
    let episode = writable(conn, actor, origin, reason, &existing.episode_id)?;
    let checked = fields.check()?;
    let row = AuthorizationRow {
        payer: checked.payer,
        reference: checked.reference,
        visits: checked.visits,
        valid_from: fields.valid_from,
        valid_to: fields.valid_to,
        ..existing
    };
    episodes::update_authorization(conn, &row)?;
    on_record("authorization.update", origin, actor, &episode.patient_id).target(&row.id).write(conn)?;
    answer(conn, actor, &episode, now)
}
