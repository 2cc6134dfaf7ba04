//! The house's rules, read from the source: dependencies point one way (routes → services →
//! db, mail, domain), services take plain inputs, and `domain/` does no I/O.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// Every source file under `src/`, as (path relative to `src/`, text).
fn src_files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    sources(&root, &mut found);
    found
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/"), text)
        })
        .collect()
}

/// The lines of `text` that name `needle` outside comments.
fn code_lines_naming<'a>(text: &'a str, needle: &str) -> Vec<&'a str> {
    text.lines().filter(|line| !line.trim_start().starts_with("//") && line.contains(needle)).collect()
}

#[test]
fn nothing_outside_the_http_routes_and_start_up_imports_routes() {
    let allowed = |path: &str| path.starts_with("routes/") || path == "startup.rs" || path == "main.rs";
    let mut offenders = Vec::new();
    for (path, text) in src_files() {
        if allowed(&path) {
            continue;
        }
        for line in code_lines_naming(&text, "routes::") {
            offenders.push(format!("{path}: {}", line.trim()));
        }
    }
    assert!(offenders.is_empty(), "only the HTTP layer and start-up may use `routes`:\n{}", offenders.join("\n"));
}

#[test]
fn services_take_plain_inputs_and_domain_does_no_io() {
    let services = ["accounts/", "calendar/", "clinical/", "reminders/"];
    let http_types = ["actix_web", "HttpRequest", "HttpResponse", "AppState", "crate::http::", "web::"];
    let io = ["crate::db", "diesel", "actix", "reqwest", "lettre", "tokio", "std::fs", "std::net", "Utc::now"];
    let mut offenders = Vec::new();
    for (path, text) in src_files() {
        let banned: &[&str] = if services.iter().any(|s| path.starts_with(s)) {
            &http_types
        } else if path.starts_with("domain/") {
            &io
        } else {
            continue;
        };
        for needle in banned {
            for line in code_lines_naming(&text, needle) {
                offenders.push(format!("{path}: `{needle}` in {}", line.trim()));
            }
        }
    }
    assert!(offenders.is_empty(), "layer rules broken:\n{}", offenders.join("\n"));
}

#[test]
fn no_source_file_is_longer_than_four_hundred_lines() {
    // The generated diesel schema is the one exception.
    let long: Vec<String> = src_files()
        .into_iter()
        .filter(|(path, _)| path != "db/schema.rs")
        .filter_map(|(path, text)| {
            let lines = text.lines().count();
            (lines > 400).then(|| format!("{path}: {lines} lines"))
        })
        .collect();
    assert!(long.is_empty(), "split these by what they hold:\n{}", long.join("\n"));
}

#[test]
fn the_crate_map_names_every_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let map: String = std::fs::read_to_string(root.join("lib.rs"))
        .unwrap()
        .lines()
        .filter_map(|line| line.strip_prefix("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let named = if path.is_dir() {
            map.contains(&format!("`{name}/`"))
        } else {
            name == "lib.rs" || name == "main.rs" || map.contains(&format!("`{name}`"))
        };
        if !named {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "lib.rs's crate map does not name: {missing:?}");
}

#[test]
fn handlers_hold_no_long_transaction_closures() {
    // A handler parses, authorizes, calls a service and maps the answer: what it runs on the
    // database is a call or two, not the rule itself.
    const MOST: usize = 12;
    let mut long = Vec::new();
    for (path, text) in src_files().into_iter().filter(|(path, _)| path.starts_with("routes/")) {
        for call in ["db::run(", "db::transaction("] {
            for (start, _) in text.match_indices(call) {
                let mut depth = 1;
                let body = &text[start + call.len()..];
                let end = body
                    .char_indices()
                    .find(|(_, c)| {
                        depth += match c {
                            '(' => 1,
                            ')' => -1,
                            _ => 0,
                        };
                        depth == 0
                    })
                    .map_or(body.len(), |(i, _)| i);
                let lines = body[..end].lines().count();
                if lines > MOST {
                    let at = text[..start].lines().count() + 1;
                    long.push(format!("{path}:{at}: {lines} lines"));
                }
            }
        }
    }
    assert!(long.is_empty(), "move these into a service:\n{}", long.join("\n"));
}
