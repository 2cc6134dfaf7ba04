//! Logging set-up. Log lines carry request ids, route patterns, statuses and timings; never
//! passwords, tokens, names, emails, dates of birth or clinical answers.
//!
//! Logs go to standard error, so standard output stays for what a person must read (the
//! one-time link of the first admin, a command's result). Colours only when standard error is a
//! terminal (and `NO_COLOR` is not set); `BACKTRACK_LOG_FORMAT=json` writes one JSON object a line.

use std::io::IsTerminal;

use tracing_subscriber::{fmt, EnvFilter};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines; coloured only on a terminal.
    Text,
    /// One JSON object per line, for a log collector.
    Json,
}

impl LogFormat {
    /// `BACKTRACK_LOG_FORMAT`: `json`, or `text` (the default; also when unset or empty).
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        match value.map(str::trim).unwrap_or("") {
            "" | "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!("BACKTRACK_LOG_FORMAT is `text` or `json`, not `{other}`")),
        }
    }
}

/// `RUST_LOG` filters (default `info`); `BACKTRACK_LOG_FORMAT` picks the format. An unknown
/// format is said once, on standard error, and plain text is used.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let format = LogFormat::parse(std::env::var("BACKTRACK_LOG_FORMAT").ok().as_deref()).unwrap_or_else(|err| {
        eprintln!("backtrack: {err}; writing plain text");
        LogFormat::Text
    });
    let builder = fmt().with_env_filter(filter).with_target(false).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.with_ansi(colours_wanted()).try_init(),
    };
}

/// Escape codes only for a person at a terminal: not into a file, a pipe or a journal.
fn colours_wanted() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::LogFormat;

    #[test]
    fn the_log_format_is_text_unless_json_is_asked_for() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("")), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("text")), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("json")), Ok(LogFormat::Json));
        assert!(LogFormat::parse(Some("yaml")).is_err());
    }
}
