//! Races the database must win: many requests for overlapping times at once, and the same
//! request retried many times at once.

use backtrack::domain::role::Role;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::calendar_fixture::{calendar, rfc3339, Calendar};
use crate::helpers::{assert_problem, TestApp};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Pairs of active appointments that overlap for one clinician (with buffers) or one patient.
pub fn overlaps(app: &TestApp) -> (i64, i64) {
    let clinician = "SELECT COUNT(*) AS n FROM appointments a JOIN appointments b ON a.id < b.id \
        AND a.clinician_id = b.clinician_id AND a.status <> 'cancelled' AND b.status <> 'cancelled' \
        AND a.block_start < b.block_end AND b.block_start < a.block_end";
    let patient = "SELECT COUNT(*) AS n FROM appointments a JOIN appointments b ON a.id < b.id \
        AND a.patient_id = b.patient_id AND a.status <> 'cancelled' AND b.status <> 'cancelled' \
        AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at";
    let mut conn = app.conn();
    let count = |sql: &str, conn: &mut _| diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n;
    (count(clinician, &mut conn), count(patient, &mut conn))
}

pub fn appointments_count(app: &TestApp) -> i64 {
    use backtrack::db::schema::appointments;
    appointments::table.count().get_result(&mut app.conn()).unwrap()
}

pub async fn patients(cal: &Calendar, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for n in 0..count {
        ids.push(
            cal.app.create_user(Role::Patient, &format!("racer{n}@example.org"), &format!("Racer Patient{n}")).await,
        );
    }
    ids
}

#[tokio::test]
async fn fifty_overlapping_bookings_of_different_lengths_for_one_clinician_one_wins() {
    let cal = calendar("America/Chicago", 1).await;
    let clinician = cal.clinicians[0].0.clone();
    let patients = patients(&cal, 50).await;
    let types = ["comprehensive_evaluation", "follow_up", "dry_needling"];
    let requests: Vec<Value> = patients
        .iter()
        .enumerate()
        .map(|(i, patient)| {
            // Starts at 10:00 or 10:15; every visit is at least 30 minutes: all pairs overlap.
            json!({"appointment_type": types[i % 3], "start": rfc3339(cal.at(3, 10, 15 * (i as u32 % 2))),
                   "clinician_id": clinician, "patient_id": patient})
        })
        .collect();
    let responses = join_all(requests.iter().map(|body| cal.book(&cal.desk, body))).await;
    let mut created = 0;
    for response in responses {
        match response.status().as_u16() {
            201 => created += 1,
            409 => {
                assert_problem(response, 409, "slot_taken").await;
            }
            other => panic!("unexpected {other}: {:?}", response.text().await),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(appointments_count(&cal.app), 1);
    assert_eq!(overlaps(&cal.app), (0, 0));
}

#[tokio::test]
async fn fifty_overlapping_bookings_for_one_patient_across_two_clinicians_one_wins() {
    let cal = calendar("America/Chicago", 2).await;
    let patient = patients(&cal, 1).await.remove(0);
    let types = ["comprehensive_evaluation", "follow_up", "dry_needling"];
    let requests: Vec<Value> = (0..50)
        .map(|i| {
            json!({"appointment_type": types[i % 3], "start": rfc3339(cal.at(3, 14, 15 * (i as u32 % 2))),
                   "clinician_id": cal.clinicians[i % 2].0, "patient_id": patient})
        })
        .collect();
    let responses = join_all(requests.iter().map(|body| cal.book(&cal.desk, body))).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 49, "{statuses:?}");
    assert_eq!(appointments_count(&cal.app), 1);
    assert_eq!(overlaps(&cal.app), (0, 0));
}

#[tokio::test]
async fn the_same_idempotency_key_ten_times_at_once_books_once_and_answers_the_same() {
    let cal = calendar("America/Chicago", 1).await;
    let (_, patient) = cal.patient(1).await;
    let body = json!({"appointment_type": "comprehensive_evaluation", "start": rfc3339(cal.at(4, 9, 30)), "reason": "first visit"});
    let send = || {
        cal.app
            .client
            .post(cal.app.url("/v1/appointments"))
            .bearer_auth(&patient)
            .header("Idempotency-Key", "7d9f2c1e-booking-retry")
            .json(&body)
            .send()
    };
    let responses = join_all((0..10).map(|_| send())).await;
    let mut answers = Vec::new();
    for response in responses {
        let response = response.unwrap();
        answers.push((response.status().as_u16(), response.text().await.unwrap()));
    }
    assert!(answers.iter().all(|a| a.0 == 201), "{answers:?}");
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "every answer is the same");
    assert_eq!(appointments_count(&cal.app), 1);

    let mut other = body.clone();
    other["start"] = json!(rfc3339(cal.at(4, 11, 0)));
    let reused = cal
        .app
        .client
        .post(cal.app.url("/v1/appointments"))
        .bearer_auth(&patient)
        .header("Idempotency-Key", "7d9f2c1e-booking-retry")
        .json(&other)
        .send()
        .await
        .unwrap();
    // The problem's own code (documented for POST /v1/appointments), not a field error.
    let problem = assert_problem(reused, 422, "idempotency_key_reused").await;
    assert!(problem.get("errors").is_none(), "{problem}");
    assert_eq!(appointments_count(&cal.app), 1);
}

