//! The console's clinic screens as a browser posts them, each checked against what the JSON API
//! then answers: time off in whole local days, the waitlist and its removal, the outbox and a
//! retry, the evaluation form stored exactly as `PUT …/evaluation` stores it (with each field's
//! message next to it), and a patient's clinical record with the scores' MCID verdicts, emergency
//! access by reason, and the desk kept out.

use backtrack::db::schema::{audit_log, notification_outbox as outbox};
use chrono::{Duration, TimeZone, Utc};
use diesel::prelude::*;
use serde_json::Value;

use crate::authorization::{fixture, Fixture};
use crate::console_authorization::{evaluation_form, exercise_form, type_form};
use crate::console_staff::{Console, Page};

fn borrow(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn api(fx: &Fixture, role: usize, path: &str) -> Value {
    let token = fx.tokens[role].as_deref().unwrap();
    let response = fx.cal.app.get_as(token, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// The service's message shown next to `field` (the paragraph the form gives it).
fn message_for(page: &Page, field: &str) -> Option<String> {
    let marker = format!("id=\"{field}-error\">");
    let at = page.body.find(&marker)? + marker.len();
    Some(page.body[at..at + page.body[at..].find('<')?].to_string())
}

#[tokio::test]
async fn time_off_added_at_the_console_is_whole_local_days_and_removing_it_gives_the_time_back() {
    let fx = fixture().await;
    let clinician = Console::sign_in(&fx.cal.app, "pt0@clinic.example").await;
    let day = fx.today() + Duration::days(9);
    let added = clinician
        .post("/console/hours/exceptions", &[("kind", "time_off"), ("from_date", &day.to_string()), ("note", "Course")])
        .await;
    assert_eq!(added.status, 303, "{}", added.body);

    let hours = api(&fx, 4, &format!("/v1/clinicians/{}/availability", fx.clinician)).await;
    let course: Vec<&Value> =
        hours["exceptions"].as_array().unwrap().iter().filter(|e| e["note"] == "Course").collect();
    assert_eq!(course.len(), 1, "{hours}");
    let midnight = |d: chrono::NaiveDate| {
        fx.cal.zone.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap()).earliest().unwrap().with_timezone(&Utc)
    };
    let starts: chrono::DateTime<Utc> = course[0]["starts_at"].as_str().unwrap().parse().unwrap();
    let ends: chrono::DateTime<Utc> = course[0]["ends_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        (starts, ends),
        (midnight(day), midnight(day + Duration::days(1))),
        "the whole day in the clinic's zone"
    );
    let page = clinician.get("/console/hours").await;
    assert!(page.body.contains("Course") && page.body.contains("Time off"), "the hours page lists it");

    let backwards = clinician
        .post(
            "/console/hours/exceptions",
            &[("kind", "extra_hours"), ("from_date", &day.to_string()), ("from_time", "18:00"), ("to_time", "17:00")],
        )
        .await;
    assert_eq!(backwards.status, 422);
    assert!(backwards.body.contains("the end is after the start"), "{}", backwards.body);

    let id = course[0]["id"].as_str().unwrap();
    let removed =
        clinician.post(&format!("/console/hours/exceptions/{id}/remove?clinician_id={}", fx.clinician), &[]).await;
    assert_eq!(removed.status, 303);
    let hours = api(&fx, 4, &format!("/v1/clinicians/{}/availability", fx.clinician)).await;
    assert!(!hours["exceptions"].as_array().unwrap().iter().any(|e| e["note"] == "Course"), "{hours}");
}

#[tokio::test]
async fn the_desk_puts_a_patient_on_the_waitlist_sees_them_there_and_takes_them_off() {
    let fx = fixture().await;
    let desk = Console::sign_in(&fx.cal.app, "desk@clinic.example").await;
    let form = desk.get(&format!("/console/waitlist?patient_id={}", fx.patient_a)).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Nobody is waiting"), "an empty list says what to do");
    let from = (fx.today() + Duration::days(3)).to_string();
    let to = (fx.today() + Duration::days(30)).to_string();
    let fields = [
        ("patient_id", fx.patient_a.as_str()),
        ("appointment_type", "follow_up"),
        ("clinician_id", fx.clinician.as_str()),
        ("from_date", from.as_str()),
        ("to_date", to.as_str()),
        ("day_2", "1"),
        ("day_4", "1"),
        ("earliest", "08:30"),
    ];
    let added = desk.post("/console/waitlist", &fields).await;
    assert_eq!(added.status, 303, "{}", added.body);

    let listed = api(&fx, 3, "/v1/waitlist").await;
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{listed}");
    assert_eq!(items[0]["weekdays"], serde_json::json!([2, 4]));
    assert_eq!(items[0]["earliest"], "08:30");
    assert_eq!(items[0]["clinician_id"], fx.clinician.as_str());
    let board = desk.get("/console/waitlist").await;
    assert!(board.body.contains("Tue, Thu, from 08:30"), "the board says when it suits");

    let mut backwards = fields.to_vec();
    backwards.retain(|(k, _)| *k != "to_date");
    backwards.push(("to_date", "2020-01-01"));
    let refused = desk.post("/console/waitlist", &backwards).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("to_date is on or after from_date"), "{}", refused.body);

    let id = items[0]["id"].as_str().unwrap();
    let removed = desk.post(&format!("/console/waitlist/{id}/remove"), &[]).await;
    assert_eq!(removed.status, 303);
    assert!(api(&fx, 3, "/v1/waitlist").await["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn an_admin_sees_the_outbox_by_state_and_retries_a_failed_email() {
    let fx = fixture().await;
    let admin = Console::sign_in(&fx.cal.app, "admin@clinic.example").await;
    let failed = fx.failed_delivery();
    let page = admin.get("/console/deliveries?status=failed").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&format!("/console/deliveries/{failed}/retry")), "a failed email offers a retry");
    assert!(page.body.contains("Failed (1)"), "the counts by state");
    let bad = admin.get("/console/deliveries?status=lost").await;
    assert_eq!(bad.status, 422, "an unknown state is refused, not a 500");

    let retried = admin.post(&format!("/console/deliveries/{failed}/retry"), &[]).await;
    assert_eq!(retried.status, 303);
    let (status, attempts): (String, i32) =
        outbox::table.find(&failed).select((outbox::status, outbox::attempts)).first(&mut fx.cal.app.conn()).unwrap();
    assert_eq!((status.as_str(), attempts), ("pending", 0));
    let again = admin.post(&format!("/console/deliveries/{failed}/retry"), &[]).await;
    assert_eq!(again.status, 409, "only a failed email is retried");
    assert!(again.body.contains("only a failed delivery can be retried"));
}

#[tokio::test]
async fn a_clinician_records_an_evaluation_at_the_console_as_the_api_stores_it() {
    let fx = fixture().await;
    let clinician = Console::sign_in(&fx.cal.app, "pt0@clinic.example").await;
    let path = format!("/console/appointments/{}/evaluation", fx.appointment);
    let saved = clinician.post(&path, &borrow(&evaluation_form(&[]))).await;
    assert_eq!(saved.status, 303, "{}", saved.body);

    let stored = api(&fx, 4, &format!("/v1/appointments/{}/evaluation", fx.appointment)).await;
    assert_eq!(stored["start_back"]["total"], 2);
    assert_eq!(stored["start_back"]["risk"], "low");
    assert_eq!(stored["baseline_nrs"], 6);
    assert_eq!(stored["baseline_odi"]["percent"], 40.0);
    assert_eq!(stored["hip_range_of_motion"]["left"]["flexion"], 110);
    assert_eq!(stored["psfs_activities"][1]["name"], "Sitting through a film");
    assert_eq!(stored["lumbar_mobility"], "Flexion limited to mid-shin");

    let shown = clinician.get(&path).await;
    assert_eq!(shown.value_of("hip_range_of_motion.left.flexion").as_deref(), Some("110"), "the form opens with it");
    assert_eq!(shown.value_of("psfs_activities[2].name").as_deref(), Some("Gardening"));

    let typo = clinician.post(&path, &borrow(&evaluation_form(&[("psfs_activities[0].rating", "eleven")]))).await;
    assert_eq!(typo.status, 422);
    assert_eq!(message_for(&typo, "psfs_activities[0].rating").as_deref(), Some("a whole number"));
    assert!(typo.body.contains("Flexion limited to mid-shin"), "what was typed stays");

    // Row 1 left empty: the service's message for the third activity lands on the row typed.
    let shifted = evaluation_form(&[
        ("psfs_activities[0].name", ""),
        ("psfs_activities[0].rating", ""),
        ("psfs_activities[3].name", "Running"),
        ("psfs_activities[3].rating", "12"),
    ]);
    let out_of_range = clinician.post(&path, &borrow(&shifted)).await;
    assert_eq!(out_of_range.status, 422);
    assert_eq!(message_for(&out_of_range, "psfs_activities[3].rating").as_deref(), Some("0 to 10"));

    let unanswered = clinician.post(&path, &borrow(&evaluation_form(&[("start_back.agree[4]", "")]))).await;
    assert_eq!(unanswered.status, 422);
    assert_eq!(message_for(&unanswered, "start_back.agree[4]").as_deref(), Some("agree or disagree"));
    let after = api(&fx, 4, &format!("/v1/appointments/{}/evaluation", fx.appointment)).await;
    assert_eq!(after["updated_at"], stored["updated_at"], "a refused form changes nothing");
}

#[tokio::test]
async fn the_clinical_record_shows_scores_with_their_verdicts_and_opens_to_another_clinician_only_with_a_reason() {
    let fx = fixture().await;
    let clinician = Console::sign_in(&fx.cal.app, "pt0@clinic.example").await;
    let path = format!("/console/patients/{}/record", fx.patient_a);
    let record = clinician.get(&path).await;
    assert_eq!(record.status, 200, "{}", record.body);
    let progress = api(&fx, 4, &format!("/v1/patients/{}/progress", fx.patient_a)).await;
    let nrs = &progress["nrs"];
    let row = &record.body[record.body.find("Pain now (NRS 0–10)").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    let verdict = if nrs["mcid_reached"] == true { "Meaningful change reached" } else { "Not yet" };
    assert!(row.contains(verdict), "the verdict is the service's: {row}");
    assert!(row.contains(&format!(">{}<", nrs["baseline"]["value"].as_f64().unwrap())), "{row}");
    assert!(record.body.contains("<svg"), "the chart is drawn in the page");
    let check_ins = &record.body[record.body.find("<h2>Check-ins</h2>").expect("the check-ins")..];
    assert!(check_ins.contains("emergency"), "the red-flag check-in is marked");
    assert!(record.body.contains("Last 14 days"), "adherence");

    let other = Console::sign_in(&fx.cal.app, "pt1@clinic.example").await;
    let asked = other.get(&path).await;
    assert_eq!(asked.status, 403);
    assert!(asked.body.contains("name=\"reason\""), "another clinician is asked why");
    let opened = other.get(&format!("{path}?reason=Covering%20for%20a%20colleague")).await;
    assert_eq!(opened.status, 200);
    let reasons: Vec<Option<String>> = audit_log::table
        .filter(audit_log::action.eq("record.emergency_access"))
        .select(audit_log::detail)
        .load(&mut fx.cal.app.conn())
        .unwrap();
    assert!(reasons.iter().flatten().any(|d| d.contains("Covering for a colleague")), "{reasons:?}");

    let desk = Console::sign_in(&fx.cal.app, "desk@clinic.example").await;
    let kept_out = desk.get(&path).await;
    assert_eq!(kept_out.status, 403);
    assert!(!kept_out.body.contains("Check-ins"), "no clinical data for the desk");
}

fn with(mut form: Vec<(String, String)>, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    for (k, v) in changes {
        form.retain(|(key, _)| key != k);
        form.push((k.to_string(), v.to_string()));
    }
    form
}

#[tokio::test]
async fn an_admin_creates_changes_and_archives_an_appointment_type_as_the_api_then_lists_it() {
    let fx = fixture().await;
    let admin = Console::sign_in(&fx.cal.app, "admin@clinic.example").await;
    let form =
        with(type_form("back_class"), &[("name", "Back class"), ("duration_minutes", "45"), ("patient_bookable", "1")]);
    let created = admin.post("/console/types", &borrow(&form)).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let types = api(&fx, 6, "/v1/appointment-types").await;
    let class = types["items"].as_array().unwrap().iter().find(|t| t["code"] == "back_class").cloned().expect("listed");
    assert_eq!((class["duration_minutes"].as_i64(), class["patient_bookable"].as_bool()), (Some(45), Some(true)));

    let taken = admin.post("/console/types", &borrow(&form)).await;
    assert_eq!(taken.status, 422);
    assert!(message_for(&taken, "code").is_some(), "a taken code is said next to the code");
    let typo =
        admin.post("/console/types", &borrow(&with(type_form("other_class"), &[("duration_minutes", "forty")]))).await;
    assert_eq!(message_for(&typo, "duration_minutes").as_deref(), Some("a whole number"));
    let long =
        admin.post("/console/types", &borrow(&with(type_form("long_class"), &[("duration_minutes", "1000")]))).await;
    assert_eq!(message_for(&long, "duration_minutes").as_deref(), Some("between 5 and 480"), "the service's bound");
    assert_eq!(long.value_of("name").as_deref(), Some("Matrix visit"), "what was typed stays");

    let id = class["id"].as_str().unwrap();
    let renamed =
        admin.post(&format!("/console/types/{id}"), &borrow(&with(type_form(""), &[("name", "Back school")]))).await;
    assert_eq!(renamed.status, 303, "{}", renamed.body);
    let types = api(&fx, 6, "/v1/appointment-types").await;
    let class = types["items"].as_array().unwrap().iter().find(|t| t["id"] == id).cloned().unwrap();
    assert_eq!(
        (class["name"].as_str(), class["patient_bookable"].as_bool()),
        (Some("Back school"), Some(false)),
        "an unticked box is false"
    );
    let archived = admin.post(&format!("/console/types/{id}"), &[("action", "archive")]).await;
    assert_eq!(archived.status, 303);
    let types = api(&fx, 6, "/v1/appointment-types").await;
    assert!(!types["items"].as_array().unwrap().iter().any(|t| t["id"] == id), "archived types are not on offer");
}

#[tokio::test]
async fn an_admin_changes_the_clinical_rules_and_a_clinician_only_reads_them() {
    let fx = fixture().await;
    let admin = Console::sign_in(&fx.cal.app, "admin@clinic.example").await;
    let stricter = [
        ("odi_min_answered", "9"),
        ("low_adherence_percent", "60"),
        ("plateau_weeks", "8"),
        ("missed_check_in_days", "10"),
    ];
    let saved = admin.post("/console/rules", &stricter).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let rules = api(&fx, 4, "/v1/clinic/clinical-rules").await;
    assert_eq!(
        rules,
        serde_json::json!({"odi_min_answered": 9, "low_adherence_percent": 60, "plateau_weeks": 8, "missed_check_in_days": 10})
    );

    let mut wrong = stricter.to_vec();
    wrong[2] = ("plateau_weeks", "2");
    let refused = admin.post("/console/rules", &wrong).await;
    assert_eq!(refused.status, 422);
    assert_eq!(message_for(&refused, "plateau_weeks").as_deref(), Some("between 4 and 26"));
    assert_eq!(api(&fx, 4, "/v1/clinic/clinical-rules").await, rules, "nothing half-saved");

    let clinician = Console::sign_in(&fx.cal.app, "pt0@clinic.example").await;
    let page = clinician.get("/console/rules").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.value_of("plateau_weeks").as_deref(), Some("8"));
    assert!(!page.body.contains("Save the rules"), "a clinician reads them only");
    assert_eq!(clinician.post("/console/rules", &stricter).await.status, 403);
}

#[tokio::test]
async fn a_clinician_adds_changes_and_archives_an_exercise_in_the_library() {
    let fx = fixture().await;
    let clinician = Console::sign_in(&fx.cal.app, "pt0@clinic.example").await;
    let created = clinician.post("/console/exercises", &borrow(&exercise_form("wall-press-drill"))).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let stored = api(&fx, 4, "/v1/exercises/wall-press-drill").await;
    assert_eq!(stored["cues"], serde_json::json!(["Squeeze the glutes", "Keep ribs down"]), "one cue per line");
    assert_eq!((stored["category"].as_str(), stored["phase"].as_i64()), (Some("strength"), Some(2)));
    assert_eq!(stored["default_dose"]["reps"], 10);

    let taken = clinician.post("/console/exercises", &borrow(&exercise_form("wall-press-drill"))).await;
    assert_eq!(taken.status, 422);
    assert_eq!(message_for(&taken, "slug").as_deref(), Some("another exercise has this slug"));
    let bad =
        clinician.post("/console/exercises", &borrow(&with(exercise_form("x"), &[("default_dose.reps", "500")]))).await;
    assert_eq!(bad.status, 422);
    assert!(message_for(&bad, "slug").is_some(), "{}", bad.body);
    assert_eq!(message_for(&bad, "default_dose.reps").as_deref(), Some("between 1 and 200"));

    let id = stored["id"].as_str().unwrap();
    let changed = clinician
        .post(
            &format!("/console/exercises/{id}"),
            &borrow(&with(exercise_form(""), &[("default_dose.reps", ""), ("default_dose.hold_seconds", "20")])),
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    let stored = api(&fx, 4, "/v1/exercises/wall-press-drill").await;
    assert_eq!(
        (stored["default_dose"]["reps"].as_i64(), stored["default_dose"]["hold_seconds"].as_i64()),
        (None, Some(20))
    );
    let archived = clinician.post(&format!("/console/exercises/{id}"), &[("action", "archive")]).await;
    assert_eq!(archived.status, 303);
    assert_eq!(api(&fx, 4, "/v1/exercises/wall-press-drill").await["archived"], true);
}
