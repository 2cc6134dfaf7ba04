//! Who may call what: every operation in the OpenAPI document, called by every role, and the
//! answer each role must get. An operation the document has and this table lacks fails the test,
//! and so does an entry for an operation the document no longer has.
//!
//! Each call gets a request a permitted caller would send (a valid body, real ids), so a refusal
//! is the authorization rule speaking and not the validation. Operations that use a thing up
//! (cancel, archive, delete) get a fresh one for every call.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicI64, Ordering};

use backtrack::domain::reminders::ReminderKind;
use backtrack::domain::role::Role;
use chrono::{Duration, NaiveDate, Utc};
use serde_json::{json, Value};

use crate::calendar_fixture::{calendar, rfc3339, Calendar};
use crate::clinical_record::evaluation;
use crate::helpers::PASSWORD;

const ROLES: [&str; 8] =
    ["anonymous", "patient A", "patient B", "front desk", "clinician", "other clinician", "admin", "worker"];

/// One letter per role, in [`ROLES`] order: `Y` let through (2xx or 304; every caller let through
/// acts on a thing of its own, so none meets one an earlier caller changed), `C` 409, `U` 401, `F` 403, `N` 404 (another patient's thing is not theirs to
/// know about), `B` 400 (the token in the request is the credential: no role changes that).
///
/// Patient A is clinician's patient (clinician evaluated them). Records are asked for without
/// `X-Access-Reason`, so the other clinician is refused. The worker reaches its delivery
/// endpoints and `GET /v1/me` only.
const MATRIX: &[(&str, &str, &str)] = &[
    ("get", "/healthz", "YYYYYYYY"),
    ("get", "/metrics", "YYYYYYYY"),
    ("get", "/readyz", "YYYYYYYY"),
    ("get", "/v1/admin/deliveries", "UFFFFFYF"),
    ("get", "/v1/admin/deliveries/stats", "UFFFFFYF"),
    ("post", "/v1/admin/deliveries/{id}/retry", "UFFFFFYF"),
    ("get", "/v1/alerts", "UFFFYYYF"),
    ("post", "/v1/alerts/{id}/acknowledge", "UFFFYFFF"),
    ("get", "/v1/appointment-types", "YYYYYYYY"),
    ("post", "/v1/appointment-types", "UFFFFFYF"),
    ("patch", "/v1/appointment-types/{id}", "UFFFFFYF"),
    ("post", "/v1/appointment-types/{id}/archive", "UFFFFFYF"),
    ("get", "/v1/appointments", "UFFYYYYF"),
    ("post", "/v1/appointments", "UYFYYYYF"),
    ("get", "/v1/appointments/{id}", "UYNYYYYF"),
    ("post", "/v1/appointments/{id}/arrive", "UFFYYYYF"),
    ("get", "/v1/appointments/{id}/calendar.ics", "UYNYYYYF"),
    ("post", "/v1/appointments/{id}/cancel", "UYNYYYYF"),
    ("post", "/v1/appointments/{id}/complete", "UFFYYYYF"),
    ("get", "/v1/appointments/{id}/evaluation", "UYNFYFYF"),
    ("put", "/v1/appointments/{id}/evaluation", "UFFFYFFF"),
    ("get", "/v1/appointments/{id}/history", "UYNYYYYF"),
    ("post", "/v1/appointments/{id}/no-show", "UFFYYYYF"),
    ("post", "/v1/appointments/{id}/reschedule", "UYNYYYYF"),
    ("get", "/v1/audit", "UFFFFFYF"),
    ("post", "/v1/auth/accept-invite", "BBBBBBBB"),
    ("post", "/v1/auth/login", "YYYYYYYY"),
    ("post", "/v1/auth/logout", "YYYYYYYY"),
    ("post", "/v1/auth/password/forgot", "YYYYYYYY"),
    ("post", "/v1/auth/password/reset", "BBBBBBBB"),
    ("post", "/v1/auth/refresh", "YYYYYYYY"),
    ("post", "/v1/auth/register", "YYYYYYYY"),
    ("post", "/v1/auth/verify-email", "BBBBBBBB"),
    ("get", "/v1/availability", "UYYYYYYF"),
    ("put", "/v1/check-ins/{id}", "UYNFFFFF"),
    ("get", "/v1/clinic", "YYYYYYYY"),
    ("put", "/v1/clinic", "UFFFFFYF"),
    ("get", "/v1/clinic/clinical-rules", "UFFFYYYF"),
    ("put", "/v1/clinic/clinical-rules", "UFFFFFYF"),
    ("get", "/v1/clinic/episode-settings", "UFFYYYYF"),
    ("put", "/v1/clinic/episode-settings", "UFFFFFYF"),
    ("get", "/v1/clinicians", "UYYYYYYF"),
    ("get", "/v1/episodes/{id}", "UYNYYFYF"),
    ("put", "/v1/episodes/{id}", "UFFFYFFF"),
    ("post", "/v1/episodes/{id}/authorizations", "UFFYYFYF"),
    ("put", "/v1/episodes/{id}/authorizations/{authorization_id}", "UFFYYFYF"),
    ("put", "/v1/episodes/{id}/certification", "UFFFYFFF"),
    ("post", "/v1/episodes/{id}/close", "UFFFYFFF"),
    ("post", "/v1/episodes/{id}/recertifications", "UFFFYFFF"),
    ("post", "/v1/episodes/{id}/series", "UFFYYFYF"),
    ("get", "/v1/clinicians/{id}/availability", "UNNYYFYF"),
    ("put", "/v1/clinicians/{id}/availability", "UNNYYFYF"),
    ("post", "/v1/clinicians/{id}/exceptions", "UNNYYFYF"),
    ("delete", "/v1/clinicians/{id}/exceptions/{eid}", "UNNYYFYF"),
    ("put", "/v1/clinicians/{id}/services", "UFFFFFYF"),
    ("put", "/v1/exercise-logs/{id}", "UYNFFFFF"),
    ("get", "/v1/exercises", "UYYYYYYF"),
    ("post", "/v1/exercises", "UFFFYYYF"),
    ("get", "/v1/exercises/{id}", "UYYYYYYF"),
    ("patch", "/v1/exercises/{id}", "UFFFYYYF"),
    ("post", "/v1/exercises/{id}/archive", "UFFFYYYF"),
    ("get", "/v1/me", "UYYYYYYY"),
    ("patch", "/v1/me", "UYYYYYYF"),
    ("get", "/v1/me/adherence", "UYYFFFFF"),
    ("get", "/v1/me/appointments", "UYYFFFFF"),
    ("post", "/v1/me/email-verification", "UYYYYYYF"),
    ("get", "/v1/me/check-ins", "UYYFFFFF"),
    ("get", "/v1/me/exercise-logs", "UYYFFFFF"),
    ("get", "/v1/me/export", "UYYFFFFF"),
    ("get", "/v1/me/notification-preferences", "UYYFFFFF"),
    ("put", "/v1/me/notification-preferences", "UYYFFFFF"),
    ("post", "/v1/me/password", "UYYYYYYF"),
    // Patient B has no program: the answer is "none yet", not a refusal.
    ("get", "/v1/me/program", "UYNFFFFF"),
    ("get", "/v1/me/progress", "UYYFFFFF"),
    ("get", "/v1/me/red-flag", "UYYFFFFF"),
    ("get", "/v1/me/reminders", "UYYFFFFF"),
    ("put", "/v1/me/reminders", "UYYFFFFF"),
    ("get", "/v1/patients", "UFFYYYYF"),
    ("post", "/v1/patients", "UFFYFFYF"),
    ("get", "/v1/patients/{id}", "UYNYYYYF"),
    ("patch", "/v1/patients/{id}", "UFNYFFYF"),
    ("get", "/v1/patients/{id}/adherence", "UYNFYFYF"),
    ("get", "/v1/patients/{id}/check-ins", "UYNFYFYF"),
    ("get", "/v1/patients/{id}/episodes", "UYNYYFYF"),
    ("post", "/v1/patients/{id}/episodes", "UFFFYFFF"),
    ("get", "/v1/patients/{id}/exercise-logs", "UYNFYFYF"),
    ("get", "/v1/patients/{id}/programs", "UYNFYFYF"),
    ("post", "/v1/patients/{id}/programs", "UFFFYFYF"),
    ("get", "/v1/patients/{id}/progress", "UYNFYFYF"),
    ("get", "/v1/patients/{id}/progress.png", "UYNFYFYF"),
    ("get", "/v1/patients/{id}/progress.svg", "UYNFYFYF"),
    ("get", "/v1/programs/{id}", "UYNFYFYF"),
    ("put", "/v1/programs/{id}", "UFFFYFYF"),
    ("get", "/v1/red-flag-questions", "YYYYYYYY"),
    ("get", "/v1/schedule", "UFFYYYYF"),
    ("get", "/v1/staff", "UFFFFFYF"),
    ("post", "/v1/staff", "UFFFFFYF"),
    ("patch", "/v1/staff/{id}", "UFFFFFYF"),
    ("get", "/v1/unsubscribe/{token}", "YYYYYYYY"),
    ("post", "/v1/unsubscribe/{token}", "YYYYYYYY"),
    ("get", "/v1/waitlist", "UYYYYYYF"),
    ("post", "/v1/waitlist", "UYFYYYYF"),
    ("post", "/v1/waitlist/offers/{token}/accept", "BBBBBBBB"),
    ("delete", "/v1/waitlist/{id}", "UYNYYYYF"),
    ("post", "/v1/worker/deliveries/claim", "UFFFFFFY"),
    ("post", "/v1/worker/deliveries/{id}/failed", "UFFFFFFY"),
    ("post", "/v1/worker/deliveries/{id}/release", "UFFFFFFY"),
    ("post", "/v1/worker/deliveries/{id}/sent", "UFFFFFFY"),
];

