//! Home-exercise programs: a clinician prescribes for a patient; editing makes a new version and
//! keeps the old; the app reads the current one, with an ETag so an unchanged program costs 304.

use std::collections::HashMap;

use crate::http::json::Json;
use actix_web::http::header;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::exercises::{Dose, Exercise};
use crate::auth::Actor;
use crate::clinical::access::{open_record, AccessReason};
use crate::db::audit::AuditEntry;
use crate::db::audit::Origin;
use crate::db::programs::{self, ItemRow, ProgramRow, VersionRow};
use crate::db::{self, exercises, now, users, DbConnection};
use crate::domain::role::Role;
use crate::domain::Invalid;
use crate::error::{ApiError, Problem, ProblemCode};
use crate::http::validate::{free_text, plausible_date, Checks};
use crate::reminders::schedule::refresh as refresh_reminders;
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

#[derive(Debug, Deserialize, ToSchema)]
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

#[derive(Debug, Deserialize, ToSchema)]
pub struct ProgramRequest {
    #[schema(
        max_length = 120,
        pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub title: String,
    #[schema(pattern = r"^2[01][0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub starts_on: NaiveDate,
    /// On or after `starts_on`.
    #[schema(pattern = r"^2[01][0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub ends_on: Option<NaiveDate>,
    /// ISO weekdays (1 = Monday) with a session; or give `sessions_per_week`.
    #[serde(default)]
    pub weekdays: Vec<u32>,
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
    #[schema(pattern = r"^2[01][0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub starts_on: NaiveDate,
    /// On or after `starts_on`.
    #[schema(pattern = r"^2[01][0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub ends_on: Option<NaiveDate>,
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

fn number(value: Option<i32>, max: i32) -> Result<Option<i32>, Invalid> {
    match value {
        Some(v) if !(1..=max).contains(&v) => Err(Invalid::new("out_of_range", format!("between 1 and {max}"))),
        other => Ok(other),
    }
}

/// A validated version and its items, ready to store under `program_id`.
fn parse_version(
    conn: &mut DbConnection,
    body: ProgramRequest,
    program_id: &str,
    version: i32,
    author: &str,
) -> Result<(VersionRow, Vec<ItemRow>), ApiError> {
    let mut checks = Checks::default();
    let title = match free_text("title", Some(&body.title), 120) {
        Ok(Some(title)) => Some(title),
        _ => {
            checks.fail("title", "required", "1 to 120 characters");
            None
        }
    };
    checks.field(
        "starts_on",
        plausible_date("starts_on", body.starts_on).map_err(|_| Invalid::new("out_of_range", "2000 to 2199")),
    );
    if let Some(ends) = body.ends_on {
        if ends < body.starts_on {
            checks.fail("ends_on", "before_start", "ends_on is on or after starts_on");
        }
    }
    let mut weekdays = body.weekdays.clone();
    weekdays.sort_unstable();
    weekdays.dedup();
    match (weekdays.is_empty(), body.sessions_per_week) {
        (false, None) if weekdays.iter().all(|d| (1..=7).contains(d)) => {}
        (false, None) => checks.fail("weekdays", "out_of_range", "1 (Monday) to 7 (Sunday)"),
        (true, Some(n)) if (1..=14).contains(&n) => {}
        (true, Some(_)) => checks.fail("sessions_per_week", "out_of_range", "1 to 14"),
        _ => checks.fail("weekdays", "required", "give weekdays or sessions_per_week, not both"),
    }
    if body.items.is_empty() || body.items.len() > 30 {
        checks.fail("items", "out_of_range", "1 to 30 exercises");
    }
    let version_id = db::new_id();
    let mut items = Vec::new();
    for (i, item) in body.items.into_iter().enumerate() {
        let field = |name: &str| format!("items[{i}].{name}");
        let Some(exercise) = exercises::find(conn, &item.exercise)?.filter(|e| !e.archived) else {
            checks.fail(&field("exercise"), "unknown", "no such exercise in the library");
            continue;
        };
        let sets = checks.field(&field("sets"), number(item.dose.sets, 20)).flatten();
        let reps = checks.field(&field("reps"), number(item.dose.reps, 200)).flatten();
        let hold = checks.field(&field("hold_seconds"), number(item.dose.hold_seconds, 600)).flatten();
        let duration = checks.field(&field("duration_seconds"), number(item.dose.duration_seconds, 7200)).flatten();
        let phase = checks.field(&field("phase"), number(item.phase, 3)).flatten().unwrap_or(exercise.phase);
        let load = free_text(&field("load"), item.load.as_deref(), 100).unwrap_or_else(|_| {
            checks.fail(&field("load"), "invalid_format", "at most 100 characters");
            None
        });
        let notes = free_text(&field("notes"), item.notes.as_deref(), 500).unwrap_or_else(|_| {
            checks.fail(&field("notes"), "invalid_format", "at most 500 characters");
            None
        });
        // Without a dose of its own, an item takes the exercise's default.
        let (reps, hold, duration, sets) = if reps.is_none() && hold.is_none() && duration.is_none() {
            (
                exercise.default_reps,
                exercise.default_hold_seconds,
                exercise.default_duration_seconds,
                sets.or(exercise.default_sets),
            )
        } else {
            (reps, hold, duration, sets)
        };
        items.push(ItemRow {
            id: db::new_id(),
            version_id: version_id.clone(),
            position: i as i32 + 1,
            exercise_id: exercise.id,
            sets,
            reps,
            hold_seconds: hold,
            duration_seconds: duration,
            load,
            side: item.side.map(|s| s.as_str().to_string()),
            notes,
            phase: Some(phase),
        });
    }
    let title = checks.finish(|| title)?;
    let version = VersionRow {
        id: version_id,
        program_id: program_id.to_string(),
        version,
        title,
        starts_on: body.starts_on,
        ends_on: body.ends_on,
        weekdays: weekdays.iter().map(u32::to_string).collect::<Vec<_>>().join(","),
        sessions_per_week: body.sessions_per_week.filter(|_| weekdays.is_empty()),
        created_by: author.to_string(),
        created_at: now(),
    };
    Ok((version, items))
}

/// The program as it stands (its current version), with its exercises.
fn view(conn: &mut DbConnection, program: &ProgramRow) -> Result<Program, ApiError> {
    let version = programs::version(conn, &program.id, program.current_version)?.ok_or(ApiError::NotFound)?;
    version_view(conn, program, version)
}

/// One version of a program, as it was prescribed, with its exercises.
pub(crate) fn version_view(
    conn: &mut DbConnection,
    program: &ProgramRow,
    version: VersionRow,
) -> Result<Program, ApiError> {
    let rows = programs::items(conn, &version.id)?;
    let mut library: HashMap<String, Exercise> = HashMap::new();
    for row in &rows {
        if !library.contains_key(&row.exercise_id) {
            if let Some(exercise) = exercises::find(conn, &row.exercise_id)? {
                library.insert(row.exercise_id.clone(), Exercise::from(exercise));
            }
        }
    }
    let author = users::names(conn, std::slice::from_ref(&version.created_by))?;
    let items = rows
        .into_iter()
        .filter_map(|row| {
            let exercise = library.get(&row.exercise_id)?.clone();
            Some(ProgramItem {
                position: row.position,
                dose: Dose {
                    sets: row.sets,
                    reps: row.reps,
                    hold_seconds: row.hold_seconds,
                    duration_seconds: row.duration_seconds,
                },
                load: row.load,
                side: row.side.as_deref().and_then(Side::parse),
                notes: row.notes,
                phase: row.phase.unwrap_or(exercise.phase),
                exercise,
            })
        })
        .collect();
    Ok(Program {
        id: program.id.clone(),
        patient_id: program.patient_id.clone(),
        version: version.version,
        version_id: version.id.clone(),
        title: version.title,
        starts_on: version.starts_on,
        ends_on: version.ends_on,
        weekdays: version.weekdays.split(',').filter_map(|d| d.parse().ok()).collect(),
        sessions_per_week: version.sessions_per_week,
        items,
        prescribed_by: author.get(&version.created_by).cloned().unwrap_or_default(),
        created_at: program.created_at.and_utc(),
        updated_at: version.created_at.and_utc(),
    })
}

#[utoipa::path(
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
    let body = body.into_inner();
    let links = ReminderLinks::from_config(&state.config);
    let program = db::transaction(&state.pool, move |conn| {
        let patient = open_record(conn, &user, &patient_id, &reason, &meta)?;
        let program = ProgramRow {
            id: db::new_id(),
            patient_id: patient.id.clone(),
            created_by: user.id.clone(),
            current_version: 1,
            created_at: now(),
            updated_at: now(),
        };
        let (version, items) = parse_version(conn, body, &program.id, 1, &user.id)?;
        programs::insert_program(conn, &program)?;
        programs::add_version(conn, &version, &items, now())?;
        db::reminders::ensure(conn, &patient.id, now())?;
        refresh_reminders(conn, &links, &patient.id, Utc::now())?;
        AuditEntry::new("program.create", &meta)
            .actor(&user.id, user.role)
            .patient(&patient.id)
            .target(&program.id)
            .write(conn)?;
        view(conn, &program)
    })
    .await?;
    Ok(HttpResponse::Created().json(program))
}

