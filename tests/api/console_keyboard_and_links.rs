//! More of the console in a real browser against a real `backtrack serve` (see `browser.rs`): the
//! desk books a first evaluation by keyboard alone; the screens fit a 768-pixel tablet; a
//! cancellation's waitlist offer and a reminder's stop link are opened from their `.eml` files
//! and work from their pages; each role's other main screens are saved for review.

use backtrack::db::schema::appointments;
use chrono::{Duration, Utc};
use diesel::prelude::*;
use fantoccini::key::Key;
use serde_json::{json, Value};

use crate::browser::{every_link_opens, link_in_outbox, Browser};
use crate::console_journeys::{accept, invite, printed_link, serve, sign_in, sign_out, PASSWORD};
use crate::helpers::spawn_app;
use crate::reminders::{every_day_from, zone_away_from_midnight};
use crate::serve_process::ServeProcess;

/// Signs in over the API (as the phone app and the worker do): the token and the account's id.
async fn api_session(serve: &ServeProcess, email: &str) -> (String, String) {
    let client = reqwest::Client::new();
    let login = json!({"email": email, "password": PASSWORD});
    let tokens: Value =
        client.post(serve.url("/v1/auth/login")).json(&login).send().await.unwrap().json().await.unwrap();
    let token = tokens["access_token"].as_str().unwrap_or_else(|| panic!("{email}: {tokens}")).to_string();
    let me: Value = client.get(serve.url("/v1/me")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    (token, me["id"].as_str().unwrap().to_string())
}

/// A patient who signs up in the app and confirms their address from the email's page.
async fn patient(browser: &Browser, serve: &ServeProcess, email: &str, name: &str, zone: &str) -> (String, String) {
    let sign_up = json!({"email": email, "password": PASSWORD, "full_name": name,
        "date_of_birth": "1981-02-03", "time_zone": zone});
    let client = reqwest::Client::new();
    assert_eq!(client.post(serve.url("/v1/auth/register")).json(&sign_up).send().await.unwrap().status(), 202);
    browser.open(&link_in_outbox(&serve.data_dir().join("outbox"), email, "/verify-email?token=").await).await;
    browser.click("main button[type=submit]").await;
    browser.sees("your email address is confirmed").await;
    api_session(serve, email).await
}

async fn api(serve: &ServeProcess, token: &str, method: reqwest::Method, path: &str, body: &Value) -> Value {
    let response =
        reqwest::Client::new().request(method, serve.url(path)).bearer_auth(token).json(body).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Opens each page at the window's size: nothing runs off its right edge; each is saved.
async fn fits(browser: &Browser, serve: &ServeProcess, pages: &[(&str, &str)]) {
    for (path, name) in pages {
        browser.open(&serve.url(path)).await;
        browser.sees("Sign out").await;
        browser.screenshot(name).await;
        assert_eq!(browser.overflow().await, 0, "{path} is wider than the window");
    }
}

#[tokio::test]
async fn the_desk_books_by_keyboard_a_tablet_fits_and_an_offer_and_a_stop_link_work_from_their_emails() {
    let Some(browser) = Browser::start().await else { return };
    let app = spawn_app().await;
    let serve = serve(&app).await;
    let outbox = serve.data_dir().join("outbox");
    accept(&browser, &printed_link(&serve).await, Some(("ada@clinic.example", "Ada Admin"))).await;
    sign_in(&browser, &serve, "ada@clinic.example").await;
    invite(&browser, &serve, "cleo@clinic.example", "Cleo Clinician", "clinician").await;
    invite(&browser, &serve, "finn@clinic.example", "Finn Desk", "front_desk").await;
    sign_out(&browser).await;
    for email in ["cleo@clinic.example", "finn@clinic.example"] {
        accept(&browser, &link_in_outbox(&outbox, email, "/accept-invite?token=").await, None).await;
    }
    let (cleo, cleo_id) = api_session(&serve, "cleo@clinic.example").await;
    let week: Vec<Value> = (1..=7).map(|d| json!({"weekday": d, "start": "09:00", "end": "17:00"})).collect();
    api(
        &serve,
        &cleo,
        reqwest::Method::PUT,
        &format!("/v1/clinicians/{cleo_id}/availability"),
        &json!({"rules": week}),
    )
    .await;
    let zone = zone_away_from_midnight();
    let (_, noah) = patient(&browser, &serve, "noah@example.org", "Noah Booker", zone).await;
    let (ivy, ivy_id) = patient(&browser, &serve, "ivy@example.org", "Ivy Waiting", zone).await;

    // The desk books Noah's first evaluation with the keyboard alone: Tab to each control, type
    // to choose, Space to pick a time, Enter to send.
    sign_in(&browser, &serve, "finn@clinic.example").await;
    browser.open(&serve.url(&format!("/console/book?patient_id={noah}"))).await;
    browser.tab_to("#appointment_type").await;
    browser.press("Comprehensive").await;
    assert_eq!(browser.value("#appointment_type").await, "comprehensive_evaluation");
    browser.tab_to("form[method=get] button[type=submit]").await;
    browser.press_key(Key::Enter).await;
    browser.sees("Free times for Comprehensive evaluation").await;
    browser.tab_to("input[name=slot]").await;
    browser.press_key(Key::Space).await;
    browser.tab_to("#reason").await;
    browser.press("Low back pain since March").await;
    browser.tab_to("form[action='/console/book'][method=post] button[type=submit]").await;
    browser.press_key(Key::Enter).await;
    browser.sees("Booked.").await;
    browser.screenshot("desk-keyboard-booked").await;
    let (booked, starts_at, reason): (String, chrono::NaiveDateTime, Option<String>) = appointments::table
        .filter(appointments::patient_id.eq(&noah))
        .select((appointments::id, appointments::starts_at, appointments::reason))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(reason.as_deref(), Some("Low back pain since March"));

    // The same screens on a tablet: nothing to scroll sideways to.
    browser.resize(768, 1024).await;
    fits(
        &browser,
        &serve,
        &[
            ("/console/day", "tablet-day-sheet"),
            ("/console/week", "tablet-week"),
            (&format!("/console/book?patient_id={noah}&appointment_type=follow_up"), "tablet-free-times"),
            (&format!("/console/appointments/{booked}"), "tablet-appointment"),
            (&format!("/console/patients/{noah}"), "tablet-patient"),
            ("/console/waitlist", "tablet-waitlist"),
        ],
    )
    .await;
    browser.resize(1280, 800).await;

    // Ivy waits for that day; the desk cancels Noah's visit; Ivy takes the offer from its email.
    let clinic_zone = backtrack::db::clinic::settings(&mut app.conn()).unwrap().zone();
    let day = starts_at.and_utc().with_timezone(&clinic_zone).date_naive();
    let wish = json!({"appointment_type": "comprehensive_evaluation", "from_date": day, "to_date": day});
    api(&serve, &ivy, reqwest::Method::POST, "/v1/waitlist", &wish).await;
    browser.open(&serve.url("/console/waitlist")).await;
    browser.sees("Ivy Waiting").await;
    browser.screenshot("desk-waitlist").await;
    browser.open(&serve.url(&format!("/console/appointments/{booked}"))).await;
    browser.fill("#reason", "Noah is unwell").await;
    browser.click("button.danger").await;
    browser.sees("Cancelled.").await;
    sign_out(&browser).await;
    browser.open(&link_in_outbox(&outbox, "ivy@example.org", "/waitlist/offers/").await).await;
    browser.sees("Book this time").await;
    browser.screenshot("link-waitlist-offer").await;
    browser.click("main button[type=submit]").await;
    browser.sees("Booked").await;
    let ivys: Vec<String> = appointments::table
        .filter(appointments::patient_id.eq(&ivy_id))
        .filter(appointments::status.eq("booked"))
        .select(appointments::id)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(ivys.len(), 1, "the offer booked Ivy");

    // A reminder's stop link, from the email the worker sent: asks, stops, offers to undo.
    let local = Utc::now().with_timezone(&zone.parse::<chrono_tz::Tz>().unwrap());
    let program = every_day_from(&(local.date_naive() - Duration::days(1)).to_string());
    api(&serve, &cleo, reqwest::Method::POST, &format!("/v1/patients/{ivy_id}/programs"), &program).await;
    let choice = json!({"exercise": {"enabled": true, "weekdays": [1, 2, 3, 4, 5, 6, 7],
        "time": local.format("%H:%M").to_string()}});
    api(&serve, &ivy, reqwest::Method::PUT, "/v1/me/reminders", &choice).await;
    browser.open(&link_in_outbox(&outbox, "ivy@example.org", "/unsubscribe/").await).await;
    browser.sees("exercise reminders").await;
    browser.screenshot("link-unsubscribe").await;
    browser.click("main form button[type=submit]").await;
    browser.sees("Turn them back on").await;
    let prefs = api(&serve, &ivy, reqwest::Method::GET, "/v1/me/notification-preferences", &Value::Null).await;
    assert_eq!(prefs["exercise_reminders"], false, "{prefs}");
    browser.click("main form button[type=submit]").await;
    browser.sees("Turned back on").await;
    let prefs = api(&serve, &ivy, reqwest::Method::GET, "/v1/me/notification-preferences", &Value::Null).await;
    assert_eq!(prefs["exercise_reminders"], true, "{prefs}");

    // The clinician's and the admin's other screens, at the desk's size and on a tablet.
    sign_in(&browser, &serve, "cleo@clinic.example").await;
    let evaluation = format!("/console/appointments/{}/evaluation", ivys[0]);
    let clinician = [
        (evaluation.as_str(), "clinician-evaluation"),
        ("/console/exercises", "clinician-exercises"),
        ("/console/hours", "clinician-hours-exceptions"),
    ];
    fits(&browser, &serve, &clinician).await;
    browser.resize(768, 1024).await;
    fits(&browser, &serve, &[(evaluation.as_str(), "tablet-evaluation"), ("/console/worklist", "tablet-worklist")])
        .await;
    browser.resize(1280, 800).await;
    sign_out(&browser).await;
    sign_in(&browser, &serve, "ada@clinic.example").await;
    let admin = [
        ("/console/types", "admin-types"),
        ("/console/rules", "admin-rules"),
        ("/console/deliveries", "admin-deliveries"),
        ("/console/audit", "admin-audit"),
        ("/console/settings", "admin-settings"),
    ];
    fits(&browser, &serve, &admin).await;
    browser.resize(768, 1024).await;
    fits(&browser, &serve, &[("/console/deliveries", "tablet-deliveries"), ("/console/audit", "tablet-audit")]).await;
    // Every link in every email this clinic's day sent opens a page.
    let opened = every_link_opens(&outbox, &serve.url("")).await;
    for page in ["accept-invite", "verify-email", "appointments", "waitlist", "program", "unsubscribe"] {
        assert!(opened.contains(page), "{page} links in {opened:?}");
    }
    browser.quit().await;
}
