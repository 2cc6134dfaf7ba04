//! Embedded migrations, one set per backend (`migrations/postgres`, `migrations/sqlite`), run at start.

use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::DbConnection;

const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

pub type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every pending migration; returns how many ran.
pub fn run_pending(conn: &mut DbConnection) -> Result<usize, MigrationError> {
    let applied = match conn {
        DbConnection::Pg(conn) => conn.run_pending_migrations(POSTGRES)?.len(),
        DbConnection::Sqlite(conn) => conn.run_pending_migrations(SQLITE)?.len(),
    };
    Ok(applied)
}
