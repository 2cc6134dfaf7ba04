//! Exercise reminders and check-in prompts at the patient's chosen local time, on top of the
//! pure rules in `domain::reminders`:
//!
//! - [`schedule`] puts occurrences into the outbox ahead of time, each under a key unique per
//!   patient, kind and local date, so running it twice (or on two replicas) queues nothing twice;
//!   a change of plan (new time, switch off, program revised) withdraws what was queued and
//!   queues afresh.
//! - [`send_check`] runs when a worker claims a reminder and cancels it if its reason went away
//!   in the meantime: that day's session is already logged (or, for a program of so many
//!   sessions a week, the whole week's), the program ended, a red-flag alert is open, the patient
//!   turned that kind off, or the account was deactivated.

pub mod schedule;
pub mod send_check;

use std::sync::Arc;

use crate::auth::unsubscribe_token;
use crate::config::Config;
use crate::domain::reminders::ReminderKind;

/// Where a reminder's links point, and the key its unsubscribe links are signed with.
#[derive(Clone)]
pub struct ReminderLinks {
    api_url: String,
    app_url: String,
    secret: Arc<Vec<u8>>,
}

impl ReminderLinks {
    pub fn from_config(config: &Config) -> Self {
        Self {
            api_url: config.api_public_url.clone(),
            app_url: config.app_url.clone(),
            secret: Arc::new(config.jwt_secret.clone()),
        }
    }

    /// The one-click unsubscribe address (RFC 8058): POST turns the kind off, without signing in.
    pub fn unsubscribe(&self, user_id: &str, kind: ReminderKind) -> String {
        format!("{}/v1/unsubscribe/{}", self.api_url, unsubscribe_token::issue(&self.secret, user_id, kind))
    }

    pub fn app(&self, page: &str) -> String {
        format!("{}/{page}", self.app_url)
    }

    /// The user and kind a token from an unsubscribe link names.
    pub fn verify(&self, token: &str) -> Option<(String, ReminderKind)> {
        unsubscribe_token::verify(&self.secret, token)
    }
}
