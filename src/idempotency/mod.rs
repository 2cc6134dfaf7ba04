//! Retry-safe creation with an `Idempotency-Key`: the first answer to a request is kept with its
//! key and replayed to every retry of it, so a client that lost the answer can ask again without
//! creating twice.
//!
//! Call [`run`] inside the request's write transaction. It reserves the key (on PostgreSQL a
//! concurrent holder is waited for), replays the stored answer when the key was used before,
//! or runs the creation in a savepoint and saves its answer in the same transaction. A client
//! error is an answer too: kept and replayed, while the savepoint drops what the creation wrote.
//! Anything else rolls the whole transaction back, the reservation with it, so a retry runs anew.
//! The stored records are in [`crate::db::idempotency`].

mod key;

pub use key::IdempotencyKey;

use actix_web::ResponseError;
use chrono::NaiveDateTime;
use diesel::Connection;
use serde::Serialize;

use crate::auth::secret_token;
use crate::db::audit::Origin;
use crate::db::{idempotency as records, DbConnection};
use crate::error::ApiError;

/// An answer as sent: its status and JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    pub fn created(body: &impl Serialize) -> Self {
        Self { status: 201, body: serde_json::to_string(body).unwrap_or_default() }
    }

    /// A refusal as the client would have seen it (problem+json).
    fn refusal(err: &ApiError, origin: &Origin) -> Self {
        Self {
            status: err.status_code().as_u16(),
            body: serde_json::to_string(&err.to_problem(origin.request_id.clone())).unwrap_or_default(),
        }
    }

    pub fn is_success(&self) -> bool {
        self.status < 300
    }

    /// The answer as sent: JSON, or problem+json for a refusal.
    pub fn respond(self) -> actix_web::HttpResponse {
        let status = actix_web::http::StatusCode::from_u16(self.status).unwrap_or_default();
        let kind = if self.is_success() { "application/json" } else { "application/problem+json" };
        actix_web::HttpResponse::build(status).content_type(kind).body(self.body)
    }
}

/// A request that may come again: who sent it, under which key, and what it asked.
pub struct Retry {
    user_id: String,
    key: IdempotencyKey,
    fingerprint: String,
}

impl Retry {
    /// `request` is what must be the same on a retry (the parsed body).
    pub fn new(user_id: &str, key: IdempotencyKey, request: &impl Serialize) -> Self {
        let fingerprint = secret_token::hash(&serde_json::to_string(request).unwrap_or_default());
        Self { user_id: user_id.to_string(), key, fingerprint }
    }
}

pub enum NextAction {
    StartProcessing,
    ReturnSavedAnswer(Answer),
}

/// Reserves the key, or finds the answer saved for it. The same key with another request is a
/// 422 (`idempotency_key_reused`).
pub fn try_processing(conn: &mut DbConnection, retry: &Retry, now: NaiveDateTime) -> Result<NextAction, ApiError> {
    let key = retry.key.as_str();
    if records::reserve(conn, &retry.user_id, key, &retry.fingerprint, now)? {
        return Ok(NextAction::StartProcessing);
    }
    let stored = records::find(conn, &retry.user_id, key)?.ok_or(ApiError::Unavailable)?;
    if stored.request_hash != retry.fingerprint {
        return Err(ApiError::IdempotencyKeyReused);
    }
    Ok(NextAction::ReturnSavedAnswer(Answer { status: stored.status_code as u16, body: stored.response_body }))
}

pub fn save_answer(conn: &mut DbConnection, retry: &Retry, answer: &Answer) -> Result<(), ApiError> {
    Ok(records::complete(conn, &retry.user_id, retry.key.as_str(), answer.status, &answer.body)?)
}

/// The answer to a creation, once per key: `replayed` runs when a stored answer is sent again
/// (to audit that it was shown), `create` otherwise. Without a key, `create` runs and its
/// client errors are answered the same way, unsaved.
pub fn run(
    conn: &mut DbConnection,
    retry: Option<&Retry>,
    origin: &Origin,
    now: NaiveDateTime,
    replayed: impl FnOnce(&mut DbConnection, &Answer) -> Result<(), ApiError>,
    create: impl FnOnce(&mut DbConnection) -> Result<Answer, ApiError>,
) -> Result<Answer, ApiError> {
    if let Some(retry) = retry {
        if let NextAction::ReturnSavedAnswer(answer) = try_processing(conn, retry, now)? {
            replayed(conn, &answer)?;
            return Ok(answer);
        }
    }
    let answer = match conn.transaction(create) {
        Ok(answer) => answer,
        Err(err) if err.status_code().is_client_error() => Answer::refusal(&err, origin),
        Err(err) => return Err(err),
    };
    if let Some(retry) = retry {
        save_answer(conn, retry, &answer)?;
    }
    Ok(answer)
}
