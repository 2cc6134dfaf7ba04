//! The binary's log output holds no health data: a patient signs up, confirms their address,
//! signs in, books a first evaluation answering the red-flag questions, logs a session and sends a
//! check-in through a real `backtrack serve` (debug logging, its in-process worker sending the
//! emails), and then no log line may hold their name, email, date of birth, phone, password,
//! tokens or free-text answers.

use serde_json::{json, Value};

use backtrack::db::schema::notification_outbox as outbox;
use diesel::prelude::*;

use crate::calendar_fixture::{calendar, rfc3339};
use crate::helpers::eventually;
use crate::serve_process::ServeProcess;

const NAME: &str = "Quillon Zephyrine-Abernathy";
const EMAIL: &str = "quillon.zephyrine@example.org";
const DATE_OF_BIRTH: &str = "1979-03-14";
const PHONE: &str = "+1 312 555 0177";
const PASSWORD: &str = "marigold tractor lantern 42";
const LOG_NOTE: &str = "knees ached after gardening with Marguerite";
const CHECK_IN_NOTE: &str = "tingling in the left calf since the wedding";
const BOOKING_REASON: &str = "lifting the grandchildren hurts";

#[tokio::test]
async fn no_log_line_names_the_patient_or_repeats_their_answers() {
    let cal = calendar("America/Chicago", 1).await;
    let (clinician, clinician_token) = cal.clinicians[0].clone();
    let mut serve = ServeProcess::start(
        &cal.app.state.config.database_url,
        &[("RUST_LOG", "debug"), ("BACKTRACK_IN_PROCESS_WORKER", "true"), ("BACKTRACK_WORKER_POLL_MILLIS", "100")],
    )
    .await;
    let base = serve.base.clone();
    let client = reqwest::Client::new();

    let no_flags = json!({"bladder_or_bowel": false, "saddle_numbness": false, "fever_or_chills": false});
    let registered = client
        .post(format!("{base}/v1/auth/register"))
        .json(&json!({"email": EMAIL, "password": PASSWORD, "full_name": NAME, "date_of_birth": DATE_OF_BIRTH,
            "phone": PHONE, "time_zone": "America/Chicago", "red_flags": no_flags}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), 202, "{:?}", registered.text().await);
    let email = cal.app.last_email_to(EMAIL);
    let verify_token = email.text.split("verify-email?token=").nth(1).unwrap().split_whitespace().next().unwrap();
    let verified = client.post(format!("{base}/v1/auth/verify-email")).json(&json!({"token": verify_token})).send();
    assert_eq!(verified.await.unwrap().status(), 200);
    // A mistyped password first: the failure is logged too, and must not say whose it was.
    let wrong = json!({"email": EMAIL, "password": "marigold tractor lantern 43"});
    assert_eq!(client.post(format!("{base}/v1/auth/login")).json(&wrong).send().await.unwrap().status(), 401);
    let tokens: Value = client
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = tokens["access_token"].as_str().unwrap().to_string();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_string();
    let me: Value =
        client.get(format!("{base}/v1/me")).bearer_auth(&access).send().await.unwrap().json().await.unwrap();
    let patient_id = me["id"].as_str().unwrap().to_string();

    let booked = client
        .post(format!("{base}/v1/appointments"))
        .bearer_auth(&access)
        .json(&json!({"appointment_type": "comprehensive_evaluation", "start": rfc3339(cal.at(2, 10, 0)),
            "clinician_id": clinician, "reason": BOOKING_REASON, "red_flags": no_flags}))
        .send()
        .await
        .unwrap();
    assert_eq!(booked.status(), 201, "{:?}", booked.text().await);

    let today = chrono::Utc::now().with_timezone(&cal.zone).date_naive();
    let program = json!({"title": "Phase 1", "starts_on": today, "weekdays": [1, 2, 3, 4, 5, 6, 7],
        "items": [{"exercise": "bird-dog", "sets": 3, "reps": 8}]});
    let prescribed = cal.app.post_as(&clinician_token, &format!("/v1/patients/{patient_id}/programs"), &program).await;
    assert_eq!(prescribed.status(), 201);
    let version = prescribed.json::<Value>().await.unwrap()["version_id"].as_str().unwrap().to_string();
    let logged = client
        .put(format!("{base}/v1/exercise-logs/{}", uuid::Uuid::new_v4()))
        .bearer_auth(&access)
        .json(&json!({"program_version_id": version, "performed_on": today,
            "items": [{"position": 1, "sets": 3, "reps": 8}], "pain": 4, "effort": 6, "note": LOG_NOTE}))
        .send()
        .await
        .unwrap();
    assert_eq!(logged.status(), 201, "{:?}", logged.text().await);
    let checked_in = client
        .put(format!("{base}/v1/check-ins/{}", uuid::Uuid::new_v4()))
        .bearer_auth(&access)
        .json(&json!({"completed_on": today, "pain_now": 6, "pain_average": 5, "pain_worst": 8,
            "odi": [2, 1, 3, 2, 2, 1, 2, null, 2, 1], "note": CHECK_IN_NOTE,
            "red_flags": {"bladder_or_bowel": false, "saddle_numbness": false, "fever_or_chills": true}}))
        .send()
        .await
        .unwrap();
    assert_eq!(checked_in.status(), 201, "{:?}", checked_in.text().await);
    let refreshed = client.post(format!("{base}/v1/auth/refresh")).json(&json!({"refresh_token": refresh})).send();
    assert_eq!(refreshed.await.unwrap().status(), 200);
    // The in-process worker sends what these queued (the confirmation, the booking's emails, the
    // clinician's red-flag alert): its sends are in the log being checked, so wait for them.
    let due_unsent = || -> i64 {
        outbox::table
            .filter(outbox::status.eq_any(["pending", "leased"]))
            .filter(outbox::due_at.le(backtrack::db::now()))
            .count()
            .get_result(&mut cal.app.conn())
            .unwrap()
    };
    let sent =
        || -> i64 { outbox::table.filter(outbox::status.eq("sent")).count().get_result(&mut cal.app.conn()).unwrap() };
    eventually(60, "the in-process worker sent every email that is due", || due_unsent() == 0 && sent() >= 3).await;

    serve.terminate();
    assert!(serve.wait(), "serve stopped cleanly on SIGTERM");
    let log = serve.take_output();
    assert!(log.contains("/v1/check-ins/{id}"), "the requests were logged (by route pattern):\n{log}");
    let secrets = [
        NAME,
        "Quillon",
        "Zephyrine",
        EMAIL,
        "quillon.zephyrine",
        DATE_OF_BIRTH,
        PHONE,
        "555 0177",
        PASSWORD,
        LOG_NOTE,
        "Marguerite",
        CHECK_IN_NOTE,
        BOOKING_REASON,
        verify_token,
        &access,
        &refresh,
    ];
    let lowered = log.to_lowercase();
    for secret in secrets {
        let found = lowered.find(&secret.to_lowercase());
        assert!(found.is_none(), "the log holds {secret:?}:\n{}", line_at(&log, found.unwrap_or(0)));
    }
}

fn line_at(log: &str, at: usize) -> &str {
    let start = log[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = log[at..].find('\n').map_or(log.len(), |i| at + i);
    &log[start..end]
}
