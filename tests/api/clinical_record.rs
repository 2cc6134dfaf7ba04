//! The evaluation record, who may open a patient's clinical record (front desk never; another
//! clinician only with a reason, audited), and the progress chart as SVG and PNG.

use backtrack::db::schema::audit_log;
use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::calendar_fixture::{calendar, rfc3339};
use crate::helpers::{assert_problem, TestApp};
use crate::reminders::{patient_with_program, put};

pub fn evaluation() -> Value {
    json!({
        "lumbar_mobility": "Flexion to mid-shin with guarding; extension painful at end range",
        "hip_range_of_motion": {"left": {"flexion": 110, "internal_rotation": 25, "external_rotation": 40},
                                "right": {"flexion": 105, "internal_rotation": 15, "external_rotation": 35}},
        "core_activation": "Poor TrA recruitment, breath holding",
        "trunk_endurance": {"plank_seconds": 35, "side_plank_left_seconds": 20, "side_plank_right_seconds": 15, "extensor_hold_seconds": 60},
        "movement_patterns": {"hinge": "Lumbar flexion dominant", "squat": "OK to 90°", "rotation": "Limited to the right"},
        "repeated_movements": "Repeated extension in standing centralises leg symptoms",
        "start_back": {"agree": [true, true, false, false, true, true, true, false], "bothersome": "very_much"},
        "psfs_activities": [{"name": "Lifting my toddler", "rating": 3}, {"name": "Sitting through a film", "rating": 4},
                            {"name": "Gardening", "rating": 2}],
        "baseline_nrs": 7,
        "baseline_odi": [3, 2, 3, 2, 2, 2, 3, null, 2, 2],
        "impression": "Chronic LBP, flexion intolerant, good prognosis with graded loading",
        "plan": "Motor control, hip mobility, then progressive hinge loading over 8 weeks"
    })
}

async fn get_with_reason(app: &TestApp, token: &str, path: &str, reason: &str) -> reqwest::Response {
    app.client.get(app.url(path)).bearer_auth(token).header("X-Access-Reason", reason).send().await.unwrap()
}

