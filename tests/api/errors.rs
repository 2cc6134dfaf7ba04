//! Bad input gets problem+json answers with stable codes, never a 500.

use backtrack::domain::role::Role;
use serde_json::json;

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn broken_json_is_400() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    assert_problem(response, 400, "malformed_request").await;
}

#[tokio::test]
async fn a_missing_or_mistyped_field_is_422_naming_it() {
    let app = spawn_app().await;
    let problem =
        assert_problem(app.post("/v1/auth/login", &json!({"email": "a@example.org"})).await, 422, "validation_failed")
            .await;
    assert_eq!(problem["errors"][0]["field"], "password");
    let body = json!({"email": "a@b.org", "password": "x", "full_name": "A", "date_of_birth": "yesterday", "time_zone": "UTC"});
    assert_problem(app.post("/v1/auth/register", &body).await, 422, "validation_failed").await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/v1/auth/login"))
        .header("content-type", "text/plain")
        .body("hi")
        .send()
        .await
        .unwrap();
    assert_problem(response, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn an_oversized_body_is_413() {
    let app = spawn_app().await;
    let huge = json!({"email": "a@example.org", "password": "x".repeat(100_000)});
    assert_problem(app.post("/v1/auth/login", &huge).await, 413, "payload_too_large").await;
}

#[tokio::test]
async fn a_bad_query_parameter_is_422() {
    let app = spawn_app().await;
    let (_, desk) = app.user_with_token(Role::FrontDesk, "fd@clinic.example", "Finn Desk").await;
    assert_problem(app.get_as(&desk, "/v1/patients?limit=lots").await, 422, "validation_failed").await;
}
