//! Finding a time and booking it: hours, exceptions, buffers, notice, horizon, who may book
//! what, and the status changes.

use backtrack::domain::role::Role;
use serde_json::{json, Value};

use crate::calendar_fixture::{calendar, rfc3339};
use crate::helpers::{assert_problem, spawn_app};

fn local_times(availability: &Value, clinician: usize) -> Vec<String> {
    availability["clinicians"][clinician]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["local_start"].as_str().unwrap()[11..16].to_string())
        .collect()
}

#[tokio::test]
async fn everyone_reads_the_seeded_types_and_only_admins_change_them() {
    let app = spawn_app().await;
    let types: Value = app.client.get(app.url("/v1/appointment-types")).send().await.unwrap().json().await.unwrap();
    let codes: Vec<&str> = types["items"].as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap()).collect();
    for code in ["comprehensive_evaluation", "follow_up", "re_evaluation", "dry_needling", "acupuncture_evaluation"] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    let evaluation =
        types["items"].as_array().unwrap().iter().find(|t| t["code"] == "comprehensive_evaluation").unwrap();
    assert_eq!(
        (evaluation["duration_minutes"].as_i64(), evaluation["patient_bookable"].as_bool()),
        (Some(60), Some(true))
    );

    let (_, desk) = app.user_with_token(Role::FrontDesk, "fd@clinic.example", "Finn Desk").await;
    let (_, admin) = app.user_with_token(Role::Admin, "admin@clinic.example", "Ada Admin").await;
    let new_type = json!({"code": "pelvic_health", "name": "Pelvic health visit", "duration_minutes": 50, "patient_bookable": false,
        "min_notice_hours": 24, "horizon_days": 90, "cancel_cutoff_hours": 24, "reschedule_cutoff_hours": 24});
    assert_problem(app.post_as(&desk, "/v1/appointment-types", &new_type).await, 403, "forbidden").await;
    assert_eq!(app.post_as(&admin, "/v1/appointment-types", &new_type).await.status(), 201);
    assert_problem(app.post_as(&admin, "/v1/appointment-types", &new_type).await, 409, "code_taken").await;
    let missing = app.post_as(&admin, "/v1/appointment-types", &json!({"code": "x1", "duration_minutes": 2})).await;
    let problem = assert_problem(missing, 422, "validation_failed").await;
    assert!(problem["errors"].as_array().unwrap().len() >= 5);
    let changed: Value = app
        .patch_as(&admin, "/v1/appointment-types/pelvic_health", &json!({"duration_minutes": 55}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(changed["duration_minutes"], 55);
    assert_eq!(app.post_as(&admin, "/v1/appointment-types/pelvic_health/archive", &json!({})).await.status(), 200);
    let after: Value = app.client.get(app.url("/v1/appointment-types")).send().await.unwrap().json().await.unwrap();
    assert!(!after["items"].as_array().unwrap().iter().any(|t| t["code"] == "pelvic_health"));
}

#[tokio::test]
async fn clinic_settings_are_validated_and_admin_only() {
    let cal = calendar("America/Chicago", 0).await;
    let clinic: Value = cal.app.client.get(cal.app.url("/v1/clinic")).send().await.unwrap().json().await.unwrap();
    assert_eq!(clinic["time_zone"], "America/Chicago");
    assert_eq!(clinic["phone"], "+13125550100");
    let bad = json!({"name": "", "address": "", "phone": "", "time_zone": "Nowhere", "slot_granularity_minutes": 7,
        "reminder_offsets_minutes": [0], "waitlist_offer_minutes": 1});
    let response =
        cal.app.client.put(cal.app.url("/v1/clinic")).bearer_auth(&cal.admin).json(&bad).send().await.unwrap();
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 5);
    let response =
        cal.app.client.put(cal.app.url("/v1/clinic")).bearer_auth(&cal.desk).json(&clinic).send().await.unwrap();
    assert_problem(response, 403, "forbidden").await;
}