/// Changing one's password signs one out everywhere: it goes last.
const LAST: (&str, &str) = ("post", "/v1/me/password");

pub(crate) struct Fixture {
    pub(crate) cal: Calendar,
    /// Credentials per role, `None` for anonymous.
    pub(crate) tokens: Vec<Option<String>>,
    pub(crate) patient_a: String,
    pub(crate) clinician: String,
    pub(crate) appointment: String,
    pub(crate) program: String,
    pub(crate) program_version: String,
    pub(crate) check_in: String,
    pub(crate) exercise_log: String,
    pub(crate) alert: String,
    pub(crate) delivery: String,
    pub(crate) spare_staff: String,
    pub(crate) unsubscribe: String,
    /// Slots handed out one by one, so that no two bookings in the test collide.
    pub(crate) next_slot: AtomicI64,
    pub(crate) counter: AtomicI64,
}

impl Fixture {
    pub(crate) fn admin(&self) -> &str {
        &self.cal.admin
    }

    pub(crate) fn unique(&self) -> i64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    /// A free time with the clinician, never the same twice: two hours apart, so that no type's
    /// length and buffers reach the next one.
    pub(crate) fn slot(&self) -> String {
        let n = self.next_slot.fetch_add(1, Ordering::Relaxed);
        rfc3339(self.cal.at(2 + n / 4, 9 + 2 * (n % 4) as u32, 0))
    }

