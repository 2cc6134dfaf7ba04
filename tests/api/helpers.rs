//! `spawn_app()`: a running BackTrack on port 0 with a fresh database — a SQLite file by
//! default, a new PostgreSQL database when `TEST_DATABASE_URL` is set (dropped afterwards).

use std::collections::HashMap;

use backtrack::config::Config;
use backtrack::db::schema::notification_outbox;
use backtrack::db::users::UserRow;
use backtrack::db::{self, DbConnection, DbPool};
use backtrack::domain::person::FullName;
use backtrack::domain::role::Role;
use backtrack::startup::Application;
use backtrack::state::AppState;
use diesel::prelude::*;
use diesel::Connection;
use serde_json::{json, Value};

pub const PASSWORD: &str = "Lumbar-hinge-2026";

/// A PostgreSQL database made for one test and dropped after it.
struct TestDatabase {
    admin_url: String,
    name: String,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = diesel::PgConnection::establish(&self.admin_url) {
            let _ =
                diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name)).execute(&mut conn);
        }
    }
}

fn database_url(data_dir: &std::path::Path) -> (String, Option<TestDatabase>) {
    match std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        Some(admin_url) => {
            let name = format!("backtrack_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = diesel::PgConnection::establish(&admin_url).expect("TEST_DATABASE_URL reachable");
            diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).expect("create test database");
            let (base, query) = match admin_url.split_once('?') {
                Some((base, query)) => (base.to_string(), format!("?{query}")),
                None => (admin_url.clone(), String::new()),
            };
            let base = base.rsplit_once('/').map(|(host, _)| host.to_string()).unwrap_or(base);
            (format!("{base}/{name}{query}"), Some(TestDatabase { admin_url, name }))
        }
        None => (data_dir.join("backtrack.sqlite3").to_string_lossy().into_owned(), None),
    }
}

/// The app's server on a thread of its own, so a test's end stops it cleanly: requests finish,
/// workers stop, pools close — before the test database is dropped.
struct ServerThread {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    // Fields drop in this order: the server stops first, the database goes last.
    _server: ServerThread,
    pub state: AppState,
    /// Holds the SQLite file (when used) and the generated secret until the test ends.
    _data_dir: tempfile::TempDir,
    _database: Option<TestDatabase>,
}

/// The environment a child `backtrack` process starts from: only `PATH`, and libfaketime's
/// variables when the suite runs under it, so the child keeps the test's clock.
pub fn child_env(command: &mut std::process::Command) -> &mut std::process::Command {
    command.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    for name in ["LD_PRELOAD", "FAKETIME", "FAKETIME_NO_CACHE", "FAKETIME_DONT_FAKE_MONOTONIC", "DONT_FAKE_MONOTONIC"] {
        if let Ok(value) = std::env::var(name) {
            command.env(name, value);
        }
    }
    command
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], after `adjust` has changed the configuration.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let (url, database) = database_url(data_dir.path());
    start(data_dir, url, database, "127.0.0.1:0", adjust).await
}

/// An app on the database at `url`, which the caller made and will drop.
pub async fn spawn_app_on(url: &str) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    start(data_dir, url.to_string(), None, "127.0.0.1:0", |_| {}).await
}

/// A second app on the same database as `other`, listening on `port`.
pub async fn spawn_app_sharing(other: &TestApp, port: u16) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let url = other.state.config.database_url.clone();
    start(data_dir, url, None, &format!("127.0.0.1:{port}"), |_| {}).await
}