#[tokio::test]
async fn availability_follows_hours_buffers_and_existing_bookings() {
    let cal = calendar("America/Chicago", 1).await;
    let (clinician, _) = cal.clinicians[0].clone();
    let (_, patient) = cal.patient(1).await;
    let (from, to) = (cal.at(3, 0, 0), cal.at(4, 0, 0));
    let query = format!("appointment_type=comprehensive_evaluation&from={}&to={}", rfc3339(from), rfc3339(to));
    let free = cal.availability(&patient, &query).await;
    assert_eq!(free["time_zone"], "America/Chicago");
    let times = local_times(&free, 0);
    assert_eq!(times.first().map(String::as_str), Some("09:00"));
    assert_eq!(times.last().map(String::as_str), Some("16:00"), "a 60-minute visit ends by 17:00");
    assert_eq!(times.len(), 29);

    // A 10:00 evaluation keeps the clinician until 11:15 (60 minutes + 15 after).
    cal.book_ok(&patient, &json!({"appointment_type": "comprehensive_evaluation", "start": rfc3339(cal.at(3, 10, 0)), "clinician_id": clinician})).await;
    let (_, other) = cal.patient(2).await;
    let times = local_times(&cal.availability(&other, &query).await, 0);
    assert!(!times.contains(&"10:00".to_string()) && !times.contains(&"11:00".to_string()), "{times:?}");
    assert!(times.contains(&"11:15".to_string()), "{times:?}");
    let taken = cal.book(&other, &json!({"appointment_type": "comprehensive_evaluation", "start": rfc3339(cal.at(3, 11, 0)), "clinician_id": clinician})).await;
    assert_problem(taken, 409, "slot_taken").await;
    cal.book_ok(&other, &json!({"appointment_type": "comprehensive_evaluation", "start": rfc3339(cal.at(3, 11, 15))}))
        .await;

    let too_wide =
        format!("appointment_type=comprehensive_evaluation&from={}&to={}", rfc3339(from), rfc3339(cal.at(40, 0, 0)));
    assert_problem(cal.app.get_as(&patient, &format!("/v1/availability?{too_wide}")).await, 422, "validation_failed")
        .await;
}

#[tokio::test]
async fn time_off_and_extra_hours_change_what_can_be_booked() {
    let cal = calendar("America/Chicago", 1).await;
    let (clinician, clinician_token) = cal.clinicians[0].clone();
    let (_, patient) = cal.patient(1).await;
    let off = json!({"kind": "time_off", "starts_at": rfc3339(cal.at(5, 9, 0)), "ends_at": rfc3339(cal.at(5, 13, 0)), "note": "Course"});
    let response = cal.app.post_as(&clinician_token, &format!("/v1/clinicians/{clinician}/exceptions"), &off).await;
    assert_eq!(response.status(), 201);
    let extra =
        json!({"kind": "extra_hours", "starts_at": rfc3339(cal.at(5, 18, 0)), "ends_at": rfc3339(cal.at(5, 20, 0))});
    let created: Value = cal
        .app
        .post_as(&cal.desk, &format!("/v1/clinicians/{clinician}/exceptions"), &extra)
        .await
        .json()
        .await
        .unwrap();
    let query = format!(
        "appointment_type=comprehensive_evaluation&from={}&to={}",
        rfc3339(cal.at(5, 0, 0)),
        rfc3339(cal.at(6, 0, 0))
    );
    let times = local_times(&cal.availability(&patient, &query).await, 0);
    assert_eq!(times.first().map(String::as_str), Some("13:00"));
    assert!(times.contains(&"19:00".to_string()) && !times.contains(&"19:15".to_string()));
    let in_time_off = cal
        .book(&patient, &json!({"appointment_type": "comprehensive_evaluation", "start": rfc3339(cal.at(5, 10, 0))}))
        .await;
    let problem = assert_problem(in_time_off, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "not_available");
    cal.book_ok(
        &patient,
        &json!({"appointment_type": "comprehensive_evaluation", "start": rfc3339(cal.at(5, 18, 30))}),
    )
    .await;

    // Another clinician cannot edit these hours; a patient cannot even see them.
    let (_, stranger) = cal.app.user_with_token(Role::Clinician, "other@clinic.example", "Zed Clinician").await;
    assert_problem(
        cal.app.post_as(&stranger, &format!("/v1/clinicians/{clinician}/exceptions"), &off).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        cal.app.get_as(&patient, &format!("/v1/clinicians/{clinician}/availability")).await,
        404,
        "not_found",
    )
    .await;
    let eid = created["id"].as_str().unwrap();
    let deleted = cal
        .app
        .client
        .delete(cal.app.url(&format!("/v1/clinicians/{clinician}/exceptions/{eid}")))
        .bearer_auth(&cal.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
}

#[tokio::test]
async fn patients_book_only_bookable_types_within_notice_and_horizon_and_staff_may_pass_with_a_reason() {
    let cal = calendar("America/Chicago", 1).await;
    let (patient_id, patient) = cal.patient(1).await;
    let follow_up =
        cal.book(&patient, &json!({"appointment_type": "follow_up", "start": rfc3339(cal.at(3, 9, 0))})).await;
    assert_problem(follow_up, 409, "not_patient_bookable").await;
    crate::calendar_fixture::set_hours(&cal.app, &cal.admin, &cal.clinicians[0].0, "00:00", "24:00").await;
    let too_soon = quarter_hour_after(2);
    let response =
        cal.book(&patient, &json!({"appointment_type": "comprehensive_evaluation", "start": rfc3339(too_soon)})).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "too_soon");
    let far = cal
        .book(&patient, &json!({"appointment_type": "comprehensive_evaluation", "start": rfc3339(cal.at(70, 10, 0))}))
        .await;
    assert_eq!(assert_problem(far, 422, "validation_failed").await["errors"][0]["code"], "too_far_ahead");
    // Booking for someone else is not a patient's to do.
    let (other_id, _) = cal.patient(2).await;
    let for_other = cal.book(&patient, &json!({"appointment_type": "comprehensive_evaluation", "start": rfc3339(cal.at(3, 9, 0)), "patient_id": other_id})).await;
    assert_problem(for_other, 403, "forbidden").await;

    // Staff: any type, and past the horizon only with a reason, which is audited.
    let far_staff =
        json!({"appointment_type": "follow_up", "start": rfc3339(cal.at(70, 10, 0)), "patient_id": patient_id});
    let needs_reason = assert_problem(cal.book(&cal.desk, &far_staff).await, 422, "validation_failed").await;
    assert_eq!(needs_reason["errors"][0]["field"], "override_reason");
    let mut with_reason = far_staff.clone();
    with_reason["override_reason"] = json!("Patient travels until then");
    let booked = cal.book_ok(&cal.desk, &with_reason).await;
    assert_eq!(booked["appointment_type"], "follow_up");
    assert!(booked.get("reason").is_none_or(Value::is_null), "the front desk does not see reasons");
    use backtrack::db::schema::audit_log;
    use diesel::prelude::*;
    let details: Vec<Option<String>> = audit_log::table
        .filter(audit_log::action.eq("appointment.create"))
        .select(audit_log::detail)
        .load(&mut cal.app.conn())
        .unwrap();
    assert_eq!(details, [Some("override_notice_or_horizon".to_string())]);
}

