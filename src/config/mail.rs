//! How email leaves: the transport (files or SMTP) and the sender, from `BACKTRACK_MAIL_*` and
//! `BACKTRACK_SMTP_*`.

use std::path::{Path, PathBuf};

use super::{getter, parse, ConfigError, Vars};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailTransport {
    /// `.eml` files in a folder: the embedded default.
    File { dir: PathBuf },
    /// A real SMTP server (Mailpit in docker-compose, the clinic's relay in production).
    Smtp(SmtpSettings),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain text: only for a local catcher such as Mailpit.
    None,
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for SmtpSettings {
    // The password never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("authenticated", &self.username.is_some())
            .finish()
    }
}

/// How email leaves: the transport and the sender. The worker reads the same settings.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub transport: MailTransport,
    pub from: String,
}

impl MailSettings {
    pub fn from_vars(vars: &Vars, data_dir: &Path) -> Result<Self, ConfigError> {
        let get = getter(vars);
        let transport = match get("BACKTRACK_MAIL_TRANSPORT").as_deref() {
            None | Some("file") => MailTransport::File {
                dir: get("BACKTRACK_OUTBOX_DIR").map(PathBuf::from).unwrap_or_else(|| data_dir.join("outbox")),
            },
            Some("smtp") => MailTransport::Smtp(SmtpSettings {
                host: get("BACKTRACK_SMTP_HOST").ok_or(ConfigError::Invalid {
                    name: "BACKTRACK_SMTP_HOST",
                    reason: "required with BACKTRACK_MAIL_TRANSPORT=smtp".into(),
                })?,
                port: parse(&get, "BACKTRACK_SMTP_PORT", "587")?,
                security: match get("BACKTRACK_SMTP_SECURITY").as_deref() {
                    None | Some("starttls") => SmtpSecurity::StartTls,
                    Some("tls") => SmtpSecurity::Tls,
                    Some("none") => SmtpSecurity::None,
                    Some(other) => {
                        return Err(ConfigError::Invalid {
                            name: "BACKTRACK_SMTP_SECURITY",
                            reason: format!("expected none, starttls or tls, got {other:?}"),
                        })
                    }
                },
                username: get("BACKTRACK_SMTP_USERNAME"),
                password: get("BACKTRACK_SMTP_PASSWORD"),
            }),
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "BACKTRACK_MAIL_TRANSPORT",
                    reason: format!("expected file or smtp, got {other:?}"),
                })
            }
        };
        let from = get("BACKTRACK_MAIL_FROM").unwrap_or_else(|| "BackTrack <no-reply@backtrack.localhost>".into());
        if from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::Invalid {
                name: "BACKTRACK_MAIL_FROM",
                reason: "not a mailbox like Name <a@b.c>".into(),
            });
        }
        Ok(Self { transport, from })
    }
}
