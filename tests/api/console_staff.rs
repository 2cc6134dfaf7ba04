//! The staff console driven as a browser posts forms: signing in through the same service as the
//! API (a cookie session, stored hashed), patients sent to the app, every form refused without
//! its session's token or from another site, idle sessions and signed-out ones ended at once,
//! and the desk's day: a patient created on the phone, a visit booked, moved and cancelled, a
//! first evaluation's red flag shown at once. (The browser journeys drive the same pages.)

use backtrack::db::schema::{alerts, appointments, audit_log, console_sessions, users};
use backtrack::domain::role::Role;
use chrono::{Duration, Utc};
use diesel::prelude::*;

use crate::calendar_fixture::calendar;
use crate::helpers::{spawn_app, TestApp, PASSWORD};

/// A browser's side of a console session: its cookie, and the form token its pages carry.
pub struct Console {
    client: reqwest::Client,
    base: String,
    cookie: String,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    /// The value of the first `name="…" value="…"` pair in the page (a hidden field, a radio).
    pub fn value_of(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" ");
        let at = self.body.find(&marker)?;
        let rest = &self.body[at..];
        let start = rest.find("value=\"")? + 7;
        let end = rest[start..].find('"')?;
        Some(rest[start..start + end].replace("&amp;", "&").replace("&quot;", "\""))
    }

    /// Every value offered for the radio group `name`.
    pub fn radios(&self, name: &str) -> Vec<String> {
        let marker = format!("type=\"radio\" name=\"{name}\"");
        self.body
            .match_indices(&marker)
            .filter_map(|(at, _)| {
                let rest = &self.body[at..];
                let start = rest.find("value=\"")? + 7;
                let end = rest[start..].find('"')?;
                Some(rest[start..start + end].to_string())
            })
            .collect()
    }
}

async fn page(response: reqwest::Response) -> Page {
    let status = response.status().as_u16();
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_string());
    Page { status, location, body: response.text().await.unwrap() }
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

impl Console {
    /// Signs `email` in through the console's form; panics unless a session starts.
    pub async fn sign_in(app: &TestApp, email: &str) -> Console {
        let (console, answer) = Console::try_sign_in(app, email, PASSWORD).await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        console.expect("a session cookie")
    }

    /// A browser with no session at all.
    pub fn anonymous(app: &TestApp) -> Console {
        Console { client: no_redirects(), base: app.url(""), cookie: "backtrack_console=".into() }
    }

    pub async fn try_sign_in(app: &TestApp, email: &str, password: &str) -> (Option<Console>, Page) {
        let client = no_redirects();
        let response = client
            .post(app.url("/console/sign-in"))
            .form(&[("email", email), ("password", password), ("next", "")])
            .send()
            .await
            .unwrap();
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|c| c.to_str().unwrap().to_string())
            .find(|c| c.starts_with("backtrack_console="));
        let answer = page(response).await;
        let console =
            cookie.map(|c| Console { client, base: app.url(""), cookie: c.split(';').next().unwrap().to_string() });
        (console, answer)
    }

    pub async fn get(&self, path: &str) -> Page {
        page(self.client.get(format!("{}{path}", self.base)).header("cookie", &self.cookie).send().await.unwrap()).await
    }

    /// Posts `form` with the token the console's pages carry (read from `/console/patients`).
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let token = self.get("/console/patients").await.value_of("csrf").expect("the page carries a form token");
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("csrf", &token));
        self.post_raw(path, &fields, None).await
    }

    pub async fn post_raw(&self, path: &str, form: &[(&str, &str)], origin: Option<&str>) -> Page {
        let mut request = self.client.post(format!("{}{path}", self.base)).header("cookie", &self.cookie).form(form);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        page(request.send().await.unwrap()).await
    }
}

