use backtrack::domain::role::Role;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn an_admin_invites_a_clinician_who_sets_a_password_and_signs_in() {
    let app = spawn_app().await;
    let (_, admin) = app.user_with_token(Role::Admin, "admin@clinic.example", "Ada Admin").await;
    let body = json!({"email": "pt@clinic.example", "full_name": "Pia Therapist", "role": "clinician", "title": "Physical therapist, DPT"});
    let response = app.post_as(&admin, "/v1/staff", &body).await;
    assert_eq!(response.status(), 201);
    let invited: Value = response.json().await.unwrap();
    assert_eq!(invited["role"], "clinician");
    assert_eq!(invited["has_app_account"], false);
    assert_problem(app.post_as(&admin, "/v1/staff", &body).await, 409, "email_taken").await;

    let invite = app.last_email_to("pt@clinic.example");
    assert_eq!(invite.kind, "staff_invite");
    let accepted =
        app.post("/v1/auth/accept-invite", &json!({"token": invite.token(), "password": "Dowel-hip-hinge-10"})).await;
    assert_eq!(accepted.status(), 200);
    assert_eq!(app.login("pt@clinic.example", "Dowel-hip-hinge-10").await.status(), 200);

    let list: Value = app.get_as(&admin, "/v1/staff?limit=1").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let cursor = list["next_cursor"].as_str().unwrap();
    let rest: Value = app.get_as(&admin, &format!("/v1/staff?cursor={cursor}")).await.json().await.unwrap();
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["items"].as_array().unwrap())
        .map(|s| s["full_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ada Admin", "Pia Therapist"]);
}

#[tokio::test]
async fn only_admins_manage_staff() {
    let app = spawn_app().await;
    let body = json!({"email": "x@clinic.example", "full_name": "X", "role": "admin"});
    for (role, email) in [
        (Role::FrontDesk, "fd@clinic.example"),
        (Role::Clinician, "c@clinic.example"),
        (Role::Patient, "p@example.org"),
    ] {
        let (_, token) = app.user_with_token(role, email, "Some One").await;
        assert_problem(app.post_as(&token, "/v1/staff", &body).await, 403, "forbidden").await;
        assert_problem(app.get_as(&token, "/v1/staff").await, 403, "forbidden").await;
    }
}

#[tokio::test]
async fn deactivation_and_role_changes_lock_out_at_once() {
    let app = spawn_app().await;
    let (_, admin) = app.user_with_token(Role::Admin, "admin@clinic.example", "Ada Admin").await;
    let (desk_id, desk) = app.user_with_token(Role::FrontDesk, "fd@clinic.example", "Finn Desk").await;
    let (_, desk_refresh) = app.sign_in("fd@clinic.example").await;
    let (clin_id, clin) = app.user_with_token(Role::Clinician, "c@clinic.example", "Cleo Clinician").await;
    assert_eq!(app.get_as(&desk, "/v1/me").await.status(), 200);

    let response = app.patch_as(&admin, &format!("/v1/staff/{desk_id}"), &json!({"active": false})).await;
    assert_eq!(response.status(), 200);
    assert_problem(app.get_as(&desk, "/v1/me").await, 401, "unauthorized").await;
    assert_problem(app.post("/v1/auth/refresh", &json!({"refresh_token": desk_refresh})).await, 401, "unauthorized")
        .await;

    // A token that still names the old role stops working too.
    let response = app.patch_as(&admin, &format!("/v1/staff/{clin_id}"), &json!({"role": "front_desk"})).await;
    let changed: Value = response.json().await.unwrap();
    assert_eq!(changed["role"], "front_desk");
    assert_problem(app.get_as(&clin, "/v1/me").await, 401, "unauthorized").await;
}

#[tokio::test]
async fn the_last_admin_cannot_be_removed() {
    let app = spawn_app().await;
    let (admin_id, admin) = app.user_with_token(Role::Admin, "admin@clinic.example", "Ada Admin").await;
    assert_problem(
        app.patch_as(&admin, &format!("/v1/staff/{admin_id}"), &json!({"active": false})).await,
        409,
        "last_admin",
    )
    .await;
    assert_problem(
        app.patch_as(&admin, &format!("/v1/staff/{admin_id}"), &json!({"role": "clinician"})).await,
        409,
        "last_admin",
    )
    .await;
    let patient = app.create_user(Role::Patient, "p@example.org", "Pat Patient").await;
    assert_problem(
        app.patch_as(&admin, &format!("/v1/staff/{patient}"), &json!({"active": false})).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn a_worker_cannot_be_turned_into_staff() {
    let app = spawn_app().await;
    let (_, admin) = app.user_with_token(Role::Admin, "admin@clinic.example", "Ada Admin").await;
    let token = app.worker_token();
    let worker_id: String = {
        use backtrack::db::schema::users;
        use diesel::prelude::*;
        users::table.filter(users::role.eq("worker")).select(users::id).first(&mut app.conn()).unwrap()
    };
    let response = app.patch_as(&admin, &format!("/v1/staff/{worker_id}"), &json!({"role": "admin"})).await;
    assert_problem(response, 404, "not_found").await;
    // The worker's token still only reaches the worker's endpoints.
    assert_problem(app.get_as(&token, "/v1/staff").await, 403, "forbidden").await;
}
