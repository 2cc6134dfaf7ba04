//! The outbox as admins work it: deliveries newest first, of one status or all, and a retry for
//! a failed one; each counted the same for `/v1/admin/deliveries` and the console's page.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use crate::auth::Actor;
use crate::db::audit::{AuditEntry, Origin};
use crate::db::deliveries::{self, DeliveryRow, STATUSES};
use crate::db::DbConnection;
use crate::domain::role::Role;
use crate::error::{ApiError, ProblemCode};

/// A status filter as asked: absent or one of [`STATUSES`].
pub fn status_filter(asked: Option<String>) -> Result<Option<String>, ApiError> {
    match asked {
        Some(s) if !STATUSES.contains(&s.as_str()) => {
            Err(ApiError::field("status", "invalid", "one of pending, leased, sent, failed, cancelled, expired"))
        }
        other => Ok(other),
    }
}

/// Up to `limit` deliveries newest first, before the id `before`; admins only.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    status: Option<&str>,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<DeliveryRow>, ApiError> {
    actor.require(&[Role::Admin])?;
    Ok(deliveries::list(conn, status, before, limit)?)
}

/// Puts a failed delivery back in the queue, due now with its attempts from zero; audited.
/// An account email whose one-time link was dropped is not retried (`not_retryable`): its owner
/// asks for a new link.
pub fn retry(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    id: &str,
    now: NaiveDateTime,
) -> Result<DeliveryRow, ApiError> {
    actor.require(&[Role::Admin])?;
    deliveries::find(conn, id)?.ok_or(ApiError::NotFound)?;
    if !deliveries::retry(conn, id, now)? {
        return Err(ApiError::conflict(ProblemCode::NotRetryable, "only a failed delivery can be retried, and not an account email whose one-time link was dropped: its owner asks for a new link"));
    }
    AuditEntry::new("delivery.retry", origin).actor(&actor.id, actor.role).target(id).write(conn)?;
    deliveries::find(conn, id)?.ok_or(ApiError::NotFound)
}

/// Rows per status (every status, zero when none) and the age in seconds of the oldest email
/// that is due but unsent.
pub fn counts(conn: &mut DbConnection, now: NaiveDateTime) -> Result<(BTreeMap<String, i64>, i64), ApiError> {
    let stats = deliveries::stats(conn, now)?;
    let mut counts: BTreeMap<String, i64> = STATUSES.iter().map(|s| (s.to_string(), 0)).collect();
    counts.extend(stats.counts);
    Ok((counts, stats.oldest_due.map_or(0, |due| (now - due).num_seconds().max(0))))
}
