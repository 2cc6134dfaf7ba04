//! The outbox worker: claim → send → acknowledge, against the API over HTTP (it holds an API
//! token, never database credentials). Several emails are in flight at once, bounded. When the
//! API is unreachable it backs off and keeps going. On shutdown it stops claiming, finishes what
//! it started, and hands back what it claimed but did not start.

pub mod client;
pub mod contract;
pub mod message;
pub mod transport;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::config::{MailSettings, WorkerSettings};
use crate::worker::contract::Delivery;
use client::{ApiClient, TokenSource};
use transport::Mailer;

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("worker set-up: {0}")]
    Setup(String),
}

struct Context {
    api: ApiClient,
    mailer: Mailer,
    from: Mailbox,
}

/// Runs until `shutdown` completes, then drains gracefully.
pub async fn run(
    api_url: &str,
    token: TokenSource,
    mail: &MailSettings,
    settings: WorkerSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), WorkerError> {
    let api = ApiClient::new(api_url, token).map_err(|e| WorkerError::Setup(e.to_string()))?;
    // An SMTP exchange must end well before the lease does, leaving time to report back.
    let smtp_timeout = (settings.lease / 3).clamp(Duration::from_secs(1), Duration::from_secs(30));
    let mailer = Mailer::new(&mail.transport, settings.concurrency, smtp_timeout).map_err(WorkerError::Setup)?;
    let from: Mailbox = mail.from.parse().map_err(|e| WorkerError::Setup(format!("BACKTRACK_MAIL_FROM: {e}")))?;
    let context = Arc::new(Context { api, mailer, from });

    let (stop_tx, mut stop) = watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let permits = Arc::new(Semaphore::new(settings.concurrency));
    let mut in_flight = JoinSet::new();
    let mut unreachable_for = 0u32;
    tracing::info!(concurrency = settings.concurrency, "worker started");

    while !*stop.borrow() {
        while in_flight.try_join_next().is_some() {}
        let free = permits.available_permits();
        if free == 0 {
            tokio::select! {
                _ = in_flight.join_next() => {}
                _ = stop.changed() => {}
            }
            continue;
        }
        // Not abandoned on shutdown: the API may already have leased the rows; they are handed
        // back below instead.
        let claimed = context.api.claim(free, settings.lease).await;
        let wait = match claimed {
            Err(err) => {
                unreachable_for += 1;
                let wait = Duration::from_millis(250u64 << unreachable_for.min(7)).min(Duration::from_secs(30));
                tracing::warn!(error = %err, retry_in_ms = wait.as_millis() as u64, "cannot claim deliveries");
                wait
            }
            Ok(batch) if batch.is_empty() => {
                unreachable_for = 0;
                settings.idle_poll
            }
            Ok(batch) => {
                unreachable_for = 0;
                let mut batch = batch.into_iter();
                for delivery in batch.by_ref() {
                    if *stop.borrow() {
                        release(&context, delivery).await;
                        continue;
                    }
                    let Ok(permit) = permits.clone().acquire_owned().await else { break };
                    let context = context.clone();
                    in_flight.spawn(async move {
                        deliver(&context, delivery).await;
                        drop(permit);
                    });
                }
                Duration::ZERO
            }
        };
        if !wait.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => {}
            }
        }
    }
    tracing::info!(in_flight = in_flight.len(), "worker stopping: finishing what it started");
    while in_flight.join_next().await.is_some() {}
    tracing::info!("worker stopped");
    Ok(())
}

async fn release(context: &Context, delivery: Delivery) {
    if let Err(err) = context.api.release(&delivery).await {
        tracing::warn!(delivery = %delivery.id, error = %err, "could not hand back a delivery; its lease will run out");
    }
}

/// Sends one email and reports the outcome. A report that cannot reach the API is retried until
/// the lease ends (a late "sent" still counts, so it keeps trying a little past it); a delivery
/// whose lease already ran out before its turn came is left for whoever claims it next.
async fn deliver(context: &Context, delivery: Delivery) {
    if delivery.lease_expires_at <= chrono::Utc::now() {
        tracing::warn!(delivery = %delivery.id, "lease ran out before sending; left for the next claim");
        return;
    }
    let outcome = match message::build(&delivery, &context.from) {
        Ok(message) => context.mailer.send(message).await,
        Err(reason) => Err(transport::SendFailure { message: reason, code: None, permanent: true }),
    };
    let report_until = delivery.lease_expires_at + chrono::Duration::seconds(30);
    let mut attempt = 0u32;
    loop {
        let reported = match &outcome {
            Ok(()) => context.api.sent(&delivery).await,
            Err(failure) => context.api.failed(&delivery, &failure.message, failure.permanent).await,
        };
        match reported {
            Ok(()) => {
                match &outcome {
                    Ok(()) => tracing::info!(delivery = %delivery.id, kind = %delivery.kind, "sent"),
                    // The reply text can quote the recipient's address: only its code is logged.
                    Err(failure) => tracing::warn!(
                        delivery = %delivery.id,
                        kind = %delivery.kind,
                        permanent = failure.permanent,
                        smtp_code = failure.code,
                        "not sent"
                    ),
                }
                return;
            }
            Err(err) if attempt < 5 || chrono::Utc::now() < report_until => {
                tracing::warn!(delivery = %delivery.id, error = %err, "report failed; retrying");
                tokio::time::sleep(Duration::from_millis(200u64 << attempt.min(5))).await;
                attempt += 1;
            }
            Err(err) => {
                tracing::error!(delivery = %delivery.id, error = %err, "could not report; the lease will run out");
                return;
            }
        }
    }
}
