//! The exercise library: everyone signed in reads it; clinicians and admins write it.
//! Archiving hides an exercise from new programs; programs that use it still show it.

use crate::http::json::Json;
use actix_web::{get, patch, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Actor;
use crate::db::audit::AuditEntry;
use crate::db::audit::Origin;
use crate::db::exercises::{self, ExerciseFilter, ExerciseRow};
use crate::db::{self, now};
use crate::domain::role::Role;
use crate::domain::Invalid;
use crate::error::{ApiError, Problem, ProblemCode};
use crate::http::validate::{free_text, Checks};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    BreathingMotorControl,
    Mobility,
    Stability,
    Strength,
    Conditioning,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::BreathingMotorControl => "breathing_motor_control",
            Category::Mobility => "mobility",
            Category::Stability => "stability",
            Category::Strength => "strength",
            Category::Conditioning => "conditioning",
        }
    }

    fn parse(value: &str) -> Category {
        [
            Category::BreathingMotorControl,
            Category::Mobility,
            Category::Stability,
            Category::Strength,
            Category::Conditioning,
        ]
        .into_iter()
        .find(|c| c.as_str() == value)
        .unwrap_or(Category::Mobility)
    }
}

/// A default dose: sets with reps, a hold, or a duration.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Dose {
    #[schema(minimum = 1, maximum = 20)]
    pub sets: Option<i32>,
    #[schema(minimum = 1, maximum = 200)]
    pub reps: Option<i32>,
    #[schema(minimum = 1, maximum = 600)]
    pub hold_seconds: Option<i32>,
    #[schema(minimum = 1, maximum = 7200)]
    pub duration_seconds: Option<i32>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Exercise {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub category: Category,
    /// 1 control, 2 capacity, 3 loading.
    pub phase: i32,
    pub instructions: String,
    pub cues: Vec<String>,
    pub common_mistakes: Vec<String>,
    pub default_dose: Dose,
    pub video_url: Option<String>,
    pub archived: bool,
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

impl From<ExerciseRow> for Exercise {
    fn from(row: ExerciseRow) -> Self {
        Self {
            category: Category::parse(&row.category),
            cues: lines(&row.cues),
            common_mistakes: lines(&row.common_mistakes),
            default_dose: Dose {
                sets: row.default_sets,
                reps: row.default_reps,
                hold_seconds: row.default_hold_seconds,
                duration_seconds: row.default_duration_seconds,
            },
            id: row.id,
            slug: row.slug,
            name: row.name,
            phase: row.phase,
            instructions: row.instructions,
            video_url: row.video_url,
            archived: row.archived,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExerciseList {
    pub items: Vec<Exercise>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExerciseQuery {
    pub category: Option<Category>,
    /// 1 control, 2 capacity, 3 loading.
    #[param(minimum = 1, maximum = 3)]
    pub phase: Option<i32>,
    /// Staff only: include archived exercises.
    #[serde(default)]
    pub include_archived: bool,
}

#[utoipa::path(
    tag = "exercises",
    security(("bearer" = [])),
    params(ExerciseQuery),
    responses((status = 200, body = ExerciseList), (status = 401, body = Problem, content_type = "application/problem+json"))
)]
#[get("/v1/exercises")]
pub async fn list(
    state: web::Data<AppState>,
    user: Actor,
    query: web::Query<ExerciseQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    if query.phase.is_some_and(|phase| !(1..=3).contains(&phase)) {
        return Err(ApiError::field("phase", "out_of_range", "1 (control), 2 (capacity) or 3 (loading)"));
    }
    let filter = ExerciseFilter {
        category: query.category.map(|c| c.as_str().to_string()),
        phase: query.phase,
        include_archived: query.include_archived && user.role.is_staff(),
    };
    let rows = db::run(&state.pool, move |conn| Ok(exercises::list(conn, &filter)?)).await?;
    Ok(HttpResponse::Ok().json(ExerciseList { items: rows.into_iter().map(Exercise::from).collect() }))
}

#[utoipa::path(
    tag = "exercises",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The exercise's id or slug")),
    responses((status = 200, body = Exercise), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/v1/exercises/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    _user: Actor,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let row = db::run(&state.pool, move |conn| Ok(exercises::find(conn, &id)?)).await?.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(Exercise::from(row)))
}

/// A new exercise (every field but the dose and video required), or changes to one.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ExerciseFields {
    /// Lower-case letters, digits and `-`; fixed once created.
    #[schema(pattern = r"^[a-z0-9-]{2,80}$")]
    pub slug: Option<String>,
    #[schema(
        max_length = 120,
        pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub name: Option<String>,
    pub category: Option<Category>,
    /// 1 control, 2 capacity, 3 loading.
    #[schema(minimum = 1, maximum = 3)]
    pub phase: Option<i32>,
    #[schema(
        max_length = 4000,
        pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub instructions: Option<String>,
    /// At most 20, each at most 300 characters.
    #[schema(schema_with = short_lines)]
    pub cues: Option<Vec<String>>,
    /// At most 20, each at most 300 characters.
    #[schema(schema_with = short_lines)]
    pub common_mistakes: Option<Vec<String>>,
    pub default_dose: Option<Dose>,
    /// An https:// link of at most 500 characters; empty removes it.
    #[schema(
        max_length = 500,
        pattern = r"^[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$|^https://[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub video_url: Option<String>,
}

/// A new exercise: every field but the dose and video is required. (The document's shape of
/// [`ExerciseFields`] on create.)
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct NewExercise {
    /// Lower-case letters, digits and `-`; fixed once created.
    #[schema(pattern = r"^[a-z0-9-]{2,80}$")]
    pub slug: String,
    #[schema(
        max_length = 120,
        pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    pub category: Category,
    /// 1 control, 2 capacity, 3 loading.
    #[schema(minimum = 1, maximum = 3)]
    pub phase: i32,
    #[schema(
        max_length = 4000,
        pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub instructions: String,
    /// At most 20, each at most 300 characters.
    #[schema(schema_with = short_lines)]
    pub cues: Option<Vec<String>>,
    /// At most 20, each at most 300 characters.
    #[schema(schema_with = short_lines)]
    pub common_mistakes: Option<Vec<String>>,
    pub default_dose: Option<Dose>,
    /// An https:// link of at most 500 characters.
    #[schema(
        max_length = 500,
        pattern = r"^[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$|^https://[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub video_url: Option<String>,
}

/// Up to 20 lines of at most 300 characters.
fn short_lines() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(300))
                .pattern(Some(r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$")),
        )
        .max_items(Some(20))
        .build()
        .into()
}

