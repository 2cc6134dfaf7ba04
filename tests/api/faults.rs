//! Faults the service must survive: a worker killed over and over while thousands of emails flow
//! into a server that refuses a share of them; PostgreSQL restarted under load; `serve` stopped
//! with SIGTERM under load; several `serve` processes on one database racing for the same times.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backtrack::domain::role::Role;
use futures_util::future::join_all;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use crate::booking_races::{appointments_count, overlaps, patients};
use crate::calendar_fixture::{calendar, rfc3339};
use crate::helpers::{assert_problem, eventually, spawn_app, spawn_app_on, spawn_app_with, PASSWORD};
use crate::pg_cluster::PgCluster;
use crate::serve_process::ServeProcess;
use crate::smtp_delivery::{assert_all_arrived, worker_process};
use crate::smtp_sink::SmtpSink;

#[tokio::test]
async fn a_worker_killed_at_random_moments_again_and_again_loses_nothing() {
    const EMAILS: usize = 2000;
    const KILLS: usize = 12;
    const IN_FLIGHT: usize = 4; // the worker process's BACKTRACK_WORKER_CONCURRENCY
                                // Retries come after a second; a row cut off by a kill is not given up on.
    let app = spawn_app_with(|c| c.delivery_policy.max_attempts = 100).await;
    let sink = SmtpSink::start();
    sink.refuse_every(5);
    let ids = app.queue_emails(EMAILS, "fault");
    let token = app.worker_token();
    let seed: u64 = rand::thread_rng().gen();
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut at_kills = Vec::new();
    for _ in 0..KILLS {
        let mut worker = worker_process(&app, &token, sink.port);
        tokio::time::sleep(Duration::from_millis(rng.gen_range(200..1200))).await;
        worker.kill().expect("SIGKILL");
        worker.wait().unwrap();
        at_kills.push(sink.count());
    }
    assert!(at_kills.last() < Some(&EMAILS), "the kills came while emails were still flowing: {at_kills:?}");
    let mut last = worker_process(&app, &token, sink.port);
    app.wait_for_status(&ids, "sent", 600).await;
    last.kill().unwrap();
    last.wait().unwrap();

    let duplicates = assert_all_arrived(&sink, &ids);
    assert!(sink.refusals() > 0, "the server refused a share");
    // An email whose 250 was on its way when the worker died is sent again: SMTP cannot avoid
    // that. There are at most as many per kill as were in flight.
    assert!(duplicates <= KILLS * IN_FLIGHT, "{duplicates} duplicates over {KILLS} kills");
    println!(
        "worker faults (seed {seed}): {EMAILS} emails, {KILLS} SIGKILLs (delivered at each: {at_kills:?}), \
         {} refusals, {} messages received, {duplicates} duplicate(s), 0 lost",
        sink.refusals(),
        sink.count()
    );
}

/// What a load loop saw: (phase, status, Retry-After present, problem+json code).
type Seen = Arc<Mutex<Vec<(u8, u16, bool, Option<String>)>>>;

