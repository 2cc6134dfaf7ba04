//! The audit log, for admins: newest first, filterable by patient, actor and action.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::audit_log;
use crate::auth::Actor;
use crate::db;
use crate::db::audit::Origin;
use crate::db::audit::{AuditFilter, AuditRow};
use crate::domain::role::Role;
use crate::error::{ApiError, Problem};
use crate::http::paging::{self, PageParams};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
    pub patient_id: Option<String>,
    /// e.g. `auth.login`, `patient.read`, `staff.update`.
    pub action: String,
    pub target_id: Option<String>,
    /// `success`, `denied`, `throttled` or `not_found`.
    pub outcome: String,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
    pub detail: Option<String>,
}

impl From<AuditRow> for AuditEvent {
    fn from(row: AuditRow) -> Self {
        Self {
            id: row.id,
            occurred_at: row.occurred_at.and_utc(),
            actor_id: row.actor_id,
            actor_role: row.actor_role,
            patient_id: row.patient_id,
            action: row.action,
            target_id: row.target_id,
            outcome: row.outcome,
            request_id: row.request_id,
            client_ip: row.client_ip,
            detail: row.detail,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEvent>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub patient_id: Option<String>,
    pub actor_id: Option<String>,
    pub action: Option<String>,
}

#[utoipa::path(
    operation_id = "listAuditEvents",
    summary = "List audit-log events",
    tag = "audit",
    security(("bearer" = [])),
    params(AuditQuery, PageParams),
    responses(
        (status = 200, body = AuditPage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    query: web::Query<AuditQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Admin])?;
    let limit = page.limit()?;
    let before = page.time_cursor()?;
    let query = query.into_inner();
    let filter = AuditFilter { patient_id: query.patient_id, actor_id: query.actor_id, action: query.action };
    let rows = db::run(&state.pool, move |conn| audit_log::read(conn, &user, &meta, &filter, before, limit)).await?;
    let (items, next_cursor) =
        paging::page(rows, limit, |r| paging::encode_time_cursor(r.occurred_at, &r.id), AuditEvent::from);
    Ok(HttpResponse::Ok().json(AuditPage { items, next_cursor }))
}
