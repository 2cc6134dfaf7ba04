//! The worker's contract: what `POST /v1/worker/deliveries/…` takes and answers. The server's
//! worker handlers (`routes::worker`) and the worker's client (`worker::client`) both use these
//! types, so the two sides cannot drift apart.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClaimRequest {
    /// At most this many deliveries (1 to 100).
    #[schema(minimum = 1, maximum = 100)]
    pub max: i64,
    /// How long they stay reserved to the caller (5 to 3600 seconds).
    #[schema(minimum = 5, maximum = 3600)]
    pub lease_seconds: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    /// Standard base64.
    pub content_base64: String,
}

impl Attachment {
    pub fn new(filename: &str, content_type: &str, content: &[u8]) -> Self {
        use base64::Engine;
        Self {
            filename: filename.to_string(),
            content_type: content_type.to_string(),
            content_base64: base64::engine::general_purpose::STANDARD.encode(content),
        }
    }

    /// The outbox's `attachments` column: these attachments as a JSON array.
    pub fn to_outbox(attachments: &[Attachment]) -> String {
        serde_json::to_string(attachments).unwrap_or_else(|_| "[]".to_string())
    }
}

/// An extra header the email must carry (one-click unsubscribe, RFC 8058).
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone, PartialEq, Eq)]
pub struct MailHeader {
    pub name: String,
    pub value: String,
}

/// One email to send, leased to the caller.
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
pub struct Delivery {
    pub id: String,
    /// Pass back when acknowledging: it proves the lease is yours.
    pub lease_id: String,
    pub lease_expires_at: DateTime<Utc>,
    pub kind: String,
    pub recipient: String,
    /// The display name to send from: the clinic's name. The address stays the worker's
    /// `BACKTRACK_MAIL_FROM`; without a name, that setting's own display name is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Extra headers, e.g. `List-Unsubscribe` and `List-Unsubscribe-Post` on reminders.
    #[serde(default)]
    pub headers: Vec<MailHeader>,
    /// The Message-ID to send with: derived from the delivery id, the same on every attempt,
    /// so a duplicate, if one ever slips through, is recognisable.
    pub message_id: String,
    /// Which attempt this is (1 for the first).
    pub attempt: i32,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClaimResponse {
    pub deliveries: Vec<Delivery>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SentRequest {
    /// The Message-ID the email was sent with.
    pub message_id: String,
    pub lease_id: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FailedRequest {
    /// What went wrong (the SMTP reply or the connection error).
    pub error: String,
    /// True when trying again cannot help (e.g. the server rejected the recipient with 5xx).
    pub permanent: bool,
    pub lease_id: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReleaseRequest {
    pub lease_id: String,
}

/// A delivery's state after an acknowledgement.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliveryState {
    pub id: String,
    /// `pending`, `leased`, `sent`, `failed`, `cancelled` or `expired`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
}
