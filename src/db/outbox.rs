//! The notification outbox: every email is a row written in the same transaction as the change
//! that caused it. Delivery (claim, send, acknowledge) is the worker's side.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::notification_outbox;
use super::{new_id, DbConnection};

/// A message to queue. `dedupe_key` is unique: queueing the same key twice stores it once.
#[derive(Debug, Clone)]
pub struct NewEmail {
    pub kind: &'static str,
    pub recipient: String,
    pub user_id: Option<String>,
    pub dedupe_key: String,
    /// Higher goes first (red-flag alerts ahead of reminders).
    pub priority: i32,
    pub due_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// JSON array of attachments (file name, content type, base64 content), if any.
    pub attachments: Option<String>,
    /// JSON object of extra headers (one-click unsubscribe), if any.
    pub headers: Option<String>,
    /// An account email's one-time link, which its bodies hold only as
    /// [`crate::mail::SECRET_LINK_SLOT`]; dropped once the row is settled.
    pub secret_link: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = notification_outbox)]
struct Row<'a> {
    id: String,
    kind: &'a str,
    recipient: &'a str,
    user_id: Option<&'a str>,
    dedupe_key: &'a str,
    priority: i32,
    due_at: NaiveDateTime,
    expires_at: Option<NaiveDateTime>,
    status: &'a str,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    subject: &'a str,
    body_text: &'a str,
    body_html: &'a str,
    attachments: Option<&'a str>,
    headers: Option<&'a str>,
    secret_link: Option<&'a str>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Queues `email`; returns its id, or `None` when a row with its de-duplication key exists.
pub fn enqueue(conn: &mut DbConnection, email: &NewEmail, now: NaiveDateTime) -> QueryResult<Option<String>> {
    let id = new_id();
    let row = Row {
        id: id.clone(),
        kind: email.kind,
        recipient: &email.recipient,
        user_id: email.user_id.as_deref(),
        dedupe_key: &email.dedupe_key,
        priority: email.priority,
        due_at: email.due_at,
        expires_at: email.expires_at,
        status: "pending",
        attempts: 0,
        next_attempt_at: email.due_at,
        subject: &email.subject,
        body_text: &email.body_text,
        body_html: &email.body_html,
        attachments: email.attachments.as_deref(),
        headers: email.headers.as_deref(),
        secret_link: email.secret_link.as_deref(),
        created_at: now,
        updated_at: now,
    };
    let insert = diesel::insert_into(notification_outbox::table)
        .values(&row)
        .on_conflict(notification_outbox::dedupe_key)
        .do_nothing();
    // Backend-specific: ON CONFLICT is spelled the same but typed per backend.
    let inserted = match conn {
        DbConnection::Pg(conn) => insert.execute(conn)?,
        DbConnection::Sqlite(conn) => insert.execute(conn)?,
    };
    Ok((inserted == 1).then_some(id))
}

impl NewEmail {
    /// A message to send now, once: account emails, notices.
    pub fn immediate(
        kind: &'static str,
        recipient: &str,
        user_id: Option<&str>,
        content: crate::mail::Content,
        now: NaiveDateTime,
    ) -> Self {
        Self {
            kind,
            recipient: recipient.to_string(),
            user_id: user_id.map(str::to_string),
            dedupe_key: format!("{kind}:{}", new_id()),
            priority: 0,
            due_at: now,
            expires_at: None,
            subject: content.subject,
            body_text: content.text,
            body_html: content.html,
            attachments: None,
            headers: None,
            secret_link: None,
        }
    }

    /// An account email carrying the one-time `link`: stored without it in the bodies.
    pub fn with_secret_link(
        kind: &'static str,
        recipient: &str,
        user_id: Option<&str>,
        content: crate::mail::Content,
        link: &str,
        now: NaiveDateTime,
    ) -> Self {
        Self {
            secret_link: Some(link.to_string()),
            ..Self::immediate(kind, recipient, user_id, crate::mail::seal(content, link), now)
        }
    }
}

/// Cancels the email with this de-duplication key if it has not gone out: it will never be sent.
pub fn cancel(conn: &mut DbConnection, dedupe_key: &str, now: NaiveDateTime) -> QueryResult<bool> {
    Ok(cancel_matching(conn, &super::like_escape(dedupe_key), now)? > 0)
}

/// Cancels every unsent email whose de-duplication key starts with `prefix` (say, all of one
/// appointment's reminders).
pub fn cancel_prefix(conn: &mut DbConnection, prefix: &str, now: NaiveDateTime) -> QueryResult<usize> {
    cancel_matching(conn, &format!("{}%", super::like_escape(prefix)), now)
}

fn cancel_matching(conn: &mut DbConnection, pattern: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        notification_outbox::table
            .filter(notification_outbox::dedupe_key.like(pattern).escape('\\'))
            .filter(notification_outbox::status.eq_any(["pending", "leased"])),
    )
    .set(super::deliveries::settle("cancelled", now))
    .execute(conn)
}

/// Removes a patient's unsent, never-attempted emails of `kind` whose keys start with `prefix`
/// and that are due after `after`: reminders queued ahead that a change of plan replaces. Rows a
/// worker holds are left to the send-time check.
pub fn withdraw_queued(
    conn: &mut DbConnection,
    user_id: &str,
    kind: &str,
    prefix: &str,
    after: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        notification_outbox::table
            .filter(notification_outbox::user_id.eq(user_id))
            .filter(notification_outbox::kind.eq(kind))
            .filter(notification_outbox::dedupe_key.like(format!("{}%", super::like_escape(prefix))).escape('\\'))
            .filter(notification_outbox::due_at.gt(after))
            .filter(
                notification_outbox::status
                    .eq("pending")
                    .and(notification_outbox::attempts.eq(0))
                    .or(notification_outbox::status.eq("cancelled")),
            ),
    )
    .execute(conn)
}

/// The account emails that carry a one-time link.
pub const LINK_KINDS: [&str; 5] =
    ["verify_email", "password_reset", "account_exists", "staff_invite", "patient_invite"];

/// What a settled account email queued before links were kept apart says instead of its bodies.
pub const LINK_DROPPED: &str = "(This email held a one-time link; it was removed once the email was settled.)";

/// Blanks the bodies of settled account emails that still hold their link in the text (queued
/// before links were kept apart from the bodies); returns how many. Hourly, from housekeeping.
pub fn drop_settled_links(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    let slot = format!("%{}%", super::like_escape(crate::mail::SECRET_LINK_SLOT));
    diesel::update(
        notification_outbox::table
            .filter(notification_outbox::status.eq_any(["sent", "failed", "cancelled", "expired"]))
            .filter(notification_outbox::kind.eq_any(LINK_KINDS))
            .filter(notification_outbox::body_text.not_like(slot).escape('\\'))
            .filter(
                notification_outbox::body_text.like("%token=%").or(notification_outbox::body_html.like("%token=%")),
            ),
    )
    .set((
        notification_outbox::body_text.eq(LINK_DROPPED),
        notification_outbox::body_html.eq(format!("<p>{LINK_DROPPED}</p>")),
        notification_outbox::secret_link.eq(None::<String>),
        notification_outbox::updated_at.eq(now),
    ))
    .execute(conn)
}
