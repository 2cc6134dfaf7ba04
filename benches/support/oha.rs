//! oha (a load generator from crates.io, `cargo install oha --locked`) as a subprocess: one
//! endpoint, closed loop, `concurrency` connections for a duration or a number of requests;
//! its JSON summary read back into a [`Measure`].

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::Measure;

/// `oha` on PATH, else where `cargo install` puts it.
pub fn binary() -> String {
    let on_path = Command::new("oha").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    if on_path.is_ok_and(|s| s.success()) {
        return "oha".into();
    }
    let home =
        std::env::var("CARGO_HOME").unwrap_or_else(|_| format!("{}/.cargo", std::env::var("HOME").unwrap_or_default()));
    format!("{home}/bin/oha")
}

pub fn version() -> String {
    Command::new(binary())
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|_| "oha (not found)".into())
}

#[derive(Clone)]
pub struct Load {
    name: String,
    url: String,
    method: &'static str,
    headers: Vec<String>,
    body: Option<String>,
    concurrency: usize,
    duration: Option<Duration>,
    requests: Option<usize>,
    /// The URL is a regular expression; each request gets a fresh string matching it.
    url_pattern: bool,
    /// The status that counts as a success.
    expect: u16,
}

pub struct Running {
    load: Load,
    child: Child,
}

impl Load {
    pub fn get(name: &str, url: &str) -> Self {
        Self {
            name: name.into(),
            url: url.into(),
            method: "GET",
            headers: Vec::new(),
            body: None,
            concurrency: 16,
            duration: Some(Duration::from_secs(5)),
            requests: None,
            url_pattern: false,
            expect: 200,
        }
    }

    pub fn send(mut self, method: &'static str, json: String) -> Self {
        self.method = method;
        self.body = Some(json);
        self.headers.push("Content-Type: application/json".into());
        self
    }

    pub fn bearer(mut self, token: &str) -> Self {
        self.headers.push(format!("Authorization: Bearer {token}"));
        self
    }

    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n;
        self
    }

    pub fn duration(mut self, d: Duration) -> Self {
        self.duration = Some(d);
        self.requests = None;
        self
    }

    pub fn requests(mut self, n: usize) -> Self {
        self.requests = Some(n);
        self.duration = None;
        self
    }

    pub fn url_pattern(mut self) -> Self {
        self.url_pattern = true;
        self
    }

    pub fn expect(mut self, status: u16) -> Self {
        self.expect = status;
        self
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(binary());
        cmd.args(["--no-tui", "--output-format", "json", "-c", &self.concurrency.to_string(), "-m", self.method]);
        if let Some(d) = self.duration {
            // -w: requests in flight at the deadline are waited for and counted, not dropped.
            cmd.args(["-z", &format!("{}ms", d.as_millis()), "-w"]);
        }
        if let Some(n) = self.requests {
            cmd.args(["-n", &n.to_string()]);
        }
        for header in &self.headers {
            cmd.args(["-H", header]);
        }
        if let Some(body) = &self.body {
            cmd.args(["-d", body]);
        }
        if self.url_pattern {
            cmd.arg("--rand-regex-url");
        }
        cmd.arg(&self.url);
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd
    }

    /// Starts oha in the background (to run beside another load).
    pub fn start(self) -> Running {
        let child = self.command().spawn().expect("run oha (install it with `cargo install oha --locked`)");
        Running { load: self, child }
    }

    pub fn run(self) -> Measure {
        self.start().finish()
    }
}

impl Running {
    pub fn finish(self) -> Measure {
        let output = self.child.wait_with_output().expect("oha ran");
        let text = String::from_utf8_lossy(&output.stdout);
        let json: Value = serde_json::from_str(&text)
            .unwrap_or_else(|err| panic!("oha's JSON ({err}): {text}\n{}", String::from_utf8_lossy(&output.stderr)));
        parse(&self.load, &json)
    }
}

fn parse(load: &Load, json: &Value) -> Measure {
    let statuses: Vec<(u16, usize)> = json["statusCodeDistribution"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.parse().unwrap_or(0), v.as_u64().unwrap_or(0) as usize)).collect())
        .unwrap_or_default();
    let answered: usize = statuses.iter().map(|(_, n)| n).sum();
    let ok: usize = statuses.iter().filter(|(s, _)| *s == load.expect).map(|(_, n)| n).sum();
    // Connection errors and timeouts count as failures.
    let errors: usize = json["errorDistribution"]
        .as_object()
        .map(|m| m.values().map(|v| v.as_u64().unwrap_or(0) as usize).sum())
        .unwrap_or(0);
    let total_secs = json["summary"]["total"].as_f64().unwrap_or(f64::NAN);
    let ms = |key: &str| json["latencyPercentiles"][key].as_f64().unwrap_or(f64::NAN) * 1000.0;
    let mut other: Vec<String> =
        statuses.iter().filter(|(s, _)| *s != load.expect).map(|(s, n)| format!("{n}×{s}")).collect();
    other.sort();
    Measure {
        name: load.name.clone(),
        requests: answered,
        failures: answered - ok + errors,
        per_second: answered as f64 / total_secs,
        p50_ms: ms("p50"),
        p99_ms: ms("p99"),
        note: other.join(" "),
    }
}
