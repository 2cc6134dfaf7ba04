//! The console's assets, compiled into the binary and served with a validator: a browser keeps
//! them and asks again with `If-None-Match`, answered `304` until the binary changes.

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{get, HttpRequest, HttpResponse};

/// Where pages link the stylesheet.
pub const STYLESHEET_PATH: &str = "/console/console.css";

const STYLESHEET: &str = include_str!("console.css");

/// The stylesheet's validator: a hash of its bytes, so it changes exactly when they do.
fn stylesheet_etag() -> &'static str {
    static ETAG: OnceLock<String> = OnceLock::new();
    ETAG.get_or_init(|| {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(STYLESHEET.as_bytes());
        let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("\"{hex}\"")
    })
}

#[get("/console/console.css")]
pub async fn stylesheet(req: HttpRequest) -> HttpResponse {
    let etag = stylesheet_etag();
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .content_type("text/css; charset=utf-8");
    if fresh {
        response.finish()
    } else {
        response.body(STYLESHEET)
    }
}
