//! Gathering everything the clinic holds about a patient, for their own copy: the rows of the
//! profile, appointments, programs with every version, logs, check-ins, evaluations, alerts,
//! reminder choices and who looked at the record.

use std::collections::HashMap;

use super::access::on_record;
use super::episode_view::{view, EpisodeView};
use crate::auth::Actor;
use crate::db::alerts::{self, AlertRow};
use crate::db::appointments::{self, AppointmentFilter, AppointmentRow};
use crate::db::audit::{self, AuditFilter, AuditRow, Origin};
use crate::db::check_ins::{self, CheckInRow};
use crate::db::evaluations::{self, EvaluationRow};
use crate::db::exercise_logs::{self, LogRow};
use crate::db::programs::{self, ProgramRow, VersionRow};
use crate::db::reminders::{self, SettingRow};
use crate::db::users::{self, UserRow};
use crate::db::DbConnection;
use crate::error::ApiError;

/// The patient's record, row by row.
#[derive(Debug)]
pub struct Record {
    pub patient: UserRow,
    /// Every appointment, any status, by start time.
    pub appointments: Vec<AppointmentRow>,
    /// Newest first, each with every version it has had, oldest first.
    pub programs: Vec<(ProgramRow, Vec<VersionRow>)>,
    /// Oldest change first.
    pub exercise_logs: Vec<LogRow>,
    /// Oldest first.
    pub check_ins: Vec<CheckInRow>,
    /// Oldest first.
    pub evaluations: Vec<EvaluationRow>,
    /// The names of the clinicians who evaluated, by id.
    pub clinician_names: HashMap<String, String>,
    /// The activities the PSFS rates, in order.
    pub psfs_activities: Vec<String>,
    /// Episodes of care with their plans, certification and authorizations, newest first.
    pub episodes: Vec<EpisodeView>,
    /// Newest first.
    pub alerts: Vec<AlertRow>,
    pub reminders: Vec<SettingRow>,
    /// Newest first, this export's own row among them.
    pub audit: Vec<AuditRow>,
}

/// The record of the signed-in patient `actor` (a patient: checked by the caller); the export is
/// audited first, so the copy names itself. Run it in one transaction, so the parts agree.
pub fn gather(conn: &mut DbConnection, actor: &Actor, origin: &Origin) -> Result<Record, ApiError> {
    on_record("record.export", origin, actor, &actor.id).write(conn)?;
    let me = users::find(conn, &actor.id)?.ok_or(ApiError::Unauthorized)?;
    let filter = AppointmentFilter { patient_id: Some(me.id.clone()), ..Default::default() };
    let appointments = appointments::list(conn, &filter, None, i64::MAX)?;
    let mut programs = Vec::new();
    for program in programs::of_patient(conn, &me.id)? {
        let mut versions = Vec::new();
        for number in 1..=program.current_version {
            versions.extend(programs::version(conn, &program.id, number)?);
        }
        programs.push((program, versions));
    }
    let evaluations = evaluations::of_patient(conn, &me.id)?;
    let clinicians: Vec<String> = evaluations.iter().map(|e| e.clinician_id.clone()).collect();
    let audit_filter = AuditFilter { patient_id: Some(me.id.clone()), ..Default::default() };
    let zone = crate::db::clinic::settings(conn)?.zone();
    let today = chrono::Utc::now().with_timezone(&zone).date_naive();
    let episodes = crate::db::episodes::of_patient(conn, &me.id)?
        .iter()
        .map(|episode| view(conn, episode, actor.role, zone, today))
        .collect::<Result<_, _>>()?;
    Ok(Record {
        appointments,
        programs,
        exercise_logs: exercise_logs::changed_since(conn, &me.id, None, i64::MAX)?,
        check_ins: check_ins::of_patient(conn, &me.id)?,
        clinician_names: users::names(conn, &clinicians)?,
        evaluations,
        psfs_activities: evaluations::psfs_activities(conn, &me.id)?,
        episodes,
        alerts: alerts::of_patient(conn, &me.id)?,
        reminders: reminders::of_user(conn, &me.id)?,
        audit: audit::list(conn, &audit_filter, None, i64::MAX)?,
        patient: me,
    })
}
