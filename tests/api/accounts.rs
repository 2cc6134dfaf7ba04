use backtrack::domain::role::Role;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, TestApp, PASSWORD};

fn sign_up(email: &str) -> Value {
    json!({
        "email": email,
        "password": PASSWORD,
        "full_name": "Ana López",
        "phone": "+1 312 555 0142",
        "date_of_birth": "1984-03-09",
        "time_zone": "America/Chicago"
    })
}

async fn register(app: &TestApp, body: &Value) -> Value {
    let response = app.post("/v1/auth/register", body).await;
    assert_eq!(response.status(), 202);
    response.json().await.unwrap()
}

#[tokio::test]
async fn register_verify_login_refresh_reuse_forgot_reset() {
    let app = spawn_app().await;
    let email = "ana@example.org";

    // Register: a verification email is queued in the outbox, with text and HTML bodies.
    register(&app, &sign_up(email)).await;
    let verification = app.last_email_to(email);
    assert_eq!(verification.kind, "verify_email");
    assert_eq!(verification.subject, "Confirm your email for BackTrack clinic");
    assert!(verification.html.contains("<a href=\"https://app.backtrack.test/verify-email?token="));
    assert!(verification.text.contains("https://app.backtrack.test/verify-email?token="));

    // Verify, once.
    let token = verification.token();
    let response = app.post("/v1/auth/verify-email", &json!({"token": token})).await;
    assert_eq!(response.status(), 200);
    let again = app.post("/v1/auth/verify-email", &json!({"token": token})).await;
    assert_problem(again, 400, "invalid_token").await;

    // Login.
    let response = app.login(email, PASSWORD).await;
    assert_eq!(response.status(), 200);
    let session: Value = response.json().await.unwrap();
    assert_eq!(session["token_type"], "Bearer");
    assert!(session["expires_in"].as_i64().unwrap() > 0);
    assert_eq!(session["user"]["email"], email);
    assert_eq!(session["user"]["email_verified"], true);
    assert_eq!(session["user"]["role"], "patient");
    let first_refresh = session["refresh_token"].as_str().unwrap().to_string();

    // Refresh rotates.
    let response = app.post("/v1/auth/refresh", &json!({"refresh_token": first_refresh})).await;
    assert_eq!(response.status(), 200);
    let rotated: Value = response.json().await.unwrap();
    let second_refresh = rotated["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(first_refresh, second_refresh);
    let access = rotated["access_token"].as_str().unwrap().to_string();
    assert_eq!(app.get_as(&access, "/v1/me").await.status(), 200);

    // Reusing the old refresh token is refused and ends the whole family.
    let reuse = app.post("/v1/auth/refresh", &json!({"refresh_token": first_refresh})).await;
    assert_problem(reuse, 401, "unauthorized").await;
    let family_member = app.post("/v1/auth/refresh", &json!({"refresh_token": second_refresh})).await;
    assert_problem(family_member, 401, "unauthorized").await;

    // Forgot: always 202; a reset email is queued for a real account.
    let response = app.post("/v1/auth/password/forgot", &json!({"email": "ANA@example.org"})).await;
    assert_eq!(response.status(), 202);
    let reset = app.last_email_to(email);
    assert_eq!(reset.kind, "password_reset");

    // Reset: ends every session at once and works only once.
    let (live_access, live_refresh) = app.sign_in(email).await;
    let new_password = "Bird-dog-and-dead-bug";
    let response =
        app.post("/v1/auth/password/reset", &json!({"token": reset.token(), "password": new_password})).await;
    assert_eq!(response.status(), 200);
    assert_problem(app.get_as(&live_access, "/v1/me").await, 401, "unauthorized").await;
    assert_problem(app.post("/v1/auth/refresh", &json!({"refresh_token": live_refresh})).await, 401, "unauthorized")
        .await;
    let replay =
        app.post("/v1/auth/password/reset", &json!({"token": reset.token(), "password": "Another-pass-2026"})).await;
    assert_problem(replay, 400, "invalid_token").await;
    assert_problem(app.login(email, PASSWORD).await, 401, "invalid_credentials").await;
    assert_eq!(app.login(email, new_password).await.status(), 200);
}

#[tokio::test]
async fn register_answers_the_same_for_a_taken_email_and_tells_the_owner() {
    let app = spawn_app().await;
    let first = register(&app, &sign_up("bo@example.org")).await;
    let second = register(&app, &sign_up("Bo@Example.org")).await;
    assert_eq!(first, second);
    let emails = app.emails_to("bo@example.org");
    assert_eq!(emails.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["verify_email", "account_exists"]);
    assert!(emails[1].text.contains("reset-password?token="));
    // Still one account, with the first password.
    assert_eq!(app.login("bo@example.org", PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn register_names_every_field_at_fault() {
    let app = spawn_app().await;
    let body = json!({
        "email": "not-an-email",
        "password": "password1",
        "full_name": " ",
        "phone": "12",
        "date_of_birth": "2999-01-01",
        "time_zone": "Mars/Olympus"
    });
    let problem = assert_problem(app.post("/v1/auth/register", &body).await, 422, "validation_failed").await;
    let mut fields: Vec<(String, String)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap().to_string(), e["code"].as_str().unwrap().to_string()))
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            ("date_of_birth", "in_future"),
            ("email", "invalid_format"),
            ("full_name", "required"),
            ("password", "too_common"),
            ("phone", "invalid_format"),
            ("time_zone", "invalid_time_zone"),
        ]
        .map(|(f, c)| (f.to_string(), c.to_string()))
    );
    assert!(app.emails_to("not-an-email").is_empty());
}

