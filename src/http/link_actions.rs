//! What the emailed links do, for the JSON API and the console's pages alike: the checks, the
//! password hashing (on the hasher's own threads) and the change in one transaction, in one place.

use crate::accounts::invitations::{self, Acceptance};
use crate::accounts::sessions::{self, SessionTerms, SignedIn};
use crate::accounts::{passwords, sign_up};
use crate::db::audit::Origin;
use crate::db::users::UserRow;
use crate::db::{self, now, DbConnection};
use crate::domain::contact::EmailAddress;
use crate::domain::password_policy::NewPassword;
use crate::domain::person::FullName;
use crate::error::fields::Checks;
use crate::error::ApiError;
use crate::state::AppState;

/// Confirms the address the link was sent to (`400 invalid_token` for an unknown, used or
/// expired link).
pub async fn confirm_email(state: &AppState, origin: Origin, token: String) -> Result<(), ApiError> {
    db::transaction(&state.pool, move |conn| sign_up::verify_email(conn, &origin, &token, now())).await?
}

/// Emails a reset link if the address has an account; the same outcome if it has none or is not
/// an address at all (no query then), so the answer tells nobody which addresses exist.
pub async fn ask_for_reset(state: &AppState, origin: Origin, email: &str) -> Result<(), ApiError> {
    let email = EmailAddress::parse(email).ok();
    let public_url = state.config.public_url.clone();
    db::transaction(&state.pool, move |conn| {
        passwords::request_reset(conn, &origin, &public_url, email.as_ref(), now())
    })
    .await
}

/// Sets a new password with a reset link: the password policy (422 on `password`), then the
/// change, which ends every session of the account.
pub async fn reset_password(state: &AppState, origin: Origin, token: String, password: &str) -> Result<(), ApiError> {
    let mut checks = Checks::default();
    let password = checks.field("password", NewPassword::parse(password, None));
    let password = checks.finish(|| password)?;
    let hash = state.hasher.hash(password.expose().to_string()).await?;
    db::transaction(&state.pool, move |conn| passwords::reset(conn, &origin, &token, password.expose(), &hash, now()))
        .await?
}

/// What an invitation link is for (see [`invitations::look_up`]).
pub async fn invitation(state: &AppState, token: String) -> Result<Option<bool>, ApiError> {
    db::run(&state.pool, move |conn| Ok(invitations::look_up(conn, &token, now())?)).await
}

/// What a person sends to accept an invitation: the first admin's link also asks for their
/// email and name.
pub struct InvitationAnswer {
    pub token: String,
    pub password: String,
    pub email: Option<String>,
    pub full_name: Option<String>,
}

/// Accepts an invitation: the password policy (422 on `password`, and on `email` and
/// `full_name` for the first admin), then the first password, and a session.
pub async fn accept_invitation(
    state: &AppState,
    origin: Origin,
    answer: InvitationAnswer,
) -> Result<SignedIn, ApiError> {
    let terms = SessionTerms { keys: state.jwt.clone(), refresh_ttl: state.config.refresh_token_ttl };
    accept_then(state, origin, answer, move |conn, user| Ok(sessions::start(conn, &terms, user, now())?)).await
}

/// Accepts an invitation from its page: the same checks and change, and no API session (the
/// person signs in where they work: the console, or the phone app).
pub async fn accept_invitation_page(
    state: &AppState,
    origin: Origin,
    answer: InvitationAnswer,
) -> Result<UserRow, ApiError> {
    accept_then(state, origin, answer, |_, user| Ok(user)).await
}

/// The checks, the hashing and the acceptance, then `then` in the same transaction.
async fn accept_then<T: Send + 'static>(
    state: &AppState,
    origin: Origin,
    answer: InvitationAnswer,
    then: impl FnOnce(&mut DbConnection, UserRow) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let mut checks = Checks::default();
    let password = checks.field("password", NewPassword::parse(&answer.password, answer.email.as_deref()));
    let email = checks.optional("email", answer.email.as_deref(), EmailAddress::parse);
    let name = checks.optional("full_name", answer.full_name.as_deref(), FullName::parse);
    let (password, email, name) = checks.finish(|| Some((password?, email?, name?)))?;
    let hash = state.hasher.hash(password.expose().to_string()).await?;
    let default_zone = state.config.default_time_zone.clone();
    db::transaction(&state.pool, move |conn| {
        let acceptance = Acceptance {
            token: &answer.token,
            password: password.expose(),
            hash,
            email,
            name,
            default_zone: &default_zone,
        };
        match invitations::accept(conn, &origin, acceptance, now())? {
            Ok(user) => Ok(Ok(then(conn, user)?)),
            Err(refused) => Ok(Err(refused)),
        }
    })
    .await?
}

/// Takes the time a waitlist offer holds, for the patient it was offered to (the emailed token is
/// the credential): the booking, its emails and its audit row (`400 invalid_token` for a lapsed,
/// taken or unknown offer; `409 slot_taken` when someone booked the time a moment before).
pub async fn accept_offer(
    state: &AppState,
    origin: Origin,
    token: String,
) -> Result<crate::db::appointments::AppointmentRow, ApiError> {
    let notices = crate::calendar::notices::Notices::from_config(&state.config);
    db::transaction(&state.pool, move |conn| {
        crate::calendar::waitlist::accept(conn, &notices, &origin, &token, chrono::Utc::now())
    })
    .await
}

/// Whether a link's token still works for `purpose` (not used, not expired, one this server
/// sent): what a link's page checks before it shows its form. Reading it changes nothing.
pub async fn still_works(
    state: &AppState,
    token: String,
    purpose: crate::db::tokens::Purpose,
) -> Result<bool, ApiError> {
    let hash = crate::auth::secret_token::hash(token.trim());
    db::run(&state.pool, move |conn| {
        Ok(crate::db::tokens::find_live_one_time(conn, &hash, &[purpose], now())?.is_some())
    })
    .await
}
