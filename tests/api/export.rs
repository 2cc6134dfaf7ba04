//! A patient's download of their whole record: everything of theirs, nothing of anyone else's,
//! patients only, and audited.

use std::collections::BTreeSet;

use backtrack::db::schema::audit_log;
use backtrack::domain::role::Role;
use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, TestApp};
use crate::reminders::{patient_with_program, put};

const ZONE: &str = "America/Chicago";

fn today_in(zone: &str) -> NaiveDate {
    Utc::now().with_timezone(&zone.parse::<chrono_tz::Tz>().unwrap()).date_naive()
}

async fn check_in(app: &TestApp, token: &str, today: NaiveDate) {
    let body = json!({
        "completed_on": today,
        "pain_now": 5, "pain_average": 5, "pain_worst": 7,
        "red_flags": {}
    });
    let sent = put(app, token, &format!("/v1/check-ins/{}", uuid::Uuid::new_v4()), &body).await;
    assert_eq!(sent.status(), 201);
}

#[tokio::test]
async fn a_patient_downloads_everything_the_clinic_holds_about_them() {
    let app = spawn_app().await;
    let (_, clinician) = app.user_with_token(Role::Clinician, "pt@clinic.example", "Pia Therapist").await;
    let (_, desk) = app.user_with_token(Role::FrontDesk, "fd@clinic.example", "Finn Desk").await;
    let today = today_in(ZONE);
    let (a_id, a, program) = patient_with_program(&app, &clinician, "a@example.org", ZONE, &today.to_string()).await;
    let (b_id, b) = app.user_with_token(Role::Patient, "b@example.org", "Blake Other").await;

    let log = json!({"program_version_id": program["version_id"], "performed_on": today,
                     "items": [{"position": 1, "sets": 3, "reps": 10}]});
    let logged = put(&app, &a, &format!("/v1/exercise-logs/{}", uuid::Uuid::new_v4()), &log).await;
    assert_eq!(logged.status(), 201);
    check_in(&app, &a, today).await;
    check_in(&app, &b, today).await;
    let reminders = app.get_as(&a, "/v1/me/reminders").await;
    assert_eq!(reminders.status(), 200);
    let reminders: Value = reminders.json().await.unwrap();

    let response = app.get_as(&a, "/v1/me/export").await;
    assert_eq!(response.status(), 200);
    let disposition = response.headers().get("content-disposition").map(|v| v.to_str().unwrap().to_string());
    assert_eq!(disposition.as_deref(), Some("attachment; filename=\"backtrack-export.json\""));
    let export: Value = response.json().await.unwrap();

    assert!(export["exported_at"].is_string(), "{export}");
    assert_eq!(export["profile"]["id"], a_id.as_str());
    assert_eq!(export["profile"]["email"], "a@example.org");
    let programs = export["programs"].as_array().unwrap();
    assert_eq!(programs.len(), 1, "{export}");
    assert_eq!(programs[0]["id"], program["id"]);
    assert_eq!(programs[0]["versions"][0]["version_id"], program["version_id"]);
    assert_eq!(programs[0]["versions"][0]["items"].as_array().unwrap().len(), 2);
    assert_eq!(export["exercise_logs"].as_array().unwrap().len(), 1, "{export}");
    let check_ins = export["check_ins"].as_array().unwrap();
    assert_eq!(check_ins.len(), 1, "{export}");
    assert_eq!(check_ins[0]["pain_worst"], 7);

    // Every kind of reminder the app shows is there, as the app shows it.
    let exported = export["reminders"].as_array().unwrap();
    let kinds: BTreeSet<&str> = exported.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.len(), exported.len(), "one entry per kind: {export}");
    let shown: Vec<(&String, &Value)> =
        reminders.as_object().unwrap().iter().filter(|(_, choice)| choice.get("enabled").is_some()).collect();
    assert!(shown.len() >= 2, "{reminders}");
    assert_eq!(exported.len(), shown.len(), "{export}");
    for (kind, choice) in shown {
        let entry = exported.iter().find(|r| r["kind"] == kind.as_str()).unwrap_or_else(|| panic!("{kind}: {export}"));
        for field in ["enabled", "weekdays", "time"] {
            assert_eq!(entry[field], choice[field], "{kind}.{field}");
        }
    }

    // Who looked at or changed the record: actions and roles, never other people's ids.
    let audit = export["audit"].as_array().unwrap();
    assert!(audit.iter().any(|e| e["action"] == "check_in.write"), "{export}");
    for event in audit {
        let keys: BTreeSet<&str> = event.as_object().unwrap().keys().map(String::as_str).collect();
        assert!(keys.is_subset(&BTreeSet::from(["occurred_at", "action", "actor_role", "outcome"])), "{event}");
    }

    // Nothing of patient B.
    let text = export.to_string();
    assert!(!text.contains(&b_id), "B's id leaked");
    assert!(!text.contains("b@example.org"), "B's email leaked");
    assert!(!text.contains("Blake Other"), "B's name leaked");

    assert_problem(app.get_as(&desk, "/v1/me/export").await, 403, "forbidden").await;
    assert_problem(app.get_as(&clinician, "/v1/me/export").await, 403, "forbidden").await;

    let exports: Vec<Option<String>> = audit_log::table
        .filter(audit_log::action.eq("record.export"))
        .filter(audit_log::patient_id.eq(&a_id))
        .select(audit_log::actor_id)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(exports, [Some(a_id.clone())]);
}
