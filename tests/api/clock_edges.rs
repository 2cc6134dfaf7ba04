//! Calendar edges around clock changes, in the zones the outside DST probe named: reminder words
//! read from the instant a reminder goes out, hours that end at a midnight which happens twice,
//! times in a repeated hour that carry their UTC offset, and dates past the zone data refused.
//! Dates come from the zone data (the next changes after today), since booking refuses the past.

use backtrack::db::schema::notification_outbox as outbox;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::calendar_fixture::{calendar, set_hours, Calendar};
use crate::helpers::assert_problem;
use crate::zone_changes::{next_fall_back, next_spring_forward, soon, wall, z};

async fn open_type(cal: &Calendar, code: &str) {
    let response = cal
        .app
        .patch_as(
            &cal.admin,
            &format!("/v1/appointment-types/{code}"),
            &json!({"patient_bookable": true, "horizon_days": 730}),
        )
        .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
}

/// The subject of the appointment's reminder `minutes` before.
fn reminder_subject(cal: &Calendar, appointment_id: &str, minutes: i64) -> String {
    outbox::table
        .filter(outbox::dedupe_key.like(format!("appointment:{appointment_id}:reminder:{minutes}:%")))
        .select(outbox::subject)
        .first(&mut cal.app.conn())
        .unwrap_or_else(|e| panic!("no {minutes}-minute reminder for {appointment_id}: {e}"))
}

fn email_text(cal: &Calendar, appointment_id: &str, kind: &str) -> String {
    outbox::table
        .filter(outbox::dedupe_key.like(format!("appointment:{appointment_id}:%")))
        .filter(outbox::kind.eq(kind))
        .select(outbox::body_text)
        .first(&mut cal.app.conn())
        .unwrap()
}

/// The first instant of `hh:mm` on `date` in the clinic's zone.
fn first(cal: &Calendar, date: NaiveDate, hh: u32, mm: u32) -> chrono::DateTime<Utc> {
    cal.zone.from_local_datetime(&wall(date, hh, mm)).earliest().unwrap().with_timezone(&Utc)
}

#[tokio::test]
async fn one_day_reminders_say_tomorrow_around_the_next_changes_in_every_named_zone() {
    let zones = [
        "Europe/Dublin",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "America/St_Johns",
        "Asia/Gaza",
        "America/Santiago",
        "Africa/Cairo",
    ];
    for name in zones {
        let cal = calendar(name, 1).await;
        set_hours(&cal.app, &cal.admin, &cal.clinicians[0].0, "00:00", "24:00").await;
        open_type(&cal, "dry_needling").await;
        let spring = next_spring_forward(cal.zone, soon());
        let fall = next_fall_back(cal.zone, soon());
        // Just after midnight the day after a spring-forward (that day before is short), late
        // in the evening on and after a fall-back day (that day before is long).
        let after_spring = spring.local_date().succ_opt().unwrap();
        let visits =
            [(after_spring, 0, 0), (fall.local_date(), 23, 45), (fall.local_date().succ_opt().unwrap(), 23, 45)];
        for (n, (date, hh, mm)) in visits.into_iter().enumerate() {
            let (_, patient) = cal.patient(n).await;
            let start = first(&cal, date, hh, mm);
            let body = json!({"appointment_type": "dry_needling", "start": z(start.naive_utc())});
            let id = cal.book_ok(&patient, &body).await["id"].as_str().unwrap().to_string();
            let subject = reminder_subject(&cal, &id, 1440);
            let words = format!("your appointment tomorrow at {hh:02}:{mm:02}");
            assert!(subject.contains(&words), "{name}, a visit on {date} at {hh:02}:{mm:02}: {subject:?}");
            // The two-hour reminder counts real time, whatever the clocks did.
            assert!(reminder_subject(&cal, &id, 120).ends_with("your appointment in 2 hours"), "{name}");
        }
    }
}

