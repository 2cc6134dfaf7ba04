//! Periodic work: reminders are queued ahead of their time, the clinical alert rules sweep every
//! patient with a program, lapsed waitlist offers go to the next patient, old sign-in attempts
//! and idempotency records are dropped, as are one-time links left in settled emails' bodies.

use std::time::Duration;

use crate::calendar::notices::Notices;
use crate::calendar::waitlist;
use crate::db::{self, idempotency, login_attempts, outbox};
use crate::reminders::{schedule, ReminderLinks};
use crate::state::AppState;

/// Patients' reminder choices looked at per transaction; the rest wait for the next minute.
const REMINDER_BATCH: i64 = 500;

/// Every minute: reminders and the waitlist sweep; every hour: the alert sweep and pruning.
pub async fn run(state: AppState) {
    let notices = Notices::from_config(&state.config);
    let links = ReminderLinks::from_config(&state.config);
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    let mut minutes = 0u64;
    loop {
        tick.tick().await;
        let reminder_links = links.clone();
        let queued = db::transaction(&state.pool, move |conn| {
            schedule::run_due(conn, &reminder_links, chrono::Utc::now(), REMINDER_BATCH)
        })
        .await;
        if let Err(err) = queued {
            tracing::warn!(error = %err, "queueing reminders failed; will try again");
        }
        if minutes.is_multiple_of(60) {
            // The plateau, adherence and missed-check-in rules; hourly, so each patient is
            // looked at soon after their own local midnight.
            let swept = crate::clinical::alerts::sweep(&state.pool, chrono::Utc::now()).await;
            if let Err(err) = swept {
                tracing::warn!(error = %err, "the alert sweep failed; will try again");
            }
            // The episodes' items: certification, recertification, authorizations, scheduling.
            let swept = crate::clinical::episode_alerts::sweep(&state.pool, chrono::Utc::now()).await;
            if let Err(err) = swept {
                tracing::warn!(error = %err, "the episode sweep failed; will try again");
            }
        }
        let notices = notices.clone();
        let prune = minutes.is_multiple_of(60);
        let result = db::transaction(&state.pool, move |conn| {
            waitlist::sweep(conn, &notices, chrono::Utc::now())?;
            if prune {
                let day_ago = db::now() - chrono::Duration::days(1);
                login_attempts::prune(conn, day_ago)?;
                idempotency::prune(conn, day_ago)?;
                outbox::drop_settled_links(conn, db::now())?;
                let idle = db::clinic::settings(conn)?.console_idle_minutes;
                db::console_sessions::prune(conn, db::now(), db::now() - chrono::Duration::minutes(idle.into()))?;
            }
            Ok(())
        })
        .await;
        if let Err(err) = result {
            tracing::warn!(error = %err, "housekeeping failed; will try again");
        }
        minutes += 1;
    }
}
