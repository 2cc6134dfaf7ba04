//! An access token lives only as long as the sign-in it came from: signing out, or the reuse of
//! one of its refresh tokens, ends it at once, not when it expires; other sign-ins go on.

use backtrack::domain::role::Role;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn signing_out_ends_the_access_token_at_once_and_only_that_sign_in() {
    let app = spawn_app().await;
    app.create_user(Role::Patient, "sam@example.org", "Sam Patient").await;
    let (phone, phone_refresh) = app.sign_in("sam@example.org").await;
    let (laptop, _) = app.sign_in("sam@example.org").await;
    assert_eq!(app.get_as(&phone, "/v1/me").await.status(), 200);

    let logout = app.post("/v1/auth/logout", &json!({"refresh_token": phone_refresh})).await;
    assert_eq!(logout.status(), 204);
    assert_problem(app.get_as(&phone, "/v1/me").await, 401, "unauthorized").await;
    assert_problem(app.get_as(&phone, "/v1/me/appointments").await, 401, "unauthorized").await;
    assert_eq!(app.get_as(&laptop, "/v1/me").await.status(), 200, "another sign-in is not ended");
}

#[tokio::test]
async fn a_reused_refresh_token_ends_every_access_token_of_its_family() {
    let app = spawn_app().await;
    app.create_user(Role::Patient, "ria@example.org", "Ria Patient").await;
    let (first_access, first_refresh) = app.sign_in("ria@example.org").await;
    let rotated = app.post("/v1/auth/refresh", &json!({"refresh_token": first_refresh})).await;
    assert_eq!(rotated.status(), 200);
    let rotated: Value = rotated.json().await.unwrap();
    let second_access = rotated["access_token"].as_str().unwrap().to_string();
    assert_eq!(app.get_as(&first_access, "/v1/me").await.status(), 200, "rotation alone ends nothing");
    assert_eq!(app.get_as(&second_access, "/v1/me").await.status(), 200);

    // Someone presents the used token again: the whole family ends, with both access tokens.
    let reuse = app.post("/v1/auth/refresh", &json!({"refresh_token": first_refresh})).await;
    assert_problem(reuse, 401, "unauthorized").await;
    assert_problem(app.get_as(&first_access, "/v1/me").await, 401, "unauthorized").await;
    assert_problem(app.get_as(&second_access, "/v1/me").await, 401, "unauthorized").await;
}
