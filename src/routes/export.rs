//! A patient's own copy of everything the clinic holds about them (`GET /v1/me/export`): the
//! profile, appointments, programs with every version, logs, check-ins, evaluations, alerts,
//! reminder choices and who looked at the record, as one JSON file to save.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::appointments::{self, AppointmentView};
use super::check_ins::CheckIn;
use super::evaluations::{OdiResult, PsfsActivity, StartBackResult};
use super::exercise_logs::ExerciseLog;
use super::programs::{version_view, Program};
use super::views::UserView;
use crate::auth::Actor;
use crate::clinical::export::{gather, Record};
use crate::db::alerts::AlertRow;
use crate::db::audit::{AuditRow, Origin};
use crate::db::evaluations::EvaluationRow;
use crate::db::programs::{ProgramRow, VersionRow};
use crate::db::reminders::SettingRow;
use crate::db::{self, DbConnection};
use crate::domain::role::Role;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The name the browser saves the document under.
const FILE_NAME: &str = "backtrack-export.json";

/// A program with every version it has had, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportProgram {
    pub id: String,
    /// The version in force now.
    pub current_version: i32,
    pub versions: Vec<Program>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The baseline PSFS: the ratings of the patient's activities, in their order, and their mean.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportPsfsBaseline {
    /// The activities as rated at this evaluation.
    pub activities: Vec<PsfsActivity>,
    pub mean: Option<f64>,
}

/// An evaluation: the clinician's findings, STarT Back and the baselines.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportEvaluation {
    pub id: String,
    pub appointment_id: String,
    pub clinician_name: String,
    pub evaluated_on: NaiveDate,
    /// What the clinician found (lumbar mobility, hip range of motion, trunk endurance, …).
    #[schema(value_type = Object)]
    pub findings: serde_json::Value,
    pub start_back: StartBackResult,
    /// Pain then, 0–10.
    pub baseline_nrs: i32,
    pub baseline_odi: OdiResult,
    pub baseline_psfs: ExportPsfsBaseline,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An alert the patient's answers or logs raised for their clinician.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportAlert {
    /// `red_flag`, `plateau`, `low_adherence` or `missed_check_ins`.
    pub kind: String,
    /// `emergency`, `urgent` or `warning`.
    pub severity: String,
    /// `open` or `acknowledged`.
    pub status: String,
    pub opened_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledgement_note: Option<String>,
}

/// One kind of reminder and when it comes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportReminder {
    /// e.g. `exercise`, `check_in`.
    pub kind: String,
    pub enabled: bool,
    /// ISO weekdays (1 = Monday … 7 = Sunday).
    pub weekdays: Vec<u32>,
    /// Local wall-clock time, `HH:MM`, in the patient's time zone.
    pub time: String,
}

/// One access to or change of the record (whose it was is left out: only the role).
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportAuditEvent {
    pub occurred_at: DateTime<Utc>,
    /// e.g. `check_in.write`, `progress.read`, `record.export`.
    pub action: String,
    /// `patient`, `clinician`, `front_desk`, `admin`…; absent for what no one signed in did.
    pub actor_role: Option<String>,
    /// `success`, `denied`, `throttled` or `not_found`.
    pub outcome: String,
}

/// Everything the clinic holds about the patient.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordExport {
    pub exported_at: DateTime<Utc>,
    pub profile: UserView,
    /// Every appointment, any status, by start time.
    pub appointments: Vec<AppointmentView>,
    /// Newest first.
    pub programs: Vec<ExportProgram>,
    /// Oldest change first.
    pub exercise_logs: Vec<ExerciseLog>,
    /// Oldest first.
    pub check_ins: Vec<CheckIn>,
    /// Oldest first.
    pub evaluations: Vec<ExportEvaluation>,
    /// The activities the PSFS rates, in order.
    pub psfs_activities: Vec<String>,
    /// Episodes of care, newest first.
    pub episodes: Vec<crate::clinical::episode_view::EpisodeView>,
    /// Newest first.
    pub alerts: Vec<ExportAlert>,
    pub reminders: Vec<ExportReminder>,
    /// Newest first.
    pub audit: Vec<ExportAuditEvent>,
}

