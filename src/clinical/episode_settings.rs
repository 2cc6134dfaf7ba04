//! The clinic's settings for episodes of care: whether US Medicare's certification rules apply
//! (on by default; a clinic elsewhere turns them off), what booking past a payer's authorization
//! does (`refuse` unless staff give a reason, or `warn`), and how many points worse than the
//! baseline a check-in's NRS or ODI must be to count as worsening (CLINICAL.md's MCIDs: 2 and 10).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::db::audit::{AuditEntry, Origin};
use crate::db::episodes::{self, EpisodeSettings};
use crate::db::DbConnection;
use crate::error::fields::{within, Checks};
use crate::error::ApiError;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EpisodeSettingsView {
    /// US Medicare's certification rules: the 90-day period, the signature due 30 days after the
    /// first treatment, recertification (default on).
    pub certification_rules: bool,
    /// `refuse` (409, unless staff give an override reason; the default) or `warn` (booked, with
    /// `authorization_warning` in the answer).
    #[schema(pattern = "^(refuse|warn)$")]
    pub authorization_overrun: String,
    /// A check-in whose NRS is this many points worse than the baseline is worsening (1–10; default 2).
    #[schema(minimum = 1, maximum = 10)]
    pub worsening_nrs_points: i32,
    /// A check-in whose ODI is this many points worse than the baseline is worsening (1–50; default 10).
    #[schema(minimum = 1, maximum = 50)]
    pub worsening_odi_points: i32,
}

impl From<EpisodeSettings> for EpisodeSettingsView {
    fn from(s: EpisodeSettings) -> Self {
        Self {
            certification_rules: s.certification_rules,
            authorization_overrun: s.authorization_overrun,
            worsening_nrs_points: s.worsening_nrs_points,
            worsening_odi_points: s.worsening_odi_points,
        }
    }
}

impl EpisodeSettingsView {
    pub fn check(self) -> Result<EpisodeSettings, ApiError> {
        let mut checks = Checks::default();
        if !["refuse", "warn"].contains(&self.authorization_overrun.as_str()) {
            checks.fail("authorization_overrun", "invalid", "refuse or warn");
        }
        let nrs = checks.field("worsening_nrs_points", within(1, 10)(self.worsening_nrs_points.into()));
        let odi = checks.field("worsening_odi_points", within(1, 50)(self.worsening_odi_points.into()));
        checks.finish(|| {
            Some(EpisodeSettings {
                certification_rules: self.certification_rules,
                authorization_overrun: self.authorization_overrun,
                worsening_nrs_points: nrs? as i32,
                worsening_odi_points: odi? as i32,
            })
        })
    }
}

pub fn current(conn: &mut DbConnection) -> Result<EpisodeSettingsView, ApiError> {
    Ok(episodes::settings(conn)?.into())
}

/// Puts checked settings in force, audited. Run it in a write transaction.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    settings: &EpisodeSettings,
) -> Result<EpisodeSettingsView, ApiError> {
    episodes::save_settings(conn, settings)?;
    AuditEntry::new("clinic.episode_settings.update", origin).actor(&actor.id, actor.role).write(conn)?;
    current(conn)
}
