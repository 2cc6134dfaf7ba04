//! Sending one message: over pooled SMTP connections (lettre), or as an `.eml` file.

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{MailTransport, SmtpSecurity, SmtpSettings};

#[derive(Debug, Clone)]
pub struct SendFailure {
    /// The full reply or error, for the outbox row (admins see it; it may quote the address).
    pub message: String,
    /// The SMTP reply code, if there was one: what log lines carry instead of the text.
    pub code: Option<u16>,
    /// Trying again cannot help: a 5xx reply (the recipient rejected) or an unbuildable message.
    pub permanent: bool,
}

#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in this folder, owner-only (see [`crate::config::files`]).
    File(std::path::PathBuf),
}

impl Mailer {
    /// `connections` bounds the SMTP pool (the worker's concurrency); `timeout` bounds each
    /// SMTP exchange (kept well inside the lease).
    pub fn new(transport: &MailTransport, connections: usize, timeout: Duration) -> Result<Self, String> {
        match transport {
            MailTransport::File { dir } => {
                crate::config::files::private_dir(dir, true)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                Ok(Mailer::File(dir.clone()))
            }
            MailTransport::Smtp(settings) => smtp(settings, connections, timeout).map(Mailer::Smtp),
        }
    }

    pub async fn send(&self, message: Message) -> Result<(), SendFailure> {
        match self {
            Mailer::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|err| SendFailure {
                permanent: err.is_permanent(),
                code: err.status().map(u16::from),
                message: smtp_error_text(&err),
            }),
            Mailer::File(dir) => write_eml(dir, message).await.map_err(|err| SendFailure {
                permanent: false,
                code: None,
                message: format!("file transport: {err}"),
            }),
        }
    }
}

/// Writes `message` as `{dir}/{uuid}.eml`, created owner-only (it may hold a one-time link).
async fn write_eml(dir: &std::path::Path, message: Message) -> std::io::Result<()> {
    let path = dir.join(format!("{}.eml", uuid::Uuid::new_v4()));
    let bytes = message.formatted();
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        crate::config::files::open_options().open(path)?.write_all(&bytes)
    })
    .await
    .map_err(std::io::Error::other)?
}

fn smtp_error_text(err: &lettre::transport::smtp::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn smtp(
    settings: &SmtpSettings,
    connections: usize,
    timeout: Duration,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let builder = match settings.security {
        SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host),
        SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)
            .map_err(|e| format!("SMTP STARTTLS set-up: {e}"))?,
        SmtpSecurity::Tls => {
            AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host).map_err(|e| format!("SMTP TLS set-up: {e}"))?
        }
    };
    let mut builder = builder
        .port(settings.port)
        .timeout(Some(timeout))
        .pool_config(PoolConfig::new().max_size(connections.max(1) as u32));
    if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}