#[tokio::test]
async fn statuses_move_only_along_the_allowed_paths_with_history() {
    let cal = calendar("America/Chicago", 1).await;
    let (patient_id, patient) = cal.patient(1).await;
    let booked = cal
        .book_ok(
            &cal.desk,
            &json!({"appointment_type": "follow_up", "start": rfc3339(cal.at(2, 9, 0)), "patient_id": patient_id}),
        )
        .await;
    let id = booked["id"].as_str().unwrap();
    let post = |path: &str| {
        let url = format!("/v1/appointments/{id}/{path}");
        let (app, desk) = (&cal.app, cal.desk.clone());
        async move { app.post_as(&desk, &url, &json!({})).await }
    };
    assert_problem(post("complete").await, 409, "invalid_transition").await;
    assert_problem(
        cal.app.post_as(&patient, &format!("/v1/appointments/{id}/arrive"), &json!({})).await,
        403,
        "forbidden",
    )
    .await;
    let arrived: Value = post("arrive").await.json().await.unwrap();
    assert_eq!(arrived["status"], "arrived");
    assert_problem(post("no-show").await, 409, "invalid_transition").await;
    assert_problem(post("cancel").await, 409, "invalid_transition").await;
    let completed: Value = post("complete").await.json().await.unwrap();
    assert_eq!(completed["status"], "completed");
    assert_problem(post("arrive").await, 409, "invalid_transition").await;

    let second = cal
        .book_ok(
            &cal.desk,
            &json!({"appointment_type": "follow_up", "start": rfc3339(cal.at(2, 11, 0)), "patient_id": patient_id}),
        )
        .await;
    let no_show: Value = cal
        .app
        .post_as(&cal.desk, &format!("/v1/appointments/{}/no-show", second["id"].as_str().unwrap()), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(no_show["status"], "no_show");

    let history: Value =
        cal.app.get_as(&cal.desk, &format!("/v1/appointments/{id}/history")).await.json().await.unwrap();
    let actions: Vec<&str> =
        history["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["booked", "arrived", "completed"]);
    assert_eq!(history["items"][1]["from_status"], "booked");
    assert_eq!(history["items"][1]["to_status"], "arrived");
    assert!(history["items"][1]["actor_id"].is_string());
}

/// The next quarter hour at least `hours` from now.
fn quarter_hour_after(hours: i64) -> chrono::DateTime<chrono::Utc> {
    use chrono::{DurationRound, Utc};
    (Utc::now() + chrono::Duration::hours(hours)).duration_trunc(chrono::Duration::minutes(15)).unwrap()
        + chrono::Duration::minutes(15)
}

#[tokio::test]
async fn cut_offs_stop_patients_and_mark_late_cancellations_by_staff() {
    let cal = calendar("America/Chicago", 1).await;
    crate::calendar_fixture::set_hours(&cal.app, &cal.admin, &cal.clinicians[0].0, "00:00", "24:00").await;
    let (patient_id, patient) = cal.patient(1).await;
    // Staff book inside the type's notice (with a reason), so the visit is inside the cut-offs.
    let start = quarter_hour_after(3);
    let body = json!({"appointment_type": "follow_up", "start": rfc3339(start), "patient_id": patient_id, "override_reason": "urgent"});
    let booked = cal.book_ok(&cal.desk, &body).await;
    let id = booked["id"].as_str().unwrap();
    let cancel = cal.app.post_as(&patient, &format!("/v1/appointments/{id}/cancel"), &json!({"reason": "sick"})).await;
    let problem = assert_problem(cancel, 409, "inside_cutoff").await;
    assert!(problem["detail"].as_str().unwrap().contains("+13125550100"), "{problem}");
    let moved = cal
        .app
        .post_as(&patient, &format!("/v1/appointments/{id}/reschedule"), &json!({"start": rfc3339(cal.at(5, 10, 0))}))
        .await;
    assert_problem(moved, 409, "inside_cutoff").await;
    let cancelled: Value = cal
        .app
        .post_as(&cal.desk, &format!("/v1/appointments/{id}/cancel"), &json!({"reason": "patient called"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (cancelled["status"].as_str(), cancelled["late_cancellation"].as_bool()),
        (Some("cancelled"), Some(true))
    );

    // Outside the cut-off, the patient cancels themselves, and it is not late.
    let later = cal
        .book_ok(&patient, &json!({"appointment_type": "comprehensive_evaluation", "start": rfc3339(cal.at(6, 10, 0))}))
        .await;
    let cancelled: Value = cal
        .app
        .post_as(&patient, &format!("/v1/appointments/{}/cancel", later["id"].as_str().unwrap()), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (cancelled["status"].as_str(), cancelled["late_cancellation"].as_bool()),
        (Some("cancelled"), Some(false))
    );
}

#[tokio::test]
async fn patients_see_only_their_own_appointments() {
    let cal = calendar("America/Chicago", 1).await;
    let (_, alice) = cal.patient(1).await;
    let (_, bob) = cal.patient(2).await;
    let mine = cal.book_ok(&alice, &json!({"appointment_type": "comprehensive_evaluation", "start": rfc3339(cal.at(4, 9, 0)), "reason": "Back pain for 4 months"})).await;
    let id = mine["id"].as_str().unwrap();
    assert_eq!(mine["reason"], "Back pain for 4 months");
    assert_problem(cal.app.get_as(&bob, &format!("/v1/appointments/{id}")).await, 404, "not_found").await;
    assert_problem(cal.app.post_as(&bob, &format!("/v1/appointments/{id}/cancel"), &json!({})).await, 404, "not_found")
        .await;
    assert_problem(cal.app.get_as(&bob, &format!("/v1/appointments/{id}/calendar.ics")).await, 404, "not_found").await;
    assert_problem(cal.app.get_as(&bob, "/v1/appointments").await, 403, "forbidden").await;
    let bobs: Value = cal.app.get_as(&bob, "/v1/me/appointments").await.json().await.unwrap();
    assert!(bobs["items"].as_array().unwrap().is_empty());
    let alices: Value = cal.app.get_as(&alice, "/v1/me/appointments").await.json().await.unwrap();
    assert_eq!(alices["items"].as_array().unwrap().len(), 1);
    let ics = cal.app.get_as(&alice, &format!("/v1/appointments/{id}/calendar.ics")).await.text().await.unwrap();
    assert!(ics.contains(&format!("UID:{id}@clinic.example")) && ics.contains("METHOD:REQUEST"), "{ics}");
    let seen_by_desk: Value = cal.app.get_as(&cal.desk, &format!("/v1/appointments/{id}")).await.json().await.unwrap();
    assert!(seen_by_desk["reason"].is_null(), "clinical reasons stay away from the front desk");
}

#[tokio::test]
async fn staff_list_the_calendar_with_filters_and_cursors() {
    let cal = calendar("America/Chicago", 2).await;
    let (patient_id, _) = cal.patient(1).await;
    for (hour, clinician) in [(9, 0), (10, 1), (11, 0), (12, 1), (13, 0)] {
        let body = json!({"appointment_type": "follow_up", "start": rfc3339(cal.at(3, hour, 0)), "patient_id": patient_id, "clinician_id": cal.clinicians[clinician].0});
        cal.book_ok(&cal.desk, &body).await;
    }
    let range = format!("from={}&to={}", rfc3339(cal.at(3, 0, 0)), rfc3339(cal.at(4, 0, 0)));
    let page: Value =
        cal.app.get_as(&cal.desk, &format!("/v1/appointments?{range}&limit=2")).await.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let mut starts: Vec<String> =
        page["items"].as_array().unwrap().iter().map(|a| a["start"].as_str().unwrap().to_string()).collect();
    let mut cursor = page["next_cursor"].as_str().map(str::to_string);
    while let Some(next) = cursor {
        let more: Value = cal
            .app
            .get_as(&cal.desk, &format!("/v1/appointments?{range}&limit=2&cursor={next}"))
            .await
            .json()
            .await
            .unwrap();
        starts.extend(more["items"].as_array().unwrap().iter().map(|a| a["start"].as_str().unwrap().to_string()));
        cursor = more["next_cursor"].as_str().map(str::to_string);
    }
    assert_eq!(starts.len(), 5);
    assert!(starts.windows(2).all(|w| w[0] < w[1]));
    let theirs: Value = cal
        .app
        .get_as(&cal.desk, &format!("/v1/appointments?{range}&clinician_id={}", cal.clinicians[1].0))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["items"].as_array().unwrap().len(), 2);
    let cancelled: Value =
        cal.app.get_as(&cal.desk, &format!("/v1/appointments?{range}&status=cancelled")).await.json().await.unwrap();
    assert!(cancelled["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_day_view_shows_hours_appointments_and_free_gaps_in_clinic_time() {
    let cal = calendar("America/Chicago", 1).await;
    let (patient_id, patient) = cal.patient(1).await;
    let clinician = cal.clinicians[0].0.clone();
    for (kind, hour) in [("comprehensive_evaluation", 10), ("follow_up", 14)] {
        let body = json!({"appointment_type": kind, "start": rfc3339(cal.at(3, hour, 0)), "patient_id": patient_id, "clinician_id": clinician});
        cal.book_ok(&cal.desk, &body).await;
    }
    let date = cal.at(3, 12, 0).with_timezone(&cal.zone).date_naive();
    let day: Value = cal.app.get_as(&cal.desk, &format!("/v1/schedule?date={date}")).await.json().await.unwrap();
    assert_eq!(day["time_zone"], "America/Chicago");
    let mine = &day["clinicians"][0];
    let span = |p: &Value| {
        format!("{}-{}", &p["local_start"].as_str().unwrap()[11..16], &p["local_end"].as_str().unwrap()[11..16])
    };
    let working: Vec<String> = mine["working"].as_array().unwrap().iter().map(span).collect();
    assert_eq!(working, ["09:00-17:00"]);
    assert_eq!(mine["appointments"].as_array().unwrap().len(), 2);
    let free: Vec<String> = mine["free"].as_array().unwrap().iter().map(span).collect();
    assert_eq!(free, ["09:00-10:00", "11:15-14:00", "14:45-17:00"], "the evaluation keeps 15 minutes after it");
    assert_problem(cal.app.get_as(&patient, "/v1/schedule").await, 403, "forbidden").await;
}

#[tokio::test]
async fn absurd_dates_and_times_are_refused_not_a_server_error() {
    let cal = calendar("America/Chicago", 1).await;
    let (clinician, _) = cal.clinicians[0].clone();
    let (patient_id, patient) = cal.patient(1).await;
    let far = "appointment_type=comprehensive_evaluation&from=%2B262142-12-30T00:00:00Z&to=%2B262142-12-31T00:00:00Z";
    assert_problem(cal.app.get_as(&patient, &format!("/v1/availability?{far}")).await, 422, "validation_failed").await;
    let ancient = "appointment_type=comprehensive_evaluation&from=-262143-01-01T00:00:00Z&to=-262143-01-02T00:00:00Z";
    let response = cal.app.get_as(&patient, &format!("/v1/availability?{ancient}")).await;
    assert!(response.status().is_client_error(), "{}", response.status());
    assert_problem(cal.app.get_as(&cal.desk, "/v1/schedule?date=9999-12-31").await, 422, "validation_failed").await;
    let body = json!({"appointment_type": "follow_up", "start": "3000-01-01T10:00:00Z", "patient_id": patient_id, "override_reason": "x"});
    assert_problem(cal.book(&cal.desk, &body).await, 422, "validation_failed").await;
    let off = json!({"kind": "time_off", "starts_at": "1900-01-01T00:00:00Z", "ends_at": "1900-01-02T00:00:00Z"});
    assert_problem(
        cal.app.post_as(&cal.admin, &format!("/v1/clinicians/{clinician}/exceptions"), &off).await,
        422,
        "validation_failed",
    )
    .await;
    let hours = json!({"rules": [{"weekday": 1, "start": "1073741833:00", "end": "17:00"}]});
    let response = cal
        .app
        .client
        .put(cal.app.url(&format!("/v1/clinicians/{clinician}/availability")))
        .bearer_auth(&cal.admin)
        .json(&hours)
        .send()
        .await
        .unwrap();
    assert_problem(response, 422, "validation_failed").await;
}

#[tokio::test]
async fn staff_moving_outside_notice_or_horizon_give_a_reason_and_stale_changes_are_refused() {
    let cal = calendar("America/Chicago", 1).await;
    let (patient_id, patient) = cal.patient(1).await;
    let booked = cal
        .book_ok(&patient, &json!({"appointment_type": "comprehensive_evaluation", "start": rfc3339(cal.at(4, 9, 0))}))
        .await;
    let id = booked["id"].as_str().unwrap();
    let far = json!({"start": rfc3339(cal.at(90, 9, 0))});
    let problem = assert_problem(
        cal.app.post_as(&cal.desk, &format!("/v1/appointments/{id}/reschedule"), &far).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "override_reason");
    let with_reason = json!({"start": rfc3339(cal.at(90, 9, 0)), "override_reason": "after surgery"});
    assert_eq!(
        cal.app.post_as(&cal.desk, &format!("/v1/appointments/{id}/reschedule"), &with_reason).await.status(),
        200
    );
    // Once cancelled, it cannot be moved again.
    assert_eq!(cal.app.post_as(&cal.desk, &format!("/v1/appointments/{id}/cancel"), &json!({})).await.status(), 200);
    let moved = cal.app.post_as(&cal.desk, &format!("/v1/appointments/{id}/reschedule"), &with_reason).await;
    assert_problem(moved, 409, "invalid_transition").await;
    let _ = patient_id;
}

#[tokio::test]
async fn the_second_occurrence_of_a_repeated_hour_cannot_be_booked() {
    let cal = calendar("America/Chicago", 1).await;
    crate::calendar_fixture::set_hours(&cal.app, &cal.admin, &cal.clinicians[0].0, "00:00", "04:00").await;
    let response =
        cal.app.patch_as(&cal.admin, "/v1/appointment-types/dry_needling", &json!({"horizon_days": 730})).await;
    assert_eq!(response.status(), 200);
    let (patient_id, _) = cal.patient(1).await;
    // On the fall-back night 01:30 happens in daylight time and again an hour later in standard
    // time: only the first is a slot.
    let change = crate::zone_changes::next_fall_back(chrono_tz::America::Chicago, crate::zone_changes::soon());
    let half_past_one = crate::zone_changes::wall(change.local_date(), 1, 30);
    let (daylight, standard) = (change.utc_before(half_past_one), change.utc_after(half_past_one));
    assert_eq!(standard - daylight, chrono::Duration::hours(1));
    let at = crate::zone_changes::z;
    let second = json!({"appointment_type": "dry_needling", "start": at(standard), "patient_id": patient_id});
    let problem = assert_problem(cal.book(&cal.desk, &second).await, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "not_available");
    let first = json!({"appointment_type": "dry_needling", "start": at(daylight), "patient_id": patient_id});
    cal.book_ok(&cal.desk, &first).await;
}
