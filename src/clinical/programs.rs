//! Prescribing and revising home programs (each edit a new version, the old kept), reading them
//! with their exercises, and the program the patient's app shows today.

use std::collections::HashMap;

use chrono::Utc;

use super::access::read_record;
use super::access::{open_record, AccessReason};
use crate::auth::Actor;
use crate::db::audit::{AuditEntry, Origin};
use crate::db::exercises::{self, ExerciseRow};
use crate::db::programs::{self, ItemRow, ProgramRow, VersionRow};
use crate::db::{self, now, users, DbConnection};
use crate::domain::program::{dose_number, item_count_allowed, session_plan, ProgramDraft, MAX_PHASE};
use crate::domain::Invalid;
use crate::error::fields::{free_text, plausible_date, Checks};
use crate::error::ApiError;
use crate::reminders::schedule::refresh as refresh_reminders;
use crate::reminders::ReminderLinks;

/// One version of a program as prescribed: its items with their exercises, in order, and the
/// name of the clinician who wrote it.
#[derive(Debug, Clone)]
pub struct ProgramDetail {
    pub program: ProgramRow,
    pub version: VersionRow,
    pub items: Vec<(ItemRow, ExerciseRow)>,
    pub prescribed_by: String,
}

/// A new program for the patient, as version 1; its reminders follow it at once.
pub fn prescribe(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    links: &ReminderLinks,
    patient_id: &str,
    draft: ProgramDraft,
) -> Result<ProgramDetail, ApiError> {
    let patient = open_record(conn, actor, patient_id, reason, origin)?;
    let program = ProgramRow {
        id: db::new_id(),
        patient_id: patient.id.clone(),
        created_by: actor.id.clone(),
        current_version: 1,
        created_at: now(),
        updated_at: now(),
    };
    let (version, items) = checked_version(conn, draft, &program.id, 1, &actor.id)?;
    programs::insert_program(conn, &program)?;
    put_in_force(conn, actor, origin, links, &program, &version, &items, "program.create")
}

/// A new version of the program, which becomes its current one; the old ones are kept.
pub fn revise(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    links: &ReminderLinks,
    program_id: &str,
    draft: ProgramDraft,
) -> Result<ProgramDetail, ApiError> {
    let program = programs::find(conn, program_id)?.ok_or(ApiError::NotFound)?;
    open_record(conn, actor, &program.patient_id, reason, origin)?;
    let next = program.current_version + 1;
    let (version, items) = checked_version(conn, draft, &program.id, next, &actor.id)?;
    put_in_force(conn, actor, origin, links, &program, &version, &items, "program.update")
}

/// What prescribing and revising share once the version is checked: store it as the current one,
/// queue the patient's reminders afresh, audit `action`, and answer the program as it now stands.
#[allow(clippy::too_many_arguments)]
fn put_in_force(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    links: &ReminderLinks,
    program: &ProgramRow,
    version: &VersionRow,
    items: &[ItemRow],
    action: &'static str,
) -> Result<ProgramDetail, ApiError> {
    programs::add_version(conn, version, items, now())?;
    db::reminders::ensure(conn, &program.patient_id, now())?;
    refresh_reminders(conn, links, &program.patient_id, Utc::now())?;
    AuditEntry::new(action, origin)
        .actor(&actor.id, actor.role)
        .patient(&program.patient_id)
        .target(&program.id)
        .write(conn)?;
    let program = programs::find(conn, &program.id)?.ok_or(ApiError::NotFound)?;
    current(conn, &program)
}

/// The patient's programs, newest first, each as it stands; the read is audited.
pub fn of_patient(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    patient_id: &str,
) -> Result<Vec<ProgramDetail>, ApiError> {
    let patient = read_record(conn, actor, patient_id, reason, origin, "program.list")?;
    programs::of_patient(conn, &patient.id)?.iter().map(|p| current(conn, p)).collect()
}

/// One program as it stands; the read is audited.
pub fn read(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    program_id: &str,
) -> Result<ProgramDetail, ApiError> {
    let program = programs::find(conn, program_id)?.ok_or(ApiError::NotFound)?;
    open_record(conn, actor, &program.patient_id, reason, origin)?;
    AuditEntry::new("program.read", origin)
        .actor(&actor.id, actor.role)
        .patient(&program.patient_id)
        .target(program_id)
        .write(conn)?;
    current(conn, &program)
}

/// The program in force on the signed-in patient's local today, or `None` when nothing is
/// prescribed for today. Only a program found is audited.
pub fn in_force_today(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
) -> Result<Option<ProgramDetail>, ApiError> {
    let me = users::find(conn, &actor.id)?.ok_or(ApiError::Unauthorized)?;
    let today = me.today(Utc::now());
    let Some((program, _)) = programs::in_force(conn, &actor.id, today)? else { return Ok(None) };
    AuditEntry::new("program.read", origin)
        .actor(&actor.id, actor.role)
        .patient(&actor.id)
        .target(&program.id)
        .write(conn)?;
    current(conn, &program).map(Some)
}

