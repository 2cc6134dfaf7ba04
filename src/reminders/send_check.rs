//! The last look before a reminder goes out: a worker has just claimed it, inside the claim's
//! transaction. A reminder whose reason went away since it was queued is cancelled, with the
//! reason recorded (no personal details in it).

use diesel::QueryResult;

use crate::clinical::adherence;
use crate::db::deliveries::{self, DeliveryRow};
use crate::db::{alerts, exercise_logs, programs, reminders, users, DbConnection};
use crate::domain::adherence::{week_quota_met, Schedule};
use crate::domain::reminders::{parse_key, ReminderKind};

/// Why a queued reminder must not be sent any more, if it must not.
pub fn reason_to_withhold(conn: &mut DbConnection, row: &DeliveryRow) -> QueryResult<Option<&'static str>> {
    let Some((kind, patient_id, date)) = parse_key(&row.dedupe_key) else { return Ok(None) };
    if ReminderKind::from_email_kind(&row.kind) != Some(kind) {
        return Ok(None);
    }
    if !users::find(conn, &patient_id)?.is_some_and(|u| u.active) {
        return Ok(Some("withheld: the account is not active"));
    }
    if !reminders::find(conn, &patient_id, kind)?.is_some_and(|s| s.enabled) {
        return Ok(Some("withheld: the patient turned these reminders off"));
    }
    let Some((program, version)) = programs::in_force(conn, &patient_id, date)? else {
        return Ok(Some("withheld: no program in force that day (it ended or changed)"));
    };
    if kind == ReminderKind::Exercise {
        if !version.prescription().asks_on(date) {
            return Ok(Some("withheld: the program asks for no session that day"));
        }
        if exercise_logs::logged_on(conn, &patient_id, date)? {
            return Ok(Some("withheld: that day's session is already logged"));
        }
        // Only a program of so many sessions a week can have its week done already.
        if matches!(version.prescription().schedule, Schedule::PerWeek(_)) {
            let inputs = adherence::inputs(conn, &program.id, &version)?;
            if week_quota_met(&inputs.prescription, &inputs.logged, date) {
                return Ok(Some("withheld: this week's sessions are all logged"));
            }
        }
        if alerts::red_flag_open(conn, &patient_id)? {
            return Ok(Some("withheld: exercise reminders pause while a red-flag alert is open"));
        }
    }
    Ok(None)
}

/// The claimed rows still worth sending; the others are cancelled.
pub fn keep_wanted(
    conn: &mut DbConnection,
    rows: Vec<DeliveryRow>,
    now: chrono::NaiveDateTime,
) -> QueryResult<Vec<DeliveryRow>> {
    let mut wanted = Vec::with_capacity(rows.len());
    for row in rows {
        match reason_to_withhold(conn, &row)? {
            Some(reason) => deliveries::withdraw_claimed(conn, &row.id, reason, now)?,
            None => wanted.push(row),
        }
    }
    Ok(wanted)
}
