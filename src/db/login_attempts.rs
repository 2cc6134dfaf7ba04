//! Sign-in attempts, counted per account and per client for the login throttle.

use chrono::NaiveDateTime;
use diesel::dsl::{count_star, max, min};
use diesel::prelude::*;

use super::schema::login_attempts;
use super::{new_id, DbConnection};
use crate::domain::login_throttle::{self, Decision, Failures, Limits};

/// Whether a sign-in attempt may go ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Go ahead; the attempt is already recorded as a failure until [`mark_succeeded`].
    Admitted {
        attempt_id: String,
    },
    Throttled {
        retry_after_secs: u64,
    },
}

/// Counts recent failures and, if the throttle allows, records this attempt, in one step that
/// concurrent attempts for the same account cannot interleave: a burst of parallel guesses is
/// counted one by one. Call inside a write transaction.
pub fn admit(
    conn: &mut DbConnection,
    limits: &Limits,
    account_key: &str,
    client_key: &str,
    now: NaiveDateTime,
) -> QueryResult<Admission> {
    // Backend-specific: SQLite's write transaction already runs alone; PostgreSQL serialises
    // attempts on one account with a transaction-scoped advisory lock.
    if let DbConnection::Pg(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind::<diesel::sql_types::Text, _>(account_key)
            .execute(pg)?;
    }
    let since = now - chrono::Duration::from_std(limits.window).unwrap_or_default();
    let account = account_failures(conn, account_key, since)?;
    let client = client_failures(conn, client_key, since)?;
    match login_throttle::decide(limits, &account, &client, now) {
        Decision::Throttle { retry_after_secs } => Ok(Admission::Throttled { retry_after_secs }),
        Decision::Allow => Ok(Admission::Admitted { attempt_id: record(conn, account_key, client_key, false, now)? }),
    }
}

pub fn mark_succeeded(conn: &mut DbConnection, attempt_id: &str) -> QueryResult<()> {
    diesel::update(login_attempts::table.find(attempt_id))
        .set(login_attempts::succeeded.eq(true))
        .execute(conn)
        .map(|_| ())
}

fn record(
    conn: &mut DbConnection,
    account_key: &str,
    client_key: &str,
    succeeded: bool,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let id = new_id();
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::id.eq(&id),
            login_attempts::account_key.eq(account_key),
            login_attempts::client_key.eq(client_key),
            login_attempts::succeeded.eq(succeeded),
            login_attempts::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Failures for the account since `since`, not counting those before its last success.
fn account_failures(conn: &mut DbConnection, account_key: &str, since: NaiveDateTime) -> QueryResult<Failures> {
    let last_success: Option<NaiveDateTime> = login_attempts::table
        .filter(login_attempts::account_key.eq(account_key))
        .filter(login_attempts::succeeded.eq(true))
        .filter(login_attempts::created_at.ge(since))
        .select(max(login_attempts::created_at))
        .first(conn)?;
    let from = last_success.map_or(since, |at| at.max(since));
    let (count, oldest): (i64, Option<NaiveDateTime>) = login_attempts::table
        .filter(login_attempts::account_key.eq(account_key))
        .filter(login_attempts::succeeded.eq(false))
        .filter(login_attempts::created_at.ge(from))
        .select((count_star(), min(login_attempts::created_at)))
        .first(conn)?;
    Ok(Failures { count: count as u32, oldest })
}

/// Failures from one client address since `since`, whichever accounts they named.
fn client_failures(conn: &mut DbConnection, client_key: &str, since: NaiveDateTime) -> QueryResult<Failures> {
    let (count, oldest): (i64, Option<NaiveDateTime>) = login_attempts::table
        .filter(login_attempts::client_key.eq(client_key))
        .filter(login_attempts::succeeded.eq(false))
        .filter(login_attempts::created_at.ge(since))
        .select((count_star(), min(login_attempts::created_at)))
        .first(conn)?;
    Ok(Failures { count: count as u32, oldest })
}

/// Drops attempts older than `before`; they no longer count for anything.
pub fn prune(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(login_attempts::table.filter(login_attempts::created_at.lt(before))).execute(conn)
}