    /// A delivery that failed for good: the one kind an admin may retry.
    pub(crate) fn failed_delivery(&self) -> String {
        use backtrack::db::schema::notification_outbox as outbox;
        use diesel::prelude::*;
        let id = self.cal.app.queue_emails(1, &format!("failed-{}", self.unique()))[0].clone();
        diesel::update(outbox::table.find(&id))
            .set((outbox::status.eq("failed"), outbox::attempts.eq(8)))
            .execute(&mut self.cal.app.conn())
            .unwrap();
        id
    }

    pub(crate) fn today_text(&self) -> String {
        self.today().to_string()
    }

    pub(crate) fn today(&self) -> NaiveDate {
        Utc::now().with_timezone(&self.cal.zone).date_naive()
    }

    pub(crate) async fn book_for_a(&self) -> String {
        let body = json!({"appointment_type": "follow_up", "start": self.slot(), "clinician_id": self.clinician,
            "patient_id": self.patient_a});
        let booked = self.cal.book_ok(&self.cal.desk, &body).await;
        booked["id"].as_str().unwrap().to_string()
    }

    /// Ends patient A's open episode, if any, so that another may open.
    pub(crate) fn close_episodes_of_a(&self) {
        use backtrack::db::schema::episodes;
        use diesel::prelude::*;
        diesel::update(episodes::table.filter(episodes::patient_id.eq(&self.patient_a)))
            .set(episodes::status.eq("closed"))
            .execute(&mut self.cal.app.conn())
            .unwrap();
    }

