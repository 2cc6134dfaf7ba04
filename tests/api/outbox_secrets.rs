//! One-time links at rest: once an account email is settled (sent, failed, expired or
//! cancelled), nothing stored in the outbox holds a link that still works, and the admin's
//! delivery views never show one. The emails themselves still carry working links.

use std::collections::BTreeSet;

use backtrack::db::schema::notification_outbox as outbox;
use backtrack::domain::role::Role;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, worker_settings, TestApp, PASSWORD};
use crate::smtp_sink::SmtpSink;

/// Every value following `token=` in `text`.
fn tokens_in(text: &str) -> BTreeSet<String> {
    text.split("token=")
        .skip(1)
        .map(|rest| rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect())
        .filter(|t: &String| !t.is_empty())
        .collect()
}

/// Whether `token` opens any of the link pages' endpoints.
async fn works_anywhere(app: &TestApp, token: &str) -> bool {
    let password = "Bird-dog-hold-10s";
    for (path, body) in [
        ("/v1/auth/verify-email", json!({"token": token})),
        ("/v1/auth/password/reset", json!({"token": token, "password": password})),
        ("/v1/auth/accept-invite", json!({"token": token, "password": password})),
    ] {
        if app.post(path, &body).await.status().is_success() {
            return true;
        }
    }
    false
}

/// Everything the outbox stores as text, row by row.
fn stored_text(app: &TestApp) -> Vec<(String, String)> {
    type Texts =
        (String, String, String, String, String, Option<String>, Option<String>, Option<String>, Option<String>);
    let rows: Vec<Texts> = outbox::table
        .select((
            outbox::status,
            outbox::kind,
            outbox::subject,
            outbox::body_text,
            outbox::body_html,
            outbox::secret_link,
            outbox::attachments,
            outbox::headers,
            outbox::last_error,
        ))
        .load(&mut app.conn())
        .unwrap();
    rows.into_iter()
        .map(|(status, kind, subject, text, html, link, attachments, headers, error)| {
            let all = [Some(subject), Some(text), Some(html), link, attachments, headers, error];
            (format!("{kind} ({status})"), all.into_iter().flatten().collect::<Vec<_>>().join("\n"))
        })
        .collect()
}

