//! Episodes of care and what hangs on them: diagnoses, goals, certification periods and the
//! payer's authorizations. At most one episode per patient is open (a partial unique index).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    appointments, authorizations, certification_periods, clinic_settings, episode_diagnoses, episode_goals, episodes,
    visit_series,
};
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = episodes)]
pub struct EpisodeRow {
    pub id: String,
    pub patient_id: String,
    pub clinician_id: String,
    pub status: String,
    pub evaluated_on: NaiveDate,
    pub evaluation_appointment_id: Option<String>,
    pub treatment: String,
    pub visits_per_week: i32,
    pub duration_weeks: i32,
    pub planned_visits: i32,
    pub referral_source: Option<String>,
    pub referring_provider: Option<String>,
    pub referral_signed_on: Option<NaiveDate>,
    pub signed_order_on_file: bool,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl EpisodeRow {
    pub fn is_open(&self) -> bool {
        self.status == "open"
    }
}

/// What a revision of the plan changes.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = episodes, treat_none_as_null = true)]
pub struct PlanChange {
    pub treatment: String,
    pub visits_per_week: i32,
    pub duration_weeks: i32,
    pub planned_visits: i32,
    pub referral_source: Option<String>,
    pub referring_provider: Option<String>,
    pub referral_signed_on: Option<NaiveDate>,
    pub signed_order_on_file: bool,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = episode_diagnoses)]
pub struct DiagnosisRow {
    pub id: String,
    pub episode_id: String,
    pub position: i32,
    pub code: String,
    pub description: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = episode_goals)]
pub struct GoalRow {
    pub id: String,
    pub episode_id: String,
    pub position: i32,
    pub term: String,
    pub description: String,
    pub target_date: Option<NaiveDate>,
    pub status: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = certification_periods)]
pub struct PeriodRow {
    pub id: String,
    pub episode_id: String,
    pub number: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub sent_on: Option<NaiveDate>,
    pub signed_on: Option<NaiveDate>,
    pub signed_by: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = authorizations)]
pub struct AuthorizationRow {
    pub id: String,
    pub episode_id: String,
    pub payer: String,
    pub reference: String,
    pub visits: i32,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = visit_series)]