#[tokio::test]
async fn a_ninety_minute_reminder_says_an_hour_and_a_half() {
    let cal = calendar("Europe/Dublin", 1).await;
    let settings = json!({
        "name": "Lakeside Physical Therapy",
        "address": "12 Lake St, Springfield",
        "phone": "+1 312 555 0100",
        "time_zone": "Europe/Dublin",
        "slot_granularity_minutes": 15,
        "reminder_offsets_minutes": [90, 45, 10_080],
        "waitlist_offer_minutes": 120
    });
    let response =
        cal.app.client.put(cal.app.url("/v1/clinic")).bearer_auth(&cal.admin).json(&settings).send().await.unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    open_type(&cal, "dry_needling").await;
    let (_, patient) = cal.patient(1).await;
    let start = cal.at(10, 11, 0);
    let id = cal
        .book_ok(
            &patient,
            &json!({"appointment_type": "dry_needling", "start": crate::calendar_fixture::rfc3339(start)}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reminder_subject(&cal, &id, 90).ends_with("your appointment in 1 hour and 30 minutes"));
    assert!(reminder_subject(&cal, &id, 45).ends_with("your appointment in 45 minutes"));
    let day = start.with_timezone(&cal.zone).format("%A %-d %B").to_string();
    assert!(reminder_subject(&cal, &id, 10_080).ends_with(&format!("your appointment on {day} at 11:00")));
}

/// A clinician's working periods on the day sheet for `date`.
async fn working_on(cal: &Calendar, date: NaiveDate) -> Value {
    let response = cal.app.get_as(&cal.desk, &format!("/v1/schedule?date={date}")).await;
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()["clinicians"][0]["working"].clone()
}

#[tokio::test]
async fn hours_to_24_00_end_at_the_first_of_a_repeated_midnight() {
    for name in ["Atlantic/Azores", "America/Havana"] {
        let cal = calendar(name, 1).await;
        open_type(&cal, "dry_needling").await;
        // Both zones fall back from 01:00 to 00:00, so the Sunday's midnight happens twice.
        let change = next_fall_back(cal.zone, soon());
        let sunday = change.local_date();
        let repeated = cal.zone.from_local_datetime(&wall(sunday, 0, 0));
        assert!(matches!(repeated, chrono::LocalResult::Ambiguous(..)), "{name}: {sunday} 00:00 happens twice");
        let saturday = sunday.pred_opt().unwrap();
        let weekday = chrono::Datelike::weekday(&saturday).number_from_monday();
        let clinician = &cal.clinicians[0].0;
        let response = cal
            .app
            .client
            .put(cal.app.url(&format!("/v1/clinicians/{clinician}/availability")))
            .bearer_auth(&cal.admin)
            .json(&json!({"rules": [{"weekday": weekday, "start": "22:00", "end": "24:00"}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let midnight = change.utc_before(wall(sunday, 0, 0));
        let (_, patient) = cal.patient(1).await;
        let query = format!(
            "appointment_type=dry_needling&from={}&to={}",
            z(midnight - Duration::hours(4)),
            z(midnight + Duration::hours(4))
        );
        let free = cal.availability(&patient, &query).await;
        let slots = free["clinicians"][0]["slots"].as_array().unwrap();
        let locals: Vec<&str> = slots.iter().map(|s| s["local_start"].as_str().unwrap()).collect();
        let expected: Vec<String> = ["22:00", "22:15", "22:30", "22:45", "23:00", "23:15", "23:30"]
            .iter()
            .map(|t| format!("{}T{t}:00", saturday.format("%Y-%m-%d")))
            .collect();
        assert_eq!(locals, expected, "{name}: nothing on Sunday, nothing ending past Saturday's 24:00");

        assert_eq!(working_on(&cal, sunday).await, json!([]), "{name}: no work on Sunday");
        let working = working_on(&cal, saturday).await;
        assert_eq!(working.as_array().unwrap().len(), 1, "{working}");
        assert_eq!(working[0]["local_start"], format!("{}T22:00:00", saturday.format("%Y-%m-%d")));
        assert_eq!(working[0]["local_end"], format!("{}T00:00:00", sunday.format("%Y-%m-%d")));
        assert_eq!(working[0]["end"], z(midnight), "{name}: the first midnight");
    }
}

#[tokio::test]
async fn a_visit_in_lord_howes_repeated_half_hour_shows_its_offsets() {
    let cal = calendar("Australia/Lord_Howe", 1).await;
    set_hours(&cal.app, &cal.admin, &cal.clinicians[0].0, "00:00", "04:00").await;
    open_type(&cal, "dry_needling").await;
    // 02:00 (UTC+11) becomes 01:30 (UTC+10:30): 01:30–02:00 happens twice.
    let change = next_fall_back(cal.zone, soon());
    let day = change.local_date();
    let start = change.utc_before(wall(day, 1, 45));
    let (_, patient) = cal.patient(1).await;
    let id = cal.book_ok(&patient, &json!({"appointment_type": "dry_needling", "start": z(start)})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let when = format!("{}, 01:45 UTC+11:00 – 01:45 UTC+10:30 (Australia/Lord_Howe)", day.format("%A %-d %B %Y"));
    let confirmation = email_text(&cal, &id, "appointment_confirmation");
    assert!(confirmation.contains(&when), "{confirmation}");
    assert!(email_text(&cal, &id, "appointment_reminder").contains(&when));

    let response = cal.app.get_as(&cal.desk, &format!("/v1/schedule?date={day}")).await;
    assert_eq!(response.status(), 200);
    let sheet: Value = response.json().await.unwrap();
    let booked = &sheet["clinicians"][0]["appointments"][0];
    assert_eq!(
        (&booked["local_start"], &booked["local_start_offset"], &booked["local_end"], &booked["local_end_offset"]),
        (&json!(format!("{day}T01:45:00")), &json!("+11:00"), &json!(format!("{day}T01:45:00")), &json!("+10:30"))
    );
    // Free time resumes at the second 01:55 (after the 10-minute buffer), marked as such.
    let free = sheet["clinicians"][0]["free"].as_array().unwrap();
    let after = free.iter().find(|p| p["local_start"] == format!("{day}T01:55:00")).expect("free after the visit");
    assert_eq!(after["local_start_offset"], "+10:30", "{after}");
    assert_eq!(free[0]["local_start_offset"], "+11:00");
}

#[tokio::test]
async fn dates_past_the_zone_data_are_refused_everywhere_the_calendar_takes_one() {
    let cal = calendar("Europe/Dublin", 1).await;
    let (_, patient) = cal.patient(1).await;
    let problem = assert_problem(
        cal.book(&patient, &json!({"appointment_type": "comprehensive_evaluation", "start": "2100-03-01T10:00:00Z"}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        (problem["errors"][0]["field"].as_str(), problem["errors"][0]["code"].as_str()),
        (Some("start"), Some("out_of_range"))
    );
    let query =
        "/v1/availability?appointment_type=comprehensive_evaluation&from=2150-06-01T00:00:00Z&to=2150-06-02T00:00:00Z";
    assert_problem(cal.app.get_as(&patient, query).await, 422, "validation_failed").await;
    assert_problem(cal.app.get_as(&cal.desk, "/v1/schedule?date=2100-01-01").await, 422, "validation_failed").await;
    let ok = cal.app.get_as(&cal.desk, "/v1/schedule?date=2099-12-31").await;
    assert_eq!(ok.status(), 200, "the last covered day is taken");
    let clinician = &cal.clinicians[0].0;
    let rules = json!({"rules": [{"weekday": 1, "start": "09:00", "end": "17:00", "valid_until": "2100-01-01"}]});
    let response = cal
        .app
        .client
        .put(cal.app.url(&format!("/v1/clinicians/{clinician}/availability")))
        .bearer_auth(&cal.admin)
        .json(&rules)
        .send()
        .await
        .unwrap();
    assert_problem(response, 422, "validation_failed").await;
    let exception = json!({"kind": "time_off", "starts_at": "2099-12-31T09:00:00Z", "ends_at": "2100-01-01T09:00:00Z"});
    let response = cal.app.post_as(&cal.admin, &format!("/v1/clinicians/{clinician}/exceptions"), &exception).await;
    assert_problem(response, 422, "validation_failed").await;
    // The document says the same: every date and instant pattern stops at 2099.
    let document = std::fs::read_to_string("openapi/openapi.json").unwrap();
    assert!(!document.contains("^2[01][0-9]{2}-"), "a pattern still admits the 2100s");
    assert!(document.contains("^20[0-9]{2}-"));
}
