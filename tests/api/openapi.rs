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

/// What anyone may call without signing in, besides `/v1/auth/…`: probes, and what the app shows
/// before sign-in.
const OPEN: [(&str, &str); 9] = [
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

#[test]
fn every_operation_documents_its_errors_and_protected_ones_their_security() {
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    let public_auth = "/v1/auth/";
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{method} {path} has responses");
            if !OPEN.contains(&(method.as_str(), path.as_str())) && !path.starts_with(public_auth) {
                let bearer =
                    operation["security"].as_array().is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
                assert!(bearer, "{method} {path} names its security scheme");
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

fn document() -> Value {
    serde_json::from_str(COMMITTED).unwrap()
}

/// Every operation of the document: (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            all.push((method.clone(), path.clone(), operation.clone()));
        }
    }
    all
}

/// Every object in `value` with where it is (a JSON pointer).
fn walk<'a>(value: &'a Value, at: String, found: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(map) => {
            found.push((at.clone(), value));
            for (key, inner) in map {
                walk(inner, format!("{at}/{key}"), found);
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                walk(inner, format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

#[test]
fn a_time_zone_is_a_string_the_server_checks_with_examples_everywhere() {
    let doc = document();
    let zone = &doc["components"]["schemas"]["TimeZone"];
    assert_eq!(zone["type"], "string", "{zone}");
    assert!(zone.get("enum").is_none(), "the tz database is not frozen into the contract");
    let examples = zone["examples"].as_array().expect("examples");
    assert!(!examples.is_empty());
    for example in examples {
        let name = example.as_str().unwrap();
        assert!(backtrack::domain::person::time_zone(name).is_ok(), "the example {name} is a zone the server takes");
    }
    assert!(backtrack::domain::person::time_zone("Mars/Olympus_Mons").is_err(), "the server checks");
    // Every `time_zone` field, sent or answered, is that one schema (or null).
    let mut found = Vec::new();
    walk(&doc["components"]["schemas"], "#/components/schemas".into(), &mut found);
    let mut fields = 0;
    for (at, object) in found {
        let Some(field) = object.get("properties").and_then(|p| p.get("time_zone")) else { continue };
        fields += 1;
        let direct = field["$ref"] == "#/components/schemas/TimeZone";
        let or_null = field["oneOf"]
            .as_array()
            .is_some_and(|choices| choices.iter().any(|c| c["$ref"] == "#/components/schemas/TimeZone"));
        assert!(direct || or_null, "{at}/properties/time_zone is {field}");
    }
    assert!(fields >= 10, "{fields} time_zone fields");
}

#[test]
fn file_bodies_declare_a_schema_and_the_charts_are_binary() {
    let doc = document();
    for (method, path, operation) in operations(&doc) {
        for (status, response) in operation["responses"].as_object().unwrap() {
            for (media_type, content) in response["content"].as_object().into_iter().flatten() {
                assert!(content.get("schema").is_some(), "{method} {path} {status} {media_type} declares no schema");
            }
        }
    }
    for (path, image) in
        [("/v1/patients/{id}/progress.png", "image/png"), ("/v1/patients/{id}/progress.svg", "image/svg+xml")]
    {
        let content = &doc["paths"][path]["get"]["responses"]["200"]["content"];
        for media_type in [image, "application/octet-stream"] {
            let schema = &content[media_type]["schema"];
            assert_eq!(schema["type"], "string", "{path} {media_type}: {content}");
            assert_eq!(schema["format"], "binary", "{path} {media_type}: {content}");
        }
        assert_eq!(content[image]["schema"]["contentMediaType"], image);
    }
}

#[test]
fn the_program_etag_is_declared_with_if_none_match() {
    let doc = document();
    let operation = &doc["paths"]["/v1/me/program"]["get"];
    for status in ["200", "304"] {
        let etag = &operation["responses"][status]["headers"]["ETag"];
        assert_eq!(etag["schema"]["type"], "string", "{status}: {}", operation["responses"][status]);
    }
    let parameters = operation["parameters"].as_array().unwrap();
    assert!(
        parameters.iter().any(|p| p["in"] == "header" && p["name"] == "If-None-Match"),
        "If-None-Match is a parameter: {parameters:?}"
    );
    // Any other operation that answers with an ETag declares it too: only this one sends one.
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/routes/programs.rs")).unwrap();
    assert_eq!(src.matches("header::ETAG").count(), 2, "a new ETag sender needs its header declared");
}

#[test]
fn the_red_flag_answers_are_one_component() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let answers = &schemas["RedFlagAnswers"];
    assert_eq!(answers["type"], "object");
    assert_eq!(answers["additionalProperties"], false);
    for question in backtrack::domain::red_flags::QUESTIONS.iter() {
        assert_eq!(answers["properties"][question.id]["type"], "boolean", "{}", question.id);
    }
    let target = "#/components/schemas/RedFlagAnswers";
    assert_eq!(schemas["RegisterRequest"]["properties"]["red_flags"]["$ref"], target);
    assert_eq!(schemas["CheckInRequest"]["properties"]["red_flags"]["$ref"], target);
    let booking = &schemas["BookRequest"]["properties"]["red_flags"]["oneOf"];
    assert!(booking.as_array().unwrap().iter().any(|c| c["$ref"] == target), "{booking}");
    // Nowhere else are the questions written out.
    let first = backtrack::domain::red_flags::QUESTIONS[0].id;
    let mut found = Vec::new();
    walk(&doc, "#".into(), &mut found);
    let copies: Vec<String> = found
        .into_iter()
        .filter(|(_, o)| o.get("properties").is_some_and(|p| p.get(first).is_some()))
        .map(|(at, _)| at)
        .collect();
    assert_eq!(copies, ["#/components/schemas/RedFlagAnswers"]);
}

#[test]
fn program_weekdays_are_iso_weekdays_in_the_schema() {
    let doc = document();
    for schema in ["ProgramRequest", "Program"] {
        let items = &doc["components"]["schemas"][schema]["properties"]["weekdays"]["items"];
        assert_eq!((items["minimum"].as_i64(), items["maximum"].as_i64()), (Some(1), Some(7)), "{schema}: {items}");
    }
    let sessions = &doc["components"]["schemas"]["ProgramRequest"]["properties"]["sessions_per_week"];
    assert_eq!((sessions["minimum"].as_i64(), sessions["maximum"].as_i64()), (Some(1), Some(14)), "{sessions}");
}

#[test]
fn a_reused_idempotency_key_is_a_problem_code_of_its_own() {
    use backtrack::error::ProblemCode;
    assert!(ProblemCode::ALL.iter().any(|c| c.as_str() == "idempotency_key_reused"));
    let doc = document();
    let unprocessable = &doc["paths"]["/v1/appointments"]["post"]["responses"]["422"]["description"];
    assert!(named_codes(unprocessable.as_str().unwrap()).contains(&"idempotency_key_reused".to_string()));
}

/// `listAppointments`, `getMyProgram`: a verb, then the thing, in lower camel case.
fn is_operation_name(id: &str) -> bool {
    let verbs = [
        "list",
        "get",
        "put",
        "create",
        "update",
        "delete",
        "archive",
        "book",
        "cancel",
        "complete",
        "mark",
        "reschedule",
        "accept",
        "log",
        "forgot",
        "reset",
        "refresh",
        "register",
        "verify",
        "add",
        "join",
        "leave",
        "claim",
        "report",
        "release",
        "retry",
        "acknowledge",
        "export",
        "change",
        "invite",
        "prescribe",
        "revise",
        "unsubscribe",
        "resend",
        "open",
        "close",
        "record",
        "recertify",
    ];
    id.chars().all(|c| c.is_ascii_alphanumeric())
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && verbs.iter().any(|verb| {
            id.strip_prefix(verb)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_uppercase()))
        })
}