/// Runs only in the PostgreSQL suite (`TEST_DATABASE_URL` set), where PostgreSQL's server
/// binaries are known to be installed; it starts its own server to stop and start.
#[tokio::test]
async fn postgresql_restarted_under_load_answers_503_and_the_api_recovers_by_itself() {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        eprintln!("the PostgreSQL suite runs this test");
        return;
    }
    let cluster = PgCluster::start();
    let app = spawn_app_on(&cluster.url("postgres")).await;
    let (_, token) = app.user_with_token(Role::Patient, "p@example.org", "Pat Patient").await;
    let phase = Arc::new(AtomicU8::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let seen: Seen = Arc::default();
    let loops: Vec<_> = (0..6)
        .map(|_| {
            let (phase, stop, seen, token) = (phase.clone(), stop.clone(), seen.clone(), token.clone());
            let (client, url) = (app.client.clone(), app.url("/v1/me"));
            tokio::spawn(async move {
                while !stop.load(Ordering::SeqCst) {
                    let sent_in = phase.load(Ordering::SeqCst);
                    let response = client.get(&url).bearer_auth(&token).send().await.expect("the API answers");
                    let status = response.status().as_u16();
                    let retry_after = response.headers().contains_key("retry-after");
                    let problem =
                        response.json::<Value>().await.ok().and_then(|b| b["code"].as_str().map(String::from));
                    seen.lock().unwrap().push((sent_in, status, retry_after, problem));
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(1)).await;
    cluster.down();
    phase.store(1, Ordering::SeqCst);
    // Longer than the pool's 5 s wait for a connection, so requests do give up while it is down.
    tokio::time::sleep(Duration::from_secs(9)).await;
    cluster.up();
    phase.store(2, Ordering::SeqCst);
    let recovered = || seen.lock().unwrap().iter().filter(|(p, s, ..)| *p == 2 && *s == 200).count() >= 20;
    eventually(30, "the API serves again after PostgreSQL is back", recovered).await;
    stop.store(true, Ordering::SeqCst);
    join_all(loops).await;

    let seen = seen.lock().unwrap();
    for (phase, status, retry_after, code) in seen.iter() {
        match status {
            200 => {}
            503 => {
                assert!(*retry_after, "a 503 carries Retry-After");
                assert_eq!(code.as_deref(), Some("service_unavailable"), "a 503 is a problem document");
            }
            other => panic!("phase {phase}: {other} ({code:?}); only 200 or 503 are acceptable"),
        }
    }
    let count = |p: u8, s: u16| seen.iter().filter(|(phase, status, ..)| *phase == p && *status == s).count();
    assert!(count(0, 200) > 0, "it served before the restart");
    assert!(count(1, 503) > 0, "while PostgreSQL was down it said so");
    assert!(count(1, 200) == 0 || count(1, 503) > 0, "the outage was seen");
    let tail: Vec<u16> = seen.iter().rev().take(10).map(|(_, s, ..)| *s).collect();
    assert!(tail.iter().all(|s| *s == 200), "after recovery everything succeeds: {tail:?}");
    println!(
        "PostgreSQL restart: before {} ok; while down {} × 503, {} ok; after {} ok, {} × 503",
        count(0, 200),
        count(1, 503),
        count(1, 200),
        count(2, 200),
        count(2, 503)
    );
}

#[tokio::test]
async fn sigterm_under_load_lets_every_request_in_flight_finish() {
    let app = spawn_app().await;
    for n in 0..4 {
        app.create_user(Role::Patient, &format!("p{n}@example.org"), &format!("Pat Patient{n}")).await;
    }
    let mut serve = ServeProcess::start(&app.state.config.database_url, &[]).await;
    // A connection per request: what is in flight is exactly what was sent.
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let requests: Vec<_> = (0..24)
        .map(|i| {
            let (client, url) = (client.clone(), serve.url("/v1/auth/login"));
            let body = json!({"email": format!("p{}@example.org", i % 4), "password": PASSWORD});
            tokio::spawn(async move { client.post(url).json(&body).send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    // Sign-ins take an argon2 verification each, so two dozen keep the server busy for a while.
    tokio::time::sleep(Duration::from_millis(300)).await;
    serve.terminate();
    let answers: Vec<_> = join_all(requests).await.into_iter().map(|r| r.unwrap()).collect();
    assert!(serve.wait(), "serve exits cleanly after SIGTERM");
    let failed: Vec<_> = answers.iter().filter(|a| !matches!(a, Ok(200))).collect();
    assert!(failed.is_empty(), "every sign-in in flight at SIGTERM completed: {failed:?}");
    let after = client.get(serve.url("/healthz")).timeout(Duration::from_secs(5)).send().await;
    assert!(after.is_err(), "after shutdown nothing listens");
}

#[tokio::test]
async fn three_serve_processes_on_one_database_never_double_book() {
    let cal = calendar("America/Chicago", 1).await;
    let clinician = cal.clinicians[0].0.clone();
    let patients = patients(&cal, 45).await;
    let secret = String::from_utf8(cal.app.state.config.jwt_secret.clone()).unwrap();
    let database = cal.app.state.config.database_url.clone();
    let mut servers = Vec::new();
    for _ in 0..3 {
        servers.push(ServeProcess::start(&database, &[("BACKTRACK_JWT_SECRET", &secret)]).await);
    }
    // Every request overlaps every other: 45-minute visits starting 10:00, 10:15 or 10:30.
    let requests = patients.iter().enumerate().map(|(i, patient)| {
        let body = json!({"appointment_type": "follow_up", "start": rfc3339(cal.at(3, 10, 15 * (i as u32 % 3))),
            "clinician_id": clinician, "patient_id": patient});
        cal.app.client.post(servers[i % 3].url("/v1/appointments")).bearer_auth(&cal.desk).json(&body).send()
    });
    let mut created = 0;
    for response in join_all(requests).await {
        let response = response.unwrap();
        match response.status().as_u16() {
            201 => created += 1,
            _ => {
                assert_problem(response, 409, "slot_taken").await;
            }
        }
    }
    assert_eq!(created, 1, "one booking wins across the three processes");
    assert_eq!(appointments_count(&cal.app), 1);
    assert_eq!(overlaps(&cal.app), (0, 0));
}
