//! Logging sessions from the phone (offline-first: the phone makes the id, so a log sent twice is
//! stored once) and the adherence figures built from them.

use crate::http::json::Json;
use actix_web::{get, put, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Actor;
use crate::clinical::access::AccessReason;
use crate::clinical::adherence::{self, DatedFigure};
use crate::clinical::exercise_logs::{self, LogEntry, Recorded};
use crate::db;
use crate::db::audit::Origin;
use crate::db::exercise_logs::LogRow;
use crate::domain::role::Role;
use crate::error::fields::{free_text, plausible_date};
use crate::error::{ApiError, Problem};
use crate::http::paging::{self, PageParams};
use crate::http::phone_made;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoggedItem {
    /// The item's position in the program version.
    pub position: i32,
    pub sets: Option<i32>,
    pub reps: Option<i32>,
    pub hold_seconds: Option<i32>,
    pub duration_seconds: Option<i32>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct LogRequest {
    pub program_version_id: String,
    /// The patient's local date the session was done (a log sent late counts for that day).
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub performed_on: NaiveDate,
    /// At most 50 items.
    #[schema(max_items = 50)]
    pub items: Vec<LoggedItem>,
    /// Pain during the session, 0 to 10.
    #[schema(minimum = 0, maximum = 10)]
    pub pain: Option<i32>,
    /// Effort, 0 to 10.
    #[schema(minimum = 0, maximum = 10)]
    pub effort: Option<i32>,
    /// At most 1000 characters.
    #[schema(max_length = 1000, pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$")]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExerciseLog {
    pub id: String,
    pub program_id: String,
    pub program_version_id: String,
    pub performed_on: NaiveDate,
    pub items: Vec<LoggedItem>,
    pub pain: Option<i32>,
    pub effort: Option<i32>,
    pub note: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl From<LogRow> for ExerciseLog {
    fn from(row: LogRow) -> Self {
        Self {
            items: serde_json::from_str(&row.items).unwrap_or_default(),
            id: row.id,
            program_id: row.program_id,
            program_version_id: row.program_version_id,
            performed_on: row.performed_on,
            pain: row.pain,
            effort: row.effort,
            note: row.note,
            updated_at: row.updated_at.and_utc(),
        }
    }
}

fn scale(field: &str, value: Option<i32>) -> Result<Option<i32>, ApiError> {
    match value {
        Some(v) if !(0..=10).contains(&v) => Err(ApiError::field(field, "out_of_range", "0 to 10")),
        other => Ok(other),
    }
}

#[utoipa::path(
    operation_id = "putExerciseLog",
    summary = "Record an exercise session",
    tag = "programs",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "A UUID the phone generated for this log")),
    request_body = LogRequest,
    responses(
        (status = 201, description = "Stored", body = ExerciseLog),
        (status = 200, description = "Already stored under this id (replaced with this content)", body = ExerciseLog),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/exercise-logs/{id}")]
pub async fn put_log(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
    body: Json<LogRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Patient])?;
    let id = phone_made::id(path.into_inner(), "a log id is a UUID made by the app")?;
    let body = body.into_inner();
    plausible_date("performed_on", body.performed_on)?;
    let (pain, effort) = (scale("pain", body.pain)?, scale("effort", body.effort)?);
    let note = free_text("note", body.note.as_deref(), 1000)?;
    if body.items.len() > 50 {
        return Err(ApiError::field("items", "too_many", "at most 50 items"));
    }
    let items = serde_json::to_string(&body.items).map_err(ApiError::internal)?;
    let entry = LogEntry {
        program_version_id: body.program_version_id,
        performed_on: body.performed_on,
        items,
        pain,
        effort,
        note,
    };
    let Recorded { created, row } =
        db::transaction(&state.pool, move |conn| exercise_logs::record(conn, &user, &meta, &id, entry)).await?;
    Ok(phone_made::stored(created, &ExerciseLog::from(row)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogPage {
    pub items: Vec<ExerciseLog>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SyncQuery {
    /// Only logs changed after this instant.
    pub since: Option<DateTime<Utc>>,
}

async fn logs_page(
    state: &AppState,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    patient_id: String,
    since: Option<DateTime<Utc>>,
    page: &PageParams,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit()?;
    let after = match page.time_cursor()? {
        Some(cursor) => Some(cursor),
        None => since.map(|t| (t.naive_utc(), String::new())),
    };
    let rows = db::run(&state.pool, move |conn| {
        exercise_logs::changed_since(conn, &user, &meta, &reason, &patient_id, after, limit + 1)
    })
    .await?;
    let (items, next_cursor) =
        paging::page(rows, limit, |r| paging::encode_time_cursor(r.updated_at, &r.id), ExerciseLog::from);
    Ok(HttpResponse::Ok().json(LogPage { items, next_cursor }))
}

#[utoipa::path(
    operation_id = "listMyExerciseLogs",
    summary = "List my exercise sessions",
    tag = "programs",
    security(("bearer" = [])),
    params(SyncQuery, PageParams),
    responses((status = 200, description = "Oldest change first", body = LogPage), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[get("/v1/me/exercise-logs")]
pub async fn my_logs(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    query: web::Query<SyncQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Patient])?;
    let id = user.id.clone();
    logs_page(&state, user, meta, AccessReason::default(), id, query.since, &page).await
}

#[utoipa::path(
    operation_id = "listPatientExerciseLogs",
    summary = "List a patient's exercise sessions",
    tag = "programs",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The patient's id"), AccessReason, SyncQuery, PageParams),
    responses(
        (status = 200, body = LogPage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/patients/{id}/exercise-logs")]
pub async fn patient_logs(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
    query: web::Query<SyncQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    logs_page(&state, user, meta, reason, path.into_inner(), query.since, &page).await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WeekFigure {
    /// The Monday the ISO week starts on.
    pub week_of: NaiveDate,
    pub prescribed: f64,
    pub done: u32,
    /// 0 to 100; absent when nothing was asked for.
    pub percent: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Adherence {
    pub program_id: Option<String>,
    /// The patient's local date the figures are for.
    pub today: NaiveDate,
    pub weeks: Vec<WeekFigure>,
    pub last_14_days: Option<WeekFigure>,
    /// Consecutive asked-for days done, counting back from today.
    pub current_streak: u32,
}

impl From<DatedFigure> for WeekFigure {
    fn from(f: DatedFigure) -> Self {
        Self { week_of: f.from, prescribed: f.figure.prescribed, done: f.figure.done, percent: f.figure.percent }
    }
}

impl From<adherence::Adherence> for Adherence {
    fn from(a: adherence::Adherence) -> Self {
        Self {
            program_id: a.program_id,
            today: a.today,
            weeks: a.weeks.into_iter().map(WeekFigure::from).collect(),
            last_14_days: a.last_14_days.map(WeekFigure::from),
            current_streak: a.current_streak,
        }
    }
}

#[utoipa::path(
    operation_id = "getMyAdherence",
    summary = "Get my program adherence",
    tag = "programs",
    security(("bearer" = [])),
    responses((status = 200, body = Adherence), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[get("/v1/me/adherence")]
pub async fn my_adherence(state: web::Data<AppState>, user: Actor) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Patient])?;
    let figures = db::run(&state.pool, move |conn| adherence::of_patient(conn, &user.id)).await?;
    Ok(HttpResponse::Ok().json(Adherence::from(figures)))
}

#[utoipa::path(
    operation_id = "getPatientAdherence",
    summary = "Get a patient's program adherence",
    tag = "programs",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The patient's id"), AccessReason),
    responses(
        (status = 200, body = Adherence),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/patients/{id}/adherence")]
pub async fn patient_adherence(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let figures = db::run(&state.pool, move |conn| adherence::read(conn, &user, &meta, &reason, &id)).await?;
    Ok(HttpResponse::Ok().json(Adherence::from(figures)))
}
