//! The server benchmark behind `bench/run`: the release `backtrack serve` as its own process,
//! loaded by oha, on SQLite and (with a reachable `BENCH_DATABASE_URL`) PostgreSQL.
//!
//!     bench/run                                   # builds, installs oha if missing, runs this
//!     cargo bench --bench proof                   # this part alone (oha must be installed)
//!
//! Per backend: start-up to ready on an empty and on a migrated database; requests per second,
//! p50 and p99 of six endpoints and their ratio to `/healthz`; sign-ins per second against the
//! cores ÷ one argon2 verification, and the availability p99 during a sign-in flood; the
//! availability p50 at 10,000, 100,000 and 1,000,000 appointments; the server's peak memory.
//! BENCH_SECONDS (5) is the length of each load, BENCH_CONNECTIONS (16) its connections,
//! BENCH_GROWTH (10000,100000,1000000) the appointment counts of the growth table.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use backtrack::auth::jwt::JwtKeys;
use backtrack::auth::password::{self, PasswordHasher};
use backtrack::domain::role::Role;
use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use support::clinic::{self, Clinic, PASSWORD};
use support::growth::Growth;
use support::oha::{self, Load};
use support::server::{self, Server};
use support::{measure, save, table, Measure};

/// Sign-in flood connections: one account admits at most 9 attempts in flight (see the report).
const LOGIN_CONNECTIONS: usize = 8;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("?".into(), |k| format!("{:.0} MiB", k as f64 / 1024.0))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

struct Settings {
    window: Duration,
    connections: usize,
    growth: Vec<u64>,
}

/// Who the loads act as: tokens issued with the server's own key, each of a sign-in (a
/// refresh-token family) stored beside the seeded clinic.
struct People {
    desk: String,
    me: String,
    in_care: String,
    clinician: String,
}

fn people(conn: &mut backtrack::db::DbConnection, clinic: &Clinic) -> People {
    let keys = JwtKeys::new(server::JWT_SECRET.as_bytes(), server::JWT_ISSUER, server::JWT_AUDIENCE, 7200);
    let now = Utc::now().timestamp();
    let at = backtrack::db::now();
    let mut token = |user: &str, role: Role| {
        let family = backtrack::db::new_id();
        let hash = backtrack::auth::secret_token::hash(&backtrack::auth::secret_token::generate());
        backtrack::db::tokens::insert_refresh(conn, user, &family, &hash, at, at + chrono::Duration::days(1)).unwrap();
        keys.issue(user, role, 0, Some(&family), now)
    };
    People {
        desk: token(&clinic.desk, Role::FrontDesk),
        me: token(&clinic.patients[0], Role::Patient),
        in_care: token(&clinic.patients[1], Role::Patient),
        clinician: token(&clinic.clinicians[0], Role::Clinician),
    }
}

/// One argon2id verification at the app's parameters through the app's hasher (the fastest and
/// the median of 21: on a shared machine the fastest is the work's own cost), and verifications
/// per second with one running on every core at once.
async fn argon2_times(hash: &str) -> (Duration, Duration, f64) {
    let hasher = PasswordHasher::new(cores());
    let mut times = Vec::new();
    for _ in 0..21 {
        let started = Instant::now();
        let verified = hasher.verify(PASSWORD.into(), Some(hash.to_string())).await.unwrap();
        times.push(started.elapsed());
        assert!(matches!(verified, password::Verified::Match { .. }));
    }
    times.sort();
    let per_core = 10;
    let started = Instant::now();
    let runs: Vec<_> = (0..cores())
        .map(|_| {
            let (hasher, hash) = (hasher.clone(), hash.to_string());
            tokio::spawn(async move {
                for _ in 0..per_core {
                    hasher.verify(PASSWORD.into(), Some(hash.clone())).await.unwrap();
                }
            })
        })
        .collect();
    for run in runs {
        run.await.unwrap();
    }
    (times[0], times[times.len() / 2], (cores() * per_core) as f64 / started.elapsed().as_secs_f64())
}