#[utoipa::path(
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
    let body = body.into_inner();
    let links = ReminderLinks::from_config(&state.config);
    let program = db::transaction(&state.pool, move |conn| {
        let program = programs::find(conn, &id)?.ok_or(ApiError::NotFound)?;
        open_record(conn, &user, &program.patient_id, &reason, &meta)?;
        let next = program.current_version + 1;
        let (version, items) = parse_version(conn, body, &program.id, next, &user.id)?;
        programs::add_version(conn, &version, &items, now())?;
        db::reminders::ensure(conn, &program.patient_id, now())?;
        refresh_reminders(conn, &links, &program.patient_id, Utc::now())?;
        AuditEntry::new("program.update", &meta)
            .actor(&user.id, user.role)
            .patient(&program.patient_id)
            .target(&program.id)
            .write(conn)?;
        let program = programs::find(conn, &id)?.ok_or(ApiError::NotFound)?;
        view(conn, &program)
    })
    .await?;
    Ok(HttpResponse::Ok().json(program))
}

#[utoipa::path(
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
    let items = db::run(&state.pool, move |conn| {
        let patient = open_record(conn, &user, &patient_id, &reason, &meta)?;
        AuditEntry::new("program.list", &meta).actor(&user.id, user.role).patient(&patient.id).write(conn)?;
        programs::of_patient(conn, &patient.id)?.iter().map(|p| view(conn, p)).collect::<Result<Vec<_>, _>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(ProgramList { items }))
}

