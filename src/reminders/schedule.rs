//! Queueing reminders ahead of time. Everything here runs inside the caller's write transaction.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::ReminderLinks;
use crate::clinical::progress;
use crate::db::outbox::{self, NewEmail};
use crate::db::reminders::{self, SettingRow};
use crate::db::{programs, users, DbConnection};
use crate::domain::reminders::{dedupe_key, dedupe_prefix, occurrences, ReminderKind, LATE_GRACE};
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::mail::reminder_emails::{self, describe_dose, PlannedExercise, WeekInReview};
use crate::mail::Content;
use crate::worker::contract::Attachment;

/// How often the scheduler looks ahead again for one patient and kind; inside every kind's
/// [`ReminderKind::queue_ahead`], so each occurrence is queued before it is due.
pub const LOOK_AGAIN: Duration = Duration::hours(1);

/// Looks ahead for up to `limit` rows that are due; returns how many emails it queued.
pub fn run_due(
    conn: &mut DbConnection,
    links: &ReminderLinks,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<usize, ApiError> {
    let mut queued = 0;
    for row in reminders::due(conn, now.naive_utc(), limit)? {
        queued += queue(conn, links, &row, now)?;
        reminders::next_run(conn, &row, (now + LOOK_AGAIN).naive_utc())?;
    }
    Ok(queued)
}

/// After a change of plan for `user_id` (new time, switched on or off, program prescribed or
/// revised): withdraws what was queued for later and queues afresh. Returns how many it queued.
pub fn refresh(
    conn: &mut DbConnection,
    links: &ReminderLinks,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let mut queued = 0;
    for row in reminders::ensure(conn, user_id, now.naive_utc())? {
        let Some(kind) = row.kind() else { continue };
        outbox::withdraw_queued(conn, user_id, kind.email_kind(), &dedupe_prefix(kind, user_id), now.naive_utc())?;
        queued += queue(conn, links, &row, now)?;
        reminders::next_run(conn, &row, (now + LOOK_AGAIN).naive_utc())?;
    }
    Ok(queued)
}

/// Queues the occurrences of one patient's choice from a little before `now` to as far ahead as
/// the kind is queued.
fn queue(
    conn: &mut DbConnection,
    links: &ReminderLinks,
    row: &SettingRow,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let Some(kind) = row.kind().filter(|_| row.enabled) else { return Ok(0) };
    let Some(patient) = users::find(conn, &row.user_id)?.filter(|u| u.active && u.role == Role::Patient.as_str())
    else {
        return Ok(0);
    };
    let Some(recipient) = patient.email.clone() else { return Ok(0) };
    let zone = patient.zone();
    let mut queued = 0;
    for occurrence in occurrences(zone, &row.time(), now - LATE_GRACE, now + kind.queue_ahead()) {
        let Some((content, attachments)) = content(conn, links, kind, &patient, occurrence.date)? else { continue };
        let unsubscribe = links.unsubscribe(&patient.id, kind);
        let headers = serde_json::json!({
            "List-Unsubscribe": format!("<{unsubscribe}>"),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        });
        let email = NewEmail {
            kind: kind.email_kind(),
            recipient: recipient.clone(),
            user_id: Some(patient.id.clone()),
            dedupe_key: dedupe_key(kind, &patient.id, occurrence.date),
            priority: 0,
            due_at: occurrence.due.naive_utc(),
            expires_at: Some(occurrence.expires(zone).naive_utc()),
            subject: content.subject,
            body_text: content.text,
            body_html: content.html,
            attachments,
            headers: Some(headers.to_string()),
            secret_link: None,
        };
        if outbox::enqueue(conn, &email, now.naive_utc())?.is_some() {
            queued += 1;
        }
    }
    Ok(queued)
}

/// What the reminder of `date` says (and what goes with it), or `None` when there is nothing to
/// remind of: no program in force that day, or (exercise) not a day it asks for a session.
fn content(
    conn: &mut DbConnection,
    links: &ReminderLinks,
    kind: ReminderKind,
    patient: &users::UserRow,
    date: NaiveDate,
) -> Result<Option<(Content, Option<String>)>, ApiError> {
    let Some((_, version)) = programs::in_force(conn, &patient.id, date)? else { return Ok(None) };
    let name = patient.full_name.as_str();
    let clinic = crate::db::clinic::name(conn)?;
    let unsubscribe = links.unsubscribe_page(&patient.id, kind);
    Ok(match kind {
        ReminderKind::Exercise if version.prescription().asks_on(date) => {
            let items: Vec<PlannedExercise> = programs::items_named(conn, &version.id)?
                .into_iter()
                .map(|(item, exercise)| PlannedExercise {
                    name: exercise,
                    dose: describe_dose(item.sets, item.reps, item.hold_seconds, item.duration_seconds),
                    notes: item.notes,
                })
                .collect();
            Some((reminder_emails::exercise_reminder(&clinic, name, &items, &links.app("program"), &unsubscribe), None))
        }
        ReminderKind::Exercise => None,
        ReminderKind::CheckIn => {
            Some((reminder_emails::check_in_prompt(&clinic, name, &links.app("check-in"), &unsubscribe), None))
        }
        ReminderKind::WeeklySummary => Some(weekly_summary(conn, links, patient, &unsubscribe, &clinic)?),
    })
}

/// The week in figures, with the progress chart as a PNG attachment.
fn weekly_summary(
    conn: &mut DbConnection,
    links: &ReminderLinks,
    patient: &users::UserRow,
    unsubscribe: &str,
    clinic: &str,
) -> Result<(Content, Option<String>), ApiError> {
    // The same progress the app and staff screens show.
    let progress = progress::progress_of(conn, patient)?;
    let this_week = progress.adherence.weeks.last().map(|w| &w.figure);
    let week = WeekInReview {
        sessions_done: this_week.map_or(0, |w| w.done),
        sessions_prescribed: this_week.map_or(0.0, |w| w.prescribed),
        adherence_percent: this_week.and_then(|w| w.percent),
        pain: progress.nrs.as_ref().map(|m| (m.latest.value, m.trend.as_str().to_string())),
        disability: progress.odi.as_ref().map(|m| (m.latest.value, m.trend.as_str().to_string())),
        visits: crate::clinical::episode_view::visits_so_far(conn, &patient.id)?,
    };
    let png = progress::chart(&progress).png();
    let attachment = Attachment::to_outbox(&[Attachment::new("progress.png", "image/png", &png)]);
    let content =
        reminder_emails::weekly_summary(clinic, &patient.full_name, &week, &links.app("progress"), unsubscribe);
    Ok((content, Some(attachment)))
}
