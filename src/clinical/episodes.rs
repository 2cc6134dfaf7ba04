//! Episodes of care: a clinician opens one at or after the evaluation (at most one open per
//! patient), revises its plan, and closes it; the first certification period starts with it.
//! Reading one opens the patient's record as any clinical read does (the primary clinician, or
//! another with a reason); the front desk reads only what booking needs (the authorizations),
//! never the diagnoses or goals. Every read and write leaves an audit row.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::access::{on_record, open_record, AccessReason};
use super::episode_plan::PlanFields;
use super::episode_view::{clinic_today, view, EpisodeView};
use crate::auth::Actor;
use crate::db::appointments::{self, AppointmentRow};
use crate::db::audit::Origin;
use crate::db::episodes::{self, EpisodeRow, PeriodRow};
use crate::db::users::{self, UserRow};
use crate::db::{new_id, DbConnection};
use crate::domain::certification;
use crate::domain::role::Role;
use crate::error::fields::{bounded_text, plausible_date, Checks};
use crate::error::{ApiError, ProblemCode};

/// Who runs the plan of care.
const PLANNERS: &[Role] = &[Role::Clinician];
/// Who reads an episode: its patient, clinicians, admins, and the front desk (without the plan).
const READERS: &[Role] = &[Role::Patient, Role::Clinician, Role::Admin, Role::FrontDesk];

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct OpenEpisode {
    /// The initial evaluation's day (the clinic's date of `evaluation_appointment_id`, else today).
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub evaluated_on: Option<NaiveDate>,
    /// The evaluation visit, if it was booked here.
    pub evaluation_appointment_id: Option<String>,
    #[serde(flatten)]
    pub plan: PlanFields,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct CloseEpisode {
    /// Why the episode ends (goals met, plateau, referred on, the patient's choice, stopped
    /// attending…).
    #[schema(
        max_length = 500,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub reason: String,
    /// Defaults to today.
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub closed_on: Option<NaiveDate>,
}

/// An episode and the visits still booked ahead when it closed (for the front desk to move or
/// cancel: closing never cancels them silently).
#[derive(Debug, Clone)]
pub struct Closed {
    pub episode: EpisodeView,
    pub future_visits: Vec<AppointmentRow>,
}

/// The answer to a change of a closed episode: its plan, certification and authorizations
/// stay as they were.
pub fn closed() -> ApiError {
    ApiError::conflict(ProblemCode::EpisodeClosed, "this episode of care is closed")
}

/// The patient's record opened for `actor`: the front desk reaches only the patient (no record).
fn patient_for(
    conn: &mut DbConnection,
    actor: &Actor,
    patient_id: &str,
    reason: &AccessReason,
    origin: &Origin,
) -> Result<UserRow, ApiError> {
    actor.require(READERS)?;
    if actor.role == Role::FrontDesk {
        return users::find(conn, patient_id)?.filter(|p| p.role == Role::Patient.as_str()).ok_or(ApiError::NotFound);
    }
    open_record(conn, actor, patient_id, reason, origin)
}

/// The episode and its patient, once `actor` may see it.
pub fn open_episode(
    conn: &mut DbConnection,
    actor: &Actor,
    episode_id: &str,
    reason: &AccessReason,
    origin: &Origin,
) -> Result<(EpisodeRow, UserRow), ApiError> {
    actor.require(READERS)?;
    let episode = episodes::find(conn, episode_id)?.ok_or(ApiError::NotFound)?;
    let patient = patient_for(conn, actor, &episode.patient_id, reason, origin)?;
    Ok((episode, patient))
}

pub fn open(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    patient_id: &str,
    asked: OpenEpisode,
    now: DateTime<Utc>,
) -> Result<EpisodeView, ApiError> {
    actor.require(PLANNERS)?;
    let patient = open_record(conn, actor, patient_id, reason, origin)?;
    let plan = asked.plan.check()?;
    let (zone, today) = clinic_today(conn, now)?;
    let evaluation = match asked.evaluation_appointment_id.as_deref().filter(|a| !a.is_empty()) {
        Some(id) => Some(appointments::find(conn, id)?.filter(|a| a.patient_id == patient.id).ok_or_else(|| {
            ApiError::field("evaluation_appointment_id", "not_found", "no such visit of this patient")
        })?),
        None => None,
    };
    let evaluated_on = match (asked.evaluated_on, &evaluation) {
        (Some(day), _) => plausible_date("evaluated_on", day)?,
        (None, Some(visit)) => visit.starts_at.and_utc().with_timezone(&zone).date_naive(),
        (None, None) => today,
    };
    if evaluated_on > today {
        return Err(ApiError::field("evaluated_on", "in_future", "an episode opens at or after the evaluation"));
    }
    if episodes::open_of(conn, &patient.id)?.is_some() {
        return Err(ApiError::conflict(ProblemCode::EpisodeOpen, "this patient already has an open episode of care"));
    }
    let stamp = crate::db::now();
    let change = plan.change(stamp);
    let row = EpisodeRow {
        id: new_id(),
        patient_id: patient.id.clone(),
        clinician_id: actor.id.clone(),
        status: "open".into(),
        evaluated_on,
        evaluation_appointment_id: evaluation.as_ref().map(|e| e.id.clone()),
        treatment: change.treatment,
        visits_per_week: change.visits_per_week,
        duration_weeks: change.duration_weeks,
        planned_visits: change.planned_visits,
        referral_source: change.referral_source,
        referring_provider: change.referring_provider,
        referral_signed_on: change.referral_signed_on,
        signed_order_on_file: change.signed_order_on_file,
        closed_on: None,
        close_reason: None,
        created_at: stamp,
        updated_at: stamp,
    };
    episodes::insert(conn, &row).map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            ApiError::conflict(ProblemCode::EpisodeOpen, "this patient already has an open episode of care")
        } else {
            e.into()
        }
    })?;
    let (diagnoses, goals) = plan.rows(&row.id);
    episodes::replace_plan_lists(conn, &row.id, &diagnoses, &goals)?;
    let (starts_on, ends_on) = certification::period(evaluated_on, plan.frequency.days());
    episodes::insert_period(
        conn,
        &PeriodRow {
            id: new_id(),
            episode_id: row.id.clone(),
            number: 1,
            starts_on,
            ends_on,
            sent_on: None,
            signed_on: None,
            signed_by: None,
            created_by: Some(actor.id.clone()),
            created_at: stamp,
        },
    )?;
    // The visits already booked in the episode's time belong to it.
    let earlier: Vec<String> = episodes::of_patient(conn, &patient.id)?.into_iter().map(|e| e.id).collect();
    appointments::join_episode(conn, &patient.id, &row.id, &earlier, evaluated_on_start(zone, evaluated_on))?;
    on_record("episode.open", origin, actor, &patient.id).target(&row.id).write(conn)?;
    view(conn, &row, actor.role, zone, today)
}

