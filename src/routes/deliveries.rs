//! The outbox as admins see it: deliveries by status, a retry for failed ones, and counts. The
//! same counts are in `/metrics` for Prometheus.

use std::collections::BTreeMap;

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Actor;
use crate::db::audit::Origin;
use crate::db::deliveries::{DeliveryRow, STATUSES};
use crate::db::{self, now};
use crate::domain::role::Role;
use crate::error::{ApiError, Problem};
use crate::http::paging::{self, PageParams};
use crate::mail::deliveries as outbox;
use crate::state::AppState;

/// A delivery without its body (which may hold one-time links).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliverySummary {
    pub id: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub status: String,
    pub attempts: i32,
    pub priority: i32,
    pub due_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub smtp_message_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<DeliveryRow> for DeliverySummary {
    fn from(row: DeliveryRow) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            recipient: row.recipient,
            subject: row.subject,
            status: row.status,
            attempts: row.attempts,
            priority: row.priority,
            due_at: row.due_at.and_utc(),
            next_attempt_at: row.next_attempt_at.and_utc(),
            expires_at: row.expires_at.map(|t| t.and_utc()),
            last_error: row.last_error,
            sent_at: row.sent_at.map(|t| t.and_utc()),
            smtp_message_id: row.smtp_message_id,
            created_at: row.created_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<DeliverySummary>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// `pending`, `leased`, `sent`, `failed`, `cancelled` or `expired`.
    #[param(schema_with = status_filter)]
    pub status: Option<String>,
}

#[utoipa::path(
    operation_id = "listDeliveries",
    summary = "List outbox deliveries",
    tag = "deliveries",
    security(("bearer" = [])),
    params(DeliveryQuery, PageParams),
    responses(
        (status = 200, description = "Newest first", body = DeliveryPage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/admin/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    user: Actor,
    query: web::Query<DeliveryQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let status = outbox::status_filter(query.into_inner().status)?;
    let limit = page.limit()?;
    let before = page.cursor(1)?.and_then(|mut parts| parts.pop());
    let rows =
        db::run(&state.pool, move |conn| outbox::list(conn, &user, status.as_deref(), before.as_deref(), limit + 1))
            .await?;
    let (items, next_cursor) = paging::page(rows, limit, |r| paging::encode_cursor(&[&r.id]), DeliverySummary::from);
    Ok(HttpResponse::Ok().json(DeliveryPage { items, next_cursor }))
}

#[utoipa::path(
    operation_id = "retryDelivery",
    summary = "Retry a failed delivery",
    tag = "deliveries",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The delivery id")),
    responses(
        (status = 200, description = "Due again now, attempts from zero", body = DeliverySummary),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Only failed deliveries are retried", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/admin/deliveries/{id}/retry")]
pub async fn retry_delivery(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let row = db::transaction(&state.pool, move |conn| outbox::retry(conn, &user, &meta, &id, now())).await?;
    Ok(HttpResponse::Ok().json(DeliverySummary::from(row)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryStats {
    /// Rows per status (every status is present).
    pub counts: BTreeMap<String, i64>,
    /// How long the oldest due, unsent email has waited; 0 when none waits.
    pub oldest_due_age_seconds: i64,
}

pub async fn collect_stats(state: &AppState) -> Result<DeliveryStats, ApiError> {
    let (counts, oldest_due_age_seconds) = db::run(&state.pool, |conn| outbox::counts(conn, now())).await?;
    Ok(DeliveryStats { counts, oldest_due_age_seconds })
}

#[utoipa::path(
    operation_id = "getDeliveryStats",
    summary = "Count outbox deliveries by status",
    tag = "deliveries",
    security(("bearer" = [])),
    responses(
        (status = 200, body = DeliveryStats),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/admin/deliveries/stats")]
pub async fn delivery_stats(state: web::Data<AppState>, user: Actor) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Admin])?;
    Ok(HttpResponse::Ok().json(collect_stats(&state).await?))
}

/// Prometheus text format: outbox rows by status and the oldest due email's age. No personal data.
#[utoipa::path(
    operation_id = "getMetrics",
    summary = "Outbox metrics for Prometheus",
    security(),
    tag = "health",
    responses((status = 200, description = "Prometheus text exposition format", body = String, content_type = "text/plain"))
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let stats = collect_stats(&state).await?;
    let mut text = String::from(
        "# HELP backtrack_outbox_deliveries Outbox emails by status.\n# TYPE backtrack_outbox_deliveries gauge\n",
    );
    for (status, count) in &stats.counts {
        text.push_str(&format!("backtrack_outbox_deliveries{{status=\"{status}\"}} {count}\n"));
    }
    text.push_str(&format!(
        "# HELP backtrack_outbox_oldest_due_age_seconds Seconds the oldest due, unsent email has waited.\n\
         # TYPE backtrack_outbox_oldest_due_age_seconds gauge\nbacktrack_outbox_oldest_due_age_seconds {}\n",
        stats.oldest_due_age_seconds
    ));
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(text))
}

fn status_filter() -> utoipa::openapi::schema::Schema {
    crate::http::schemas::one_of(&STATUSES, false)
}
