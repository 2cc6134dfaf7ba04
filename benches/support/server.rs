//! The release `backtrack serve` as its own process: spawned with a configuration in
//! environment variables, timed from spawn to the first `200` from `/readyz`, its memory read
//! from `/proc/<pid>/status`, stopped with SIGTERM.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The HS256 key every benchmark server signs with, so the benchmark can issue tokens itself.
pub const JWT_SECRET: &str = "benchmark-signing-key-0123456789abcdef";
pub const JWT_ISSUER: &str = "backtrack";
pub const JWT_AUDIENCE: &str = "backtrack-api";

pub struct Server {
    pub address: String,
    pub port: u16,
    /// From spawn to the first `200` from `/readyz`.
    pub ready_after: Duration,
    child: Child,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A bare `GET path` over a new connection; the status code, if any answer came.
pub fn status_of(port: u16, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// The pairs of `BENCH_SERVE_ENV`.
pub fn extra_env() -> Vec<(String, String)> {
    std::env::var("BENCH_SERVE_ENV")
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|pair| pair.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect()
}

impl Server {
    /// Starts `backtrack serve` on `database_url` with its data folder in `data_dir`, and waits
    /// until it is ready.
    pub fn start(database_url: &str, data_dir: &std::path::Path) -> Self {
        let port = free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_backtrack"));
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", database_url)
            .env("BACKTRACK_DATA_DIR", data_dir)
            .env("BACKTRACK_BIND", format!("127.0.0.1:{port}"))
            .env("BACKTRACK_IN_PROCESS_WORKER", "false")
            .env("BACKTRACK_JWT_SECRET", JWT_SECRET)
            .env("BACKTRACK_ACCESS_TOKEN_TTL_SECONDS", "7200")
            .env("RUST_LOG", "warn")
            .current_dir(data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        // BENCH_SERVE_ENV="NAME=value …" adds to the server's environment (to try a setting).
        for (name, value) in extra_env() {
            command.env(name, value);
        }
        let started = Instant::now();
        let mut child = command.spawn().expect("spawn the release backtrack binary");
        loop {
            if status_of(port, "/readyz") == Some(200) {
                break;
            }
            if let Some(exit) = child.try_wait().unwrap() {
                panic!("backtrack serve exited before it was ready: {exit}");
            }
            assert!(started.elapsed() < Duration::from_secs(120), "backtrack serve not ready after 120 s");
            std::thread::sleep(Duration::from_millis(2));
        }
        let ready_after = started.elapsed();
        Self { address: format!("http://127.0.0.1:{port}"), port, ready_after, child }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A `/proc/<pid>/status` field in KiB: `VmHWM` (peak resident set) or `VmRSS` (now).
    pub fn memory_kib(&self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let line = status.lines().find(|l| l.starts_with(&format!("{field}:")))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// SIGTERM, then waits for the process to end (it drains in-flight requests).
    pub fn stop(mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.pid().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
