//! Sign-in attempts, counted per account and per client for the login throttle.

use chrono::NaiveDateTime;
use diesel::dsl::{count_star, max, min};
use diesel::prelude::*;

use super::schema::login_attempts;
use super::{new_id, DbConnection};
use crate::domain::login_throttle::Failures;

pub fn record(
    conn: &mut DbConnection,
    account_key: &str,
    client_key: &str,
    succeeded: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::id.eq(new_id()),
            login_attempts::account_key.eq(account_key),
            login_attempts::client_key.eq(client_key),
            login_attempts::succeeded.eq(succeeded),
            login_attempts::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Failures for the account since `since`, not counting those before its last success.
pub fn account_failures(conn: &mut DbConnection, account_key: &str, since: NaiveDateTime) -> QueryResult<Failures> {
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
pub fn client_failures(conn: &mut DbConnection, client_key: &str, since: NaiveDateTime) -> QueryResult<Failures> {
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