pub struct SeriesRow {
    pub id: String,
    pub episode_id: String,
    pub clinician_id: String,
    pub appointment_type_id: String,
    /// The weekdays and local times asked for (JSON).
    pub weekly: String,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert_series(conn: &mut DbConnection, row: &SeriesRow) -> QueryResult<()> {
    diesel::insert_into(visit_series::table).values(row).execute(conn).map(|_| ())
}

/// The clinic's settings for episodes.
#[derive(Debug, Clone, Queryable, Selectable, AsChangeset)]
#[diesel(table_name = clinic_settings)]
pub struct EpisodeSettings {
    /// US Medicare's certification rules apply (on by default).
    pub certification_rules: bool,
    /// `refuse` (unless an override reason is given) or `warn`.
    pub authorization_overrun: String,
    pub worsening_nrs_points: i32,
    pub worsening_odi_points: i32,
}

pub fn settings(conn: &mut DbConnection) -> QueryResult<EpisodeSettings> {
    clinic_settings::table.find(1).select(EpisodeSettings::as_select()).first(conn)
}

pub fn save_settings(conn: &mut DbConnection, settings: &EpisodeSettings) -> QueryResult<()> {
    diesel::update(clinic_settings::table.find(1)).set(settings).execute(conn).map(|_| ())
}

pub fn insert(conn: &mut DbConnection, row: &EpisodeRow) -> QueryResult<()> {
    diesel::insert_into(episodes::table).values(row).execute(conn).map(|_| ())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<EpisodeRow>> {
    episodes::table.find(id).select(EpisodeRow::as_select()).first(conn).optional()
}

/// The patient's episodes, newest first.
pub fn of_patient(conn: &mut DbConnection, patient_id: &str) -> QueryResult<Vec<EpisodeRow>> {
    episodes::table
        .filter(episodes::patient_id.eq(patient_id))
        .order((episodes::created_at.desc(), episodes::id.desc()))
        .select(EpisodeRow::as_select())
        .load(conn)
}

pub fn open_of(conn: &mut DbConnection, patient_id: &str) -> QueryResult<Option<EpisodeRow>> {
    episodes::table
        .filter(episodes::patient_id.eq(patient_id))
        .filter(episodes::status.eq("open"))
        .select(EpisodeRow::as_select())
        .first(conn)
        .optional()
}

/// Every open episode's id (the worklist's sweep).
pub fn open_ids(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    episodes::table.filter(episodes::status.eq("open")).order(episodes::id).select(episodes::id).load(conn)
}

/// Takes the episode's row lock (PostgreSQL) or the write lock (SQLite) before counting its
/// visits, so two bookings against one authorization are counted one after the other.
pub fn lock(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(episodes::table.find(id)).set(episodes::updated_at.eq(now)).execute(conn).map(|n| n == 1)
}

pub fn change_plan(conn: &mut DbConnection, id: &str, change: &PlanChange) -> QueryResult<()> {
    diesel::update(episodes::table.find(id)).set(change).execute(conn).map(|_| ())
}

/// A recertification's new frequency and the visits planned in all.
pub fn set_frequency(
    conn: &mut DbConnection,
    id: &str,
    frequency: crate::domain::plan_of_care::Frequency,
    planned_visits: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(episodes::table.find(id))
        .set((
            episodes::visits_per_week.eq(frequency.per_week as i32),
            episodes::duration_weeks.eq(frequency.weeks as i32),
            episodes::planned_visits.eq(planned_visits),
            episodes::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn close(conn: &mut DbConnection, id: &str, on: NaiveDate, reason: &str, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(episodes::table.find(id).filter(episodes::status.eq("open")))
        .set((
            episodes::status.eq("closed"),
            episodes::closed_on.eq(on),
            episodes::close_reason.eq(reason),
            episodes::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

pub fn diagnoses(conn: &mut DbConnection, episode_id: &str) -> QueryResult<Vec<DiagnosisRow>> {
    episode_diagnoses::table
        .filter(episode_diagnoses::episode_id.eq(episode_id))
        .order(episode_diagnoses::position)
        .select(DiagnosisRow::as_select())
        .load(conn)
}

pub fn goals(conn: &mut DbConnection, episode_id: &str) -> QueryResult<Vec<GoalRow>> {
    episode_goals::table
        .filter(episode_goals::episode_id.eq(episode_id))
        .order(episode_goals::position)
        .select(GoalRow::as_select())
        .load(conn)
}

/// Replaces the episode's diagnoses and goals with these.
pub fn replace_plan_lists(
    conn: &mut DbConnection,
    episode_id: &str,
    diagnoses: &[DiagnosisRow],
    goals: &[GoalRow],
) -> QueryResult<()> {
    diesel::delete(episode_diagnoses::table.filter(episode_diagnoses::episode_id.eq(episode_id))).execute(conn)?;
    diesel::delete(episode_goals::table.filter(episode_goals::episode_id.eq(episode_id))).execute(conn)?;
    for row in diagnoses {
        diesel::insert_into(episode_diagnoses::table).values(row).execute(conn)?;
    }
    for row in goals {
        diesel::insert_into(episode_goals::table).values(row).execute(conn)?;
    }
    Ok(())
}

pub fn periods(conn: &mut DbConnection, episode_id: &str) -> QueryResult<Vec<PeriodRow>> {
    certification_periods::table
        .filter(certification_periods::episode_id.eq(episode_id))
        .order(certification_periods::number)
        .select(PeriodRow::as_select())
        .load(conn)
}

pub fn insert_period(conn: &mut DbConnection, row: &PeriodRow) -> QueryResult<()> {
    diesel::insert_into(certification_periods::table).values(row).execute(conn).map(|_| ())
}

/// Records when the plan was sent for signature and when (and by whom) it was signed.
pub fn record_signature(
    conn: &mut DbConnection,
    period_id: &str,
    sent_on: Option<NaiveDate>,
    signed_on: Option<NaiveDate>,
    signed_by: Option<&str>,
) -> QueryResult<()> {
    diesel::update(certification_periods::table.find(period_id))
        .set((
            certification_periods::sent_on.eq(sent_on),
            certification_periods::signed_on.eq(signed_on),
            certification_periods::signed_by.eq(signed_by),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn authorizations(conn: &mut DbConnection, episode_id: &str) -> QueryResult<Vec<AuthorizationRow>> {
    authorizations::table
        .filter(authorizations::episode_id.eq(episode_id))
        .order((authorizations::valid_from, authorizations::id))
        .select(AuthorizationRow::as_select())
        .load(conn)
}

pub fn find_authorization(conn: &mut DbConnection, id: &str) -> QueryResult<Option<AuthorizationRow>> {
    authorizations::table.find(id).select(AuthorizationRow::as_select()).first(conn).optional()
}

pub fn insert_authorization(conn: &mut DbConnection, row: &AuthorizationRow) -> QueryResult<()> {
    diesel::insert_into(authorizations::table).values(row).execute(conn).map(|_| ())
}

pub fn update_authorization(conn: &mut DbConnection, row: &AuthorizationRow) -> QueryResult<()> {
    diesel::update(authorizations::table.find(&row.id))
        .set((
            authorizations::payer.eq(&row.payer),
            authorizations::reference.eq(&row.reference),
            authorizations::visits.eq(row.visits),
            authorizations::valid_from.eq(row.valid_from),
            authorizations::valid_to.eq(row.valid_to),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The episode's visits: start and status, in order.
pub fn visits(conn: &mut DbConnection, episode_id: &str) -> QueryResult<Vec<(NaiveDateTime, String)>> {
    visits_but(conn, episode_id, None)
}

/// The episode's visits but the one `leaving_out`.
pub fn visits_but(
    conn: &mut DbConnection,
    episode_id: &str,
    leaving_out: Option<&str>,
) -> QueryResult<Vec<(NaiveDateTime, String)>> {
    appointments::table
        .filter(appointments::episode_id.eq(episode_id))
        .filter(appointments::id.ne(leaving_out.unwrap_or_default()))
        .order(appointments::starts_at)
        .select((appointments::starts_at, appointments::status))
        .load(conn)
}
