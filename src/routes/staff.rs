//! The clinic's staff: admins invite people by email with a role, list them, change roles and
//! deactivate them. A deactivated user is locked out at once.

use crate::http::json::Json;
use actix_web::{get, patch, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::views::{UserPage, UserView};
use crate::auth::{session, Actor};
use crate::db::audit::AuditEntry;
use crate::db::audit::Origin;
use crate::db::outbox::{self, NewEmail};
use crate::db::tokens::{self, Purpose};
use crate::db::users::{self, NameCursor, UserChanges, UserRow};
use crate::db::{self, now};
use crate::domain::contact::EmailAddress;
use crate::domain::person::FullName;
use crate::domain::role::Role;
use crate::error::{ApiError, Problem, ProblemCode};
use crate::http::paging::{self, PageParams};
use crate::http::validate::Checks;
use crate::mail::{account_emails, link};
use crate::state::AppState;

/// The roles an admin can give a person.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
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

#[derive(Debug, Deserialize, ToSchema)]
pub struct InviteStaffRequest {
    #[schema(
        max_length = 254,
        pattern = r"^[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub email: String,
    #[schema(
        max_length = 200,
        pattern = r"^[^\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]*$"
    )]
    pub full_name: String,
    pub role: StaffRole,
    /// e.g. "Physical therapist, DPT".
    #[schema(max_length = 120, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub title: Option<String>,
}

/// At most 120 characters and no control characters, as sent; stored trimmed.
fn parse_title(raw: &str) -> Result<String, crate::domain::Invalid> {
    if raw.chars().any(char::is_control) {
        return Err(crate::domain::Invalid::new("invalid_format", "a title cannot hold control characters"));
    }
    if raw.chars().count() > 120 {
        return Err(crate::domain::Invalid::new("too_long", "a title has at most 120 characters"));
    }
    Ok(raw.trim().to_string())
}

#[utoipa::path(
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
    let mut checks = Checks::default();
    let email = checks.field("email", EmailAddress::parse(&body.email));
    let name = checks.field("full_name", FullName::parse(&body.full_name));
    let title = checks.optional("title", body.title.as_deref(), parse_title);
    let (email, name, title) = checks.finish(|| Some((email?, name?, title?)))?;
    let role = Role::from(body.role);
    let public_url = state.config.public_url.clone();
    let zone = state.config.default_time_zone.clone();
    let row = db::transaction(&state.pool, move |conn| {
        let now = now();
        if users::find_by_email(conn, email.as_str())?.is_some() {
            return Err(ApiError::conflict(ProblemCode::EmailTaken, "someone already uses this email address"));
        }
        let new = UserRow {
            email: Some(email.as_str().to_string()),
            title,
            created_by: Some(user.id.clone()),
            ..UserRow::new(role, &name, &zone, now)
        };
        users::insert(conn, &new)?;
        let token = session::link_token(conn, Some(&new.id), Purpose::Invite, now)?;
        let content =
            account_emails::staff_invite(name.as_str(), role_label(role), &link(&public_url, "accept-invite", &token));
        outbox::enqueue(conn, &NewEmail::immediate("staff_invite", email.as_str(), Some(&new.id), content, now), now)?;
        AuditEntry::new("staff.invite", &meta)
            .actor(&user.id, user.role)
            .target(&new.id)
            .detail(role.as_str())
            .write(conn)?;
        users::find(conn, &new.id)?.ok_or(ApiError::NotFound)
    })
    .await?;
    Ok(HttpResponse::Created().json(UserView::from(row)))
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::FrontDesk => "front desk",
        Role::Clinician => "clinician",
        Role::Admin => "administrator",
        Role::Patient => "patient",
        Role::Worker => "worker",
    }
}

#[utoipa::path(
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
    let rows = db::run(&state.pool, move |conn| {
        let rows = users::list_staff(conn, after.as_ref(), limit + 1)?;
        AuditEntry::new("staff.list", &meta).actor(&user.id, user.role).write(conn)?;
        Ok(rows)
    })
    .await?;
    let (items, next_cursor) =
        paging::page(rows, limit, |r| paging::encode_cursor(&[&r.name_key, &r.id]), UserView::from);
    Ok(HttpResponse::Ok().json(UserPage { items, next_cursor }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StaffChanges {
    pub role: Option<StaffRole>,
    /// `false` deactivates: every session of the person ends at once.
    pub active: Option<bool>,
    #[schema(
        max_length = 200,
        pattern = r"^[^\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]*$"
    )]
    pub full_name: Option<String>,
    #[schema(max_length = 120, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub title: Option<String>,
}

#[utoipa::path(
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
    let title = checks.optional("title", body.title.as_deref(), parse_title);
    let (name, title) = checks.finish(|| Some((name?, title?)))?;
    let new_role = body.role.map(Role::from);
    let row = db::transaction(&state.pool, move |conn| {
        let now = now();
        let target = users::find(conn, &id)?
            .filter(|t| Role::parse(&t.role).is_some_and(Role::is_staff))
            .ok_or(ApiError::NotFound)?;
        let was_admin = target.role == Role::Admin.as_str() && target.active;
        let stays_admin = new_role.map_or(target.role == Role::Admin.as_str(), |r| r == Role::Admin)
            && body.active.unwrap_or(target.active);
        if was_admin && !stays_admin && users::lock_active_admins(conn)? <= 1 {
            return Err(ApiError::conflict(ProblemCode::LastAdmin, "the clinic must keep at least one active admin"));
        }
        let changes = UserChanges {
            role: new_role.map(|r| r.as_str().to_string()),
            active: body.active,
            name_key: name.as_ref().map(FullName::search_key),
            full_name: name.map(|n| n.as_str().to_string()),
            title: title.map(Some),
            ..Default::default()
        };
        users::update(conn, &target.id, &changes, now)?;
        let role_changed = new_role.is_some_and(|r| r.as_str() != target.role);
        if body.active == Some(false) || role_changed {
            // Locked out at once: access tokens carry the old session version, refresh tokens die.
            users::end_sessions(conn, &target.id)?;
            tokens::revoke_all_for_user(conn, &target.id, now)?;
        }
        let detail = format!(
            "role={} active={}",
            new_role.map_or(target.role.clone(), |r| r.as_str().to_string()),
            body.active.unwrap_or(target.active)
        );
        AuditEntry::new("staff.update", &meta)
            .actor(&user.id, user.role)
            .target(&target.id)
            .detail(detail)
            .write(conn)?;
        users::find(conn, &target.id)?.ok_or(ApiError::NotFound)
    })
    .await?;
    Ok(HttpResponse::Ok().json(UserView::from(row)))
}
