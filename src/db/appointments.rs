//! Appointments and their history. The no-overlap rules live in the database (an exclusion
//! constraint on PostgreSQL, triggers on SQLite); [`is_slot_taken`] recognises their refusal.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{appointment_events, appointments};
use super::{new_id, DbConnection};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = appointments)]
pub struct AppointmentRow {
    pub id: String,
    pub patient_id: String,
    pub clinician_id: String,
    pub appointment_type_id: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub block_start: NaiveDateTime,
    pub block_end: NaiveDateTime,
    pub status: String,
    pub reason: Option<String>,
    pub late_cancellation: bool,
    pub cancel_reason: Option<String>,
    /// Goes up with every reschedule (the calendar invitation's SEQUENCE).
    pub sequence: i32,
    pub booked_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The episode of care the visit belongs to, and the series it was booked in.
    pub episode_id: Option<String>,
    pub series_id: Option<String>,
}

/// True when the database refused a write because it would double-book a clinician or a patient.
///
/// Backend-specific: two PostgreSQL transactions that insert overlapping rows at once each wait
/// for the other's overlap check, and PostgreSQL ends the tie by aborting one ("deadlock
/// detected"): that write lost the time to the other, which is the same answer.
pub fn is_slot_taken(err: &diesel::result::Error) -> bool {
    use diesel::result::DatabaseErrorKind;
    match err {
        diesel::result::Error::DatabaseError(kind, info) => {
            info.constraint_name().is_some_and(|name| name.ends_with("_no_overlap"))
                || info.message().contains("slot_taken")
                || info.message().contains("_no_overlap")
                || info.message().contains("deadlock detected")
                || matches!(kind, DatabaseErrorKind::SerializationFailure)
        }
        _ => false,
    }
}

pub fn insert(conn: &mut DbConnection, row: &AppointmentRow) -> QueryResult<()> {
    diesel::insert_into(appointments::table).values(row).execute(conn).map(|_| ())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<AppointmentRow>> {
    appointments::table.find(id).select(AppointmentRow::as_select()).first(conn).optional()
}

type VersionRead<'a> = diesel::dsl::Filter<
    diesel::dsl::Filter<
        diesel::dsl::Find<appointments::table, &'a str>,
        diesel::dsl::Eq<appointments::status, &'static str>,
    >,
    diesel::dsl::Eq<appointments::sequence, i32>,
>;

/// The optimistic lock of moves and cancellations: the version the caller read, while it is
/// still booked and unchanged. Someone else's change meanwhile leaves nothing to update.
fn version_read(current: &AppointmentRow) -> VersionRead<'_> {
    appointments::table
        .find(current.id.as_str())
        .filter(appointments::status.eq("booked"))
        .filter(appointments::sequence.eq(current.sequence))
}

/// Puts the patient's visits from `from` on, not cancelled and in no episode or in one of the
/// `earlier` (closed) ones, in this one.
pub fn join_episode(
    conn: &mut DbConnection,
    patient_id: &str,
    episode_id: &str,
    earlier: &[String],
    from: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        appointments::table
            .filter(appointments::patient_id.eq(patient_id))
            .filter(appointments::episode_id.is_null().or(appointments::episode_id.eq_any(earlier)))
            .filter(appointments::starts_at.ge(from))
            .filter(appointments::status.ne("cancelled")),
    )
    .set(appointments::episode_id.eq(episode_id))
    .execute(conn)
}

/// The episode's visits still booked from `from` on, in order.
pub fn booked_of_episode_from(
    conn: &mut DbConnection,
    episode_id: &str,
    from: NaiveDateTime,
) -> QueryResult<Vec<AppointmentRow>> {
    appointments::table
        .filter(appointments::episode_id.eq(episode_id))
        .filter(appointments::status.eq("booked"))
        .filter(appointments::starts_at.ge(from))
        .order(appointments::starts_at)
        .select(AppointmentRow::as_select())
        .load(conn)
}

/// The series' booked visits after `after` (by start), leaving out `except`.
pub fn booked_of_series_after(
    conn: &mut DbConnection,
    series_id: &str,
    after: NaiveDateTime,
    except: &str,
) -> QueryResult<Vec<AppointmentRow>> {
    appointments::table
        .filter(appointments::series_id.eq(series_id))
        .filter(appointments::status.eq("booked"))
        .filter(appointments::starts_at.gt(after))
        .filter(appointments::id.ne(except))
        .order(appointments::starts_at)
        .select(AppointmentRow::as_select())
        .load(conn)
}