/// The program as it stands (its current version), with its exercises.
fn current(conn: &mut DbConnection, program: &ProgramRow) -> Result<ProgramDetail, ApiError> {
    let version = programs::version(conn, &program.id, program.current_version)?.ok_or(ApiError::NotFound)?;
    detail(conn, program, version)
}

/// One version of a program, as it was prescribed, with its exercises (an item whose exercise
/// is gone from the library is left out).
pub fn detail(conn: &mut DbConnection, program: &ProgramRow, version: VersionRow) -> Result<ProgramDetail, ApiError> {
    let rows = programs::items(conn, &version.id)?;
    let mut library: HashMap<String, ExerciseRow> = HashMap::new();
    for row in &rows {
        if !library.contains_key(&row.exercise_id) {
            if let Some(exercise) = exercises::find(conn, &row.exercise_id)? {
                library.insert(row.exercise_id.clone(), exercise);
            }
        }
    }
    let author = users::names(conn, std::slice::from_ref(&version.created_by))?;
    let items = rows
        .into_iter()
        .filter_map(|row| {
            let exercise = library.get(&row.exercise_id)?.clone();
            Some((row, exercise))
        })
        .collect();
    Ok(ProgramDetail {
        program: program.clone(),
        prescribed_by: author.get(&version.created_by).cloned().unwrap_or_default(),
        version,
        items,
    })
}

/// A checked version and its items, ready to store under `program_id`: every field error of the
/// draft in one answer, and each item's exercise from the library (not archived).
fn checked_version(
    conn: &mut DbConnection,
    draft: ProgramDraft,
    program_id: &str,
    version: i32,
    author: &str,
) -> Result<(VersionRow, Vec<ItemRow>), ApiError> {
    let mut checks = Checks::default();
    let title = match free_text("title", Some(&draft.title), 120) {
        Ok(Some(title)) => Some(title),
        _ => {
            checks.fail("title", "required", "1 to 120 characters");
            None
        }
    };
    checks.field(
        "starts_on",
        plausible_date("starts_on", draft.starts_on).map_err(|_| Invalid::new("out_of_range", "2000 to 2099")),
    );
    if let Some(ends) = draft.ends_on {
        if ends < draft.starts_on {
            checks.fail("ends_on", "before_start", "ends_on is on or after starts_on");
        }
    }
    let plan = session_plan(&draft.weekdays, draft.sessions_per_week)
        .map_err(|(field, invalid)| checks.fail(field, invalid.code, &invalid.message))
        .ok();
    if !item_count_allowed(draft.items.len()) {
        checks.fail("items", "out_of_range", "1 to 30 exercises");
    }
    let version_id = db::new_id();
    let mut items = Vec::new();
    for (i, item) in draft.items.into_iter().enumerate() {
        let field = |name: &str| format!("items[{i}].{name}");
        let Some(exercise) = exercises::find(conn, &item.exercise)?.filter(|e| !e.archived) else {
            checks.fail(&field("exercise"), "unknown", "no such exercise in the library");
            continue;
        };
        let dose = item.dose.checked(|name, result| checks.field(&field(name), result).flatten());
        let phase =
            checks.field(&field("phase"), dose_number(item.phase, MAX_PHASE)).flatten().unwrap_or(exercise.phase);
        let load = free_text(&field("load"), item.load.as_deref(), 100).unwrap_or_else(|_| {
            checks.fail(&field("load"), "invalid_format", "at most 100 characters");
            None
        });
        let notes = free_text(&field("notes"), item.notes.as_deref(), 500).unwrap_or_else(|_| {
            checks.fail(&field("notes"), "invalid_format", "at most 500 characters");
            None
        });
        let dose = dose.or_default(&exercise.default_dose());
        items.push(ItemRow {
            id: db::new_id(),
            version_id: version_id.clone(),
            position: i as i32 + 1,
            exercise_id: exercise.id,
            sets: dose.sets,
            reps: dose.reps,
            hold_seconds: dose.hold_seconds,
            duration_seconds: dose.duration_seconds,
            load,
            side: item.side.map(str::to_string),
            notes,
            phase: Some(phase),
        });
    }
    let (title, plan) = checks.finish(|| title.zip(plan))?;
    let version = VersionRow {
        id: version_id,
        program_id: program_id.to_string(),
        version,
        title,
        starts_on: draft.starts_on,
        ends_on: draft.ends_on,
        weekdays: plan.weekdays.iter().map(u32::to_string).collect::<Vec<_>>().join(","),
        sessions_per_week: plan.sessions_per_week,
        created_by: author.to_string(),
        created_at: now(),
    };
    Ok((version, items))
}
