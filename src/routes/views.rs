//! The JSON shapes of people, as the apps see them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::users::UserRow;
use crate::domain::red_flags::{self, Screening};
use crate::domain::role::Role;

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub role: Role,
    pub email: Option<String>,
    pub email_verified: bool,
    pub full_name: String,
    pub phone: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    /// IANA time zone, e.g. `America/Chicago`.
    pub time_zone: String,
    /// Staff only, e.g. "Physical therapist, DPT".
    pub title: Option<String>,
    pub active: bool,
    /// False for a patient the front desk created who has not set a password yet.
    pub has_app_account: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UserRow> for UserView {
    fn from(row: UserRow) -> Self {
        Self {
            role: Role::parse(&row.role).unwrap_or(Role::Patient),
            email_verified: row.email_verified_at.is_some(),
            has_app_account: row.password_hash.is_some(),
            id: row.id,
            email: row.email,
            full_name: row.full_name,
            phone: row.phone,
            date_of_birth: row.date_of_birth,
            time_zone: row.time_zone,
            title: row.title,
            active: row.active,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A session: what sign-in, refresh and accepted invites answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub refresh_token: String,
    pub user: UserView,
}

impl TokenResponse {
    pub fn new(session: crate::auth::session::Session, user: UserRow) -> Self {
        Self {
            access_token: session.access_token,
            token_type: "Bearer".into(),
            expires_in: session.expires_in,
            refresh_token: session.refresh_token,
            user: user.into(),
        }
    }
}

impl From<crate::accounts::sessions::SignedIn> for TokenResponse {
    fn from(signed_in: crate::accounts::sessions::SignedIn) -> Self {
        Self::new(signed_in.session, signed_in.user)
    }
}

/// A request that was taken and will finish by email.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    pub status: String,
    pub message: String,
}

impl Accepted {
    pub fn new(status: &str, message: &str) -> Self {
        Self { status: status.into(), message: message.into() }
    }
}

/// What the app shows at once when a red flag is positive.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RedFlagAdvice {
    /// `emergency` (go to an emergency department now) or `urgent` (see a doctor today).
    pub severity: String,
    pub advice: String,
    /// The question ids answered yes.
    pub questions: Vec<String>,
}

impl RedFlagAdvice {
    pub fn of(screening: &Screening) -> Option<Self> {
        let severity = screening.severity()?;
        Some(Self {
            severity: severity.as_str().to_string(),
            advice: red_flags::advice(severity).to_string(),
            questions: screening.positive.iter().map(|q| q.to_string()).collect(),
        })
    }
}
