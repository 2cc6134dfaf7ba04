//! A series of visits booked from the plan in one request: every visit in the episode and the
//! series, one email with one invitation holding them all, the same answer on a retry; all or
//! nothing when one visit is taken, with the nearest free starts for it; the local time kept
//! across a daylight-saving change.

use backtrack::db::schema::{appointments, notification_outbox as outbox};
use base64::Engine;
use chrono::{Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::calendar_fixture::{calendar, rfc3339, Calendar};
use crate::episodes::opened;

fn today(cal: &Calendar) -> NaiveDate {
    Utc::now().with_timezone(&cal.zone).date_naive()
}

/// The next Monday at least two days ahead (past the 12 hours' notice, whatever the hour).
fn next_monday(cal: &Calendar) -> NaiveDate {
    let mut day = today(cal) + Duration::days(2);
    while day.weekday() != Weekday::Mon {
        day += Duration::days(1);
    }
    day
}

fn twice_a_week(cal: &Calendar, from: NaiveDate, count: i64) -> Value {
    json!({"appointment_type": "follow_up", "clinician_id": cal.clinicians[0].0, "first_date": from,
        "weekly": [{"weekday": 4, "time": "14:00"}, {"weekday": 1, "time": "09:00"}], "count": count})
}

async fn post_series(cal: &Calendar, episode: &str, body: &Value, key: Option<&str>) -> reqwest::Response {
    let mut request =
        cal.app.client.post(cal.app.url(&format!("/v1/episodes/{episode}/series"))).bearer_auth(&cal.desk).json(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    request.send().await.unwrap()
}

fn visits_of(cal: &Calendar, patient_id: &str) -> Vec<(String, Option<String>, Option<String>)> {
    appointments::table
        .filter(appointments::patient_id.eq(patient_id))
        .filter(appointments::status.eq("booked"))
        .order(appointments::starts_at)
        .select((appointments::id, appointments::episode_id, appointments::series_id))
        .load(&mut cal.app.conn())
        .unwrap()
}

#[tokio::test]
async fn a_series_of_twelve_is_booked_in_one_request_with_one_email_and_a_retry_gets_the_same() {
    let cal = calendar("America/Chicago", 1).await;
    let (patient_id, _, episode) = opened(&cal, 1, 0, json!({})).await;
    let id = episode["id"].as_str().unwrap();
    let monday = next_monday(&cal);
    let body = twice_a_week(&cal, monday, 12);
    let first = post_series(&cal, id, &body, Some("series-1")).await;
    assert_eq!(first.status(), 201);
    let booked: Value = first.json().await.unwrap();
    let visits = booked["visits"].as_array().unwrap();
    assert_eq!(visits.len(), 12);
    assert_eq!(visits[0]["local_start"], format!("{monday}T09:00:00"));
    assert_eq!(visits[1]["local_start"], format!("{}T14:00:00", monday + Duration::days(3)));
    assert_eq!(visits[11]["local_start"], format!("{}T14:00:00", monday + Duration::days(38)));
    assert!(visits.iter().all(|v| v["series_id"] == booked["series_id"] && v["episode_id"] == json!(id)));

    let again = post_series(&cal, id, &body, Some("series-1")).await;
    assert_eq!(again.status(), 201);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["series_id"], booked["series_id"], "the retry answers the same series");
    assert_eq!(visits_of(&cal, &patient_id).len(), 12, "and books nothing more");

    let emails: Vec<_> = cal
        .app
        .emails_to("patient1@example.org")
        .into_iter()
        .filter(|e| e.kind == "appointment_confirmation")
        .collect();
    assert_eq!(emails.len(), 1, "one confirmation for the series, not twelve");
    assert!(
        emails[0].text.contains("Your 12 visits (Follow-up visit)") && emails[0].text.contains("12. "),
        "{}",
        emails[0].text
    );
    let attachments: String = outbox::table
        .filter(outbox::kind.eq("appointment_confirmation"))
        .select(outbox::attachments.assume_not_null())
        .first(&mut cal.app.conn())
        .unwrap();
    let attachments: Value = serde_json::from_str(&attachments).unwrap();
    let ics =
        base64::engine::general_purpose::STANDARD.decode(attachments[0]["content_base64"].as_str().unwrap()).unwrap();
    let ics = String::from_utf8(ics).unwrap();
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 12, "one invitation holding every visit");
    assert_eq!(ics.matches("BEGIN:VCALENDAR").count(), 1);
    let reminders: i64 =
        outbox::table.filter(outbox::kind.eq("appointment_reminder")).count().get_result(&mut cal.app.conn()).unwrap();
    assert_eq!(reminders, 24, "each visit keeps its own two reminders");
}