    /// A fresh open episode of patient A, opened by their clinician.
    pub(crate) async fn episode_for_a(&self) -> String {
        self.close_episodes_of_a();
        let clinician = self.tokens[4].as_deref().unwrap();
        let path = format!("/v1/patients/{}/episodes", self.patient_a);
        let opened = self.created(clinician, &path, &crate::episodes::plan()).await;
        opened["id"].as_str().unwrap().to_string()
    }

    pub(crate) async fn created(&self, token: &str, path: &str, body: &Value) -> Value {
        let response = self.cal.app.post_as(token, path, body).await;
        assert_eq!(response.status(), 201, "{path}: {:?}", response.text().await);
        response.json().await.unwrap()
    }
}

fn program(starts_on: NaiveDate) -> Value {
    json!({"title": "Phase 1", "starts_on": starts_on, "weekdays": [1, 2, 3, 4, 5, 6, 7],
        "items": [{"exercise": "bird-dog", "sets": 3, "reps": 8}]})
}

fn check_in(on: NaiveDate, red_flag: bool) -> Value {
    json!({"completed_on": on, "pain_now": 5, "pain_average": 5, "pain_worst": 7,
        "red_flags": {"bladder_or_bowel": red_flag, "saddle_numbness": false, "fever_or_chills": false}})
}

pub(crate) async fn fixture() -> Fixture {
    let cal = calendar("America/Chicago", 2).await;
    let app = &cal.app;
    let (patient_a, token_a) = cal.patient(1).await;
    let (_, token_b) = cal.patient(2).await;
    let (clinician, clinician_token) = cal.clinicians[0].clone();
    let (_, other_clinician) = cal.clinicians[1].clone();
    let worker = app.worker_token();
    let spare_staff = app.create_user(Role::FrontDesk, "spare@clinic.example", "Sam Spare").await;
    let tokens = vec![
        None,
        Some(token_a.clone()),
        Some(token_b),
        Some(cal.desk.clone()),
        Some(clinician_token.clone()),
        Some(other_clinician),
        Some(cal.admin.clone()),
        Some(worker),
    ];
    let fx = Fixture {
        tokens,
        patient_a: patient_a.clone(),
        clinician: clinician.clone(),
        appointment: String::new(),
        program: String::new(),
        program_version: String::new(),
        check_in: uuid::Uuid::new_v4().to_string(),
        exercise_log: uuid::Uuid::new_v4().to_string(),
        alert: String::new(),
        delivery: app.queue_emails(1, "authorization")[0].clone(),
        spare_staff,
        unsubscribe: backtrack::auth::unsubscribe_token::issue(
            &app.state.config.jwt_secret,
            &patient_a,
            ReminderKind::Exercise,
        ),
        next_slot: AtomicI64::new(0),
        counter: AtomicI64::new(0),
        cal,
    };
    let appointment = fx.book_for_a().await;
    // The evaluation makes the clinician patient A's primary clinician.
    let path = format!("/v1/appointments/{appointment}/evaluation");
    let saved = fx.cal.app.client.put(fx.cal.app.url(&path)).bearer_auth(&clinician_token).json(&evaluation());
    assert_eq!(saved.send().await.unwrap().status(), 200);
    let prescribed =
        fx.created(&clinician_token, &format!("/v1/patients/{patient_a}/programs"), &program(fx.today())).await;
    let put =
        |path: String, body: Value| fx.cal.app.client.put(fx.cal.app.url(&path)).bearer_auth(&token_a).json(&body);
    let logged = put(
        format!("/v1/exercise-logs/{}", fx.exercise_log),
        json!({"program_version_id": prescribed["version_id"], "performed_on": fx.today(),
            "items": [{"position": 1, "sets": 3, "reps": 8}]}),
    );
    assert_eq!(logged.send().await.unwrap().status(), 201);
    let checked_in = put(format!("/v1/check-ins/{}", fx.check_in), check_in(fx.today(), false));
    assert_eq!(checked_in.send().await.unwrap().status(), 201);
    let alert = open_red_flag_alert(&fx).await;
    Fixture {
        appointment,
        program: prescribed["id"].as_str().unwrap().to_string(),
        program_version: prescribed["version_id"].as_str().unwrap().to_string(),
        alert,
        ..fx
    }
}

