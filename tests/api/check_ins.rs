//! Check-ins: scores on the worked examples, stored once, red flags that advise, alert once,
//! email the clinician through the worker and pause reminders until acknowledged; and the
//! plateau, low-adherence and missed-check-in rules.

use backtrack::db::schema::{alerts, audit_log, notification_outbox as outbox};
use backtrack::domain::role::Role;
use chrono::{Duration, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, eventually, spawn_app, worker_settings, TestApp};
use crate::reminders::{patient_with_program, put, remind_now, status_of_todays, zone_away_from_midnight};
use crate::smtp_sink::SmtpSink;

/// The patient's local date (tests' patients live in Chicago unless moved).
fn today_in(zone: &str) -> NaiveDate {
    Utc::now().with_timezone(&zone.parse::<chrono_tz::Tz>().unwrap()).date_naive()
}

fn check_in(completed_on: NaiveDate, pain: i32, odi: Value) -> Value {
    json!({
        "completed_on": completed_on,
        "pain_now": pain, "pain_average": pain, "pain_worst": (pain + 2).min(10),
        "odi": odi,
        "sleep_quality": 6, "exercise_confidence": 7,
        "red_flags": {"bladder_or_bowel": false, "saddle_numbness": false, "fever_or_chills": false}
    })
}

async fn send(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    put(app, token, &format!("/v1/check-ins/{}", uuid::Uuid::new_v4()), body).await
}

