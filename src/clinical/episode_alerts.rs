//! The episode's items on the clinician's worklist, each raised once and cleared by the sweep
//! when what raised it is resolved: the certification unsigned 21 days after the first
//! treatment; a recertification due within 7 days or overdue; an authorization with 2 or fewer
//! visits left or ending within 7 days; under-scheduled (fewer visits booked over the next 14
//! days than the frequency needs); an open episode with no future visit; worsening (a check-in
//! whose NRS or ODI is a meaningful change worse than the baseline).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::json;

use super::episode_view::{allowances, certification_facts, certification_status, treated_days};
use super::progress::series;
use crate::db::alerts::{self, Raised};
use crate::db::episodes::{self, EpisodeRow, EpisodeSettings};
use crate::db::{clinic, DbConnection, DbPool};
use crate::domain::certification::{self, Recertification, Status};
use crate::domain::outcomes::Measure;
use crate::domain::plan_of_care::{self, Frequency};
use crate::domain::progress::is_worse;
use crate::domain::treatment_days;
use crate::error::ApiError;

/// The kinds this sweep raises and clears.
pub const KINDS: [&str; 6] = [
    "certification_unsigned",
    "recertification_due",
    "authorization_low",
    "under_scheduled",
    "no_future_visit",
    "worsening",
];

/// After a clinician acknowledges an item, the same cause does not raise it again for this long
/// (acknowledging means "seen, acting").
pub const QUIET_DAYS_AFTER_ACKNOWLEDGED: i64 = 7;

/// What is wrong with an episode on a day: each kind with its severity and detail.
fn findings(
    conn: &mut DbConnection,
    episode: &EpisodeRow,
    settings: &EpisodeSettings,
    zone: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Result<Vec<(&'static str, &'static str, serde_json::Value)>, ApiError> {
    let today = now.with_timezone(&zone).date_naive();
    let mut found = Vec::new();
    let raw = episodes::visits(conn, &episode.id)?;
    let first = treated_days(episode, &raw, zone).first().copied();
    let periods = episodes::periods(conn, &episode.id)?;
    let rules_on = settings.certification_rules;
    let status = certification_status(episode, &periods, first, rules_on, today);
    let facts = certification_facts(episode, &periods, first, rules_on);
    if facts.as_ref().is_some_and(|f| certification::chase_signature(f, today)) {
        let (severity, due) = match status {
            Status::Overdue { since } => ("urgent", since),
            Status::Due { by } => ("warning", by),
            _ => ("warning", today),
        };
        found.push(("certification_unsigned", severity, json!({"episode_id": episode.id, "due_on": due})));
    }
    if let Some(latest) = periods.last() {
        match certification::recertification(rules_on, latest.ends_on, today) {
            Some(Recertification::DueSoon { by }) => {
                found.push(("recertification_due", "warning", json!({"episode_id": episode.id, "due_on": by})))
            }
            Some(Recertification::Overdue { since }) => {
                found.push(("recertification_due", "urgent", json!({"episode_id": episode.id, "due_on": since})))
            }
            None => {}
        }
    }
    let local = treatment_days::local_dates(zone, &raw);
    let rows = episodes::authorizations(conn, &episode.id)?;
    if let Some(low) = allowances(&rows, &local).into_iter().find(|a| a.needs_attention(today)) {
        let detail = json!({"episode_id": episode.id, "authorization_id": low.id, "remaining": low.remaining(),
            "valid_to": low.valid_to});
        found.push(("authorization_low", "warning", detail));
    }
    let ahead: Vec<NaiveDate> = local.iter().filter(|(d, s)| s == "booked" && *d >= today).map(|(d, _)| *d).collect();
    if ahead.is_empty() {
        found.push(("no_future_visit", "warning", json!({"episode_id": episode.id})));
    } else if let Ok(plan) = Frequency::new(episode.visits_per_week.into(), episode.duration_weeks.into()) {
        let period_ends = periods.last().map_or(NaiveDate::MAX, |p| p.ends_on);
        if let Some((booked, needed, days)) = plan_of_care::under_scheduled(plan, today, period_ends, &ahead) {
            let detail = json!({"episode_id": episode.id, "booked": booked, "needed": needed, "days": days});
            found.push(("under_scheduled", "warning", detail));
        }
    }
    let progress = series(conn, &episode.patient_id)?;
    let (nrs, odi) = (progress.summary(Measure::Nrs, today), progress.summary(Measure::Odi, today));
    let value = |s: &Option<crate::domain::progress::Summary>, latest: bool| {
        s.as_ref().map(|s| if latest { s.latest.value } else { s.baseline.value })
    };
    let points = (f64::from(settings.worsening_nrs_points), f64::from(settings.worsening_odi_points));
    if is_worse((value(&nrs, false), value(&odi, false)), (value(&nrs, true), value(&odi, true)), points) {
        let detail = json!({"episode_id": episode.id, "nrs": [value(&nrs, false), value(&nrs, true)],
            "odi": [value(&odi, false), value(&odi, true)]});
        found.push(("worsening", "warning", detail));
    }
    Ok(found)
}

/// Raises what is wrong and clears what is no longer; the number of items it opened.
fn settle(
    conn: &mut DbConnection,
    patient_id: &str,
    found: &[(&'static str, &'static str, serde_json::Value)],
    now: chrono::NaiveDateTime,
) -> Result<usize, ApiError> {
    let mut opened = 0;
    for kind in KINDS {
        match found.iter().find(|(k, _, _)| *k == kind) {
            Some((_, severity, detail)) => {
                let quiet = Duration::days(QUIET_DAYS_AFTER_ACKNOWLEDGED);
                if alerts::last_acknowledged(conn, patient_id, kind)?.is_some_and(|at| now - at < quiet) {
                    continue;
                }
                if matches!(
                    alerts::raise(conn, patient_id, kind, severity, Some(detail.to_string()), now)?,
                    Raised::New(_)
                ) {
                    opened += 1;
                }
            }
            None => {
                alerts::resolve(conn, patient_id, kind, now)?;
            }
        }
    }
    Ok(opened)
}

/// The sweep over every open episode (and the patients whose episode closed with items still
/// open), one transaction each. Returns how many items it opened.
pub async fn sweep(pool: &DbPool, now: DateTime<Utc>) -> Result<usize, ApiError> {
    let (open, stale) =
        crate::db::run(pool, |conn| Ok((episodes::open_ids(conn)?, alerts::patients_with_open(conn, &KINDS)?))).await?;
    let stamp = chrono::SubsecRound::trunc_subsecs(now.naive_utc(), 6);
    let mut opened = 0;
    let mut seen = std::collections::HashSet::new();
    for id in open {
        opened += crate::db::transaction(pool, move |conn| {
            let Some(episode) = episodes::find(conn, &id)?.filter(EpisodeRow::is_open) else { return Ok((0, None)) };
            let settings = episodes::settings(conn)?;
            let zone = clinic::settings(conn)?.zone();
            let found = findings(conn, &episode, &settings, zone, now)?;
            Ok((settle(conn, &episode.patient_id, &found, stamp)?, Some(episode.patient_id)))
        })
        .await
        .map(|(n, patient)| {
            seen.extend(patient);
            n
        })?;
    }
    for patient_id in stale.into_iter().filter(|p| !seen.contains(p)) {
        crate::db::transaction(pool, move |conn| settle(conn, &patient_id, &[], stamp)).await?;
    }
    Ok(opened)
}