/// A red-flag check-in from patient A opens an alert for their clinician; returns its id.
pub(crate) async fn open_red_flag_alert(fx: &Fixture) -> String {
    let path = format!("/v1/check-ins/{}", uuid::Uuid::new_v4());
    let token = fx.tokens[1].as_deref().unwrap();
    let sent = fx.cal.app.client.put(fx.cal.app.url(&path)).bearer_auth(token).json(&check_in(fx.today(), true));
    assert_eq!(sent.send().await.unwrap().status(), 201);
    let clinician = fx.tokens[4].as_deref().unwrap();
    let list: Value = fx.cal.app.get_as(clinician, "/v1/alerts").await.json().await.unwrap();
    list["items"][0]["id"].as_str().expect("an open alert").to_string()
}

/// The request a permitted caller would send to `path` (the document's template).
async fn request_for(fx: &Fixture, method: &str, template: &str) -> (String, Option<Value>) {
    let app = &fx.cal.app;
    let n = fx.unique();
    let a = &fx.patient_a;
    let zero = "00000000-0000-4000-8000-000000000000";
    let bogus = "bm90LWEtcmVhbC10b2tlbi1hdC1hbGwtMDAwMDAwMDA";
    let path = |p: &str| p.to_string();
    let (path, body): (String, Option<Value>) = match (method, template) {
        ("post", "/v1/admin/deliveries/{id}/retry") => {
            (format!("/v1/admin/deliveries/{}/retry", fx.failed_delivery()), None)
        }
        ("post", "/v1/alerts/{id}/acknowledge") => {
            (format!("/v1/alerts/{}/acknowledge", fx.alert), Some(json!({"note": "Phoned; seen in A&E"})))
        }
        ("post", "/v1/appointment-types") => (path(template), Some(appointment_type(n))),
        ("patch", "/v1/appointment-types/{id}") => {
            (path("/v1/appointment-types/follow_up"), Some(json!({"name": format!("Follow-up visit {n}")})))
        }
        ("post", "/v1/appointment-types/{id}/archive") => {
            fx.created(fx.admin(), "/v1/appointment-types", &appointment_type(n)).await;
            (format!("/v1/appointment-types/type_{n}/archive"), None)
        }
        ("get", "/v1/appointments") => (path("/v1/appointments?limit=5"), None),
        ("post", "/v1/appointments") => (
            path(template),
            Some(json!({"appointment_type": "comprehensive_evaluation", "start": fx.slot(),
                "clinician_id": fx.clinician, "patient_id": a})),
        ),
        ("post", "/v1/appointments/{id}/cancel") => {
            (format!("/v1/appointments/{}/cancel", fx.book_for_a().await), Some(json!({"reason": "Unwell"})))
        }
        ("post", "/v1/appointments/{id}/reschedule") => {
            (format!("/v1/appointments/{}/reschedule", fx.book_for_a().await), Some(json!({"start": fx.slot()})))
        }
        ("put", "/v1/appointments/{id}/evaluation") => {
            (format!("/v1/appointments/{}/evaluation", fx.appointment), Some(evaluation()))
        }
        // A status change acts on a fresh appointment, so each caller let through changes one
        // (one to complete has arrived first).
        ("post", t) if ["arrive", "no-show", "complete"].iter().any(|s| t.ends_with(s)) => {
            let id = fx.book_for_a().await;
            if t.ends_with("complete") {
                let arrived = app.post_as(&fx.cal.desk, &format!("/v1/appointments/{id}/arrive"), &json!({})).await;
                assert_eq!(arrived.status(), 200);
            }
            (t.replace("{id}", &id), None)
        }
        (_, t) if t.starts_with("/v1/appointments/{id}") => (t.replace("{id}", &fx.appointment), None),
        ("post", "/v1/auth/accept-invite") => {
            (path(template), Some(json!({"token": bogus, "password": "a long and unusual passphrase 7"})))
        }
        ("post", "/v1/auth/login") => {
            (path(template), Some(json!({"email": "patient1@example.org", "password": PASSWORD})))
        }
        ("post", "/v1/auth/logout") | ("post", "/v1/auth/refresh") => {
            let (_, refresh) = app.sign_in("patient1@example.org").await;
            (path(template), Some(json!({"refresh_token": refresh})))
        }
        ("post", "/v1/auth/password/forgot") => (path(template), Some(json!({"email": "patient1@example.org"}))),
        ("post", "/v1/auth/password/reset") => {
            (path(template), Some(json!({"token": bogus, "password": "a long and unusual passphrase 7"})))
        }
        ("post", "/v1/auth/register") => (
            path(template),
            Some(json!({"email": format!("new{n}@example.org"), "password": "a long and unusual passphrase 7",
                "full_name": "Nova Newcomer", "date_of_birth": "1985-04-02", "time_zone": "America/Chicago"})),
        ),
        ("post", "/v1/auth/verify-email") => (path(template), Some(json!({"token": bogus}))),
        ("get", "/v1/availability") => (
            format!(
                "/v1/availability?appointment_type=follow_up&from={}&to={}",
                rfc3339(fx.cal.at(2, 0, 0)),
                rfc3339(fx.cal.at(3, 0, 0))
            ),
            None,
        ),
        ("put", "/v1/check-ins/{id}") => (format!("/v1/check-ins/{}", fx.check_in), Some(check_in(fx.today(), false))),
        ("put", "/v1/clinic") => {
            let clinic: Value = app.client.get(app.url("/v1/clinic")).send().await.unwrap().json().await.unwrap();
            (path(template), Some(clinic))
        }
        ("put", "/v1/clinic/episode-settings") => {
            let settings: Value = app.get_as(fx.admin(), "/v1/clinic/episode-settings").await.json().await.unwrap();
            (path(template), Some(settings))
        }
        ("put", "/v1/clinic/clinical-rules") => {
            let rules: Value = app.get_as(fx.admin(), "/v1/clinic/clinical-rules").await.json().await.unwrap();
            (path(template), Some(rules))
        }
        ("put", "/v1/clinicians/{id}/availability") => {
            let rules: Vec<Value> = (1..=7).map(|d| json!({"weekday": d, "start": "09:00", "end": "17:00"})).collect();
            (format!("/v1/clinicians/{}/availability", fx.clinician), Some(json!({"rules": rules})))
        }
        ("post", "/v1/clinicians/{id}/exceptions") => {
            (format!("/v1/clinicians/{}/exceptions", fx.clinician), Some(time_off(fx, n)))
        }
        ("delete", "/v1/clinicians/{id}/exceptions/{eid}") => {
            let path = format!("/v1/clinicians/{}/exceptions", fx.clinician);
            let created = fx.created(fx.admin(), &path, &time_off(fx, n)).await;
            (format!("{path}/{}", created["id"].as_str().unwrap()), None)
        }
        ("put", "/v1/clinicians/{id}/services") => (
            format!("/v1/clinicians/{}/services", fx.clinician),
            Some(json!({"appointment_types": ["comprehensive_evaluation", "follow_up"]})),
        ),
        (_, t) if t.starts_with("/v1/clinicians/{id}") => (t.replace("{id}", &fx.clinician), None),
        ("put", "/v1/exercise-logs/{id}") => (
            format!("/v1/exercise-logs/{}", fx.exercise_log),
            Some(json!({"program_version_id": fx.program_version, "performed_on": fx.today(),
                "items": [{"position": 1, "sets": 3, "reps": 8}]})),
        ),
        ("post", "/v1/exercises") => (path(template), Some(exercise(n))),
        ("patch", "/v1/exercises/{id}") => {
            (path("/v1/exercises/bird-dog"), Some(json!({"cues": ["Slow", "Long spine"]})))
        }
        ("post", "/v1/exercises/{id}/archive") => {
            let clinician = fx.tokens[4].as_deref().unwrap();
            let created = fx.created(clinician, "/v1/exercises", &exercise(n)).await;
            (format!("/v1/exercises/{}/archive", created["slug"].as_str().unwrap()), None)
        }
        ("get", "/v1/exercises/{id}") => (path("/v1/exercises/bird-dog"), None),
        ("patch", "/v1/me") => (path(template), Some(json!({"phone": "+1 312 555 0142"}))),
        ("put", "/v1/me/notification-preferences") => (path(template), Some(json!({"weekly_summary": true}))),
        ("put", "/v1/me/reminders") => {
            (path(template), Some(json!({"exercise": {"enabled": true, "weekdays": [1, 3, 5], "time": "07:30"}})))
        }
        ("post", "/v1/me/password") => (
            path(template),
            Some(json!({"current_password": PASSWORD, "new_password": "another long and unusual passphrase 8"})),
        ),
        ("post", "/v1/patients") => (
            path(template),
            Some(json!({"full_name": format!("Walk In{n}"), "date_of_birth": "1970-01-01", "allow_duplicate": true})),
        ),
        ("patch", "/v1/patients/{id}") => (format!("/v1/patients/{a}"), Some(json!({"phone": "+1 312 555 0143"}))),
        ("post", "/v1/patients/{id}/episodes") => {
            fx.close_episodes_of_a();
            (format!("/v1/patients/{a}/episodes"), Some(crate::episodes::plan()))
        }
        ("put", "/v1/episodes/{id}") => {
            (format!("/v1/episodes/{}", fx.episode_for_a().await), Some(crate::episodes::plan()))
        }
        ("put", "/v1/episodes/{id}/certification") => {
            (format!("/v1/episodes/{}/certification", fx.episode_for_a().await), Some(json!({"sent_on": fx.today()})))
        }
        ("post", "/v1/episodes/{id}/recertifications") => {
            (format!("/v1/episodes/{}/recertifications", fx.episode_for_a().await), Some(json!({})))
        }
        ("post", "/v1/episodes/{id}/close") => {
            (format!("/v1/episodes/{}/close", fx.episode_for_a().await), Some(json!({"reason": "Goals met"})))
        }
        ("post", "/v1/episodes/{id}/authorizations") => {
            (format!("/v1/episodes/{}/authorizations", fx.episode_for_a().await), Some(authorization(fx)))
        }
        ("put", "/v1/episodes/{id}/authorizations/{authorization_id}") => {
            let episode = fx.episode_for_a().await;
            let path = format!("/v1/episodes/{episode}/authorizations");
            let added = fx.created(&fx.cal.desk, &path, &authorization(fx)).await;
            (format!("{path}/{}", added["authorizations"][0]["id"].as_str().unwrap()), Some(authorization(fx)))
        }
        ("get", "/v1/episodes/{id}") => (format!("/v1/episodes/{}", fx.episode_for_a().await), None),
        ("post", "/v1/episodes/{id}/series") => {
            // One visit at a time no other call uses.
            let start: chrono::DateTime<Utc> = fx.slot().parse().unwrap();
            let local = start.with_timezone(&fx.cal.zone);
            let weekday = chrono::Datelike::weekday(&local).number_from_monday();
            let body = json!({"appointment_type": "follow_up", "clinician_id": fx.clinician,
                "first_date": local.date_naive(), "weekly": [{"weekday": weekday, "time": local.format("%H:%M").to_string()}],
                "count": 1});
            (format!("/v1/episodes/{}/series", fx.episode_for_a().await), Some(body))
        }
        ("post", "/v1/patients/{id}/programs") => {
            (format!("/v1/patients/{a}/programs"), Some(program(fx.today() + Duration::days(30))))
        }
        (_, t) if t.starts_with("/v1/patients/{id}") => (t.replace("{id}", a), None),
        ("put", "/v1/programs/{id}") => {
            (format!("/v1/programs/{}", fx.program), Some(program(fx.today() + Duration::days(60))))
        }
        ("get", "/v1/programs/{id}") => (format!("/v1/programs/{}", fx.program), None),
        ("post", "/v1/staff") => (
            path(template),
            Some(json!({"email": format!("staff{n}@clinic.example"), "full_name": "Sol Staff", "role": "front_desk"})),
        ),
        ("patch", "/v1/staff/{id}") => {
            (format!("/v1/staff/{}", fx.spare_staff), Some(json!({"title": format!("Receptionist {n}")})))
        }
        (_, "/v1/unsubscribe/{token}") => (format!("/v1/unsubscribe/{}", fx.unsubscribe), None),
        ("post", "/v1/waitlist") => (path(template), Some(wish(fx))),
        ("delete", "/v1/waitlist/{id}") => {
            let token_a = fx.tokens[1].as_deref().unwrap();
            let created = fx.created(token_a, "/v1/waitlist", &wish(fx)).await;
            (format!("/v1/waitlist/{}", created["id"].as_str().unwrap()), None)
        }
        ("post", "/v1/waitlist/offers/{token}/accept") => (format!("/v1/waitlist/offers/{bogus}/accept"), None),
        ("post", "/v1/worker/deliveries/claim") => (path(template), Some(json!({"max": 1, "lease_seconds": 30}))),
        ("post", "/v1/worker/deliveries/{id}/sent") => (
            format!("/v1/worker/deliveries/{}/sent", fx.delivery),
            Some(json!({"message_id": "<m@clinic.example>", "lease_id": zero})),
        ),
        ("post", "/v1/worker/deliveries/{id}/failed") => (
            format!("/v1/worker/deliveries/{}/failed", fx.delivery),
            Some(json!({"error": "450 mailbox busy", "permanent": false, "lease_id": zero})),
        ),
        ("post", "/v1/worker/deliveries/{id}/release") => {
            (format!("/v1/worker/deliveries/{}/release", fx.delivery), Some(json!({"lease_id": zero})))
        }
        (_, t) if !t.contains('{') => (path(t), None),
        (m, t) => panic!("no request for {m} {t}: add one to request_for"),
    };
    (path, body)
}

