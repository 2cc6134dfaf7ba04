//! Faults the service must survive: a worker killed over and over while thousands of emails flow
//! into a server that refuses a share of them; PostgreSQL restarted under load; `serve` stopped
//! with SIGTERM under load; several `serve` processes on one database racing for the same times.

use std::collections::HashSet;
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
    let mut owners_seen: HashSet<String> = HashSet::new();
    let mut tries = 0;
    while at_kills.len() < KILLS {
        tries += 1;
        assert!(tries <= 3 * KILLS, "fewer than {KILLS} of {tries} kills hit live work (seed {seed})");
        let before = sink.count();
        let mut worker = worker_process(&app, &token, sink.port);
        // Each kill hits live work: the new worker has delivered since the last kill, runs a random
        // while longer, and holds a lease when it dies.
        eventually(60, "deliveries progress before the kill", || sink.count() > before).await;
        tokio::time::sleep(Duration::from_millis(rng.gen_range(100..900))).await;
        eventually(10, "the worker holds a lease", || !lease_owners(&app).is_subset(&owners_seen)).await;
        worker.kill().expect("SIGKILL");
        worker.wait().unwrap();
        // A dead worker cannot hand its leases back: a lease not seen at an earlier kill was this
        // worker's, and was cut off by the kill.
        let owners = lease_owners(&app);
        let cut_off = owners.difference(&owners_seen).count();
        owners_seen.extend(owners);
        if cut_off > 0 {
            at_kills.push((sink.count(), cut_off));
        }
    }
    assert!(
        at_kills.last().map(|k| k.0) < Some(EMAILS),
        "the kills came while emails were still flowing: {at_kills:?}"
    );
    let mut last = worker_process(&app, &token, sink.port);
    app.wait_for_status(&ids, "sent", 600).await;
    last.kill().unwrap();
    last.wait().unwrap();

    let duplicates = assert_all_arrived(&sink, &ids);
    assert!(sink.refusals() > 0, "the server refused a share");
    // An email whose 250 was on its way when the worker died is sent again: SMTP cannot avoid
    // that. There are at most as many extra copies per kill as were in flight.
    assert!(duplicates <= tries * IN_FLIGHT, "{duplicates} extra copies over {tries} kills");
    assert_eq!(sink.count(), EMAILS + duplicates, "every message received is an email or a counted copy");
    println!(
        "worker faults (seed {seed}): {EMAILS} emails, {KILLS} SIGKILLs that cut off live leases (delivered, leases cut off, at each: \
         {at_kills:?}; {tries} tries), {} refusals, {} messages received, {duplicates} extra cop(ies), 0 lost",
        sink.refusals(),
        sink.count()
    );
}

/// The leases held now (one per claim a worker made).
fn lease_owners(app: &crate::helpers::TestApp) -> HashSet<String> {
    use backtrack::db::schema::notification_outbox as outbox;
    use diesel::prelude::*;
    outbox::table
        .filter(outbox::status.eq("leased"))
        .select(outbox::lease_owner)
        .load::<Option<String>>(&mut app.conn())
        .unwrap()
        .into_iter()
        .flatten()
        .collect()
}

