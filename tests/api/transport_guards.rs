//! What guards every request before a handler sees it: CORS only for configured web origins,
//! slow clients cut off with 408, bodies over the limit refused however they are sent, and the
//! security headers.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::helpers::{assert_problem, spawn_app, spawn_app_with};

const APP_ORIGIN: &str = "https://app.clinic.example";

async fn preflight(app: &crate::helpers::TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(reqwest::Method::OPTIONS, app.url("/v1/me"))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "PATCH")
        .header("Access-Control-Request-Headers", "authorization, content-type")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn cors_answers_only_the_configured_origins() {
    let app = spawn_app_with(|c| c.cors_origins = vec![APP_ORIGIN.to_string()]).await;

    let allowed = preflight(&app, APP_ORIGIN).await;
    assert_eq!(allowed.status(), 204);
    let headers = allowed.headers();
    assert_eq!(headers["access-control-allow-origin"], APP_ORIGIN);
    assert!(headers["access-control-allow-methods"].to_str().unwrap().contains("PATCH"));
    let allowed_headers = headers["access-control-allow-headers"].to_str().unwrap();
    assert!(allowed_headers.contains("authorization") && allowed_headers.contains("content-type"));

    let simple = app.client.get(app.url("/v1/clinic")).header("Origin", APP_ORIGIN).send().await.unwrap();
    assert_eq!(simple.status(), 200);
    assert_eq!(simple.headers()["access-control-allow-origin"], APP_ORIGIN);
    assert!(simple.headers()["access-control-expose-headers"].to_str().unwrap().contains("x-request-id"));
    assert!(simple.headers().get_all("vary").iter().any(|v| v.to_str().unwrap().contains("Origin")));

    // Another origin, or a look-alike, gets no CORS header (the browser withholds the answer)
    // and its preflight is refused.
    for stranger in ["https://evil.example", "https://app.clinic.example.evil.example", "null"] {
        let response = app.client.get(app.url("/v1/clinic")).header("Origin", stranger).send().await.unwrap();
        assert!(response.headers().get("access-control-allow-origin").is_none(), "{stranger}");
        assert_problem(preflight(&app, stranger).await, 403, "origin_not_allowed").await;
    }
}

#[tokio::test]
async fn with_no_origins_configured_no_browser_page_may_call() {
    let app = spawn_app().await;
    assert_problem(preflight(&app, APP_ORIGIN).await, 403, "origin_not_allowed").await;
    let response = app.client.get(app.url("/v1/clinic")).header("Origin", APP_ORIGIN).send().await.unwrap();
    assert!(response.headers().get("access-control-allow-origin").is_none());
}

/// Sends `sent` on a raw connection, then reads whatever the server answers until it closes the
/// connection (or 20 s pass, which would fail the test's assertions).
fn raw_exchange(address: &str, sent: &[u8]) -> String {
    let mut stream = TcpStream::connect(address.trim_start_matches("http://")).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    stream.write_all(sent).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_client_that_sends_its_request_too_slowly_gets_408_and_is_disconnected() {
    let app = spawn_app_with(|c| c.client_timeout = Duration::from_secs(1)).await;
    let address = app.address.clone();

    // The head never completes.
    let head = tokio::task::spawn_blocking({
        let address = address.clone();
        move || raw_exchange(&address, b"POST /v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Ty")
    });
    // The head completes; the body stops at a tenth of its announced length.
    let body = tokio::task::spawn_blocking(move || {
        raw_exchange(
            &address,
            b"POST /v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
              Content-Length: 200\r\n\r\n{\"email\": \"a@",
        )
    });
    let head = head.await.unwrap();
    assert!(head.starts_with("HTTP/1.1 408"), "a trickled head: {head:?}");
    let body = body.await.unwrap();
    assert!(body.starts_with("HTTP/1.1 408"), "a trickled body: {body:?}");
    assert!(body.contains("application/problem+json") && body.contains("\"code\":\"request_timeout\""), "{body}");

    // The server still serves everyone else.
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_even_when_streamed_without_a_length() {
    let app = spawn_app().await;
    let address = app.address.clone();
    let answer = tokio::task::spawn_blocking(move || {
        let mut request = b"POST /v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
              Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            .to_vec();
        let chunk = vec![b' '; 16 * 1024];
        for _ in 0..8 {
            request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            request.extend_from_slice(&chunk);
            request.extend_from_slice(b"\r\n");
        }
        request.extend_from_slice(b"0\r\n\r\n");
        raw_exchange(&address, &request)
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:?}");
    assert!(answer.contains("\"code\":\"payload_too_large\""), "{answer}");
}

#[tokio::test]
async fn security_headers_are_on_every_answer_and_the_api_allows_no_active_content() {
    let app = spawn_app().await;
    for path in ["/healthz", "/v1/me", "/v1/no-such-thing"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(headers.contains_key("x-request-id"), "{path}");
    }
}
