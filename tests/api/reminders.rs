//! Exercise reminders and check-in prompts: the patient's choices, the scheduler's local-time
//! arithmetic around daylight-saving changes, de-duplication, the send-time checks through a real
//! worker and SMTP server, and one-click unsubscribe.

use std::collections::BTreeMap;

use backtrack::db::schema::{notification_outbox as outbox, reminder_settings};
use backtrack::domain::role::Role;
use backtrack::reminders::{schedule, ReminderLinks};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, eventually, spawn_app, worker_settings, TestApp};
use crate::smtp_sink::SmtpSink;

pub fn every_day_from(starts_on: &str) -> Value {
    json!({
        "title": "Phase 1",
        "starts_on": starts_on,
        "weekdays": [1, 2, 3, 4, 5, 6, 7],
        "items": [
            {"exercise": "dead-bug", "sets": 3, "reps": 10},
            {"exercise": "side-plank-short-lever", "sets": 2, "hold_seconds": 20, "notes": "Left side first"}
        ]
    })
}

pub async fn put(app: &TestApp, token: &str, path: &str, body: &Value) -> reqwest::Response {
    app.client.put(app.url(path)).bearer_auth(token).json(body).send().await.unwrap()
}

/// A patient in `zone` with a daily program from `starts_on`: (id, token, program).
pub async fn patient_with_program(
    app: &TestApp,
    clinician: &str,
    email: &str,
    zone: &str,
    starts_on: &str,
) -> (String, String, Value) {
    let (id, token) = app.user_with_token(Role::Patient, email, "Robin Patient").await;
    let moved = app.patch_as(&token, "/v1/me", &json!({"time_zone": zone})).await;
    assert_eq!(moved.status(), 200);
    let created = app.post_as(clinician, &format!("/v1/patients/{id}/programs"), &every_day_from(starts_on)).await;
    assert_eq!(created.status(), 201);
    (id, token, created.json().await.unwrap())
}

/// Queued reminders of `kind` for the patient: local date (from the key) → due instant.
fn queued(app: &TestApp, user_id: &str, kind: &str) -> BTreeMap<String, String> {
    outbox::table
        .filter(outbox::user_id.eq(user_id))
        .filter(outbox::kind.eq(kind))
        .select((outbox::dedupe_key, outbox::due_at))
        .load::<(String, NaiveDateTime)>(&mut app.conn())
        .unwrap()
        .into_iter()
        .map(|(key, due)| (key.rsplit(':').next().unwrap().to_string(), due.format("%Y-%m-%dT%H:%MZ").to_string()))
        .collect()
}

fn at(text: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap().and_utc()
}

/// A year whose programs are never in force by the real clock while the test runs: the handlers
/// re-plan with the real time, the scheduler here runs at chosen instants of that year.
fn future_year() -> i32 {
    Utc::now().year() + 2
}

/// The `n`th Sunday of a month (`n = -1`: the last), the day daylight-saving rules name.
fn sunday(year: i32, month: u32, n: i32) -> NaiveDate {
    let sundays: Vec<NaiveDate> = NaiveDate::from_ymd_opt(year, month, 1)
        .unwrap()
        .iter_days()
        .take_while(|d| d.month() == month)
        .filter(|d| d.weekday() == chrono::Weekday::Sun)
        .collect();
    if n < 0 {
        *sundays.last().unwrap()
    } else {
        sundays[n as usize - 1]
    }
}

/// `date + days` at `time` UTC, as [`queued`] shows instants.
fn utc_on(date: NaiveDate, days: i64, time: &str) -> String {
    format!("{}T{time}Z", date + chrono::Duration::days(days))
}

/// The scheduler as the housekeeping loop runs it, at a chosen instant.
fn run_scheduler(app: &TestApp, now: DateTime<Utc>) -> usize {
    let links = ReminderLinks::from_config(&app.state.config);
    let mut conn = app.conn();
    backtrack::db::write_tx(&mut conn, |conn| schedule::run_due(conn, &links, now, 500)).unwrap()
}

/// Runs the scheduler every six hours from `from` to `to`.
fn run_scheduler_over(app: &TestApp, from: DateTime<Utc>, to: DateTime<Utc>) {
    let (mut now, end) = (from, to);
    while now <= end {
        run_scheduler(app, now);
        now += chrono::Duration::hours(6);
    }
}