async fn start(
    data_dir: tempfile::TempDir,
    url: String,
    database: Option<TestDatabase>,
    bind: &str,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    let vars: HashMap<String, String> = [
        ("BACKTRACK_DATA_DIR", data_dir.path().to_string_lossy().into_owned()),
        ("DATABASE_URL", url),
        ("BACKTRACK_BIND", bind.to_string()),
        ("BACKTRACK_PUBLIC_URL", "https://app.backtrack.test".into()),
        ("BACKTRACK_HTTP_WORKERS", "1".into()),
        ("BACKTRACK_DB_POOL_SIZE", "4".into()),
        ("BACKTRACK_DEFAULT_TIME_ZONE", "America/Chicago".into()),
        // Tests start their workers themselves; retries come after a second, not minutes.
        ("BACKTRACK_IN_PROCESS_WORKER", "false".into()),
        ("BACKTRACK_DELIVERY_RETRY_SECONDS", "1".into()),
        ("BACKTRACK_MAIL_FROM", "BackTrack <no-reply@clinic.example>".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let mut config = Config::from_vars(vars).expect("test config");
    adjust(&mut config);
    let (started_tx, started) = tokio::sync::oneshot::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async move {
            let app = Application::build(config).await.expect("app builds");
            let _ = started_tx.send((app.port(), app.state().clone()));
            let _ = app
                .run_until(async move {
                    let _ = stopped.await;
                })
                .await;
        });
    });
    let (port, state) = started.await.expect("the app started");
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::new(),
        _server: ServerThread { stop: Some(stop), thread: Some(thread) },
        state,
        _data_dir: data_dir,
        _database: database,
    }
}

/// An email as the outbox holds it.
#[derive(Debug, Clone)]
pub struct QueuedEmail {
    pub kind: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl QueuedEmail {
    /// The one-time token in the email's link.
    pub fn token(&self) -> String {
        let start = self.text.find("token=").expect("a link with a token") + "token=".len();
        self.text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn pool(&self) -> &DbPool {
        &self.state.pool
    }

    pub fn conn(&self) -> diesel::r2d2::PooledConnection<diesel::r2d2::ConnectionManager<DbConnection>> {
        self.pool().get().expect("a connection")
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client.post(self.url(path)).json(body).send().await.expect("request sent")
    }

    pub async fn post_as(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.client.post(self.url(path)).bearer_auth(token).json(body).send().await.expect("request sent")
    }

    pub async fn patch_as(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.client.patch(self.url(path)).bearer_auth(token).json(body).send().await.expect("request sent")
    }

    pub async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.expect("request sent")
    }

    /// Every email queued to `recipient`, oldest first, as the worker would send it (an account
    /// email's one-time link put back in place while the row still keeps it).
    pub fn emails_to(&self, recipient: &str) -> Vec<QueuedEmail> {
        let rows: Vec<(String, String, String, String, Option<String>)> = notification_outbox::table
            .filter(notification_outbox::recipient.eq(recipient))
            .order(notification_outbox::id.asc())
            .select((
                notification_outbox::kind,
                notification_outbox::subject,
                notification_outbox::body_text,
                notification_outbox::body_html,
                notification_outbox::secret_link,
            ))
            .load(&mut self.conn())
            .expect("outbox query");
        rows.into_iter()
            .map(|(kind, subject, text, html, link)| QueuedEmail {
                kind,
                subject,
                text: backtrack::mail::unseal(&text, link.as_deref(), false),
                html: backtrack::mail::unseal(&html, link.as_deref(), true),
            })
            .collect()
    }

    pub fn last_email_to(&self, recipient: &str) -> QueuedEmail {
        self.emails_to(recipient).pop().unwrap_or_else(|| panic!("no email to {recipient}"))
    }

    /// A user straight in the database, with [`PASSWORD`]; returns the id.
    pub async fn create_user(&self, role: Role, email: &str, name: &str) -> String {
        let hash = self.state.hasher.hash(PASSWORD.to_string()).await.expect("hash");
        let now = db::now();
        let user = UserRow {
            email: Some(email.to_string()),
            email_verified_at: Some(now),
            password_hash: Some(hash),
            date_of_birth: (role == Role::Patient).then(|| chrono::NaiveDate::from_ymd_opt(1980, 5, 17).unwrap()),
            ..UserRow::new(role, &FullName::parse(name).unwrap(), "America/Chicago", now)
        };
        backtrack::db::users::insert(&mut self.conn(), &user).expect("insert user");
        user.id
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post("/v1/auth/login", &json!({"email": email, "password": password})).await
    }

    /// Signs in and returns (access token, refresh token).
    pub async fn sign_in(&self, email: &str) -> (String, String) {
        let response = self.login(email, PASSWORD).await;
        assert_eq!(response.status(), 200, "sign-in of {email}");
        let body: Value = response.json().await.unwrap();
        (body["access_token"].as_str().unwrap().to_string(), body["refresh_token"].as_str().unwrap().to_string())
    }

    /// A user of `role` created and signed in: (id, access token).
    pub async fn user_with_token(&self, role: Role, email: &str, name: &str) -> (String, String) {
        let id = self.create_user(role, email, name).await;
        let (access, _) = self.sign_in(email).await;
        (id, access)
    }
}

/// Asserts a problem+json answer with `status` and `code`; returns the document.
pub async fn assert_problem(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    let body: Value = response.json().await.expect("problem body");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert!(body["title"].is_string() && body["type"].is_string(), "{body}");
    body
}

/// A worker started by a test against the running app; `stop` drains it like SIGTERM does.
pub struct RunningWorker {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    handle: tokio::task::JoinHandle<()>,
}

impl RunningWorker {
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.handle).await;
    }
}

