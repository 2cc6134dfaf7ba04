//! The worker's side of the outbox: claim due emails under a lease, then report each one sent or
//! failed (or hand it back unstarted). Worker role only. Acknowledgements are idempotent.

use crate::http::json::Json;
use actix_web::{post, web, HttpResponse};

use crate::auth::{secret_token, Actor};
use crate::db::deliveries::{self, DeliveryRow};
use crate::db::{self, now};
use crate::domain::role::Role;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use crate::worker::contract::{
    ClaimRequest, ClaimResponse, Delivery, DeliveryState, FailedRequest, MailHeader, ReleaseRequest, SentRequest,
};

/// `<id@domain>`, the domain taken from the sender address.
pub fn message_id(delivery_id: &str, from: &str) -> String {
    let domain = from.rsplit('@').next().unwrap_or("backtrack.localhost").trim_end_matches('>').trim();
    format!("<{delivery_id}@{domain}>")
}

fn delivery(row: DeliveryRow, lease_id: &str, from: &str, sender_name: &str) -> Delivery {
    Delivery {
        sender_name: Some(sender_name.to_string()).filter(|name| !name.trim().is_empty()),
        message_id: message_id(&row.id, from),
        lease_id: lease_id.to_string(),
        lease_expires_at: row.lease_expires_at.unwrap_or(row.next_attempt_at).and_utc(),
        attachments: row.attachments.as_deref().and_then(|json| serde_json::from_str(json).ok()).unwrap_or_default(),
        headers: headers(row.headers.as_deref()),
        id: row.id,
        kind: row.kind,
        recipient: row.recipient,
        subject: row.subject,
        text: crate::mail::unseal(&row.body_text, row.secret_link.as_deref(), false),
        html: crate::mail::unseal(&row.body_html, row.secret_link.as_deref(), true),
        attempt: row.attempts,
    }
}

/// The outbox's JSON object of extra headers, as a list in name order.
fn headers(json: Option<&str>) -> Vec<MailHeader> {
    let Some(map) = json.and_then(|j| serde_json::from_str::<std::collections::BTreeMap<String, String>>(j).ok())
    else {
        return Vec::new();
    };
    map.into_iter().map(|(name, value)| MailHeader { name, value }).collect()
}

#[utoipa::path(
    operation_id = "claimDeliveries",
    summary = "Claim due deliveries",
    tag = "worker",
    security(("bearer" = [])),
    request_body = ClaimRequest,
    responses(
        (status = 200, description = "Due deliveries, now leased to the caller (possibly none)", body = ClaimResponse),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/worker/deliveries/claim")]
pub async fn claim(
    state: web::Data<AppState>,
    user: Actor,
    body: Json<ClaimRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Worker])?;
    let mut errors = Vec::new();
    if !(1..=100).contains(&body.max) {
        errors.push(crate::error::FieldError::new("max", "out_of_range", "max is between 1 and 100"));
    }
    if !(5..=3600).contains(&body.lease_seconds) {
        errors.push(crate::error::FieldError::new(
            "lease_seconds",
            "out_of_range",
            "lease_seconds is between 5 and 3600",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let (max, lease_seconds) = (body.max, body.lease_seconds);
    let policy = state.config.delivery_policy;
    let lease_id = secret_token::generate();
    let owner = lease_id.clone();
    let rows = db::transaction(&state.pool, move |conn| {
        let now = now();
        deliveries::expire_stale(conn, now, 500)?;
        deliveries::give_up_abandoned(conn, now, policy.max_attempts, 500)?;
        let claimed = deliveries::claim(conn, &owner, max, now, now + chrono::Duration::seconds(lease_seconds))?;
        let wanted = crate::reminders::send_check::keep_wanted(conn, claimed, now)?;
        Ok((wanted, crate::db::clinic::name(conn)?))
    })
    .await?;
    let (rows, clinic) = rows;
    let from = &state.config.mail.from;
    let deliveries = rows.into_iter().map(|row| delivery(row, &lease_id, from, &clinic)).collect();
    Ok(HttpResponse::Ok().json(ClaimResponse { deliveries }))
}

async fn acknowledge(
    state: &AppState,
    user: &Actor,
    id: String,
    apply: impl FnOnce(&mut db::DbConnection, &str) -> diesel::QueryResult<()> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Worker])?;
    let row = db::transaction(&state.pool, move |conn| {
        deliveries::find(conn, &id)?.ok_or(ApiError::NotFound)?;
        apply(conn, &id)?;
        deliveries::find(conn, &id)?.ok_or(ApiError::NotFound)
    })
    .await?;
    Ok(HttpResponse::Ok().json(DeliveryState {
        id: row.id,
        status: row.status,
        attempts: row.attempts,
        next_attempt_at: row.next_attempt_at.and_utc(),
    }))
}

#[utoipa::path(
    operation_id = "reportDeliverySent",
    summary = "Report a sent delivery",
    tag = "worker",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The delivery id")),
    request_body = SentRequest,
    responses(
        (status = 200, description = "Recorded (or already recorded)", body = DeliveryState),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/worker/deliveries/{id}/sent")]
pub async fn sent(
    state: web::Data<AppState>,
    user: Actor,
    path: web::Path<String>,
    body: Json<SentRequest>,
) -> Result<HttpResponse, ApiError> {
    let SentRequest { message_id, lease_id } = body.into_inner();
    let message_id: String = message_id.chars().take(500).collect();
    acknowledge(&state, &user, path.into_inner(), move |conn, id| {
        deliveries::mark_sent(conn, id, &lease_id, &message_id, now())
    })
    .await
}

#[utoipa::path(
    operation_id = "reportDeliveryFailed",
    summary = "Report a failed delivery",
    tag = "worker",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The delivery id")),
    request_body = FailedRequest,
    responses(
        (status = 200, description = "Recorded: retried later, or failed for good", body = DeliveryState),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/worker/deliveries/{id}/failed")]
pub async fn failed(
    state: web::Data<AppState>,
    user: Actor,
    path: web::Path<String>,
    body: Json<FailedRequest>,
) -> Result<HttpResponse, ApiError> {
    let FailedRequest { error, permanent, lease_id } = body.into_inner();
    let policy = state.config.delivery_policy;
    acknowledge(&state, &user, path.into_inner(), move |conn, id| {
        deliveries::mark_failed(conn, id, &lease_id, &error, permanent, &policy, now())
    })
    .await
}

#[utoipa::path(
    operation_id = "releaseDelivery",
    summary = "Release a claimed delivery",
    tag = "worker",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The delivery id")),
    request_body = ReleaseRequest,
    responses(
        (status = 200, description = "Handed back; due again at once", body = DeliveryState),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/worker/deliveries/{id}/release")]
pub async fn release(
    state: web::Data<AppState>,
    user: Actor,
    path: web::Path<String>,
    body: Json<ReleaseRequest>,
) -> Result<HttpResponse, ApiError> {
    let lease_id = body.into_inner().lease_id;
    acknowledge(&state, &user, path.into_inner(), move |conn, id| deliveries::release(conn, id, &lease_id, now())).await
}
