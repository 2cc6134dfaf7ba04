use backtrack::domain::role::Role;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn the_starting_library_covers_chronic_low_back_pain() {
    let app = spawn_app().await;
    let (_, patient) = app.user_with_token(Role::Patient, "p@example.org", "Pat Patient").await;
    let library: Value = app.get_as(&patient, "/v1/exercises").await.json().await.unwrap();
    let slugs: Vec<&str> = library["items"].as_array().unwrap().iter().map(|e| e["slug"].as_str().unwrap()).collect();
    for slug in [
        "diaphragmatic-breathing",
        "transverse-abdominis-drawing-in",
        "dead-bug",
        "bird-dog",
        "glute-bridge",
        "single-leg-bridge",
        "side-plank-short-lever",
        "side-plank-long-lever",
        "front-plank",
        "clamshell",
        "half-kneeling-hip-flexor-stretch",
        "ninety-ninety-hip-rotation",
        "cat-camel",
        "thoracic-open-book",
        "dowel-hip-hinge",
        "goblet-squat",
        "split-squat",
        "suitcase-carry",
        "farmer-carry",
        "pallof-press",
        "band-row",
        "incline-push-up",
        "graded-walking-program",
    ] {
        assert!(slugs.contains(&slug), "{slug}");
    }
    let bird_dog: Value = app.get_as(&patient, "/v1/exercises/bird-dog").await.json().await.unwrap();
    assert_eq!(bird_dog["category"], "stability");
    assert_eq!(bird_dog["phase"], 1);
    assert!(bird_dog["cues"].as_array().unwrap().len() >= 2);
    assert_eq!(bird_dog["default_dose"]["sets"], 3);
    let phase_three: Value = app.get_as(&patient, "/v1/exercises?phase=3").await.json().await.unwrap();
    assert!(phase_three["items"].as_array().unwrap().iter().all(|e| e["phase"] == 3));
    assert_problem(app.client.get(app.url("/v1/exercises")).send().await.unwrap(), 401, "unauthorized").await;
}

#[tokio::test]
async fn clinicians_write_the_library_and_archived_exercises_stay_readable() {
    let app = spawn_app().await;
    let (_, clinician) = app.user_with_token(Role::Clinician, "pt@clinic.example", "Pia Therapist").await;
    let (_, desk) = app.user_with_token(Role::FrontDesk, "fd@clinic.example", "Finn Desk").await;
    let body = json!({
        "slug": "wall-sit", "name": "Wall sit", "category": "strength", "phase": 2,
        "instructions": "Slide down a wall until the knees are bent, hold.",
        "cues": ["Back flat on the wall", "Knees over ankles"], "common_mistakes": ["Knees past the toes"],
        "default_dose": {"sets": 3, "hold_seconds": 30}, "video_url": "https://videos.clinic.example/wall-sit"
    });
    assert_problem(app.post_as(&desk, "/v1/exercises", &body).await, 403, "forbidden").await;
    let created = app.post_as(&clinician, "/v1/exercises", &body).await;
    assert_eq!(created.status(), 201);
    assert_problem(app.post_as(&clinician, "/v1/exercises", &body).await, 409, "slug_taken").await;
    let bad =
        json!({"slug": "Bad Slug", "phase": 7, "video_url": "http://insecure.example", "default_dose": {"sets": 0}});
    let problem = assert_problem(app.post_as(&clinician, "/v1/exercises", &bad).await, 422, "validation_failed").await;
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for field in ["slug", "phase", "video_url", "default_dose.sets", "name", "instructions"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let changed: Value =
        app.patch_as(&clinician, "/v1/exercises/wall-sit", &json!({"phase": 3})).await.json().await.unwrap();
    assert_eq!(changed["phase"], 3);
    assert_eq!(app.post_as(&clinician, "/v1/exercises/wall-sit/archive", &json!({})).await.status(), 200);
    let listed: Value = app.get_as(&clinician, "/v1/exercises").await.json().await.unwrap();
    assert!(!listed["items"].as_array().unwrap().iter().any(|e| e["slug"] == "wall-sit"));
    let archived: Value = app.get_as(&clinician, "/v1/exercises/wall-sit").await.json().await.unwrap();
    assert_eq!(archived["archived"], true);
    let with_archived: Value =
        app.get_as(&clinician, "/v1/exercises?include_archived=true").await.json().await.unwrap();
    assert!(with_archived["items"].as_array().unwrap().iter().any(|e| e["slug"] == "wall-sit"));
}
