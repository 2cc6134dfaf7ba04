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

use serde_json::{json, Value};
use support::clinic::{self, Clinic, CLINICIANS, EXISTING, PASSWORD};
use support::{measure, save, start_app, table, Measure};

/// The clinic of `support::clinic`, seeded with the app's own hasher.
async fn seed(app: &support::RunningApp) -> Clinic {
    let hash = app.state.hasher.hash(PASSWORD.into()).await.unwrap();
    clinic::seed(&mut app.state.pool.get().unwrap(), &hash)
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
    let clinic = seed(&app).await;
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();
    let address = Arc::new(app.address.clone());
    let desk = Arc::new(token(&client, &address, clinic::DESK_EMAIL).await);
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

    let query = clinic::availability_query();
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
    let slots = Arc::new(clinic::free_hours(&clinic, 28 * 10 * CLINICIANS));
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
    let report = table(
        &format!(
            "scheduling benchmark: {}, {cores} cores, {concurrency} concurrent clients, {EXISTING} existing appointments; ratio = req/s ÷ /healthz req/s",
            app.db.backend
        ),
        &results,
    );
    app.stop().await;
    report
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
