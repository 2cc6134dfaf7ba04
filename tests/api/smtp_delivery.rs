//! The outbox worker against a real SMTP server on 127.0.0.1: everything arrives, once, through
//! refusals, outages, crashes and competing workers.

use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use backtrack::db::schema::notification_outbox as outbox;
use diesel::prelude::*;

use crate::helpers::{eventually, spawn_app, worker_settings, TestApp};
use crate::smtp_sink::SmtpSink;

fn message_ids(sink: &SmtpSink) -> Vec<String> {
    sink.received().iter().map(|m| m.message_id().expect("a Message-ID")).collect()
}

fn expected_message_id(id: &str) -> String {
    format!("<{id}@clinic.example>")
}

/// Every id arrived at least once; returns how many arrived more than once.
/// Asserts every id arrived; returns how many extra copies arrived.
pub fn assert_all_arrived(sink: &SmtpSink, ids: &[String]) -> usize {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for id in message_ids(sink) {
        *seen.entry(id).or_default() += 1;
    }
    for id in ids {
        assert!(seen.contains_key(&expected_message_id(id)), "{id} never arrived");
    }
    // Every copy beyond the first counts: an email sent three times is two duplicates.
    seen.values().map(|n| n - 1).sum()
}

#[tokio::test]
async fn queued_emails_all_arrive_exactly_once_with_both_bodies() {
    let app = spawn_app().await;
    let sink = SmtpSink::start();
    let ids = app.queue_emails(25, "once");
    let worker = app.start_worker(sink.port, worker_settings(4, 60));
    app.wait_for_status(&ids, "sent", 60).await;
    worker.stop().await;

    let received = sink.received();
    assert_eq!(received.len(), 25);
    let parser = mail_parser::MessageParser::default();
    for (i, id) in ids.iter().enumerate() {
        let message = received
            .iter()
            .find(|m| m.message_id().as_deref() == Some(expected_message_id(id).as_str()))
            .unwrap_or_else(|| panic!("{id} arrived"));
        let parsed = parser.parse(&message.raw).unwrap();
        assert_eq!(message.to, [format!("patient{i}-once@example.org")]);
        assert_eq!(parsed.subject(), Some(format!("Test once {i}").as_str()));
        assert_eq!(parsed.body_text(0).unwrap().trim(), format!("Plain body once {i}"));
        assert_eq!(parsed.body_html(0).unwrap().trim(), format!("<p>HTML body once {i}</p>"));
        assert_eq!(parsed.from().unwrap().first().unwrap().address(), Some("no-reply@clinic.example"));
    }
    assert_eq!(assert_all_arrived(&sink, &ids), 0, "no duplicates");
    let recorded: Vec<Option<String>> = outbox::table.select(outbox::smtp_message_id).load(&mut app.conn()).unwrap();
    assert!(recorded.iter().all(Option::is_some), "every row records its Message-ID");
}

#[tokio::test]
async fn a_refusing_server_loses_nothing_and_attempts_are_recorded() {
    let app = spawn_app().await;
    let sink = SmtpSink::start();
    sink.refuse(true);
    let ids = app.queue_emails(6, "refused");
    let worker = app.start_worker(sink.port, worker_settings(3, 60));
    eventually(30, "six refusals", || sink.refusals() >= 6).await;
    // While refused: waiting for a back-off, with the SMTP reply recorded.
    let waiting: Vec<(String, i32, Option<String>, chrono::NaiveDateTime)> = outbox::table
        .select((outbox::status, outbox::attempts, outbox::last_error, outbox::next_attempt_at))
        .load(&mut app.conn())
        .unwrap();
    assert!(waiting.iter().all(|(status, ..)| status != "sent"));
    assert!(
        waiting
            .iter()
            .any(|(_, attempts, error, _)| *attempts >= 1 && error.as_deref().is_some_and(|e| e.contains("451"))),
        "{waiting:?}"
    );
    sink.refuse(false);
    app.wait_for_status(&ids, "sent", 60).await;
    worker.stop().await;
    assert_eq!(assert_all_arrived(&sink, &ids), 0);
    assert_eq!(sink.count(), 6);
    let attempts: Vec<i32> = outbox::table.select(outbox::attempts).load(&mut app.conn()).unwrap();
    assert!(attempts.iter().all(|a| *a >= 2), "each was refused at least once: {attempts:?}");
}

#[tokio::test]
async fn a_server_that_is_not_listening_loses_nothing() {
    let app = spawn_app().await;
    let port = SmtpSink::unused_port();
    let ids = app.queue_emails(5, "down");
    let worker = app.start_worker(port, worker_settings(2, 60));
    let failed_once = |app: &TestApp| -> bool {
        let errors: Vec<Option<String>> = outbox::table.select(outbox::last_error).load(&mut app.conn()).unwrap();
        errors.iter().filter(|e| e.is_some()).count() == 5
    };
    eventually(30, "every email failed once", || failed_once(&app)).await;
    let sink = SmtpSink::start_at(port);
    app.wait_for_status(&ids, "sent", 60).await;
    worker.stop().await;
    assert_eq!(assert_all_arrived(&sink, &ids), 0);
}

