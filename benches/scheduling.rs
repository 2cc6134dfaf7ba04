//! Scheduling under load: `GET /v1/availability` over 14 days with 8 clinicians and 2,000
//! existing appointments, and `POST /v1/appointments`, as requests per second and p50/p99,
//! next to the server's own `/healthz` in the same run, on SQLite and (with
//! `BENCH_DATABASE_URL`) PostgreSQL.
//!
//!     cargo bench --bench scheduling
//!     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench scheduling

mod support;

use std::sync::Arc;
use std::time::Duration;

use backtrack::db::appointments::{self, AppointmentRow};
use backtrack::db::availability::{self, NewRule};
use backtrack::db::users::UserRow;
use backtrack::db::{self, clinic};
use backtrack::domain::person::FullName;
use backtrack::domain::role::Role;
use chrono::{DateTime, Duration as Span, TimeZone, Utc};
use serde_json::{json, Value};
use support::{measure, save, start_app, table, Measure};

const CLINICIANS: usize = 8;
const PATIENTS: usize = 250;
const EXISTING: usize = 2_000;
const PASSWORD: &str = "Lumbar-hinge-2026";

fn local(day: i64, hour: u32) -> DateTime<Utc> {
    let zone = chrono_tz::America::Chicago;
    let today = Utc::now().with_timezone(&zone).date_naive();
    zone.from_local_datetime(&(today + Span::days(day)).and_hms_opt(hour, 0, 0).unwrap())
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

/// The clinic: 8 clinicians working 08:00–18:00 every day, 250 patients, 2,000 appointments over
/// the next 31 days. Returns (clinician ids, patient ids).
async fn seed(app: &support::RunningApp) -> (Vec<String>, Vec<String>) {
    let hash = app.state.hasher.hash(PASSWORD.into()).await.unwrap();
    let mut conn = app.state.pool.get().unwrap();
    db::write_tx(&mut conn, |conn| {
        let now = db::now();
        let mut settings = clinic::settings(conn)?;
        settings.time_zone = "America/Chicago".into();
        clinic::save_settings(conn, &settings)?;
        let mut dry_needling = clinic::find_type(conn, "dry_needling")?.unwrap();
        dry_needling.horizon_days = 365;
        clinic::save_type(conn, &dry_needling)?;
        let person = |role: Role, email: String, name: String| UserRow {
            email: Some(email),
            password_hash: Some(hash.clone()),
            ..UserRow::new(role, &FullName::parse(&name).unwrap(), "America/Chicago", now)
        };
        let mut clinicians = Vec::new();
        for c in 0..CLINICIANS {
            let user = person(Role::Clinician, format!("pt{c}@clinic.example"), format!("Clinician {c}"));
            backtrack::db::users::insert(conn, &user)?;
            let rules: Vec<NewRule> = (1..=7)
                .map(|weekday| NewRule {
                    weekday,
                    start_minute: 8 * 60,
                    end_minute: 18 * 60,
                    valid_from: None,
                    valid_until: None,
                })
                .collect();
            availability::replace_rules(conn, &user.id, &rules, now)?;
            clinicians.push(user.id);
        }
        let mut patients = Vec::new();
        for p in 0..PATIENTS {
            let user = person(Role::Patient, format!("patient{p}@example.org"), format!("Patient {p}"));
            backtrack::db::users::insert(conn, &user)?;
            patients.push(user.id);
        }
        backtrack::db::users::insert(
            conn,
            &person(Role::FrontDesk, "desk@clinic.example".into(), "Front Desk".into()),
        )?;
        // Appointment k of clinician c: day 1 + k / 8 at 08:00 + k % 8 hours; its patient is
        // (k + 31c) mod 250, which never puts one patient in two places at once.
        for c in 0..CLINICIANS {
            for k in 0..EXISTING / CLINICIANS {
                let start = local(1 + (k / 8) as i64, 8 + (k % 8) as u32);
                let row = AppointmentRow {
                    id: db::new_id(),
                    patient_id: patients[(k + 31 * c) % PATIENTS].clone(),
                    clinician_id: clinicians[c].clone(),
                    appointment_type_id: dry_needling.id.clone(),
                    starts_at: start.naive_utc(),
                    ends_at: (start + Span::minutes(30)).naive_utc(),
                    block_start: start.naive_utc(),
                    block_end: (start + Span::minutes(40)).naive_utc(),
                    status: "booked".into(),
                    reason: None,
                    late_cancellation: false,
                    cancel_reason: None,
                    sequence: 0,
                    booked_by: None,
                    created_at: now,
                    updated_at: now,
                };
                appointments::insert(conn, &row)?;
            }
        }
        Ok::<_, diesel::result::Error>((clinicians, patients))
    })
    .unwrap()
}

async fn token(client: &reqwest::Client, address: &str, email: &str) -> String {
    let body: Value = client
        .post(format!("{address}/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

async fn run(postgres: Option<&str>) -> String {
    let app = start_app(postgres, &[("BACKTRACK_DB_POOL_SIZE", "16")]).await;
    let (clinicians, patients) = seed(&app).await;
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();
    let address = Arc::new(app.address.clone());
    let desk = Arc::new(token(&client, &address, "desk@clinic.example").await);
    let concurrency = 16;
    let window = Duration::from_secs(8);
    let mut results: Vec<Measure> = Vec::new();

    let (c, a) = (client.clone(), address.clone());
    results.push(
        measure("GET /healthz", concurrency, window, usize::MAX, move |_| {
            let (c, a) = (c.clone(), a.clone());
            async move { c.get(format!("{a}/healthz")).send().await.is_ok_and(|r| r.status() == 200) }
        })
        .await,
    );

    let query = format!(
        "appointment_type=dry_needling&from={}&to={}",
        local(1, 0).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        local(15, 0).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    // Staff see every clinician's free times (dry needling is booked by the front desk).
    let sample: Value = client
        .get(format!("{address}/v1/availability?{query}"))
        .bearer_auth(desk.as_str())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let offered: usize =
        sample["clinicians"].as_array().unwrap().iter().map(|c| c["slots"].as_array().unwrap().len()).sum();
    assert_eq!(sample["clinicians"].as_array().unwrap().len(), CLINICIANS);
    assert!(offered > 500, "the measured answer holds real slots ({offered})");
    let (c, a, t) = (client.clone(), address.clone(), desk.clone());
    results.push(
        measure("GET /v1/availability (14 days, 8 clinicians)", concurrency, window, usize::MAX, move |_| {
            let (c, a, t, q) = (c.clone(), a.clone(), t.clone(), query.clone());
            async move {
                c.get(format!("{a}/v1/availability?{q}"))
                    .bearer_auth(t.as_str())
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 200)
            }
        })
        .await,
    );

    // Each booking takes a distinct free hour (days 40 to 67, 08:00–17:00, every clinician):
    // what is measured is booking, not refusals.
    let slots: Arc<Vec<(String, String, DateTime<Utc>)>> = Arc::new(
        (0..28 * 10 * CLINICIANS)
            .map(|i| {
                let (clinician, hour, day) = (i % CLINICIANS, (i / CLINICIANS) % 10, i / (CLINICIANS * 10));
                (clinicians[clinician].clone(), patients[i % PATIENTS].clone(), local(40 + day as i64, 8 + hour as u32))
            })
            .collect(),
    );
    let limit = slots.len();
    let (c, a, t) = (client.clone(), address.clone(), desk.clone());
    results.push(
        measure("POST /v1/appointments", concurrency, window, limit, move |i| {
            let (c, a, t, slots) = (c.clone(), a.clone(), t.clone(), slots.clone());
            async move {
                let (clinician, patient, start) = &slots[i];
                let body = json!({"appointment_type": "dry_needling", "start": start, "clinician_id": clinician, "patient_id": patient});
                c.post(format!("{a}/v1/appointments"))
                    .bearer_auth(t.as_str())
                    .header("Idempotency-Key", format!("bench-{i}"))
                    .json(&body)
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 201)
            }
        })
        .await,
    );
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    table(
        &format!(
            "scheduling benchmark: {}, {cores} cores, {concurrency} concurrent clients, {EXISTING} existing appointments; ratio = req/s ÷ /healthz req/s",
            app.db.backend
        ),
        &results,
    )
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let mut report = String::new();
    for backend in support::backends() {
        let section = runtime.block_on(run(backend.as_deref()));
        println!("{section}");
        report.push_str(&section);
        report.push('\n');
    }
    save("scheduling.txt", &report);
}