/// One request before a load: it must answer `expect`, or the load would measure an error.
async fn probe(http: &reqwest::Client, method: Method, url: &str, token: &str, body: Option<&Value>, expect: u16) {
    let mut request = http.request(method.clone(), url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    let answer = request.send().await.unwrap();
    let status = answer.status().as_u16();
    assert_eq!(status, expect, "{method} {url}: {}", answer.text().await.unwrap_or_default());
}

/// Prescribes patient 1 a daily program, as clinician 0 through the API.
async fn prescribe(http: &reqwest::Client, address: &str, clinic: &Clinic, people: &People) {
    let today = Utc::now().with_timezone(&clinic::ZONE).date_naive();
    let program = json!({"title": "Phase 1", "starts_on": today, "weekdays": [1, 2, 3, 4, 5, 6, 7], "items": [
        {"exercise": "bird-dog", "sets": 3, "reps": 8, "side": "alternating"},
        {"exercise": "glute-bridge", "sets": 3, "reps": 12},
        {"exercise": "dead-bug", "sets": 2, "reps": 10}]});
    let url = format!("{address}/v1/patients/{}/programs", clinic.patients[1]);
    probe(http, Method::POST, &url, &people.clinician, Some(&program), 201).await;
}

/// Free starts offered over the measured window (proof that the answer holds real slots).
async fn offered_slots(http: &reqwest::Client, address: &str, desk: &str) -> usize {
    let sample: Value = http
        .get(format!("{address}/v1/availability?{}", clinic::availability_query()))
        .bearer_auth(desk)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sample["clinicians"].as_array().unwrap().len(), clinic::CLINICIANS);
    sample["clinicians"].as_array().unwrap().iter().map(|c| c["slots"].as_array().unwrap().len()).sum()
}

fn availability(address: &str, desk: &str, name: &str) -> Load {
    Load::get(name, &format!("{address}/v1/availability?{}", clinic::availability_query())).bearer(desk)
}

fn login(address: &str, patient: usize) -> Load {
    let body = json!({"email": clinic::patient_email(patient), "password": PASSWORD}).to_string();
    Load::get("POST /v1/auth/login", &format!("{address}/v1/auth/login")).send("POST", body)
}

/// Free hours for bookings, handed out once each across every booking load of a run.
struct Slots {
    all: Arc<Vec<(String, String, DateTime<Utc>)>>,
    used: usize,
}

/// `POST /v1/appointments` by the front desk, each request a distinct free hour with its own
/// `Idempotency-Key`. oha sends one body (or a random pick of a file's lines, which repeats), so
/// this load is the benchmarks' own closed-loop client (reqwest), with the same connections and
/// window; at a few hundred requests a second the client's own cost is not what is measured.
async fn book(address: &str, desk: &str, slots: &mut Slots, window: Duration, connections: usize) -> Measure {
    let http = reqwest::Client::builder().pool_max_idle_per_host(connections).build().unwrap();
    let (all, first) = (slots.all.clone(), slots.used);
    let (address, desk) = (Arc::new(address.to_string()), Arc::new(desk.to_string()));
    let limit = all.len() - first;
    let mut m = measure("POST /v1/appointments", connections, window, limit, move |i| {
        let (http, all, address, desk) = (http.clone(), all.clone(), address.clone(), desk.clone());
        async move {
            let (clinician, patient, start) = &all[first + i];
            let body = json!({"appointment_type": "dry_needling", "start": start, "clinician_id": clinician,
                              "patient_id": patient});
            http.post(format!("{address}/v1/appointments"))
                .bearer_auth(desk.as_str())
                .header("Idempotency-Key", format!("bench-{}", first + i))
                .json(&body)
                .send()
                .await
                .is_ok_and(|r| r.status() == 201)
        }
    })
    .await;
    slots.used += m.requests + connections;
    m.name = "POST /v1/appointments (own client, see README)".into();
    m
}

struct Growth1 {
    total: usize,
    insert_seconds: Option<f64>,
    availability: Measure,
    booking: Measure,
}

