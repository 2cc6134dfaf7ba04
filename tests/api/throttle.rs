//! Failed sign-ins are throttled per account and per client address, and an unknown email
//! costs the same password work as a wrong password. Sign-ups are throttled the same way, per
//! target address and per client.

use backtrack::domain::role::Role;
use serde_json::json;

use crate::helpers::{assert_problem, spawn_app, PASSWORD};

fn login_failures(app: &crate::helpers::TestApp) -> i64 {
    use backtrack::db::schema::login_attempts;
    use diesel::prelude::*;
    login_attempts::table.filter(login_attempts::succeeded.eq(false)).count().get_result(&mut app.conn()).unwrap()
}

#[tokio::test]
async fn an_account_is_throttled_after_ten_failures_even_with_the_right_password() {
    let app = spawn_app().await;
    app.create_user(Role::Patient, "hal@example.org", "Hal Patient").await;
    for attempt in 0..10 {
        let response = app.login("hal@example.org", &format!("wrong-password-{attempt}")).await;
        assert_problem(response, 401, "invalid_credentials").await;
    }
    let response = app.login("hal@example.org", PASSWORD).await;
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry_after > 0 && retry_after <= 15 * 60, "{retry_after}");
    assert_problem(response, 429, "rate_limited").await;
    // Throttled attempts are not even tried: the account's failures stop at the limit.
    for _ in 0..5 {
        assert_eq!(app.login("hal@example.org", "still-wrong-123").await.status(), 429);
    }
    assert_eq!(login_failures(&app), 10);
    // Another account from the same address is not locked by this one.
    app.create_user(Role::Patient, "ivy@example.org", "Ivy Patient").await;
    assert_eq!(app.login("ivy@example.org", PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn a_client_spraying_many_accounts_is_throttled() {
    let app = spawn_app().await;
    app.create_user(Role::Patient, "jo@example.org", "Jo Patient").await;
    for n in 0..50 {
        let response = app.login(&format!("nobody{n}@example.org"), "Guess-password-1").await;
        assert_eq!(response.status(), 401, "attempt {n}");
    }
    let response = app.login("jo@example.org", PASSWORD).await;
    assert!(response.headers().contains_key("retry-after"));
    assert_problem(response, 429, "rate_limited").await;
}

#[tokio::test]
async fn unknown_emails_cost_the_same_password_work_as_wrong_passwords() {
    let app = spawn_app().await;
    app.create_user(Role::Patient, "kim@example.org", "Kim Patient").await;
    let before = app.state.hasher.verifications();
    let unknown = app.login("nobody@example.org", "Whatever-pass-1").await;
    let after_unknown = app.state.hasher.verifications();
    let wrong = app.login("kim@example.org", "Whatever-pass-1").await;
    let after_wrong = app.state.hasher.verifications();
    assert_eq!(after_unknown - before, 1, "an unknown email runs one argon2 verification");
    assert_eq!(after_wrong - after_unknown, 1, "a wrong password runs one argon2 verification");
    // And the answers cannot be told apart.
    let unknown = assert_problem(unknown, 401, "invalid_credentials").await;
    let wrong = assert_problem(wrong, 401, "invalid_credentials").await;
    assert_eq!(unknown["detail"], wrong["detail"]);
}

#[tokio::test]
async fn deactivated_staff_with_the_right_password_cannot_sign_in() {
    let app = spawn_app().await;
    let (_, admin) = app.user_with_token(Role::Admin, "admin@clinic.example", "Ada Admin").await;
    let id = app.create_user(Role::FrontDesk, "fd@clinic.example", "Finn Desk").await;
    let response = app.patch_as(&admin, &format!("/v1/staff/{id}"), &json!({"active": false})).await;
    assert_eq!(response.status(), 200);
    assert_problem(app.login("fd@clinic.example", PASSWORD).await, 401, "invalid_credentials").await;
}

#[tokio::test]
async fn a_parallel_burst_of_guesses_is_counted_one_by_one() {
    let app = spawn_app().await;
    app.create_user(Role::Patient, "burst@example.org", "Bo Patient").await;
    let passwords: Vec<String> = (0..30).map(|n| format!("parallel-guess-{n}")).collect();
    let guesses = passwords.iter().map(|p| app.login("burst@example.org", p));
    let statuses: Vec<u16> =
        futures_util::future::join_all(guesses).await.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 20, "{statuses:?}");
    assert_eq!(login_failures(&app), 10);
}

fn sign_up(email: &str) -> serde_json::Value {
    json!({"email": email, "password": PASSWORD, "full_name": "Tess Patient", "date_of_birth": "1984-03-09",
        "time_zone": "America/Chicago"})
}

async fn assert_throttled(response: reqwest::Response, most_secs: u64) {
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry_after > 0 && retry_after <= most_secs, "{retry_after}");
    assert_problem(response, 429, "rate_limited").await;
}

#[tokio::test]
async fn sign_ups_for_one_address_are_throttled_whether_or_not_it_is_taken() {
    let app = spawn_app().await;
    app.create_user(Role::Patient, "taken@example.org", "Tara Patient").await;
    for email in ["taken@example.org", "fresh@example.org"] {
        for n in 0..5 {
            assert_eq!(app.post("/v1/auth/register", &sign_up(email)).await.status(), 202, "{email}, sign-up {n}");
        }
        assert_throttled(app.post("/v1/auth/register", &sign_up(email)).await, 3600).await;
    }
    // Another address from the same client, and sign-in, go on.
    assert_eq!(app.post("/v1/auth/register", &sign_up("other@example.org")).await.status(), 202);
    assert_eq!(app.login("taken@example.org", PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn a_client_signing_up_many_addresses_is_throttled_before_any_work() {
    let app = crate::helpers::spawn_app_with(|config| config.sign_up_throttle.per_client = 4).await;
    for n in 0..4 {
        let response = app.post("/v1/auth/register", &sign_up(&format!("p{n}@example.org"))).await;
        assert_eq!(response.status(), 202, "sign-up {n}");
    }
    assert_throttled(app.post("/v1/auth/register", &sign_up("p4@example.org")).await, 3600).await;
    // Refused before the account or its email exist.
    assert!(app.emails_to("p4@example.org").is_empty());
    let ids: i64 = {
        use backtrack::db::schema::users;
        use diesel::prelude::*;
        users::table.filter(users::email.eq("p4@example.org")).count().get_result(&mut app.conn()).unwrap()
    };
    assert_eq!(ids, 0);
}