#[tokio::test]
async fn the_evaluation_scores_start_back_sets_the_primary_clinician_and_only_clinicians_see_it() {
    let cal = calendar("America/Chicago", 2).await;
    let app = &cal.app;
    let (own, own_token) = cal.clinicians[0].clone();
    let (_, other_token) = cal.clinicians[1].clone();
    let (patient_id, patient) = cal.patient(1).await;
    let (_, stranger) = cal.patient(2).await;
    let booked = cal
        .book_ok(&patient, &json!({"appointment_type": "comprehensive_evaluation", "start": rfc3339(cal.at(2, 14, 0)), "clinician_id": own}))
        .await;
    let path = format!("/v1/appointments/{}/evaluation", booked["id"].as_str().unwrap());

    assert_problem(put(app, &cal.desk, &path, &evaluation()).await, 403, "forbidden").await;
    let mut bad = evaluation();
    bad["psfs_activities"] = json!([{"name": "Gardening", "rating": 2}]);
    bad["start_back"]["agree"] = json!([true]);
    bad["trunk_endurance"]["plank_seconds"] = json!(9000);
    let problem = assert_problem(put(app, &own_token, &path, &bad).await, 422, "validation_failed").await;
    let mut fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["psfs_activities", "start_back.agree", "trunk_endurance.plank_seconds"]);

    let saved = put(app, &own_token, &path, &evaluation()).await;
    assert_eq!(saved.status(), 200);
    let saved: Value = saved.json().await.unwrap();
    // Agree with 1, 2, 5, 6, 7 and "very much": total 6, psychosocial 4 → high risk.
    assert_eq!(saved["start_back"]["total"], 6);
    assert_eq!(saved["start_back"]["psychosocial"], 4);
    assert_eq!(saved["start_back"]["risk"], "high");
    // 9 sections, sum 21: 21 / 45 = 46.7% (severe).
    assert!((saved["baseline_odi"]["percent"].as_f64().unwrap() - 46.667).abs() < 0.01);
    assert_eq!(saved["baseline_odi"]["band"], "severe");
    assert_eq!(saved["baseline_psfs"], 3.0);
    assert_eq!(saved["psfs_activities"][0]["name"], "Lifting my toddler");
    // The patient's check-ins now rate the same three activities.
    let today = Utc::now().with_timezone(&cal.zone).date_naive();
    let rate = |ratings: Value| json!({"completed_on": today, "pain_now": 6, "pain_average": 6, "pain_worst": 8, "psfs": ratings, "red_flags": {}});
    let one = put(app, &patient, &format!("/v1/check-ins/{}", uuid::Uuid::new_v4()), &rate(json!([4]))).await;
    assert_problem(one, 422, "validation_failed").await;
    let three = put(app, &patient, &format!("/v1/check-ins/{}", uuid::Uuid::new_v4()), &rate(json!([4, 5, 3]))).await;
    assert_eq!(three.status(), 201);
    assert_eq!(three.json::<Value>().await.unwrap()["scores"]["psfs_mean"], 4.0);

    // Who sees what.
    let record = format!("/v1/patients/{patient_id}/progress");
    assert_problem(app.get_as(&cal.desk, &path).await, 403, "forbidden").await;
    assert_problem(app.get_as(&cal.desk, &record).await, 403, "forbidden").await;
    assert_problem(app.get_as(&cal.desk, &format!("/v1/patients/{patient_id}/check-ins")).await, 403, "forbidden")
        .await;
    assert_problem(app.get_as(&stranger, &record).await, 404, "not_found").await;
    assert_eq!(app.get_as(&own_token, &path).await.status(), 200);
    assert_eq!(app.get_as(&own_token, &record).await.status(), 200);
    let denied = assert_problem(app.get_as(&other_token, &record).await, 403, "access_reason_required").await;
    assert!(denied["detail"].as_str().unwrap().contains("X-Access-Reason"));
    assert_problem(app.get_as(&other_token, &path).await, 403, "access_reason_required").await;
    for part in ["programs", "adherence", "exercise-logs", "check-ins", "progress.svg"] {
        let other_part = format!("/v1/patients/{patient_id}/{part}");
        assert_problem(app.get_as(&other_token, &other_part).await, 403, "access_reason_required").await;
        assert_eq!(app.get_as(&own_token, &other_part).await.status(), 200, "{part}");
    }
    let prescribe =
        json!({"title": "Phase 1", "starts_on": today, "weekdays": [1, 3, 5], "items": [{"exercise": "dead-bug"}]});
    let other_prescribes = app.post_as(&other_token, &format!("/v1/patients/{patient_id}/programs"), &prescribe).await;
    assert_problem(other_prescribes, 403, "access_reason_required").await;
    let reason = "Covering for Clinician A today; patient called with increased pain";
    assert_eq!(get_with_reason(app, &other_token, &record, reason).await.status(), 200);
    let emergency: Vec<Option<String>> = audit_log::table
        .filter(audit_log::action.eq("record.emergency_access"))
        .filter(audit_log::patient_id.eq(&patient_id))
        .select(audit_log::detail)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(emergency.len(), 1, "one emergency access so far");
    assert!(emergency[0].as_deref().unwrap().contains(reason));
    // A re-evaluation by the covering clinician (with a reason) does not take the patient over.
    let again = cal
        .book_ok(&patient, &json!({"appointment_type": "comprehensive_evaluation", "start": rfc3339(cal.at(3, 10, 0))}))
        .await;
    let again_path = format!("/v1/appointments/{}/evaluation", again["id"].as_str().unwrap());
    let covered = app
        .client
        .put(app.url(&again_path))
        .bearer_auth(&other_token)
        .header("X-Access-Reason", reason)
        .json(&evaluation())
        .send()
        .await
        .unwrap();
    assert_eq!(covered.status(), 200);
    assert_problem(app.get_as(&other_token, &record).await, 403, "access_reason_required").await;
    assert_eq!(app.get_as(&own_token, &record).await.status(), 200, "still the primary clinician's patient");
    // The patient reads their own progress, with the evaluation as baseline for PSFS.
    let mine: Value = app.get_as(&patient, "/v1/me/progress").await.json().await.unwrap();
    assert_eq!(mine["psfs_activities"].as_array().unwrap().len(), 3);
    assert_eq!(mine["psfs"]["series"].as_array().unwrap().len(), 3, "two evaluations and a check-in");
}

