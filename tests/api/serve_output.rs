//! What `backtrack serve` writes where, as an operator sees it with its output in a file or a
//! pipe: the log on stderr, plain (no colour codes) or JSON when asked; the one-time link of the
//! first admin on stdout, framed, and nowhere in the log; the in-process worker's idle polling
//! not logged at info.

use std::time::Duration;

use crate::serve_process::ServeProcess;

/// Runs a fresh `serve` (no admin yet, its worker polling every 100 ms) with `env` added, signs up
/// one patient so the worker has an email to send, lets it idle, stops it; returns stdout, stderr.
async fn run_fresh_serve(env: &[(&str, &str)]) -> (String, String) {
    let data = tempfile::tempdir().unwrap();
    let database = data.path().join("backtrack.sqlite3");
    let mut vars =
        vec![("RUST_LOG", "info"), ("BACKTRACK_IN_PROCESS_WORKER", "true"), ("BACKTRACK_WORKER_POLL_MILLIS", "100")];
    vars.extend_from_slice(env);
    let mut serve = ServeProcess::start(database.to_str().unwrap(), &vars).await;
    let client = reqwest::Client::new();
    let body = serde_json::json!({"email": "output@example.org", "password": "Thoracic-open-book",
        "full_name": "Olive Output", "date_of_birth": "1985-05-05", "time_zone": "UTC"});
    let registered = client.post(serve.url("/v1/auth/register")).json(&body).send().await.unwrap();
    assert_eq!(registered.status(), 202);
    assert_eq!(client.get(serve.url("/v1/me")).send().await.unwrap().status(), 401);
    // Twenty idle polls or so after the one that found the confirmation email.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    serve.terminate();
    assert!(serve.wait(), "serve stopped cleanly on SIGTERM");
    serve.take_streams()
}

/// The framed block on stdout: the first admin's link, and nothing else there.
fn framed_link(stdout: &str) -> String {
    let lines: Vec<&str> = stdout.lines().filter(|line| !line.trim().is_empty()).collect();
    assert!(lines.len() >= 3, "stdout holds the framed link:\n{stdout}");
    let rule = lines[0];
    assert!(rule.len() >= 40 && rule.chars().all(|c| c == '='), "stdout starts with a rule:\n{stdout}");
    assert_eq!(lines.last(), Some(&rule), "and ends with the same rule, with nothing after it:\n{stdout}");
    assert_eq!(lines.iter().filter(|line| **line == rule).count(), 2, "one framed block:\n{stdout}");
    assert!(lines[1].starts_with("No admin yet"), "{stdout}");
    let link = lines.iter().find(|line| line.starts_with("https://app.backtrack.test/")).expect("the link");
    assert!(link.contains("token="), "{link}");
    link.to_string()
}

fn token_of(link: &str) -> &str {
    link.split("token=").nth(1).unwrap()
}

#[tokio::test]
async fn serve_logs_plain_text_to_stderr_and_frames_the_admin_link_on_stdout() {
    let (stdout, stderr) = run_fresh_serve(&[]).await;
    let link = framed_link(&stdout);
    for word in ["INFO", "WARN", "listening", "request"] {
        assert!(!stdout.contains(word), "no log line on stdout ({word:?}):\n{stdout}");
    }
    assert!(stderr.contains("listening"), "the log is on stderr:\n{stderr}");
    assert!(stderr.contains("route=/v1/me") && stderr.contains("status=401"), "requests are logged:\n{stderr}");
    assert!(stderr.contains("kind=verify_email") && stderr.contains("sent"), "the worker ran and said so:\n{stderr}");
    assert!(stderr.contains("the one-time link for the first admin is on standard output"), "{stderr}");
    assert!(!stderr.contains(token_of(&link)), "the link's token is not in the log:\n{stderr}");
    assert!(!stderr.contains('\u{1b}'), "no colour codes when stderr is not a terminal:\n{stderr:?}");
    let polls: Vec<&str> = stderr.lines().filter(|line| line.contains("/v1/worker/deliveries/claim")).collect();
    assert!(polls.is_empty(), "the worker's polling is not logged at info:\n{}", polls.join("\n"));
    let probes = stderr.lines().filter(|line| line.contains("route=/readyz")).count();
    assert_eq!(probes, 0, "successful probes are not logged at info:\n{stderr}");
}

#[tokio::test]
async fn serve_writes_json_lines_when_asked() {
    let (stdout, stderr) = run_fresh_serve(&[("BACKTRACK_LOG_FORMAT", "json")]).await;
    let link = framed_link(&stdout);
    let mut messages = Vec::new();
    for line in stderr.lines().filter(|line| !line.trim().is_empty()) {
        let event: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("a log line that is not JSON ({e}): {line}"));
        assert!(event["level"].is_string() && event["timestamp"].is_string(), "{line}");
        messages.push(event["fields"]["message"].as_str().unwrap_or_default().to_string());
        assert_ne!(event["fields"]["route"], "/v1/worker/deliveries/claim", "idle polling at info: {line}");
    }
    assert!(messages.iter().any(|m| m == "listening"), "{stderr}");
    assert!(messages.iter().any(|m| m == "request"), "{stderr}");
    assert!(!stderr.contains(token_of(&link)), "the link's token is not in the log");
}
