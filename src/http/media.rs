//! Files sent as they are (the progress charts): in their own media type, or as
//! `application/octet-stream` when the request asks for that and not for the file's type, so a
//! client that only knows how to download bytes (generated clients) still gets the body.

use actix_web::body::MessageBody;
use actix_web::http::header::{self, HeaderMap};
use actix_web::HttpResponse;

/// The general media type that every file may also be asked for as.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// `200` with `bytes` as `media_type`, or as [`OCTET_STREAM`] when `Accept` names that and
/// neither `media_type` nor a range covering it (`image/*`, `*/*`).
pub fn file(headers: &HeaderMap, media_type: &'static str, bytes: impl MessageBody + 'static) -> HttpResponse {
    HttpResponse::Ok().content_type(chosen(headers, media_type)).body(bytes)
}

fn chosen(headers: &HeaderMap, media_type: &'static str) -> &'static str {
    let family = media_type.split('/').next().unwrap_or_default();
    let mut octets = false;
    for value in headers.get_all(header::ACCEPT).filter_map(|v| v.to_str().ok()) {
        for range in value.split(',') {
            let mut parts = range.split(';');
            let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            // A range the client refuses (q=0) counts for neither side.
            let refused = parts.any(
                |p| matches!(p.trim().strip_prefix("q="), Some(q) if q.trim().parse::<f32>().is_ok_and(|q| q == 0.0)),
            );
            if refused {
                continue;
            }
            if name == media_type || name == "*/*" || name == format!("{family}/*") {
                return media_type;
            }
            octets |= name == OCTET_STREAM;
        }
    }
    if octets {
        OCTET_STREAM
    } else {
        media_type
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn with_accept(value: Option<&str>) -> &'static str {
        let mut headers = HeaderMap::new();
        if let Some(value) = value {
            headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        }
        chosen(&headers, "image/png")
    }

    #[test]
    fn the_file_type_unless_only_octets_are_asked_for() {
        assert_eq!(with_accept(None), "image/png");
        assert_eq!(with_accept(Some("image/png")), "image/png");
        assert_eq!(with_accept(Some("*/*")), "image/png");
        assert_eq!(with_accept(Some("application/octet-stream, image/*")), "image/png");
        assert_eq!(with_accept(Some("application/octet-stream")), OCTET_STREAM);
        assert_eq!(with_accept(Some("application/octet-stream, image/png;q=0")), OCTET_STREAM);
        assert_eq!(with_accept(Some("application/json")), "image/png");
    }
}
