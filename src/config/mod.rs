//! One typed `Config`, read from environment variables (and an optional `.env`).
//!
//! The defaults are the embedded set-up: a SQLite file and an `.eml` outbox under `./data`,
//! a signing secret generated on first run and kept in the data folder. With
//! `BACKTRACK_ENV=production`, [`Config::check_production`] refuses unsafe settings.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rand::RngCore;

pub mod files;
mod mail;
mod worker;

pub use mail::{MailSettings, MailTransport, SmtpSecurity, SmtpSettings};
pub use worker::{WorkerConfig, WorkerSettings};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Clone)]
pub struct Config {
    pub environment: Environment,
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub db_pool_size: u32,
    /// Where links in emails point (the app's web entry point).
    pub public_url: String,
    /// The API's address as mail clients reach it: one-click unsubscribe links (RFC 8058) are
    /// POSTed to `{api_public_url}/v1/unsubscribe/…`. `public_url` unless set.
    pub api_public_url: String,
    /// The base of links into the app in reminder emails (a web address or the app's own
    /// scheme, e.g. `backtrack://`); `public_url` unless set.
    pub app_url: String,
    pub jwt_secret: Vec<u8>,
    /// True when the secret came from the environment rather than the data folder.
    pub jwt_secret_from_env: bool,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub mail: MailSettings,
    /// Retries of failed deliveries: how many attempts, and the first back-off.
    pub delivery_policy: crate::domain::retry::RetryPolicy,
    /// Run one outbox worker inside `serve` (the embedded set-up needs one command).
    pub in_process_worker: bool,
    pub worker: WorkerSettings,
    pub default_time_zone: String,
    pub http_workers: usize,
    pub login_throttle: crate::domain::login_throttle::Limits,
    /// Sign-ups an hour per target address and per client address
    /// (`BACKTRACK_SIGNUP_PER_ADDRESS_HOURLY`, 5; `BACKTRACK_SIGNUP_PER_CLIENT_HOURLY`, 30).
    pub sign_up_throttle: crate::domain::login_throttle::Limits,
    /// Trust the first `X-Forwarded-For` address (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// Web origins (`https://host[:port]`) whose pages may call the API from a browser; none by
    /// default (the phone app and the worker are not browsers).
    pub cors_origins: Vec<String>,
    /// How long a client may take to send a request's head, and then its body: a slower client
    /// gets 408 and is disconnected.
    pub client_timeout: Duration,
}

impl std::fmt::Debug for Config {
    // Hand-written so the signing secret can never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("environment", &self.environment)
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field("database", &crate::db::Backend::from_url(&self.database_url))
            .field("public_url", &self.public_url)
            .field("mail", &self.mail)
            .field("in_process_worker", &self.in_process_worker)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("could not prepare the data folder {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("refusing to start in production: {0}")]
    Unsafe(String),
}

type Vars = HashMap<String, String>;

/// A comma-separated list of origins, each `scheme://host[:port]` with no path.
fn cors_origins(list: &str) -> Result<Vec<String>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|origin| {
            let (scheme, rest) = origin.split_once("://").unwrap_or(("", ""));
            let valid = matches!(scheme, "http" | "https")
                && !rest.is_empty()
                && !rest.contains(['/', '*', ' ', '?', '#'])
                && origin.is_ascii();
            if valid {
                Ok(origin.to_ascii_lowercase())
            } else {
                Err(ConfigError::Invalid {
                    name: "BACKTRACK_CORS_ORIGINS",
                    reason: format!("{origin:?} is not an origin like https://app.example.org"),
                })
            }
        })
        .collect()
}

