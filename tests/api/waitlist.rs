//! A freed time goes to the first waiting patient it suits; a lapsed offer goes to the next.

use backtrack::calendar::notices::Notices;
use backtrack::calendar::waitlist;
use backtrack::db::schema::{waitlist_entries, waitlist_offers};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::calendar_fixture::{calendar, rfc3339};
use crate::helpers::assert_problem;

#[tokio::test]
async fn a_cancelled_time_is_offered_in_turn_and_taken_with_the_emailed_link() {
    let cal = calendar("America/Chicago", 1).await;
    let (_, booker) = cal.patient(1).await;
    let (first_id, first) = cal.patient(2).await;
    let (_, second) = cal.patient(3).await;
    let (unsuited_id, unsuited) = cal.patient(4).await;
    let booked = cal
        .book_ok(&booker, &json!({"appointment_type": "comprehensive_evaluation", "start": rfc3339(cal.at(3, 10, 0))}))
        .await;
    let date = cal.at(3, 10, 0).with_timezone(&cal.zone).date_naive();
    let wish = |earliest: &str| json!({"appointment_type": "comprehensive_evaluation", "from_date": date, "to_date": date, "earliest": earliest, "latest": "12:00"});
    // Someone who only wants afternoons is not offered a morning.
    assert_eq!(cal.app.post_as(&unsuited, "/v1/waitlist", &json!({"appointment_type": "comprehensive_evaluation", "from_date": date, "to_date": date, "earliest": "13:00"})).await.status(), 201);
    assert_eq!(cal.app.post_as(&first, "/v1/waitlist", &wish("09:00")).await.status(), 201);
    assert_eq!(cal.app.post_as(&second, "/v1/waitlist", &wish("09:00")).await.status(), 201);
    let mine: Value = cal.app.get_as(&first, "/v1/waitlist").await.json().await.unwrap();
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "a patient sees their own wishes");

    let cancel = cal
        .app
        .post_as(&booker, &format!("/v1/appointments/{}/cancel", booked["id"].as_str().unwrap()), &json!({}))
        .await;
    assert_eq!(cancel.status(), 200);
    let offer = cal.app.last_email_to("patient2@example.org");
    assert_eq!(offer.kind, "waitlist_offer");
    assert!(
        cal.app.emails_to("patient3@example.org").iter().all(|e| e.kind != "waitlist_offer"),
        "one offer at a time"
    );
    assert!(cal.app.emails_to("patient4@example.org").is_empty(), "an unsuited wish gets nothing");
    let first_token =
        offer.text.split("/waitlist/offers/").nth(1).unwrap().split_whitespace().next().unwrap().to_string();

    // The first patient lets it lapse: the next one is asked.
    diesel::update(waitlist_offers::table)
        .set(waitlist_offers::expires_at.eq(backtrack::db::now() - chrono::Duration::minutes(1)))
        .execute(&mut cal.app.conn())
        .unwrap();
    let notices = Notices::from_config(&cal.app.state.config);
    let swept =
        backtrack::db::write_tx(&mut cal.app.conn(), |conn| waitlist::sweep(conn, &notices, chrono::Utc::now()))
            .unwrap();
    assert_eq!(swept, 1);
    let second_offer = cal.app.last_email_to("patient3@example.org");
    assert_eq!(second_offer.kind, "waitlist_offer");
    let second_token =
        second_offer.text.split("/waitlist/offers/").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    assert_problem(
        cal.app.post(&format!("/v1/waitlist/offers/{first_token}/accept"), &json!({})).await,
        400,
        "invalid_token",
    )
    .await;

    // The link works without signing in, once.
    let taken = cal.app.post(&format!("/v1/waitlist/offers/{second_token}/accept"), &json!({})).await;
    assert_eq!(taken.status(), 201);
    let appointment: Value = taken.json().await.unwrap();
    assert_eq!(appointment["start"], rfc3339(cal.at(3, 10, 0)));
    assert_eq!(appointment["patient_name"], "Patient Number3");
    assert_problem(
        cal.app.post(&format!("/v1/waitlist/offers/{second_token}/accept"), &json!({})).await,
        400,
        "invalid_token",
    )
    .await;
    let statuses: Vec<(String, String)> = waitlist_entries::table
        .select((waitlist_entries::patient_id, waitlist_entries::status))
        .load(&mut cal.app.conn())
        .unwrap();
    assert!(statuses.contains(&(first_id, "waiting".to_string())));
    assert!(statuses.contains(&(unsuited_id, "waiting".to_string())));
    assert_eq!(statuses.iter().filter(|(_, s)| s == "booked").count(), 1);
}

#[tokio::test]
async fn wishes_are_validated_and_staff_add_them_for_patients() {
    let cal = calendar("America/Chicago", 1).await;
    let (patient_id, patient) = cal.patient(1).await;
    let today = chrono::Utc::now().date_naive();
    let bad = json!({"appointment_type": "comprehensive_evaluation", "from_date": today, "to_date": today - chrono::Duration::days(1)});
    assert_problem(cal.app.post_as(&patient, "/v1/waitlist", &bad).await, 422, "validation_failed").await;
    let for_patient =
        json!({"appointment_type": "follow_up", "from_date": today, "to_date": today, "patient_id": patient_id});
    assert_eq!(cal.app.post_as(&cal.desk, "/v1/waitlist", &for_patient).await.status(), 201);
    let all: Value = cal.app.get_as(&cal.desk, "/v1/waitlist").await.json().await.unwrap();
    let id = all["items"][0]["id"].as_str().unwrap().to_string();
    let (_, other) = cal.patient(2).await;
    let gone =
        cal.app.client.delete(cal.app.url(&format!("/v1/waitlist/{id}"))).bearer_auth(&other).send().await.unwrap();
    assert_problem(gone, 404, "not_found").await;
    let left =
        cal.app.client.delete(cal.app.url(&format!("/v1/waitlist/{id}"))).bearer_auth(&patient).send().await.unwrap();
    assert_eq!(left.status(), 204);
}

#[tokio::test]
async fn patients_wait_only_for_what_they_may_book_with_a_real_clinician() {
    let cal = calendar("America/Chicago", 1).await;
    let (_, patient) = cal.patient(1).await;
    let today = chrono::Utc::now().date_naive();
    let staff_only = json!({"appointment_type": "dry_needling", "from_date": today, "to_date": today});
    assert_problem(cal.app.post_as(&patient, "/v1/waitlist", &staff_only).await, 409, "not_patient_bookable").await;
    let nobody = json!({"appointment_type": "comprehensive_evaluation", "from_date": today, "to_date": today, "clinician_id": "nope"});
    let problem =
        assert_problem(cal.app.post_as(&patient, "/v1/waitlist", &nobody).await, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "clinician_id");
}
