//! Access tokens are accepted only when signed with the configured algorithm and key, for this
//! issuer and audience, unexpired, and for a user whose sessions are still valid (RFC 8725).

use backtrack::domain::role::Role;
use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, TestApp};

fn b64(value: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

/// The sign-in (refresh-token family) of the user's latest session.
fn latest_session(app: &TestApp, user_id: &str) -> String {
    use backtrack::db::schema::refresh_tokens;
    use diesel::prelude::*;
    refresh_tokens::table
        .filter(refresh_tokens::user_id.eq(user_id))
        .order(refresh_tokens::created_at.desc())
        .select(refresh_tokens::family_id)
        .first(&mut app.conn())
        .expect("a session")
}

/// Claims like the server's own for `user_id`, of their latest sign-in.
fn claims(app: &TestApp, user_id: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "iss": app.state.config.jwt_issuer,
        "aud": app.state.config.jwt_audience,
        "sub": user_id,
        "exp": now + 600,
        "iat": now,
        "jti": "test-jti",
        "role": "patient",
        "ver": 0,
        "sid": latest_session(app, user_id)
    })
}

fn sign(app: &TestApp, algorithm: Algorithm, claims: &Value) -> String {
    encode(&Header::new(algorithm), claims, &EncodingKey::from_secret(&app.state.config.jwt_secret)).unwrap()
}

async fn status_with(app: &TestApp, token: &str) -> reqwest::Response {
    app.get_as(token, "/v1/me").await
}

#[tokio::test]
async fn a_correctly_signed_token_is_accepted() {
    let app = spawn_app().await;
    let id = app.create_user(Role::Patient, "p@example.org", "Pat Patient").await;
    app.sign_in("p@example.org").await;
    let token = sign(&app, Algorithm::HS256, &claims(&app, &id));
    assert_eq!(status_with(&app, &token).await.status(), 200);
}

#[tokio::test]
async fn every_forged_or_stale_token_gets_401() {
    let app = spawn_app().await;
    let id = app.create_user(Role::Patient, "p@example.org", "Pat Patient").await;
    app.sign_in("p@example.org").await;
    let good = claims(&app, &id);
    let mut no_session = good.clone();
    no_session.as_object_mut().unwrap().remove("sid");
    // A second sign-in, signed out: its family has ended (the first one stays).
    let (_, refresh) = app.sign_in("p@example.org").await;
    let ended = latest_session(&app, &id);
    let logout = app.post("/v1/auth/logout", &json!({"refresh_token": refresh})).await;
    assert_eq!(logout.status(), 204);
    let with = |field: &str, value: Value| {
        let mut c = good.clone();
        c[field] = value;
        c
    };
    let now = chrono::Utc::now().timestamp();
    let valid = sign(&app, Algorithm::HS256, &good);
    let (head, rest) = valid.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    let tampered_payload = b64(&with("role", json!("admin")));
    let mut missing_exp = good.clone();
    missing_exp.as_object_mut().unwrap().remove("exp");

    let cases: Vec<(&str, String)> = vec![
        ("alg none", format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), b64(&good))),
        ("another algorithm (HS512)", sign(&app, Algorithm::HS512, &good)),
        ("another algorithm (HS384)", sign(&app, Algorithm::HS384, &good)),
        ("wrong audience", sign(&app, Algorithm::HS256, &with("aud", json!("someone-else")))),
        ("wrong issuer", sign(&app, Algorithm::HS256, &with("iss", json!("evil")))),
        ("expired", sign(&app, Algorithm::HS256, &with("exp", json!(now - 120)))),
        ("no expiry", sign(&app, Algorithm::HS256, &missing_exp)),
        ("tampered payload", format!("{head}.{tampered_payload}.{signature}")),
        (
            "wrong key",
            encode(
                &Header::new(Algorithm::HS256),
                &good,
                &EncodingKey::from_secret(b"not-the-server-key-not-the-server-key"),
            )
            .unwrap(),
        ),
        ("old session version", sign(&app, Algorithm::HS256, &with("ver", json!(-1)))),
        ("role the user does not have", sign(&app, Algorithm::HS256, &with("role", json!("admin")))),
        ("unknown user", sign(&app, Algorithm::HS256, &with("sub", json!("no-such-user")))),
        ("no sign-in", sign(&app, Algorithm::HS256, &no_session)),
        ("a signed-out sign-in", sign(&app, Algorithm::HS256, &with("sid", json!(ended)))),
        ("an unknown sign-in", sign(&app, Algorithm::HS256, &with("sid", json!("no-such-family")))),
        ("not valid before two minutes from now", sign(&app, Algorithm::HS256, &with("nbf", json!(now + 120)))),
        ("garbage", "not.a.jwt".to_string()),
    ];
    let still_good = status_with(&app, &sign(&app, Algorithm::HS256, &with("nbf", json!(now - 120)))).await;
    assert_eq!(still_good.status(), 200, "a token valid since two minutes ago");
    for (name, token) in cases {
        let response = status_with(&app, &token).await;
        assert_eq!(response.status(), 401, "{name}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer", "{name}");
        assert_problem(response, 401, "unauthorized").await;
    }
    let no_header = app.client.get(app.url("/v1/me")).send().await.unwrap();
    assert_problem(no_header, 401, "unauthorized").await;
    let basic = app.client.get(app.url("/v1/me")).header("Authorization", "Basic dXNlcjpwYXNz").send().await.unwrap();
    assert_problem(basic, 401, "unauthorized").await;
}

#[tokio::test]
async fn issued_tokens_carry_the_registered_claims() {
    let app = spawn_app().await;
    let id = app.create_user(Role::Clinician, "doc@clinic.example", "Dana Clinician").await;
    let (access, _) = app.sign_in("doc@clinic.example").await;
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(access.split('.').next().unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "HS256");
    let payload: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(access.split('.').nth(1).unwrap()).unwrap(),
    )
    .unwrap();
    for claim in ["iss", "aud", "sub", "exp", "iat", "jti", "role", "sid"] {
        assert!(payload.get(claim).is_some(), "{claim} in {payload}");
    }
    assert_eq!(payload["sub"], id);
    assert_eq!(payload["role"], "clinician");
    assert_eq!(
        payload["exp"].as_i64().unwrap() - payload["iat"].as_i64().unwrap(),
        app.state.config.access_token_ttl_secs()
    );
}
