//! Every request gets an id: taken from a well-formed incoming `X-Request-Id` or made here, sent
//! back in the response header, put in problem documents and audit rows, and logged with the
//! route pattern (never the raw path or query, which can hold names or tokens).

use std::future::{ready, Ready};
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use crate::db::audit::Origin;
use crate::state::AppState;

pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being handled on this task, if any.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

#[derive(Debug, Clone)]
struct RequestId(String);

fn acceptable(incoming: &str) -> bool {
    (8..=64).contains(&incoming.len()) && incoming.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let started = Instant::now();
    let method = req.method().clone();
    let mut response = CURRENT.scope(id.clone(), next.call(req)).await?;
    let route = response.request().match_pattern().unwrap_or_else(|| "<unmatched>".into());
    let status = response.status().as_u16();
    let elapsed_ms = started.elapsed().as_millis() as u64;
    macro_rules! log_request {
        ($level:expr) => {
            tracing::event!($level, request_id = %id, method = %method, route = %route, status, elapsed_ms, "request")
        };
    }
    if quiet(&route, status) {
        log_request!(tracing::Level::DEBUG);
    } else {
        log_request!(tracing::Level::INFO);
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HeaderName::from_static(HEADER), value);
    }
    Ok(response)
}

/// Routes that machines call over and over (the outbox worker polling for work, probes, the
/// metrics scraper): logged at debug while they succeed, so an idle service's log stays quiet.
/// Their failures, and every other request, are logged at info.
const POLLED_ROUTES: [&str; 4] = ["/v1/worker/deliveries/claim", "/healthz", "/readyz", "/metrics"];

fn quiet(route: &str, status: u16) -> bool {
    status < 400 && POLLED_ROUTES.contains(&route)
}

/// The audit [`Origin`] of a request: its id and the client's address. Behind a trusted proxy
/// the address is the last `X-Forwarded-For` entry, the one that proxy added (the entries before
/// it are whatever the client sent).
pub fn origin_of(req: &HttpRequest) -> Origin {
    let trust_forwarded = req.app_data::<web::Data<AppState>>().is_some_and(|state| state.config.trust_forwarded_for);
    let forwarded = trust_forwarded
        .then(|| req.headers().get("x-forwarded-for")?.to_str().ok()?.rsplit(',').next().map(|s| s.trim().to_string()))
        .flatten();
    Origin {
        request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
        client_ip: forwarded.or_else(|| req.peer_addr().map(|addr| addr.ip().to_string())),
    }
}

impl FromRequest for Origin {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(origin_of(req)))
    }
}

#[cfg(test)]
mod tests {
    use super::{acceptable, quiet};

    #[test]
    fn polling_is_quiet_until_it_fails() {
        assert!(quiet("/v1/worker/deliveries/claim", 200));
        assert!(quiet("/healthz", 200));
        assert!(!quiet("/readyz", 503));
        assert!(!quiet("/v1/worker/deliveries/claim", 401));
        assert!(!quiet("/v1/worker/deliveries/{id}/sent", 200));
        assert!(!quiet("/v1/me", 200));
    }

    #[test]
    fn only_plain_ids_are_taken_from_clients() {
        assert!(acceptable("3f1c2a9e-7b1d-4c55-9a51-0e4b6f3b2d11"));
        assert!(!acceptable("short"));
        assert!(!acceptable("has spaces in it"));
        assert!(!acceptable("new\nline-injection"));
    }
}