#[utoipa::path(
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
    let program = db::run(&state.pool, move |conn| {
        let program = programs::find(conn, &id)?.ok_or(ApiError::NotFound)?;
        open_record(conn, &user, &program.patient_id, &reason, &meta)?;
        AuditEntry::new("program.read", &meta)
            .actor(&user.id, user.role)
            .patient(&program.patient_id)
            .target(&id)
            .write(conn)?;
        view(conn, &program)
    })
    .await?;
    Ok(HttpResponse::Ok().json(program))
}

#[utoipa::path(
    tag = "programs",
    security(("bearer" = [])),
    params(("If-None-Match" = Option<String>, Header, description = "The ETag of the copy the app has")),
    responses(
        (status = 200, description = "The program in force today (patient-local date)", body = Program),
        (status = 304, description = "Unchanged since the ETag the app sent"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`no_program`: nothing prescribed for today", body = Problem, content_type = "application/problem+json"),
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
    let program = db::run(&state.pool, move |conn| {
        let me = users::find(conn, &user.id)?.ok_or(ApiError::Unauthorized)?;
        let today = me.today(Utc::now());
        if let Some((program, _)) = programs::in_force(conn, &user.id, today)? {
            AuditEntry::new("program.read", &meta)
                .actor(&user.id, user.role)
                .patient(&user.id)
                .target(&program.id)
                .write(conn)?;
            return view(conn, &program);
        }
        Err(ApiError::conflict(ProblemCode::NoProgram, "no home program is in force today"))
    })
    .await
    .map_err(|err| match err {
        ApiError::Conflict { code: ProblemCode::NoProgram, .. } => ApiError::NotFound,
        other => other,
    })?;
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
