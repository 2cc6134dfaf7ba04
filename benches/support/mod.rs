//! What the benchmarks share: a fresh database (SQLite, or a new PostgreSQL database under
//! `BENCH_DATABASE_URL`, dropped afterwards), an app on it, and a closed-loop load generator.

#![allow(dead_code)]

pub mod clinic;
pub mod fast_smtp;
pub mod growth;
pub mod oha;
pub mod server;

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use backtrack::config::Config;
use backtrack::startup::Application;
use backtrack::state::AppState;
use diesel::prelude::*;

pub struct Database {
    pub url: String,
    pub backend: &'static str,
    cleanup: Option<(String, String)>,
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.cleanup {
            if let Ok(mut conn) = diesel::PgConnection::establish(admin) {
                let _ =
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut conn);
            }
        }
    }
}

/// A SQLite file in `dir`, or with `postgres_admin_url` a new PostgreSQL database.
pub fn database(dir: &std::path::Path, postgres_admin_url: Option<&str>) -> Database {
    match postgres_admin_url {
        Some(admin) => {
            let name = format!("backtrack_bench_{}", uuid::Uuid::new_v4().simple());
            let mut conn = diesel::PgConnection::establish(admin).expect("BENCH_DATABASE_URL reachable");
            diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).expect("create database");
            let base = admin.split('?').next().unwrap().rsplit_once('/').unwrap().0.to_string();
            Database { url: format!("{base}/{name}"), backend: "postgres", cleanup: Some((admin.to_string(), name)) }
        }
        None => {
            Database { url: dir.join("bench.sqlite3").to_string_lossy().into_owned(), backend: "sqlite", cleanup: None }
        }
    }
}

/// The backends to measure: SQLite always, PostgreSQL when `BENCH_DATABASE_URL` is set and the
/// server answers; with a line saying why PostgreSQL was skipped when it is set but does not.
pub fn backends_with_note() -> (Vec<Option<String>>, String) {
    let Some(url) = std::env::var("BENCH_DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
        return (vec![None], String::new());
    };
    match diesel::PgConnection::establish(&url) {
        Ok(_) => (vec![None, Some(url)], String::new()),
        Err(err) => {
            let note =
                format!("PostgreSQL skipped: BENCH_DATABASE_URL={url} is unreachable ({})\n\n", err.to_string().trim());
            print!("{note}");
            (vec![None], note)
        }
    }
}

pub fn backends() -> Vec<Option<String>> {
    backends_with_note().0
}

pub struct RunningApp {
    pub address: String,
    pub state: AppState,
    pub db: Database,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

impl RunningApp {
    /// Stops the server gracefully, closes its pool, then drops the database: nothing of the app
    /// is still running (and touching the database client) when the benchmark process exits.
    pub async fn stop(self) {
        let RunningApp { state, db, stop, server, _dir, .. } = self;
        let _ = stop.send(());
        let _ = server.await;
        drop(state);
        drop(db);
    }
}

pub async fn start_app(postgres_admin_url: Option<&str>, extra: &[(&str, &str)]) -> RunningApp {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), postgres_admin_url);
    let mut vars: HashMap<String, String> = [
        ("BACKTRACK_DATA_DIR", dir.path().to_string_lossy().into_owned()),
        ("DATABASE_URL", db.url.clone()),
        ("BACKTRACK_BIND", "127.0.0.1:0".into()),
        ("BACKTRACK_IN_PROCESS_WORKER", "false".into()),
        ("BACKTRACK_MAIL_FROM", "BackTrack <no-reply@clinic.example>".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (k, v) in extra {
        vars.insert(k.to_string(), v.to_string());
    }
    let app = Application::build(Config::from_vars(vars).unwrap()).await.expect("app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    RunningApp { address, state, db, stop, server, _dir: dir }
}

/// Requests per second and latency percentiles of one endpoint.
#[derive(Debug, Clone)]
pub struct Measure {
    pub name: String,
    pub requests: usize,
    pub failures: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// What else came back (e.g. `12×429`), when anything did.
    pub note: String,
}

/// `concurrency` loops send `request(i)` until `limit` requests or `duration` have passed.
pub async fn measure<F, Fut>(name: &str, concurrency: usize, duration: Duration, limit: usize, request: F) -> Measure
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let request = Arc::new(request);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut loops = Vec::new();
    for _ in 0..concurrency {
        let (request, next) = (request.clone(), next.clone());
        loops.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= limit || started.elapsed() >= duration {
                    break;
                }
                let sent = Instant::now();
                if !request(i).await {
                    failures += 1;
                }
                latencies.push(sent.elapsed());
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    for handle in loops {
        let (l, f) = handle.await.unwrap();
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let pick = |q: f64| latencies.get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)));
    let ms = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    Measure {
        name: name.to_string(),
        requests: latencies.len(),
        failures,
        per_second: latencies.len() as f64 / elapsed,
        p50_ms: ms(pick(0.50)),
        p99_ms: ms(pick(0.99)),
        note: String::new(),
    }
}

/// A table of measures with each one's throughput relative to the first (the baseline).
pub fn table(title: &str, measures: &[Measure]) -> String {
    let base = measures.first().map_or(1.0, |m| m.per_second);
    let mut out = format!(
        "{title}\n{:<44} {:>9} {:>9} {:>10} {:>9} {:>9} {:>9}\n",
        "endpoint", "requests", "failed", "req/s", "p50 ms", "p99 ms", "ratio"
    );
    for m in measures {
        out.push_str(&format!(
            "{:<44} {:>9} {:>9} {:>10.0} {:>9.2} {:>9.2} {:>9.3}\n",
            m.name,
            m.requests,
            m.failures,
            m.per_second,
            m.p50_ms,
            m.p99_ms,
            m.per_second / base
        ));
        if !m.note.is_empty() {
            out.push_str(&format!("{:<44} answers other than the expected status: {}\n", "", m.note));
        }
    }
    out
}

pub fn save(file: &str, report: &str) {
    let _ = std::fs::create_dir_all("bench/results");
    let _ = std::fs::write(format!("bench/results/{file}"), report);
}
