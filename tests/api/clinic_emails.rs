//! Emails come from the patient's clinic, not from the software: the clinic's name (its
//! settings) is in the subjects, the sign-off and the From display name of the `.eml` files the
//! worker writes, for the account emails, an appointment's confirmation and a clinician's
//! red-flag alert.

use serde_json::json;

use crate::calendar_fixture::{calendar, rfc3339};
use crate::helpers::worker_settings;

const CLINIC: &str = "Lakeside Physical Therapy";

/// Every `.eml` file in `dir`, parsed: (recipient, From display name, subject, text body).
fn read_outbox(dir: &std::path::Path) -> Vec<(String, String, String, String, String)> {
    let parser = mail_parser::MessageParser::default();
    let mut emails = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        if entry.path().extension().is_none_or(|x| x != "eml") {
            continue;
        }
        let raw = std::fs::read(entry.path()).unwrap();
        let message = parser.parse(&raw).expect("an email");
        let from = message.from().and_then(|f| f.first()).and_then(|a| a.name()).unwrap_or_default().to_string();
        let to = message.to().and_then(|t| t.first()).and_then(|a| a.address()).unwrap_or_default().to_string();
        let text = message.body_text(0).unwrap_or_default().to_string();
        let html = message.body_html(0).unwrap_or_default().to_string();
        emails.push((to, from, message.subject().unwrap_or_default().to_string(), text, html));
    }
    emails
}

#[tokio::test]
async fn emails_carry_the_clinics_name_in_subject_sign_off_and_sender() {
    // The fixture names the clinic "Lakeside Physical Therapy" through PUT /v1/clinic.
    let cal = calendar("America/Chicago", 1).await;
    let app = &cal.app;
    let signup = json!({"email": "new.patient@example.org", "password": "Thoracic-open-book", "full_name": "Nia New",
        "date_of_birth": "1988-08-08", "time_zone": "UTC"});
    assert_eq!(app.post("/v1/auth/register", &signup).await.status(), 202);
    let (_, patient) = cal.patient(1).await;
    let forgot = app.post("/v1/auth/password/forgot", &json!({"email": "patient1@example.org"})).await;
    assert_eq!(forgot.status(), 202);
    let invited = json!({"full_name": "Ivy Invited", "date_of_birth": "1970-01-01", "email": "ivy@example.org",
        "invite": true});
    assert_eq!(app.post_as(&cal.desk, "/v1/patients", &invited).await.status(), 201);
    let staff = json!({"email": "new.pt@clinic.example", "full_name": "Sam Staff", "role": "clinician"});
    assert_eq!(app.post_as(&cal.admin, "/v1/staff", &staff).await.status(), 201);
    let booking = json!({"appointment_type": "comprehensive_evaluation", "start": rfc3339(cal.at(3, 10, 0)),
        "red_flags": {"fever_or_chills": true}});
    let booked = cal.book(&patient, &booking).await;
    assert_eq!(booked.status(), 201, "{:?}", booked.text().await);

    let dir = tempfile::tempdir().unwrap();
    let mail = backtrack::config::MailSettings {
        transport: backtrack::config::MailTransport::File { dir: dir.path().to_path_buf() },
        from: "BackTrack <no-reply@clinic.example>".into(),
    };
    let worker = app.start_worker_at(&app.address, mail, worker_settings(2, 60));
    let expected = [
        "Confirm your email for Lakeside Physical Therapy",
        "Reset your password for Lakeside Physical Therapy",
        "Lakeside Physical Therapy invites you to its app",
        "You are invited to join Lakeside Physical Therapy",
        "Your appointment is booked",
        "Urgent red flag reported by a patient",
    ];
    let arrived = || {
        let emails = read_outbox(dir.path());
        expected.iter().all(|subject| emails.iter().any(|e| e.2 == *subject))
    };
    let waited = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while !arrived() {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    });
    let on_time = waited.await.is_ok();
    worker.stop().await;
    let emails = read_outbox(dir.path());
    let subjects: Vec<&str> = emails.iter().map(|e| e.2.as_str()).collect();
    assert!(on_time, "within 30 s, .eml files with each of {expected:?}; there are {subjects:?}");
    for (to, from, subject, text, html) in &emails {
        assert_eq!(from, CLINIC, "the From display name of {subject:?} to {to}");
        assert!(text.contains(&format!("\n— {CLINIC}")), "{subject:?} is signed by the clinic:\n{text}");
        assert!(html.contains(&format!("<p>— {CLINIC}</p>")), "{subject:?}'s HTML is signed by the clinic");
        // Only staff, who use the software, read its name.
        if !to.ends_with("@clinic.example") {
            assert!(!format!("{subject}{text}{html}").contains("BackTrack"), "{subject:?} to {to} names the software");
        }
    }
}