/// Moves a booked appointment in one statement: the database checks the new time against every
/// other appointment, so the old time is released only if the new one is taken. Only the version
/// the caller read (`sequence`) is moved: `false` if someone changed it meanwhile.
pub fn move_to(
    conn: &mut DbConnection,
    current: &AppointmentRow,
    clinician_id: &str,
    times: (NaiveDateTime, NaiveDateTime, NaiveDateTime, NaiveDateTime),
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let (starts_at, ends_at, block_start, block_end) = times;
    let updated = diesel::update(version_read(current))
        .set((
            appointments::clinician_id.eq(clinician_id),
            appointments::starts_at.eq(starts_at),
            appointments::ends_at.eq(ends_at),
            appointments::block_start.eq(block_start),
            appointments::block_end.eq(block_end),
            appointments::sequence.eq(appointments::sequence + 1),
            appointments::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Sets the status if it is still `from` (two staff clicking at once: one wins).
pub fn set_status(conn: &mut DbConnection, id: &str, from: &str, to: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(appointments::table.find(id).filter(appointments::status.eq(from)))
        .set((appointments::status.eq(to), appointments::updated_at.eq(now)))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Cancels the version the caller read, if it is still booked and unchanged.
pub fn mark_cancelled(
    conn: &mut DbConnection,
    current: &AppointmentRow,
    reason: Option<&str>,
    late: bool,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(version_read(current))
        .set((
            appointments::status.eq("cancelled"),
            appointments::cancel_reason.eq(reason),
            appointments::late_cancellation.eq(late),
            appointments::sequence.eq(appointments::sequence + 1),
            appointments::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// The busy blocks (buffers included) of these clinicians' active appointments within a window.
pub fn clinician_blocks(
    conn: &mut DbConnection,
    clinician_ids: &[String],
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<(String, NaiveDateTime, NaiveDateTime)>> {
    appointments::table
        .filter(appointments::clinician_id.eq_any(clinician_ids))
        .filter(appointments::status.ne("cancelled"))
        .filter(appointments::block_start.lt(to))
        .filter(appointments::block_start.gt(from - crate::domain::appointment::longest_block()))
        .filter(appointments::block_end.gt(from))
        .select((appointments::clinician_id, appointments::block_start, appointments::block_end))
        .load(conn)
}

/// A patient's active appointments overlapping a window (they cannot be in two places at once).
pub fn patient_times(
    conn: &mut DbConnection,
    patient_id: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<(NaiveDateTime, NaiveDateTime)>> {
    appointments::table
        .filter(appointments::patient_id.eq(patient_id))
        .filter(appointments::status.ne("cancelled"))
        .filter(appointments::starts_at.lt(to))
        .filter(appointments::starts_at.gt(from - crate::domain::appointment::longest_block()))
        .filter(appointments::ends_at.gt(from))
        .select((appointments::starts_at, appointments::ends_at))
        .load(conn)
}

#[derive(Debug, Clone, Default)]
pub struct AppointmentFilter {
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub clinician_id: Option<String>,
    pub patient_id: Option<String>,
    pub status: Option<String>,
}

/// By start time, then id; `after` is the (start, id) of the previous page's last row.
pub fn list(
    conn: &mut DbConnection,
    filter: &AppointmentFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<AppointmentRow>> {
    let mut query = appointments::table.into_boxed();
    if let Some(from) = filter.from {
        query = query.filter(appointments::starts_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(appointments::starts_at.lt(to));
    }
    if let Some(clinician) = &filter.clinician_id {
        query = query.filter(appointments::clinician_id.eq(clinician.clone()));
    }
    if let Some(patient) = &filter.patient_id {
        query = query.filter(appointments::patient_id.eq(patient.clone()));
    }
    if let Some(status) = &filter.status {
        query = query.filter(appointments::status.eq(status.clone()));
    }
    if let Some((at, id)) = after {
        query = query
            .filter(appointments::starts_at.gt(at).or(appointments::starts_at.eq(at).and(appointments::id.gt(id))));
    }
    query
        .order((appointments::starts_at.asc(), appointments::id.asc()))
        .limit(limit)
        .select(AppointmentRow::as_select())
        .load(conn)
}

/// One change in an appointment's history: who, when, from what to what.
#[derive(Debug, Clone, Default, Queryable, Selectable, Insertable)]
#[diesel(table_name = appointment_events)]
pub struct EventRow {
    pub id: String,
    pub appointment_id: String,
    pub actor_id: Option<String>,
    pub occurred_at: NaiveDateTime,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub from_starts_at: Option<NaiveDateTime>,
    pub to_starts_at: Option<NaiveDateTime>,
    pub from_clinician_id: Option<String>,
    pub to_clinician_id: Option<String>,
    pub detail: Option<String>,
}

impl EventRow {
    pub fn new(appointment_id: &str, actor_id: &str, action: &str, now: NaiveDateTime) -> Self {
        Self {
            id: new_id(),
            appointment_id: appointment_id.to_string(),
            actor_id: Some(actor_id.to_string()),
            occurred_at: now,
            action: action.to_string(),
            ..Default::default()
        }
    }
}

pub fn record(conn: &mut DbConnection, event: &EventRow) -> QueryResult<()> {
    diesel::insert_into(appointment_events::table).values(event).execute(conn).map(|_| ())
}

pub fn history(conn: &mut DbConnection, appointment_id: &str) -> QueryResult<Vec<EventRow>> {
    appointment_events::table
        .filter(appointment_events::appointment_id.eq(appointment_id))
        .order((appointment_events::occurred_at.asc(), appointment_events::id.asc()))
        .select(EventRow::as_select())
        .load(conn)
}
