//! The signed-in user's own account: read it, change contact details, change the password.

use crate::http::json::Json;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::views::{TokenResponse, UserView};
use crate::auth::password::Verified;
use crate::auth::{secret_token, session, Actor};
use crate::db::audit::Origin;
use crate::db::audit::{AuditEntry, Outcome};
use crate::db::login_attempts::{self, Admission};
use crate::db::users::{self, UserChanges};
use crate::db::{self, now};
use crate::domain::contact::PhoneNumber;
use crate::domain::password_policy::NewPassword;
use crate::domain::person::{self, FullName};
use crate::error::{ApiError, Problem};
use crate::http::validate::Checks;
use crate::reminders::schedule::refresh as refresh_reminders;
use crate::reminders::ReminderLinks;
use crate::state::AppState;

#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, body = UserView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/me")]
pub async fn get_me(state: web::Data<AppState>, user: Actor, meta: Origin) -> Result<HttpResponse, ApiError> {
    let row = db::run(&state.pool, move |conn| {
        let row = users::find(conn, &user.id)?.ok_or(ApiError::Unauthorized)?;
        AuditEntry::new("me.read", &meta).subject(&row).write(conn)?;
        Ok(row)
    })
    .await?;
    Ok(HttpResponse::Ok().json(UserView::from(row)))
}

/// Fields that may be changed; absent fields stay as they are, `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ProfileChanges {
    #[schema(
        max_length = 200,
        pattern = r"^[^\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]*$"
    )]
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::nullable::field")]
    #[schema(value_type = Option<String>, pattern = r"^[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\+?[ ().-]*([0-9][ ().-]*){7,15}[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub phone: Option<Option<String>>,
    /// On or after 1900-01-01, and not in the future.
    #[serde(default, deserialize_with = "crate::http::nullable::field")]
    #[schema(value_type = Option<NaiveDate>, pattern = r"^(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub date_of_birth: Option<Option<NaiveDate>>,
    #[schema(schema_with = crate::http::schemas::time_zone_or_null)]
    pub time_zone: Option<String>,
}

impl ProfileChanges {
    /// Parses every present field into `changes`, recording refusals in `checks`.
    pub fn parse_into(self, checks: &mut Checks, changes: &mut UserChanges) {
        if let Some(name) = self.full_name {
            if let Some(name) = checks.field("full_name", FullName::parse(&name)) {
                changes.name_key = Some(name.search_key());
                changes.full_name = Some(name.as_str().to_string());
            }
        }
        match self.phone {
            Some(Some(phone)) => {
                changes.phone = checks.field("phone", PhoneNumber::parse(&phone)).map(|p| Some(p.into_string()));
            }
            Some(None) => changes.phone = Some(None),
            None => {}
        }
        match self.date_of_birth {
            Some(Some(date)) => {
                changes.date_of_birth =
                    checks.field("date_of_birth", person::date_of_birth(date, now().date())).map(Some);
            }
            Some(None) => changes.date_of_birth = Some(None),
            None => {}
        }
        if let Some(zone) = self.time_zone {
            changes.time_zone = checks.field("time_zone", person::time_zone(&zone)).map(|z| z.name().to_string());
        }
    }
}

#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = ProfileChanges,
    responses(
        (status = 200, body = UserView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/v1/me")]
pub async fn patch_me(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    body: Json<ProfileChanges>,
) -> Result<HttpResponse, ApiError> {
    let mut checks = Checks::default();
    let mut changes = UserChanges::default();
    body.into_inner().parse_into(&mut checks, &mut changes);
    checks.finish(|| Some(()))?;
    let links = ReminderLinks::from_config(&state.config);
    let row = db::transaction(&state.pool, move |conn| {
        users::update(conn, &user.id, &changes, now())?;
        if changes.time_zone.is_some() {
            // Reminders already queued were timed in the old zone.
            refresh_reminders(conn, &links, &user.id, chrono::Utc::now())?;
        }
        let row = users::find(conn, &user.id)?.ok_or(ApiError::Unauthorized)?;
        AuditEntry::new("me.update", &meta).subject(&row).write(conn)?;
        Ok(row)
    })
    .await?;
    Ok(HttpResponse::Ok().json(UserView::from(row)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// 8 to 128 characters; the most common passwords are refused.
    #[schema(min_length = 8, max_length = 128)]
    pub new_password: String,
}

/// Changes the password. Every other session ends; the answer is a fresh session for this one.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 200, description = "Changed; use the new tokens", body = TokenResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The current password is wrong, or the new one is refused", body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    body: Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let ChangePasswordRequest { current_password, new_password } = body.into_inner();
    let limits = state.config.login_throttle;
    let user_id = user.id.clone();
    let client_key = meta.client_ip.clone().unwrap_or_default();
    let (row, admission) = db::transaction(&state.pool, move |conn| {
        let row = users::find(conn, &user_id)?.ok_or(ApiError::Unauthorized)?;
        let admission = login_attempts::admit(conn, &limits, &account_key(&row), &client_key, now())?;
        Ok((row, admission))
    })
    .await?;
    let attempt_id = match admission {
        Admission::Throttled { retry_after_secs } => return Err(ApiError::RateLimited { retry_after_secs }),
        Admission::Admitted { attempt_id } => attempt_id,
    };
    let mut checks = Checks::default();
    let new_password = checks.field("new_password", NewPassword::parse(&new_password, row.email.as_deref()));
    let new_password = checks.finish(|| new_password)?;
    let verified = state.hasher.verify(current_password, row.password_hash.clone()).await?;
    let hash = match verified {
        Verified::Match { .. } => Some(state.hasher.hash(new_password.expose().to_string()).await?),
        Verified::NoMatch => None,
    };
    let (keys, refresh_ttl) = (state.jwt.clone(), state.config.refresh_token_ttl);
    db::transaction(&state.pool, move |conn| {
        let now = now();
        let entry = AuditEntry::new("me.password_change", &meta).subject(&row);
        let Some(hash) = hash else {
            entry.outcome(Outcome::Denied).write(conn)?;
            return Ok(Err(ApiError::field("current_password", "incorrect", "the current password is not correct")));
        };
        login_attempts::mark_succeeded(conn, &attempt_id)?;
        super::password::set_password_ending_sessions(conn, &row, &hash, now)?;
        let row = users::find(conn, &row.id)?.ok_or(ApiError::Unauthorized)?;
        let session = session::start(conn, &keys, &row, refresh_ttl, now)?;
        entry.write(conn)?;
        Ok(Ok(TokenResponse::new(session, row)))
    })
    .await?
    .map(|tokens| HttpResponse::Ok().json(tokens))
}

/// The throttle key of an account: the same one sign-in uses, so guesses count together.
fn account_key(row: &users::UserRow) -> String {
    secret_token::hash(row.email.as_deref().unwrap_or(&row.id))
}