#[tokio::test]
async fn the_worker_keeps_going_while_the_api_is_unreachable() {
    let sink = SmtpSink::start();
    let api_port = SmtpSink::unused_port();
    // The worker starts first, against an address where no API answers yet: a bare socket there
    // closes every connection, and shows the worker tried twice (it kept going after a failure)
    // before the API comes up.
    let stand_in = std::net::TcpListener::bind(("127.0.0.1", api_port)).unwrap();
    stand_in.set_nonblocking(true).unwrap();
    let early = spawn_app().await;
    let worker = early.start_worker_at(
        &format!("http://127.0.0.1:{api_port}"),
        crate::helpers::smtp_to(sink.port),
        worker_settings(2, 60),
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut tries = 0;
    while tries < 2 {
        match stand_in.accept() {
            Ok((connection, _)) => {
                drop(connection);
                tries += 1;
            }
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {
                assert!(std::time::Instant::now() < deadline, "the worker never tried the API twice");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(err) => panic!("accepting the worker's connection: {err}"),
        }
    }
    drop(stand_in);
    // Then the API comes up on that address, sharing the database the worker's token is in.
    let app = crate::helpers::spawn_app_sharing(&early, api_port).await;
    let ids = app.queue_emails(3, "late-api");
    app.wait_for_status(&ids, "sent", 60).await;
    worker.stop().await;
    assert_eq!(assert_all_arrived(&sink, &ids), 0);
}

#[tokio::test]
async fn permanent_rejections_stop_and_expired_or_cancelled_rows_are_not_sent() {
    let app = spawn_app().await;
    let sink = SmtpSink::start();
    sink.reject_recipient("patient1-mixed@example.org");
    let ids = app.queue_emails(4, "mixed");
    diesel::update(outbox::table.find(&ids[2]))
        .set(outbox::expires_at.eq(Some(backtrack::db::now() - chrono::Duration::seconds(1))))
        .execute(&mut app.conn())
        .unwrap();
    let key: String = outbox::table.find(&ids[3]).select(outbox::dedupe_key).first(&mut app.conn()).unwrap();
    backtrack::db::outbox::cancel(&mut app.conn(), &key, backtrack::db::now()).unwrap();

    let worker = app.start_worker(sink.port, worker_settings(2, 60));
    app.wait_for_status(&ids[..1], "sent", 60).await;
    app.wait_for_status(&ids[1..2], "failed", 60).await;
    app.wait_for_status(&ids[2..3], "expired", 60).await;
    worker.stop().await;

    let statuses = app.statuses();
    assert_eq!(statuses[&ids[2]], "expired");
    assert_eq!(statuses[&ids[3]], "cancelled");
    let (attempts, error): (i32, Option<String>) =
        outbox::table.find(&ids[1]).select((outbox::attempts, outbox::last_error)).first(&mut app.conn()).unwrap();
    assert_eq!(attempts, 1, "a 5xx is not retried");
    assert!(error.unwrap().contains("550"));
    assert_eq!(message_ids(&sink), [expected_message_id(&ids[0])], "only the deliverable email arrived");
}

#[tokio::test]
async fn two_then_four_workers_never_send_an_email_twice() {
    let app = spawn_app().await;
    let sink = SmtpSink::start();
    sink.answer_slowly(Duration::from_millis(5));
    for (workers, tag) in [(2, "two"), (4, "four")] {
        let ids = app.queue_emails(60, tag);
        let running: Vec<_> = (0..workers).map(|_| app.start_worker(sink.port, worker_settings(4, 60))).collect();
        app.wait_for_status(&ids, "sent", 120).await;
        for worker in running {
            worker.stop().await;
        }
        assert_eq!(assert_all_arrived(&sink, &ids), 0, "{workers} workers: no duplicates");
    }
    let all = message_ids(&sink);
    assert_eq!(all.len(), 120);
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 120, "every Message-ID once");
}

pub fn worker_process(app: &TestApp, token: &str, smtp_port: u16) -> Child {
    crate::helpers::child_env(&mut Command::new(env!("CARGO_BIN_EXE_backtrack")))
        .arg("worker")
        .env("BACKTRACK_API_URL", &app.address)
        .env("BACKTRACK_WORKER_TOKEN", token)
        .env("BACKTRACK_MAIL_TRANSPORT", "smtp")
        .env("BACKTRACK_SMTP_HOST", "127.0.0.1")
        .env("BACKTRACK_SMTP_PORT", smtp_port.to_string())
        .env("BACKTRACK_SMTP_SECURITY", "none")
        .env("BACKTRACK_MAIL_FROM", "BackTrack <no-reply@clinic.example>")
        .env("BACKTRACK_WORKER_CONCURRENCY", "4")
        .env("BACKTRACK_WORKER_LEASE_SECONDS", "5")
        .env("BACKTRACK_WORKER_POLL_MILLIS", "50")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the worker starts")
}

#[tokio::test]
async fn a_worker_killed_mid_batch_and_restarted_loses_nothing() {
    let app = spawn_app().await;
    let sink = SmtpSink::start();
    sink.answer_slowly(Duration::from_millis(40));
    let ids = app.queue_emails(60, "killed");
    let token = app.worker_token();
    let mut first = worker_process(&app, &token, sink.port);
    eventually(60, "some emails arrive", || sink.count() >= 10).await;
    first.kill().expect("SIGKILL"); // Child::kill sends SIGKILL on Unix
    first.wait().unwrap();
    let at_kill = sink.count();
    assert!(at_kill < 60, "killed mid-batch ({at_kill} of 60 had arrived)");

    let mut second = worker_process(&app, &token, sink.port);
    app.wait_for_status(&ids, "sent", 120).await;
    second.kill().unwrap();
    second.wait().unwrap();
    let duplicates = assert_all_arrived(&sink, &ids);
    // Emails in flight at the kill may have reached the server without being acknowledged:
    // SMTP cannot avoid those duplicates; there are at most as many as were in flight.
    assert!(duplicates <= 4, "{duplicates} duplicates, more than the 4 in flight");
    println!("killed worker: {at_kill} delivered before the kill, {duplicates} duplicate(s) after restart");
}

#[tokio::test]
async fn sigterm_finishes_what_is_in_flight_and_leaves_nothing_leased() {
    let app = spawn_app().await;
    let sink = SmtpSink::start();
    sink.answer_slowly(Duration::from_millis(300));
    let ids = app.queue_emails(30, "term");
    let token = issue_token_with_the_cli(&app);
    let mut worker = worker_process(&app, &token, sink.port);
    eventually(60, "the first email arrives", || sink.count() >= 1).await;
    let status = Command::new("kill").args(["-TERM", &worker.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = worker.wait().unwrap();
    assert!(exit.success(), "the worker exits cleanly on SIGTERM: {exit:?}");

    let statuses = app.statuses();
    let leased = ids.iter().filter(|id| statuses[*id] == "leased").count();
    assert_eq!(leased, 0, "nothing is left leased");
    let sent: Vec<&String> = ids.iter().filter(|id| statuses[*id] == "sent").collect();
    assert_eq!(sent.len(), sink.count(), "everything that reached the server was acknowledged");
    assert!(sent.len() < 30, "it stopped instead of draining the whole outbox");
}

#[tokio::test]
async fn serve_delivers_through_its_in_process_worker_into_eml_files() {
    let app = crate::helpers::spawn_app_with(|config| config.in_process_worker = true).await;
    let body = serde_json::json!({"email": "eml@example.org", "password": "Thoracic-open-book", "full_name": "Eli Patient", "date_of_birth": "1988-08-08", "time_zone": "UTC"});
    assert_eq!(app.post("/v1/auth/register", &body).await.status(), 202);
    let outbox_dir = match &app.state.config.mail.transport {
        backtrack::config::MailTransport::File { dir } => dir.clone(),
        other => panic!("the embedded default writes files, not {other:?}"),
    };
    let find = || {
        std::fs::read_dir(&outbox_dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    .any(|text| text.contains("Confirm your email for BackTrack") && text.contains("eml@example.org"))
            })
            .unwrap_or(false)
    };
    eventually(30, "an .eml file with the verification email", find).await;
    let ids: Vec<String> = outbox::table.select(outbox::id).load(&mut app.conn()).unwrap();
    app.wait_for_status(&ids, "sent", 30).await;
}

/// `backtrack issue-worker-token`, as an operator runs it against the app's database.
fn issue_token_with_the_cli(app: &TestApp) -> String {
    let dir = tempfile::tempdir().unwrap();
    let output = crate::helpers::child_env(&mut Command::new(env!("CARGO_BIN_EXE_backtrack")))
        .args(["issue-worker-token", "--name", "Mail worker 1"])
        .env("DATABASE_URL", &app.state.config.database_url)
        .env("BACKTRACK_DATA_DIR", dir.path())
        .output()
        .expect("the command runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let token = String::from_utf8(output.stdout).unwrap().trim().to_string();
    assert!(token.starts_with("btw_"), "{token}");
    token
}