impl Config {
    /// Reads the process environment (after loading `.env` if there is one).
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_vars(std::env::vars().collect())
    }

    pub fn from_vars(vars: Vars) -> Result<Self, ConfigError> {
        let get = getter(&vars);
        let environment = match get("BACKTRACK_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "BACKTRACK_ENV",
                    reason: format!("expected development or production, got {other:?}"),
                })
            }
        };
        let data_dir = PathBuf::from(get("BACKTRACK_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let bind = parse::<SocketAddr>(&get, "BACKTRACK_BIND", "127.0.0.1:8080")?;
        let database_url =
            get("DATABASE_URL").unwrap_or_else(|| data_dir.join("backtrack.sqlite3").to_string_lossy().into_owned());
        let mail = MailSettings::from_vars(&vars, &data_dir)?;
        let default_time_zone = get("BACKTRACK_DEFAULT_TIME_ZONE").unwrap_or_else(|| "UTC".into());
        if default_time_zone.parse::<chrono_tz::Tz>().is_err() {
            return Err(ConfigError::Invalid {
                name: "BACKTRACK_DEFAULT_TIME_ZONE",
                reason: "not an IANA time zone".into(),
            });
        }
        let (jwt_secret, jwt_secret_from_env) = match get("BACKTRACK_JWT_SECRET") {
            Some(secret) if secret.len() >= 32 => (secret.into_bytes(), true),
            Some(_) => {
                return Err(ConfigError::Invalid {
                    name: "BACKTRACK_JWT_SECRET",
                    reason: "must be at least 32 characters".into(),
                })
            }
            None if environment == Environment::Production => (Vec::new(), false),
            None => (load_or_create_secret(&data_dir)?, false),
        };
        let public_url =
            get("BACKTRACK_PUBLIC_URL").unwrap_or_else(|| format!("http://{bind}")).trim_end_matches('/').to_string();
        let api_public_url =
            get("BACKTRACK_API_PUBLIC_URL").unwrap_or_else(|| public_url.clone()).trim_end_matches('/').to_string();
        let app_url = get("BACKTRACK_APP_URL").unwrap_or_else(|| public_url.clone()).trim_end_matches('/').to_string();
        let config = Config {
            environment,
            bind,
            database_url,
            db_pool_size: parse(&get, "BACKTRACK_DB_POOL_SIZE", "10")?,
            public_url,
            api_public_url,
            app_url,
            jwt_secret,
            jwt_secret_from_env,
            jwt_issuer: get("BACKTRACK_JWT_ISSUER").unwrap_or_else(|| "backtrack".into()),
            jwt_audience: get("BACKTRACK_JWT_AUDIENCE").unwrap_or_else(|| "backtrack-api".into()),
            access_token_ttl: Duration::from_secs(parse(&get, "BACKTRACK_ACCESS_TOKEN_TTL_SECONDS", "900")?),
            refresh_token_ttl: Duration::from_secs(parse(&get, "BACKTRACK_REFRESH_TOKEN_TTL_SECONDS", "2592000")?),
            mail,
            delivery_policy: crate::domain::retry::RetryPolicy {
                max_attempts: parse(&get, "BACKTRACK_DELIVERY_MAX_ATTEMPTS", "8")?,
                first_delay: Duration::from_secs(parse(&get, "BACKTRACK_DELIVERY_RETRY_SECONDS", "660")?),
            },
            in_process_worker: parse(&get, "BACKTRACK_IN_PROCESS_WORKER", "true")?,
            worker: WorkerSettings::from_vars(&vars)?,
            default_time_zone,
            http_workers: parse(&get, "BACKTRACK_HTTP_WORKERS", "0")?,
            login_throttle: Default::default(),
            sign_up_throttle: crate::domain::login_throttle::Limits::sign_up(
                parse(&get, "BACKTRACK_SIGNUP_PER_ADDRESS_HOURLY", "5")?,
                parse(&get, "BACKTRACK_SIGNUP_PER_CLIENT_HOURLY", "30")?,
            ),
            trust_forwarded_for: parse(&get, "BACKTRACK_TRUST_FORWARDED_FOR", "false")?,
            cors_origins: cors_origins(get("BACKTRACK_CORS_ORIGINS").as_deref().unwrap_or(""))?,
            client_timeout: Duration::from_secs(
                parse::<u64>(&get, "BACKTRACK_CLIENT_TIMEOUT_SECONDS", "10")?.clamp(1, 300),
            ),
            data_dir,
        };
        if config.environment == Environment::Production {
            config.check_production()?;
        }
        Ok(config)
    }

    /// Every unsafe production setting, named, so the operator can fix them all at once.
    pub fn check_production(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        if !self.jwt_secret_from_env {
            problems.push("BACKTRACK_JWT_SECRET is not set (at least 32 random characters)");
        }
        if matches!(self.mail.transport, MailTransport::File { .. }) {
            problems.push("BACKTRACK_MAIL_TRANSPORT is file; set smtp and the SMTP settings");
        }
        if !self.public_url.starts_with("https://") {
            problems.push("BACKTRACK_PUBLIC_URL is not https://");
        }
        if !self.api_public_url.starts_with("https://") {
            problems.push("BACKTRACK_API_PUBLIC_URL is not https:// (one-click unsubscribe needs it)");
        }
        if self.cors_origins.iter().any(|o| !o.starts_with("https://")) {
            problems.push("BACKTRACK_CORS_ORIGINS lists an origin that is not https://");
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Unsafe(problems.join("; ")))
        }
    }

    pub fn access_token_ttl_secs(&self) -> i64 {
        self.access_token_ttl.as_secs() as i64
    }
}

fn getter(vars: &Vars) -> impl Fn(&str) -> Option<String> + '_ {
    |name: &str| vars.get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn parse<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &str,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    let raw = get(name).unwrap_or_else(|| default.to_string());
    raw.parse::<T>().map_err(|e| ConfigError::Invalid { name, reason: e.to_string() })
}

