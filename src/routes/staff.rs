//! The clinic's staff: admins invite people by email with a role, list them, change roles and
//! deactivate them. A deactivated user is locked out at once.

use crate::http::json::Json;
use actix_web::{get, patch, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::views::person_fields;
use super::views::{UserPage, UserView};
use crate::accounts::staff::{self, StaffInvite, StaffUpdate};
use crate::auth::Actor;
use crate::db::audit::Origin;
use crate::db::users::NameCursor;
use crate::db::{self, now};
use crate::domain::person;
use crate::domain::person::FullName;
use crate::domain::role::Role;
use crate::error::fields::Checks;
use crate::error::{ApiError, Problem};
use crate::http::paging::{self, PageParams};
use crate::state::AppState;

/// The roles an admin can give a person.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    FrontDesk,
    Clinician,
    Admin,
}

impl From<StaffRole> for Role {
    fn from(role: StaffRole) -> Self {
        match role {
            StaffRole::FrontDesk => Role::FrontDesk,
            StaffRole::Clinician => Role::Clinician,
            StaffRole::Admin => Role::Admin,
        }
    }
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct InviteStaffRequest {
    #[schema(schema_with = person_fields::email)]
    pub email: String,
    #[schema(schema_with = person_fields::full_name)]
    pub full_name: String,
    pub role: StaffRole,
    #[schema(schema_with = person_fields::new_title_or_null)]
    pub title: Option<String>,
}

#[utoipa::path(
    operation_id = "inviteStaff",
    summary = "Invite a staff member",
    tag = "staff",
    security(("bearer" = [])),
    request_body = InviteStaffRequest,
    responses(
        (status = 201, description = "Invited; the person gets an email to set a password", body = UserView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/staff")]
pub async fn invite_staff(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    body: Json<InviteStaffRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Admin])?;
    let body = body.into_inner();
    let invite = StaffInvite::check(&body.email, &body.full_name, Role::from(body.role), body.title.as_deref())?;
    let public_url = state.config.public_url.clone();
    let zone = state.config.default_time_zone.clone();
    let row =
        db::transaction(&state.pool, move |conn| staff::invite(conn, &user, &meta, &public_url, &zone, invite, now()))
            .await?;
    Ok(HttpResponse::Created().json(UserView::from(row)))
}

#[utoipa::path(
    operation_id = "listStaff",
    summary = "List staff",
    tag = "staff",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, body = UserPage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/staff")]
pub async fn list_staff(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    query: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Admin])?;
    let limit = query.limit()?;
    let after = query
        .cursor(2)?
        .map(|mut parts| NameCursor { id: parts.pop().unwrap_or_default(), name_key: parts.pop().unwrap_or_default() });
    let rows = db::run(&state.pool, move |conn| staff::list(conn, &user, &meta, after.as_ref(), limit)).await?;
    let (items, next_cursor) =
        paging::page(rows, limit, |r| paging::encode_cursor(&[&r.name_key, &r.id]), UserView::from);
    Ok(HttpResponse::Ok().json(UserPage { items, next_cursor }))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct StaffChanges {
    pub role: Option<StaffRole>,
    /// `false` deactivates: every session of the person ends at once.
    pub active: Option<bool>,
    #[schema(schema_with = person_fields::full_name_or_null)]
    pub full_name: Option<String>,
    #[schema(schema_with = person_fields::title_or_null)]
    pub title: Option<String>,
}

#[utoipa::path(
    operation_id = "updateStaff",
    summary = "Change a staff member",
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The staff member's user id")),
    request_body = StaffChanges,
    responses(
        (status = 200, body = UserView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "This would leave the clinic without an active admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/v1/staff/{id}")]
pub async fn update_staff(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
    body: Json<StaffChanges>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Admin])?;
    let id = path.into_inner();
    let body = body.into_inner();
    let mut checks = Checks::default();
    let name = checks.optional("full_name", body.full_name.as_deref(), FullName::parse);
    let title = checks.optional("title", body.title.as_deref(), person::title);
    let (name, title) = checks.finish(|| Some((name?, title?)))?;
    let update = StaffUpdate { role: body.role.map(Role::from), active: body.active, name, title };
    let row = db::transaction(&state.pool, move |conn| staff::update(conn, &user, &meta, &id, update, now())).await?;
    Ok(HttpResponse::Ok().json(UserView::from(row)))
}
