//! Weekly check-ins from the phone (offline-first: the phone makes the id, so one sent twice is
//! stored once): pain, ODI, PSFS, sleep, confidence and the red-flag questions. The answer
//! carries the computed scores and, for a positive red flag, the advice to show at once.

use std::collections::BTreeMap;

use crate::http::json::Json;
use actix_web::{get, put, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::views::RedFlagAdvice;
use crate::auth::Actor;
use crate::clinical::access::AccessReason;
use crate::clinical::check_ins::{self, CheckInAnswers};
use crate::clinical::worklist;
use crate::db;
use crate::db::audit::Origin;
use crate::db::check_ins::CheckInRow;
use crate::domain::outcomes::{self, OdiBand};
use crate::domain::red_flags::{self, Screening, Severity};
use crate::domain::role::Role;
use crate::error::fields::{free_text, plausible_date, Checks};
use crate::error::{ApiError, Problem};
use crate::http::check_in_cursor;
use crate::http::paging::{self, PageParams};
use crate::http::phone_made;
use crate::state::AppState;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct CheckInRequest {
    /// The patient's local date it was filled in (one sent late counts for that day).
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub completed_on: NaiveDate,
    /// Pain now, 0–10.
    #[schema(minimum = 0, maximum = 10)]
    pub pain_now: i32,
    /// Average pain over the last 7 days, 0–10.
    #[schema(minimum = 0, maximum = 10)]
    pub pain_average: i32,
    /// Worst pain over the last 7 days, 0–10.
    #[schema(minimum = 0, maximum = 10)]
    pub pain_worst: i32,
    /// The ten ODI sections in order (pain intensity … travelling), each 0–5, null where skipped.
    #[serde(default)]
    #[schema(schema_with = crate::http::schemas::odi_or_null)]
    pub odi: Option<Vec<Option<i32>>>,
    /// Ratings 0–10 of the patient's PSFS activities, in their order (see `GET /v1/me/progress`).
    #[serde(default)]
    #[schema(schema_with = crate::http::schemas::ratings_or_null)]
    pub psfs: Option<Vec<i32>>,
    /// Sleep quality this week, 0 (very poor) to 10 (very good).
    #[schema(minimum = 0, maximum = 10)]
    pub sleep_quality: Option<i32>,
    /// Confidence with the exercises, 0 to 10.
    #[schema(minimum = 0, maximum = 10)]
    pub exercise_confidence: Option<i32>,
    /// At most 2000 characters.
    #[schema(max_length = 2000, pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$")]
    pub note: Option<String>,
    /// The red-flag questions answered, by id (`GET /v1/red-flag-questions`); absent means no.
    #[serde(default)]
    #[schema(schema_with = crate::http::schemas::red_flags)]
    pub red_flags: BTreeMap<String, bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Scores {
    /// ODI in percent; absent when too few sections were answered (a clinic setting, default 8).
    pub odi_percent: Option<f64>,
    /// `minimal`, `moderate`, `severe`, `crippled` or `bed_bound`.
    pub odi_band: Option<String>,
    pub odi_sections_answered: usize,
    /// The mean of the PSFS ratings.
    pub psfs_mean: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckIn {
    pub id: String,
    pub completed_on: NaiveDate,
    pub pain_now: i32,
    pub pain_average: i32,
    pub pain_worst: i32,
    pub odi: Vec<Option<i32>>,
    pub psfs: Vec<i32>,
    pub sleep_quality: Option<i32>,
    pub exercise_confidence: Option<i32>,
    pub note: Option<String>,
    pub scores: Scores,
    pub red_flag: Option<RedFlagAdvice>,
    pub updated_at: DateTime<Utc>,
}

impl From<CheckInRow> for CheckIn {
    fn from(row: CheckInRow) -> Self {
        let odi: Vec<Option<i32>> = serde_json::from_str(&row.odi_answers).unwrap_or_default();
        let positive: Vec<String> = serde_json::from_str(&row.red_flags).unwrap_or_default();
        let red_flag = row.red_flag_severity.as_deref().map(|severity| RedFlagAdvice {
            advice: red_flags::advice(Severity::from_stored(severity)).to_string(),
            severity: severity.to_string(),
            questions: positive,
        });
        Self {
            scores: Scores {
                odi_percent: row.odi_score,
                odi_band: row.odi_score.map(|s| OdiBand::of(s).as_str().to_string()),
                odi_sections_answered: odi.iter().flatten().count(),
                psfs_mean: row.psfs_score,
            },
            odi,
            psfs: serde_json::from_str(&row.psfs_ratings).unwrap_or_default(),
            id: row.id,
            completed_on: row.completed_on,
            pain_now: row.pain_now,
            pain_average: row.pain_average,
            pain_worst: row.pain_worst,
            sleep_quality: row.sleep_quality,
            exercise_confidence: row.exercise_confidence,
            note: row.note,
            red_flag,
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// The request's answers, each checked; the service checks how they stand together.
fn parse(mut request: CheckInRequest) -> Result<CheckInAnswers, ApiError> {
    let mut checks = Checks::default();
    for (field, value) in
        [("pain_now", request.pain_now), ("pain_average", request.pain_average), ("pain_worst", request.pain_worst)]
    {
        checks.field(field, outcomes::nrs(value));
    }
    for (field, value) in
        [("sleep_quality", request.sleep_quality), ("exercise_confidence", request.exercise_confidence)]
    {
        checks.optional(field, value, outcomes::nrs);
    }
    if let Some(ratings) = &request.psfs {
        if ratings.iter().any(|r| !(0..=10).contains(r)) {
            checks.fail("psfs", "out_of_range", "each rating is 0 to 10");
        }
    }
    let odi = match request.odi.take() {
        None => Some([None; outcomes::ODI_SECTIONS]),
        Some(answers) => checks.field("odi", outcomes::odi_answers(&answers)),
    };
    let screening = checks.field("red_flags", Screening::parse(&request.red_flags));
    let note = match free_text("note", request.note.as_deref(), 2000) {
        Ok(note) => note,
        Err(_) => {
            checks.fail("note", "too_long", "at most 2000 characters");
            None
        }
    };
    let (odi, screening) = checks.finish(|| Some((odi?, screening?)))?;
    Ok(CheckInAnswers {
        completed_on: request.completed_on,
        pain_now: request.pain_now,
        pain_average: request.pain_average,
        pain_worst: request.pain_worst,
        odi,
        psfs: request.psfs.unwrap_or_default(),
        sleep_quality: request.sleep_quality,
        exercise_confidence: request.exercise_confidence,
        note,
        screening,
    })
}

#[utoipa::path(
    operation_id = "putCheckIn",
    summary = "Record a check-in",
    tag = "check-ins",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "A UUID the phone generated for this check-in")),
    request_body = CheckInRequest,
    responses(
        (status = 201, description = "Stored; the scores, and the advice to show at once for a red flag", body = CheckIn),
        (status = 200, description = "Already stored under this id (replaced with this content)", body = CheckIn),
        (status = 403, description = "Patients only", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/check-ins/{id}")]
pub async fn put_check_in(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
    body: Json<CheckInRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Patient])?;
    let id = phone_made::id(path.into_inner(), "a check-in id is a UUID made by the app")?;
    let answers = parse(body.into_inner())?;
    plausible_date("completed_on", answers.completed_on)?;
    let public_url = state.config.public_url.clone();
    let recorded =
        db::transaction(&state.pool, move |conn| check_ins::record(conn, &user, &meta, &public_url, &id, &answers))
            .await?;
    Ok(phone_made::stored(recorded.created, &CheckIn::from(recorded.row)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInPage {
    pub items: Vec<CheckIn>,
    pub next_cursor: Option<String>,
}

async fn page_of(
    state: &AppState,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    patient_id: String,
    page: &PageParams,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit()?;
    let before = page.cursor(3)?.map(check_in_cursor::before_cursor).transpose()?;
    let rows =
        db::run(&state.pool, move |conn| check_ins::page(conn, &user, &meta, &reason, &patient_id, before, limit + 1))
            .await?;
    let (items, next_cursor) = paging::page(rows, limit, check_in_cursor::cursor_after, CheckIn::from);
    Ok(HttpResponse::Ok().json(CheckInPage { items, next_cursor }))
}

#[utoipa::path(
    operation_id = "listMyCheckIns",
    summary = "List my check-ins",
    tag = "check-ins",
    security(("bearer" = [])),
    params(PageParams),
    responses((status = 200, description = "Newest first", body = CheckInPage), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[get("/v1/me/check-ins")]
pub async fn my_check_ins(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Patient])?;
    let id = user.id.clone();
    page_of(&state, user, meta, AccessReason::default(), id, &page).await
}

#[utoipa::path(
    operation_id = "listPatientCheckIns",
    summary = "List a patient's check-ins",
    tag = "check-ins",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The patient's id"),
        AccessReason,
        PageParams
    ),
    responses(
        (status = 200, description = "Newest first", body = CheckInPage),
        (status = 403, description = "`forbidden` (front desk), or `access_reason_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/patients/{id}/check-ins")]
pub async fn patient_check_ins(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    page_of(&state, user, meta, reason, path.into_inner(), &page).await
}

/// One red-flag question, as the app asks it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RedFlagQuestion {
    pub id: String,
    pub text: String,
    /// `emergency` or `urgent`.
    pub severity: String,
}

#[utoipa::path(
    operation_id = "listRedFlagQuestions",
    summary = "List the red-flag questions",
    security(),
    tag = "check-ins",
    responses((status = 200, description = "Asked at sign-up, when booking a first evaluation, and in every check-in", body = [RedFlagQuestion]))
)]
#[get("/v1/red-flag-questions")]
pub async fn red_flag_questions() -> HttpResponse {
    let questions: Vec<RedFlagQuestion> = red_flags::QUESTIONS
        .iter()
        .map(|q| RedFlagQuestion { id: q.id.into(), text: q.text.into(), severity: q.severity.as_str().into() })
        .collect();
    HttpResponse::Ok().json(questions)
}

/// Whether the patient has an open red flag, and the advice the app keeps showing until a
/// clinician has acknowledged it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenRedFlag {
    pub open: bool,
    /// `emergency` or `urgent`, while open.
    pub severity: Option<String>,
    pub advice: Option<String>,
    pub since: Option<DateTime<Utc>>,
}

#[utoipa::path(
    operation_id = "getMyRedFlag",
    summary = "Get my red-flag status",
    tag = "check-ins",
    security(("bearer" = [])),
    responses(
        (status = 200, body = OpenRedFlag),
        (status = 403, description = "Patients only", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/me/red-flag")]
pub async fn my_red_flag(state: web::Data<AppState>, user: Actor, meta: Origin) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Patient])?;
    let open = db::run(&state.pool, move |conn| worklist::open_red_flag(conn, &user, &meta)).await?;
    let severity = open.as_ref().map(|a| Severity::from_stored(&a.severity));
    Ok(HttpResponse::Ok().json(OpenRedFlag {
        open: open.is_some(),
        severity: severity.map(|s| s.as_str().to_string()),
        advice: severity.map(|s| red_flags::advice(s).to_string()),
        since: open.map(|a| a.opened_at.and_utc()),
    }))
}