#[tokio::test]
async fn reminder_choices_are_validated_and_are_the_same_switches_as_the_preferences() {
    let app = spawn_app().await;
    let (_, patient) = app.user_with_token(Role::Patient, "p@example.org", "Pat Patient").await;
    let (_, desk) = app.user_with_token(Role::FrontDesk, "fd@clinic.example", "Finn Desk").await;

    let defaults: Value = app.get_as(&patient, "/v1/me/reminders").await.json().await.unwrap();
    assert_eq!(defaults["time_zone"], "America/Chicago");
    assert_eq!(defaults["exercise"], json!({"enabled": true, "weekdays": [1, 2, 3, 4, 5, 6, 7], "time": "08:00"}));
    assert_eq!(defaults["check_in"], json!({"enabled": true, "weekdays": [7], "time": "18:00"}));
    assert_eq!(defaults["weekly_summary"], json!({"enabled": true, "weekdays": [7], "time": "19:00"}));
    assert_problem(app.get_as(&desk, "/v1/me/reminders").await, 403, "forbidden").await;

    let bad = json!({
        "time_zone": "Mars/Olympus_Mons",
        "exercise": {"enabled": true, "weekdays": [1], "time": "25:00"},
        "check_in": {"enabled": true, "weekdays": [8], "time": "09:00"}
    });
    let problem = assert_problem(put(&app, &patient, "/v1/me/reminders", &bad).await, 422, "validation_failed").await;
    let mut fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["check_in.weekdays", "exercise.time", "time_zone"]);
    let unchanged: Value = app.get_as(&patient, "/v1/me/reminders").await.json().await.unwrap();
    assert_eq!(unchanged, defaults, "a refused change changes nothing");

    let good = json!({
        "time_zone": "Europe/London",
        "exercise": {"enabled": true, "weekdays": [5, 1, 3], "time": "07:30"}
    });
    let saved = put(&app, &patient, "/v1/me/reminders", &good).await;
    assert_eq!(saved.status(), 200);
    let saved: Value = saved.json().await.unwrap();
    assert_eq!(saved["time_zone"], "Europe/London");
    assert_eq!(saved["exercise"], json!({"enabled": true, "weekdays": [1, 3, 5], "time": "07:30"}));
    assert_eq!(saved["check_in"], defaults["check_in"], "an absent part stays as it was");
    let me: Value = app.get_as(&patient, "/v1/me").await.json().await.unwrap();
    assert_eq!(me["time_zone"], "Europe/London");

    // The preferences show and change the same switches.
    let prefs: Value = app.get_as(&patient, "/v1/me/notification-preferences").await.json().await.unwrap();
    assert_eq!(prefs, json!({"exercise_reminders": true, "check_in_reminders": true, "weekly_summary": true}));
    let off = put(&app, &patient, "/v1/me/notification-preferences", &json!({"check_in_reminders": false})).await;
    assert_eq!(
        off.json::<Value>().await.unwrap(),
        json!({"exercise_reminders": true, "check_in_reminders": false, "weekly_summary": true})
    );
    let reminders: Value = app.get_as(&patient, "/v1/me/reminders").await.json().await.unwrap();
    assert_eq!(reminders["check_in"]["enabled"], false);
    assert_eq!(reminders["check_in"]["time"], "18:00");
    let bad_switch = put(&app, &patient, "/v1/me/notification-preferences", &json!({"exercise_reminders": "no"})).await;
    assert_problem(bad_switch, 422, "validation_failed").await;
}