impl Drop for RunningWorker {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

pub fn smtp_to(port: u16) -> backtrack::config::MailSettings {
    backtrack::config::MailSettings {
        transport: backtrack::config::MailTransport::Smtp(backtrack::config::SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            security: backtrack::config::SmtpSecurity::None,
            username: None,
            password: None,
        }),
        from: "BackTrack <no-reply@clinic.example>".into(),
    }
}

pub fn worker_settings(concurrency: usize, lease_secs: u64) -> backtrack::config::WorkerSettings {
    backtrack::config::WorkerSettings {
        concurrency,
        lease: std::time::Duration::from_secs(lease_secs),
        idle_poll: std::time::Duration::from_millis(50),
    }
}

impl TestApp {
    pub fn worker_token(&self) -> String {
        backtrack::admin::issue_worker_token(self.pool(), "Test worker", "UTC", false).expect("worker token")
    }

    /// A worker (the library's, as `backtrack worker` runs it) sending to `mail`.
    pub fn start_worker_at(
        &self,
        api_url: &str,
        mail: backtrack::config::MailSettings,
        settings: backtrack::config::WorkerSettings,
    ) -> RunningWorker {
        let token = self.worker_token();
        let source: backtrack::worker::client::TokenSource = std::sync::Arc::new(move || token.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let api_url = api_url.to_string();
        let handle = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            backtrack::worker::run(&api_url, source, &mail, settings, shutdown).await.expect("worker runs");
        });
        RunningWorker { stop: Some(stop), handle }
    }

    pub fn start_worker(&self, smtp_port: u16, settings: backtrack::config::WorkerSettings) -> RunningWorker {
        self.start_worker_at(&self.address, smtp_to(smtp_port), settings)
    }

    /// Queues `count` emails tagged `tag` straight into the outbox; returns their ids.
    pub fn queue_emails(&self, count: usize, tag: &str) -> Vec<String> {
        use backtrack::db::outbox::{self, NewEmail};
        let mut conn = self.conn();
        let now = db::now();
        (0..count)
            .map(|i| {
                let content = backtrack::mail::Content {
                    subject: format!("Test {tag} {i}"),
                    text: format!("Plain body {tag} {i}"),
                    html: format!("<p>HTML body {tag} {i}</p>"),
                };
                let email = NewEmail::immediate("test", &format!("patient{i}-{tag}@example.org"), None, content, now);
                outbox::enqueue(&mut conn, &email, now).unwrap().expect("queued")
            })
            .collect()
    }

    /// Status of every outbox row, by id.
    pub fn statuses(&self) -> HashMap<String, String> {
        notification_outbox::table
            .select((notification_outbox::id, notification_outbox::status))
            .load::<(String, String)>(&mut self.conn())
            .unwrap()
            .into_iter()
            .collect()
    }

    /// Waits (up to `seconds`) until every row in `ids` has `status`.
    pub async fn wait_for_status(&self, ids: &[String], status: &str, seconds: u64) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        loop {
            let statuses = self.statuses();
            let missing = ids.iter().filter(|id| statuses.get(*id).map(String::as_str) != Some(status)).count();
            if missing == 0 {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{missing} of {} rows are not {status} after {seconds}s",
                ids.len()
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

/// Waits (up to `seconds`) until `condition` holds.
pub async fn eventually(seconds: u64, what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while !condition() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