#[tokio::test]
async fn passwords_from_8_to_at_least_64_characters_are_accepted() {
    let app = spawn_app().await;
    let short = json!({"email": "c@example.org", "password": "Sh0rt-7", "full_name": "C", "date_of_birth": "1990-01-01", "time_zone": "UTC"});
    let problem = assert_problem(app.post("/v1/auth/register", &short).await, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "too_short");
    let long_password = "side-plank-long-lever-".repeat(3) + "0123456789"; // 76 characters
    let long = json!({"email": "d@example.org", "password": long_password, "full_name": "D", "date_of_birth": "1990-01-01", "time_zone": "UTC"});
    assert_eq!(app.post("/v1/auth/register", &long).await.status(), 202);
    assert_eq!(app.login("d@example.org", &long_password).await.status(), 200);
}

#[tokio::test]
async fn logout_ends_the_session_family() {
    let app = spawn_app().await;
    app.create_user(Role::Patient, "eve@example.org", "Eve Patient").await;
    let (_, refresh) = app.sign_in("eve@example.org").await;
    let response = app.post("/v1/auth/logout", &json!({"refresh_token": refresh})).await;
    assert_eq!(response.status(), 204);
    assert_problem(app.post("/v1/auth/refresh", &json!({"refresh_token": refresh})).await, 401, "unauthorized").await;
    // Unknown tokens sign out quietly too.
    assert_eq!(app.post("/v1/auth/logout", &json!({"refresh_token": "nope"})).await.status(), 204);
}

#[tokio::test]
async fn me_can_be_read_and_changed() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token(Role::Patient, "fay@example.org", "Fay Patient").await;
    let me: Value = app.get_as(&token, "/v1/me").await.json().await.unwrap();
    assert_eq!(me["full_name"], "Fay Patient");
    let changed: Value = app
        .patch_as(
            &token,
            "/v1/me",
            &json!({"full_name": "Fay  Q. Patient", "time_zone": "Europe/London", "phone": null}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(changed["full_name"], "Fay Q. Patient");
    assert_eq!(changed["time_zone"], "Europe/London");
    assert_eq!(changed["phone"], Value::Null);
    let bad = app.patch_as(&token, "/v1/me", &json!({"time_zone": "Nowhere/Town"})).await;
    let problem = assert_problem(bad, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "time_zone");
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions_and_keeps_this_one() {
    let app = spawn_app().await;
    app.create_user(Role::Patient, "gil@example.org", "Gil Patient").await;
    let (other_access, other_refresh) = app.sign_in("gil@example.org").await;
    let (access, _) = app.sign_in("gil@example.org").await;

    let wrong = app
        .post_as(
            &access,
            "/v1/me/password",
            &json!({"current_password": "wrong-password-1", "new_password": "Cat-camel-x10-daily"}),
        )
        .await;
    let problem = assert_problem(wrong, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "current_password");

    let response = app
        .post_as(
            &access,
            "/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "Cat-camel-x10-daily"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let fresh: Value = response.json().await.unwrap();
    assert_eq!(app.get_as(fresh["access_token"].as_str().unwrap(), "/v1/me").await.status(), 200);
    assert_eq!(app.get_as(&other_access, "/v1/me").await.status(), 401);
    assert_eq!(app.post("/v1/auth/refresh", &json!({"refresh_token": other_refresh})).await.status(), 401);
    assert_eq!(app.login("gil@example.org", "Cat-camel-x10-daily").await.status(), 200);
}

#[tokio::test]
async fn the_first_admin_comes_from_the_start_up_link() {
    let app = spawn_app().await;
    let link =
        backtrack::admin::bootstrap_invite(app.pool(), "https://app.backtrack.test").unwrap().expect("no admin yet");
    let token = link.split("token=").nth(1).unwrap();
    let missing = app.post("/v1/auth/accept-invite", &json!({"token": token, "password": "Pallof-press-2x12"})).await;
    assert_problem(missing, 422, "validation_failed").await;

    let link = backtrack::admin::bootstrap_invite(app.pool(), "https://app.backtrack.test").unwrap().unwrap();
    let token = link.split("token=").nth(1).unwrap();
    let body = json!({"token": token, "password": "Pallof-press-2x12", "email": "admin@clinic.example", "full_name": "Ada Admin"});
    let response = app.post("/v1/auth/accept-invite", &body).await;
    assert_eq!(response.status(), 200);
    let session: Value = response.json().await.unwrap();
    assert_eq!(session["user"]["role"], "admin");
    // Once there is an admin, no new first-start link is made.
    assert!(backtrack::admin::bootstrap_invite(app.pool(), "https://app.backtrack.test").unwrap().is_none());
}

#[tokio::test]
async fn the_create_admin_command_prints_a_working_invite_link() {
    let app = spawn_app().await;
    let link = backtrack::admin::create_admin(
        app.pool(),
        "https://app.backtrack.test",
        "root@clinic.example",
        "Rita Root",
        "UTC",
    )
    .unwrap();
    let token = link.split("token=").nth(1).unwrap();
    let response = app.post("/v1/auth/accept-invite", &json!({"token": token, "password": "Goblet-squat-3x8"})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.login("root@clinic.example", "Goblet-squat-3x8").await.status(), 200);
}
