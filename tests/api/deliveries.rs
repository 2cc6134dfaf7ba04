//! The worker's delivery endpoints and the admins' view of the outbox, spoken to directly.

use backtrack::db::schema::notification_outbox as outbox;
use backtrack::domain::role::Role;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, TestApp};

async fn claim(app: &TestApp, token: &str, max: i64) -> Vec<Value> {
    let response = app.post_as(token, "/v1/worker/deliveries/claim", &json!({"max": max, "lease_seconds": 60})).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["deliveries"].as_array().unwrap().clone()
}

fn expire_lease(app: &TestApp, id: &str) {
    diesel::update(outbox::table.find(id))
        .set(outbox::lease_expires_at.eq(backtrack::db::now() - chrono::Duration::seconds(1)))
        .execute(&mut app.conn())
        .unwrap();
}

fn row(app: &TestApp, id: &str) -> (String, i32, Option<String>) {
    outbox::table
        .find(id)
        .select((outbox::status, outbox::attempts, outbox::smtp_message_id))
        .first(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn only_the_worker_role_reaches_the_delivery_endpoints() {
    let app = spawn_app().await;
    let (_, admin) = app.user_with_token(Role::Admin, "admin@clinic.example", "Ada Admin").await;
    let (_, patient) = app.user_with_token(Role::Patient, "p@example.org", "Pat Patient").await;
    for token in [&admin, &patient] {
        let response = app.post_as(token, "/v1/worker/deliveries/claim", &json!({"max": 1, "lease_seconds": 60})).await;
        assert_problem(response, 403, "forbidden").await;
    }
    let anonymous = app.post("/v1/worker/deliveries/claim", &json!({"max": 1, "lease_seconds": 60})).await;
    assert_problem(anonymous, 401, "unauthorized").await;
    let worker = app.worker_token();
    let bad = app.post_as(&worker, "/v1/worker/deliveries/claim", &json!({"max": 0, "lease_seconds": 1})).await;
    let problem = assert_problem(bad, 422, "validation_failed").await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_claim_leases_due_rows_once_with_everything_needed_to_send() {
    let app = spawn_app().await;
    let ids = app.queue_emails(3, "claim");
    let worker = app.worker_token();
    let first = claim(&app, &worker, 2).await;
    let second = claim(&app, &worker, 10).await;
    let third = claim(&app, &worker, 10).await;
    assert_eq!((first.len(), second.len(), third.len()), (2, 1, 0));
    let delivery = &first[0];
    assert_eq!(delivery["id"], ids[0]);
    assert_eq!(delivery["recipient"], "patient0-claim@example.org");
    assert_eq!(delivery["subject"], "Test claim 0");
    assert_eq!(delivery["text"], "Plain body claim 0");
    assert_eq!(delivery["html"], "<p>HTML body claim 0</p>");
    assert_eq!(delivery["message_id"], format!("<{}@clinic.example>", ids[0]));
    assert_eq!(delivery["attempt"], 1);
    assert_eq!(row(&app, &ids[0]).0, "leased");
}

#[tokio::test]
async fn a_late_acknowledgement_never_marks_twice_or_flips_back() {
    let app = spawn_app().await;
    let ids = app.queue_emails(2, "late");
    let worker = app.worker_token();
    let ack = |id: &str, kind: &str| format!("/v1/worker/deliveries/{id}/{kind}");

    // Worker A's lease runs out before it reports; nobody has claimed the row since, so A's late
    // "sent" is still the truth and stops a resend.
    let lease_a = claim(&app, &worker, 1).await[0]["lease_id"].as_str().unwrap().to_string();
    expire_lease(&app, &ids[0]);
    let sent_a = json!({"message_id": "<a@clinic.example>", "lease_id": lease_a});
    let state: Value = app.post_as(&worker, &ack(&ids[0], "sent"), &sent_a).await.json().await.unwrap();
    assert_eq!(state["status"], "sent");
    let failed_a = json!({"error": "timeout", "permanent": true, "lease_id": lease_a});
    let state: Value = app.post_as(&worker, &ack(&ids[0], "failed"), &failed_a).await.json().await.unwrap();
    assert_eq!(state["status"], "sent", "a later failure report cannot flip a sent row back");
    let again = json!({"message_id": "<a-again@clinic.example>", "lease_id": lease_a});
    app.post_as(&worker, &ack(&ids[0], "sent"), &again).await;
    assert_eq!(row(&app, &ids[0]), ("sent".into(), 1, Some("<a@clinic.example>".into())), "not marked twice");

    // Worker C's lease runs out and worker D claims the row: C's reports change nothing now.
    let lease_c = claim(&app, &worker, 1).await[0]["lease_id"].as_str().unwrap().to_string();
    expire_lease(&app, &ids[1]);
    let lease_d = claim(&app, &worker, 1).await[0]["lease_id"].as_str().unwrap().to_string();
    let failed_c = json!({"error": "451 try later", "permanent": false, "lease_id": lease_c});
    let state: Value = app.post_as(&worker, &ack(&ids[1], "failed"), &failed_c).await.json().await.unwrap();
    assert_eq!((state["status"].as_str(), state["attempts"].as_i64()), (Some("leased"), Some(2)));
    let sent_c = json!({"message_id": "<c@clinic.example>", "lease_id": lease_c});
    let state: Value = app.post_as(&worker, &ack(&ids[1], "sent"), &sent_c).await.json().await.unwrap();
    assert_eq!(state["status"], "leased", "only the latest lease reports");
    let sent_d = json!({"message_id": "<d@clinic.example>", "lease_id": lease_d});
    let state: Value = app.post_as(&worker, &ack(&ids[1], "sent"), &sent_d).await.json().await.unwrap();
    assert_eq!(state["status"], "sent");

    // A report for a row nobody claimed changes nothing; unknown ids are 404.
    let fresh = app.queue_emails(1, "unclaimed").remove(0);
    let forged = json!({"message_id": "<x@clinic.example>", "lease_id": "made-up"});
    let state: Value = app.post_as(&worker, &ack(&fresh, "sent"), &forged).await.json().await.unwrap();
    assert_eq!(state["status"], "pending");
    assert_problem(app.post_as(&worker, "/v1/worker/deliveries/nope/sent", &forged).await, 404, "not_found").await;
}

#[tokio::test]
async fn a_row_whose_last_lease_runs_out_fails_instead_of_looping() {
    let app = spawn_app_with_attempts(2).await;
    let id = app.queue_emails(1, "abandoned").remove(0);
    let worker = app.worker_token();
    for attempt in 1..=2 {
        assert_eq!(claim(&app, &worker, 1).await.len(), 1, "attempt {attempt}");
        expire_lease(&app, &id);
    }
    assert!(claim(&app, &worker, 1).await.is_empty());
    assert_eq!(row(&app, &id).0, "failed");
}

#[tokio::test]
async fn failures_back_off_then_give_up_and_releases_are_not_attempts() {
    let app = spawn_app_with_attempts(2).await;
    let id = app.queue_emails(1, "fail").remove(0);
    let worker = app.worker_token();
    let lease = claim(&app, &worker, 1).await[0]["lease_id"].as_str().unwrap().to_string();
    let release =
        app.post_as(&worker, &format!("/v1/worker/deliveries/{id}/release"), &json!({"lease_id": lease})).await;
    let state: Value = release.json().await.unwrap();
    assert_eq!((state["status"].as_str(), state["attempts"].as_i64()), (Some("pending"), Some(0)));

    let lease = claim(&app, &worker, 1).await[0]["lease_id"].as_str().unwrap().to_string();
    let failed = json!({"error": "451 4.3.0 busy", "permanent": false, "lease_id": lease});
    let before = chrono::Utc::now();
    let state: Value =
        app.post_as(&worker, &format!("/v1/worker/deliveries/{id}/failed"), &failed).await.json().await.unwrap();
    assert_eq!(state["status"], "pending");
    let next: chrono::DateTime<chrono::Utc> = state["next_attempt_at"].as_str().unwrap().parse().unwrap();
    assert!(next > before, "the retry waits (first back-off is 1 s here)");
    assert!(claim(&app, &worker, 1).await.is_empty(), "not due before its back-off ends");

    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    let lease = claim(&app, &worker, 1).await[0]["lease_id"].as_str().unwrap().to_string();
    let failed = json!({"error": "451 4.3.0 busy", "permanent": false, "lease_id": lease});
    let state: Value =
        app.post_as(&worker, &format!("/v1/worker/deliveries/{id}/failed"), &failed).await.json().await.unwrap();
    assert_eq!(state["status"], "failed", "the last attempt gives up");
    let last_error: Option<String> = outbox::table.find(&id).select(outbox::last_error).first(&mut app.conn()).unwrap();
    assert_eq!(last_error.as_deref(), Some("451 4.3.0 busy"));
}

async fn spawn_app_with_attempts(max_attempts: u32) -> TestApp {
    crate::helpers::spawn_app_with(|config| config.delivery_policy.max_attempts = max_attempts).await
}

#[tokio::test]
async fn expired_and_cancelled_rows_are_never_handed_out() {
    let app = spawn_app().await;
    let ids = app.queue_emails(3, "gone");
    diesel::update(outbox::table.find(&ids[0]))
        .set(outbox::expires_at.eq(Some(backtrack::db::now() - chrono::Duration::seconds(1))))
        .execute(&mut app.conn())
        .unwrap();
    let key: String = outbox::table.find(&ids[1]).select(outbox::dedupe_key).first(&mut app.conn()).unwrap();
    assert!(backtrack::db::outbox::cancel(&mut app.conn(), &key, backtrack::db::now()).unwrap());
    let worker = app.worker_token();
    let claimed = claim(&app, &worker, 10).await;
    assert_eq!(claimed.iter().map(|d| d["id"].as_str().unwrap()).collect::<Vec<_>>(), [ids[2].as_str()]);
    assert_eq!(row(&app, &ids[0]).0, "expired");
    assert_eq!(row(&app, &ids[1]).0, "cancelled");
}

#[tokio::test]
async fn admins_list_retry_and_count_deliveries() {
    let app = spawn_app_with_attempts(1).await;
    let (_, admin) = app.user_with_token(Role::Admin, "admin@clinic.example", "Ada Admin").await;
    let ids = app.queue_emails(2, "admin");
    let worker = app.worker_token();
    let claimed = claim(&app, &worker, 1).await;
    let failed = json!({"error": "550 no such user", "permanent": true, "lease_id": claimed[0]["lease_id"]});
    app.post_as(&worker, &format!("/v1/worker/deliveries/{}/failed", ids[0]), &failed).await;

    let page: Value = app.get_as(&admin, "/v1/admin/deliveries?status=failed").await.json().await.unwrap();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], ids[0]);
    assert_eq!(items[0]["last_error"], "550 no such user");
    assert!(items[0].get("text").is_none() && items[0].get("html").is_none(), "bodies stay private");

    let stats: Value = app.get_as(&admin, "/v1/admin/deliveries/stats").await.json().await.unwrap();
    assert_eq!(stats["counts"]["failed"], 1);
    assert_eq!(stats["counts"]["pending"], 1);
    assert_eq!(stats["counts"]["sent"], 0);
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("backtrack_outbox_deliveries{status=\"failed\"} 1"), "{metrics}");
    assert!(metrics.contains("backtrack_outbox_oldest_due_age_seconds "), "{metrics}");

    let retried: Value =
        app.post_as(&admin, &format!("/v1/admin/deliveries/{}/retry", ids[0]), &json!({})).await.json().await.unwrap();
    assert_eq!((retried["status"].as_str(), retried["attempts"].as_i64()), (Some("pending"), Some(0)));
    let again = app.post_as(&admin, &format!("/v1/admin/deliveries/{}/retry", ids[0]), &json!({})).await;
    assert_problem(again, 409, "not_retryable").await;
    assert_problem(app.get_as(&admin, "/v1/admin/deliveries?status=lost").await, 422, "validation_failed").await;
    assert_problem(app.get_as(&admin, "/v1/admin/deliveries?status=").await, 422, "validation_failed").await;
    assert_problem(app.get_as(&worker, "/v1/admin/deliveries").await, 403, "forbidden").await;
}
