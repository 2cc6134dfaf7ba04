//! Email throughput: 10,000 queued emails through the API and the worker into a local SMTP
//! sink, next to a bare lettre loop into the same sink just before, and their ratio. The sink is
//! `support::fast_smtp` (answers every command at once), so the sink is not what is measured.
//!
//!     cargo bench --bench email                       # SQLite
//!     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench email
//!                                                     # SQLite, then PostgreSQL
//!
//! BENCH_EMAILS (10000) and BENCH_CONCURRENCY (16) change the size of the run.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use backtrack::config::{MailSettings, MailTransport, SmtpSecurity, SmtpSettings, WorkerSettings};
use backtrack::db::outbox::{self, NewEmail};
use diesel::prelude::*;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use support::fast_smtp::FastSmtpSink as SmtpSink;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn content(i: usize) -> backtrack::mail::Content {
    backtrack::mail::content_for_benchmark(i)
}

fn smtp(port: u16) -> SmtpSettings {
    SmtpSettings { host: "127.0.0.1".into(), port, security: SmtpSecurity::None, username: None, password: None }
}

async fn through_api_and_worker(
    admin: Option<&str>,
    count: usize,
    concurrency: usize,
    sink: &SmtpSink,
) -> (Duration, &'static str) {
    let app = support::start_app(admin, &[]).await;
    let (address, pool, backend) = (app.address.clone(), app.state.pool.clone(), app.db.backend);
    let mut conn = pool.get().unwrap();
    backtrack::db::write_tx(&mut conn, |conn| {
        let now = backtrack::db::now();
        for i in 0..count {
            let email = NewEmail::immediate("bench", &format!("patient{i}@example.org"), None, content(i), now);
            outbox::enqueue(conn, &email, now)?;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
    let token = backtrack::admin::issue_worker_token(&pool, "Bench worker", "UTC", false).unwrap();

    let before = sink.count();
    let mail = MailSettings {
        transport: MailTransport::Smtp(smtp(sink.port)),
        from: "BackTrack <no-reply@clinic.example>".into(),
    };
    let settings = WorkerSettings { concurrency, lease: Duration::from_secs(60), idle_poll: Duration::from_millis(20) };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let source: backtrack::worker::client::TokenSource = Arc::new(move || token.clone());
    let started = Instant::now();
    let worker = tokio::spawn(async move {
        backtrack::worker::run(&address, source, &mail, settings, async move {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    use backtrack::db::schema::notification_outbox as o;
    loop {
        if sink.count() - before >= count {
            let sent: i64 = o::table.filter(o::status.eq("sent")).count().get_result(&mut conn).unwrap();
            if sent as usize == count {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    let _ = stop.send(());
    let _ = worker.await;
    drop(conn);
    drop(pool);
    app.stop().await;
    (elapsed, backend)
}

async fn bare_lettre(count: usize, concurrency: usize, sink: &SmtpSink) -> Duration {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(sink.port)
        .pool_config(PoolConfig::new().max_size(concurrency as u32))
        .build();
    let from: Mailbox = "BackTrack <no-reply@clinic.example>".parse().unwrap();
    let before = sink.count();
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (transport, from, next) = (transport.clone(), from.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let c = content(i);
                let message = Message::builder()
                    .from(from.clone())
                    .to(format!("patient{i}@example.org").parse().unwrap())
                    .subject(c.subject)
                    .message_id(Some(format!("<bare-{i}@clinic.example>")))
                    .multipart(MultiPart::alternative_plain_html(c.text, c.html))
                    .unwrap();
                transport.send(message).await.expect("bare send");
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = started.elapsed();
    assert_eq!(sink.count() - before, count);
    elapsed
}

fn main() {
    let count = env_number("BENCH_EMAILS", 10_000);
    let concurrency = env_number("BENCH_CONCURRENCY", 16);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let sink = SmtpSink::start().await;
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
        // The same bare loop into a sink that delays its ACKs like any Linux socket: the cap the
        // mailin-embedded sink showed (≈ connections ÷ 44 ms), which is not the sink's speed.
        let delaying = SmtpSink::start_with(false).await;
        let few = count.min(2_000);
        let capped = bare_lettre(few, concurrency, &delaying).await;
        let mut report = format!(
            "email: the bare lettre loop into the same sink without quick ACKs (delayed ACK × lettre's Nagle): \
             {few} emails in {:.2} s = {:.0} emails/s\n\n",
            capped.as_secs_f64(),
            few as f64 / capped.as_secs_f64()
        );
        print!("{report}");
        let (backends, note) = support::backends_with_note();
        report.push_str(&note);
        for admin in backends {
            let bare = bare_lettre(count, concurrency, &sink).await;
            let (worker, backend) = through_api_and_worker(admin.as_deref(), count, concurrency, &sink).await;
            let rate = |d: Duration| count as f64 / d.as_secs_f64();
            let section = format!(
                "email benchmark: {count} emails, {concurrency} in flight, {backend}, {cores} cores, \
                 minimal tokio SMTP sink (benches/support/fast_smtp.rs)\n\
                 {:<34} {:>10} {:>12}\n\
                 {:<34} {:>10.2} {:>12.0}\n\
                 {:<34} {:>10.2} {:>12.0}\n\
                 ratio (API + worker / bare lettre): {:.2}\n\n",
                "path",
                "seconds",
                "emails/s",
                "bare lettre loop -> SMTP sink",
                bare.as_secs_f64(),
                rate(bare),
                "API + worker -> SMTP sink",
                worker.as_secs_f64(),
                rate(worker),
                rate(worker) / rate(bare),
            );
            print!("{section}");
            report.push_str(&section);
        }
        support::save("email.txt", &report);
    });
}
