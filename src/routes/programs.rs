//! Home-exercise programs: a clinician prescribes for a patient; editing makes a new version and
//! keeps the old; the app reads the current one, with an ETag so an unchanged program costs 304.

use crate::http::json::Json;
use actix_web::http::header;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::exercises::{Dose, Exercise};
use crate::auth::Actor;
use crate::clinical::access::AccessReason;
use crate::clinical::programs::{self, ProgramDetail};
use crate::db::audit::Origin;
use crate::db::programs::{ProgramRow, VersionRow};
use crate::db::{self, DbConnection};
use crate::domain::program::{ItemDraft, ProgramDraft};
use crate::domain::role::Role;
use crate::error::{ApiError, Problem};
use crate::reminders::ReminderLinks;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Both,
    Left,
    Right,
    Alternating,
}

impl Side {
    fn as_str(self) -> &'static str {
        match self {
            Side::Both => "both",
            Side::Left => "left",
            Side::Right => "right",
            Side::Alternating => "alternating",
        }
    }

    fn parse(value: &str) -> Option<Side> {
        [Side::Both, Side::Left, Side::Right, Side::Alternating].into_iter().find(|s| s.as_str() == value)
    }
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ItemRequest {
    /// The exercise's id or slug.
    pub exercise: String,
    #[serde(flatten)]
    pub dose: Dose,
    /// e.g. "8 kg kettlebell", "red band".
    #[schema(max_length = 100, pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$")]
    pub load: Option<String>,
    pub side: Option<Side>,
    #[schema(max_length = 500, pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$")]
    pub notes: Option<String>,
    /// 1 control, 2 capacity, 3 loading; the exercise's own phase when absent.
    #[schema(minimum = 1, maximum = 3)]
    pub phase: Option<i32>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ProgramRequest {
    #[schema(
        max_length = 120,
        pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub title: String,
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub starts_on: NaiveDate,
    /// On or after `starts_on`.
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub ends_on: Option<NaiveDate>,
    /// ISO weekdays (1 = Monday … 7 = Sunday) with a session; or give `sessions_per_week`.
    #[serde(default)]
    #[schema(schema_with = crate::http::schemas::weekdays)]
    pub weekdays: Vec<u32>,
    #[schema(minimum = 1, maximum = 14)]
    pub sessions_per_week: Option<i32>,
    pub items: Vec<ItemRequest>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramItem {
    pub position: i32,
    pub exercise: Exercise,
    pub dose: Dose,
    pub load: Option<String>,
    pub side: Option<Side>,
    pub notes: Option<String>,
    pub phase: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Program {
    pub id: String,
    pub patient_id: String,
    /// The version shown; logs point at the version they were done against.
    pub version: i32,
    pub version_id: String,
    #[schema(
        max_length = 120,
        pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub title: String,
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub starts_on: NaiveDate,
    /// On or after `starts_on`.
    #[schema(pattern = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub ends_on: Option<NaiveDate>,
    #[schema(schema_with = crate::http::schemas::weekdays)]
    pub weekdays: Vec<u32>,
    pub sessions_per_week: Option<i32>,
    pub items: Vec<ProgramItem>,
    pub prescribed_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramList {
    pub items: Vec<Program>,
}

impl From<ItemRequest> for ItemDraft {
    fn from(item: ItemRequest) -> Self {
        Self {
            exercise: item.exercise,
            dose: item.dose.into(),
            load: item.load,
            side: item.side.map(Side::as_str),
            notes: item.notes,
            phase: item.phase,
        }
    }
}

impl From<ProgramRequest> for ProgramDraft {
    fn from(body: ProgramRequest) -> Self {
        Self {
            title: body.title,
            starts_on: body.starts_on,
            ends_on: body.ends_on,
            weekdays: body.weekdays,
            sessions_per_week: body.sessions_per_week,
            items: body.items.into_iter().map(ItemDraft::from).collect(),
        }
    }
}

impl From<ProgramDetail> for Program {
    fn from(detail: ProgramDetail) -> Self {
        let ProgramDetail { program, version, items, prescribed_by } = detail;
        let items = items
            .into_iter()
            .map(|(row, exercise)| {
                let exercise = Exercise::from(exercise);
                ProgramItem {
                    position: row.position,
                    dose: row.dose().into(),
                    load: row.load,
                    side: row.side.as_deref().and_then(Side::parse),
                    notes: row.notes,
                    phase: row.phase.unwrap_or(exercise.phase),
                    exercise,
                }
            })
            .collect();
        Program {
            id: program.id,
            patient_id: program.patient_id,
            version: version.version,
            version_id: version.id,
            title: version.title,
            starts_on: version.starts_on,
            ends_on: version.ends_on,
            weekdays: version.weekdays.split(',').filter_map(|d| d.parse().ok()).collect(),
            sessions_per_week: version.sessions_per_week,
            items,
            prescribed_by,
            created_at: program.created_at.and_utc(),
            updated_at: version.created_at.and_utc(),
        }
    }
}

/// One version of a program, as it was prescribed, with its exercises.
pub(crate) fn version_view(
    conn: &mut DbConnection,
    program: &ProgramRow,
    version: VersionRow,
) -> Result<Program, ApiError> {
    Ok(Program::from(programs::detail(conn, program, version)?))
}

#[utoipa::path(
    operation_id = "prescribeProgram",
    summary = "Prescribe a program",
    tag = "programs",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The patient's id"), AccessReason),
    request_body = ProgramRequest,
    responses(
        (status = 201, body = Program),
        (status = 403, description = "Only clinicians (and admins) prescribe", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/patients/{id}/programs")]
pub async fn prescribe(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
    body: Json<ProgramRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Clinician, Role::Admin])?;
    let patient_id = path.into_inner();
    let draft = ProgramDraft::from(body.into_inner());
    let links = ReminderLinks::from_config(&state.config);
    let program = db::transaction(&state.pool, move |conn| {
        programs::prescribe(conn, &user, &meta, &reason, &links, &patient_id, draft)
    })
    .await?;
    Ok(HttpResponse::Created().json(Program::from(program)))
}

#[utoipa::path(
    operation_id = "reviseProgram",
    summary = "Revise a program",
    tag = "programs",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The program's id"), AccessReason),
    request_body = ProgramRequest,
    responses(
        (status = 200, description = "The new version", body = Program),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/programs/{id}")]
pub async fn revise(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
    body: Json<ProgramRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Clinician, Role::Admin])?;
    let id = path.into_inner();
    let draft = ProgramDraft::from(body.into_inner());
    let links = ReminderLinks::from_config(&state.config);
    let program =
        db::transaction(&state.pool, move |conn| programs::revise(conn, &user, &meta, &reason, &links, &id, draft))
            .await?;
    Ok(HttpResponse::Ok().json(Program::from(program)))
}

#[utoipa::path(
    operation_id = "listPatientPrograms",
    summary = "List a patient's programs",
    tag = "programs",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The patient's id"), AccessReason),
    responses(
        (status = 200, description = "Newest first, each as it stands", body = ProgramList),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/patients/{id}/programs")]
pub async fn of_patient(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let patient_id = path.into_inner();
    let programs =
        db::run(&state.pool, move |conn| programs::of_patient(conn, &user, &meta, &reason, &patient_id)).await?;
    let items = programs.into_iter().map(Program::from).collect();
    Ok(HttpResponse::Ok().json(ProgramList { items }))
}

#[utoipa::path(
    operation_id = "getProgram",
    summary = "Get a program",
    tag = "programs",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The program's id"), AccessReason),
    responses(
        (status = 200, body = Program),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/programs/{id}")]
pub async fn get_program(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let program = db::run(&state.pool, move |conn| programs::read(conn, &user, &meta, &reason, &id)).await?;
    Ok(HttpResponse::Ok().json(Program::from(program)))
}

#[utoipa::path(
    operation_id = "getMyProgram",
    summary = "Get my current program",
    tag = "programs",
    security(("bearer" = [])),
    params(("If-None-Match" = Option<String>, Header, description = "The `ETag` of the copy the app has (or several, comma-separated, or `*`)")),
    responses(
        (status = 200, description = "The program in force today (patient-local date)", body = Program,
            headers(("ETag" = String, description = "This version of the program; send it back in `If-None-Match`"))),
        (status = 304, description = "Unchanged since the ETag the app sent",
            headers(("ETag" = String, description = "The version the app already has"))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Nothing prescribed for today (`not_found`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/me/program")]
pub async fn mine(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: Actor,
    meta: Origin,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Patient])?;
    let program = db::run(&state.pool, move |conn| programs::in_force_today(conn, &user, &meta))
        .await?
        .map(Program::from)
        .ok_or(ApiError::NotFound)?;
    let etag = format!("\"{}-v{}\"", program.id, program.version);
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"));
    if unchanged {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish());
    }
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag)).json(program))
}