fn list_text(field: &str, items: &[String], checks: &mut Checks) -> Option<String> {
    if items.len() > 20 {
        checks.fail(field, "too_many", "at most 20 items");
        return None;
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match free_text(&format!("{field}[{i}]"), Some(&item.replace('\n', " ")), 300) {
            Ok(Some(text)) => out.push(text),
            Ok(None) => {}
            Err(ApiError::Validation(errors)) => {
                errors.into_iter().for_each(|e| checks.fail(&e.field, "invalid_format", &e.message))
            }
            Err(_) => {}
        }
    }
    Some(out.join("\n"))
}

fn dose_number(value: Option<i32>, max: i32) -> Result<Option<i32>, Invalid> {
    match value {
        Some(v) if !(1..=max).contains(&v) => Err(Invalid::new("out_of_range", format!("between 1 and {max}"))),
        other => Ok(other),
    }
}

impl ExerciseFields {
    fn apply(self, row: &mut ExerciseRow, checks: &mut Checks, creating: bool) {
        let required = |checks: &mut Checks, field: &str, present: bool| {
            if creating && !present {
                checks.fail(field, "required", "this is required");
            }
        };
        required(checks, "slug", self.slug.is_some());
        required(checks, "name", self.name.is_some());
        required(checks, "category", self.category.is_some());
        required(checks, "phase", self.phase.is_some());
        required(checks, "instructions", self.instructions.is_some());
        match (self.slug, creating) {
            (Some(slug), true) => {
                if (2..=80).contains(&slug.len())
                    && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                {
                    row.slug = slug;
                } else {
                    checks.fail("slug", "invalid_format", "2 to 80 lower-case letters, digits or -");
                }
            }
            (Some(_), false) => checks.fail("slug", "immutable", "a slug cannot change"),
            _ => {}
        }
        if let Some(name) = self.name {
            match free_text("name", Some(&name), 120) {
                Ok(Some(name)) => row.name = name,
                _ => checks.fail("name", "invalid_format", "1 to 120 characters"),
            }
        }
        if let Some(category) = self.category {
            row.category = category.as_str().to_string();
        }
        if let Some(phase) = self.phase {
            if (1..=3).contains(&phase) {
                row.phase = phase;
            } else {
                checks.fail("phase", "out_of_range", "1 (control), 2 (capacity) or 3 (loading)");
            }
        }
        if let Some(text) = self.instructions {
            match free_text("instructions", Some(&text), 4000) {
                Ok(Some(text)) => row.instructions = text,
                _ => checks.fail("instructions", "invalid_format", "1 to 4000 characters"),
            }
        }
        if let Some(cues) = self.cues {
            if let Some(text) = list_text("cues", &cues, checks) {
                row.cues = text;
            }
        }
        if let Some(mistakes) = self.common_mistakes {
            if let Some(text) = list_text("common_mistakes", &mistakes, checks) {
                row.common_mistakes = text;
            }
        }
        if let Some(dose) = self.default_dose {
            row.default_sets = checks.field("default_dose.sets", dose_number(dose.sets, 20)).flatten();
            row.default_reps = checks.field("default_dose.reps", dose_number(dose.reps, 200)).flatten();
            row.default_hold_seconds =
                checks.field("default_dose.hold_seconds", dose_number(dose.hold_seconds, 600)).flatten();
            row.default_duration_seconds =
                checks.field("default_dose.duration_seconds", dose_number(dose.duration_seconds, 7200)).flatten();
        }
        if let Some(url) = self.video_url {
            if url.chars().count() > 500 {
                checks.fail("video_url", "invalid_format", "an https:// link of at most 500 characters");
            } else if url.trim().is_empty() {
                row.video_url = None;
            } else if url.starts_with("https://") && !url.chars().any(|c| c.is_whitespace() || c.is_control()) {
                row.video_url = Some(url);
            } else {
                checks.fail("video_url", "invalid_format", "an https:// link of at most 500 characters");
            }
        }
    }
}