#[tokio::test]
async fn a_refused_booking_is_replayed_too_and_keys_belong_to_their_user() {
    let cal = calendar("America/Chicago", 1).await;
    let (_, alice) = cal.patient(1).await;
    let (_, bob) = cal.patient(2).await;
    let start = rfc3339(cal.at(4, 9, 0));
    let book = |token: &str, key: &str| {
        cal.app
            .client
            .post(cal.app.url("/v1/appointments"))
            .bearer_auth(token.to_string())
            .header("Idempotency-Key", key.to_string())
            .json(&json!({"appointment_type": "comprehensive_evaluation", "start": start}))
            .send()
    };
    assert_eq!(book(&alice, "same-key-0001").await.unwrap().status(), 201);
    // Bob's identical key is his own: his request is tried, and the slot is taken.
    let first = book(&bob, "same-key-0001").await.unwrap();
    assert_eq!(first.status(), 409);
    let first = first.text().await.unwrap();
    let again = book(&bob, "same-key-0001").await.unwrap();
    assert_eq!(again.status(), 409);
    assert_eq!(again.text().await.unwrap(), first, "the stored answer, request id included");
}

/// The database's own guard (triggers on SQLite, exclusion constraints on PostgreSQL) looks back
/// far enough: a visit that overlaps only the last minutes of the longest possible one is refused,
/// for the clinician and for the patient.
#[tokio::test]
async fn the_database_refuses_an_overlap_with_the_end_of_the_longest_possible_visit() {
    use backtrack::db::appointments::{insert, is_slot_taken, AppointmentRow};
    let cal = calendar("America/Chicago", 2).await;
    let patients = patients(&cal, 2).await;
    let longest = backtrack::domain::appointment::longest_block();
    let buffer = chrono::Duration::minutes(backtrack::domain::appointment::MAX_BUFFER_MINUTES);
    let now = backtrack::db::now();
    let row =
        |patient: &str, clinician: &str, block_start: chrono::NaiveDateTime, block: chrono::Duration| AppointmentRow {
            id: uuid::Uuid::now_v7().to_string(),
            patient_id: patient.to_string(),
            clinician_id: clinician.to_string(),
            appointment_type_id: "type-follow-up".into(),
            starts_at: block_start + buffer.min(block / 4),
            ends_at: block_start + block - buffer.min(block / 4),
            block_start,
            block_end: block_start + block,
            status: "booked".into(),
            reason: None,
            late_cancellation: false,
            cancel_reason: None,
            sequence: 0,
            booked_by: None,
            created_at: now,
            updated_at: now,
            episode_id: None,
            series_id: None,
        };
    let (first, second) = (cal.clinicians[0].0.as_str(), cal.clinicians[1].0.as_str());
    let start = now + chrono::Duration::days(30);
    let mut conn = cal.app.conn();
    insert(&mut conn, &row(&patients[0], first, start, longest)).expect("the long visit");

    let minute = chrono::Duration::minutes(1);
    let clinician_late = row(&patients[1], first, start + longest - minute, chrono::Duration::minutes(45));
    assert!(insert(&mut conn, &clinician_late).is_err_and(|e| is_slot_taken(&e)), "clinician double-booked");
    let long = row(&patients[0], first, start, longest);
    let patient_late = row(&patients[0], second, long.ends_at - minute, chrono::Duration::minutes(45));
    let patient_late = AppointmentRow { starts_at: patient_late.block_start, ..patient_late };
    assert!(insert(&mut conn, &patient_late).is_err_and(|e| is_slot_taken(&e)), "patient in two places");
    // Right after the long visit, both are free again.
    insert(&mut conn, &row(&patients[1], first, start + longest, chrono::Duration::minutes(45))).unwrap();
    assert_eq!(overlaps(&cal.app), (0, 0));
}
