//! The JSON shapes of people, as the apps see them and as requests change them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::now;
use crate::db::users::{UserChanges, UserRow};
use crate::domain::contact::PhoneNumber;
use crate::domain::person::{self, FullName};
use crate::domain::red_flags::{self, Screening};
use crate::domain::role::Role;
use crate::error::fields::Checks;

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
    #[schema(schema_with = crate::http::schemas::time_zone)]
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

/// Fields that may be changed; absent fields stay as they are, `null` clears an optional one.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct ProfileChanges {
    #[schema(schema_with = person_fields::full_name_or_null)]
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::nullable::field")]
    #[schema(schema_with = person_fields::phone_or_null)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::nullable::field")]
    #[schema(schema_with = person_fields::date_of_birth_or_null)]
    pub date_of_birth: Option<Option<NaiveDate>>,
    #[schema(schema_with = crate::http::schemas::time_zone_or_null)]
    pub time_zone: Option<String>,
}

impl ProfileChanges {
    /// Parses every present field into `changes`, recording refusals in `checks`.
    pub fn parse_into(self, checks: &mut Checks, changes: &mut UserChanges) {
        if let Some(name) = self.full_name {
            if let Some(name) = checks.field("full_name", FullName::parse(&name)) {
                changes.name_key = Some(name.search_key());
                changes.full_name = Some(name.as_str().to_string());
            }
        }
        match self.phone {
            Some(Some(phone)) => {
                changes.phone = checks.field("phone", PhoneNumber::parse(&phone)).map(|p| Some(p.into_string()));
            }
            Some(None) => changes.phone = Some(None),
            None => {}
        }
        match self.date_of_birth {
            Some(Some(date)) => {
                changes.date_of_birth =
                    checks.field("date_of_birth", person::date_of_birth(date, now().date())).map(Some);
            }
            Some(None) => changes.date_of_birth = Some(None),
            None => {}
        }
        if let Some(zone) = self.time_zone {
            changes.time_zone = checks.field("time_zone", person::time_zone(&zone)).map(|z| z.name().to_string());
        }
    }
}

/// A person's fields as requests spell them, written once for every request that takes them:
/// the patterns state what `domain::contact` and `domain::person` accept. Used with
/// `#[schema(schema_with = ...)]`, which drops a field's doc comment, so a described field has
/// its own function here.
pub mod person_fields {
    use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
    use utoipa::openapi::{KnownFormat, SchemaFormat};

    const EMAIL: &str = r"^[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$";
    const FULL_NAME: &str = r"^[^\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]*$";
    const PHONE: &str = r"^[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\+?[ ().-]*([0-9][ ().-]*){7,15}[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$";
    const TITLE: &str = r"^[^\u0000-\u001f\u007f-\u009f]*$";
    const DATE_OF_BIRTH: &str = r"^(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}$";
    const DATE_OF_BIRTH_RULE: &str = "On or after 1900-01-01, and not in the future.";
    const FIRST_ADMIN_ONLY: &str = "Only for the first admin's invitation.";

    fn text(nullable: bool, max_length: Option<usize>, pattern: &str, description: Option<&str>) -> ObjectBuilder {
        let kind = if nullable { SchemaType::from_iter([Type::String, Type::Null]) } else { Type::String.into() };
        ObjectBuilder::new().schema_type(kind).description(description).max_length(max_length).pattern(Some(pattern))
    }

    pub fn email() -> Schema {
        text(false, Some(254), EMAIL, None).build().into()
    }

    pub fn email_or_null() -> Schema {
        text(true, Some(254), EMAIL, None).build().into()
    }

    pub fn first_admin_email() -> Schema {
        let description = "Only for the first admin's invitation (printed by `backtrack serve` on first start).";
        text(true, Some(254), EMAIL, Some(description)).build().into()
    }

    pub fn changed_patient_email() -> Schema {
        let description = "A new address is unverified until the patient confirms it; `null` removes it.";
        text(true, Some(254), EMAIL, Some(description)).build().into()
    }

    pub fn full_name() -> Schema {
        text(false, Some(200), FULL_NAME, None).build().into()
    }

    pub fn full_name_or_null() -> Schema {
        text(true, Some(200), FULL_NAME, None).build().into()
    }

    pub fn first_admin_name() -> Schema {
        text(true, Some(200), FULL_NAME, Some(FIRST_ADMIN_ONLY)).build().into()
    }

    /// A staff member's title, as `routes::staff` parses it: at most 120 characters, no control characters.
    pub fn title_or_null() -> Schema {
        text(true, Some(120), TITLE, None).build().into()
    }

    pub fn new_title_or_null() -> Schema {
        text(true, Some(120), TITLE, Some("e.g. \"Physical therapist, DPT\".")).build().into()
    }

    pub fn phone_or_null() -> Schema {
        text(true, None, PHONE, None).build().into()
    }

    fn date_of_birth_of(nullable: bool) -> Schema {
        text(nullable, None, DATE_OF_BIRTH, Some(DATE_OF_BIRTH_RULE))
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .build()
            .into()
    }

    pub fn date_of_birth() -> Schema {
        date_of_birth_of(false)
    }

    pub fn date_of_birth_or_null() -> Schema {
        date_of_birth_of(true)
    }
}
