//! Logging set-up. Log lines carry request ids, route patterns, statuses and timings; never
//! passwords, tokens, names, emails, dates of birth or clinical answers.

use tracing_subscriber::{fmt, EnvFilter};

/// `RUST_LOG` filters (default `info`); `BACKTRACK_LOG_FORMAT=json` for machine-read logs.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("BACKTRACK_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = fmt().with_env_filter(filter).with_target(false);
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}
