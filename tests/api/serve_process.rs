//! `backtrack serve` as its own process, as operators run it: for the tests that signal it, run
//! several on one database, or read what it logs.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub struct ServeProcess {
    child: Child,
    pub base: String,
    output: Option<(JoinHandle<String>, JoinHandle<String>)>,
    /// What it wrote to stdout so far.
    stdout: Arc<Mutex<String>>,
    data: tempfile::TempDir,
}

impl ServeProcess {
    /// Starts `serve` on `database_url` with `env` added, and waits until `/readyz` answers 200.
    pub async fn start(database_url: &str, env: &[(&str, &str)]) -> Self {
        Self::start_at(database_url, env, false).await
    }

    /// Like [`ServeProcess::start`], with its public URL its own address: the links in its emails
    /// and the one it prints open its pages, as in the embedded set-up.
    pub async fn start_public(database_url: &str, env: &[(&str, &str)]) -> Self {
        Self::start_at(database_url, env, true).await
    }

    async fn start_at(database_url: &str, env: &[(&str, &str)], public_is_self: bool) -> Self {
        let data = tempfile::tempdir().expect("a data folder");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let public =
            if public_is_self { format!("http://127.0.0.1:{port}") } else { "https://app.backtrack.test".into() };
        let mut command = Command::new(env!("CARGO_BIN_EXE_backtrack"));
        crate::helpers::child_env(&mut command)
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("BACKTRACK_DATA_DIR", data.path())
            .env("BACKTRACK_BIND", format!("127.0.0.1:{port}"))
            .env("BACKTRACK_PUBLIC_URL", &public)
            .env("BACKTRACK_JWT_SECRET", "serve-process-test-secret-0123456789abcdef")
            .env("BACKTRACK_IN_PROCESS_WORKER", "false")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("backtrack serve starts");
        // Read both streams as they come, so that a full pipe never stalls the server; stdout is
        // also kept where a test can read it while the server runs.
        let drain = |mut stream: Box<dyn Read + Send>, live: Option<Arc<Mutex<String>>>| {
            std::thread::spawn(move || {
                let mut text = Vec::new();
                let mut chunk = [0u8; 4096];
                while let Ok(n) = stream.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    text.extend_from_slice(&chunk[..n]);
                    if let Some(live) = &live {
                        *live.lock().unwrap() = String::from_utf8_lossy(&text).into_owned();
                    }
                }
                String::from_utf8_lossy(&text).into_owned()
            })
        };
        let stdout = Arc::new(Mutex::new(String::new()));
        let output = Some((
            drain(Box::new(child.stdout.take().unwrap()), Some(stdout.clone())),
            drain(Box::new(child.stderr.take().unwrap()), None),
        ));
        let mut process = Self { child, base: format!("http://127.0.0.1:{port}"), output, stdout, data };
        process.wait_ready().await;
        process
    }

    async fn wait_ready(&mut self) {
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if client.get(format!("{}/readyz", self.base)).send().await.is_ok_and(|r| r.status() == 200) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("backtrack serve exited before it was ready ({status}): {}", self.take_output());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("backtrack serve was not ready within 15 s");
    }

    /// What it has written to stdout so far.
    pub fn stdout_so_far(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// Its data folder (the SQLite file, the `outbox` of written emails).
    pub fn data_dir(&self) -> &std::path::Path {
        self.data.path()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGTERM, as an operator or an orchestrator stops it.
    pub fn terminate(&self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success(), "SIGTERM sent");
    }

    /// Waits for the process to end; returns whether it exited cleanly.
    pub fn wait(&mut self) -> bool {
        self.child.wait().map(|s| s.success()).unwrap_or(false)
    }

    /// Everything it wrote to stdout and stderr; call after it has ended.
    pub fn take_output(&mut self) -> String {
        let (out, err) = self.take_streams();
        format!("{out}{err}")
    }

    /// What it wrote to stdout, and what to stderr, apart; call after it has ended.
    pub fn take_streams(&mut self) -> (String, String) {
        match self.output.take() {
            Some((out, err)) => (out.join().unwrap_or_default(), err.join().unwrap_or_default()),
            None => (String::new(), String::new()),
        }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
