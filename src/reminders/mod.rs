//! Reminders: exercise reminders, the weekly check-in prompt and the weekly summary email, at
//! the patient's chosen local time, on top of the pure rules in `domain::reminders`. This service
//! owns the patient's choices and what they queue in the outbox; it reads programs, logs and
//! progress through `db` and `clinical`, never through the HTTP layer.
//!
//! - [`settings`]: reading a patient's choices and changing them (a new time or zone, a switch,
//!   one-click unsubscribe); each change returns the [`settings::Settings`] as they now stand.
//! - [`schedule`] puts occurrences into the outbox ahead of time, each under a key unique per
//!   patient, kind and local date, so running it twice (or on two replicas) queues nothing twice;
//!   a change of plan (new time, switch off, program revised) withdraws what was queued and
//!   queues afresh ([`schedule::refresh`]). Both return how many emails they queued.
//! - [`send_check`] runs when a worker claims a reminder and cancels it if its reason went away
//!   in the meantime: that day's session is already logged (or, for a program of so many
//!   sessions a week, the whole week's), the program ended, a red-flag alert is open, the patient
//!   turned that kind off, or the account was deactivated.
//!
//! How to call it: every function takes a `&mut DbConnection` and runs inside the caller's write
//! transaction (`db::transaction`), so a change of plan and what it queues commit together;
//! those that act for someone take an `&Actor` and an audit `Origin`. Errors are `ApiError`
//! (`send_check`, called inside the worker's claim, answers `QueryResult`).

pub mod schedule;
pub mod send_check;
pub mod settings;

use std::sync::Arc;

use crate::auth::unsubscribe_token;
use crate::config::Config;
use crate::domain::reminders::ReminderKind;

/// Where a reminder's links point, and the key its unsubscribe links are signed with.
#[derive(Clone)]
pub struct ReminderLinks {
    api_url: String,
    page_url: String,
    app_url: String,
    secret: Arc<Vec<u8>>,
}

impl ReminderLinks {
    pub fn from_config(config: &Config) -> Self {
        Self {
            api_url: config.api_public_url.clone(),
            page_url: config.public_url.clone(),
            app_url: config.app_url.clone(),
            secret: Arc::new(config.jwt_secret.clone()),
        }
    }

    /// The one-click unsubscribe address (RFC 8058): POST turns the kind off, without signing in.
    pub fn unsubscribe(&self, user_id: &str, kind: ReminderKind) -> String {
        format!("{}/v1/unsubscribe/{}", self.api_url, unsubscribe_token::issue(&self.secret, user_id, kind))
    }

    /// The page the email's own "stop these" link opens: it asks before turning the kind off,
    /// and offers to undo it after.
    pub fn unsubscribe_page(&self, user_id: &str, kind: ReminderKind) -> String {
        format!("{}/unsubscribe/{}", self.page_url, unsubscribe_token::issue(&self.secret, user_id, kind))
    }

    pub fn app(&self, page: &str) -> String {
        format!("{}/{page}", self.app_url)
    }

    /// The user and kind a token from an unsubscribe link names.
    pub fn verify(&self, token: &str) -> Option<(String, ReminderKind)> {
        unsubscribe_token::verify(&self.secret, token)
    }
}
