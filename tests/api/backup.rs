//! `backtrack backup PATH` on the embedded SQLite database: taken while a real `serve` process
//! takes writes from several clients at once, the copy holds every row whose write was answered
//! before the backup began, holds nothing that was never written, and a `serve` started on it (the
//! README's restore steps) serves those rows. PostgreSQL is refused with the pointer to `pg_dump`.

use std::collections::HashSet;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backtrack::db::schema::users;
use backtrack::domain::role::Role;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{child_env, spawn_app_on, PASSWORD};
use crate::serve_process::ServeProcess;

const DESK: &str = "desk.backup@clinic.example";

fn backup_command(database_url: &str, target: &std::path::Path) -> std::process::Output {
    let data = tempfile::tempdir().unwrap();
    child_env(&mut Command::new(env!("CARGO_BIN_EXE_backtrack")))
        .arg("backup")
        .arg(target)
        .env("DATABASE_URL", database_url)
        .env("BACKTRACK_DATA_DIR", data.path())
        .output()
        .expect("backtrack backup runs")
}

async fn sign_in(serve: &ServeProcess) -> String {
    let client = reqwest::Client::new();
    let answer = client.post(serve.url("/v1/auth/login")).json(&json!({"email": DESK, "password": PASSWORD})).send();
    let body: Value = answer.await.unwrap().json().await.unwrap();
    body["access_token"].as_str().expect("signed in").to_string()
}

fn patient_ids(database: &std::path::Path) -> HashSet<String> {
    let mut conn = SqliteConnection::establish(database.to_str().unwrap()).unwrap();
    users::table.filter(users::role.eq("patient")).select(users::id).load(&mut conn).unwrap().into_iter().collect()
}

#[tokio::test]
async fn a_backup_taken_under_write_load_restores_every_committed_row() {
    let folder = tempfile::tempdir().unwrap();
    let live = folder.path().join("live.sqlite3");
    // The front desk's account, made by the app's own code on this file before `serve` starts.
    let setup = spawn_app_on(live.to_str().unwrap()).await;
    setup.create_user(Role::FrontDesk, DESK, "Dana Desk").await;
    drop(setup);

    let serve = ServeProcess::start(live.to_str().unwrap(), &[("BACKTRACK_DB_POOL_SIZE", "8")]).await;
    let token = sign_in(&serve).await;
    // Four clients create patients as fast as they are answered; each answered id is kept with
    // the moment its 201 arrived.
    let answered: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for writer in 0..4 {
        let (answered, stop, token, url) = (answered.clone(), stop.clone(), token.clone(), serve.url("/v1/patients"));
        writers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let body = json!({"full_name": format!("Backup Patient {}", ["Ana", "Bo", "Cy", "Di"][writer]),
                    "date_of_birth": "1980-01-01", "allow_duplicate": true});
                let response = client.post(&url).bearer_auth(&token).json(&body).send().await.unwrap();
                assert_eq!(response.status(), 201, "a write under load");
                let created: Value = response.json().await.unwrap();
                answered.lock().unwrap().push((created["id"].as_str().unwrap().to_string(), Instant::now()));
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let copy = folder.path().join("backup.sqlite3");
    let began = Instant::now();
    let output = {
        let (live, copy) = (live.clone(), copy.clone());
        tokio::task::spawn_blocking(move || backup_command(live.to_str().unwrap(), &copy)).await.unwrap()
    };
    let ended = Instant::now();
    assert!(output.status.success(), "backup: {}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("backup written to"), "{output:?}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    drop(serve);

    let answered = answered.lock().unwrap().clone();
    let before: HashSet<String> = answered.iter().filter(|(_, at)| *at < began).map(|(id, _)| id.clone()).collect();
    let after = answered.iter().filter(|(_, at)| *at > ended).count();
    let all: HashSet<String> = answered.iter().map(|(id, _)| id.clone()).collect();
    assert!(before.len() >= 20 && after >= 1, "writes before ({}) and after ({after}) the backup", before.len());

    // Restore as the README says: the copy becomes the database file of a new `serve`.
    let restored_folder = tempfile::tempdir().unwrap();
    let restored = restored_folder.path().join("backtrack.sqlite3");
    std::fs::copy(&copy, &restored).unwrap();
    let in_copy = patient_ids(&restored);
    let missing: Vec<&String> = before.iter().filter(|id| !in_copy.contains(*id)).collect();
    assert!(missing.is_empty(), "{} of {} answered writes are missing from the backup", missing.len(), before.len());
    let unknown: Vec<&String> = in_copy.iter().filter(|id| !all.contains(*id)).collect();
    assert!(unknown.is_empty(), "the backup holds patients nobody created: {unknown:?}");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the copy is readable by its owner only");
    }

    let serve = ServeProcess::start(restored.to_str().unwrap(), &[]).await;
    let token = sign_in(&serve).await;
    let client = reqwest::Client::new();
    for id in before.iter().take(25) {
        let read = client.get(serve.url(&format!("/v1/patients/{id}"))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(read.status(), 200, "patient {id} after the restore");
    }
}

#[tokio::test]
async fn backup_refuses_postgresql_a_missing_database_and_an_existing_file() {
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("copy.sqlite3");

    let output = backup_command("postgres://backtrack@127.0.0.1:5432/backtrack", &target);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("PostgreSQL") && stderr.contains("pg_dump"), "{stderr}");
    assert!(!target.exists(), "nothing written for PostgreSQL");

    let nowhere = folder.path().join("none.sqlite3");
    let output = backup_command(nowhere.to_str().unwrap(), &target);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no SQLite database"), "{output:?}");
    assert!(!nowhere.exists() && !target.exists(), "no empty database made on the way");

    let live = folder.path().join("live.sqlite3");
    drop(spawn_app_on(live.to_str().unwrap()).await);
    std::fs::write(&target, "keep me").unwrap();
    let output = backup_command(live.to_str().unwrap(), &target);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("already exists"), "{output:?}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me", "an existing file is never overwritten");
}