fn evaluated_on_start(zone: chrono_tz::Tz, day: NaiveDate) -> chrono::NaiveDateTime {
    crate::domain::local_time::instant_or_next(zone, day.and_hms_opt(0, 0, 0).unwrap_or_default()).naive_utc()
}

/// The patient's episodes, newest first, as `actor` may see them.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    patient_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<EpisodeView>, ApiError> {
    let patient = patient_for(conn, actor, patient_id, reason, origin)?;
    let (zone, today) = clinic_today(conn, now)?;
    let rows = episodes::of_patient(conn, &patient.id)?;
    on_record("episode.list", origin, actor, &patient.id).write(conn)?;
    rows.iter().map(|row| view(conn, row, actor.role, zone, today)).collect()
}

pub fn read(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    episode_id: &str,
    now: DateTime<Utc>,
) -> Result<EpisodeView, ApiError> {
    let (episode, patient) = open_episode(conn, actor, episode_id, reason, origin)?;
    let (zone, today) = clinic_today(conn, now)?;
    on_record("episode.read", origin, actor, &patient.id).target(&episode.id).write(conn)?;
    view(conn, &episode, actor.role, zone, today)
}

/// An open episode `actor` may change the plan of.
pub fn planned(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    episode_id: &str,
) -> Result<EpisodeRow, ApiError> {
    actor.require(PLANNERS)?;
    let (episode, _) = open_episode(conn, actor, episode_id, reason, origin)?;
    // One change of the plan at a time (PostgreSQL holds the row to the commit).
    episodes::lock(conn, &episode.id, crate::db::now())?;
    let episode = episodes::find(conn, &episode.id)?.ok_or(ApiError::NotFound)?;
    if !episode.is_open() {
        return Err(closed());
    }
    Ok(episode)
}

/// Revises the plan: diagnoses, goals (with their statuses), the therapy and its frequency, the
/// referral. The current certification period keeps its dates (recertify for a new one).
pub fn revise(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    episode_id: &str,
    plan: PlanFields,
    now: DateTime<Utc>,
) -> Result<EpisodeView, ApiError> {
    let episode = planned(conn, actor, origin, reason, episode_id)?;
    let plan = plan.check()?;
    episodes::change_plan(conn, &episode.id, &plan.change(crate::db::now()))?;
    let (diagnoses, goals) = plan.rows(&episode.id);
    episodes::replace_plan_lists(conn, &episode.id, &diagnoses, &goals)?;
    on_record("episode.revise", origin, actor, &episode.patient_id).target(&episode.id).write(conn)?;
    let (zone, today) = clinic_today(conn, now)?;
    let episode = episodes::find(conn, &episode.id)?.ok_or(ApiError::NotFound)?;
    view(conn, &episode, actor.role, zone, today)
}

/// Closes the episode. Visits still booked ahead stay booked and are listed in the answer, so
/// the front desk moves or cancels them knowingly.
pub fn close(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    episode_id: &str,
    asked: CloseEpisode,
    now: DateTime<Utc>,
) -> Result<Closed, ApiError> {
    let episode = planned(conn, actor, origin, reason, episode_id)?;
    let (zone, today) = clinic_today(conn, now)?;
    let mut checks = Checks::default();
    let why = checks.field("reason", bounded_text(500, true)(&asked.reason));
    let on = asked.closed_on.unwrap_or(today);
    if on < episode.evaluated_on || on > today {
        checks.fail("closed_on", "out_of_range", "an episode closes between its evaluation and today");
    }
    let why = checks.finish(|| why)?;
    if !episodes::close(conn, &episode.id, on, &why, crate::db::now())? {
        return Err(closed());
    }
    on_record("episode.close", origin, actor, &episode.patient_id).target(&episode.id).write(conn)?;
    let future_visits = appointments::booked_of_episode_from(conn, &episode.id, now.naive_utc())?;
    let episode = episodes::find(conn, &episode.id)?.ok_or(ApiError::NotFound)?;
    Ok(Closed { episode: view(conn, &episode, actor.role, zone, today)?, future_visits })
}
