//! Episodes of care through the API: a clinician opens one with its plan and the first
//! certification period; the plan's fields are checked by path; the certification follows the
//! signature and the 2025 referral exception; a recertification adds a period and keeps the
//! first; the front desk sees the authorizations (counted from the episode's visits) and never
//! the plan; closing lists the visits still booked; every read and write is audited.

use backtrack::db::schema::audit_log;
use chrono::{Duration, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::calendar_fixture::{calendar, rfc3339, Calendar};
use crate::helpers::assert_problem;

/// A plan of "2× a week for 6 weeks" for low back pain.
pub fn plan() -> Value {
    json!({
        "treatment": "Therapeutic exercise, manual therapy, home program",
        "visits_per_week": 2,
        "duration_weeks": 6,
        "diagnoses": [{"code": "m5450", "description": "Low back pain, unspecified"}],
        "goals": [
            {"term": "short_term", "description": "Sit 30 minutes without pain above 3/10", "target_date": null},
            {"term": "long_term", "description": "Walk 30 minutes without leg pain"}
        ],
        "referral": {"source": "Springfield Family Practice", "referring_provider": "Dr. Rivera"}
    })
}

fn today(cal: &Calendar) -> NaiveDate {
    Utc::now().with_timezone(&cal.zone).date_naive()
}

async fn put_as(cal: &Calendar, token: &str, path: &str, body: &Value) -> reqwest::Response {
    cal.app.client.put(cal.app.url(path)).bearer_auth(token).json(body).send().await.unwrap()
}

async fn ok(response: reqwest::Response, status: u16) -> Value {
    let got = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// An episode opened for a new patient by the first clinician, evaluated `days_ago` days ago.
pub async fn opened(cal: &Calendar, n: usize, days_ago: i64, extra: Value) -> (String, String, Value) {
    let (patient_id, patient) = cal.patient(n).await;
    let mut body = plan();
    body["evaluated_on"] = json!(today(cal) - Duration::days(days_ago));
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let clinician = &cal.clinicians[0].1;
    let episode =
        ok(cal.app.post_as(clinician, &format!("/v1/patients/{patient_id}/episodes"), &body).await, 201).await;
    (patient_id, patient, episode)
}

#[tokio::test]
async fn a_clinician_opens_an_episode_with_its_plan_and_its_first_certification_period() {
    let cal = calendar("America/Chicago", 1).await;
    let (patient_id, _, episode) = opened(&cal, 1, 0, json!({})).await;
    let day = today(&cal);
    assert_eq!(episode["status"], "open");
    assert_eq!(episode["planned_visits"], 12);
    assert_eq!(episode["plan"]["frequency"], "2× a week for 6 weeks");
    assert_eq!(episode["plan"]["diagnoses"][0]["code"], "M54.50", "stored upper-case with its dot");
    assert_eq!(episode["plan"]["goals"][1]["status"], "not_met");
    let period = &episode["certification"]["periods"][0];
    assert_eq!(period["number"], 1);
    assert_eq!(period["starts_on"], json!(day));
    assert_eq!(period["ends_on"], json!(day + Duration::days(41)), "42 days, day 1 counted");
    assert_eq!(episode["certification"]["status"], "due");
    assert_eq!(episode["certification"]["due_on"], json!(day + Duration::days(30)));
    assert_eq!(episode["first_treatment_on"], json!(day));

    let again = cal.app.post_as(&cal.clinicians[0].1, &format!("/v1/patients/{patient_id}/episodes"), &plan()).await;
    assert_problem(again, 409, "episode_open").await;
    let actions: Vec<String> = audit_log::table
        .filter(audit_log::patient_id.eq(&patient_id))
        .filter(audit_log::action.like("episode.%"))
        .select(audit_log::action)
        .load(&mut cal.app.conn())
        .unwrap();
    assert_eq!(actions, vec!["episode.open"]);
}

#[tokio::test]
async fn the_plans_fields_are_checked_and_each_refusal_names_its_path() {
    let cal = calendar("America/Chicago", 1).await;
    let (patient_id, _) = cal.patient(1).await;
    let mut body = plan();
    body["diagnoses"] = json!([{"code": "M54.50", "description": "ok"}, {"code": "722.10", "description": ""}]);
    body["visits_per_week"] = json!(9);
    body["goals"] = json!([{"term": "someday", "description": "Feel better", "status": "done"}]);
    body["evaluated_on"] = json!(today(&cal) + Duration::days(1));
    let refused = cal.app.post_as(&cal.clinicians[0].1, &format!("/v1/patients/{patient_id}/episodes"), &body).await;
    let problem = assert_problem(refused, 422, "validation_failed").await;
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for field in [
        "visits_per_week",
        "diagnoses[1].code",
        "diagnoses[1].description",
        "goals",
        "goals[0].term",
        "goals[0].status",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let mut future = plan();
    future["evaluated_on"] = json!(today(&cal) + Duration::days(1));
    let refused = cal.app.post_as(&cal.clinicians[0].1, &format!("/v1/patients/{patient_id}/episodes"), &future).await;
    let problem = assert_problem(refused, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "evaluated_on");
}

#[tokio::test]
async fn the_certification_follows_the_referral_exception_and_the_signature() {
    let cal = calendar("America/Chicago", 1).await;
    let day = today(&cal);
    let referral = json!({"referral": {"source": "Dr. Rivera's office", "referring_provider": "Dr. Rivera",
        "signed_on": day - Duration::days(20), "order_on_file": true}});
    let (_, _, episode) = opened(&cal, 1, 10, referral).await;
    let path = format!("/v1/episodes/{}/certification", episode["id"].as_str().unwrap());
    let clinician = &cal.clinicians[0].1;
    let sent = ok(put_as(&cal, clinician, &path, &json!({"sent_on": day - Duration::days(2)})).await, 200).await;
    assert_eq!(sent["certification"]["status"], "met_by_referral", "{sent}");
    assert_eq!(sent["certification"]["due_on"], Value::Null);

    // Without the order on file, sending the plan is not enough: the signature is still due.
    let (_, _, plain) = opened(&cal, 2, 10, json!({})).await;
    let path = format!("/v1/episodes/{}/certification", plain["id"].as_str().unwrap());
    let sent = ok(put_as(&cal, clinician, &path, &json!({"sent_on": day - Duration::days(2)})).await, 200).await;
    assert_eq!(sent["certification"]["status"], "due");
    assert_eq!(sent["certification"]["due_on"], json!(day + Duration::days(20)));
    let unsigned = put_as(&cal, clinician, &path, &json!({"signed_on": day})).await;
    let problem = assert_problem(unsigned, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "signed_by");
    let early = put_as(
        &cal,
        clinician,
        &path,
        &json!({"sent_on": day, "signed_on": day - Duration::days(1), "signed_by": "Dr. Rivera"}),
    )
    .await;
    assert_problem(early, 422, "validation_failed").await;
    let signed = json!({"sent_on": day - Duration::days(2), "signed_on": day, "signed_by": "Dr. Rivera, MD"});
    let signed = ok(put_as(&cal, clinician, &path, &signed).await, 200).await;
    assert_eq!(signed["certification"]["status"], "signed");
    assert_eq!(signed["certification"]["periods"][0]["signed_by"], "Dr. Rivera, MD");
}

#[tokio::test]
async fn a_recertification_starts_the_next_period_and_keeps_the_first() {
    let cal = calendar("America/Chicago", 1).await;
    let (_, _, episode) = opened(&cal, 1, 40, json!({"duration_weeks": 16, "visits_per_week": 3})).await;
    let first_end: NaiveDate =
        serde_json::from_value(episode["certification"]["periods"][0]["ends_on"].clone()).unwrap();
    let evaluated: NaiveDate = serde_json::from_value(episode["evaluated_on"].clone()).unwrap();
    assert_eq!(first_end, evaluated + Duration::days(89), "16 weeks is cut to 90 days");
    assert_eq!(episode["certification"]["recertify_by"], json!(first_end));
    let path = format!("/v1/episodes/{}/recertifications", episode["id"].as_str().unwrap());
    let clinician = &cal.clinicians[0].1;
    let wrong = cal.app.post_as(clinician, &path, &json!({"starts_on": first_end + Duration::days(5)})).await;
    assert_problem(wrong, 422, "validation_failed").await;
    let again =
        ok(cal.app.post_as(clinician, &path, &json!({"duration_weeks": 4, "visits_per_week": 2})).await, 201).await;
    let periods = again["certification"]["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 2);
    assert_eq!(periods[0]["ends_on"], json!(first_end), "the first period is kept as it was");
    assert_eq!(periods[1]["number"], 2);
    assert_eq!(periods[1]["starts_on"], json!(first_end + Duration::days(1)));
    assert_eq!(periods[1]["ends_on"], json!(first_end + Duration::days(28)));
    assert_eq!(again["plan"]["frequency"], "2× a week for 4 weeks");
    assert_eq!(again["planned_visits"], 48 + 8);
}

#[tokio::test]
async fn the_front_desk_sees_the_authorizations_and_never_the_plan() {
    let cal = calendar("America/Chicago", 2).await;
    let (patient_id, patient, episode) = opened(&cal, 1, 0, json!({})).await;
    let id = episode["id"].as_str().unwrap();
    let day = today(&cal);
    let auth = json!({"payer": "Blue Cross", "reference": "AUTH-0042", "visits": 12,
        "valid_from": day, "valid_to": day + Duration::days(60)});
    let added = ok(cal.app.post_as(&cal.desk, &format!("/v1/episodes/{id}/authorizations"), &auth).await, 201).await;
    assert_eq!(added["plan"], Value::Null, "no plan for the front desk: {added}");
    assert_eq!(added["certification"], Value::Null);
    assert_eq!(added["authorizations"][0]["remaining"], 12);
    assert_eq!(added["authorizations"][0]["next_visit"], 1);

    // A visit the desk books for the patient is the episode's, and counts against the authorization.
    let visit = json!({"appointment_type": "follow_up", "start": rfc3339(cal.at(2, 10, 0)),
        "patient_id": patient_id, "clinician_id": cal.clinicians[0].0});
    let booked = cal.book_ok(&cal.desk, &visit).await;
    let seen = ok(cal.app.get_as(&cal.desk, &format!("/v1/episodes/{id}")).await, 200).await;
    assert_eq!(seen["authorizations"][0]["booked"], 1, "{seen}");
    assert_eq!(seen["authorizations"][0]["next_visit"], 2);
    assert_eq!(seen["visits_booked"], 1);
    let listed = ok(cal.app.get_as(&cal.desk, &format!("/v1/patients/{patient_id}/episodes")).await, 200).await;
    assert_eq!(listed["items"][0]["plan"], Value::Null);

    let changed = json!({"payer": "Blue Cross", "reference": "AUTH-0042", "visits": 1,
        "valid_from": day, "valid_to": day + Duration::days(60)});
    let auth_id = seen["authorizations"][0]["id"].as_str().unwrap();
    let changed =
        ok(put_as(&cal, &cal.desk, &format!("/v1/episodes/{id}/authorizations/{auth_id}"), &changed).await, 200).await;
    assert_eq!(changed["authorizations"][0]["remaining"], 0);
    let bad =
        json!({"payer": "", "reference": "X", "visits": 0, "valid_from": day, "valid_to": day - Duration::days(1)});
    let problem = assert_problem(
        cal.app.post_as(&cal.desk, &format!("/v1/episodes/{id}/authorizations"), &bad).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 3, "{problem}");

    // What the desk may not do, and who else may read it.
    assert_problem(put_as(&cal, &cal.desk, &format!("/v1/episodes/{id}"), &plan()).await, 403, "forbidden").await;
    let open_again = cal.app.post_as(&cal.desk, &format!("/v1/patients/{patient_id}/episodes"), &plan()).await;
    assert_problem(open_again, 403, "forbidden").await;
    let own = ok(cal.app.get_as(&patient, &format!("/v1/episodes/{id}")).await, 200).await;
    assert_eq!(own["plan"]["diagnoses"][0]["code"], "M54.50", "the patient reads their own plan");
    let (_, stranger) = cal.patient(2).await;
    assert_problem(cal.app.get_as(&stranger, &format!("/v1/episodes/{id}")).await, 404, "not_found").await;

    // Closing lists the visit still booked ahead and leaves it booked.
    let close = json!({"reason": "Goals met"});
    let closed =
        ok(cal.app.post_as(&cal.clinicians[0].1, &format!("/v1/episodes/{id}/close"), &close).await, 200).await;
    assert_eq!(closed["episode"]["status"], "closed");
    assert_eq!(closed["future_visits"][0]["id"], booked["id"]);
    let revise = put_as(&cal, &cal.clinicians[0].1, &format!("/v1/episodes/{id}"), &plan()).await;
    assert_problem(revise, 409, "episode_closed").await;
    let twice = cal.app.post_as(&cal.clinicians[0].1, &format!("/v1/episodes/{id}/close"), &close).await;
    assert_problem(twice, 409, "episode_closed").await;
    let seen = ok(cal.app.get_as(&cal.desk, &format!("/v1/episodes/{id}")).await, 200).await;
    assert_eq!(seen["close_reason"], Value::Null, "the clinician's words are not the desk's");
    assert_eq!(closed["episode"]["close_reason"], "Goals met");
    // A new episode takes over the visit the closed one left booked.
    let reopened =
        ok(cal.app.post_as(&cal.clinicians[0].1, &format!("/v1/patients/{patient_id}/episodes"), &plan()).await, 201)
            .await;
    let moved_over =
        ok(cal.app.get_as(&cal.desk, &format!("/v1/appointments/{}", booked["id"].as_str().unwrap())).await, 200).await;
    assert_eq!(moved_over["episode_id"], reopened["id"]);
    assert_eq!(reopened["treatment_days"], 1, "the evaluation's day counts");
    let reads: i64 = audit_log::table
        .filter(audit_log::patient_id.eq(&patient_id))
        .filter(audit_log::action.eq_any([
            "episode.read",
            "episode.list",
            "authorization.create",
            "authorization.update",
        ]))
        .count()
        .get_result(&mut cal.app.conn())
        .unwrap();
    assert_eq!(reads, 6, "three reads, a list, a new authorization and a change, each audited");
}

#[tokio::test]
async fn booking_past_the_authorization_is_refused_unless_staff_give_a_reason_or_the_clinic_warns() {
    let cal = calendar("America/Chicago", 1).await;
    let (patient_id, patient, episode) = opened(&cal, 1, 0, json!({})).await;
    let id = episode["id"].as_str().unwrap();
    let day = today(&cal);
    let one = json!({"payer": "Aetna", "reference": "A-1", "visits": 1, "valid_from": day, "valid_to": day + Duration::days(5)});
    ok(cal.app.post_as(&cal.desk, &format!("/v1/episodes/{id}/authorizations"), &one).await, 201).await;
    let visit = |days: i64, hour: u32| {
        json!({"appointment_type": "follow_up", "start": rfc3339(cal.at(days, hour, 0)), "patient_id": patient_id,
            "clinician_id": cal.clinicians[0].0})
    };
    let first = cal.book_ok(&cal.desk, &visit(2, 10)).await;
    assert!(first.get("authorization_warning").is_none(), "{first}");
    assert_eq!(first["episode_id"], json!(id));
    assert_problem(cal.book(&cal.desk, &visit(3, 10)).await, 409, "authorization_exceeded").await;
    assert_problem(cal.book(&cal.desk, &visit(8, 10)).await, 409, "outside_authorization").await;
    let mut own = visit(3, 13);
    own.as_object_mut().unwrap().remove("patient_id");
    own["appointment_type"] = json!("comprehensive_evaluation");
    own["override_reason"] = json!("I will pay myself");
    assert_problem(cal.book(&patient, &own).await, 409, "authorization_exceeded").await;

    let mut overridden = visit(3, 10);
    overridden["override_reason"] = json!("Renewal requested from Aetna, reference to follow");
    let second = cal.book_ok(&cal.desk, &overridden).await;
    assert_eq!(second["authorization_warning"], "authorization_exceeded");
    let detail: Option<String> = audit_log::table
        .filter(audit_log::action.eq("appointment.create"))
        .filter(audit_log::target_id.eq(second["id"].as_str().unwrap()))
        .select(audit_log::detail)
        .first(&mut cal.app.conn())
        .unwrap();
    assert_eq!(detail.as_deref(), Some("override_authorization_exceeded"));

    // The clinic may warn instead of refusing.
    let mut settings: Value = cal.app.get_as(&cal.admin, "/v1/clinic/episode-settings").await.json().await.unwrap();
    assert_eq!(settings["authorization_overrun"], "refuse", "refusing is the default");
    settings["authorization_overrun"] = json!("warn");
    ok(put_as(&cal, &cal.admin, "/v1/clinic/episode-settings", &settings).await, 200).await;
    let warned = cal.book_ok(&cal.desk, &visit(8, 10)).await;
    assert_eq!(warned["authorization_warning"], "outside_authorization");
    settings["authorization_overrun"] = json!("sometimes");
    settings["worsening_nrs_points"] = json!(0);
    let problem = assert_problem(
        put_as(&cal, &cal.admin, "/v1/clinic/episode-settings", &settings).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn two_front_desks_booking_the_last_authorized_visit_at_once_have_one_winner() {
    let cal = calendar("America/Chicago", 2).await;
    let day = today(&cal);
    for round in 0..4 {
        let (patient_id, _, episode) = opened(&cal, 10 + round, 0, json!({})).await;
        let id = episode["id"].as_str().unwrap();
        let last = json!({"payer": "Cigna", "reference": format!("C-{round}"), "visits": 1,
            "valid_from": day, "valid_to": day + Duration::days(20)});
        ok(cal.app.post_as(&cal.desk, &format!("/v1/episodes/{id}/authorizations"), &last).await, 201).await;
        // The same patient, two clinicians, two times: only the authorization stands between them.
        let visit = |clinician: usize, hour: u32| {
            json!({"appointment_type": "follow_up", "start": rfc3339(cal.at(2 + round as i64, hour, 0)),
                "patient_id": patient_id, "clinician_id": cal.clinicians[clinician].0})
        };
        let (a, b) = (visit(0, 10), visit(1, 14));
        let (first, second) = tokio::join!(cal.book(&cal.desk, &a), cal.book(&cal.desk, &b));
        let mut statuses = vec![first.status().as_u16(), second.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, vec![201, 409], "round {round}: one wins, one hears authorization_exceeded");
        let seen = ok(cal.app.get_as(&cal.desk, &format!("/v1/episodes/{id}")).await, 200).await;
        assert_eq!(seen["authorizations"][0]["remaining"], 0);
    }
}

#[tokio::test]
async fn a_visit_moves_only_within_its_authorization_counted_without_itself() {
    let cal = calendar("America/Chicago", 1).await;
    let (patient_id, _, episode) = opened(&cal, 1, 0, json!({})).await;
    let id = episode["id"].as_str().unwrap();
    let day = today(&cal);
    let one = json!({"payer": "Aetna", "reference": "A-2", "visits": 1, "valid_from": day, "valid_to": day + Duration::days(6)});
    ok(cal.app.post_as(&cal.desk, &format!("/v1/episodes/{id}/authorizations"), &one).await, 201).await;
    let visit = json!({"appointment_type": "follow_up", "start": rfc3339(cal.at(2, 10, 0)), "patient_id": patient_id,
        "clinician_id": cal.clinicians[0].0});
    let booked = cal.book_ok(&cal.desk, &visit).await;
    let path = format!("/v1/appointments/{}/reschedule", booked["id"].as_str().unwrap());
    // Its one authorized visit is itself: moving within the dates is fine.
    let within = cal.app.post_as(&cal.desk, &path, &json!({"start": rfc3339(cal.at(3, 11, 0))})).await;
    assert_eq!(within.status(), 200, "{:?}", within.text().await);
    // Past the authorization's last day: refused, unless staff say why.
    let outside = json!({"start": rfc3339(cal.at(9, 11, 0))});
    assert_problem(cal.app.post_as(&cal.desk, &path, &outside).await, 409, "outside_authorization").await;
    let overridden = json!({"start": rfc3339(cal.at(9, 11, 0)), "override_reason": "Renewal on its way"});
    assert_eq!(cal.app.post_as(&cal.desk, &path, &overridden).await.status(), 200);
    let detail: Option<String> = audit_log::table
        .filter(audit_log::action.eq("appointment.reschedule"))
        .filter(audit_log::target_id.eq(booked["id"].as_str().unwrap()))
        .order(audit_log::occurred_at.desc())
        .select(audit_log::detail)
        .first(&mut cal.app.conn())
        .unwrap();
    assert_eq!(detail.as_deref(), Some("override_outside_authorization"));
}
