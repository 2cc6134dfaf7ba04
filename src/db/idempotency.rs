//! Idempotency records: the first answer to a request with a given `Idempotency-Key`, replayed
//! to every retry of it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::idempotency_keys as keys;
use super::DbConnection;

#[derive(Debug, Clone, Queryable)]
pub struct Stored {
    pub request_hash: String,
    pub status_code: i32,
    pub response_body: String,
}

/// Reserves the key for this request. `false` when it is taken: on PostgreSQL this waits for a
/// concurrent holder to commit or roll back first, so the stored answer is then readable.
pub fn reserve(
    conn: &mut DbConnection,
    user_id: &str,
    key: &str,
    request_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let insert = diesel::insert_into(keys::table)
        .values((
            keys::user_id.eq(user_id),
            keys::idempotency_key.eq(key),
            keys::request_hash.eq(request_hash),
            keys::status_code.eq(0),
            keys::response_body.eq(""),
            keys::created_at.eq(now),
        ))
        .on_conflict((keys::user_id, keys::idempotency_key))
        .do_nothing();
    // Backend-specific: ON CONFLICT is spelled the same but typed per backend.
    let inserted = match conn {
        DbConnection::Pg(conn) => insert.execute(conn)?,
        DbConnection::Sqlite(conn) => insert.execute(conn)?,
    };
    Ok(inserted == 1)
}

pub fn find(conn: &mut DbConnection, user_id: &str, key: &str) -> QueryResult<Option<Stored>> {
    keys::table
        .find((user_id, key))
        .select((keys::request_hash, keys::status_code, keys::response_body))
        .first(conn)
        .optional()
}

pub fn complete(conn: &mut DbConnection, user_id: &str, key: &str, status: u16, body: &str) -> QueryResult<()> {
    diesel::update(keys::table.find((user_id, key)))
        .set((keys::status_code.eq(i32::from(status)), keys::response_body.eq(body)))
        .execute(conn)
        .map(|_| ())
}

/// Forgets records older than `before` (keys are for retries, which come within minutes).
pub fn prune(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(keys::table.filter(keys::created_at.lt(before))).execute(conn)
}
