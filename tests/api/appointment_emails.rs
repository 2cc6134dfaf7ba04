//! What an appointment sends: a confirmation with its calendar invitation, reminders that
//! follow it when it moves and vanish when it is cancelled, and the daylight-saving cases.

use backtrack::db::schema::notification_outbox as outbox;
use base64::Engine;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::calendar_fixture::{calendar, rfc3339, Calendar};
use crate::helpers::{eventually, worker_settings, TestApp};
use crate::smtp_sink::SmtpSink;
use crate::zone_changes::{next_fall_back, next_spring_forward, soon, wall, z};

#[derive(Debug, Queryable)]
struct Row {
    id: String,
    kind: String,
    dedupe_key: String,
    status: String,
    due_at: NaiveDateTime,
    expires_at: Option<NaiveDateTime>,
    attachments: Option<String>,
}

fn rows_for(app: &TestApp, appointment_id: &str) -> Vec<Row> {
    outbox::table
        .filter(outbox::dedupe_key.like(format!("appointment:{appointment_id}:%")))
        .order(outbox::id.asc())
        .select((
            outbox::id,
            outbox::kind,
            outbox::dedupe_key,
            outbox::status,
            outbox::due_at,
            outbox::expires_at,
            outbox::attachments,
        ))
        .load(&mut app.conn())
        .unwrap()
}

fn invitation(row: &Row) -> String {
    let attachments: Value = serde_json::from_str(row.attachments.as_deref().expect("an attachment")).unwrap();
    assert_eq!(attachments[0]["filename"], "appointment.ics");
    let bytes =
        base64::engine::general_purpose::STANDARD.decode(attachments[0]["content_base64"].as_str().unwrap()).unwrap();
    String::from_utf8(bytes).unwrap()
}

async fn book(cal: &Calendar, token: &str, days: i64, hour: u32) -> String {
    let body = json!({"appointment_type": "comprehensive_evaluation", "start": rfc3339(cal.at(days, hour, 0))});
    cal.book_ok(token, &body).await["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn booking_moving_and_cancelling_keep_invitation_and_reminders_in_step() {
    let cal = calendar("America/Chicago", 1).await;
    let (_, patient) = cal.patient(1).await;
    let id = book(&cal, &patient, 4, 10).await;
    let start = cal.at(4, 10, 0).naive_utc();

    let rows = rows_for(&cal.app, &id);
    let kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["appointment_confirmation", "appointment_reminder", "appointment_reminder"]);
    let ics = invitation(&rows[0]);
    assert!(ics.contains("METHOD:REQUEST") && ics.contains("SEQUENCE:0"), "{ics}");
    assert!(ics.contains(&format!("UID:{id}@clinic.example")));
    let reminders: Vec<&Row> = rows.iter().filter(|r| r.kind == "appointment_reminder").collect();
    assert_eq!(
        reminders[0].due_at,
        cal.at(3, 10, 0).naive_utc(),
        "the day before, same local time (25 or 23 hours across a clock change)"
    );
    assert_eq!(reminders[1].due_at, start - chrono::Duration::hours(2));
    assert!(reminders.iter().all(|r| r.expires_at == Some(start)), "a reminder is useless after the start");

    // Moving: the old reminders are cancelled, new ones follow, the invitation's SEQUENCE goes up.
    let moved = cal
        .app
        .post_as(&patient, &format!("/v1/appointments/{id}/reschedule"), &json!({"start": rfc3339(cal.at(5, 11, 0))}))
        .await;
    assert_eq!(moved.status(), 200);
    let moved: Value = moved.json().await.unwrap();
    assert_eq!(moved["sequence"], 1);
    let rows = rows_for(&cal.app, &id);
    let old: Vec<&Row> =
        rows.iter().filter(|r| r.dedupe_key.ends_with(":0") && r.kind == "appointment_reminder").collect();
    assert!(old.iter().all(|r| r.status == "cancelled"), "{old:?}");
    let new: Vec<&Row> =
        rows.iter().filter(|r| r.dedupe_key.ends_with(":1") && r.kind == "appointment_reminder").collect();
    assert_eq!(new.len(), 2);
    assert!(new.iter().all(|r| r.status == "pending" && r.expires_at == Some(cal.at(5, 11, 0).naive_utc())));
    let second = rows.iter().find(|r| r.dedupe_key.ends_with("confirmation:1")).expect("a new confirmation");
    assert!(invitation(second).contains("SEQUENCE:1"));

    // Cancelling: every reminder is withdrawn, and the invitation is cancelled under the same UID.
    let cancelled =
        cal.app.post_as(&patient, &format!("/v1/appointments/{id}/cancel"), &json!({"reason": "feeling better"})).await;
    assert_eq!(cancelled.status(), 200);
    let rows = rows_for(&cal.app, &id);
    assert!(rows.iter().filter(|r| r.kind == "appointment_reminder").all(|r| r.status == "cancelled"));
    let notice = rows.iter().find(|r| r.kind == "appointment_cancellation").expect("a cancellation email");
    let ics = invitation(notice);
    assert!(
        ics.contains("METHOD:CANCEL")
            && ics.contains("STATUS:CANCELLED")
            && ics.contains(&format!("UID:{id}@clinic.example"))
    );
}

