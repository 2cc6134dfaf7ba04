//! The one error type handlers return, and its RFC 9457 problem+json rendering.
//!
//! Use [`ApiError`] from every handler and service. Expected outcomes get their own variant with
//! a stable [`ProblemCode`] the apps match on; anything unexpected goes into
//! [`ApiError::Internal`], whose cause is logged (without request data) and never shown to the
//! client.

mod code;
pub mod fields;

pub use code::{documented_list, ProblemCode};

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// One input field that was rejected, and why.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name as sent, e.g. `email` or `items[2].reps`.
    pub field: String,
    /// A stable machine-readable reason, e.g. `required`, `too_short`, `invalid_format`.
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.to_string(), message: message.into() }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type: `/problems/{code}`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable, machine-readable, snake_case.
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The fields at fault, for bad input.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request body is not valid JSON for this endpoint")]
    MalformedBody(String),
    #[error("some fields are not valid")]
    Validation(Vec<FieldError>),
    #[error("authentication required")]
    Unauthorized,
    #[error("the email or password is not correct")]
    InvalidCredentials,
    #[error("this link or code is invalid, expired or already used")]
    InvalidToken,
    #[error("you may not do this")]
    Forbidden,
    /// 403 with its own code, when the caller can do something about it (give a reason).
    #[error("{message}")]
    Denied { code: ProblemCode, message: String },
    #[error("not found")]
    NotFound,
    /// The path exists, but not with this method; `allow` lists the methods it has.
    #[error("this address does not take {method} requests")]
    MethodNotAllowed { method: String, allow: String },
    #[error("{message}")]
    Conflict { code: ProblemCode, message: String },
    /// 422: the `Idempotency-Key` was used before for another request.
    #[error("this Idempotency-Key was used for a different request")]
    IdempotencyKeyReused,
    #[error("too many attempts; try again later")]
    RateLimited { retry_after_secs: u64 },
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("send the body as application/json")]
    UnsupportedMediaType,
    #[error("the request did not arrive in time")]
    RequestTimeout,
    #[error("the service is temporarily unavailable")]
    Unavailable,
    #[error("an unexpected error occurred")]
    Internal(#[source] anyhow_lite::Error),
}

impl ApiError {
    pub fn conflict(code: ProblemCode, message: impl Into<String>) -> Self {
        Self::Conflict { code, message: message.into() }
    }

    pub fn field(field: &str, code: &str, message: &str) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }

    /// A domain rule's refusal as a 422 on `field`.
    pub fn invalid(field: &str, why: crate::domain::Invalid) -> Self {
        Self::field(field, why.code, &why.message)
    }

    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(anyhow_lite::Error(Box::new(err)))
    }

    pub fn code(&self) -> ProblemCode {
        match self {
            Self::MalformedBody(_) => ProblemCode::MalformedRequest,
            Self::Validation(_) => ProblemCode::ValidationFailed,
            Self::Unauthorized => ProblemCode::Unauthorized,
            Self::InvalidCredentials => ProblemCode::InvalidCredentials,
            Self::InvalidToken => ProblemCode::InvalidToken,
            Self::Forbidden => ProblemCode::Forbidden,
            Self::Denied { code, .. } => *code,
            Self::NotFound => ProblemCode::NotFound,
            Self::MethodNotAllowed { .. } => ProblemCode::MethodNotAllowed,
            Self::Conflict { code, .. } => *code,
            Self::IdempotencyKeyReused => ProblemCode::IdempotencyKeyReused,
            Self::RateLimited { .. } => ProblemCode::RateLimited,
            Self::PayloadTooLarge => ProblemCode::PayloadTooLarge,
            Self::UnsupportedMediaType => ProblemCode::UnsupportedMediaType,
            Self::RequestTimeout => ProblemCode::RequestTimeout,
            Self::Unavailable => ProblemCode::ServiceUnavailable,
            Self::Internal(_) => ProblemCode::InternalError,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Self::MalformedBody(_) => "Malformed request",
            Self::Validation(_) => "Validation failed",
            Self::Unauthorized => "Unauthorized",
            Self::InvalidCredentials => "Invalid credentials",
            Self::InvalidToken => "Invalid or expired token",
            Self::Forbidden | Self::Denied { .. } => "Forbidden",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed { .. } => "Method not allowed",
            Self::Conflict { .. } => "Conflict",
            Self::IdempotencyKeyReused => "Idempotency key reused",
            Self::RateLimited { .. } => "Too many requests",
            Self::PayloadTooLarge => "Payload too large",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::RequestTimeout => "Request timeout",
            Self::Unavailable => "Service unavailable",
            Self::Internal(_) => "Internal server error",
        }
    }

    pub fn to_problem(&self, request_id: Option<String>) -> Problem {
        let detail = match self {
            Self::MalformedBody(detail) => detail.clone(),
            other => other.to_string(),
        };
        Problem {
            type_: format!("/problems/{}", self.code()),
            title: self.title().to_string(),
            status: self.status_code().as_u16(),
            detail: Some(detail),
            code: self.code().as_str().to_string(),
            request_id,
            errors: match self {
                Self::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::MalformedBody(_) => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::InvalidToken => StatusCode::BAD_REQUEST,
            Self::Forbidden | Self::Denied { .. } => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            tracing::error!(error = %cause, "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json")));
        match self {
            Self::RateLimited { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.max(&1).to_string()));
            }
            Self::Unavailable => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            Self::Unauthorized => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            Self::MethodNotAllowed { allow, .. } => {
                if let Ok(value) = HeaderValue::from_str(allow) {
                    response.insert_header((header::ALLOW, value));
                }
            }
            _ => {}
        }
        response.body(serde_json::to_string(&self.to_problem(crate::http::request_id::current())).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        match err {
            diesel::result::Error::NotFound => ApiError::NotFound,
            ref unique if crate::db::is_unique_violation(unique) => {
                ApiError::conflict(ProblemCode::AlreadyExists, "this already exists")
            }
            other if crate::db::is_unavailable(&other) => ApiError::Unavailable,
            diesel::result::Error::DatabaseError(_, ref info) if info.message().contains("invalid byte sequence") => {
                // PostgreSQL refuses NUL characters in text; SQLite would store them.
                ApiError::MalformedBody("text cannot contain NUL characters".into())
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<crate::db::PoolError> for ApiError {
    fn from(_: crate::db::PoolError) -> Self {
        ApiError::Unavailable
    }
}

/// A boxed cause with its chain printed, for the log only.
pub mod anyhow_lite {
    pub struct Error(pub Box<dyn std::error::Error + Send + Sync>);

    impl std::fmt::Debug for Error {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            std::fmt::Display::fmt(self, f)
        }
    }

    impl std::fmt::Display for Error {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{}", self.0)?;
            let mut source = self.0.source();
            while let Some(cause) = source {
                write!(f, ": {cause}")?;
                source = cause.source();
            }
            Ok(())
        }
    }

    impl std::error::Error for Error {}
}
