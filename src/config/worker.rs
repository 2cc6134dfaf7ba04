//! What a worker needs: its pace (`BACKTRACK_WORKER_*`), and for `backtrack worker` the API's
//! address and its token.

use std::path::PathBuf;
use std::time::Duration;

use super::{getter, parse, ConfigError, MailSettings, Vars};

/// How a worker paces itself; the same for the in-process worker and `backtrack worker`.
#[derive(Debug, Clone, Copy)]
pub struct WorkerSettings {
    /// Emails being sent at once.
    pub concurrency: usize,
    /// How long a claimed email stays reserved to this worker.
    pub lease: Duration,
    /// How long to wait before asking again when nothing was due.
    pub idle_poll: Duration,
}

impl WorkerSettings {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let get = getter(vars);
        Ok(Self {
            concurrency: parse::<usize>(&get, "BACKTRACK_WORKER_CONCURRENCY", "8")?.clamp(1, 100),
            lease: Duration::from_secs(parse::<u64>(&get, "BACKTRACK_WORKER_LEASE_SECONDS", "60")?.clamp(5, 3600)),
            idle_poll: Duration::from_millis(parse(&get, "BACKTRACK_WORKER_POLL_MILLIS", "1000")?),
        })
    }
}

/// What `backtrack worker` needs: where the API is, its token, and how to send.
#[derive(Clone)]
pub struct WorkerConfig {
    pub api_url: String,
    pub token: String,
    pub mail: MailSettings,
    pub settings: WorkerSettings,
}

impl std::fmt::Debug for WorkerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerConfig")
            .field("api_url", &self.api_url)
            .field("mail", &self.mail)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl WorkerConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_vars(std::env::vars().collect())
    }

    pub fn from_vars(vars: Vars) -> Result<Self, ConfigError> {
        let get = getter(&vars);
        let data_dir = PathBuf::from(get("BACKTRACK_DATA_DIR").unwrap_or_else(|| "./data".into()));
        Ok(Self {
            api_url: get("BACKTRACK_API_URL")
                .unwrap_or_else(|| "http://127.0.0.1:8080".into())
                .trim_end_matches('/')
                .to_string(),
            token: get("BACKTRACK_WORKER_TOKEN").ok_or(ConfigError::Invalid {
                name: "BACKTRACK_WORKER_TOKEN",
                reason: "required; create one with `backtrack issue-worker-token`".into(),
            })?,
            mail: MailSettings::from_vars(&vars, &data_dir)?,
            settings: WorkerSettings::from_vars(&vars)?,
        })
    }
}
