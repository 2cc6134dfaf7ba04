//! What `serve` writes on disk is its owner's alone, even under the common umask 022: the data
//! folder, the SQLite database with its -wal and -shm, the generated secret, the `.eml` outbox
//! and every message in it.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::json;

use crate::helpers::{eventually, PASSWORD};
use crate::serve_process::ServeProcess;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

/// Every file and folder under `dir`, `dir` included.
fn everything_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut all = vec![dir.to_path_buf()];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all.extend(everything_under(&path));
        } else {
            all.push(path);
        }
    }
    all
}

#[tokio::test]
async fn the_data_folder_the_database_and_the_outbox_are_owner_only() {
    // The umask most systems start with: without explicit modes, files come out 0644.
    // SAFETY: umask only swaps the process's file-creation mask; it touches no memory.
    unsafe { libc::umask(0o022) };
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("clinic-data");
    let database = data.join("backtrack.sqlite3");
    let (data_dir, url) = (data.to_string_lossy().into_owned(), database.to_string_lossy().into_owned());
    let serve = ServeProcess::start(
        &url,
        &[
            ("BACKTRACK_DATA_DIR", &data_dir),
            ("BACKTRACK_JWT_SECRET", ""),
            ("BACKTRACK_IN_PROCESS_WORKER", "true"),
            ("BACKTRACK_MAIL_TRANSPORT", "file"),
        ],
    )
    .await;

    let sign_up = json!({"email": "eve@example.org", "password": PASSWORD, "full_name": "Eve Patient",
        "date_of_birth": "1984-03-09", "time_zone": "America/Chicago"});
    let response = reqwest::Client::new().post(serve.url("/v1/auth/register")).json(&sign_up).send().await.unwrap();
    assert_eq!(response.status(), 202);
    let outbox = data.join("outbox");
    let has_eml = || {
        std::fs::read_dir(&outbox)
            .is_ok_and(|mut d| d.any(|e| e.unwrap().path().extension().is_some_and(|x| x == "eml")))
    };
    eventually(30, "the verification email written as an .eml file", has_eml).await;

    for (path, expected) in [
        (data.clone(), 0o700),
        (outbox.clone(), 0o700),
        (database.clone(), 0o600),
        (data.join("backtrack.sqlite3-wal"), 0o600),
        (data.join("backtrack.sqlite3-shm"), 0o600),
        (data.join("jwt-secret"), 0o600),
    ] {
        assert_eq!(mode(&path), expected, "{}", path.display());
    }
    for path in everything_under(&data) {
        assert_eq!(mode(&path) & 0o077, 0, "{} is open to other users", path.display());
    }
}
