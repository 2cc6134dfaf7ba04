use std::time::Duration;

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn healthz_and_readyz_answer_with_a_request_id() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.headers().contains_key("x-request-id"), "{path}");
    }
}

#[tokio::test]
async fn a_well_formed_incoming_request_id_is_kept() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/healthz")).header("X-Request-Id", "trace-0123456789").send().await.unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-0123456789");
    let response = app.client.get(app.url("/healthz")).header("X-Request-Id", "bad id").send().await.unwrap();
    assert_ne!(response.headers()["x-request-id"], "bad id");
}

#[tokio::test]
async fn swagger_ui_is_served_at_docs() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn unknown_routes_are_problem_documents() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/v1/nothing-here")).send().await.unwrap();
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_string();
    let problem = assert_problem(response, 404, "not_found").await;
    assert_eq!(problem["request_id"], request_id);
}

/// The README's run command, as a user runs it: the binary in an empty folder, no set-up.
#[tokio::test]
async fn the_binary_serves_with_no_setup_and_creates_its_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = crate::helpers::child_env(&mut std::process::Command::new(env!("CARGO_BIN_EXE_backtrack")))
        .arg("serve")
        .current_dir(dir.path())
        .env("BACKTRACK_BIND", format!("127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("backtrack starts");
    let client = reqwest::Client::new();
    let mut healthy = false;
    for _ in 0..100 {
        if let Ok(response) = client.get(format!("http://127.0.0.1:{port}/healthz")).send().await {
            healthy = response.status() == 200;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let docs = client.get(format!("http://127.0.0.1:{port}/docs")).send().await.map(|r| r.status().as_u16());
    let _ = child.kill();
    let _ = child.wait();
    assert!(healthy, "/healthz answered 200");
    assert_eq!(docs.ok(), Some(200), "/docs (redirected to the UI) answered 200");
    assert!(dir.path().join("data/backtrack.sqlite3").exists(), "the SQLite database was created under ./data");
    assert!(dir.path().join("data/jwt-secret").exists(), "a signing secret was generated");
}