/// Each program with every version it has had, oldest first.
fn programs_of(
    conn: &mut DbConnection,
    rows: Vec<(ProgramRow, Vec<VersionRow>)>,
) -> Result<Vec<ExportProgram>, ApiError> {
    let mut out = Vec::with_capacity(rows.len());
    for (program, stored) in rows {
        let versions =
            stored.into_iter().map(|version| version_view(conn, &program, version)).collect::<Result<Vec<_>, _>>()?;
        out.push(ExportProgram {
            id: program.id.clone(),
            current_version: program.current_version,
            versions,
            created_at: program.created_at.and_utc(),
            updated_at: program.updated_at.and_utc(),
        });
    }
    Ok(out)
}

fn evaluation(row: EvaluationRow, names: &HashMap<String, String>) -> ExportEvaluation {
    ExportEvaluation {
        // Kept as stored if it is not JSON, so nothing is lost.
        start_back: StartBackResult::of(&row),
        baseline_odi: OdiResult::of(&row),
        findings: serde_json::from_str(&row.findings).unwrap_or(serde_json::Value::String(row.findings)),
        baseline_nrs: row.baseline_nrs,
        baseline_psfs: ExportPsfsBaseline {
            activities: serde_json::from_str(&row.baseline_psfs_ratings).unwrap_or_default(),
            mean: row.baseline_psfs,
        },
        clinician_name: names.get(&row.clinician_id).cloned().unwrap_or_default(),
        id: row.id,
        appointment_id: row.appointment_id,
        evaluated_on: row.evaluated_on,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    }
}

fn alert(row: AlertRow) -> ExportAlert {
    ExportAlert {
        kind: row.kind,
        severity: row.severity,
        status: row.status,
        opened_at: row.opened_at.and_utc(),
        acknowledged_at: row.acknowledged_at.map(|t| t.and_utc()),
        acknowledgement_note: row.acknowledgement_note,
    }
}

fn reminder(row: SettingRow) -> ExportReminder {
    let time = row.time();
    ExportReminder {
        kind: row.kind,
        enabled: row.enabled,
        weekdays: time.weekdays.iter().copied().collect(),
        time: time.clock(),
    }
}

fn audit_event(row: AuditRow) -> ExportAuditEvent {
    ExportAuditEvent {
        occurred_at: row.occurred_at.and_utc(),
        action: row.action,
        actor_role: row.actor_role,
        outcome: row.outcome,
    }
}

/// The document of the record, as the patient `user` sees it.
fn document(conn: &mut DbConnection, user: &Actor, record: Record) -> Result<RecordExport, ApiError> {
    let names = record.clinician_names;
    Ok(RecordExport {
        exported_at: Utc::now(),
        appointments: appointments::views(conn, user, record.appointments)?,
        programs: programs_of(conn, record.programs)?,
        exercise_logs: record.exercise_logs.into_iter().map(ExerciseLog::from).collect(),
        check_ins: record.check_ins.into_iter().map(CheckIn::from).collect(),
        evaluations: record.evaluations.into_iter().map(|e| evaluation(e, &names)).collect(),
        psfs_activities: record.psfs_activities,
        episodes: record.episodes,
        alerts: record.alerts.into_iter().map(alert).collect(),
        reminders: record.reminders.into_iter().map(reminder).collect(),
        audit: record.audit.into_iter().map(audit_event).collect(),
        profile: UserView::from(record.patient),
    })
}

#[utoipa::path(
    operation_id = "exportMyData",
    summary = "Export my data",
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Everything the clinic holds about the patient, as a file to save", body = RecordExport,
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"backtrack-export.json\"`"))),
        (status = 403, description = "Patients only", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/me/export")]
pub async fn export(state: web::Data<AppState>, user: Actor, meta: Origin) -> Result<HttpResponse, ApiError> {
    user.require(&[Role::Patient])?;
    let document = db::transaction(&state.pool, move |conn| {
        let record = gather(conn, &user, &meta)?;
        document(conn, &user, record)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{FILE_NAME}\"")))
        .json(document))
}
