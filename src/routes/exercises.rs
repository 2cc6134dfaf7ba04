//! The exercise library: everyone signed in reads it; clinicians and admins write it.
//! Archiving hides an exercise from new programs; programs that use it still show it.

use crate::http::json::Json;
use actix_web::{get, patch, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Actor;
use crate::clinical::exercises::{self, ExerciseEdit};
use crate::db;
use crate::db::audit::Origin;
use crate::db::exercises::{self as library, ExerciseFilter, ExerciseRow};
pub use crate::domain::exercise_category::Category;
use crate::domain::program;
use crate::domain::role::Role;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

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

impl From<program::Dose> for Dose {
    fn from(d: program::Dose) -> Self {
        Self { sets: d.sets, reps: d.reps, hold_seconds: d.hold_seconds, duration_seconds: d.duration_seconds }
    }
}

impl From<Dose> for program::Dose {
    fn from(d: Dose) -> Self {
        Self { sets: d.sets, reps: d.reps, hold_seconds: d.hold_seconds, duration_seconds: d.duration_seconds }
    }
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
            default_dose: row.default_dose().into(),
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

#[derive(Debug, Deserialize, Serialize, IntoParams)]
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
    operation_id = "listExercises",
    summary = "List exercises",
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
    let rows = db::run(&state.pool, move |conn| Ok(library::list(conn, &filter)?)).await?;
    Ok(HttpResponse::Ok().json(ExerciseList { items: rows.into_iter().map(Exercise::from).collect() }))
}

#[utoipa::path(
    operation_id = "getExercise",
    summary = "Get an exercise",
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
    let row = db::run(&state.pool, move |conn| Ok(library::find(conn, &id)?)).await?.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(Exercise::from(row)))
}

/// A new exercise (every field but the dose and video required), or changes to one.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
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

impl From<ExerciseFields> for ExerciseEdit {
    fn from(fields: ExerciseFields) -> Self {
        Self {
            slug: fields.slug,
            name: fields.name,
            category: fields.category.map(Category::as_str),
            phase: fields.phase,
            instructions: fields.instructions,
            cues: fields.cues,
            common_mistakes: fields.common_mistakes,
            default_dose: fields.default_dose.map(Into::into),
            video_url: fields.video_url,
        }
    }
}

#[utoipa::path(
    operation_id = "createExercise",
    summary = "Create an exercise",
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
    let row = ExerciseEdit::from(body.into_inner()).new_exercise()?;
    let saved = db::transaction(&state.pool, move |conn| exercises::create(conn, &user, &meta, row)).await?;
    Ok(HttpResponse::Created().json(Exercise::from(saved)))
}

/// Clinicians and admins: loads an exercise, lets `edit` change it, saves and audits it.
async fn change(
    state: &AppState,
    user: Actor,
    meta: Origin,
    id: String,
    action: &'static str,
    edit: impl FnOnce(&mut ExerciseRow) -> Result<(), ApiError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Clinician, Role::Admin])?;
    let saved =
        db::transaction(&state.pool, move |conn| exercises::change(conn, &user, &meta, &id, action, edit)).await?;
    Ok(HttpResponse::Ok().json(Exercise::from(saved)))
}

#[utoipa::path(
    operation_id = "updateExercise",
    summary = "Change an exercise",
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
    let edit = ExerciseEdit::from(body.into_inner()).into_change();
    change(&state, user, meta, path.into_inner(), "exercise.update", edit).await
}

#[utoipa::path(
    operation_id = "archiveExercise",
    summary = "Archive an exercise",
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
    change(&state, user, meta, path.into_inner(), "exercise.archive", exercises::archive).await
}
