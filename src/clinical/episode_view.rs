//! An episode as the API answers it and the console shows it: the plan (not for the front desk),
//! the certification's status with its periods, treatment days, and each authorization with
//! what is used, booked and left ("visit 9 of 12, valid until 14 March").

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use super::episode_plan::{DiagnosisFields, ReferralFields};
use crate::db::episodes::{self, AuthorizationRow, EpisodeRow, PeriodRow};
use crate::db::DbConnection;
use crate::domain::authorization::{self as rules, Allowance};
use crate::domain::certification::{self, Facts, Referral, Status};
use crate::domain::plan_of_care::{Frequency, GoalStatus};
use crate::domain::role::Role;
use crate::domain::treatment_days;
use crate::error::ApiError;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GoalView {
    pub term: String,
    pub description: String,
    pub target_date: Option<NaiveDate>,
    /// `not_met`, `partly_met` or `met`.
    pub status: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanView {
    pub treatment: String,
    pub visits_per_week: i32,
    pub duration_weeks: i32,
    /// "2× a week for 6 weeks".
    pub frequency: String,
    pub diagnoses: Vec<DiagnosisFields>,
    pub goals: Vec<GoalView>,
    pub referral: ReferralFields,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodView {
    /// 1 is the initial certification, 2 and on the recertifications.
    pub number: i32,
    pub starts_on: NaiveDate,
    /// Inclusive: the planned duration or 90 calendar days, whichever is shorter.
    pub ends_on: NaiveDate,
    /// When the plan was sent to the physician or NPP for signature.
    pub sent_on: Option<NaiveDate>,
    pub signed_on: Option<NaiveDate>,
    /// The physician or NPP who signed.
    pub signed_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CertificationView {
    /// Whether the clinic follows US Medicare's certification rules.
    pub rules_on: bool,
    /// The latest period's: `not_required`, `awaiting_first_treatment`, `signed`,
    /// `met_by_referral`, `due` or `overdue`.
    pub status: String,
    /// The day the signature is (or was) due, while one is needed.
    pub due_on: Option<NaiveDate>,
    /// The latest period's last day: recertify by then to go on.
    pub recertify_by: Option<NaiveDate>,
    /// Every period, the first first.
    pub periods: Vec<PeriodView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorizationView {
    pub id: String,
    pub payer: String,
    pub reference: String,
    pub visits: i32,
    pub valid_from: NaiveDate,
    /// Inclusive.
    pub valid_to: NaiveDate,
    /// Visits that happened (arrived or completed) within its dates.
    pub used: i64,
    /// Visits booked within its dates, not yet happened.
    pub booked: i64,
    /// Visits left to book (negative when booked past it with an override).
    pub remaining: i64,
    /// The number the next visit would be: "visit 9 of 12".
    pub next_visit: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EpisodeView {
    pub id: String,
    pub patient_id: String,
    /// The clinician who opened it and runs it.
    pub clinician_id: String,
    /// `open` or `closed`.
    pub status: String,
    /// The initial evaluation's day.
    pub evaluated_on: NaiveDate,
    pub evaluation_appointment_id: Option<String>,
    pub closed_on: Option<NaiveDate>,
    /// Why it closed; absent for the front desk.
    pub close_reason: Option<String>,
    /// The visits the plan asks for in all.
    pub planned_visits: i32,
    /// Days the patient was seen in this episode (the evaluation's day always counts; two visits
    /// on one day are one treatment day), in the clinic's zone.
    pub treatment_days: i64,
    pub first_treatment_on: Option<NaiveDate>,
    /// Visits of the episode still booked ahead.
    pub visits_booked: i64,
    /// The plan of care; absent for the front desk.
    pub plan: Option<PlanView>,
    /// Absent for the front desk.
    pub certification: Option<CertificationView>,
    pub authorizations: Vec<AuthorizationView>,
    pub created_at: DateTime<Utc>,
}

/// The episode's treatment days from its visits (`treatment_days::of_episode`).
pub fn treated_days(episode: &EpisodeRow, visits: &[(chrono::NaiveDateTime, String)], zone: Tz) -> Vec<NaiveDate> {
    treatment_days::of_episode(zone, episode.evaluated_on, visits.iter().map(|(t, s)| (t.and_utc(), s.as_str())))
}

/// The clinic's zone and its date at `now`: the day the episode's rules are judged on.
pub fn clinic_today(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<(Tz, NaiveDate), ApiError> {
    let zone = crate::db::clinic::settings(conn)?.zone();
    Ok((zone, now.with_timezone(&zone).date_naive()))
}

/// The authorizations with what is counted against each.
pub fn allowances(rows: &[AuthorizationRow], visits: &[(NaiveDate, String)]) -> Vec<Allowance> {
    rows.iter()
        .map(|a| {
            let within = |status: &dyn Fn(&str) -> bool| {
                visits.iter().filter(|(d, s)| a.valid_from <= *d && *d <= a.valid_to && status(s)).count() as i64
            };
            Allowance {
                id: a.id.clone(),
                visits: a.visits.into(),
                valid_from: a.valid_from,
                valid_to: a.valid_to,
                used: within(&treatment_days::happened),
                booked: within(&|s| s == "booked"),
            }
        })
        .collect()
}

/// What is known about the latest period's certification. The initial one counts from the
/// first treatment day and may be met by the 2025 referral exception; a recertification needs
/// its signature within 30 days of its own first day.
pub fn certification_facts(
    episode: &EpisodeRow,
    periods: &[PeriodRow],
    first_treatment: Option<NaiveDate>,
    rules_on: bool,
) -> Option<Facts> {
    let latest = periods.last()?;
    let initial = latest.number == 1;
    Some(Facts {
        rules_on,
        first_treatment: if initial { first_treatment } else { Some(latest.starts_on) },
        evaluated_on: initial.then_some(episode.evaluated_on),
        referral: Referral { signed_on: episode.referral_signed_on, order_on_file: episode.signed_order_on_file },
        sent_on: latest.sent_on,
        signed_on: latest.signed_on,
    })
}

/// Where the latest period's certification stands on `today`.
pub fn certification_status(
    episode: &EpisodeRow,
    periods: &[PeriodRow],
    first_treatment: Option<NaiveDate>,
    rules_on: bool,
    today: NaiveDate,
) -> Status {
    match certification_facts(episode, periods, first_treatment, rules_on) {
        Some(facts) => certification::status(&facts, today),
        None if rules_on => Status::AwaitingFirstTreatment,
        None => Status::NotRequired,
    }
}

/// The episode as `role` may see it, on `today` in the clinic's `zone`.
pub fn view(
    conn: &mut DbConnection,
    episode: &EpisodeRow,
    role: Role,
    zone: Tz,
    today: NaiveDate,
) -> Result<EpisodeView, ApiError> {
    let raw = episodes::visits(conn, &episode.id)?;
    let treated = treated_days(episode, &raw, zone);
    let visits = treatment_days::local_dates(zone, &raw);
    let first_treatment = treated.first().copied();
    let authorizations = episodes::authorizations(conn, &episode.id)?;
    let counted = allowances(&authorizations, &visits);
    let authorizations = authorizations
        .iter()
        .zip(counted.iter())
        .map(|(row, a)| AuthorizationView {
            id: row.id.clone(),
            payer: row.payer.clone(),
            reference: row.reference.clone(),
            visits: row.visits,
            valid_from: row.valid_from,
            valid_to: row.valid_to,
            used: a.used,
            booked: a.booked,
            remaining: a.remaining(),
            next_visit: a.next_visit(),
        })
        .collect();
    let clinical = role != Role::FrontDesk;
    let (plan, certification) = if clinical {
        let plan = plan_view(conn, episode)?;
        let periods = episodes::periods(conn, &episode.id)?;
        let rules_on = episodes::settings(conn)?.certification_rules;
        let status = certification_status(episode, &periods, first_treatment, rules_on, today);
        let due_on = match status {
            Status::Due { by } => Some(by),
            Status::Overdue { since } => Some(since),
            _ => None,
        };
        let recertify_by = periods.last().filter(|_| rules_on).map(|p| p.ends_on);
        let periods = periods
            .into_iter()
            .map(|p| PeriodView {
                number: p.number,
                starts_on: p.starts_on,
                ends_on: p.ends_on,
                sent_on: p.sent_on,
                signed_on: p.signed_on,
                signed_by: p.signed_by,
            })
            .collect();
        let certification =
            CertificationView { rules_on, status: status.as_str().to_string(), due_on, recertify_by, periods };
        (Some(plan), Some(certification))
    } else {
        (None, None)
    };
    let booked_ahead = visits.iter().filter(|(d, s)| s == "booked" && *d >= today).count() as i64;
    Ok(EpisodeView {
        id: episode.id.clone(),
        patient_id: episode.patient_id.clone(),
        clinician_id: episode.clinician_id.clone(),
        status: episode.status.clone(),
        evaluated_on: episode.evaluated_on,
        evaluation_appointment_id: episode.evaluation_appointment_id.clone(),
        closed_on: episode.closed_on,
        // Free text a clinician wrote: not for the front desk.
        close_reason: episode.close_reason.clone().filter(|_| clinical),
        planned_visits: episode.planned_visits,
        treatment_days: treated.len() as i64,
        first_treatment_on: first_treatment,
        visits_booked: booked_ahead,
        plan,
        certification,
        authorizations,
        created_at: episode.created_at.and_utc(),
    })
}

fn plan_view(conn: &mut DbConnection, episode: &EpisodeRow) -> Result<PlanView, ApiError> {
    let frequency = Frequency::new(episode.visits_per_week.into(), episode.duration_weeks.into())
        .map(Frequency::in_words)
        .unwrap_or_default();
    let diagnoses = episodes::diagnoses(conn, &episode.id)?
        .into_iter()
        .map(|d| DiagnosisFields { code: d.code, description: d.description })
        .collect();
    let goals = episodes::goals(conn, &episode.id)?
        .into_iter()
        .map(|g| GoalView {
            term: g.term,
            description: g.description,
            target_date: g.target_date,
            status: GoalStatus::parse(&g.status).unwrap_or(GoalStatus::NotMet).as_str().to_string(),
        })
        .collect();
    Ok(PlanView {
        treatment: episode.treatment.clone(),
        visits_per_week: episode.visits_per_week,
        duration_weeks: episode.duration_weeks,
        frequency,
        diagnoses,
        goals,
        referral: ReferralFields {
            source: episode.referral_source.clone(),
            referring_provider: episode.referring_provider.clone(),
            signed_on: episode.referral_signed_on,
            order_on_file: episode.signed_order_on_file,
        },
    })
}

/// Whether visits on `dates` fit the episode's authorizations (`rules::place`), counting the
/// episode's visits but `leaving_out` (a visit about to move).
pub fn fits_authorizations(
    conn: &mut DbConnection,
    episode_id: &str,
    zone: Tz,
    dates: &[NaiveDate],
    leaving_out: Option<&str>,
) -> Result<Result<(), (usize, rules::Breach)>, ApiError> {
    let visits = treatment_days::local_dates(zone, &episodes::visits_but(conn, episode_id, leaving_out)?);
    let rows = episodes::authorizations(conn, episode_id)?;
    Ok(rules::place_all(&allowances(&rows, &visits), dates))
}

/// In the patient's open episode: the visits that happened so far and those the plan asks for
/// (the weekly summary's "visit 5 of 12"); `None` outside an episode.
pub fn visits_so_far(conn: &mut DbConnection, patient_id: &str) -> Result<Option<(i64, i64)>, ApiError> {
    let Some(episode) = episodes::open_of(conn, patient_id)? else { return Ok(None) };
    let done = episodes::visits(conn, &episode.id)?.iter().filter(|(_, s)| treatment_days::happened(s)).count();
    Ok(Some((done as i64, episode.planned_visits.into())))
}