#[tokio::test]
async fn one_taken_visit_books_none_and_the_answer_offers_the_nearest_free_starts() {
    let cal = calendar("America/Chicago", 1).await;
    let (patient_id, _, episode) = opened(&cal, 1, 0, json!({})).await;
    let (other, _) = cal.patient(2).await;
    let monday = next_monday(&cal);
    // Someone else already has the third visit's time (Monday a week on, 09:00).
    let taken = cal.on(monday + Duration::days(7), 9, 0);
    let visit = json!({"appointment_type": "follow_up", "start": rfc3339(taken), "patient_id": other,
        "clinician_id": cal.clinicians[0].0});
    cal.book_ok(&cal.desk, &visit).await;
    let refused = post_series(&cal, episode["id"].as_str().unwrap(), &twice_a_week(&cal, monday, 6), None).await;
    assert_eq!(refused.status(), 409);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["code"], "slot_taken");
    let conflicts = problem["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{problem}");
    assert_eq!(conflicts[0]["number"], 3);
    assert_eq!(conflicts[0]["reason"], "slot_taken");
    let nearest: Vec<chrono::DateTime<Utc>> = serde_json::from_value(conflicts[0]["alternatives"].clone()).unwrap();
    assert!(!nearest.is_empty() && !nearest.contains(&taken), "{nearest:?}");
    assert!(nearest.iter().all(|t| (*t - taken).num_hours().abs() <= 48));
    assert!(visits_of(&cal, &patient_id).is_empty(), "all or nothing");
    assert!(cal.app.emails_to("patient1@example.org").iter().all(|e| e.kind != "appointment_confirmation"));
}

/// The next Monday two weeks before the United States' spring change (the second Sunday of
/// March), at least a week ahead.
fn monday_before_spring_change(cal: &Calendar) -> NaiveDate {
    let mut year = today(cal).year();
    loop {
        let march = NaiveDate::from_ymd_opt(year, 3, 1).unwrap();
        let sundays: Vec<NaiveDate> = march.iter_days().filter(|d| d.weekday() == Weekday::Sun).take(2).collect();
        let monday = sundays[1] - Duration::days(13);
        if monday > today(cal) + Duration::days(7) {
            return monday;
        }
        year += 1;
    }
}