fn borrow(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn patients_named(app: &TestApp, name: &str) -> Vec<String> {
    users::table.filter(users::full_name.eq(name)).select(users::id).load(&mut app.conn()).unwrap()
}

#[tokio::test]
async fn staff_sign_in_opens_a_cookie_session_stored_hashed_and_patients_are_sent_to_the_app() {
    let app = spawn_app().await;
    app.create_user(Role::FrontDesk, "desk@clinic.example", "Finn Desk").await;
    app.create_user(Role::Patient, "pat@example.org", "Pat Patient").await;

    let sign_in = page(reqwest::get(app.url("/console/sign-in")).await.unwrap()).await;
    assert_eq!(sign_in.status, 200);
    assert!(sign_in.body.contains("name=\"password\"") && sign_in.body.contains("Forgot your password?"));

    let (none, wrong) = Console::try_sign_in(&app, "desk@clinic.example", "not-the-password").await;
    assert!(none.is_none(), "no session for a wrong password");
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("do not match an account"), "{}", wrong.body);

    let response = no_redirects()
        .post(app.url("/console/sign-in"))
        .form(&[("email", "desk@clinic.example"), ("password", PASSWORD), ("next", "/console/patients")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/console/patients", "back to the page asked for");
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/console", "Secure"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    let secret = cookie.split(';').next().unwrap().trim_start_matches("backtrack_console=").to_string();
    let hashes: Vec<String> =
        console_sessions::table.select(console_sessions::token_hash).load(&mut app.conn()).unwrap();
    assert_eq!(hashes, vec![backtrack::auth::secret_token::hash(&secret)], "only the secret's hash is kept");

    let logins: Vec<String> = audit_log::table
        .filter(audit_log::action.eq("auth.login"))
        .select(audit_log::outcome)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(logins, vec!["denied", "success"], "the same audit rows as the API's sign-in");

    let (none, patient) = Console::try_sign_in(&app, "pat@example.org", PASSWORD).await;
    assert!(none.is_none());
    assert_eq!(patient.status, 403);
    assert!(patient.body.contains("sign in to the BackTrack app"), "{}", patient.body);

    let offsite = no_redirects()
        .post(app.url("/console/sign-in"))
        .header("origin", "https://evil.example")
        .form(&[("email", "desk@clinic.example"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(offsite.status(), 403);
    assert!(offsite.headers().get("set-cookie").is_none(), "no session from another site's form");

    let anonymous = page(no_redirects().get(app.url("/console/day")).send().await.unwrap()).await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(anonymous.location.as_deref(), Some("/console/sign-in?next=%2Fconsole%2Fday"));
}

#[tokio::test]
async fn a_form_without_its_token_or_from_another_site_changes_nothing() {
    let app = spawn_app().await;
    app.create_user(Role::FrontDesk, "desk@clinic.example", "Finn Desk").await;
    let desk = Console::sign_in(&app, "desk@clinic.example").await;
    let fields = [("full_name", "Nora Newpatient"), ("date_of_birth", "1979-04-02"), ("phone", "+1 312 555 0142")];

    let without = desk.post_raw("/console/patients/new", &fields, None).await;
    assert_eq!(without.status, 403);
    assert!(without.body.contains("nothing was changed"), "{}", without.body);

    let token = desk.get("/console/patients").await.value_of("csrf").unwrap();
    let mut with_token = fields.to_vec();
    with_token.push(("csrf", &token));
    let foreign = desk.post_raw("/console/patients/new", &with_token, Some("https://evil.example")).await;
    assert_eq!(foreign.status, 403);

    let mut forged = fields.to_vec();
    forged.push(("csrf", "0000"));
    assert_eq!(desk.post_raw("/console/patients/new", &forged, None).await.status, 403);
    assert!(patients_named(&app, "Nora Newpatient").is_empty(), "no refused form created anything");

    let other = {
        app.create_user(Role::FrontDesk, "desk2@clinic.example", "Gwen Desk").await;
        Console::sign_in(&app, "desk2@clinic.example").await
    };
    let theirs = other.get("/console/patients").await.value_of("csrf").unwrap();
    assert_ne!(theirs, token, "each session has its own token");
    let mut borrowed = fields.to_vec();
    borrowed.push(("csrf", &theirs));
    assert_eq!(desk.post_raw("/console/patients/new", &borrowed, None).await.status, 403);

    let created = desk.post_raw("/console/patients/new", &with_token, Some(app.url("").trim_end_matches('/'))).await;
    assert_eq!(created.status, 303, "{}", created.body);
    assert_eq!(patients_named(&app, "Nora Newpatient").len(), 1);
}

#[tokio::test]
async fn an_idle_session_ends_and_signing_out_ends_one_at_once() {
    let app = spawn_app().await;
    app.create_user(Role::Clinician, "pt@clinic.example", "Cleo Clinician").await;
    let clinician = Console::sign_in(&app, "pt@clinic.example").await;
    assert_eq!(clinician.get("/console/patients").await.status, 200);

    // Sixteen minutes without a page: past the default 15.
    diesel::update(console_sessions::table)
        .set(console_sessions::last_seen_at.eq(backtrack::db::now() - Duration::minutes(16)))
        .execute(&mut app.conn())
        .unwrap();
    let ended = clinician.get("/console/patients").await;
    assert_eq!(ended.status, 303);
    assert!(ended.location.as_deref().unwrap().contains("ended=1"), "{:?}", ended.location);
    let rows: i64 = console_sessions::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(rows, 0, "the ended session's row is gone");
    let told = page(reqwest::get(app.url("/console/sign-in?ended=1")).await.unwrap()).await;
    assert!(told.body.contains("You were signed out"), "{}", told.body);

    // The admin sets a shorter idle time on the clinic's page; a refused field says why.
    app.create_user(Role::Admin, "admin@clinic.example", "Ada Admin").await;
    let admin = Console::sign_in(&app, "admin@clinic.example").await;
    let settings = admin.get("/console/settings").await;
    let mut fields: Vec<(String, String)> = [
        "name",
        "address",
        "phone",
        "time_zone",
        "slot_granularity_minutes",
        "reminder_offsets_minutes",
        "waitlist_offer_minutes",
    ]
    .iter()
    .map(|n| (n.to_string(), settings.value_of(n).unwrap_or_default()))
    .collect();
    fields.push(("console_idle_minutes".into(), "2".into()));
    let as_pairs = |f: &[(String, String)]| f.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>();
    let refused = admin.post("/console/settings", &borrow(&as_pairs(&fields))).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("between 5 and 480"), "{}", refused.body);
    fields.last_mut().unwrap().1 = "5".into();
    assert_eq!(admin.post("/console/settings", &borrow(&as_pairs(&fields))).await.status, 303);
    let clinician = Console::sign_in(&app, "pt@clinic.example").await;
    diesel::update(console_sessions::table)
        .set(console_sessions::last_seen_at.eq(backtrack::db::now() - Duration::minutes(6)))
        .execute(&mut app.conn())
        .unwrap();
    assert_eq!(clinician.get("/console/patients").await.status, 303, "six minutes is past the clinic's five");
    fields.last_mut().unwrap().1 = "15".into();
    let admin = Console::sign_in(&app, "admin@clinic.example").await;
    assert_eq!(admin.post("/console/settings", &borrow(&as_pairs(&fields))).await.status, 303);

    // Fourteen minutes is still within it, and every page starts the idle time again.
    let clinician = Console::sign_in(&app, "pt@clinic.example").await;
    diesel::update(console_sessions::table)
        .set(console_sessions::last_seen_at.eq(backtrack::db::now() - Duration::minutes(14)))
        .execute(&mut app.conn())
        .unwrap();
    assert_eq!(clinician.get("/console/patients").await.status, 200);

    let out = clinician.post("/console/sign-out", &[]).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.location.as_deref(), Some("/console/sign-in?out=1"));
    assert_eq!(clinician.get("/console/patients").await.status, 303, "the old cookie opens nothing");
    let logouts: i64 =
        audit_log::table.filter(audit_log::action.eq("auth.logout")).count().get_result(&mut app.conn()).unwrap();
    assert_eq!(logouts, 1);

    // A deactivated account's session ends on its next page.
    let clinician = Console::sign_in(&app, "pt@clinic.example").await;
    diesel::update(users::table.filter(users::email.eq("pt@clinic.example")))
        .set(users::active.eq(false))
        .execute(&mut app.conn())
        .unwrap();
    assert_eq!(clinician.get("/console/patients").await.status, 303);
}

#[tokio::test]
async fn the_desk_creates_a_patient_then_books_moves_and_cancels_a_visit() {
    let cal = calendar("America/Chicago", 2).await;
    let app = &cal.app;
    let desk = Console::sign_in(app, "desk@clinic.example").await;

    let form = desk.get("/console/patients/new").await;
    assert_eq!(form.status, 200);
    let refused = desk
        .post("/console/patients/new", &[("full_name", ""), ("date_of_birth", "2999-01-01"), ("invite", "1")])
        .await;
    assert_eq!(refused.status, 422);
    for message in ["a date of birth cannot be in the future", "an email address is needed to invite the patient"] {
        assert!(refused.body.contains(message), "{message}: {}", refused.body);
    }
    let created = desk
        .post(
            "/console/patients/new",
            &[
                ("full_name", "Rosa Caller"),
                ("date_of_birth", "1975-06-30"),
                ("email", "rosa@example.org"),
                ("invite", "1"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let patient = patients_named(app, "Rosa Caller").pop().unwrap();
    assert!(created.location.as_deref().unwrap().starts_with(&format!("/console/patients/{patient}")));
    assert!(
        app.last_email_to("rosa@example.org").text.contains("/accept-invite?token="),
        "the app invitation went out"
    );
    let found = desk.get("/console/patients?q=rosa").await;
    assert!(found.body.contains("Rosa Caller") && found.body.contains("1975-06-30"), "{}", found.body);

    // "Book" in a clinician's column of the day sheet keeps that clinician and day through the
    // patient search.
    let (second, _) = &cal.clinicians[1];
    let day = (Utc::now().with_timezone(&cal.zone) + Duration::days(3)).date_naive();
    let sheet = desk.get(&format!("/console/day?date={day}")).await;
    let from_sheet = format!("/console/book?clinician_id={second}&amp;date={day}");
    assert!(sheet.body.contains(&from_sheet), "{}", sheet.body);
    let start = desk.get(&from_sheet.replace("&amp;", "&")).await;
    assert!(
        start.body.contains(&format!("name=\"clinician_id\" value=\"{second}\""))
            && start.body.contains(&format!("name=\"date\" value=\"{day}\"")),
        "{}",
        start.body
    );
    let found = desk.get(&format!("/console/patients?q=rosa&clinician_id={second}&date={day}")).await;
    let onward = format!("/console/book?patient_id={patient}&amp;clinician_id={second}&amp;date={day}");
    assert!(found.body.contains(&onward), "{}", found.body);
    let chosen = desk.get(&onward.replace("&amp;", "&")).await;
    assert!(chosen.body.contains(&format!("value=\"{second}\" selected")), "{}", chosen.body);
    assert!(chosen.body.contains(&format!("id=\"date\" name=\"date\" value=\"{day}\"")), "{}", chosen.body);

    let tomorrow = (Utc::now().with_timezone(&cal.zone) + Duration::days(2)).date_naive();
    let times =
        desk.get(&format!("/console/book?patient_id={patient}&appointment_type=follow_up&date={tomorrow}")).await;
    assert_eq!(times.status, 200, "{}", times.body);
    assert!(!times.body.contains("flag_saddle_numbness"), "a follow-up asks no red-flag questions");
    let slots = times.radios("slot");
    assert!(slots.len() > 10, "free starts are offered: {}", times.body);
    let booked = desk
        .post(
            "/console/book",
            &[("patient_id", &patient), ("appointment_type", "follow_up"), ("slot", &slots[0]), ("reason", "")],
        )
        .await;
    assert_eq!(booked.status, 303, "{}", booked.body);
    let location = booked.location.unwrap();
    let id = location.trim_start_matches("/console/appointments/").split('?').next().unwrap().to_string();
    let shown = desk.get(&location).await;
    assert!(shown.body.contains("Booked.") && shown.body.contains("Rosa Caller"), "{}", shown.body);

    let again = desk
        .post("/console/book", &[("patient_id", &patient), ("appointment_type", "follow_up"), ("slot", &slots[0])])
        .await;
    assert_eq!(again.status, 409, "a taken time is refused with a page: {}", again.body);
    assert!(again.body.contains("Choose another time"));

    let moving = desk.get(&format!("/console/appointments/{id}?move_from={}", tomorrow + Duration::days(1))).await;
    let targets = moving.radios("slot");
    assert!(!targets.is_empty(), "{}", moving.body);
    let moved = desk.post(&format!("/console/appointments/{id}"), &[("action", "move"), ("slot", &targets[0])]).await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    let start: chrono::NaiveDateTime =
        appointments::table.find(&id).select(appointments::starts_at).first(&mut app.conn()).unwrap();
    let wanted = chrono::DateTime::parse_from_rfc3339(targets[0].split(' ').nth(1).unwrap()).unwrap();
    assert_eq!(start.and_utc(), wanted.with_timezone(&Utc));

    let cancelled = desk
        .post(&format!("/console/appointments/{id}"), &[("action", "cancel"), ("reason", "Patient is travelling")])
        .await;
    assert_eq!(cancelled.status, 303, "{}", cancelled.body);
    let (status, reason): (String, Option<String>) = appointments::table
        .find(&id)
        .select((appointments::status, appointments::cancel_reason))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((status.as_str(), reason.as_deref()), ("cancelled", Some("Patient is travelling")));
    let after = desk.get(&format!("/console/appointments/{id}")).await;
    assert!(after.body.contains("Cancelled") && !after.body.contains("Move the appointment"), "{}", after.body);

    let week = desk.get(&format!("/console/week?date={tomorrow}")).await;
    assert_eq!(week.status, 200);
    assert!(week.body.contains("Clinician A") && week.body.contains("min free"), "{}", week.body);
    let admin = Console::sign_in(app, "admin@clinic.example").await;
    let audit = admin.get(&format!("/console/audit?patient_id={patient}")).await;
    for action in ["patient.create", "appointment.create", "appointment.reschedule", "appointment.cancel"] {
        assert!(audit.body.contains(action), "{action} in the audit page: {}", audit.body);
    }
    assert_eq!(desk.get("/console/audit").await.status, 403, "the desk does not read the audit log");
    let sheet = desk.get(&format!("/console/day?date={}", tomorrow + Duration::days(1))).await;
    assert_eq!(sheet.status, 200);
    assert!(
        sheet.body.contains("Clinician A") && sheet.body.contains("Clinician B") && sheet.body.contains("Free "),
        "{}",
        sheet.body
    );
}

#[tokio::test]
async fn a_first_evaluation_asks_the_red_flag_questions_and_a_yes_shows_its_advice_at_once() {
    let cal = calendar("America/Chicago", 1).await;
    let app = &cal.app;
    let patient = app.create_user(Role::Patient, "ivy@example.org", "Ivy Newcomer").await;
    let desk = Console::sign_in(app, "desk@clinic.example").await;
    let day = (Utc::now().with_timezone(&cal.zone) + Duration::days(3)).date_naive();
    let times = desk
        .get(&format!("/console/book?patient_id={patient}&appointment_type=comprehensive_evaluation&date={day}"))
        .await;
    assert!(times.body.contains("flag_saddle_numbness"), "{}", times.body);
    let slot = times.radios("slot").remove(0);
    let booked = desk
        .post(
            "/console/book",
            &[
                ("patient_id", &patient),
                ("appointment_type", "comprehensive_evaluation"),
                ("slot", &slot),
                ("flag_saddle_numbness", "1"),
            ],
        )
        .await;
    assert_eq!(booked.status, 303, "{}", booked.body);
    let location = booked.location.unwrap();
    assert!(location.contains("flag=emergency"), "{location}");
    let shown = desk.get(&location).await;
    assert!(shown.body.contains("Go to an emergency department now"), "{}", shown.body);
    let open: i64 = alerts::table.filter(alerts::patient_id.eq(&patient)).count().get_result(&mut app.conn()).unwrap();
    assert_eq!(open, 1, "the clinician has the alert");
}
