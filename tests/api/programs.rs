use backtrack::domain::role::Role;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app};

fn program(title: &str) -> Value {
    let today = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
    json!({
        "title": title,
        "starts_on": today,
        "weekdays": [1, 3, 5],
        "items": [
            {"exercise": "bird-dog", "sets": 3, "reps": 8, "side": "alternating", "notes": "Slow"},
            {"exercise": "glute-bridge", "sets": 3, "reps": 12, "load": "none"},
            {"exercise": "side-plank-short-lever"},
            {"exercise": "bird-dog", "sets": 1, "reps": 5, "notes": "Once more at the end"}
        ]
    })
}

#[tokio::test]
async fn a_prescribed_program_reaches_the_patients_app_and_no_one_elses() {
    let app = spawn_app().await;
    let (_, clinician) = app.user_with_token(Role::Clinician, "pt@clinic.example", "Pia Therapist").await;
    let (_, desk) = app.user_with_token(Role::FrontDesk, "fd@clinic.example", "Finn Desk").await;
    let (patient_id, patient) = app.user_with_token(Role::Patient, "p@example.org", "Pat Patient").await;
    let (_, other) = app.user_with_token(Role::Patient, "q@example.org", "Quin Other").await;
    assert_problem(app.get_as(&patient, "/v1/me/program").await, 404, "not_found").await;

    let path = format!("/v1/patients/{patient_id}/programs");
    assert_problem(app.post_as(&desk, &path, &program("Phase 1")).await, 403, "forbidden").await;
    assert_problem(app.post_as(&patient, &path, &program("Phase 1")).await, 403, "forbidden").await;
    let created = app.post_as(&clinician, &path, &program("Phase 1")).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["version"], 1);
    assert_eq!(created["items"][0]["exercise"]["slug"], "bird-dog");
    assert_eq!(created["items"][2]["dose"]["hold_seconds"], 20, "an item without a dose takes the exercise's default");
    assert_eq!(created["items"].as_array().unwrap().len(), 4, "an exercise may appear twice");
    assert_eq!(created["items"][3]["exercise"]["slug"], "bird-dog");

    let mine = app.get_as(&patient, "/v1/me/program").await;
    assert_eq!(mine.status(), 200);
    let etag = mine.headers()["etag"].to_str().unwrap().to_string();
    let mine: Value = mine.json().await.unwrap();
    assert_eq!(mine["id"], created["id"]);
    assert_eq!(mine["weekdays"], json!([1, 3, 5]));
    let again = app
        .client
        .get(app.url("/v1/me/program"))
        .bearer_auth(&patient)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    let id = created["id"].as_str().unwrap();
    assert_problem(app.get_as(&other, &format!("/v1/programs/{id}")).await, 404, "not_found").await;
    assert_problem(app.get_as(&other, &path).await, 404, "not_found").await;
    assert_problem(app.get_as(&desk, &format!("/v1/programs/{id}")).await, 403, "forbidden").await;
    assert_problem(app.get_as(&other, "/v1/me/program").await, 404, "not_found").await;

    // Editing makes version 2; the ETag changes; version 1 is kept.
    let revised = app
        .client
        .put(app.url(&format!("/v1/programs/{id}")))
        .bearer_auth(&clinician)
        .json(&program("Phase 2"))
        .send()
        .await
        .unwrap();
    assert_eq!(revised.status(), 200);
    let revised: Value = revised.json().await.unwrap();
    assert_eq!((revised["version"].as_i64(), revised["title"].as_str()), (Some(2), Some("Phase 2")));
    let fresh = app
        .client
        .get(app.url("/v1/me/program"))
        .bearer_auth(&patient)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), 200);
    use backtrack::db::schema::program_versions;
    use diesel::prelude::*;
    let versions: i64 = program_versions::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(versions, 2);
}

