//! Until a patient confirms their email address, their sign-in shows the account's status and
//! asks for a new confirmation email, nothing else (`403 email_not_verified`). Patients the front
//! desk created and invited confirm their address by accepting the invitation.

use backtrack::domain::role::Role;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, PASSWORD};

#[tokio::test]
async fn an_unconfirmed_patient_sees_only_their_status_until_they_confirm() {
    let app = spawn_app().await;
    let (_, clinician) = app.user_with_token(Role::Clinician, "pt@clinic.example", "Pia Therapist").await;
    let sign_up = json!({"email": "uma@example.org", "password": PASSWORD, "full_name": "Uma Patient",
        "date_of_birth": "1984-03-09", "time_zone": "America/Chicago"});
    assert_eq!(app.post("/v1/auth/register", &sign_up).await.status(), 202);
    let first_link = app.last_email_to("uma@example.org").token();
    let (access, _) = app.sign_in("uma@example.org").await;

    let me: Value = app.get_as(&access, "/v1/me").await.json().await.unwrap();
    assert_eq!(me["email_verified"], false);
    assert_problem(app.get_as(&access, "/v1/me/appointments").await, 403, "email_not_verified").await;
    assert_problem(app.get_as(&access, "/v1/me/program").await, 403, "email_not_verified").await;
    assert_problem(app.get_as(&access, "/v1/me/export").await, 403, "email_not_verified").await;
    let rename = app.patch_as(&access, "/v1/me", &json!({"full_name": "Someone Else"})).await;
    assert_problem(rename, 403, "email_not_verified").await;
    let change = json!({"current_password": PASSWORD, "new_password": "Dead-bug-3x12-slow"});
    assert_problem(app.post_as(&access, "/v1/me/password", &change).await, 403, "email_not_verified").await;
    assert_eq!(app.get_as(&clinician, "/v1/me").await.status(), 200, "staff are not held back");

    // A new confirmation email; the earlier link stops working.
    let resent = app.post_as(&access, "/v1/me/email-verification", &json!({})).await;
    assert_eq!(resent.status(), 202);
    let second_link = app.last_email_to("uma@example.org").token();
    assert_ne!(second_link, first_link);
    let stale = app.post("/v1/auth/verify-email", &json!({"token": first_link})).await;
    assert_problem(stale, 400, "invalid_token").await;
    // Three links an hour, the sign-up's included: then 429, and nothing is sent.
    let third = app.post_as(&access, "/v1/me/email-verification", &json!({})).await;
    assert_eq!(third.status(), 202);
    let third_link = app.last_email_to("uma@example.org").token();
    let fourth = app.post_as(&access, "/v1/me/email-verification", &json!({})).await;
    assert!(fourth.headers().contains_key("retry-after"), "a throttled ask says when to ask again");
    assert_problem(fourth, 429, "rate_limited").await;
    assert_eq!(app.last_email_to("uma@example.org").token(), third_link, "no email past the cap");
    let stale = app.post("/v1/auth/verify-email", &json!({"token": second_link})).await;
    assert_problem(stale, 400, "invalid_token").await;
    assert_eq!(app.post("/v1/auth/verify-email", &json!({"token": third_link})).await.status(), 200);

    // Confirmed: the same access token opens the rest at once.
    assert_eq!(app.get_as(&access, "/v1/me/appointments").await.status(), 200);
    let me: Value = app.get_as(&access, "/v1/me").await.json().await.unwrap();
    assert_eq!(me["email_verified"], true);
    assert_eq!(app.post_as(&access, "/v1/me/email-verification", &json!({})).await.status(), 200);
}

#[tokio::test]
async fn a_patient_the_front_desk_invited_is_confirmed_by_accepting() {
    let app = spawn_app().await;
    let (_, desk) = app.user_with_token(Role::FrontDesk, "desk@clinic.example", "Finn Desk").await;
    let patient = json!({"full_name": "Phil Phoned", "date_of_birth": "1971-02-03", "email": "phil@example.org",
        "invite": true});
    assert_eq!(app.post_as(&desk, "/v1/patients", &patient).await.status(), 201);
    let invite = app.last_email_to("phil@example.org");
    let accepted = app.post("/v1/auth/accept-invite", &json!({"token": invite.token(), "password": PASSWORD})).await;
    assert_eq!(accepted.status(), 200);
    let session: Value = accepted.json().await.unwrap();
    let access = session["access_token"].as_str().unwrap();
    assert_eq!(app.get_as(access, "/v1/me/appointments").await.status(), 200);
    let me: Value = app.get_as(access, "/v1/me").await.json().await.unwrap();
    assert_eq!(me["email_verified"], true);
}
