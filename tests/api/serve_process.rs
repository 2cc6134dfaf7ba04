//! `backtrack serve` as its own process, as operators run it: for the tests that signal it, run
//! several on one database, or read what it logs.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::Duration;

pub struct ServeProcess {
    child: Child,
    pub base: String,
    output: Option<(JoinHandle<String>, JoinHandle<String>)>,
    _data: tempfile::TempDir,
}

impl ServeProcess {
    /// Starts `serve` on `database_url` with `env` added, and waits until `/readyz` answers 200.
    pub async fn start(database_url: &str, env: &[(&str, &str)]) -> Self {
        let data = tempfile::tempdir().expect("a data folder");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_backtrack"));
        crate::helpers::child_env(&mut command)
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("BACKTRACK_DATA_DIR", data.path())
            .env("BACKTRACK_BIND", format!("127.0.0.1:{port}"))
            .env("BACKTRACK_PUBLIC_URL", "https://app.backtrack.test")
            .env("BACKTRACK_JWT_SECRET", "serve-process-test-secret-0123456789abcdef")
            .env("BACKTRACK_IN_PROCESS_WORKER", "false")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("backtrack serve starts");
        // Read both streams as they come, so that a full pipe never stalls the server.
        let drain = |mut stream: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = stream.read_to_string(&mut text);
                text
            })
        };
        let output =
            Some((drain(Box::new(child.stdout.take().unwrap())), drain(Box::new(child.stderr.take().unwrap()))));
        let mut process = Self { child, base: format!("http://127.0.0.1:{port}"), output, _data: data };
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
