//! What every request passes through before a handler: CORS for the configured web origins
//! only, and a deadline for the request body so that a client trickling bytes cannot hold a
//! connection and a worker's buffer for ever. (A slow request head is actix's own
//! `client_request_timeout`, set from the same setting in `startup`.)

use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse, ResponseError};
use futures_util::StreamExt;

use crate::error::{ApiError, ProblemCode};
use crate::state::AppState;

const ALLOWED_METHODS: &str = "GET, POST, PUT, PATCH, DELETE";
const ALLOWED_HEADERS: &str =
    "authorization, content-type, if-none-match, idempotency-key, x-access-reason, x-request-id";
const EXPOSED_HEADERS: &str = "etag, location, retry-after, x-request-id";
const PREFLIGHT_MAX_AGE_SECS: &str = "600";
/// Nothing may load into an answer but the console's own stylesheet, no script runs, nothing
/// frames it, and forms post only to this server.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The request's `Origin` if it is one of the configured ones.
fn allowed_origin(req: &ServiceRequest) -> Option<HeaderValue> {
    let origin = req.headers().get(header::ORIGIN)?;
    let state = req.app_data::<web::Data<AppState>>()?;
    let text = origin.to_str().ok()?.to_ascii_lowercase();
    state.config.cors_origins.contains(&text).then(|| origin.clone())
}

/// A configured origin gets `Access-Control-Allow-Origin` (naming it, never `*`) and its
/// preflights answered; any other origin gets no CORS headers, so the browser keeps the answer
/// from the page, and its preflight is refused with 403 `origin_not_allowed`.
pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let has_origin = req.headers().contains_key(header::ORIGIN);
    let allowed = allowed_origin(&req);
    let preflight =
        req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        let response = match &allowed {
            Some(origin) => HttpResponse::NoContent()
                .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone()))
                .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS))
                .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS))
                .insert_header((header::ACCESS_CONTROL_MAX_AGE, PREFLIGHT_MAX_AGE_SECS))
                .insert_header((header::VARY, "Origin"))
                .finish(),
            None => ApiError::Denied {
                code: ProblemCode::OriginNotAllowed,
                message: "this web origin may not call the API".into(),
            }
            .error_response(),
        };
        return Ok(req.into_response(response).map_into_right_body());
    }
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    if let Some(origin) = allowed {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSED_HEADERS));
    }
    if has_origin {
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    Ok(response.map_into_left_body())
}

/// A strict Content-Security-Policy on everything but the Swagger UI under `/docs`, which runs
/// its own scripts.
pub async fn content_security_policy(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let docs = req.path().starts_with("/docs");
    let mut response = next.call(req).await?;
    if !docs {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    }
    Ok(response)
}

/// Gives the whole request body `client_timeout` to arrive; after that, reading it fails with a
/// timed-out error that the body extractors turn into 408 `request_timeout`.
pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let may_have_body = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH);
    let limit = req.app_data::<web::Data<AppState>>().map(|s| s.config.client_timeout);
    if let (true, Some(limit)) = (may_have_body, limit) {
        let payload = req.take_payload();
        req.set_payload(with_deadline(payload, limit));
    }
    next.call(req).await
}

fn with_deadline(payload: Payload, limit: Duration) -> Payload {
    let deadline = tokio::time::Instant::now() + limit;
    let stream = futures_util::stream::unfold(Some(payload), move |payload| async move {
        let mut payload = payload?;
        match tokio::time::timeout_at(deadline, payload.next()).await {
            Ok(Some(chunk)) => Some((chunk, Some(payload))),
            Ok(None) => None,
            Err(_) => Some((Err(PayloadError::Io(std::io::Error::from(std::io::ErrorKind::TimedOut))), None)),
        }
    });
    let boxed: std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<web::Bytes, PayloadError>>>> = Box::pin(stream);
    Payload::from(boxed)
}

/// True for the error [`body_deadline`] produces.
pub fn is_body_timeout(err: &PayloadError) -> bool {
    matches!(err, PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut)
}

/// A NUL character in the query string is refused with 422 `invalid_format` naming the
/// parameter: PostgreSQL cannot compare text holding one, and no text a person types holds one,
/// so every database answers the same. (Bodies are checked by [`crate::http::json::Json`];
/// path segments are ids that fail to parse or tokens that are hashed before any lookup.)
pub async fn refuse_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let refusal = query_nul(req.query_string())
        .map(|name| ApiError::field(&name, "invalid_format", crate::http::json::NUL_MESSAGE));
    match refusal {
        Some(err) => Ok(req.into_response(err.error_response()).map_into_right_body()),
        None => Ok(next.call(req).await?.map_into_left_body()),
    }
}

/// The first query parameter whose name or value holds a NUL, by its name as sent.
fn query_nul(query: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, value)| name.contains('\0') || value.contains('\0'))
        .map(|(name, _)| name.replace('\0', ""))
}

#[cfg(test)]
mod nul_tests {
    use super::query_nul;

    #[test]
    fn a_nul_in_a_query_names_its_parameter() {
        assert_eq!(query_nul("limit=5&action=a%00b").as_deref(), Some("action"));
        assert_eq!(query_nul("x%00y=1").as_deref(), Some("xy"));
        assert_eq!(query_nul("action=%2F%C3%B0_&limit=97"), None);
        assert_eq!(query_nul(""), None);
    }
}
