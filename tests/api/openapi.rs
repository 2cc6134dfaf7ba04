use serde_json::Value;

use crate::helpers::spawn_app;

const COMMITTED: &str = include_str!("../../openapi/openapi.json");
const REGENERATE: &str = "cargo run -q -- openapi > openapi/openapi.json";

#[test]
fn the_committed_document_matches_the_code() {
    let generated = backtrack::routes::openapi::document_json();
    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is out of date with the code. Regenerate it with:\n    {REGENERATE}"
    );
}

#[tokio::test]
async fn the_served_document_is_the_committed_one() {
    let app = spawn_app().await;
    let served: Value = app.client.get(app.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    let committed: Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(served, committed, "regenerate with: {REGENERATE}");
}

#[test]
fn every_operation_documents_its_errors_and_protected_ones_their_security() {
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    // What anyone may call without signing in: probes, sign-in itself, and what the app shows
    // before sign-in.
    let open = [
        ("get", "/healthz"),
        ("get", "/readyz"),
        ("get", "/metrics"),
        ("get", "/v1/clinic"),
        ("get", "/v1/appointment-types"),
        ("post", "/v1/waitlist/offers/{token}/accept"),
        // Asked before sign-up too.
        ("get", "/v1/red-flag-questions"),
        // One-click unsubscribe (RFC 8058): the signed token in the link is the credential.
        ("get", "/v1/unsubscribe/{token}"),
        ("post", "/v1/unsubscribe/{token}"),
    ];
    let public_auth = "/v1/auth/";
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{method} {path} has responses");
            if !open.contains(&(method.as_str(), path.as_str())) && !path.starts_with(public_auth) {
                assert!(operation.get("security").is_some(), "{method} {path} names its security scheme");
                assert!(responses.keys().any(|s| s.starts_with('4')), "{method} {path} documents an error");
            }
        }
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

/// Backticked snake_case words in a description, e.g. `slot_taken`.
fn named_codes(description: &str) -> Vec<String> {
    description
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|word| !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_problem_code_is_documented_and_the_document_names_no_other() {
    use backtrack::error::ProblemCode;
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    let variants: std::collections::BTreeSet<&str> = ProblemCode::ALL.iter().map(|c| c.as_str()).collect();

    let listed = doc["components"]["schemas"]["Problem"]["properties"]["code"]["description"].as_str().unwrap();
    let listed: std::collections::BTreeSet<String> = named_codes(listed).into_iter().collect();
    for code in &variants {
        assert!(listed.contains(*code), "`{code}` is a ProblemCode but the document's Problem.code does not list it");
    }

    // An error response's description names the codes it can answer with. A 422 always answers
    // `validation_failed`; the codes its description names are the fields' own (`errors[].code`).
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                if !(status.starts_with('4') || status.starts_with('5')) || status == "422" {
                    continue;
                }
                let description = response["description"].as_str().unwrap_or_default();
                for code in named_codes(description) {
                    assert!(
                        variants.contains(code.as_str()),
                        "{method} {path} {status} names `{code}`, which is no ProblemCode"
                    );
                }
            }
        }
    }
}
