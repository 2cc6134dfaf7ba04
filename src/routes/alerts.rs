//! The clinician's worklist: alerts on their patients (and on patients with no primary clinician
//! yet), most severe first; a clinician closes one with a note, which is audited.

use crate::http::json::Json;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Actor;
use crate::clinical::access::AccessReason;
use crate::clinical::worklist as alert_list;
use crate::db;
use crate::db::alerts::{self, AlertRow};
use crate::db::audit::Origin;
use crate::domain::role::Role;
use crate::error::fields::free_text;
use crate::error::{ApiError, Problem};
use crate::http::paging::{self, PageParams, CURSOR_TIME};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Alert {
    pub id: String,
    pub patient_id: String,
    pub patient_name: String,
    /// `red_flag`, `plateau`, `low_adherence` or `missed_check_ins`; an episode's
    /// `certification_unsigned`, `recertification_due`, `authorization_low`, `under_scheduled`,
    /// `no_future_visit` or `worsening` (these clear themselves when resolved).
    pub kind: String,
    /// `emergency`, `urgent` or `warning`.
    pub severity: String,
    /// `open`, `acknowledged` (by a clinician, with a note) or `resolved` (an episode's item whose
    /// cause went away).
    pub status: String,
    /// What raised it (e.g. the red-flag questions answered yes, the adherence figure).
    pub detail: Option<serde_json::Value>,
    pub opened_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    pub acknowledgement_note: Option<String>,
}

fn view(row: AlertRow, patient_name: String) -> Alert {
    Alert {
        detail: row.detail.as_deref().and_then(|d| serde_json::from_str(d).ok()),
        id: row.id,
        patient_id: row.patient_id,
        patient_name,
        kind: row.kind,
        severity: row.severity,
        status: row.status,
        opened_at: row.opened_at.and_utc(),
        acknowledged_at: row.acknowledged_at.map(|t| t.and_utc()),
        acknowledged_by: row.acknowledged_by,
        acknowledgement_note: row.acknowledgement_note,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertPage {
    pub items: Vec<Alert>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// `open` (the default), `acknowledged` or `all`.
    #[param(schema_with = alert_status)]
    pub status: Option<String>,
}

fn cursor(page: &PageParams) -> Result<Option<alerts::WorklistCursor>, ApiError> {
    let Some(parts) = page.cursor(3)? else { return Ok(None) };
    let invalid = || ApiError::field("cursor", "invalid", "this cursor is not one this list gave out");
    let rank = parts[0].parse().map_err(|_| invalid())?;
    let at = NaiveDateTime::parse_from_str(&parts[1], CURSOR_TIME).map_err(|_| invalid())?;
    Ok(Some((rank, at, parts[2].clone())))
}

#[utoipa::path(
    operation_id = "listAlerts",
    summary = "List open clinical alerts (worklist)",
    tag = "alerts",
    security(("bearer" = [])),
    params(AlertQuery, PageParams),
    responses(
        (status = 200, description = "Most severe first, then oldest first", body = AlertPage),
        (status = 403, description = "Clinicians and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/alerts")]
pub async fn worklist(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    query: web::Query<AlertQuery>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Clinician, Role::Admin])?;
    let status = match query.status.as_deref().unwrap_or("open") {
        "all" => None,
        s @ ("open" | "acknowledged" | "resolved") => Some(s.to_string()),
        _ => return Err(ApiError::field("status", "invalid", "open, acknowledged, resolved or all")),
    };
    let (limit, after) = (page.limit()?, cursor(&page)?);
    let alert_list::Page { rows, names } =
        db::run(&state.pool, move |conn| alert_list::page(conn, &user, &meta, status.as_deref(), after, limit + 1))
            .await?;
    let (items, next_cursor) = paging::page(
        rows,
        limit,
        |r| paging::encode_cursor(&[&r.severity_rank.to_string(), &r.opened_at.format(CURSOR_TIME).to_string(), &r.id]),
        |r| {
            let name = names.get(&r.patient_id).cloned().unwrap_or_default();
            view(r, name)
        },
    );
    Ok(HttpResponse::Ok().json(AlertPage { items, next_cursor }))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct AcknowledgeRequest {
    /// What was done (1 to 2000 characters), e.g. "Called; seen in ED, cleared. Resume program."
    #[schema(
        max_length = 2000,
        pattern = r"^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u0009\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub note: String,
}

#[utoipa::path(
    operation_id = "acknowledgeAlert",
    summary = "Acknowledge an alert",
    tag = "alerts",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The alert's id"),
        AccessReason
    ),
    request_body = AcknowledgeRequest,
    responses(
        (status = 200, description = "Closed; a red flag's exercise reminders resume", body = Alert),
        (status = 403, description = "Clinicians only; `access_reason_required` for another clinician's patient", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_acknowledged`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/alerts/{id}/acknowledge")]
pub async fn acknowledge(
    state: web::Data<AppState>,
    user: Actor,
    meta: Origin,
    reason: AccessReason,
    path: web::Path<String>,
    body: Json<AcknowledgeRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Clinician])?;
    let note = free_text("note", Some(&body.note), 2000)?
        .ok_or_else(|| ApiError::field("note", "required", "say what was done, 1 to 2000 characters"))?;
    let id = path.into_inner();
    let links = crate::reminders::ReminderLinks::from_config(&state.config);
    let (row, patient_name) = db::transaction(&state.pool, move |conn| {
        alert_list::acknowledge(conn, &user, &meta, &reason, &links, &id, &note)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view(row, patient_name)))
}

fn alert_status() -> utoipa::openapi::schema::Schema {
    crate::http::schemas::one_of(&["open", "acknowledged", "resolved", "all"], false)
}
