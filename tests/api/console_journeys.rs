//! The console in a real browser against a real `backtrack serve` (see `browser.rs`): a new clinic
//! from the printed link to a booked, moved and cancelled visit and a prescribed program; a red
//! flag on the worklist; the emailed links; idle log-off; a form from another site refused.

use backtrack::db::schema::{appointments, console_sessions, programs, users};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::json;

use crate::browser::{every_link_opens, link_in_outbox, Browser};
use crate::helpers::{eventually, spawn_app, TestApp};
use crate::serve_process::ServeProcess;

pub const PASSWORD: &str = "Sciatic-notch-2026";

pub async fn serve(app: &TestApp) -> ServeProcess {
    let env = [
        ("BACKTRACK_IN_PROCESS_WORKER", "true"),
        ("BACKTRACK_WORKER_POLL_MILLIS", "100"),
        ("BACKTRACK_DEFAULT_TIME_ZONE", "America/Chicago"),
    ];
    ServeProcess::start_public(&app.state.config.database_url, &env).await
}

pub async fn printed_link(serve: &ServeProcess) -> String {
    for _ in 0..100 {
        let out = serve.stdout_so_far();
        if let Some(at) = out.find("/accept-invite?token=") {
            let start = out[..at].rfind("http").unwrap();
            return out[start..].split_whitespace().next().unwrap().to_string();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("serve printed no first-admin link: {}", serve.stdout_so_far());
}

/// Sets the password on an invitation page (the first admin's asks for the address and name too).
pub async fn accept(browser: &Browser, link: &str, first_admin: Option<(&str, &str)>) {
    browser.open(link).await;
    if let Some((email, name)) = first_admin {
        browser.sees("Set up your clinic").await;
        browser.fill("#email", email).await;
        browser.fill("#full_name", name).await;
    }
    browser.fill("#password", PASSWORD).await;
    browser.fill("#password_again", PASSWORD).await;
    browser.click("main button[type=submit]").await;
    browser.sees("Your account is ready").await;
}

pub async fn sign_in(browser: &Browser, serve: &ServeProcess, email: &str) {
    browser.open(&serve.url("/console/sign-in")).await;
    browser.fill("#email", email).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("main button[type=submit]").await;
    browser.sees("Sign out").await;
}

pub async fn sign_out(browser: &Browser) {
    browser.click("form.signout button").await;
    browser.sees("You are signed out.").await;
}

pub async fn invite(browser: &Browser, serve: &ServeProcess, email: &str, name: &str, role: &str) {
    browser.open(&serve.url("/console/staff")).await;
    browser.fill("#email", email).await;
    browser.fill("#full_name", name).await;
    browser.choose("#role", role).await;
    browser.click("form[action='/console/staff'] button[type=submit]").await;
    browser.sees("Invitation sent").await;
}

#[tokio::test]
async fn a_new_clinic_books_moves_and_cancels_a_visit_and_prescribes_a_program_in_a_browser() {
    let Some(browser) = Browser::start().await else { return };
    let app = spawn_app().await;
    let serve = serve(&app).await;
    let outbox = serve.data_dir().join("outbox");

    // The link `serve` printed: the first admin sets up the clinic.
    accept(&browser, &printed_link(&serve).await, Some(("ada@clinic.example", "Ada Admin"))).await;
    browser.screenshot("first-admin-done").await;
    browser.click("a.button").await;
    browser.fill("#email", "ada@clinic.example").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("main button[type=submit]").await;
    browser.sees("No clinician is set up yet").await;
    invite(&browser, &serve, "cleo@clinic.example", "Cleo Clinician", "clinician").await;
    invite(&browser, &serve, "finn@clinic.example", "Finn Desk", "front_desk").await;
    browser.screenshot("admin-staff").await;
    sign_out(&browser).await;

    // The clinician, from the emailed link, sets their week.
    accept(&browser, &link_in_outbox(&outbox, "cleo@clinic.example", "/accept-invite?token=").await, None).await;
    sign_in(&browser, &serve, "cleo@clinic.example").await;
    browser.open(&serve.url("/console/hours")).await;
    for day in 1..=7 {
        browser.set(&format!("input[name=start_{day}_0]"), "09:00").await;
        browser.set(&format!("input[name=end_{day}_0]"), "17:00").await;
    }
    browser.click("main form button[type=submit]").await;
    browser.sees("Saved. Free times follow the new hours").await;
    browser.screenshot("clinician-hours").await;
    sign_out(&browser).await;

    // The desk: a patient on the phone, booked, moved and cancelled.
    accept(&browser, &link_in_outbox(&outbox, "finn@clinic.example", "/accept-invite?token=").await, None).await;
    sign_in(&browser, &serve, "finn@clinic.example").await;
    browser.sees("Cleo Clinician").await;
    browser.screenshot("desk-day-sheet").await;
    browser.open(&serve.url("/console/patients/new")).await;
    browser.fill("#full_name", "Rosa Caller").await;
    browser.set("#date_of_birth", "1975-06-30").await;
    browser.fill("#phone", "+1 312 555 0142").await;
    browser.fill("#email", "rosa@example.org").await;
    browser.click("main button[type=submit]").await;
    browser.sees("The app invitation is on its way").await;
    browser.screenshot("desk-patient").await;
    browser.click("a.button[href^='/console/book']").await;
    browser.choose("#appointment_type", "follow_up").await;
    let zone = backtrack::db::clinic::settings(&mut app.conn()).unwrap().zone();
    let day = (Utc::now().with_timezone(&zone) + Duration::days(2)).date_naive();
    browser.set("#date", &day.to_string()).await;
    browser.click("form[method=get] button[type=submit]").await;
    browser.sees("Free times for Follow-up visit").await;
    browser.screenshot("desk-free-times").await;
    browser.click("input[name=slot]").await;
    browser.click("form[action='/console/book'][method=post] button[type=submit]").await;
    browser.sees("Booked.").await;
    let appointment =
        browser.path().await.trim_start_matches("/console/appointments/").split('?').next().unwrap().to_string();
    browser.set("#move_from", &(day + Duration::days(1)).to_string()).await;
    browser.click("form.inline[method=get] button[type=submit]").await;
    browser.click("input[name=slot]").await;
    browser.click("input[value=move] ~ button[type=submit]").await;
    browser.sees("Moved.").await;
    browser.fill("#reason", "Travelling for work").await;
    browser.click("button.danger").await;
    browser.sees("Cancelled.").await;
    browser.screenshot("desk-cancelled").await;
    let (status, moved_to): (String, chrono::NaiveDateTime) = appointments::table
        .find(&appointment)
        .select((appointments::status, appointments::starts_at))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(status, "cancelled");
    assert_eq!(
        moved_to.and_utc().with_timezone(&zone).date_naive(),
        day + Duration::days(1),
        "moved to the next day first"
    );
    sign_out(&browser).await;

    // The clinician prescribes a program from the library.
    sign_in(&browser, &serve, "cleo@clinic.example").await;
    browser.open(&serve.url("/console/patients?q=rosa")).await;
    browser.click("td a").await;
    browser.click("a.button[href$='/program']").await;
    browser.click("input[name^=ex_]").await;
    browser.click("main form button[type=submit]").await;
    browser.sees("Saved. The patient's app shows it").await;
    browser.screenshot("clinician-program").await;
    let patient: String =
        users::table.filter(users::full_name.eq("Rosa Caller")).select(users::id).first(&mut app.conn()).unwrap();
    let prescribed: i64 =
        programs::table.filter(programs::patient_id.eq(&patient)).count().get_result(&mut app.conn()).unwrap();
    assert_eq!(prescribed, 1);
    let opened = every_link_opens(&outbox, &serve.url("")).await;
    for page in ["accept-invite", "appointments"] {
        assert!(opened.contains(page), "{page} links in {opened:?}");
    }
    browser.quit().await;
}

#[tokio::test]
async fn a_red_flag_reaches_the_worklist_links_open_pages_idle_sessions_end_and_foreign_forms_fail() {
    let Some(browser) = Browser::start().await else { return };
    let app = spawn_app().await;
    let serve = serve(&app).await;
    let outbox = serve.data_dir().join("outbox");
    accept(&browser, &printed_link(&serve).await, Some(("ada@clinic.example", "Ada Admin"))).await;
    sign_in(&browser, &serve, "ada@clinic.example").await;
    invite(&browser, &serve, "cleo@clinic.example", "Cleo Clinician", "clinician").await;
    sign_out(&browser).await;
    accept(&browser, &link_in_outbox(&outbox, "cleo@clinic.example", "/accept-invite?token=").await, None).await;

    // A patient signs up in the app and confirms from the email's page.
    let client = reqwest::Client::new();
    let sign_up = json!({"email": "ivy@example.org", "password": PASSWORD, "full_name": "Ivy Newcomer",
        "date_of_birth": "1981-02-03", "time_zone": "America/Chicago"});
    assert_eq!(client.post(serve.url("/v1/auth/register")).json(&sign_up).send().await.unwrap().status(), 202);
    browser.open(&link_in_outbox(&outbox, "ivy@example.org", "/verify-email?token=").await).await;
    browser.click("main button[type=submit]").await;
    browser.sees("your email address is confirmed").await;
    let tokens: serde_json::Value = client
        .post(serve.url("/v1/auth/login"))
        .json(&json!({"email": "ivy@example.org", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let today = Utc::now().with_timezone(&"America/Chicago".parse::<chrono_tz::Tz>().unwrap()).date_naive();
    // (Ivy signed up in Chicago: her check-in's date is hers.)
    let check_in = json!({"completed_on": today, "pain_now": 7, "pain_average": 6, "pain_worst": 8,
        "red_flags": {"saddle_numbness": true}});
    let sent = client
        .put(serve.url(&format!("/v1/check-ins/{}", uuid::Uuid::now_v7())))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .json(&check_in)
        .send()
        .await
        .unwrap();
    assert!(sent.status().is_success(), "{:?}", sent.text().await);

    // The clinician sees it first on the worklist and acknowledges it.
    sign_in(&browser, &serve, "cleo@clinic.example").await;
    browser.open(&serve.url("/console/worklist")).await;
    browser.sees("Red flag").await;
    browser.sees("Ivy Newcomer").await;
    browser.screenshot("clinician-worklist").await;
    browser.fill("textarea[name=note]", "Phoned Ivy; sent to the emergency department").await;
    browser.click("section.alert button[type=submit]").await;
    browser.sees("Acknowledged.").await;
    browser.sees("Nothing needs attention").await;

    // Idle: past the clinic's 15 minutes, the next page asks to sign in again.
    diesel::update(console_sessions::table)
        .set(console_sessions::last_seen_at.eq(backtrack::db::now() - Duration::minutes(16)))
        .execute(&mut app.conn())
        .unwrap();
    browser.open(&serve.url("/console/worklist")).await;
    browser.sees("You were signed out").await;
    assert!(browser.path().await.starts_with("/console/sign-in"));

    // A form on another site posting to the console changes nothing (the admin may create
    // patients, so only the form's origin stops it).
    sign_in(&browser, &serve, "ada@clinic.example").await;
    let foreign = format!(
        "data:text/html,<form method=post action='{}'><input name=full_name value=Forged><input name=date_of_birth value=1970-01-01></form><script>document.forms[0].submit()</script>",
        serve.url("/console/patients/new")
    );
    browser.open(&foreign).await;
    eventually(5, "the forged post is answered", || true).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let forged: i64 = users::table.filter(users::full_name.eq("Forged")).count().get_result(&mut app.conn()).unwrap();
    assert_eq!(forged, 0, "a form from another site created nothing");
    // The console's own form with its token taken out is refused; with it, the same form works.
    let named = |name: &str| -> i64 {
        users::table.filter(users::full_name.eq(name)).count().get_result(&mut app.conn()).unwrap()
    };
    for keep_token in [false, true] {
        browser.open(&serve.url("/console/patients/new")).await;
        browser.fill("#full_name", "Tess Tokenless").await;
        browser.set("#date_of_birth", "1970-01-01").await;
        browser.click("#invite").await;
        if !keep_token {
            let script = "document.querySelector('main form input[name=csrf]').remove();";
            browser.client.execute(script, vec![]).await.unwrap();
        }
        browser.click("main button[type=submit]").await;
        if keep_token {
            browser.sees("Tess Tokenless").await;
            assert_eq!(named("Tess Tokenless"), 1, "the same form with its token creates the patient");
        } else {
            browser.sees("nothing was changed").await;
            assert_eq!(named("Tess Tokenless"), 0, "a form without its token created nothing");
        }
    }
    sign_out(&browser).await;

    // A reset link works once; opened again it says what to do instead.
    browser.open(&serve.url("/forgot-password")).await;
    browser.fill("#email", "cleo@clinic.example").await;
    browser.click("main button[type=submit]").await;
    let reset = link_in_outbox(&outbox, "cleo@clinic.example", "/reset-password?token=").await;
    browser.open(&reset).await;
    browser.fill("#password", "Another-long-pass-77").await;
    browser.fill("#password_again", "Another-long-pass-77").await;
    browser.click("main button[type=submit]").await;
    browser.sees("Your password is changed").await;
    browser.open(&reset).await;
    browser.sees("expired or was already used").await;
    browser.screenshot("link-expired").await;
    let opened = every_link_opens(&outbox, &serve.url("")).await;
    for page in ["accept-invite", "verify-email", "reset-password", "alerts"] {
        assert!(opened.contains(page), "{page} links in {opened:?}");
    }
    browser.quit().await;
}
