//! `backtrack backup PATH`: a consistent copy of the embedded SQLite database, taken while
//! `serve` keeps running. SQLite's `VACUUM INTO` reads one snapshot (a read transaction, which in
//! WAL mode neither waits for writers nor holds them up) and writes it to a new file: every
//! transaction committed before the copy began is in it, none half-written. Copying the file
//! itself can tear: committed rows may still be only in the `-wal` file, and a write can land
//! between the pages copied.
//!
//! Backend-specific: PostgreSQL is refused, with the pointer to `pg_dump`.

use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::Backend;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "this database is PostgreSQL: back it up with PostgreSQL's own tools, e.g. \
         `pg_dump --format=custom --file=backtrack.dump \"$DATABASE_URL\"` (see the README's Operations section)"
    )]
    Postgres,
    #[error("there is no SQLite database at {0}")]
    NoDatabase(PathBuf),
    #[error("{0} already exists; a backup never overwrites a file")]
    TargetExists(PathBuf),
    #[error("cannot create {0}: {1}")]
    Create(PathBuf, std::io::Error),
    #[error("cannot open the database: {0}")]
    Open(#[from] diesel::ConnectionError),
    #[error("the copy failed: {0}")]
    Copy(#[from] diesel::result::Error),
    #[error("the copy at {0} does not pass SQLite's integrity check: {1}")]
    Corrupt(PathBuf, String),
}

/// What was written.
#[derive(Debug)]
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

/// Copies the database at `database_url` into a new file `target` (owner-only, 0600), then
/// checks the copy's integrity. The target must not exist.
pub fn write(database_url: &str, target: &Path) -> Result<Backup, BackupError> {
    if Backend::from_url(database_url) == Backend::Postgres {
        return Err(BackupError::Postgres);
    }
    let source = PathBuf::from(super::connection_url(database_url));
    if !source.is_file() {
        // Opening a missing path would create an empty database there instead.
        return Err(BackupError::NoDatabase(source));
    }
    create_empty(target)?;
    let copied = copy(&source, target);
    if copied.is_err() {
        let _ = std::fs::remove_file(target);
    }
    copied?;
    let bytes = std::fs::metadata(target).map(|m| m.len()).unwrap_or(0);
    Ok(Backup { path: target.to_path_buf(), bytes })
}

/// The empty file `VACUUM INTO` fills (it accepts an empty file), made here so that it is
/// owner-only from the start and an existing file is never touched.
fn create_empty(target: &Path) -> Result<(), BackupError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(target) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(BackupError::TargetExists(target.to_path_buf()))
        }
        Err(err) => Err(BackupError::Create(target.to_path_buf(), err)),
    }
}

fn copy(source: &Path, target: &Path) -> Result<(), BackupError> {
    let mut conn = SqliteConnection::establish(&source.to_string_lossy())?;
    // `serve` may be writing: wait for a moment's lock (a checkpoint) rather than fail.
    conn.batch_execute("PRAGMA busy_timeout = 10000;")?;
    diesel::sql_query("VACUUM INTO ?").bind::<Text, _>(target.to_string_lossy()).execute(&mut conn)?;
    let mut copy = SqliteConnection::establish(&target.to_string_lossy())?;
    let verdict: Vec<Check> = diesel::sql_query("PRAGMA integrity_check").load(&mut copy)?;
    let verdict: Vec<String> = verdict.into_iter().map(|c| c.integrity_check).collect();
    if verdict != ["ok"] {
        return Err(BackupError::Corrupt(target.to_path_buf(), verdict.join("; ")));
    }
    Ok(())
}