/// Open alerts of `kind` for the patient.
fn open_alerts(app: &TestApp, patient_id: &str, kind: &str) -> i64 {
    alerts::table
        .filter(alerts::patient_id.eq(patient_id))
        .filter(alerts::kind.eq(kind))
        .filter(alerts::status.eq("open"))
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn a_check_in_is_scored_stored_once_and_validated() {
    let app = spawn_app().await;
    let (_, patient) = app.user_with_token(Role::Patient, "p@example.org", "Pat Patient").await;
    let (_, other) = app.user_with_token(Role::Patient, "q@example.org", "Quin Other").await;
    let (_, desk) = app.user_with_token(Role::FrontDesk, "fd@clinic.example", "Finn Desk").await;
    let today = today_in("America/Chicago");

    // CLINICAL.md's worked example: 9 sections answered, sum 16 → 35.6%.
    let example = check_in(today, 5, json!([2, 1, 3, 2, 2, 1, 2, null, 2, 1]));
    let path = format!("/v1/check-ins/{}", uuid::Uuid::new_v4());
    let stored = put(&app, &patient, &path, &example).await;
    assert_eq!(stored.status(), 201);
    let stored: Value = stored.json().await.unwrap();
    assert!((stored["scores"]["odi_percent"].as_f64().unwrap() - 35.556).abs() < 0.01, "{stored}");
    assert_eq!(stored["scores"]["odi_band"], "moderate");
    assert_eq!(stored["scores"]["odi_sections_answered"], 9);
    assert_eq!(stored["red_flag"], Value::Null);
    // Sent again from a flaky network: stored once.
    assert_eq!(put(&app, &patient, &path, &example).await.status(), 200);
    let mine: Value = app.get_as(&patient, "/v1/me/check-ins").await.json().await.unwrap();
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    assert_problem(put(&app, &other, &path, &example).await, 404, "not_found").await;
    assert_problem(put(&app, &desk, &path, &example).await, 403, "forbidden").await;

    // Fewer than 8 sections answered: no ODI score (the clinic's minimum).
    let sparse = send(&app, &patient, &check_in(today, 5, json!([1, 1, 1, 1, 1, 1, 1, null, null, null]))).await;
    let sparse: Value = sparse.json().await.unwrap();
    assert_eq!(sparse["scores"]["odi_percent"], Value::Null);
    assert_eq!(sparse["scores"]["odi_sections_answered"], 7);

    let mut bad = check_in(today, 11, json!([6, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
    bad["red_flags"] = json!({"headache": true});
    let problem = assert_problem(send(&app, &patient, &bad).await, 422, "validation_failed").await;
    let mut fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["odi", "pain_average", "pain_now", "red_flags"]);
    let mut with_psfs = check_in(today, 5, json!(null));
    with_psfs["psfs"] = json!([5, 5, 5]);
    let problem = assert_problem(send(&app, &patient, &with_psfs).await, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "wrong_length", "no PSFS activities recorded yet");
    let ahead = check_in(today + Duration::days(3), 5, json!(null));
    assert_problem(send(&app, &patient, &ahead).await, 422, "validation_failed").await;
}

#[tokio::test]
async fn an_emergency_red_flag_advises_alerts_once_emails_the_clinician_and_pauses_reminders() {
    let app = spawn_app().await;
    let sink = SmtpSink::start();
    let (_, clinician) = app.user_with_token(Role::Clinician, "pt@clinic.example", "Pia Therapist").await;
    let (_, desk) = app.user_with_token(Role::FrontDesk, "fd@clinic.example", "Finn Desk").await;
    let zone = zone_away_from_midnight();
    let today = today_in(zone);
    let yesterday = (today - Duration::days(1)).to_string();
    let (patient_id, patient, _) = patient_with_program(&app, &clinician, "p@example.org", zone, &yesterday).await;
    remind_now(&app, &patient, zone).await;
    assert_eq!(status_of_todays(&app, &patient_id).map(|s| s.0).as_deref(), Some("pending"));

    let mut flagged = check_in(today, 6, json!(null));
    flagged["red_flags"]["saddle_numbness"] = json!(true);
    let answer = send(&app, &patient, &flagged).await;
    assert_eq!(answer.status(), 201);
    let answer: Value = answer.json().await.unwrap();
    assert_eq!(answer["red_flag"]["severity"], "emergency");
    assert!(answer["red_flag"]["advice"].as_str().unwrap().contains("emergency department now"));
    assert_eq!(answer["red_flag"]["questions"], json!(["saddle_numbness"]));
    // A second positive check-in: still one alert, one email.
    let mut again = check_in(today, 7, json!(null));
    again["red_flags"]["bladder_or_bowel"] = json!(true);
    assert_eq!(send(&app, &patient, &again).await.status(), 201);
    assert_eq!(open_alerts(&app, &patient_id, "red_flag"), 1);
    let shown: Value = app.get_as(&patient, "/v1/me/red-flag").await.json().await.unwrap();
    assert_eq!((shown["open"].as_bool(), shown["severity"].as_str()), (Some(true), Some("emergency")));
    assert_eq!(shown["advice"], answer["red_flag"]["advice"], "the app keeps showing the same advice");
    let worklist: Value = app.get_as(&clinician, "/v1/alerts").await.json().await.unwrap();
    let items = worklist["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{worklist}");
    assert_eq!((items[0]["kind"].as_str(), items[0]["severity"].as_str()), (Some("red_flag"), Some("emergency")));
    assert_problem(app.get_as(&desk, "/v1/alerts").await, 403, "forbidden").await;

    // Through the worker: the clinician is told, the patient's reminder is withheld.
    let worker = app.start_worker(sink.port, worker_settings(2, 60));
    eventually(30, "the clinician's alert email", || sink.received().iter().any(|m| m.to == ["pt@clinic.example"]))
        .await;
    eventually(30, "today's reminder withheld", || {
        status_of_todays(&app, &patient_id).is_some_and(|(s, _)| s == "cancelled")
    })
    .await;
    worker.stop().await;
    let (_, reason) = status_of_todays(&app, &patient_id).unwrap();
    assert!(reason.unwrap().contains("red-flag alert"));
    let received = sink.received();
    assert!(received.iter().all(|m| m.to != ["p@example.org"]), "no reminder reached the patient");
    let alert_emails: Vec<_> = received.iter().filter(|m| m.to == ["pt@clinic.example"]).collect();
    assert_eq!(alert_emails.len(), 1);
    let raw = String::from_utf8_lossy(&alert_emails[0].raw);
    assert!(raw.contains("EMERGENCY red flag"), "{raw}");
    assert!(!raw.contains("Robin Patient") && !raw.contains("saddle"), "no patient details in the email");

    // Tomorrow's reminder is withheld while the alert is open, and sendable once acknowledged.
    let tomorrows = || -> backtrack::db::deliveries::DeliveryRow {
        let id: String = outbox::table
            .filter(outbox::user_id.eq(&patient_id))
            .filter(outbox::kind.eq("exercise_reminder"))
            .filter(outbox::due_at.gt(backtrack::db::now()))
            .select(outbox::id)
            .first(&mut app.conn())
            .unwrap();
        backtrack::db::deliveries::find(&mut app.conn(), &id).unwrap().unwrap()
    };
    let withhold = |row| backtrack::reminders::send_check::reason_to_withhold(&mut app.conn(), &row).unwrap();
    assert!(withhold(tomorrows()).is_some_and(|r| r.contains("red-flag")));
    let alert_id = items[0]["id"].as_str().unwrap();
    let ack = format!("/v1/alerts/{alert_id}/acknowledge");
    assert_problem(app.post_as(&clinician, &ack, &json!({"note": "  "})).await, 422, "validation_failed").await;
    assert_problem(app.post_as(&desk, &ack, &json!({"note": "seen"})).await, 403, "forbidden").await;
    let done = app.post_as(&clinician, &ack, &json!({"note": "Phoned: seen in ED, MRI clear. Resume program."})).await;
    assert_eq!(done.status(), 200);
    let done: Value = done.json().await.unwrap();
    assert_eq!(done["status"], "acknowledged");
    assert_problem(app.post_as(&clinician, &ack, &json!({"note": "again"})).await, 409, "already_acknowledged").await;
    assert_eq!(withhold(tomorrows()), None, "reminders resume");
    let shown: Value = app.get_as(&patient, "/v1/me/red-flag").await.json().await.unwrap();
    assert_eq!(shown["open"], false);
    let audited: i64 = audit_log::table
        .filter(audit_log::action.eq("alert.acknowledge"))
        .filter(audit_log::patient_id.eq(&patient_id))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(audited, 1);
}

/// Weekly check-ins from `weeks` weeks ago to today, with these pains and ODI answers.
async fn weekly_series(app: &TestApp, token: &str, pains: &[i32], odi: &[Value]) {
    let today = today_in("America/Chicago");
    let weeks = pains.len() as i64 - 1;
    for (i, (pain, odi)) in pains.iter().zip(odi).enumerate() {
        let date = today - Duration::weeks(weeks - i as i64);
        assert_eq!(send(app, token, &check_in(date, *pain, odi.clone())).await.status(), 201);
    }
}

#[tokio::test]
async fn seven_weeks_without_meaningful_change_is_a_plateau_and_reaching_the_mcid_is_not() {
    let app = spawn_app().await;
    let (_, clinician) = app.user_with_token(Role::Clinician, "pt@clinic.example", "Pia Therapist").await;
    // In care: a program since before the first check-in (the plateau rule asks for one).
    let start = (today_in("America/Chicago") - Duration::weeks(8)).to_string();
    let (stalled_id, stalled, _) =
        patient_with_program(&app, &clinician, "stalled@example.org", "America/Chicago", &start).await;
    let (better_id, better, _) =
        patient_with_program(&app, &clinician, "better@example.org", "America/Chicago", &start).await;
    let (ended_id, ended, ended_program) =
        patient_with_program(&app, &clinician, "ended@example.org", "America/Chicago", &start).await;
    let mut finished = crate::reminders::every_day_from(&start);
    finished["ends_on"] = json!((today_in("America/Chicago") - Duration::weeks(7)).to_string());
    let path = format!("/v1/programs/{}", ended_program["id"].as_str().unwrap());
    assert_eq!(put(&app, &clinician, &path, &finished).await.status(), 200);
    // ODI 40% or 38%: never 10 points or 30% better.
    let forty = json!([2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    let thirty_eight = json!([2, 2, 2, 2, 2, 2, 2, 2, 2, 1]);
    let odi =
        [&forty, &thirty_eight, &forty, &thirty_eight, &forty, &thirty_eight, &forty, &thirty_eight].map(Value::clone);
    weekly_series(&app, &stalled, &[6, 6, 5, 6, 5, 6, 5, 5], &odi).await;
    assert_eq!(open_alerts(&app, &stalled_id, "plateau"), 1);
    // Pain falls from 7 to 4 by week 3: the MCID is reached, so no plateau, at any point.
    weekly_series(&app, &better, &[7, 6, 5, 4, 4, 4, 4, 4], &odi).await;
    assert_eq!(open_alerts(&app, &better_id, "plateau"), 0);
    // The same stalled series after the program ended: no longer in care, no plateau alert.
    weekly_series(&app, &ended, &[6, 6, 5, 6, 5, 6, 5, 5], &odi).await;
    assert_eq!(open_alerts(&app, &ended_id, "plateau"), 0);
    let progress: Value = app.get_as(&better, "/v1/me/progress").await.json().await.unwrap();
    assert_eq!(progress["nrs"]["baseline"]["value"], 7.0);
    assert_eq!(progress["nrs"]["latest"]["value"], 4.0);
    assert_eq!(progress["nrs"]["change"], -3.0);
    assert_eq!(progress["nrs"]["mcid_reached"], true);
    assert_eq!(progress["odi"]["mcid_reached"], false);
    assert_eq!(progress["nrs"]["series"].as_array().unwrap().len(), 8);
}

#[tokio::test]
async fn two_weeks_under_half_the_sessions_raise_a_low_adherence_alert_once() {
    let app = spawn_app().await;
    let (_, clinician) = app.user_with_token(Role::Clinician, "pt@clinic.example", "Pia Therapist").await;
    let today = today_in("America/Chicago");
    let start = (today - Duration::days(20)).to_string();
    let (low_id, low, low_program) =
        patient_with_program(&app, &clinician, "low@example.org", "America/Chicago", &start).await;
    let (keen_id, keen, keen_program) =
        patient_with_program(&app, &clinician, "keen@example.org", "America/Chicago", &start).await;
    let log = |program: &Value, days_ago: i64| {
        json!({"program_version_id": program["version_id"], "performed_on": today - Duration::days(days_ago),
               "items": [{"position": 1, "sets": 3, "reps": 10}]})
    };
    for days_ago in [3, 10] {
        let logged =
            put(&app, &low, &format!("/v1/exercise-logs/{}", uuid::Uuid::new_v4()), &log(&low_program, days_ago)).await;
        assert_eq!(logged.status(), 201);
    }
    for days_ago in 0..14 {
        let logged =
            put(&app, &keen, &format!("/v1/exercise-logs/{}", uuid::Uuid::new_v4()), &log(&keen_program, days_ago))
                .await;
        assert_eq!(logged.status(), 201);
    }
    let sweep = || backtrack::clinical::alerts::sweep(app.pool(), Utc::now());
    assert_eq!(sweep().await.unwrap(), 3);
    assert_eq!(sweep().await.unwrap(), 0);
    // 2 of 14 sessions: 14% < 50%, once however often the sweep runs.
    assert_eq!(open_alerts(&app, &low_id, "low_adherence"), 1);
    assert_eq!(open_alerts(&app, &keen_id, "low_adherence"), 0);
    // Neither has checked in during the 20 days of the program.
    assert_eq!(open_alerts(&app, &low_id, "missed_check_ins"), 1);
    assert_eq!(open_alerts(&app, &keen_id, "missed_check_ins"), 1);
    let worklist: Value = app.get_as(&clinician, "/v1/alerts?status=open&limit=2").await.json().await.unwrap();
    assert_eq!(worklist["items"].as_array().unwrap().len(), 2);
    let cursor = worklist["next_cursor"].as_str().expect("a second page");
    let rest: Value =
        app.get_as(&clinician, &format!("/v1/alerts?status=open&limit=2&cursor={cursor}")).await.json().await.unwrap();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next_cursor"], Value::Null);

    // Acknowledged: the same facts do not raise it again at the next sweep.
    let low_alert = worklist["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["items"].as_array().unwrap())
        .find(|a| a["patient_id"] == low_id.as_str() && a["kind"] == "low_adherence")
        .expect("the low-adherence alert")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let note = json!({"note": "Called: new job, will move sessions to evenings."});
    assert_eq!(app.post_as(&clinician, &format!("/v1/alerts/{low_alert}/acknowledge"), &note).await.status(), 200);
    assert_eq!(sweep().await.unwrap(), 0);
    assert_eq!(open_alerts(&app, &low_id, "low_adherence"), 0);
}

#[tokio::test]
async fn booking_a_first_evaluation_asks_the_same_red_flag_questions_with_the_same_advice() {
    let cal = crate::calendar_fixture::calendar("America/Chicago", 1).await;
    let (patient_id, patient) = cal.patient(1).await;
    let (_, calm) = cal.patient(2).await;
    let questions: Value =
        cal.app.client.get(cal.app.url("/v1/red-flag-questions")).send().await.unwrap().json().await.unwrap();
    assert_eq!(questions.as_array().unwrap().len(), 8);
    let start = |hour| crate::calendar_fixture::rfc3339(cal.at(2, hour, 0));
    let unknown =
        json!({"appointment_type": "comprehensive_evaluation", "start": start(10), "red_flags": {"headache": true}});
    assert_problem(cal.book(&patient, &unknown).await, 422, "validation_failed").await;

    let flagged = json!({"appointment_type": "comprehensive_evaluation", "start": start(10),
                         "reason": "Low back pain for 4 months", "red_flags": {"progressive_leg_weakness": true}});
    let booked = cal.book_ok(&patient, &flagged).await;
    assert_eq!(booked["red_flag"]["severity"], "emergency");
    assert_eq!(
        booked["red_flag"]["advice"].as_str(),
        backtrack::domain::red_flags::advice(backtrack::domain::red_flags::Severity::Emergency).into()
    );
    assert_eq!(open_alerts(&cal.app, &patient_id, "red_flag"), 1);

    let clear = json!({"appointment_type": "comprehensive_evaluation", "start": start(13),
                       "red_flags": {"progressive_leg_weakness": false, "fever_or_chills": false}});
    let booked = cal.book_ok(&calm, &clear).await;
    assert!(booked.get("red_flag").is_none(), "{booked}");
}

#[tokio::test]
async fn signing_up_screens_for_red_flags_without_telling_whether_the_email_was_taken() {
    let app = spawn_app().await;
    let (_, clinician) = app.user_with_token(Role::Clinician, "pt@clinic.example", "Pia Therapist").await;
    let sign_up = |email: &str, flags: Value| {
        json!({"email": email, "password": "Glute-bridge-2026", "full_name": "Nia Newcomer",
               "date_of_birth": "1984-02-29", "time_zone": "America/Chicago", "red_flags": flags})
    };
    let unknown = app.post("/v1/auth/register", &sign_up("new@example.org", json!({"headache": true}))).await;
    assert_problem(unknown, 422, "validation_failed").await;

    let fever = json!({"fever_or_chills": true, "saddle_numbness": false});
    let first = app.post("/v1/auth/register", &sign_up("new@example.org", fever.clone())).await;
    assert_eq!(first.status(), 202);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["status"], "pending_verification");
    assert_eq!(first["red_flag"]["severity"], "urgent");
    assert!(first["red_flag"]["advice"].as_str().unwrap().contains("doctor today"));
    let id: String = backtrack::db::schema::users::table
        .filter(backtrack::db::schema::users::email.eq("new@example.org"))
        .select(backtrack::db::schema::users::id)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(open_alerts(&app, &id, "red_flag"), 1);
    let worklist: Value = app.get_as(&clinician, "/v1/alerts").await.json().await.unwrap();
    assert_eq!(worklist["items"][0]["patient_id"], id.as_str());

    // The same answer for a taken address: nothing tells the caller it exists.
    let again: Value = app.post("/v1/auth/register", &sign_up("new@example.org", fever)).await.json().await.unwrap();
    assert_eq!(again, first);
    assert_eq!(open_alerts(&app, &id, "red_flag"), 1);
    let clear: Value =
        app.post("/v1/auth/register", &sign_up("calm@example.org", json!({}))).await.json().await.unwrap();
    assert!(clear.get("red_flag").is_none(), "{clear}");
}

/// Two check-ins on one date: the phone's ids say nothing about which came last, so the one
/// received later is the latest — in progress (latest, change, MCID) and in the lists, page by page.
#[tokio::test]
async fn check_ins_on_one_date_count_in_the_order_they_were_received() {
    let app = spawn_app().await;
    let (_, patient) = app.user_with_token(Role::Patient, "p@example.org", "Pat Patient").await;
    let today = today_in("America/Chicago");
    // The first to arrive has the id that sorts last.
    let (first, second) = ("ffffffff-ffff-4fff-bfff-ffffffffffff", "00000000-0000-4000-8000-000000000000");
    let answers = |pain| check_in(today, pain, json!([2, 2, 2, 2, 2, 2, 2, 2, 2, 2]));
    assert_eq!(put(&app, &patient, &format!("/v1/check-ins/{first}"), &answers(8)).await.status(), 201);
    assert_eq!(put(&app, &patient, &format!("/v1/check-ins/{second}"), &answers(3)).await.status(), 201);

    let progress: Value = app.get_as(&patient, "/v1/me/progress").await.json().await.unwrap();
    let pain = &progress["nrs"];
    assert_eq!(pain["baseline"]["value"], 8.0, "{pain}");
    assert_eq!(pain["latest"]["value"], 3.0, "{pain}");
    assert_eq!(pain["change"], -5.0, "{pain}");
    assert_eq!(pain["mcid_reached"], true, "{pain}");

    // Newest first, one per page: the later one, then the earlier one.
    let page: Value = app.get_as(&patient, "/v1/me/check-ins?limit=1").await.json().await.unwrap();
    assert_eq!(page["items"][0]["id"], second, "{page}");
    let cursor = page["next_cursor"].as_str().expect("a second page");
    let rest: Value =
        app.get_as(&patient, &format!("/v1/me/check-ins?limit=1&cursor={cursor}")).await.json().await.unwrap();
    assert_eq!(rest["items"][0]["id"], first, "{rest}");
    assert_eq!(rest["next_cursor"], Value::Null, "{rest}");
}
