//! Delivering the outbox: claiming due rows under a lease, and the acknowledgements that end a
//! lease. Safe with many workers at once: PostgreSQL hands rows out with `FOR UPDATE SKIP
//! LOCKED`, SQLite inside its single-writer transaction (see `write_tx`).

use chrono::NaiveDateTime;
use diesel::dsl::{count_star, min};
use diesel::prelude::*;

use super::schema::notification_outbox as outbox;
use super::DbConnection;

/// The assignments that take a row out of any worker's hands: its new status and no lease.
type Unlease = (
    diesel::dsl::Eq<outbox::status, &'static str>,
    diesel::dsl::Eq<outbox::lease_owner, Option<String>>,
    diesel::dsl::Eq<outbox::lease_expires_at, Option<NaiveDateTime>>,
    diesel::dsl::Eq<outbox::updated_at, NaiveDateTime>,
);

/// A row back in the queue (`pending`), its one-time link kept for the next attempt.
fn unlease(status: &'static str, now: NaiveDateTime) -> Unlease {
    (
        outbox::status.eq(status),
        outbox::lease_owner.eq(None),
        outbox::lease_expires_at.eq(None),
        outbox::updated_at.eq(now),
    )
}

/// A row settled for good (`sent`, `failed`, `cancelled`, `expired`): no lease, and its one-time
/// link dropped, so a copy of the database holds no usable token.
pub(super) fn settle(
    status: &'static str,
    now: NaiveDateTime,
) -> (Unlease, diesel::dsl::Eq<outbox::secret_link, Option<String>>) {
    (unlease(status, now), outbox::secret_link.eq(None))
}
use crate::domain::retry::{AfterFailure, RetryPolicy};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct DeliveryRow {
    pub id: String,
    pub kind: String,
    pub recipient: String,
    pub user_id: Option<String>,
    pub dedupe_key: String,
    pub priority: i32,
    pub due_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    pub smtp_message_id: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub attachments: Option<String>,
    pub headers: Option<String>,
    /// An account email's one-time link, until the row is settled (see [`settle`]).
    pub secret_link: Option<String>,
    pub created_at: NaiveDateTime,
}

pub const STATUSES: [&str; 6] = ["pending", "leased", "sent", "failed", "cancelled", "expired"];

/// Ids of up to `limit` rows matching `filter`, locked for this transaction; on PostgreSQL rows
/// another claimer holds are skipped rather than waited for.
macro_rules! lock_ids {
    ($conn:expr, $query:expr) => {{
        let query = $query;
        // Backend-specific: only PostgreSQL has row locks to skip; SQLite's transaction already
        // holds the single write lock.
        match $conn {
            DbConnection::Pg(conn) => query.for_update().skip_locked().load::<String>(conn)?,
            DbConnection::Sqlite(conn) => query.load::<String>(conn)?,
        }
    }};
}

/// Marks as `expired` the rows that stopped being worth sending. Call inside a write transaction.
pub fn expire_stale(conn: &mut DbConnection, now: NaiveDateTime, limit: i64) -> QueryResult<usize> {
    let stale = outbox::table
        .filter(outbox::expires_at.le(now))
        .filter(outbox::status.eq("pending").or(outbox::status.eq("leased").and(outbox::lease_expires_at.le(now))))
        .select(outbox::id)
        .limit(limit);
    let ids = lock_ids!(conn, stale);
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::update(outbox::table.filter(outbox::id.eq_any(&ids))).set(settle("expired", now)).execute(conn)
}

/// Gives up on rows whose lease ran out on their last allowed attempt (a worker died, or
/// could never report): they are `failed`, not handed out forever. Call inside a write transaction.
pub fn give_up_abandoned(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    max_attempts: u32,
    limit: i64,
) -> QueryResult<usize> {
    let abandoned = outbox::table
        .filter(outbox::status.eq("leased"))
        .filter(outbox::lease_expires_at.le(now))
        .filter(outbox::attempts.ge(i32::try_from(max_attempts).unwrap_or(i32::MAX)))
        .select(outbox::id)
        .limit(limit);
    let ids = lock_ids!(conn, abandoned);
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
        .set((
            settle("failed", now),
            outbox::last_error.eq("no worker reported back before its lease ran out, on every attempt"),
        ))
        .execute(conn)
}