#[test]
fn every_operation_id_is_unique_and_named_for_its_operation() {
    let doc = document();
    let mut seen = std::collections::BTreeMap::new();
    for (method, path, operation) in operations(&doc) {
        let id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
        assert!(is_operation_name(id), "{method} {path}: `{id}` is not a verb-first camelCase name");
        if let Some(earlier) = seen.insert(id.to_string(), format!("{method} {path}")) {
            panic!("operationId `{id}` twice: {earlier} and {method} {path}");
        }
    }
    // Stable: the names apps call are the ones published.
    for (path, method, id) in [
        ("/v1/appointments", "get", "listAppointments"),
        ("/v1/exercises", "get", "listExercises"),
        ("/v1/waitlist", "get", "listWaitlist"),
        ("/v1/me/appointments", "get", "listMyAppointments"),
        ("/v1/me/program", "get", "getMyProgram"),
        ("/v1/appointments", "post", "bookAppointment"),
    ] {
        assert_eq!(doc["paths"][path][method]["operationId"], id, "{method} {path}");
    }
}

#[test]
fn every_operation_has_a_summary_public_ones_say_so_and_servers_are_named() {
    let doc = document();
    for (method, path, operation) in operations(&doc) {
        let summary = operation["summary"].as_str().unwrap_or_default();
        assert!(!summary.trim().is_empty(), "{method} {path} has no summary");
        assert!(
            summary.len() <= 60 && !summary.ends_with('.'),
            "{method} {path}: a short title, not a sentence: {summary}"
        );
        let public = path.starts_with("/v1/auth/") || OPEN.contains(&(method.as_str(), path.as_str()));
        let security = operation.get("security").unwrap_or_else(|| panic!("{method} {path} states its security"));
        if public {
            assert_eq!(security, &serde_json::json!([]), "{method} {path} is public: `security: []`");
        } else {
            assert_eq!(security, &serde_json::json!([{"bearer": []}]), "{method} {path}");
        }
    }
    let servers = doc["servers"].as_array().expect("servers");
    assert!(!servers.is_empty() && servers.iter().all(|s| s["url"].as_str().is_some_and(|u| !u.is_empty())));
}