#[tokio::test]
async fn a_program_needs_a_schedule_real_exercises_and_sane_doses() {
    let app = spawn_app().await;
    let (_, clinician) = app.user_with_token(Role::Clinician, "pt@clinic.example", "Pia Therapist").await;
    let (patient_id, _) = app.user_with_token(Role::Patient, "p@example.org", "Pat Patient").await;
    let bad = json!({"title": "", "starts_on": "2026-12-01", "ends_on": "2026-11-01", "weekdays": [9], "sessions_per_week": 3,
        "items": [{"exercise": "levitation"}, {"exercise": "bird-dog", "sets": 99}]});
    let problem = assert_problem(
        app.post_as(&clinician, &format!("/v1/patients/{patient_id}/programs"), &bad).await,
        422,
        "validation_failed",
    )
    .await;
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for field in ["title", "ends_on", "weekdays", "items[0].exercise", "items[1].sets"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    assert_problem(app.post_as(&clinician, "/v1/patients/nobody/programs", &program("x")).await, 404, "not_found")
        .await;
}

#[tokio::test]
async fn logs_are_stored_once_count_for_their_day_and_make_a_hand_computed_adherence() {
    let app = spawn_app().await;
    let (_, clinician) = app.user_with_token(Role::Clinician, "pt@clinic.example", "Pia Therapist").await;
    let (patient_id, patient) = app.user_with_token(Role::Patient, "p@example.org", "Pat Patient").await;
    let (_, other) = app.user_with_token(Role::Patient, "q@example.org", "Quin Other").await;
    // The patient's zone is America/Chicago (the helper's); "today" is their local date.
    let today = chrono::Utc::now().with_timezone(&chrono_tz::America::Chicago).date_naive();
    let every_day = json!({"title": "Daily", "starts_on": today - chrono::Duration::days(13), "weekdays": [1, 2, 3, 4, 5, 6, 7],
        "items": [{"exercise": "bird-dog", "sets": 3, "reps": 8}]});
    let created: Value =
        app.post_as(&clinician, &format!("/v1/patients/{patient_id}/programs"), &every_day).await.json().await.unwrap();
    let version = created["version_id"].as_str().unwrap().to_string();
    let log = |days_ago: i64| {
        json!({"program_version_id": version, "performed_on": today - chrono::Duration::days(days_ago),
        "items": [{"position": 1, "sets": 3, "reps": 8}], "pain": 3, "effort": 6})
    };

    // Today, yesterday, two days ago; then a gap; then four older days, one sent a week late.
    let mut ids = Vec::new();
    for days_ago in [0, 1, 2, 4, 6, 7, 9] {
        let id = uuid::Uuid::new_v4().to_string();
        let response = app
            .client
            .put(app.url(&format!("/v1/exercise-logs/{id}")))
            .bearer_auth(&patient)
            .json(&log(days_ago))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        ids.push(id);
    }
    // The same log sent again (the phone retried): stored once.
    let again = app
        .client
        .put(app.url(&format!("/v1/exercise-logs/{}", ids[0])))
        .bearer_auth(&patient)
        .json(&log(0))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    use backtrack::db::schema::exercise_logs;
    use diesel::prelude::*;
    let stored: i64 = exercise_logs::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(stored, 7);
    // Someone else's id or version is refused.
    let theirs = app
        .client
        .put(app.url(&format!("/v1/exercise-logs/{}", ids[0])))
        .bearer_auth(&other)
        .json(&log(0))
        .send()
        .await
        .unwrap();
    assert!(theirs.status().is_client_error());

    // 7 of 14 asked-for days in the last 14: 50%. The streak is today, yesterday, two days ago.
    let figures: Value = app.get_as(&patient, "/v1/me/adherence").await.json().await.unwrap();
    assert_eq!(figures["last_14_days"]["prescribed"], 14.0);
    assert_eq!(figures["last_14_days"]["done"], 7);
    assert_eq!(figures["last_14_days"]["percent"], 50.0);
    assert_eq!(figures["current_streak"], 3);
    let by_clinician: Value =
        app.get_as(&clinician, &format!("/v1/patients/{patient_id}/adherence")).await.json().await.unwrap();
    assert_eq!(by_clinician["last_14_days"]["done"], 7);
    assert_problem(app.get_as(&other, &format!("/v1/patients/{patient_id}/adherence")).await, 404, "not_found").await;

    let synced: Value = app.get_as(&patient, "/v1/me/exercise-logs?limit=5").await.json().await.unwrap();
    assert_eq!(synced["items"].as_array().unwrap().len(), 5);
    assert!(synced["next_cursor"].is_string());
}

/// The document's bounds for `weekdays` are the ones the server applies: each bound is taken,
/// one past it is refused on the field.
#[tokio::test]
async fn program_weekdays_are_refused_exactly_outside_the_documented_bounds() {
    let doc: Value = serde_json::from_str(include_str!("../../openapi/openapi.json")).unwrap();
    let items = &doc["components"]["schemas"]["ProgramRequest"]["properties"]["weekdays"]["items"];
    let (min, max) = (items["minimum"].as_i64().expect("a minimum"), items["maximum"].as_i64().expect("a maximum"));
    assert_eq!((min, max), (1, 7), "ISO weekdays");

    let app = spawn_app().await;
    let (_, clinician) = app.user_with_token(Role::Clinician, "pt@clinic.example", "Pia Therapist").await;
    let (patient_id, _) = app.user_with_token(Role::Patient, "p@example.org", "Pat Patient").await;
    let path = format!("/v1/patients/{patient_id}/programs");
    for day in [min - 1, max + 1] {
        let mut body = program("Phase 1");
        body["weekdays"] = json!([day]);
        let problem = assert_problem(app.post_as(&clinician, &path, &body).await, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "weekdays", "{problem}");
        assert_eq!(problem["errors"][0]["code"], "out_of_range", "{problem}");
    }
    let mut body = program("Phase 1");
    body["weekdays"] = json!([min, max]);
    assert_eq!(app.post_as(&clinician, &path, &body).await.status(), 201);
}