#[tokio::test]
async fn a_series_across_the_spring_change_keeps_its_local_time() {
    let cal = calendar("America/Chicago", 1).await;
    let (_, _, episode) = opened(&cal, 1, 0, json!({})).await;
    let monday = monday_before_spring_change(&cal);
    let body = json!({"appointment_type": "follow_up", "clinician_id": cal.clinicians[0].0, "first_date": monday,
        "weekly": [{"weekday": 1, "time": "09:00"}], "count": 4,
        "override_reason": "Booked ahead for a patient travelling in winter"});
    let booked = post_series(&cal, episode["id"].as_str().unwrap(), &body, None).await;
    assert_eq!(booked.status(), 201, "{:?}", booked.text().await);
    let booked: Value = booked.json().await.unwrap();
    let starts: Vec<chrono::DateTime<Utc>> = booked["visits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| serde_json::from_value(v["start"].clone()).unwrap())
        .collect();
    let hours: Vec<u32> = starts.iter().map(|s| s.hour()).collect();
    assert_eq!(hours, vec![15, 15, 14, 14], "09:00 in Chicago: CST, CST, then CDT");
    assert!(booked["visits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["local_start"].as_str().unwrap().ends_with("T09:00:00")));
}

#[tokio::test]
async fn a_series_asks_for_sane_weekdays_times_and_counts() {
    let cal = calendar("America/Chicago", 1).await;
    let (_, _, episode) = opened(&cal, 1, 0, json!({})).await;
    let id = episode["id"].as_str().unwrap();
    let mut body = twice_a_week(&cal, next_monday(&cal), 0);
    let problem =
        crate::helpers::assert_problem(post_series(&cal, id, &body, None).await, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "count");
    body["count"] = json!(4);
    body["weekly"] = json!([{"weekday": 9, "time": "09:00"}]);
    crate::helpers::assert_problem(post_series(&cal, id, &body, None).await, 422, "validation_failed").await;
    body["weekly"] = json!([{"weekday": 1, "time": "9 o'clock"}]);
    let problem =
        crate::helpers::assert_problem(post_series(&cal, id, &body, None).await, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "weekly[0].time");
    let patient = cal.patient(2).await.1;
    let own = cal.app.client.post(cal.app.url(&format!("/v1/episodes/{id}/series"))).bearer_auth(&patient).json(&body);
    crate::helpers::assert_problem(own.send().await.unwrap(), 403, "forbidden").await;
}

/// A booked visit count per series id (none when the series was refused).
fn series_sizes(cal: &Calendar) -> std::collections::BTreeMap<String, i64> {
    let rows: Vec<Option<String>> = appointments::table
        .filter(appointments::status.eq("booked"))
        .select(appointments::series_id)
        .load(&mut cal.app.conn())
        .unwrap();
    let mut sizes = std::collections::BTreeMap::new();
    for id in rows.into_iter().flatten() {
        *sizes.entry(id).or_insert(0) += 1;
    }
    sizes
}

#[tokio::test]
async fn series_race_single_bookings_and_each_other_across_three_serve_processes() {
    use crate::serve_process::ServeProcess;
    let cal = calendar("America/Chicago", 1).await;
    let (_, _, first) = opened(&cal, 1, 0, json!({})).await;
    let (_, _, second) = opened(&cal, 2, 0, json!({})).await;
    let (last_patient, _, scarce) = opened(&cal, 3, 0, json!({})).await;
    let scarce_id = scarce["id"].as_str().unwrap().to_string();
    let day = today(&cal);
    let one = json!({"payer": "Cigna", "reference": "C-1", "visits": 1, "valid_from": day, "valid_to": day + Duration::days(60)});
    assert_eq!(
        cal.app.post_as(&cal.desk, &format!("/v1/episodes/{scarce_id}/authorizations"), &one).await.status(),
        201
    );
    let singles = crate::booking_races::patients(&cal, 12).await;
    let secret = String::from_utf8(cal.app.state.config.jwt_secret.clone()).unwrap();
    let database = cal.app.state.config.database_url.clone();
    let mut servers = Vec::new();
    for _ in 0..3 {
        servers.push(ServeProcess::start(&database, &[("BACKTRACK_JWT_SECRET", &secret)]).await);
    }
    let monday = next_monday(&cal);
    let series = twice_a_week(&cal, monday, 12);
    let client = &cal.app.client;
    let post = |server: usize, path: String, body: Value| {
        client.post(servers[server].url(&path)).bearer_auth(&cal.desk).json(&body).send()
    };
    // Two series over the same twelve times, twelve single visits each on one of those times, and
    // the scarce episode's last authorized visit asked for twice: all at once, on three processes.
    let mut calls = vec![
        post(0, format!("/v1/episodes/{}/series", first["id"].as_str().unwrap()), series.clone()),
        post(1, format!("/v1/episodes/{}/series", second["id"].as_str().unwrap()), series.clone()),
    ];
    for (n, patient) in singles.iter().enumerate() {
        let week = (n / 2) as i64;
        let start = if n % 2 == 0 {
            cal.on(monday + Duration::weeks(week), 9, 0)
        } else {
            cal.on(monday + Duration::weeks(week) + Duration::days(3), 14, 0)
        };
        let body = json!({"appointment_type": "follow_up", "start": rfc3339(start), "patient_id": patient,
            "clinician_id": cal.clinicians[0].0});
        calls.push(post(n % 3, "/v1/appointments".into(), body));
    }
    for (n, hour) in [(0usize, 11u32), (1, 16)] {
        let body = json!({"appointment_type": "follow_up", "start": rfc3339(cal.on(monday + Duration::days(1), hour, 0)),
            "patient_id": last_patient, "clinician_id": cal.clinicians[0].0});
        calls.push(post(n + 1, "/v1/appointments".into(), body));
    }
    let answers = futures_util::future::join_all(calls).await;
    let statuses: Vec<u16> = answers.into_iter().map(|r| r.unwrap().status().as_u16()).collect();
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
    assert_eq!(crate::booking_races::overlaps(&cal.app), (0, 0), "nobody double-booked");
    let sizes = series_sizes(&cal);
    assert!(sizes.values().all(|n| *n == 12), "each series whole or not at all: {sizes:?}");
    assert!(sizes.len() <= 1, "the two series want the same times: {sizes:?}");
    let singles_booked = statuses[2..14].iter().filter(|s| **s == 201).count();
    assert_eq!(sizes.len() * 12 + singles_booked, 12, "each of the twelve times held once: {statuses:?}");
    let mut last: Vec<u16> = statuses[14..].to_vec();
    last.sort();
    assert_eq!(last, vec![201, 409], "the last authorized visit has one winner");
}

fn starts_of(cal: &Calendar, patient_id: &str) -> Vec<String> {
    let rows: Vec<chrono::NaiveDateTime> = appointments::table
        .filter(appointments::patient_id.eq(patient_id))
        .filter(appointments::status.eq("booked"))
        .order(appointments::starts_at)
        .select(appointments::starts_at)
        .load(&mut cal.app.conn())
        .unwrap();
    rows.into_iter().map(|t| t.and_utc().with_timezone(&cal.zone).format("%a %H:%M").to_string()).collect()
}

#[tokio::test]
async fn this_visit_and_all_following_move_together_or_are_cancelled_together() {
    let cal = calendar("America/Chicago", 1).await;
    let (patient_id, _, episode) = opened(&cal, 1, 0, json!({})).await;
    let monday = next_monday(&cal);
    let booked = post_series(&cal, episode["id"].as_str().unwrap(), &twice_a_week(&cal, monday, 6), None).await;
    assert_eq!(booked.status(), 201);
    let booked: Value = booked.json().await.unwrap();
    let ids: Vec<String> =
        booked["visits"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(
        starts_of(&cal, &patient_id),
        ["Mon 09:00", "Thu 14:00", "Mon 09:00", "Thu 14:00", "Mon 09:00", "Thu 14:00"]
    );

    // A day later and an hour later, from the second visit on: every later visit shifts alike.
    let moved_to = cal.on(monday + Duration::days(4), 15, 0);
    let body = json!({"start": rfc3339(moved_to), "scope": "following"});
    let moved = cal.app.post_as(&cal.desk, &format!("/v1/appointments/{}/reschedule", ids[1]), &body).await;
    assert_eq!(moved.status(), 200, "{:?}", moved.text().await);
    assert_eq!(
        starts_of(&cal, &patient_id),
        ["Mon 09:00", "Fri 15:00", "Tue 10:00", "Fri 15:00", "Tue 10:00", "Fri 15:00"]
    );
    // Only this one.
    let body = json!({"start": rfc3339(cal.on(monday + Duration::days(7), 11, 0)), "scope": "this"});
    assert_eq!(
        cal.app.post_as(&cal.desk, &format!("/v1/appointments/{}/reschedule", ids[2]), &body).await.status(),
        200
    );
    assert_eq!(
        starts_of(&cal, &patient_id),
        ["Mon 09:00", "Fri 15:00", "Mon 11:00", "Fri 15:00", "Tue 10:00", "Fri 15:00"]
    );

    // Following moves are all or nothing: a time taken for one of them moves none.
    let (other, _) = cal.patient(2).await;
    let blocker = json!({"appointment_type": "follow_up", "start": rfc3339(cal.on(monday + Duration::days(15), 11, 0)),
        "patient_id": other, "clinician_id": cal.clinicians[0].0});
    cal.book_ok(&cal.desk, &blocker).await;
    let body = json!({"start": rfc3339(cal.on(monday + Duration::days(11), 16, 0)), "scope": "following"});
    let refused = cal.app.post_as(&cal.desk, &format!("/v1/appointments/{}/reschedule", ids[3]), &body).await;
    crate::helpers::assert_problem(refused, 409, "slot_taken").await;
    assert_eq!(
        starts_of(&cal, &patient_id),
        ["Mon 09:00", "Fri 15:00", "Mon 11:00", "Fri 15:00", "Tue 10:00", "Fri 15:00"]
    );

    let cancel = json!({"reason": "Surgery scheduled", "scope": "following"});
    assert_eq!(cal.app.post_as(&cal.desk, &format!("/v1/appointments/{}/cancel", ids[3]), &cancel).await.status(), 200);
    assert_eq!(starts_of(&cal, &patient_id), ["Mon 09:00", "Fri 15:00", "Mon 11:00"]);
    let bad = json!({"reason": "x", "scope": "everything"});
    let bad = cal.app.post_as(&cal.desk, &format!("/v1/appointments/{}/cancel", ids[0]), &bad).await;
    crate::helpers::assert_problem(bad, 422, "validation_failed").await;
}
