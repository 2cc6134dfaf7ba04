//! An account's mailbox: whether an address is free, the emailed links (a one-time token and the
//! app page it opens), the emails that carry them, and the hourly cap on them.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::auth::session;
use crate::db::outbox::{self, NewEmail};
use crate::db::tokens::{self, Purpose};
use crate::db::users;
use crate::db::DbConnection;
use crate::error::{ApiError, ProblemCode};
use crate::mail::{link, Content};

/// At most this many reset or invitation emails an hour for one account, so the forms cannot
/// flood a mailbox.
pub const RESETS_PER_HOUR: i64 = 3;

/// Refuses an address another account already uses.
pub fn ensure_free(conn: &mut DbConnection, email: &str) -> Result<(), ApiError> {
    if users::find_by_email(conn, email)?.is_some() {
        return Err(ApiError::conflict(ProblemCode::EmailTaken, "someone already uses this email address"));
    }
    Ok(())
}

/// The app page a link of `purpose` opens.
fn page(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::VerifyEmail => "verify-email",
        Purpose::PasswordReset => "reset-password",
        Purpose::Invite | Purpose::BootstrapAdmin => "accept-invite",
    }
}

/// A new link of `purpose` (for `user_id`, or for nobody yet: the first admin).
pub fn new_link(
    conn: &mut DbConnection,
    public_url: &str,
    user_id: Option<&str>,
    purpose: Purpose,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let token = session::link_token(conn, user_id, purpose, now)?;
    Ok(link(public_url, page(purpose), &token))
}

/// Queues an account email to `recipient` for sending at once. Its one-time `link` is kept out
/// of the stored bodies and dropped once the email is settled (see [`crate::mail::seal`]).
pub fn send(
    conn: &mut DbConnection,
    kind: &'static str,
    recipient: &str,
    user_id: &str,
    content: Content,
    link: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let email = NewEmail::with_secret_link(kind, recipient, Some(user_id), content, link, now);
    outbox::enqueue(conn, &email, now).map(|_| ())
}

/// Whether the account already had [`RESETS_PER_HOUR`] links of `purposes` in the last hour.
pub fn hourly_links_used_up(
    conn: &mut DbConnection,
    user_id: &str,
    purposes: &[Purpose],
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let since = now - chrono::Duration::hours(1);
    let mut recent = 0;
    for purpose in purposes {
        recent += tokens::count_since(conn, user_id, *purpose, since)?;
    }
    Ok(recent >= RESETS_PER_HOUR)
}