/// Leases up to `max` due rows to `lease_owner` until `lease_until`, most urgent first. A row
/// whose earlier lease ran out is due again. Call inside a write transaction.
pub fn claim(
    conn: &mut DbConnection,
    lease_owner: &str,
    max: i64,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> QueryResult<Vec<DeliveryRow>> {
    let due = outbox::table
        .filter(
            outbox::status
                .eq("pending")
                .and(outbox::next_attempt_at.le(now))
                .or(outbox::status.eq("leased").and(outbox::lease_expires_at.le(now))),
        )
        .filter(outbox::expires_at.is_null().or(outbox::expires_at.gt(now)))
        .order((outbox::priority.desc(), outbox::next_attempt_at.asc(), outbox::id.asc()))
        .select(outbox::id)
        .limit(max);
    let ids = lock_ids!(conn, due);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
        .set((
            outbox::status.eq("leased"),
            outbox::lease_owner.eq(lease_owner),
            outbox::last_lease_owner.eq(lease_owner),
            outbox::lease_expires_at.eq(lease_until),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::updated_at.eq(now),
        ))
        .execute(conn)?;
    outbox::table
        .filter(outbox::id.eq_any(&ids))
        .order((outbox::priority.desc(), outbox::next_attempt_at.asc(), outbox::id.asc()))
        .select(DeliveryRow::as_select())
        .load(conn)
}

/// Cancels a claimed row that is no longer wanted (a reminder whose reason went away between
/// queueing and sending); `reason` says why, without personal details.
pub fn withdraw_claimed(conn: &mut DbConnection, id: &str, reason: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(outbox::table.find(id).filter(outbox::status.eq("leased")))
        .set((settle("cancelled", now), outbox::last_error.eq(reason)))
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<DeliveryRow>> {
    outbox::table.find(id).select(DeliveryRow::as_select()).first(conn).optional()
}

/// Records that the email went out, reported by the holder of the row's latest lease. A late
/// report (that lease ran out, the row is due again) is still the truth and stops a resend; a
/// row already sent keeps its first record. Cancelled and expired rows are left as they are.
pub fn mark_sent(
    conn: &mut DbConnection,
    id: &str,
    lease_id: &str,
    message_id: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::status.eq_any(["pending", "leased"]))
            .filter(outbox::last_lease_owner.eq(lease_id)),
    )
    .set((settle("sent", now), outbox::sent_at.eq(now), outbox::smtp_message_id.eq(message_id)))
    .execute(conn)
    .map(|_| ())
}

/// Records a failed attempt, only from the worker that holds the lease: a late report from a
/// lease that passed to another worker changes nothing.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: &str,
    lease_owner: &str,
    error: &str,
    permanent: bool,
    policy: &RetryPolicy,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let Some(row) = find(conn, id)? else { return Ok(()) };
    if row.status != "leased" || row.lease_owner.as_deref() != Some(lease_owner) {
        return Ok(());
    }
    let error: String = error.chars().take(1000).collect();
    let attempts = u32::try_from(row.attempts).unwrap_or(u32::MAX);
    let target = outbox::table.find(id).filter(outbox::lease_owner.eq(lease_owner));
    match policy.after_failure(attempts, permanent, rand::random::<f64>()) {
        AfterFailure::GiveUp => {
            diesel::update(target).set((settle("failed", now), outbox::last_error.eq(&error))).execute(conn)?
        }
        AfterFailure::RetryIn(wait) => diesel::update(target)
            .set((
                unlease("pending", now),
                outbox::last_error.eq(&error),
                outbox::next_attempt_at.eq(now + chrono::Duration::from_std(wait).unwrap_or_default()),
            ))
            .execute(conn)?,
    };
    Ok(())
}

/// Hands back a row the worker claimed but never started (shutting down): not an attempt.
pub fn release(conn: &mut DbConnection, id: &str, lease_owner: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        outbox::table.find(id).filter(outbox::status.eq("leased")).filter(outbox::lease_owner.eq(lease_owner)),
    )
    .set((unlease("pending", now), outbox::attempts.eq(outbox::attempts - 1)))
    .execute(conn)
    .map(|_| ())
}

/// An admin's second chance for a failed email: due now, attempts from zero. Not for an email
/// whose one-time link was dropped when it failed (its owner asks for a new one).
pub fn retry(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let slot = format!("%{}%", super::like_escape(crate::mail::SECRET_LINK_SLOT));
    let retryable = outbox::table
        .find(id)
        .filter(outbox::status.eq("failed"))
        .filter(outbox::body_text.not_like(slot).escape('\\'))
        .filter(outbox::body_text.ne(super::outbox::LINK_DROPPED));
    let updated = diesel::update(retryable)
        .set((
            outbox::status.eq("pending"),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
            outbox::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Newest first, optionally of one status; `before` is the last id of the previous page.
pub fn list(
    conn: &mut DbConnection,
    status: Option<&str>,
    before: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<DeliveryRow>> {
    let mut query = outbox::table.into_boxed();
    if let Some(status) = status {
        query = query.filter(outbox::status.eq(status.to_string()));
    }
    if let Some(before) = before {
        query = query.filter(outbox::id.lt(before.to_string()));
    }
    query.order(outbox::id.desc()).limit(limit).select(DeliveryRow::as_select()).load(conn)
}

/// Rows per status, and when the oldest row that is due but unsent became due.
pub struct OutboxStats {
    pub counts: Vec<(String, i64)>,
    pub oldest_due: Option<NaiveDateTime>,
}

pub fn stats(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<OutboxStats> {
    let counts = outbox::table.group_by(outbox::status).select((outbox::status, count_star())).load(conn)?;
    let oldest_due = outbox::table
        .filter(outbox::status.eq_any(["pending", "leased"]))
        .filter(outbox::next_attempt_at.le(now))
        .select(min(outbox::due_at))
        .first(conn)?;
    Ok(OutboxStats { counts, oldest_due })
}