#[tokio::test]
async fn settled_account_emails_keep_no_usable_link() {
    let app = spawn_app().await;
    let (_, admin) = app.user_with_token(Role::Admin, "admin@clinic.example", "Ada Admin").await;
    let (_, desk) = app.user_with_token(Role::FrontDesk, "desk@clinic.example", "Finn Desk").await;
    app.create_user(Role::Patient, "old@example.org", "Olga Patient").await;
    app.create_user(Role::Patient, "bounce@example.org", "Bo Patient").await;
    app.create_user(Role::Patient, "late@example.org", "Lea Patient").await;
    app.create_user(Role::Patient, "gone@example.org", "Gus Patient").await;

    let sign_up = |email: &str| {
        json!({"email": email, "password": PASSWORD, "full_name": "Nia Patient", "date_of_birth": "1984-03-09",
            "time_zone": "America/Chicago"})
    };
    assert_eq!(app.post("/v1/auth/register", &sign_up("new@example.org")).await.status(), 202);
    assert_eq!(app.post("/v1/auth/register", &sign_up("old@example.org")).await.status(), 202);
    for email in ["old@example.org", "bounce@example.org", "late@example.org", "gone@example.org"] {
        assert_eq!(app.post("/v1/auth/password/forgot", &json!({"email": email})).await.status(), 202);
    }
    let staff = json!({"email": "pt@clinic.example", "full_name": "Pia Therapist", "role": "clinician"});
    assert_eq!(app.post_as(&admin, "/v1/staff", &staff).await.status(), 201);
    let patient = json!({"full_name": "Phil Phoned", "date_of_birth": "1971-02-03", "email": "phoned@example.org",
        "invite": true});
    assert_eq!(app.post_as(&desk, "/v1/patients", &patient).await.status(), 201);

    // The live links, as the worker will send them (the outbox still holds them now).
    let recipients =
        ["new@example.org", "old@example.org", "bounce@example.org", "late@example.org", "gone@example.org"];
    let recipients = recipients.iter().chain(&["pt@clinic.example", "phoned@example.org"]);
    let mut live = BTreeSet::new();
    for recipient in recipients {
        for email in app.emails_to(recipient) {
            live.extend(tokens_in(&email.text));
        }
    }
    assert_eq!(live.len(), 8, "one link per account email: {live:?}");

    // One expires unsent, one is cancelled, one bounces for good, the rest are sent.
    let conn = &mut app.conn();
    let row_of = |conn: &mut _, to: &str| -> (String, String) {
        outbox::table
            .filter(outbox::recipient.eq(to))
            .filter(outbox::kind.eq("password_reset"))
            .select((outbox::id, outbox::dedupe_key))
            .first(conn)
            .unwrap()
    };
    let (late, _) = row_of(conn, "late@example.org");
    diesel::update(outbox::table.find(&late))
        .set(outbox::expires_at.eq(Some(backtrack::db::now() - chrono::Duration::seconds(1))))
        .execute(conn)
        .unwrap();
    let (gone, gone_key) = row_of(conn, "gone@example.org");
    assert!(backtrack::db::outbox::cancel(conn, &gone_key, backtrack::db::now()).unwrap());
    let (bounce, _) = row_of(conn, "bounce@example.org");
    let sink = SmtpSink::start();
    sink.reject_recipient("bounce@example.org");
    let worker = app.start_worker(sink.port, worker_settings(2, 60));
    let all: Vec<String> = outbox::table.select(outbox::id).load(conn).unwrap();
    let sent: Vec<String> = all.iter().filter(|id| ![&late, &gone, &bounce].contains(id)).cloned().collect();
    app.wait_for_status(&sent, "sent", 60).await;
    app.wait_for_status(std::slice::from_ref(&bounce), "failed", 60).await;
    app.wait_for_status(std::slice::from_ref(&late), "expired", 60).await;
    app.wait_for_status(std::slice::from_ref(&gone), "cancelled", 60).await;
    worker.stop().await;

    // The table: no live token anywhere, and nothing that looks like a link works.
    let mut found = BTreeSet::new();
    for (row, text) in stored_text(&app) {
        for token in &live {
            assert!(!text.contains(token.as_str()), "{row} still holds a live link");
        }
        found.extend(tokens_in(&text));
    }
    for token in &found {
        assert!(!works_anywhere(&app, token).await, "a link left in the outbox works: {token}");
    }

    // The admin's views show no link either.
    let page: Value = app.get_as(&admin, "/v1/admin/deliveries?limit=100").await.json().await.unwrap();
    let page = page.to_string();
    assert!(live.iter().all(|token| !page.contains(token.as_str())));

    // What went out carries working links: the new patient confirms with theirs.
    let parser = mail_parser::MessageParser::default();
    let delivered = sink.received().into_iter().find(|m| m.to == ["new@example.org"]).expect("delivered");
    let text = parser.parse(&delivered.raw).unwrap().body_text(0).unwrap().to_string();
    let token = tokens_in(&text).into_iter().next().expect("a link in the email");
    assert!(live.contains(&token));
    assert_eq!(app.post("/v1/auth/verify-email", &json!({"token": token})).await.status(), 200);
}

#[tokio::test]
async fn links_left_in_settled_rows_from_before_are_blanked_and_such_a_row_is_not_retried() {
    let app = spawn_app().await;
    let (_, admin) = app.user_with_token(Role::Admin, "admin@clinic.example", "Ada Admin").await;
    app.create_user(Role::Patient, "old@example.org", "Olga Patient").await;
    assert_eq!(app.post("/v1/auth/password/forgot", &json!({"email": "old@example.org"})).await.status(), 202);
    let conn = &mut app.conn();
    // As rows were stored before links were kept apart: the link in the text, failed for good.
    let (id, text, link): (String, String, Option<String>) = outbox::table
        .filter(outbox::recipient.eq("old@example.org"))
        .select((outbox::id, outbox::body_text, outbox::secret_link))
        .first(conn)
        .unwrap();
    let link = link.expect("a link kept apart");
    let token = tokens_in(&link).into_iter().next().expect("a token in the link");
    diesel::update(outbox::table.find(&id))
        .set((
            outbox::status.eq("failed"),
            outbox::body_text.eq(text.replace(backtrack::mail::SECRET_LINK_SLOT, &link)),
            outbox::secret_link.eq(None::<String>),
        ))
        .execute(conn)
        .unwrap();
    assert_eq!(backtrack::db::outbox::drop_settled_links(conn, backtrack::db::now()).unwrap(), 1);
    let (_, stored) = stored_text(&app).into_iter().find(|(row, _)| row.starts_with("password_reset")).unwrap();
    assert!(!stored.contains(&token), "the blanked row still holds the link");
    let retry = app.post_as(&admin, &format!("/v1/admin/deliveries/{id}/retry"), &json!({})).await;
    assert_eq!(retry.status(), 409, "a blanked link email would go out without its link");
}
