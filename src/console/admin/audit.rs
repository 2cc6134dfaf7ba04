//! The audit log, newest first, filtered by patient, person or action, 50 rows a page; the read
//! is itself audited (`accounts::audit_log`, as `GET /v1/audit`).

use actix_web::{get, web, HttpResponse};
use maud::html;
use serde::Deserialize;

use crate::accounts::audit_log;
use crate::console::calendar::when;
use crate::console::patients::encode;
use crate::console::session::Staff;
use crate::console::shell;
use crate::db::audit::{AuditFilter, Origin};
use crate::db::users;
use crate::domain::role::Role;
use crate::http::paging::{self, PageParams};
use crate::state::AppState;

const PAGE: i64 = 50;

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    patient_id: Option<String>,
    actor_id: Option<String>,
    action: Option<String>,
    cursor: Option<String>,
}

fn given(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

#[get("/console/audit")]
pub async fn audit_page(
    state: web::Data<AppState>,
    staff: Staff,
    meta: Origin,
    query: web::Query<AuditQuery>,
) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let query = query.into_inner();
    let filter = AuditFilter {
        patient_id: given(&query.patient_id),
        actor_id: given(&query.actor_id),
        action: given(&query.action),
    };
    let shown = filter.clone();
    let cursor = query.cursor.clone();
    shell::read_page(
        &state,
        &staff,
        "/console/audit",
        move |conn| {
            actor.require(&[Role::Admin])?;
            let before = PageParams { limit: None, cursor }.time_cursor()?;
            let rows = audit_log::read(conn, &actor, &meta, &filter, before, PAGE)?;
            let mut ids: Vec<String> = rows.iter().flat_map(|r| [r.actor_id.clone(), r.patient_id.clone()]).flatten().collect();
            ids.sort();
            ids.dedup();
            let names = users::names(conn, &ids)?;
            Ok((paging::page(rows, PAGE, |r| paging::encode_time_cursor(r.occurred_at, &r.id), |r| r), names))
        },
        move |clinic, ((rows, next), names)| {
            let zone = clinic.zone();
            let name = |id: &Option<String>| id.as_ref().map(|i| names.get(i).cloned().unwrap_or_else(|| i.clone())).unwrap_or_default();
            let value = |v: &Option<String>| v.clone().unwrap_or_default();
            let body = html! {
                form.inline.panel method="get" action="/console/audit" {
                    label for="action" { "Action" }
                    input type="text" id="action" name="action" value=(value(&shown.action)) placeholder="e.g. patient.read";
                    label for="patient_id" { "Patient id" }
                    input type="text" id="patient_id" name="patient_id" value=(value(&shown.patient_id));
                    label for="actor_id" { "Person id" }
                    input type="text" id="actor_id" name="actor_id" value=(value(&shown.actor_id));
                    button type="submit" { "Filter" }
                }
                @if rows.is_empty() { p.notice { "No entries match. Clear a filter to see more." } }
                @else {
                    div.scroll {
                        table {
                            thead { tr { th { "When" } th { "Action" } th { "Who" } th { "Patient" } th { "Outcome" } th { "Detail" } } }
                            tbody {
                                @for r in &rows {
                                    tr {
                                        td { (when(zone, r.occurred_at.and_utc())) }
                                        td { code { (r.action) } }
                                        td { (name(&r.actor_id)) @if let Some(role) = &r.actor_role { " " span.hint { (role) } } }
                                        td { @if let Some(p) = &r.patient_id { a href={ "/console/audit?patient_id=" (p) } { (name(&r.patient_id)) } } }
                                        td { (r.outcome) }
                                        td { (r.detail.clone().unwrap_or_default()) }
                                    }
                                }
                            }
                        }
                    }
                    @if let Some(next) = next {
                        p { a href={ "/console/audit?action=" (encode(&value(&shown.action))) "&patient_id=" (encode(&value(&shown.patient_id))) "&actor_id=" (encode(&value(&shown.actor_id))) "&cursor=" (next) } { "Older entries →" } }
                    }
                }
            };
            ("Audit log".to_string(), body)
        },
    )
    .await
}