/// What the load loops saw: (loop, phase, status, Retry-After present, problem+json code).
type Seen = Arc<Mutex<Vec<(usize, u8, u16, bool, Option<String>)>>>;

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
    const LOOPS: usize = 6;
    let loops: Vec<_> = (0..LOOPS)
        .map(|n| {
            let (phase, stop, seen, token) = (phase.clone(), stop.clone(), seen.clone(), token.clone());
            let (client, url) = (app.client.clone(), app.url("/v1/me"));
            tokio::spawn(async move {
                while !stop.load(Ordering::SeqCst) {
                    let sent_in = phase.load(Ordering::SeqCst);
                    // A reset or a dropped connection ends the loop with an error the test sees.
                    let response =
                        client.get(&url).bearer_auth(&token).send().await.map_err(|e| format!("loop {n}: {e}"))?;
                    let status = response.status().as_u16();
                    let retry_after = response.headers().contains_key("retry-after");
                    let problem =
                        response.json::<Value>().await.ok().and_then(|b| b["code"].as_str().map(String::from));
                    seen.lock().unwrap().push((n, sent_in, status, retry_after, problem));
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Ok::<(), String>(())
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
    let recovered = || seen.lock().unwrap().iter().filter(|(_, p, s, ..)| *p == 2 && *s == 200).count() >= 20;
    eventually(30, "the API serves again after PostgreSQL is back", recovered).await;
    stop.store(true, Ordering::SeqCst);
    for outcome in join_all(loops).await {
        outcome.expect("a load loop ran to the end").expect("every request got an answer");
    }

    let seen = seen.lock().unwrap();
    for (n, phase, status, retry_after, code) in seen.iter() {
        match status {
            200 => {}
            503 => {
                assert!(*retry_after, "a 503 carries Retry-After");
                assert_eq!(code.as_deref(), Some("service_unavailable"), "a 503 is a problem document");
            }
            other => panic!("loop {n}, phase {phase}: {other} ({code:?}); only 200 or 503 are acceptable"),
        }
    }
    let count = |p: u8, s: u16| seen.iter().filter(|(_, phase, status, ..)| *phase == p && *status == s).count();
    for n in 0..LOOPS {
        let of_loop =
            |p: u8, s: u16| seen.iter().filter(|(l, phase, status, ..)| *l == n && *phase == p && *status == s).count();
        assert!(of_loop(0, 200) > 0, "loop {n} was served before the restart");
        assert!(of_loop(1, 503) > 0, "loop {n} was told of the outage");
        assert!(of_loop(2, 200) > 0, "loop {n} was served again after it");
    }
    let tail: Vec<u16> = seen.iter().rev().take(10).map(|(_, _, s, ..)| *s).collect();
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

/// Reads from `stream` up to the blank line that ends a response head.
async fn read_head(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        let read = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut byte)).await;
        match read.expect("the server answers in time").expect("the connection stays open") {
            0 => break,
            _ => head.push(byte[0]),
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

#[tokio::test]
async fn sigterm_under_load_lets_every_request_in_flight_finish() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const REQUESTS: usize = 24;
    let app = spawn_app().await;
    for n in 0..4 {
        app.create_user(Role::Patient, &format!("p{n}@example.org"), &format!("Pat Patient{n}")).await;
    }
    let mut serve = ServeProcess::start(&app.state.config.database_url, &[]).await;
    let address = serve.base.trim_start_matches("http://").to_string();
    // Every sign-in is in flight before the signal, provably: the server has read its head and
    // answered `100 Continue`; its body is held back until SIGTERM has been sent.
    let mut held = Vec::new();
    for i in 0..REQUESTS {
        let body = json!({"email": format!("p{}@example.org", i % 4), "password": PASSWORD}).to_string();
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        let head = format!(
            "POST /v1/auth/login HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let interim = read_head(&mut stream).await;
        assert!(interim.starts_with("HTTP/1.1 100"), "request {i} was accepted: {interim:?}");
        held.push((stream, body));
    }
    serve.terminate();
    // The signal has taken effect once the server takes no new connection.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(&address).await.is_ok() {
        assert!(std::time::Instant::now() < deadline, "serve still takes new connections after SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Only now the bodies: each sign-in was accepted before the signal and is answered after it.
    let answers = join_all(held.into_iter().map(|(mut stream, body)| async move {
        stream.write_all(body.as_bytes()).await.map_err(|e| e.to_string())?;
        let mut response = String::new();
        stream.read_to_string(&mut response).await.map_err(|e| e.to_string())?;
        Ok::<String, String>(response.lines().next().unwrap_or_default().to_string())
    }))
    .await;
    let failed: Vec<_> =
        answers.iter().filter(|a| !matches!(a, Ok(line) if line.starts_with("HTTP/1.1 200"))).collect();
    assert!(failed.is_empty(), "every sign-in in flight at SIGTERM completed: {failed:?}");
    assert_eq!(answers.len(), REQUESTS);
    assert!(serve.wait(), "serve exits cleanly after SIGTERM");
    let client = reqwest::Client::new();
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