#[utoipa::path(
    tag = "exercises",
    security(("bearer" = [])),
    request_body = NewExercise,
    responses(
        (status = 201, body = Exercise),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/exercises")]
pub async fn create(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    body: Json<ExerciseFields>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Clinician, Role::Admin])?;
    let now = now();
    let mut row = ExerciseRow {
        id: db::new_id(),
        slug: String::new(),
        name: String::new(),
        category: Category::Mobility.as_str().into(),
        phase: 1,
        instructions: String::new(),
        cues: String::new(),
        common_mistakes: String::new(),
        default_sets: None,
        default_reps: None,
        default_hold_seconds: None,
        default_duration_seconds: None,
        video_url: None,
        archived: false,
        created_at: now,
        updated_at: now,
    };
    let mut checks = Checks::default();
    body.into_inner().apply(&mut row, &mut checks, true);
    checks.finish(|| Some(()))?;
    let saved = db::transaction(&state.pool, move |conn| {
        if exercises::find(conn, &row.slug)?.is_some() {
            return Err(ApiError::conflict(ProblemCode::SlugTaken, "another exercise has this slug"));
        }
        exercises::insert(conn, &row)?;
        AuditEntry::new("exercise.create", &meta).actor(&user.id, user.role).target(&row.id).write(conn)?;
        Ok(row)
    })
    .await?;
    Ok(HttpResponse::Created().json(Exercise::from(saved)))
}

async fn change(
    state: &AppState,
    user: Actor,
    meta: Origin,
    id: String,
    action: &'static str,
    edit: impl FnOnce(&mut ExerciseRow) -> Result<(), ApiError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Clinician, Role::Admin])?;
    let saved = db::transaction(&state.pool, move |conn| {
        let mut row = exercises::find(conn, &id)?.ok_or(ApiError::NotFound)?;
        edit(&mut row)?;
        row.updated_at = now();
        exercises::save(conn, &row)?;
        AuditEntry::new(action, &meta).actor(&user.id, user.role).target(&row.id).write(conn)?;
        Ok(row)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Exercise::from(saved)))
}

#[utoipa::path(
    tag = "exercises",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The exercise's id or slug")),
    request_body = ExerciseFields,
    responses(
        (status = 200, body = Exercise),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/v1/exercises/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
    body: Json<ExerciseFields>,
) -> Result<HttpResponse, ApiError> {
    let fields = body.into_inner();
    change(&state, user, meta, path.into_inner(), "exercise.update", move |row| {
        let mut checks = Checks::default();
        fields.apply(row, &mut checks, false);
        checks.finish(|| Some(()))
    })
    .await
}

#[utoipa::path(
    tag = "exercises",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The exercise's id or slug")),
    responses(
        (status = 200, body = Exercise),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/exercises/{id}/archive")]
pub async fn archive(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    change(&state, user, meta, path.into_inner(), "exercise.archive", |row| {
        row.archived = true;
        Ok(())
    })
    .await
}
