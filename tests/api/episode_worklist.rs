//! The episode's worklist items, raised once by the sweep and cleared by it when resolved: the
//! unsigned certification, a recertification coming due, an authorization running out, no visit
//! booked ahead, fewer visits than the plan needs, and worsening against the baseline.

use chrono::{Duration, NaiveDate, Utc};
use serde_json::{json, Value};

use crate::calendar_fixture::{rfc3339, Calendar};
use crate::episodes::opened;

async fn sweep(cal: &Calendar) {
    backtrack::clinical::episode_alerts::sweep(cal.app.pool(), Utc::now()).await.unwrap();
}

/// The open items of the patient on the clinician's worklist: kind → severity.
async fn items(cal: &Calendar, patient_id: &str) -> Vec<(String, String)> {
    let list: Value = cal.app.get_as(&cal.clinicians[0].1, "/v1/alerts?limit=100").await.json().await.unwrap();
    let mut found: Vec<(String, String)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["patient_id"] == patient_id)
        .map(|a| (a["kind"].as_str().unwrap().to_string(), a["severity"].as_str().unwrap().to_string()))
        .collect();
    found.sort();
    found
}

fn kinds(found: &[(String, String)]) -> Vec<&str> {
    found.iter().map(|(k, _)| k.as_str()).collect()
}

fn today(cal: &Calendar) -> NaiveDate {
    Utc::now().with_timezone(&cal.zone).date_naive()
}

#[tokio::test]
async fn an_episodes_items_are_raised_once_and_clear_when_resolved() {
    let cal = crate::calendar_fixture::calendar("America/Chicago", 1).await;
    // Evaluated 25 days ago, "2× a week for 6 weeks": the signature is chased from day 21, the
    // period ends on day 42.
    let (patient_id, _, episode) = opened(&cal, 1, 25, json!({})).await;
    let id = episode["id"].as_str().unwrap();
    sweep(&cal).await;
    sweep(&cal).await;
    assert_eq!(
        items(&cal, &patient_id).await,
        vec![("certification_unsigned".into(), "warning".into()), ("no_future_visit".into(), "warning".into())],
        "each raised once, however often the sweep runs"
    );

    // One visit booked in the next two weeks: something is ahead, but fewer than 2 a week need.
    let visit = json!({"appointment_type": "follow_up", "start": rfc3339(cal.at(2, 10, 0)), "patient_id": patient_id,
        "clinician_id": cal.clinicians[0].0});
    cal.book_ok(&cal.desk, &visit).await;
    let day = today(&cal);
    let auth = json!({"payer": "Humana", "reference": "H-9", "visits": 3, "valid_from": day - Duration::days(25),
        "valid_to": day + Duration::days(30)});
    let added = cal.app.post_as(&cal.desk, &format!("/v1/episodes/{id}/authorizations"), &auth).await;
    assert_eq!(added.status(), 201);
    sweep(&cal).await;
    let found = items(&cal, &patient_id).await;
    assert_eq!(kinds(&found), vec!["authorization_low", "certification_unsigned", "under_scheduled"], "{found:?}");

    // Signed: the chase clears; the others stay.
    let signed = json!({"sent_on": day - Duration::days(10), "signed_on": day, "signed_by": "Dr. Okafor"});
    let path = format!("/v1/episodes/{id}/certification");
    let put = cal.app.client.put(cal.app.url(&path)).bearer_auth(&cal.clinicians[0].1).json(&signed);
    assert_eq!(put.send().await.unwrap().status(), 200);
    sweep(&cal).await;
    assert_eq!(kinds(&items(&cal, &patient_id).await), vec!["authorization_low", "under_scheduled"]);

    // Closed: every item of the episode clears, and the resolved ones are listed as such.
    let closed = cal
        .app
        .post_as(&cal.clinicians[0].1, &format!("/v1/episodes/{id}/close"), &json!({"reason": "Moved away"}))
        .await;
    assert_eq!(closed.status(), 200);
    sweep(&cal).await;
    assert!(items(&cal, &patient_id).await.is_empty());
    let resolved: Value =
        cal.app.get_as(&cal.clinicians[0].1, "/v1/alerts?status=resolved&limit=100").await.json().await.unwrap();
    let resolved: Vec<&str> =
        resolved["items"].as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap()).collect();
    for kind in ["certification_unsigned", "no_future_visit", "authorization_low", "under_scheduled"] {
        assert!(resolved.contains(&kind), "{kind} in {resolved:?}");
    }
}

#[tokio::test]
async fn a_recertification_coming_due_and_a_worsening_check_in_reach_the_worklist() {
    let cal = crate::calendar_fixture::calendar("America/Chicago", 1).await;
    // Evaluated 37 days ago: the 42-day period ends in 4 days.
    let (patient_id, patient, _) = opened(&cal, 1, 37, json!({})).await;
    let day = today(&cal);
    for (days_ago, pain) in [(7, 5), (0, 8)] {
        let check_in = json!({"completed_on": day - Duration::days(days_ago), "pain_now": pain, "pain_average": pain,
            "pain_worst": pain, "red_flags": {"saddle_numbness": false}});
        let path = format!("/v1/check-ins/{}", uuid::Uuid::now_v7());
        let sent = cal.app.client.put(cal.app.url(&path)).bearer_auth(&patient).json(&check_in).send().await.unwrap();
        assert!(sent.status().is_success(), "{:?}", sent.text().await);
    }
    sweep(&cal).await;
    let found = items(&cal, &patient_id).await;
    assert!(found.contains(&("recertification_due".into(), "warning".into())), "{found:?}");
    assert!(kinds(&found).contains(&"worsening"), "pain 5 → 8 is 3 points worse: {found:?}");

    // Acknowledged, an item is not raised again by the next sweeps while its cause lasts.
    let list: Value = cal.app.get_as(&cal.clinicians[0].1, "/v1/alerts?limit=100").await.json().await.unwrap();
    let item = list["items"].as_array().unwrap().iter().find(|a| a["kind"] == "no_future_visit").unwrap().clone();
    let path = format!("/v1/alerts/{}/acknowledge", item["id"].as_str().unwrap());
    let note = json!({"note": "Patient on holiday; booking on return"});
    assert_eq!(cal.app.post_as(&cal.clinicians[0].1, &path, &note).await.status(), 200);
    sweep(&cal).await;
    sweep(&cal).await;
    assert!(!kinds(&items(&cal, &patient_id).await).contains(&"no_future_visit"));
}
