//! Every stable problem code the API answers with, in one enum. The apps and the worker match on
//! these strings, so a code is never renamed; a new outcome gets a new variant. The OpenAPI
//! document names each one (the test `every_problem_code_is_documented` holds the two together).

use std::fmt;

macro_rules! problem_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident => $code:literal,)+) => {
        /// A stable, machine-readable, snake_case problem code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ProblemCode {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl ProblemCode {
            /// Every code, in the order written here.
            pub const ALL: &'static [ProblemCode] = &[$(ProblemCode::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ProblemCode::$variant => $code,)+
                }
            }

            /// What the code means, in a line for the client's developers (its doc comment).
            pub fn meaning(self) -> &'static str {
                match self {
                    $(ProblemCode::$variant => concat!($($doc),+).trim(),)+
                }
            }
        }
    };
}

problem_codes! {
    /// The body is not JSON, or not the shape this endpoint takes.
    MalformedRequest => "malformed_request",
    /// Some fields were refused; `errors` names each with its own reason.
    ValidationFailed => "validation_failed",
    /// No credential, or one that is expired, revoked or for a deactivated user.
    Unauthorized => "unauthorized",
    /// The email or password is not correct (the same answer for an unknown email).
    InvalidCredentials => "invalid_credentials",
    /// An emailed or one-time link or code is invalid, expired or already used.
    InvalidToken => "invalid_token",
    /// The caller's role may not do this.
    Forbidden => "forbidden",
    /// The patient has not confirmed their email address yet: until then only `GET /v1/me` and `POST /v1/me/email-verification` (a new confirmation email) answer.
    EmailNotVerified => "email_not_verified",
    /// Another clinician's patient: give `X-Access-Reason` for an audited emergency access.
    AccessReasonRequired => "access_reason_required",
    /// The patient uses the app: only they change the email address they sign in with.
    HasAppAccount => "has_app_account",
    /// A browser page from an origin not in `BACKTRACK_CORS_ORIGINS`.
    OriginNotAllowed => "origin_not_allowed",
    /// No such record, or not one the caller may see.
    NotFound => "not_found",
    /// The path exists, but not with this method (`Allow` lists them).
    MethodNotAllowed => "method_not_allowed",
    /// A record with the same unique key exists.
    AlreadyExists => "already_exists",
    /// The alert was acknowledged already.
    AlreadyAcknowledged => "already_acknowledged",
    /// The appointment is cancelled, so it takes no evaluation.
    AppointmentCancelled => "appointment_cancelled",
    /// The appointment changed since it was read: load it again and retry.
    AppointmentChanged => "appointment_changed",
    /// An appointment type with this code exists.
    CodeTaken => "code_taken",
    /// Someone already uses this email address.
    EmailTaken => "email_taken",
    /// A patient with the same name and date of birth exists.
    PossibleDuplicate => "possible_duplicate",
    /// Too close to the start to do this in the app; the detail gives the clinic's phone.
    InsideCutoff => "inside_cutoff",
    /// The appointment's status does not allow this change.
    InvalidTransition => "invalid_transition",
    /// The last active admin cannot be demoted or deactivated.
    LastAdmin => "last_admin",
    /// Patients may not book this appointment type themselves.
    NotPatientBookable => "not_patient_bookable",
    /// Only a failed delivery can be retried.
    NotRetryable => "not_retryable",
    /// The time is no longer free (the database refused an overlap).
    SlotTaken => "slot_taken",
    /// The patient already has an open episode of care: revise or close it first.
    EpisodeOpen => "episode_open",
    /// The episode of care is closed; its plan, certification and authorizations stay as they were.
    EpisodeClosed => "episode_closed",
    /// Every visit the payer authorized is used or booked; give an override reason to book anyway.
    AuthorizationExceeded => "authorization_exceeded",
    /// The day is outside every authorization's dates; give an override reason to book anyway.
    OutsideAuthorization => "outside_authorization",
    /// An exercise with this slug exists.
    SlugTaken => "slug_taken",
    /// This `Idempotency-Key` came before with another body: use a new key for a new request.
    IdempotencyKeyReused => "idempotency_key_reused",
    /// Too many attempts; `Retry-After` says when to try again.
    RateLimited => "rate_limited",
    /// The body is larger than the endpoint takes.
    PayloadTooLarge => "payload_too_large",
    /// The body is not `application/json`.
    UnsupportedMediaType => "unsupported_media_type",
    /// The request's head or body did not arrive in time.
    RequestTimeout => "request_timeout",
    /// The database is away for a moment; `Retry-After` says when to try again.
    ServiceUnavailable => "service_unavailable",
    /// Something unexpected; the request id finds it in the log.
    InternalError => "internal_error",
}

/// The `code` field's description in the OpenAPI document: every code with its meaning.
pub fn documented_list() -> String {
    let mut text = String::from("Stable, machine-readable, snake_case. One of:");
    for code in ProblemCode::ALL {
        text.push_str(&format!("\n- `{}`: {}", code.as_str(), code.meaning()));
    }
    text
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ProblemCode;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in ProblemCode::ALL {
            let text = code.as_str();
            assert!(text.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{text}");
            assert!(seen.insert(text), "{text} twice");
        }
    }
}