#[tokio::test]
async fn reminders_fire_at_the_local_wall_time_around_daylight_saving_changes() {
    let app = spawn_app().await;
    let (_, clinician) = app.user_with_token(Role::Clinician, "pt@clinic.example", "Pia Therapist").await;
    let year = future_year();
    let cases = [
        ("America/Chicago", "07:30"),
        ("America/Chicago", "02:30"),
        ("America/Chicago", "01:30"),
        ("Europe/London", "07:30"),
        ("Australia/Lord_Howe", "07:30"),
        ("Australia/Lord_Howe", "02:15"),
        ("Australia/Lord_Howe", "01:45"),
    ];
    let mut patients = Vec::new();
    for (i, (zone, time)) in cases.iter().enumerate() {
        let starts_on = format!("{year}-01-01");
        let (id, token, _) =
            patient_with_program(&app, &clinician, &format!("p{i}@example.org"), zone, &starts_on).await;
        let choice = json!({"exercise": {"enabled": true, "weekdays": [1, 2, 3, 4, 5, 6, 7], "time": time},
                            "check_in": {"enabled": false, "weekdays": [7], "time": "18:00"}});
        assert_eq!(put(&app, &token, "/v1/me/reminders", &choice).await.status(), 200);
        patients.push(id);
    }
    // Chicago (-6 / -5): forward on the 2nd Sunday of March, back on the 1st of November. London
    // (0 / +1): the last Sundays of March and October. Lord Howe (+10:30 / +11): back half an hour
    // on the 1st Sunday of April, forward on the 1st of October.
    let (chicago_spring, chicago_fall) = (sunday(year, 3, 2), sunday(year, 11, 1));
    let (london_spring, london_fall) = (sunday(year, 3, -1), sunday(year, 10, -1));
    let (howe_back, howe_forward) = (sunday(year, 4, 1), sunday(year, 10, 1));
    let mut changes = [chicago_spring, chicago_fall, london_spring, london_fall, howe_back, howe_forward];
    // In order: a run moves each patient's next look-ahead on past its own instant.
    changes.sort();
    for day in changes {
        // Every six hours from two days before to the day after.
        let from = (day - chrono::Duration::days(2)).and_hms_opt(0, 0, 0).unwrap().and_utc();
        run_scheduler_over(&app, from, (day + chrono::Duration::days(1)).and_hms_opt(12, 0, 0).unwrap().and_utc());
    }
    let get =
        |i: usize, date: NaiveDate| queued(&app, &patients[i], "exercise_reminder").get(&date.to_string()).cloned();
    let before = |d: NaiveDate| d - chrono::Duration::days(1);
    assert_eq!(get(0, before(chicago_spring)), Some(utc_on(chicago_spring, -1, "13:30")), "07:30 CST");
    assert_eq!(get(0, chicago_spring), Some(utc_on(chicago_spring, 0, "12:30")), "07:30 CDT on the change day");
    assert_eq!(get(0, before(chicago_fall)), Some(utc_on(chicago_fall, -1, "12:30")));
    assert_eq!(get(0, chicago_fall), Some(utc_on(chicago_fall, 0, "13:30")), "07:30 CST after falling back");
    assert_eq!(get(1, chicago_spring), Some(utc_on(chicago_spring, 0, "08:00")), "02:30 does not exist: 03:00 CDT");
    assert_eq!(get(2, chicago_fall), Some(utc_on(chicago_fall, 0, "06:30")), "the repeated 01:30: the first, once");
    assert_eq!(get(3, before(london_spring)), Some(utc_on(london_spring, -1, "07:30")));
    assert_eq!(get(3, london_spring), Some(utc_on(london_spring, 0, "06:30")));
    assert_eq!(get(3, before(london_fall)), Some(utc_on(london_fall, -1, "06:30")));
    assert_eq!(get(3, london_fall), Some(utc_on(london_fall, 0, "07:30")));
    assert_eq!(get(4, before(howe_back)), Some(utc_on(howe_back, -2, "20:30")), "07:30 at +11:00");
    assert_eq!(get(4, howe_back), Some(utc_on(howe_back, -1, "21:00")), "07:30 at +10:30");
    assert_eq!(get(4, before(howe_forward)), Some(utc_on(howe_forward, -2, "21:00")));
    assert_eq!(get(4, howe_forward), Some(utc_on(howe_forward, -1, "20:30")));
    assert_eq!(get(5, howe_forward), Some(utc_on(howe_forward, -1, "15:30")), "02:15 does not exist: 02:30 at +11:00");
    assert_eq!(get(6, howe_back), Some(utc_on(howe_back, -1, "14:45")), "the repeated 01:45: the first, once");
    // Chicago at 07:30: one reminder for each local date the runs looked ahead over (two days
    // before each change to two days after), and nothing else.
    let expected: Vec<String> = changes
        .iter()
        .flat_map(|day| (-2..=2).map(move |n| (*day + chrono::Duration::days(n)).to_string()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let chicago_dates: Vec<String> = queued(&app, &patients[0], "exercise_reminder").into_keys().collect();
    assert_eq!(chicago_dates, expected);
    assert!(queued(&app, &patients[0], "check_in_reminder").is_empty(), "check-in prompts are off");
}

#[tokio::test]
async fn moving_to_another_time_zone_re_times_what_was_queued() {
    let app = spawn_app().await;
    let (_, clinician) = app.user_with_token(Role::Clinician, "pt@clinic.example", "Pia Therapist").await;
    let year = future_year();
    let (id, token, _) =
        patient_with_program(&app, &clinician, "p@example.org", "America/Chicago", &format!("{year}-01-01")).await;
    let now = at(&format!("{year}-06-01 00:00"));
    let june_1 = NaiveDate::from_ymd_opt(year, 6, 1).unwrap();
    run_scheduler(&app, now);
    // 08:00 CDT = 13:00 UTC.
    assert_eq!(queued(&app, &id, "exercise_reminder").get(&june_1.to_string()), Some(&utc_on(june_1, 0, "13:00")));
    let moved = app.patch_as(&token, "/v1/me", &json!({"time_zone": "Europe/London"})).await;
    assert_eq!(moved.status(), 200);
    run_scheduler(&app, now);
    // 08:00 BST = 07:00 UTC, the same local date, once.
    let after = queued(&app, &id, "exercise_reminder");
    assert_eq!(after.get(&june_1.to_string()), Some(&utc_on(june_1, 0, "07:00")));
    assert_eq!(after.len(), 2, "the 1st and the 2nd, nothing left in the old zone");
}

#[tokio::test]
async fn the_scheduler_run_twice_or_on_two_replicas_queues_nothing_twice() {
    let app = spawn_app().await;
    let (_, clinician) = app.user_with_token(Role::Clinician, "pt@clinic.example", "Pia Therapist").await;
    let year = future_year();
    let mut ids = Vec::new();
    for i in 0..6 {
        let starts_on = format!("{year}-01-01");
        let (id, _, _) =
            patient_with_program(&app, &clinician, &format!("p{i}@example.org"), "Europe/London", &starts_on).await;
        ids.push(id);
    }
    // 05:00 UTC on the first Monday of May: exercise at 08:00 BST on Monday and Tuesday; the
    // check-in prompt (Sundays) is past and next week's is beyond the 36 hours looked ahead.
    let monday = sunday(year, 5, 1) + chrono::Duration::days(1);
    let monday = if monday.day() > 7 { monday - chrono::Duration::days(7) } else { monday };
    let now = monday.and_hms_opt(5, 0, 0).unwrap().and_utc();
    let count =
        || outbox::table.filter(outbox::kind.like("%_reminder")).count().get_result::<i64>(&mut app.conn()).unwrap();
    assert_eq!(run_scheduler(&app, now), 12);
    assert_eq!(count(), 12);
    assert_eq!(run_scheduler(&app, now), 0, "looked at already");

    // Two replicas at once that both see every row due, on an empty outbox.
    diesel::delete(outbox::table.filter(outbox::kind.like("%_reminder"))).execute(&mut app.conn()).unwrap();
    let reset = || {
        diesel::update(reminder_settings::table)
            .set(reminder_settings::next_run_at.eq(now.naive_utc() - chrono::Duration::hours(1)))
            .execute(&mut app.conn())
            .unwrap()
    };
    reset();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let replicas: Vec<_> = (0..2)
        .map(|_| {
            let (pool, barrier) = (app.pool().clone(), barrier.clone());
            let links = ReminderLinks::from_config(&app.state.config);
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                barrier.wait();
                backtrack::db::write_tx(&mut conn, |conn| schedule::run_due(conn, &links, now, 500)).unwrap()
            })
        })
        .collect();
    let queued_by_replicas: usize = replicas.into_iter().map(|r| r.join().unwrap()).sum();
    assert_eq!(queued_by_replicas, 12, "between them, each reminder once");
    // And a replica that read the rows before the others' runs committed: the key stops it.
    reset();
    assert_eq!(run_scheduler(&app, now), 0);
    assert_eq!(count(), 12);
    let expected: BTreeMap<String, String> = [0, 1]
        .into_iter()
        .map(|n| {
            let day = monday + chrono::Duration::days(n);
            (day.to_string(), utc_on(day, 0, "07:00"))
        })
        .collect();
    for id in &ids {
        assert_eq!(queued(&app, id, "exercise_reminder"), expected);
    }
}