pub(crate) fn authorization(fx: &Fixture) -> Value {
    json!({"payer": "Blue Cross", "reference": "AUTH-1", "visits": 12, "valid_from": fx.today(),
        "valid_to": fx.today() + Duration::days(60)})
}

pub(crate) fn appointment_type(n: i64) -> Value {
    json!({"code": format!("type_{n}"), "name": format!("Type {n}"), "duration_minutes": 30,
        "patient_bookable": false, "min_notice_hours": 1, "horizon_days": 60, "cancel_cutoff_hours": 1,
        "reschedule_cutoff_hours": 1})
}

pub(crate) fn time_off(fx: &Fixture, n: i64) -> Value {
    let start = fx.cal.at(40 + n % 300, 12, 0);
    json!({"kind": "time_off", "starts_at": rfc3339(start), "ends_at": rfc3339(start + Duration::hours(1))})
}

pub(crate) fn exercise(n: i64) -> Value {
    json!({"slug": format!("wall-sit-{n}"), "name": format!("Wall sit {n}"), "category": "strength", "phase": 2,
        "instructions": "Slide down a wall until the knees are bent, hold."})
}

pub(crate) fn wish(fx: &Fixture) -> Value {
    let day = fx.today() + Duration::days(20);
    json!({"appointment_type": "comprehensive_evaluation", "from_date": day, "to_date": day, "patient_id": fx.patient_a})
}

