//! The public pages behind the account emails' links, driven as a browser posts forms: opening a
//! link changes nothing, posting the page's form does it through the same services as the API,
//! a refused field shows its message next to it, and a used or unknown link gets a page that
//! says what to do next. (The browser journeys drive the same pages in Chromium.)

use backtrack::db::schema::{refresh_tokens, users};
use backtrack::domain::role::Role;
use diesel::prelude::*;
use serde_json::json;

use crate::helpers::{spawn_app, TestApp, PASSWORD};

async fn page(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"].to_str().unwrap().to_string();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("style-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    let body = response.text().await.unwrap();
    assert!(body.contains("href=\"/console/console.css\""), "every page has the stylesheet");
    (status, body)
}

async fn post_form(app: &TestApp, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.client.post(app.url(path)).form(form).send().await.unwrap()
}

fn verified(app: &TestApp, email: &str) -> bool {
    users::table
        .filter(users::email.eq(email))
        .select(users::email_verified_at)
        .first::<Option<chrono::NaiveDateTime>>(&mut app.conn())
        .unwrap()
        .is_some()
}

#[tokio::test]
async fn the_confirmation_link_opens_a_page_whose_button_confirms_once() {
    let app = spawn_app().await;
    let sign_up = json!({"email": "uma@example.org", "password": PASSWORD, "full_name": "Uma Patient",
        "date_of_birth": "1984-03-09", "time_zone": "America/Chicago"});
    assert_eq!(app.post("/v1/auth/register", &sign_up).await.status(), 202);
    let email = app.last_email_to("uma@example.org");
    assert!(email.text.contains("https://app.backtrack.test/verify-email?token="), "{}", email.text);
    let token = email.token();

    let (status, body) =
        page(app.client.get(app.url(&format!("/verify-email?token={token}"))).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(body.contains("Confirm my address") && body.contains(&format!("value=\"{token}\"")), "{body}");
    assert!(!verified(&app, "uma@example.org"), "opening the link changes nothing");

    let foreign = app
        .client
        .post(app.url("/verify-email"))
        .header("origin", "https://evil.example")
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    let (status, body) = page(foreign).await;
    assert_eq!(status, 403, "{body}");
    assert!(!verified(&app, "uma@example.org"), "a form from another site does nothing");

    // Post, redirect, get: the answer to the form is a redirect to the result page.
    let no_follow = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let posted = no_follow.post(app.url("/verify-email")).form(&[("token", token.as_str())]).send().await.unwrap();
    assert_eq!(posted.status(), 303);
    assert_eq!(posted.headers()["location"], "/verify-email/done");
    assert!(verified(&app, "uma@example.org"));
    let (status, body) = page(app.client.get(app.url("/verify-email/done")).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("your email address is confirmed"), "{body}");

    let (status, body) =
        page(app.client.get(app.url(&format!("/verify-email?token={token}"))).send().await.unwrap()).await;
    assert_eq!(status, 400, "a used link's page says so at once: {body}");
    assert!(body.contains("expired or was already used") && !body.contains("Confirm my address"), "{body}");
    let (status, body) = page(post_form(&app, "/verify-email", &[("token", &token)]).await).await;
    assert_eq!(status, 400);
    assert!(
        body.contains("expired or was already used") && body.contains("ask for a new confirmation email"),
        "{body}"
    );
    let (status, body) = page(app.client.get(app.url("/verify-email")).send().await.unwrap()).await;
    assert_eq!(status, 400);
    assert!(body.contains("This link is incomplete"), "{body}");
}

#[tokio::test]
async fn a_new_password_is_asked_for_and_set_from_pages_with_the_policys_messages() {
    let app = spawn_app().await;
    app.create_user(Role::Clinician, "pia@clinic.example", "Pia Therapist").await;

    let (status, body) = page(app.client.get(app.url("/forgot-password")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(body.contains("<label for=\"email\">"), "a labelled field: {body}");
    let (status, body) = page(post_form(&app, "/forgot-password", &[("email", "")]).await).await;
    assert_eq!(status, 422);
    assert!(body.contains("id=\"email-error\"") && body.contains("aria-invalid=\"true\""), "{body}");
    for email in ["pia@clinic.example", "nobody@example.org"] {
        let (status, body) = page(post_form(&app, "/forgot-password", &[("email", email)]).await).await;
        assert_eq!(status, 200);
        assert!(body.contains("If this address has an account"), "the same answer either way: {body}");
    }
    let email = app.last_email_to("pia@clinic.example");
    assert!(email.text.contains("https://app.backtrack.test/reset-password?token="), "{}", email.text);
    let token = email.token();

    let (status, body) =
        page(app.client.get(app.url(&format!("/reset-password?token={token}"))).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(body.contains("8 to 128 characters"), "the policy is shown: {body}");

    let new = "Cat-camel-stretch-slowly";
    let mismatch = [("token", token.as_str()), ("password", new), ("password_again", "something else")];
    let (status, body) = page(post_form(&app, "/reset-password", &mismatch).await).await;
    assert_eq!(status, 422);
    assert!(body.contains("id=\"password_again-error\""), "{body}");
    let common = [("token", token.as_str()), ("password", "password123"), ("password_again", "password123")];
    let (status, body) = page(post_form(&app, "/reset-password", &common).await).await;
    assert_eq!(status, 422);
    assert!(body.contains("id=\"password-error\""), "the policy's refusal next to the field: {body}");
    assert_eq!(app.login("pia@clinic.example", PASSWORD).await.status(), 200, "nothing changed yet");

    let good = [("token", token.as_str()), ("password", new), ("password_again", new)];
    let (status, body) = page(post_form(&app, "/reset-password", &good).await).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Your password is changed"), "{body}");
    assert_eq!(app.login("pia@clinic.example", new).await.status(), 200);
    assert_eq!(app.login("pia@clinic.example", PASSWORD).await.status(), 401);

    let (status, body) = page(post_form(&app, "/reset-password", &good).await).await;
    assert_eq!(status, 400);
    assert!(body.contains("href=\"/forgot-password\""), "a used link says what to do next: {body}");
}

#[tokio::test]
async fn the_stylesheet_is_served_with_a_validator() {
    let app = spawn_app().await;
    let css = app.client.get(app.url("/console/console.css")).send().await.unwrap();
    assert_eq!(css.status(), 200);
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    let etag = css.headers()["etag"].to_str().unwrap().to_string();
    assert!(css.text().await.unwrap().contains("font"));
    let again = app.client.get(app.url("/console/console.css")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    let other =
        app.client.get(app.url("/console/console.css")).header("if-none-match", "\"other\"").send().await.unwrap();
    assert_eq!(other.status(), 200);
}

#[tokio::test]
async fn the_first_admins_link_and_a_staff_invitation_open_pages_that_set_the_password() {
    let app = spawn_app().await;
    let link = backtrack::admin::bootstrap_invite(&app.state.pool, "https://app.backtrack.test")
        .unwrap()
        .expect("no admin yet");
    let token = link.split("token=").nth(1).unwrap().to_string();
    assert!(link.starts_with("https://app.backtrack.test/accept-invite?token="), "{link}");

    let (status, body) =
        page(app.client.get(app.url(&format!("/accept-invite?token={token}"))).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("first admin") && body.contains("name=\"email\"") && body.contains("name=\"full_name\""),
        "{body}"
    );
    let bad = [
        ("token", token.as_str()),
        ("email", "not-an-address"),
        ("full_name", "Ada Admin"),
        ("password", "Mckenzie-press-up-10x"),
        ("password_again", "Mckenzie-press-up-10x"),
    ];
    let (status, body) = page(post_form(&app, "/accept-invite", &bad).await).await;
    assert_eq!(status, 422);
    assert!(body.contains("id=\"email-error\"") && body.contains("value=\"Ada Admin\""), "kept what was typed: {body}");
    let good = [
        ("token", token.as_str()),
        ("email", "ada@clinic.example"),
        ("full_name", "Ada Admin"),
        ("password", "Mckenzie-press-up-10x"),
        ("password_again", "Mckenzie-press-up-10x"),
    ];
    let (status, body) = page(post_form(&app, "/accept-invite", &good).await).await;
    assert_eq!(status, 200, "{body}");
    let sessions: i64 = refresh_tokens::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(sessions, 0, "the page starts no API session nobody would use");
    let admin = app.login("ada@clinic.example", "Mckenzie-press-up-10x").await;
    assert_eq!(admin.status(), 200);
    let admin: serde_json::Value = admin.json().await.unwrap();
    let admin = admin["access_token"].as_str().unwrap().to_string();
    let (status, _) =
        page(app.client.get(app.url(&format!("/accept-invite?token={token}"))).send().await.unwrap()).await;
    assert_eq!(status, 400, "a used link");

    // The admin invites a clinician; the emailed link opens the same page without the admin's fields.
    let invite = json!({"email": "pt@clinic.example", "full_name": "Pia Therapist", "role": "clinician"});
    assert_eq!(app.post_as(&admin, "/v1/staff", &invite).await.status(), 201);
    let token = app.last_email_to("pt@clinic.example").token();
    let (status, body) =
        page(app.client.get(app.url(&format!("/accept-invite?token={token}"))).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(!body.contains("name=\"email\""), "{body}");
    let set = [("token", token.as_str()), ("password", "Bird-dog-hold-ten"), ("password_again", "Bird-dog-hold-ten")];
    let (status, body) = page(post_form(&app, "/accept-invite", &set).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.login("pt@clinic.example", "Bird-dog-hold-ten").await.status(), 200);
    let (status, body) =
        page(app.client.get(app.url("/accept-invite?token=no-such-token")).send().await.unwrap()).await;
    assert_eq!(status, 400);
    assert!(body.contains("Ask the clinic to send you a new one"), "{body}");
}

async fn appointments_of(app: &TestApp, token: &str) -> Vec<serde_json::Value> {
    let mine: serde_json::Value = app.get_as(token, "/v1/me/appointments").await.json().await.unwrap();
    mine["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_waitlist_offer_is_taken_from_its_page_once() {
    let cal = crate::calendar_fixture::calendar("America/Chicago", 1).await;
    let (_, booker) = cal.patient(1).await;
    let (_, waiting) = cal.patient(2).await;
    let start = crate::calendar_fixture::rfc3339(cal.at(3, 10, 0));
    let booked = cal.book_ok(&booker, &json!({"appointment_type": "comprehensive_evaluation", "start": start})).await;
    let date = cal.at(3, 10, 0).with_timezone(&cal.zone).date_naive();
    let wish = json!({"appointment_type": "comprehensive_evaluation", "from_date": date, "to_date": date});
    assert_eq!(cal.app.post_as(&waiting, "/v1/waitlist", &wish).await.status(), 201);
    let cancel = format!("/v1/appointments/{}/cancel", booked["id"].as_str().unwrap());
    assert_eq!(cal.app.post_as(&booker, &cancel, &json!({})).await.status(), 200);
    let offer = cal.app.last_email_to("patient2@example.org");
    assert!(offer.text.contains("https://app.backtrack.test/waitlist/offers/"), "{}", offer.text);
    let token = offer.text.split("/waitlist/offers/").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    let app = &cal.app;

    let (status, body) =
        page(app.client.get(app.url(&format!("/waitlist/offers/{token}"))).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("Book this time") && body.contains(&format!("action=\"/waitlist/offers/{token}\"")),
        "{body}"
    );
    assert_eq!(appointments_of(app, &waiting).await.len(), 0, "opening the link books nothing");

    let (status, body) = page(post_form(app, &format!("/waitlist/offers/{token}"), &[]).await).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Booked"), "{body}");
    let items = appointments_of(app, &waiting).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["start"], start);

    let (status, body) = page(post_form(app, &format!("/waitlist/offers/{token}"), &[]).await).await;
    assert_eq!(status, 400);
    assert!(body.contains("lapsed or was already taken"), "{body}");
}

#[tokio::test]
async fn a_reminders_stop_link_asks_first_turns_that_kind_off_and_offers_to_undo_it() {
    use backtrack::domain::reminders::ReminderKind;
    let app = spawn_app().await;
    let (id, token) = app.user_with_token(Role::Patient, "pia@example.org", "Pia Patient").await;
    let links = backtrack::reminders::ReminderLinks::from_config(&app.state.config);
    let url = links.unsubscribe_page(&id, ReminderKind::CheckIn);
    assert!(url.starts_with("https://app.backtrack.test/unsubscribe/"), "{url}");
    let path = url.trim_start_matches("https://app.backtrack.test");
    let switches = || async {
        let prefs: serde_json::Value =
            app.get_as(&token, "/v1/me/notification-preferences").await.json().await.unwrap();
        prefs["check_in_reminders"].as_bool().unwrap()
    };

    let (status, body) = page(app.client.get(app.url(path)).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(body.contains("weekly check-in reminders") && body.contains("Unsubscribe"), "{body}");
    assert!(switches().await, "opening the link changes nothing");

    let foreign = app.client.post(app.url(path)).header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(foreign.status(), 403);
    assert!(switches().await, "a form from another site changes nothing");

    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let done = plain.post(app.url(path)).send().await.unwrap();
    assert_eq!(done.status(), 303);
    let done_page = done.headers()["location"].to_str().unwrap().to_string();
    assert!(!switches().await, "turned off");
    let (_, body) = page(app.client.get(app.url(&done_page)).send().await.unwrap()).await;
    assert!(body.contains("Turn them back on") && body.contains(&format!("action=\"{path}/undo\"")), "{body}");

    let undone = plain.post(app.url(&format!("{path}/undo"))).send().await.unwrap();
    assert_eq!(undone.status(), 303);
    assert!(switches().await, "turned back on");
    let (_, body) =
        page(app.client.get(app.url(undone.headers()["location"].to_str().unwrap())).send().await.unwrap()).await;
    assert!(body.contains("Turned back on"), "{body}");
    let actions: Vec<String> = backtrack::db::schema::audit_log::table
        .filter(backtrack::db::schema::audit_log::patient_id.eq(&id))
        .filter(backtrack::db::schema::audit_log::action.like("notification_preferences.%subscribe"))
        .select(backtrack::db::schema::audit_log::action)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(actions.len(), 2, "both audited: {actions:?}");

    let (status, body) = page(app.client.get(app.url("/unsubscribe/not-a-token")).send().await.unwrap()).await;
    assert_eq!(status, 400);
    assert!(body.contains("Settings → Notifications"), "an unknown link says what to do instead");
}

#[tokio::test]
async fn the_links_meant_for_the_app_open_a_page_that_says_where_to_go_and_an_alert_leads_to_the_worklist() {
    let app = spawn_app().await;
    for (path, section) in [
        ("/appointments", "Appointments"),
        ("/appointments/0190-not-a-real-one", "Appointments"),
        ("/program", "Program"),
        ("/check-in", "Check-in"),
        ("/progress", "Progress"),
    ] {
        let (status, body) = page(app.client.get(app.url(path)).send().await.unwrap()).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            body.contains("meant for the BackTrack app") && body.contains(&format!("<strong>{section}</strong>")),
            "{path}: {body}"
        );
    }
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let alert = plain.get(app.url("/alerts/0190abcd-1234")).send().await.unwrap();
    assert_eq!(alert.status(), 303);
    assert_eq!(alert.headers()["location"], "/console/worklist#alert-0190abcd-1234");
    let odd = plain.get(app.url("/alerts/%3Cscript%3E")).send().await.unwrap();
    assert_eq!(odd.headers()["location"], "/console/worklist", "nothing odd is carried into the console");
    // Not signed in, the worklist asks for the sign-in first and comes back to it.
    let (status, body) = page(app.client.get(app.url("/alerts/0190abcd-1234")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(body.contains("name=\"next\" value=\"/console/worklist\""), "{body}");
}
