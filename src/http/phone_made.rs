//! Paths that name a record by the id the phone made (`PUT /v1/check-ins/{id}`,
//! `PUT /v1/exercise-logs/{id}`): the id is a UUID, and the answer is `201` for the first copy and
//! `200` for a copy sent again.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Serialize;

use crate::error::ApiError;

/// The path's id, if it is a UUID; `message` says what it names.
pub fn id(raw: String, message: &str) -> Result<String, ApiError> {
    match uuid::Uuid::parse_str(&raw) {
        Ok(_) => Ok(raw),
        Err(_) => Err(ApiError::field("id", "invalid_format", message)),
    }
}

/// The stored record: `201 Created` the first time, `200 OK` for a resend.
pub fn stored(created: bool, body: &impl Serialize) -> HttpResponse {
    HttpResponse::build(if created { StatusCode::CREATED } else { StatusCode::OK }).json(body)
}
