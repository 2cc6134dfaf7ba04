//! Alerts on the clinician's worklist: red flags (emergency, urgent), plateau, low adherence,
//! missed check-ins. At most one open per patient and kind (a unique index says so); a clinician
//! closes one with a note. While a red-flag alert is open, the patient's exercise reminders pause.

use chrono::NaiveDateTime;
use diesel::dsl::exists;
use diesel::prelude::*;

use super::schema::{alerts, users};
use super::{new_id, DbConnection};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = alerts)]
pub struct AlertRow {
    pub id: String,
    pub patient_id: String,
    pub kind: String,
    pub severity: String,
    pub severity_rank: i32,
    pub status: String,
    pub detail: Option<String>,
    pub opened_at: NaiveDateTime,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub acknowledged_by: Option<String>,
    pub acknowledgement_note: Option<String>,
}

/// 0 is the most severe: the worklist's order.
pub fn severity_rank(severity: &str) -> i32 {
    match severity {
        "emergency" => 0,
        "urgent" => 1,
        _ => 2,
    }
}

/// What raising an alert did.
#[derive(Debug)]
pub enum Raised {
    New(AlertRow),
    /// An open alert of that kind became more severe (urgent → emergency).
    Escalated(AlertRow),
    AlreadyOpen,
}

pub fn open_of(conn: &mut DbConnection, patient_id: &str, kind: &str) -> QueryResult<Option<AlertRow>> {
    alerts::table
        .filter(alerts::patient_id.eq(patient_id))
        .filter(alerts::kind.eq(kind))
        .filter(alerts::status.eq("open"))
        .select(AlertRow::as_select())
        .first(conn)
        .optional()
}

/// Opens an alert unless one of that kind is open for the patient already (then it is made more
/// severe if this one is). Call inside a write transaction.
pub fn raise(
    conn: &mut DbConnection,
    patient_id: &str,
    kind: &str,
    severity: &str,
    detail: Option<String>,
    now: NaiveDateTime,
) -> QueryResult<Raised> {
    let rank = severity_rank(severity);
    if let Some(open) = open_of(conn, patient_id, kind)? {
        if rank >= open.severity_rank {
            return Ok(Raised::AlreadyOpen);
        }
        diesel::update(alerts::table.find(&open.id))
            .set((alerts::severity.eq(severity), alerts::severity_rank.eq(rank), alerts::detail.eq(&detail)))
            .execute(conn)?;
        return Ok(Raised::Escalated(find(conn, &open.id)?.unwrap_or(open)));
    }
    let row = AlertRow {
        id: new_id(),
        patient_id: patient_id.to_string(),
        kind: kind.to_string(),
        severity: severity.to_string(),
        severity_rank: rank,
        status: "open".to_string(),
        detail,
        opened_at: now,
        acknowledged_at: None,
        acknowledged_by: None,
        acknowledgement_note: None,
    };
    // The unique index on open alerts is the last word if two arrivals race.
    let insert = diesel::insert_into(alerts::table).values(&row).on_conflict_do_nothing();
    // Backend-specific: ON CONFLICT is spelled the same but typed per backend.
    let inserted = match conn {
        DbConnection::Pg(conn) => insert.execute(conn)?,
        DbConnection::Sqlite(conn) => insert.execute(conn)?,
    };
    Ok(if inserted == 1 { Raised::New(row) } else { Raised::AlreadyOpen })
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<AlertRow>> {
    alerts::table.find(id).select(AlertRow::as_select()).first(conn).optional()
}

/// Closes an open alert with the clinician's note; false when it was not open.
pub fn acknowledge(
    conn: &mut DbConnection,
    id: &str,
    clinician_id: &str,
    note: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(alerts::table.find(id).filter(alerts::status.eq("open")))
        .set((
            alerts::status.eq("acknowledged"),
            alerts::acknowledged_at.eq(now),
            alerts::acknowledged_by.eq(clinician_id),
            alerts::acknowledgement_note.eq(note),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Clears an open alert of `kind` whose cause is resolved (the sweep's own kinds); false when
/// none was open.
pub fn resolve(conn: &mut DbConnection, patient_id: &str, kind: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(
        alerts::table
            .filter(alerts::patient_id.eq(patient_id))
            .filter(alerts::kind.eq(kind))
            .filter(alerts::status.eq("open")),
    )
    .set((alerts::status.eq("resolved"), alerts::acknowledged_at.eq(now)))
    .execute(conn)?;
    Ok(updated == 1)
}

/// The patients with an open alert of one of `kinds`.
pub fn patients_with_open(conn: &mut DbConnection, kinds: &[&str]) -> QueryResult<Vec<String>> {
    alerts::table
        .filter(alerts::status.eq("open"))
        .filter(alerts::kind.eq_any(kinds))
        .select(alerts::patient_id)
        .distinct()
        .load(conn)
}

/// True while the patient has an open emergency or urgent red-flag alert.
pub fn red_flag_open(conn: &mut DbConnection, patient_id: &str) -> QueryResult<bool> {
    diesel::select(exists(
        alerts::table
            .filter(alerts::patient_id.eq(patient_id))
            .filter(alerts::kind.eq("red_flag"))
            .filter(alerts::status.eq("open"))
            .filter(alerts::severity.eq_any(["emergency", "urgent"])),
    ))
    .get_result(conn)
}

/// Where a worklist page starts: after this (rank, opened_at, id).
pub type WorklistCursor = (i32, NaiveDateTime, String);

/// A worklist page, most severe first, then oldest first. `clinician` limits it to that
/// clinician's patients and those who have no primary clinician yet.
pub fn worklist(
    conn: &mut DbConnection,
    status: Option<&str>,
    clinician: Option<&str>,
    after: Option<WorklistCursor>,
    limit: i64,
) -> QueryResult<Vec<AlertRow>> {
    let mut query = alerts::table.inner_join(users::table.on(users::id.eq(alerts::patient_id))).into_boxed();
    if let Some(status) = status {
        query = query.filter(alerts::status.eq(status.to_string()));
    }
    if let Some(clinician) = clinician {
        query = query
            .filter(users::primary_clinician_id.eq(clinician.to_string()).or(users::primary_clinician_id.is_null()));
    }
    if let Some((rank, at, id)) = after {
        query = query.filter(
            alerts::severity_rank.gt(rank).or(alerts::severity_rank
                .eq(rank)
                .and(alerts::opened_at.gt(at).or(alerts::opened_at.eq(at).and(alerts::id.gt(id))))),
        );
    }
    query
        .order((alerts::severity_rank.asc(), alerts::opened_at.asc(), alerts::id.asc()))
        .limit(limit)
        .select(AlertRow::as_select())
        .load(conn)
}

/// The patient's alerts, newest first (for the export and the record).
pub fn of_patient(conn: &mut DbConnection, patient_id: &str) -> QueryResult<Vec<AlertRow>> {
    alerts::table
        .filter(alerts::patient_id.eq(patient_id))
        .order((alerts::opened_at.desc(), alerts::id.desc()))
        .select(AlertRow::as_select())
        .load(conn)
}

/// When an alert of `kind` was last acknowledged for the patient.
pub fn last_acknowledged(conn: &mut DbConnection, patient_id: &str, kind: &str) -> QueryResult<Option<NaiveDateTime>> {
    alerts::table
        .filter(alerts::patient_id.eq(patient_id))
        .filter(alerts::kind.eq(kind))
        .filter(alerts::status.eq("acknowledged"))
        .select(diesel::dsl::max(alerts::acknowledged_at))
        .first(conn)
}
