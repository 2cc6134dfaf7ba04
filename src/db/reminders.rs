//! Patients' reminder choices (one row per patient and kind) and the scheduler's bookkeeping.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::reminder_settings as settings;
use super::DbConnection;
use crate::domain::reminders::{ReminderKind, ReminderTime};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = settings)]
pub struct SettingRow {
    pub user_id: String,
    pub kind: String,
    pub enabled: bool,
    pub weekdays: String,
    pub local_minute: i32,
    pub next_run_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl SettingRow {
    pub fn kind(&self) -> Option<ReminderKind> {
        ReminderKind::parse(&self.kind)
    }

    pub fn time(&self) -> ReminderTime {
        ReminderTime::from_stored(&self.weekdays, self.local_minute)
    }

    fn default_for(user_id: &str, kind: ReminderKind, now: NaiveDateTime) -> Self {
        let time = kind.default_time();
        Self {
            user_id: user_id.to_string(),
            kind: kind.as_str().to_string(),
            enabled: true,
            weekdays: time.weekdays_text(),
            local_minute: time.minute as i32,
            next_run_at: now,
            updated_at: now,
        }
    }
}

/// The patient's rows for every kind, made with the defaults where missing. Call inside a write
/// transaction.
pub fn ensure(conn: &mut DbConnection, user_id: &str, now: NaiveDateTime) -> QueryResult<Vec<SettingRow>> {
    for kind in ReminderKind::ALL {
        let insert = diesel::insert_into(settings::table)
            .values(SettingRow::default_for(user_id, kind, now))
            .on_conflict((settings::user_id, settings::kind))
            .do_nothing();
        // Backend-specific: ON CONFLICT is spelled the same but typed per backend.
        match conn {
            DbConnection::Pg(conn) => insert.execute(conn)?,
            DbConnection::Sqlite(conn) => insert.execute(conn)?,
        };
    }
    of_user(conn, user_id)
}

pub fn of_user(conn: &mut DbConnection, user_id: &str) -> QueryResult<Vec<SettingRow>> {
    settings::table
        .filter(settings::user_id.eq(user_id))
        .order(settings::kind.asc())
        .select(SettingRow::as_select())
        .load(conn)
}

/// The user's rows, locked until the transaction ends: a change of plan and the scheduler take
/// turns per patient, so neither re-queues from what the other is about to replace.
pub fn lock_of_user(conn: &mut DbConnection, user_id: &str) -> QueryResult<Vec<SettingRow>> {
    let query = settings::table.filter(settings::user_id.eq(user_id)).select((settings::user_id, settings::kind));
    // Backend-specific: PostgreSQL waits for the scheduler's row locks; SQLite's write transaction
    // already holds the single write lock.
    match conn {
        DbConnection::Pg(conn) => query.for_update().load::<(String, String)>(conn)?,
        DbConnection::Sqlite(conn) => query.load::<(String, String)>(conn)?,
    };
    of_user(conn, user_id)
}

fn load_keys(conn: &mut DbConnection, keys: Vec<(String, String)>) -> QueryResult<Vec<SettingRow>> {
    let mut rows = Vec::with_capacity(keys.len());
    for (user_id, kind) in keys {
        if let Some(row) =
            settings::table.find((user_id, kind)).select(SettingRow::as_select()).first(conn).optional()?
        {
            rows.push(row);
        }
    }
    Ok(rows)
}

pub fn find(conn: &mut DbConnection, user_id: &str, kind: ReminderKind) -> QueryResult<Option<SettingRow>> {
    settings::table.find((user_id, kind.as_str())).select(SettingRow::as_select()).first(conn).optional()
}

/// Changes the time of one kind; the scheduler looks at it again at once.
pub fn set_time(
    conn: &mut DbConnection,
    user_id: &str,
    kind: ReminderKind,
    time: &ReminderTime,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(settings::table.find((user_id, kind.as_str())))
        .set((
            settings::weekdays.eq(time.weekdays_text()),
            settings::local_minute.eq(time.minute as i32),
            settings::next_run_at.eq(now),
            settings::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Turns one kind on or off; the scheduler looks at it again at once.
pub fn set_enabled(
    conn: &mut DbConnection,
    user_id: &str,
    kind: ReminderKind,
    enabled: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(settings::table.find((user_id, kind.as_str())))
        .set((settings::enabled.eq(enabled), settings::next_run_at.eq(now), settings::updated_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}

/// Up to `limit` rows the scheduler should look at now, locked for this transaction (skipped,
/// not waited for, when another replica holds them).
pub fn due(conn: &mut DbConnection, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<SettingRow>> {
    let query = settings::table
        .filter(settings::next_run_at.le(now))
        .order(settings::next_run_at.asc())
        .limit(limit)
        .select((settings::user_id, settings::kind));
    // Backend-specific: only PostgreSQL has row locks to skip; SQLite's write transaction already
    // holds the single write lock.
    let keys: Vec<(String, String)> = match conn {
        DbConnection::Pg(conn) => query.for_update().skip_locked().load(conn)?,
        DbConnection::Sqlite(conn) => query.load(conn)?,
    };
    load_keys(conn, keys)
}

pub fn next_run(conn: &mut DbConnection, row: &SettingRow, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(settings::table.find((&row.user_id, &row.kind)))
        .set(settings::next_run_at.eq(at))
        .execute(conn)
        .map(|_| ())
}
