//! The database: one connection type over PostgreSQL and SQLite, chosen from the URL at run time.
//!
//! Queries are written once against [`DbConnection`]. What must differ between the backends lives
//! in one marked place each: migrations (`migrations.rs`), connection set-up (below), and the
//! write-transaction start ([`write_tx`]).

pub mod alerts;
pub mod api_tokens;
pub mod appointments;
pub mod audit;
pub mod availability;
pub mod backup;
pub mod catalogue;
pub mod check_ins;
pub mod clinic;
pub mod console_sessions;
pub mod deliveries;
pub mod episodes;
pub mod evaluations;
pub mod exercise_logs;
pub mod exercises;
pub mod idempotency;
pub mod login_attempts;
pub mod migrations;
pub mod outbox;
pub mod phone_made;
pub mod programs;
pub mod reminders;
pub mod schema;
pub mod tokens;
pub mod users;
pub mod waitlist;

use std::time::Duration;

use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

pub type DbPool = Pool<ConnectionManager<DbConnection>>;
pub type PoolError = diesel::r2d2::PoolError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn from_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// SQLite wants a path; accept `sqlite://path` too, as docker-compose users will write it.
pub(crate) fn connection_url(url: &str) -> String {
    url.strip_prefix("sqlite://").unwrap_or(url).to_string()
}

#[derive(Debug)]
struct ConnectionSetup;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for ConnectionSetup {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        // Backend-specific: SQLite needs its foreign keys, WAL and a busy timeout per connection.
        if let DbConnection::Sqlite(conn) = conn {
            conn.batch_execute(
                "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                 PRAGMA foreign_keys = ON;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

pub fn build_pool(url: &str, max_size: u32) -> Result<DbPool, PoolError> {
    if Backend::from_url(url) == Backend::Sqlite {
        // Owner-only before SQLite opens it (its -wal and -shm take the file's mode); an
        // in-memory or otherwise unopenable path is left for SQLite to refuse.
        let path = connection_url(url);
        if !path.starts_with(':') && !path.starts_with("file:") {
            let _ = crate::config::files::private_sqlite(std::path::Path::new(&path));
        }
    }
    Pool::builder()
        .max_size(max_size.max(1))
        .connection_timeout(Duration::from_secs(5))
        .connection_customizer(Box::new(ConnectionSetup))
        .build(ConnectionManager::new(connection_url(url)))
}

/// Runs `f` on a pooled connection on the blocking thread pool, off the async workers.
pub async fn run<T, F>(pool: &DbPool, f: F) -> Result<T, crate::error::ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, crate::error::ApiError> + Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await
    .map_err(crate::error::ApiError::internal)?
}

/// A write transaction: everything in `f` commits together or not at all.
///
/// Backend-specific: SQLite starts it with `BEGIN IMMEDIATE`, taking the write lock up front, so a
/// transaction that reads and then writes never fails half-way on a lock upgrade.
pub fn write_tx<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConnection::Pg(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match f(conn) {
        Ok(value) => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(err) => {
            <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(err)
        }
    }
}

/// Runs `f` in a write transaction on the blocking pool.
pub async fn transaction<T, F>(pool: &DbPool, f: F) -> Result<T, crate::error::ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, crate::error::ApiError> + Send + 'static,
{
    run(pool, move |conn| write_tx(conn, f)).await
}

/// The current instant, at the precision both databases keep (microseconds).
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// True for errors that mean the database is away (restarting, unreachable), not a bug.
pub fn is_unavailable(err: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match err {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => true,
        Error::DatabaseError(_, info) => {
            let message = info.message();
            message.contains("database is locked") || message.contains("terminating connection")
        }
        _ => false,
    }
}

/// True when `err` is a unique-key violation (someone else got there first).
pub fn is_unique_violation(err: &diesel::result::Error) -> bool {
    matches!(err, diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _))
}

/// `text` with LIKE's wildcards escaped (use with `.escape('\\')`), so it matches literally.
pub fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Checks that the database answers, for `/readyz`.
pub fn ping(conn: &mut DbConnection) -> QueryResult<()> {
    diesel::sql_query("SELECT 1").execute(conn).map(|_| ())
}
