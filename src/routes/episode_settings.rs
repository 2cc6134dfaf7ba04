//! The clinic's settings for episodes of care (certification rules, authorization overruns,
//! worsening thresholds). Staff read them; admins change them.

use actix_web::{get, put, web, HttpResponse};

use crate::auth::Actor;
use crate::clinical::episode_settings;
pub use crate::clinical::episode_settings::EpisodeSettingsView;
use crate::db;
use crate::db::audit::Origin;
use crate::domain::role::Role;
use crate::error::{ApiError, Problem};
use crate::http::json::Json;
use crate::state::AppState;

#[utoipa::path(
    operation_id = "getEpisodeSettings",
    summary = "Get the clinic's episode settings",
    tag = "clinic",
    security(("bearer" = [])),
    responses(
        (status = 200, body = EpisodeSettingsView),
        (status = 403, description = "Staff only", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/clinic/episode-settings")]
pub async fn get_settings(state: web::Data<AppState>, user: Actor) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::FrontDesk, Role::Clinician, Role::Admin])?;
    let settings = db::run(&state.pool, episode_settings::current).await?;
    Ok(HttpResponse::Ok().json(settings))
}

#[utoipa::path(
    operation_id = "putEpisodeSettings",
    summary = "Change the clinic's episode settings",
    tag = "clinic",
    security(("bearer" = [])),
    request_body = EpisodeSettingsView,
    responses(
        (status = 200, body = EpisodeSettingsView),
        (status = 403, description = "Admins only", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/clinic/episode-settings")]
pub async fn put_settings(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    body: Json<EpisodeSettingsView>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Admin])?;
    let settings = body.into_inner().check()?;
    let saved =
        db::transaction(&state.pool, move |conn| episode_settings::update(conn, &user, &meta, &settings)).await?;
    Ok(HttpResponse::Ok().json(saved))
}