#[tokio::test]
async fn reminders_of_moved_or_cancelled_appointments_never_reach_the_patient() {
    let cal = calendar("America/Chicago", 1).await;
    let (_, patient) = cal.patient(1).await;
    let moved = book(&cal, &patient, 4, 9).await;
    let cancelled = book(&cal, &patient, 4, 13).await;
    cal.app
        .post_as(&patient, &format!("/v1/appointments/{moved}/reschedule"), &json!({"start": rfc3339(cal.at(6, 9, 0))}))
        .await;
    cal.app.post_as(&patient, &format!("/v1/appointments/{cancelled}/cancel"), &json!({})).await;
    // Make every reminder due now, withdrawn ones included, and let a worker loose on the outbox.
    let now = backtrack::db::now();
    diesel::update(outbox::table.filter(outbox::kind.eq("appointment_reminder")))
        .set((outbox::due_at.eq(now), outbox::next_attempt_at.eq(now)))
        .execute(&mut cal.app.conn())
        .unwrap();
    let live: Vec<String> = rows_for(&cal.app, &moved)
        .into_iter()
        .filter(|r| r.kind == "appointment_reminder" && r.status == "pending")
        .map(|r| r.id)
        .collect();
    assert_eq!(live.len(), 2);
    let sink = SmtpSink::start();
    let worker = cal.app.start_worker(sink.port, worker_settings(2, 60));
    cal.app.wait_for_status(&live, "sent", 60).await;
    let everything: Vec<String> = outbox::table.select(outbox::id).load(&mut cal.app.conn()).unwrap();
    let settled = || {
        let statuses = cal.app.statuses();
        everything.iter().all(|id| statuses[id] != "pending" && statuses[id] != "leased")
    };
    eventually(60, "the outbox settles", settled).await;
    worker.stop().await;

    let withdrawn: Vec<String> = [&moved, &cancelled]
        .iter()
        .flat_map(|id| rows_for(&cal.app, id))
        .filter(|r| r.kind == "appointment_reminder" && r.status == "cancelled")
        .map(|r| format!("<{}@clinic.example>", r.id))
        .collect();
    assert_eq!(withdrawn.len(), 4, "two for the old time, two for the cancelled visit");
    let arrived: Vec<String> = sink.received().iter().filter_map(|m| m.message_id()).collect();
    for id in &live {
        assert!(arrived.contains(&format!("<{id}@clinic.example>")), "the reminder for the new time arrived");
    }
    for id in &withdrawn {
        assert!(!arrived.contains(id), "a withdrawn reminder was delivered");
    }
}

async fn extend_horizon(cal: &Calendar) {
    let response = cal
        .app
        .patch_as(&cal.admin, "/v1/appointment-types/comprehensive_evaluation", &json!({"horizon_days": 730}))
        .await;
    assert_eq!(response.status(), 200);
}

fn first_local_starts(availability: &Value) -> Vec<(String, String)> {
    let mut firsts: Vec<(String, String)> = Vec::new();
    for slot in availability["clinicians"][0]["slots"].as_array().unwrap() {
        let local = slot["local_start"].as_str().unwrap().to_string();
        if !firsts.iter().any(|(l, _)| l[..10] == local[..10]) {
            firsts.push((local, slot["start"].as_str().unwrap().to_string()));
        }
    }
    firsts
}