async fn run(admin: Option<&str>, s: &Settings) -> String {
    let load_at_start = load_average();
    let dir = tempfile::tempdir().unwrap();
    let db = support::database(dir.path(), admin);
    let backend = db.backend;
    println!("[{backend}] start-up on an empty database");
    let empty = Server::start(&db.url, dir.path());
    let ready_empty = empty.ready_after;
    empty.stop();

    println!("[{backend}] seeding through the app's db code; argon2 timing");
    let hash = PasswordHasher::new(1).hash(PASSWORD.into()).await.unwrap();
    let (clinic, people) = {
        let pool = backtrack::db::build_pool(&db.url, 1).unwrap();
        let mut conn = pool.get().unwrap();
        let clinic = clinic::seed(&mut conn, &hash);
        let people = people(&mut conn, &clinic);
        (clinic, people)
    };
    let (verify, verify_median, parallel_verifications) = argon2_times(&hash).await;

    let server = Server::start(&db.url, dir.path());
    let ready_migrated = server.ready_after;
    let rss_at_ready = server.memory_kib("VmRSS");
    let address = server.address.clone();
    let http = reqwest::Client::new();
    prescribe(&http, &address, &clinic, &people).await;
    let offered = offered_slots(&http, &address, &people.desk).await;
    assert!(offered > 500, "the measured availability holds real slots ({offered})");
    let today = Utc::now().with_timezone(&clinic::ZONE).date_naive();
    let check_in = json!({"completed_on": today, "pain_now": 4, "pain_average": 5, "pain_worst": 7,
        "odi": [2, 2, 1, 1, 2, 1, 1, 2, 1, 1], "sleep_quality": 6, "exercise_confidence": 7, "red_flags": {}});
    probe(&http, Method::GET, &format!("{address}/v1/me"), &people.me, None, 200).await;
    probe(&http, Method::GET, &format!("{address}/v1/me/program"), &people.in_care, None, 200).await;
    let first_check_in = format!("{address}/v1/check-ins/{}", uuid::Uuid::new_v4());
    probe(&http, Method::PUT, &first_check_in, &people.in_care, Some(&check_in), 201).await;

    println!("[{backend}] endpoints");
    let (c, window) = (s.connections, s.window);
    let _warm_up =
        availability(&address, &people.desk, "warm-up").concurrency(c).duration(Duration::from_secs(1)).run();
    let load = |name: &str, path: &str, token: &str| {
        Load::get(name, &format!("{address}{path}")).bearer(token).concurrency(c).duration(window)
    };
    let mut slots = Slots { all: Arc::new(clinic::free_hours(&clinic, 8 * 10 * 300)), used: 0 };
    // oha fills in each `{id}` from this pattern: a fresh UUID per request, so every PUT is a
    // first write (a repeat would only read the stored one back).
    let uuid = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
    let endpoints: Vec<Measure> = vec![
        Load::get("GET /healthz", &format!("{address}/healthz")).concurrency(c).duration(window).run(),
        load("GET /v1/me", "/v1/me", &people.me).run(),
        availability(&address, &people.desk, "GET /v1/availability (14 days, 8 clinicians)")
            .concurrency(c)
            .duration(window)
            .run(),
        book(&address, &people.desk, &mut slots, window, c).await,
        load("GET /v1/me/program", "/v1/me/program", &people.in_care).run(),
        load("PUT /v1/check-ins/{id} (first writes)", &format!("/v1/check-ins/{uuid}"), &people.in_care)
            .url_pattern()
            .send("PUT", check_in.to_string())
            .expect(201)
            .run(),
    ];
    let hwm_after_endpoints = server.memory_kib("VmHWM");

    println!("[{backend}] sign-in");
    let logins = login(&address, 2).concurrency(LOGIN_CONNECTIONS).duration(window).run();
    let burst = login(&address, 3).concurrency(16).requests(64).run();
    let alone =
        availability(&address, &people.desk, "GET /v1/availability, alone").concurrency(c).duration(window).run();
    let flood = login(&address, 4).concurrency(LOGIN_CONNECTIONS).duration(window + Duration::from_secs(2)).start();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let during = availability(&address, &people.desk, "GET /v1/availability, during a sign-in flood")
        .concurrency(c)
        .duration(window)
        .run();
    let flood = flood.finish();
    let hwm_after_sign_in = server.memory_kib("VmHWM");

    println!("[{backend}] growth");
    let mut growth = Growth::new(&db.url);
    let mut levels = vec![Growth1 {
        total: clinic::EXISTING,
        insert_seconds: None,
        availability: availability(&address, &people.desk, "").concurrency(1).duration(window).run(),
        booking: book(&address, &people.desk, &mut slots, window, 1).await,
    }];
    for &total in &s.growth {
        let started = Instant::now();
        let added = growth.grow_to(&clinic, total);
        let seconds = started.elapsed().as_secs_f64();
        println!("[{backend}]   {total} appointments ({added} added in {seconds:.1} s)");
        levels.push(Growth1 {
            total: total as usize,
            insert_seconds: Some(seconds),
            availability: availability(&address, &people.desk, "").concurrency(1).duration(window).run(),
            booking: book(&address, &people.desk, &mut slots, window, 1).await,
        });
    }
    let hwm_end = server.memory_kib("VmHWM");
    server.stop();

    let ceiling = cores() as f64 / verify.as_secs_f64();
    let verify_ms = verify.as_secs_f64() * 1000.0;
    let mut out = format!(
        "== {backend}: release `backtrack serve`, {} cores, {}, {c} connections, {} s per load \
         (load average at start: {load_at_start}) ==\n\n",
        cores(),
        oha::version(),
        window.as_secs()
    );
    out.push_str(&table(
        &format!(
            "endpoints, {} appointments seeded (availability offers {offered} free starts); \
             ratio = req/s ÷ /healthz req/s",
            clinic::EXISTING
        ),
        &endpoints,
    ));
    out.push_str(&format!(
        "\nsign-in: POST /v1/auth/login, correct password, {LOGIN_CONNECTIONS} connections on one account\n\
         one argon2id verification (19 MiB, t=2, p=1; the app's hasher, fastest of 21): {verify_ms:.1} ms \
         (median {:.1} ms)\n\
         ceiling = {} cores ÷ {verify_ms:.1} ms = {ceiling:.1} logins/s \
         ({parallel_verifications:.1} verifications/s measured in-process with {} at once)\n\
         measured: {:.1} logins/s (p50 {:.0} ms, p99 {:.0} ms, {} failed) = {:.2} of the ceiling, \
         {:.2} of the in-process rate\n\
         16 connections on one account, 64 correct sign-ins: {} answered 200, {} refused ({})\n\n",
        verify_median.as_secs_f64() * 1000.0,
        cores(),
        cores(),
        logins.per_second,
        logins.p50_ms,
        logins.p99_ms,
        logins.failures,
        logins.per_second / ceiling,
        logins.per_second / parallel_verifications,
        burst.requests - burst.failures,
        burst.failures,
        if burst.note.is_empty() { "none".into() } else { burst.note.clone() },
    ));
    out.push_str(&table("availability without and with a sign-in flood (ratio to alone)", &[alone, during]));
    out.push_str(&format!("(the flood beside it: {:.1} logins/s, p99 {:.0} ms)\n\n", flood.per_second, flood.p99_ms));
    out.push_str(
        "growth: appointments added as history to the seeded 2,000 (bulk SQL, triggers and constraints in \
         force); one client, so p50 is one request's own time\n",
    );
    out.push_str(&format!(
        "{:>12} {:>9} | {:>26} {:>9} {:>9} | {:>26} {:>9} {:>9}\n",
        "appointments",
        "insert s",
        "GET /v1/availability req/s",
        "p50 ms",
        "p99 ms",
        "POST /v1/appointments /s",
        "p50 ms",
        "p99 ms"
    ));
    for level in &levels {
        let (a, b) = (&level.availability, &level.booking);
        out.push_str(&format!(
            "{:>12} {:>9} | {:>26.1} {:>9.1} {:>9.1} | {:>26.1} {:>9.1} {:>9.1}{}\n",
            level.total,
            level.insert_seconds.map_or("-".into(), |s| format!("{s:.1}")),
            a.per_second,
            a.p50_ms,
            a.p99_ms,
            b.per_second,
            b.p50_ms,
            b.p99_ms,
            if a.failures + b.failures > 0 { format!("  ({} failed)", a.failures + b.failures) } else { String::new() }
        ));
    }
    out.push_str(&format!(
        "\nstart-up, spawn → first 200 from /readyz: empty database (runs the migrations) {:.0} ms, \
         migrated and seeded {:.0} ms\n\
         memory of the serve process (/proc/<pid>/status): VmRSS at ready {}; VmHWM after the endpoint loads {}, \
         after the sign-in loads {}, at the end {}\n\n",
        ready_empty.as_secs_f64() * 1000.0,
        ready_migrated.as_secs_f64() * 1000.0,
        mib(rss_at_ready),
        mib(hwm_after_endpoints),
        mib(hwm_after_sign_in),
        mib(hwm_end),
    ));
    out
}

fn main() {
    let settings = Settings {
        window: Duration::from_secs(env_number("BENCH_SECONDS", 5)),
        connections: env_number("BENCH_CONNECTIONS", 16) as usize,
        growth: std::env::var("BENCH_GROWTH")
            .unwrap_or_else(|_| "10000,100000,1000000".into())
            .split(',')
            .filter_map(|n| n.trim().parse().ok())
            .collect(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let (backends, mut report) = support::backends_with_note();
    for backend in backends {
        let section = runtime.block_on(run(backend.as_deref(), &settings));
        println!("{section}");
        report.push_str(&section);
    }
    save("server.txt", &report);
}