fn answer_letter(status: u16) -> char {
    match status {
        200..=299 | 304 => 'Y',
        409 => 'C',
        400 => 'B',
        401 => 'U',
        403 => 'F',
        404 => 'N',
        _ => '?',
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_matrix_says() {
    let doc: Value = serde_json::from_str(include_str!("../../openapi/openapi.json")).unwrap();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| (m.clone(), path.clone())))
        .collect();
    let listed: BTreeSet<(String, String)> = MATRIX.iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    let missing: Vec<_> = documented.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&documented).collect();
    assert!(missing.is_empty(), "operations without an entry in the authorization matrix: {missing:?}");
    assert!(stale.is_empty(), "entries for operations the document no longer has: {stale:?}");
    assert_eq!(listed.len(), MATRIX.len(), "one entry per operation");

    let fx = fixture().await;
    let app = &fx.cal.app;
    let mut order: Vec<&(&str, &str, &str)> = MATRIX.iter().filter(|(m, p, _)| (*m, *p) != LAST).collect();
    order.extend(MATRIX.iter().filter(|(m, p, _)| (*m, *p) == LAST));
    let mut wrong = Vec::new();
    for (method, template, expected) in order {
        assert_eq!(expected.len(), ROLES.len(), "{method} {template}: one letter per role");
        for (role, want) in expected.chars().enumerate() {
            let (path, body) = request_for(&fx, method, template).await;
            let mut request = app.client.request(method.to_uppercase().parse().unwrap(), app.url(&path));
            if let Some(token) = &fx.tokens[role] {
                request = request.bearer_auth(token);
            }
            if let Some(body) = &body {
                request = request.json(body);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let got = answer_letter(status);
            if got != want {
                let text = response.text().await.unwrap_or_default();
                wrong.push(format!(
                    "{method} {template} as {}: expected {want}, got {status} {}",
                    ROLES[role],
                    text.chars().take(160).collect::<String>()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{} answers differ from the matrix:\n{}", wrong.len(), wrong.join("\n"));
}
