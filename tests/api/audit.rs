use backtrack::db::schema::audit_log;
use backtrack::domain::role::Role;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, TestApp, PASSWORD};

#[derive(Debug, Queryable)]
struct Row {
    actor_id: Option<String>,
    patient_id: Option<String>,
    outcome: String,
    request_id: Option<String>,
}

fn rows(app: &TestApp, action: &str) -> Vec<Row> {
    audit_log::table
        .filter(audit_log::action.eq(action))
        .order(audit_log::id.asc())
        .select((audit_log::actor_id, audit_log::patient_id, audit_log::outcome, audit_log::request_id))
        .load(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn sign_ins_are_audited_with_their_outcome() {
    let app = spawn_app().await;
    let id = app.create_user(Role::Patient, "lia@example.org", "Lia Patient").await;
    app.login("lia@example.org", "Wrong-password-1").await;
    app.login("nobody@example.org", "Wrong-password-1").await;
    let ok = app.login("lia@example.org", PASSWORD).await;
    let request_id = ok.headers()["x-request-id"].to_str().unwrap().to_string();

    let logins = rows(&app, "auth.login");
    let summary: Vec<(&str, Option<&str>)> =
        logins.iter().map(|r| (r.outcome.as_str(), r.patient_id.as_deref())).collect();
    assert_eq!(summary, [("denied", Some(id.as_str())), ("denied", None), ("success", Some(id.as_str()))]);
    assert_eq!(logins[2].request_id.as_deref(), Some(request_id.as_str()));
    assert_eq!(logins[2].actor_id.as_deref(), Some(id.as_str()));
}

#[tokio::test]
async fn reading_and_writing_a_patient_record_leaves_rows() {
    let app = spawn_app().await;
    let (desk_id, desk) = app.user_with_token(Role::FrontDesk, "fd@clinic.example", "Finn Desk").await;
    let (patient_id, patient) = app.user_with_token(Role::Patient, "p@example.org", "Pat Patient").await;
    let (_, other) = app.user_with_token(Role::Patient, "q@example.org", "Quin Other").await;

    let read = app.get_as(&desk, &format!("/v1/patients/{patient_id}")).await;
    let read_request = read.headers()["x-request-id"].to_str().unwrap().to_string();
    app.patch_as(&desk, &format!("/v1/patients/{patient_id}"), &json!({"phone": "+13125550100"})).await;
    app.get_as(&desk, "/v1/patients?q=pat").await;
    app.get_as(&other, &format!("/v1/patients/{patient_id}")).await;
    app.get_as(&patient, "/v1/me").await;

    let reads = rows(&app, "patient.read");
    assert_eq!(reads.len(), 2);
    assert_eq!(
        (reads[0].actor_id.as_deref(), reads[0].patient_id.as_deref()),
        (Some(desk_id.as_str()), Some(patient_id.as_str()))
    );
    assert_eq!(reads[0].request_id.as_deref(), Some(read_request.as_str()));
    assert_eq!(reads[1].outcome, "not_found", "another patient's attempt is recorded too");
    let updates = rows(&app, "patient.update");
    assert_eq!((updates.len(), updates[0].patient_id.as_deref()), (1, Some(patient_id.as_str())));
    let listed = rows(&app, "patient.list");
    assert_eq!(listed.iter().map(|r| r.patient_id.as_deref()).collect::<Vec<_>>(), [Some(patient_id.as_str())]);
    let own = rows(&app, "me.read");
    assert_eq!(own.last().unwrap().patient_id.as_deref(), Some(patient_id.as_str()));
}

#[tokio::test]
async fn refresh_token_reuse_and_staff_changes_are_audited() {
    let app = spawn_app().await;
    let (admin_id, admin) = app.user_with_token(Role::Admin, "admin@clinic.example", "Ada Admin").await;
    let user = app.create_user(Role::Clinician, "c@clinic.example", "Cleo Clinician").await;
    let (_, refresh) = app.sign_in("c@clinic.example").await;
    app.post("/v1/auth/refresh", &json!({"refresh_token": refresh})).await;
    app.post("/v1/auth/refresh", &json!({"refresh_token": refresh})).await;
    let reuse = rows(&app, "auth.refresh_token_reuse");
    assert_eq!(
        (reuse.len(), reuse[0].actor_id.as_deref(), reuse[0].outcome.as_str()),
        (1, Some(user.as_str()), "denied")
    );

    app.patch_as(&admin, &format!("/v1/staff/{user}"), &json!({"active": false})).await;
    let changes = rows(&app, "staff.update");
    assert_eq!(changes[0].actor_id.as_deref(), Some(admin_id.as_str()));

    // Password resets too.
    app.post("/v1/auth/password/forgot", &json!({"email": "admin@clinic.example"})).await;
    let token = app.last_email_to("admin@clinic.example").token();
    app.post("/v1/auth/password/reset", &json!({"token": token, "password": "Suitcase-carry-30m"})).await;
    assert_eq!(rows(&app, "auth.password_reset")[0].outcome, "success");
}

#[tokio::test]
async fn admins_page_and_filter_the_log_and_others_cannot() {
    let app = spawn_app().await;
    let (_, admin) = app.user_with_token(Role::Admin, "admin@clinic.example", "Ada Admin").await;
    let (desk_id, desk) = app.user_with_token(Role::FrontDesk, "fd@clinic.example", "Finn Desk").await;
    let (patient_id, patient) = app.user_with_token(Role::Patient, "p@example.org", "Pat Patient").await;
    for _ in 0..3 {
        app.get_as(&desk, &format!("/v1/patients/{patient_id}")).await;
    }

    let page: Value = app
        .get_as(&admin, &format!("/v1/audit?patient_id={patient_id}&actor_id={desk_id}&limit=2"))
        .await
        .json()
        .await
        .unwrap();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|e| e["action"] == "patient.read" && e["patient_id"] == patient_id.as_str()));
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest: Value = app
        .get_as(&admin, &format!("/v1/audit?patient_id={patient_id}&actor_id={desk_id}&cursor={cursor}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert!(rest["next_cursor"].is_null());

    assert_problem(app.get_as(&desk, "/v1/audit").await, 403, "forbidden").await;
    assert_problem(app.get_as(&patient, "/v1/audit").await, 403, "forbidden").await;
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_audit_rows() {
    let app = spawn_app().await;
    app.create_user(Role::Patient, "p@example.org", "Pat Patient").await;
    app.sign_in("p@example.org").await;
    let mut conn = app.conn();
    let update = diesel::update(audit_log::table).set(audit_log::outcome.eq("success")).execute(&mut conn);
    assert!(update.is_err(), "update refused");
    let delete = diesel::delete(audit_log::table).execute(&mut conn);
    assert!(delete.is_err(), "delete refused");
    assert_eq!(rows(&app, "auth.login").len(), 1);
}

#[tokio::test]
async fn audit_details_never_hold_names_or_emails() {
    let app = spawn_app().await;
    let body = json!({"email": "secret.person@example.org", "password": "Half-kneeling-stretch", "full_name": "Secret Person", "date_of_birth": "1971-04-04", "time_zone": "UTC"});
    app.post("/v1/auth/register", &body).await;
    app.post("/v1/auth/register", &body).await;
    app.login("secret.person@example.org", "Half-kneeling-stretch").await;
    let details: Vec<Option<String>> = audit_log::table.select(audit_log::detail).load(&mut app.conn()).unwrap();
    let all = format!("{details:?}");
    for secret in ["secret", "Secret", "1971", "Half-kneeling"] {
        assert!(!all.contains(secret), "{secret} in {all}");
    }
}