#[tokio::test]
async fn chicago_spring_forward_keeps_nine_o_clock_for_slots_and_reminders() {
    let cal = calendar("America/Chicago", 1).await;
    extend_horizon(&cal).await;
    let (_, patient) = cal.patient(1).await;
    let change = next_spring_forward(chrono_tz::America::Chicago, soon());
    let day = change.local_date();
    let (eve, next) = (day.pred_opt().unwrap(), day.succ_opt().unwrap());
    let query = format!(
        "appointment_type=comprehensive_evaluation&from={}&to={}",
        z(change.utc_before(wall(eve, 0, 0))),
        z(change.utc_after(wall(next.succ_opt().unwrap(), 0, 0)))
    );
    let firsts = first_local_starts(&cal.availability(&patient, &query).await);
    let local = |d: NaiveDate| format!("{}T09:00:00", d.format("%Y-%m-%d"));
    assert_eq!(
        firsts,
        [
            (local(eve), z(change.utc_before(wall(eve, 9, 0)))),
            (local(day), z(change.utc_after(wall(day, 9, 0)))),
            (local(next), z(change.utc_after(wall(next, 9, 0)))),
        ],
        "09:00 local every day: an hour earlier in UTC from the change on"
    );
    let start = change.utc_after(wall(day, 9, 0));
    let id = cal.book_ok(&patient, &json!({"appointment_type": "comprehensive_evaluation", "start": z(start)})).await
        ["id"]
        .as_str()
        .unwrap()
        .to_string();
    let dues: Vec<NaiveDateTime> =
        rows_for(&cal.app, &id).into_iter().filter(|r| r.kind == "appointment_reminder").map(|r| r.due_at).collect();
    assert_eq!(
        dues,
        [change.utc_before(wall(eve, 9, 0)), start - chrono::Duration::hours(2)],
        "09:00 standard time the day before; 07:00 daylight time on the day"
    );
}

#[tokio::test]
async fn chicago_fall_back_offers_the_repeated_hour_once_and_skips_nothing_else() {
    let cal = calendar("America/Chicago", 1).await;
    extend_horizon(&cal).await;
    crate::calendar_fixture::set_hours(&cal.app, &cal.admin, &cal.clinicians[0].0, "00:00", "04:00").await;
    let (_, patient) = cal.patient(1).await;
    // 02:00 daylight time becomes 01:00 standard time, so 01:00–02:00 happens twice.
    let change = next_fall_back(chrono_tz::America::Chicago, soon());
    let midnight = change.utc_before(wall(change.local_date(), 0, 0));
    let query =
        format!("appointment_type=dry_needling&from={}&to={}", z(midnight), z(midnight + chrono::Duration::hours(6)));
    let response = cal
        .app
        .patch_as(
            &cal.admin,
            "/v1/appointment-types/dry_needling",
            &json!({"patient_bookable": true, "horizon_days": 730}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let free = cal.availability(&patient, &query).await;
    let locals: Vec<&str> = free["clinicians"][0]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["local_start"].as_str().unwrap()[11..16])
        .collect();
    assert_eq!(locals.iter().filter(|l| **l == "01:15").count(), 1, "{locals:?}");
    assert_eq!(locals.first(), Some(&"00:00"));
    // 30-minute visits plus 10 minutes after, every 15 minutes, in five real hours.
    assert_eq!(locals.last(), Some(&"03:30"));
}

#[tokio::test]
async fn london_change_days_keep_local_times() {
    let cal = calendar("Europe/London", 1).await;
    extend_horizon(&cal).await;
    let (_, patient) = cal.patient(1).await;
    let spring = next_spring_forward(chrono_tz::Europe::London, soon());
    let fall = next_fall_back(chrono_tz::Europe::London, soon());
    for change in [spring, fall] {
        let day = change.local_date();
        let query = format!("from={}&to={}", z(wall(day, 0, 0)), z(wall(day.succ_opt().unwrap(), 0, 0)));
        let free = cal.availability(&patient, &format!("appointment_type=comprehensive_evaluation&{query}")).await;
        let firsts = first_local_starts(&free);
        let expected = (format!("{}T09:00:00", day.format("%Y-%m-%d")), z(change.utc_after(wall(day, 9, 0))));
        assert_eq!(firsts[0], expected, "{query}");
    }
    let day = spring.local_date();
    let start = spring.utc_after(wall(day, 9, 0));
    let id = cal.book_ok(&patient, &json!({"appointment_type": "comprehensive_evaluation", "start": z(start)})).await
        ["id"]
        .as_str()
        .unwrap()
        .to_string();
    let dues: Vec<NaiveDateTime> =
        rows_for(&cal.app, &id).into_iter().filter(|r| r.kind == "appointment_reminder").map(|r| r.due_at).collect();
    let eve = day.pred_opt().unwrap();
    assert_eq!(
        dues,
        [spring.utc_before(wall(eve, 9, 0)), start - chrono::Duration::hours(2)],
        "09:00 GMT the day before; 07:00 BST on the day"
    );
}
