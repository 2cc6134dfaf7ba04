//! Periodic clean-up that keeps tables from growing without bound.

use std::time::Duration;

use crate::db::{self, login_attempts, DbPool};

/// Every hour: drop sign-in attempts older than a day (the throttle looks back 15 minutes).
pub async fn run(pool: DbPool) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let result =
            db::run(&pool, |conn| Ok(login_attempts::prune(conn, db::now() - chrono::Duration::days(1))?)).await;
        if let Err(err) = result {
            tracing::warn!(error = %err, "housekeeping failed; will retry in an hour");
        }
    }
}