#[tokio::test]
async fn the_progress_chart_renders_as_svg_and_png_for_a_real_series() {
    let cal = calendar("America/Chicago", 1).await;
    let app = &cal.app;
    let (_, clinician) = cal.clinicians[0].clone();
    let today = Utc::now().with_timezone(&cal.zone).date_naive();
    let start = (today - Duration::days(35)).to_string();
    let (patient_id, patient, program) =
        patient_with_program(app, &clinician, "p@example.org", "America/Chicago", &start).await;
    for (week, pain) in [7, 6, 6, 5, 4, 4].iter().enumerate() {
        let date = today - Duration::weeks(5 - week as i64);
        let body = json!({"completed_on": date, "pain_now": pain, "pain_average": pain, "pain_worst": pain + 1,
                          "odi": [3, 3, 2, 2, 2, 2, 2, 2, 2, 2 - (week as i64 / 2)], "red_flags": {}});
        assert_eq!(put(app, &patient, &format!("/v1/check-ins/{}", uuid::Uuid::new_v4()), &body).await.status(), 201);
        let log = json!({"program_version_id": program["version_id"], "performed_on": date, "items": []});
        assert_eq!(
            put(app, &patient, &format!("/v1/exercise-logs/{}", uuid::Uuid::new_v4()), &log).await.status(),
            201
        );
    }

    let svg = app.get_as(&clinician, &format!("/v1/patients/{patient_id}/progress.svg")).await;
    assert_eq!(svg.status(), 200);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    let svg = svg.text().await.unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let polylines: Vec<_> = doc.descendants().filter(|n| n.tag_name().name() == "polyline").collect();
    assert_eq!(polylines.len(), 2, "pain and ODI");
    let points = |n: &roxmltree::Node| n.attribute("points").unwrap().split_whitespace().count();
    assert!(polylines.iter().all(|p| points(p) == 6), "six check-ins each");
    let bars = doc.descendants().filter(|n| n.attribute("class") == Some("adherence")).count();
    assert!(bars >= 5, "{bars} adherence bars");

    let png = app.get_as(&clinician, &format!("/v1/patients/{patient_id}/progress.png")).await;
    assert_eq!(png.status(), 200);
    assert_eq!(png.headers()["content-type"], "image/png");
    let bytes = png.bytes().await.unwrap();
    let image = tiny_skia::Pixmap::decode_png(&bytes).expect("a PNG");
    assert_eq!((image.width(), image.height()), (640, 320));
    // A client that downloads bytes asks for them as such, and gets the same chart.
    for (chart, media_type) in [("progress.png", "image/png"), ("progress.svg", "image/svg+xml")] {
        let url = app.url(&format!("/v1/patients/{patient_id}/{chart}"));
        let ask = |accept: &'static str| app.client.get(&url).bearer_auth(&clinician).header("Accept", accept).send();
        let octets = ask("application/octet-stream").await.unwrap();
        assert_eq!(octets.status(), 200);
        assert_eq!(octets.headers()["content-type"], "application/octet-stream", "{chart}");
        let octets = octets.bytes().await.unwrap();
        let typed = ask("image/*, application/octet-stream;q=0.5").await.unwrap();
        assert_eq!(typed.headers()["content-type"], media_type, "{chart}");
        assert_eq!(typed.bytes().await.unwrap(), octets, "{chart}: the same bytes either way");
    }
    assert_problem(app.get_as(&cal.desk, &format!("/v1/patients/{patient_id}/progress.png")).await, 403, "forbidden")
        .await;
}

#[tokio::test]
async fn admins_set_the_clinics_clinical_rules_within_sane_bounds() {
    let cal = calendar("America/Chicago", 1).await;
    let app = &cal.app;
    let (_, clinician) = cal.clinicians[0].clone();
    let rules: Value = app.get_as(&clinician, "/v1/clinic/clinical-rules").await.json().await.unwrap();
    assert_eq!(
        rules,
        json!({"odi_min_answered": 8, "low_adherence_percent": 50, "plateau_weeks": 6, "missed_check_in_days": 14})
    );
    let stricter =
        json!({"odi_min_answered": 10, "low_adherence_percent": 60, "plateau_weeks": 8, "missed_check_in_days": 10});
    assert_problem(put(app, &clinician, "/v1/clinic/clinical-rules", &stricter).await, 403, "forbidden").await;
    let mut bad = stricter.clone();
    bad["plateau_weeks"] = json!(1);
    assert_problem(put(app, &cal.admin, "/v1/clinic/clinical-rules", &bad).await, 422, "validation_failed").await;
    assert_eq!(
        put(app, &cal.admin, "/v1/clinic/clinical-rules", &stricter).await.json::<Value>().await.unwrap(),
        stricter
    );
    // The ODI now needs all ten sections.
    let (_, patient) = cal.patient(1).await;
    let today = Utc::now().with_timezone(&cal.zone).date_naive();
    let nine = json!({"completed_on": today, "pain_now": 5, "pain_average": 5, "pain_worst": 6,
                      "odi": [2, 2, 2, 2, 2, 2, 2, 2, 2, null], "red_flags": {}});
    let answer: Value =
        put(app, &patient, &format!("/v1/check-ins/{}", uuid::Uuid::new_v4()), &nine).await.json().await.unwrap();
    assert_eq!(answer["scores"]["odi_percent"], Value::Null);
}
