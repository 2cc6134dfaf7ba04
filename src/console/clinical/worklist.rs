//! The worklist: open alerts, red flags first, then plateau, low adherence and missed check-ins;
//! each closed with a note of what was done (`clinical::worklist`, as `/v1/alerts`).

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use maud::html;
use serde::Deserialize;

use crate::clinical::access::AccessReason;
use crate::clinical::worklist as alert_list;
use crate::console::calendar::when;
use crate::console::layout::notice;
use crate::console::links::see_other;
use crate::console::session::{Posted, Staff};
use crate::console::shell::refused;
use crate::console::shell::{self, csrf};
use crate::db;
use crate::db::audit::Origin;
use crate::domain::role::Role;
use crate::error::fields::free_text;
use crate::error::ApiError;
use crate::state::AppState;

const PAGE: i64 = 50;

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "red_flag" => "Red flag",
        "plateau" => "Plateau",
        "low_adherence" => "Low adherence",
        "missed_check_ins" => "Missed check-ins",
        "certification_unsigned" => "Plan not yet signed",
        "recertification_due" => "Recertification due",
        "authorization_low" => "Authorization running out",
        "under_scheduled" => "Fewer visits booked than planned",
        "no_future_visit" => "No visit booked ahead",
        "worsening" => "Worse than at the start",
        _ => "Alert",
    }
}

#[derive(Debug, Deserialize)]
pub struct WorklistQuery {
    done: Option<String>,
}

#[get("/console/worklist")]
pub async fn worklist_page(
    state: web::Data<AppState>,
    staff: Staff,
    meta: Origin,
    query: web::Query<WorklistQuery>,
) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let forms = staff.clone();
    let done = query.done.is_some();
    shell::read_page(
        &state,
        &staff,
        "/console/worklist",
        move |conn| {
            actor.require(&[Role::Clinician, Role::Admin])?;
            alert_list::page(conn, &actor, &meta, Some("open"), None, PAGE)
        },
        move |clinic, page| {
            let zone = clinic.zone();
            let acts = forms.actor.role == Role::Clinician;
            let body = html! {
                @if done { (notice("good", "Acknowledged. Withheld exercise reminders start again.")) }
                @if page.rows.is_empty() {
                    p.notice { "Nothing needs attention. New red flags, plateaus, low adherence and missed check-ins appear here." }
                }
                @for alert in &page.rows {
                    section class={ "panel alert " (alert.severity) } id={ "alert-" (alert.id) } {
                        h2 {
                            (kind_label(&alert.kind)) " · " (alert.severity) " — "
                            a href={ "/console/patients/" (alert.patient_id) } { (page.names.get(&alert.patient_id).map_or("(unknown)", String::as_str)) }
                        }
                        p.hint { "Opened " (when(zone, alert.opened_at.and_utc())) }
                        @if let Some(detail) = &alert.detail { p { code { (detail) } } }
                        @if acts {
                            form method="post" action={ "/console/worklist/" (alert.id) } {
                                (csrf(&forms))
                                label for={ "note-" (alert.id) } { "What was done" }
                                textarea id={ "note-" (alert.id) } name="note" rows="2" maxlength="2000" required {}
                                label for={ "reason-" (alert.id) } { "Not your patient? Why you are acting " span.hint { "(recorded in the audit log)" } }
                                input type="text" id={ "reason-" (alert.id) } name="access_reason" maxlength="500";
                                button type="submit" { "Acknowledge" }
                            }
                        }
                    }
                }
            };
            ("Worklist".to_string(), body)
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct AcknowledgeForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    access_reason: String,
}

#[post("/console/worklist/{id}")]
pub async fn acknowledge(
    state: web::Data<AppState>,
    meta: Origin,
    path: web::Path<String>,
    posted: Posted<AcknowledgeForm>,
) -> HttpResponse {
    let Posted { staff, form } = posted;
    let actor = staff.actor.clone();
    let id = path.into_inner();
    let links = crate::reminders::ReminderLinks::from_config(&state.config);
    let reason = AccessReason(Some(form.access_reason.trim().to_string()).filter(|r| !r.is_empty()));
    let done = db::transaction(&state.pool, move |conn| {
        actor.require(&[Role::Clinician])?;
        let note = free_text("note", Some(&form.note), 2000)?
            .ok_or_else(|| ApiError::field("note", "required", "say what was done, 1 to 2000 characters"))?;
        alert_list::acknowledge(conn, &actor, &meta, &reason, &links, &id, &note)
    })
    .await;
    match done {
        Ok(_) => see_other("/console/worklist?done=1"),
        Err(err @ (ApiError::Validation(_) | ApiError::Conflict { .. } | ApiError::Denied { .. })) => {
            let status = if matches!(err, ApiError::Denied { .. }) {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let text = match &err {
                ApiError::Denied { .. } => {
                    "this is another clinician's patient: say why you are acting in the box under the note".into()
                }
                other => shell::refusal_text(other),
            };
            let back = ("/console/worklist", "Back to the worklist");
            shell::not_done(&state, &staff, status, "/console/worklist", "Not acknowledged", &text, back).await
        }
        Err(err) => refused(&state, &staff, err).await,
    }
}