/// The embedded set-up keeps a generated secret beside its database, readable by the owner only.
fn load_or_create_secret(data_dir: &Path) -> Result<Vec<u8>, ConfigError> {
    let io = |source| ConfigError::DataDir { path: data_dir.to_path_buf(), source };
    files::private_dir(data_dir, true).map_err(io)?;
    let path = data_dir.join("jwt-secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if existing.len() >= 32 {
            return Ok(existing.as_bytes().to_vec());
        }
    }
    let mut bytes = [0u8; 48];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = crate::auth::secret_token::encode(&bytes);
    write_private(&path, &secret).map_err(io)?;
    Ok(secret.into_bytes())
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    files::open_options().open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_are_the_embedded_setup() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::from_vars(vars(&[("BACKTRACK_DATA_DIR", dir.path().to_str().unwrap())])).unwrap();
        assert!(config.database_url.ends_with("backtrack.sqlite3"));
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert!(matches!(config.mail.transport, MailTransport::File { .. }));
        assert!(config.in_process_worker);
        assert!(config.jwt_secret.len() >= 32);
        // The generated secret is kept: a second start signs with the same key.
        let again = Config::from_vars(vars(&[("BACKTRACK_DATA_DIR", dir.path().to_str().unwrap())])).unwrap();
        assert_eq!(config.jwt_secret, again.jwt_secret);
    }

    #[test]
    fn production_names_every_unsafe_setting() {
        let err = Config::from_vars(vars(&[("BACKTRACK_ENV", "production")])).err().unwrap().to_string();
        assert!(err.contains("BACKTRACK_JWT_SECRET"), "{err}");
        assert!(err.contains("BACKTRACK_MAIL_TRANSPORT"), "{err}");
        assert!(err.contains("BACKTRACK_PUBLIC_URL"), "{err}");
    }

    #[test]
    fn cors_origins_are_plain_origins() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap();
        let config = Config::from_vars(vars(&[
            ("BACKTRACK_DATA_DIR", data),
            ("BACKTRACK_CORS_ORIGINS", " https://App.clinic.example , http://localhost:5173"),
        ]))
        .unwrap();
        assert_eq!(config.cors_origins, ["https://app.clinic.example", "http://localhost:5173"]);
        for bad in ["*", "https://app.example/path", "app.example", "ftp://app.example", "https://*.example"] {
            let err = Config::from_vars(vars(&[("BACKTRACK_DATA_DIR", data), ("BACKTRACK_CORS_ORIGINS", bad)]));
            assert!(err.err().unwrap().to_string().contains("BACKTRACK_CORS_ORIGINS"), "{bad}");
        }
        let none = Config::from_vars(vars(&[("BACKTRACK_DATA_DIR", data)])).unwrap();
        assert!(none.cors_origins.is_empty());
    }

    #[test]
    fn smtp_needs_a_host_and_a_known_security() {
        let err = Config::from_vars(vars(&[("BACKTRACK_MAIL_TRANSPORT", "smtp")])).err().unwrap().to_string();
        assert!(err.contains("BACKTRACK_SMTP_HOST"), "{err}");
        let err = Config::from_vars(vars(&[
            ("BACKTRACK_MAIL_TRANSPORT", "smtp"),
            ("BACKTRACK_SMTP_HOST", "h"),
            ("BACKTRACK_SMTP_SECURITY", "ssl3"),
        ]))
        .err()
        .unwrap()
        .to_string();
        assert!(err.contains("BACKTRACK_SMTP_SECURITY"), "{err}");
    }

    #[test]
    fn the_worker_needs_its_token() {
        let err = WorkerConfig::from_vars(vars(&[])).err().unwrap().to_string();
        assert!(err.contains("BACKTRACK_WORKER_TOKEN"), "{err}");
        let config = WorkerConfig::from_vars(vars(&[("BACKTRACK_WORKER_TOKEN", "btw_x")])).unwrap();
        assert_eq!(config.api_url, "http://127.0.0.1:8080");
        assert_eq!(config.settings.concurrency, 8);
    }

    #[test]
    fn production_starts_with_safe_settings() {
        let config = Config::from_vars(vars(&[
            ("BACKTRACK_ENV", "production"),
            ("BACKTRACK_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("BACKTRACK_MAIL_TRANSPORT", "smtp"),
            ("BACKTRACK_SMTP_HOST", "smtp.clinic.example"),
            ("BACKTRACK_PUBLIC_URL", "https://clinic.example"),
        ]));
        let config = config.unwrap();
        match config.mail.transport {
            MailTransport::Smtp(smtp) => assert_eq!((smtp.port, smtp.security), (587, SmtpSecurity::StartTls)),
            other => panic!("expected smtp, got {other:?}"),
        }
    }
}