/// A zone where it is not about to be midnight, so a reminder due now cannot expire mid-test.
pub fn zone_away_from_midnight() -> &'static str {
    let chicago_hour = chrono::Timelike::hour(&Utc::now().with_timezone(&chrono_tz::America::Chicago));
    if (1..23).contains(&chicago_hour) {
        "America/Chicago"
    } else {
        "Asia/Tokyo"
    }
}

/// A reminder at this very minute, every day, for the signed-in patient: today's is due at once.
pub async fn remind_now(app: &TestApp, token: &str, zone: &str) {
    let local_now = Utc::now().with_timezone(&zone.parse::<chrono_tz::Tz>().unwrap());
    let choice = json!({"exercise": {"enabled": true, "weekdays": [1, 2, 3, 4, 5, 6, 7],
                                      "time": local_now.format("%H:%M").to_string()}});
    assert_eq!(put(app, token, "/v1/me/reminders", &choice).await.status(), 200);
}

/// The patient's one reminder email due today, and the unsubscribe path in its headers.
fn unsubscribe_path(app: &TestApp, user_id: &str) -> String {
    let headers: Vec<Option<String>> = outbox::table
        .filter(outbox::user_id.eq(user_id))
        .filter(outbox::kind.eq("exercise_reminder"))
        .select(outbox::headers)
        .load(&mut app.conn())
        .unwrap();
    let headers: Value = serde_json::from_str(headers[0].as_deref().expect("headers")).unwrap();
    assert_eq!(headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
    let url = headers["List-Unsubscribe"].as_str().unwrap().trim_matches(|c| c == '<' || c == '>');
    url.strip_prefix("https://app.backtrack.test").expect("the public URL").to_string()
}

pub fn status_of_todays(app: &TestApp, user_id: &str) -> Option<(String, Option<String>)> {
    outbox::table
        .filter(outbox::user_id.eq(user_id))
        .filter(outbox::kind.eq("exercise_reminder"))
        .filter(outbox::due_at.le(backtrack::db::now()))
        .select((outbox::status, outbox::last_error))
        .first(&mut app.conn())
        .optional()
        .unwrap()
}

#[tokio::test]
async fn reminders_arrive_unless_done_ended_unsubscribed_or_paused_through_the_worker() {
    let app = spawn_app().await;
    let sink = SmtpSink::start();
    let (_, clinician) = app.user_with_token(Role::Clinician, "pt@clinic.example", "Pia Therapist").await;
    let zone_name = zone_away_from_midnight();
    let zone: chrono_tz::Tz = zone_name.parse().unwrap();
    let local_now = Utc::now().with_timezone(&zone);
    let yesterday = (local_now.date_naive() - chrono::Duration::days(1)).to_string();
    let names = ["keeps", "done", "ended", "unsubscribed", "paused"];
    let mut patients = BTreeMap::new();
    for name in names {
        let (id, token, program) =
            patient_with_program(&app, &clinician, &format!("{name}@example.org"), zone_name, &yesterday).await;
        remind_now(&app, &token, zone_name).await;
        assert_eq!(status_of_todays(&app, &id).map(|s| s.0).as_deref(), Some("pending"), "{name}: queued");
        patients.insert(name, (id, token, program));
    }

    // Done today: the session is logged before the worker gets to the reminder.
    let (_, token, program) = &patients["done"];
    let log = json!({"program_version_id": program["version_id"], "performed_on": local_now.date_naive(),
                     "items": [{"position": 1, "sets": 3, "reps": 10}]});
    let logged = put(&app, token, &format!("/v1/exercise-logs/{}", uuid::Uuid::new_v4()), &log).await;
    assert_eq!(logged.status(), 201);
    // Program ended yesterday.
    let (_, _, program) = &patients["ended"];
    let mut ended = every_day_from(&yesterday);
    ended["ends_on"] = json!(yesterday);
    let revised = put(&app, &clinician, &format!("/v1/programs/{}", program["id"].as_str().unwrap()), &ended).await;
    assert_eq!(revised.status(), 200);
    // One-click unsubscribe from the email's own header, without signing in.
    let (id, token, _) = &patients["unsubscribed"];
    let path = unsubscribe_path(&app, id);
    let clicked = app
        .client
        .post(app.url(&path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(clicked.status(), 200);
    let prefs: Value = app.get_as(token, "/v1/me/notification-preferences").await.json().await.unwrap();
    assert_eq!(prefs["exercise_reminders"], false, "the app shows what the click changed");
    // An urgent red flag in a check-in opens an alert.
    let (_, token, _) = &patients["paused"];
    let check_in = json!({"completed_on": local_now.date_naive(), "pain_now": 6, "pain_average": 6, "pain_worst": 8,
                          "red_flags": {"fever_or_chills": true}});
    let flagged = put(&app, token, &format!("/v1/check-ins/{}", uuid::Uuid::new_v4()), &check_in).await;
    assert_eq!(flagged.status(), 201);

    let worker = app.start_worker(sink.port, worker_settings(2, 60));
    let keeps = patients["keeps"].0.clone();
    eventually(30, "the reminder to the patient who keeps up is sent", || {
        status_of_todays(&app, &keeps).is_some_and(|(s, _)| s == "sent")
    })
    .await;
    for name in ["done", "ended", "unsubscribed", "paused"] {
        let id = patients[name].0.clone();
        eventually(30, &format!("{name}: withheld"), || {
            status_of_todays(&app, &id).is_none_or(|(s, _)| s == "cancelled")
        })
        .await;
    }
    worker.stop().await;
    for (name, why) in [
        ("done", "already logged"),
        ("ended", "no program in force"),
        ("unsubscribed", "turned these reminders off"),
        ("paused", "red-flag alert"),
    ] {
        let (status, reason) = status_of_todays(&app, &patients[name].0).expect("today's reminder");
        assert_eq!(status, "cancelled", "{name}");
        assert!(reason.as_deref().is_some_and(|r| r.contains(why)), "{name}: {reason:?}");
    }

    // The clinician was told of the red flag; of the patients, only one got a reminder.
    let received: Vec<_> = sink.received().into_iter().filter(|m| m.to[0].ends_with("@example.org")).collect();
    assert_eq!(received.len(), 1, "only the patient who still needs it gets a reminder");
    assert_eq!(received[0].to, ["keeps@example.org"]);
    let raw = String::from_utf8_lossy(&received[0].raw).into_owned();
    assert!(raw.contains("List-Unsubscribe: <https://app.backtrack.test/v1/unsubscribe/"), "{raw}");
    assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{raw}");
    let parsed = mail_parser::MessageParser::default().parse(&received[0].raw).unwrap();
    let text = parsed.body_text(0).unwrap();
    assert!(text.contains("Dead bug: 3 × 10"), "{text}");
    assert!(text.contains("2 × hold 20 s (Left side first)"), "{text}");
}

#[tokio::test]
async fn one_click_unsubscribe_needs_no_session_and_a_genuine_link() {
    let app = spawn_app().await;
    let (_, clinician) = app.user_with_token(Role::Clinician, "pt@clinic.example", "Pia Therapist").await;
    let year = future_year();
    let (id, token, _) =
        patient_with_program(&app, &clinician, "p@example.org", "America/Chicago", &format!("{year}-01-01")).await;
    let path = format!(
        "/v1/unsubscribe/{}",
        ReminderLinks::from_config(&app.state.config)
            .unsubscribe(&id, backtrack::domain::reminders::ReminderKind::CheckIn)
            .rsplit('/')
            .next()
            .unwrap()
    );

    // Opening the link shows a button and changes nothing (mail scanners open links).
    let page = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(page.text().await.unwrap().contains("weekly check-in reminders"));
    let prefs: Value = app.get_as(&token, "/v1/me/notification-preferences").await.json().await.unwrap();
    assert_eq!(prefs["check_in_reminders"], true);

    // A forged or altered token is refused.
    let forged = path.replace(".check_in.", ".exercise.");
    assert_problem(app.client.post(app.url(&forged)).send().await.unwrap(), 400, "invalid_token").await;
    assert_problem(app.client.get(app.url("/v1/unsubscribe/nothing")).send().await.unwrap(), 400, "invalid_token")
        .await;

    for _ in 0..2 {
        let clicked = app.client.post(app.url(&path)).body("List-Unsubscribe=One-Click").send().await.unwrap();
        assert_eq!(clicked.status(), 200, "a second click is fine too");
        let undo = format!("action=\"{}/undo\"", path.replace("/v1/", "/"));
        assert!(clicked.text().await.unwrap().contains(&undo), "the page offers to undo it");
    }
    let prefs: Value = app.get_as(&token, "/v1/me/notification-preferences").await.json().await.unwrap();
    assert_eq!(prefs, json!({"exercise_reminders": true, "check_in_reminders": false, "weekly_summary": true}));
    let audited: i64 = backtrack::db::schema::audit_log::table
        .filter(backtrack::db::schema::audit_log::action.eq("notification_preferences.unsubscribe"))
        .filter(backtrack::db::schema::audit_log::patient_id.eq(&id))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(audited, 2);
    // Turned back on in the app, and the prompts are queued again.
    let first_sunday = sunday(year, 1, 1);
    let that_noon = first_sunday.and_hms_opt(12, 0, 0).unwrap().and_utc();
    run_scheduler(&app, that_noon);
    assert!(queued(&app, &id, "check_in_reminder").is_empty());
    let on = put(&app, &token, "/v1/me/notification-preferences", &json!({"check_in_reminders": true})).await;
    assert_eq!(on.status(), 200);
    run_scheduler(&app, that_noon);
    // Sunday at 18:00 in Chicago (CST) is Monday 00:00 UTC.
    assert_eq!(
        queued(&app, &id, "check_in_reminder").get(&first_sunday.to_string()),
        Some(&utc_on(first_sunday, 1, "00:00"))
    );
}

#[tokio::test]
async fn the_weekly_summary_carries_the_weeks_figures_and_the_chart_and_can_be_turned_off() {
    let app = spawn_app().await;
    let (_, clinician) = app.user_with_token(Role::Clinician, "pt@clinic.example", "Pia Therapist").await;
    let year = future_year();
    let (id, token, _) =
        patient_with_program(&app, &clinician, "p@example.org", "America/Chicago", &format!("{year}-01-01")).await;
    // In an episode of care, the summary counts the visits against the plan.
    let opened = app.post_as(&clinician, &format!("/v1/patients/{id}/episodes"), &crate::episodes::plan()).await;
    assert_eq!(opened.status(), 201);
    // Sunday 19:00 in Chicago (CST) is Monday 01:00 UTC; a summary is queued two hours ahead.
    let sunday = sunday(year, 1, 1);
    run_scheduler(&app, (sunday + chrono::Duration::days(1)).and_hms_opt(0, 0, 0).unwrap().and_utc());
    let rows: Vec<(String, String, Option<String>, NaiveDateTime)> = outbox::table
        .filter(outbox::user_id.eq(&id))
        .filter(outbox::kind.eq("weekly_summary"))
        .select((outbox::dedupe_key, outbox::body_text, outbox::attachments, outbox::due_at))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(rows.len(), 1);
    let (key, text, attachments, due) = &rows[0];
    assert!(key.ends_with(&sunday.to_string()));
    assert_eq!(due.format("%Y-%m-%dT%H:%MZ").to_string(), utc_on(sunday, 1, "01:00"));
    assert!(text.contains("Home sessions this week"), "{text}");
    assert!(text.contains("Visits with your therapist: visit 0 of 12"), "{text}");
    let attachments: Value = serde_json::from_str(attachments.as_deref().expect("the chart")).unwrap();
    assert_eq!(attachments[0]["filename"], "progress.png");
    assert_eq!(attachments[0]["content_type"], "image/png");
    let png = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        attachments[0]["content_base64"].as_str().unwrap(),
    )
    .unwrap();
    let image = tiny_skia::Pixmap::decode_png(&png).expect("a PNG");
    assert_eq!((image.width(), image.height()), (640, 320));

    // Turned off: what was queued is withdrawn, and nothing more is queued.
    let off = put(&app, &token, "/v1/me/notification-preferences", &json!({"weekly_summary": false})).await;
    assert_eq!(off.json::<Value>().await.unwrap()["weekly_summary"], false);
    assert!(queued(&app, &id, "weekly_summary").is_empty());
    run_scheduler(&app, (sunday + chrono::Duration::days(1)).and_hms_opt(0, 0, 0).unwrap().and_utc());
    assert!(queued(&app, &id, "weekly_summary").is_empty());
}
