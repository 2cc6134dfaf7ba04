//! Raising alerts by the rules of docs/clinical-rules.md, when a check-in or a log arrives and in a sweep:
//! red flags (and telling the clinician at once, ahead of other mail), plateau, low adherence and
//! missed check-ins. At most one open alert per patient and kind.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::QueryResult;

use super::progress::series;
use crate::db::alerts::{self, AlertRow, Raised};
use crate::db::clinic::ClinicalRules;
use crate::db::outbox::{self, NewEmail};
use crate::db::{self, check_ins, evaluations, programs, users, DbConnection, DbPool};
use crate::domain::adherence;
use crate::domain::outcomes::Measure;
use crate::domain::progress::is_plateau;
use crate::domain::red_flags::Severity;
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::mail::clinical_emails;

/// Red-flag emails go out before anything else in the outbox.
const RED_FLAG_PRIORITY: i32 = 100;

/// Raises (or escalates) the patient's red-flag alert and emails their clinician, or every
/// clinician while they have none. Returns the alert.
pub fn raise_red_flag(
    conn: &mut DbConnection,
    public_url: &str,
    patient_id: &str,
    severity: Severity,
    questions: &[&str],
    now: NaiveDateTime,
) -> QueryResult<Option<AlertRow>> {
    let detail = serde_json::json!({ "questions": questions }).to_string();
    let alert = match alerts::raise(conn, patient_id, "red_flag", severity.as_str(), Some(detail), now)? {
        Raised::New(alert) | Raised::Escalated(alert) => alert,
        Raised::AlreadyOpen => return alerts::open_of(conn, patient_id, "red_flag"),
    };
    let recipients = match evaluations::primary_clinician(conn, patient_id)? {
        Some(id) => users::find(conn, &id)?.filter(|c| c.active).into_iter().collect(),
        None => Vec::new(),
    };
    let recipients = if recipients.is_empty() { users::active_with_role(conn, Role::Clinician)? } else { recipients };
    let link = format!("{public_url}/alerts/{}", alert.id);
    let clinic = crate::db::clinic::name(conn)?;
    for clinician in recipients {
        let Some(address) = clinician.email.as_deref() else { continue };
        let email = NewEmail {
            dedupe_key: format!("alert:{}:{}:{}", alert.id, alert.severity, clinician.id),
            priority: RED_FLAG_PRIORITY,
            ..NewEmail::immediate(
                "red_flag_alert",
                address,
                Some(&clinician.id),
                clinical_emails::red_flag_alert(&clinic, &clinician.full_name, &alert.severity, &link),
                now,
            )
        };
        outbox::enqueue(conn, &email, now)?;
    }
    Ok(Some(alert))
}

/// Opens a warning alert of `kind` unless one is open, or a clinician acknowledged one less than
/// `quiet` ago (the rule's own window: acknowledging means "seen, acting", and the same facts
/// would raise it again at once). True when it opened one.
fn warn(
    conn: &mut DbConnection,
    patient_id: &str,
    kind: &str,
    quiet: Duration,
    detail: serde_json::Value,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    if alerts::last_acknowledged(conn, patient_id, kind)?.is_some_and(|at| now - at < quiet) {
        return Ok(false);
    }
    Ok(matches!(alerts::raise(conn, patient_id, kind, "warning", Some(detail.to_string()), now)?, Raised::New(_)))
}

/// The plateau rule as of `as_of` (a check-in's own date when one arrives, so a series synced
/// late is judged as it stood then); true when it opened an alert.
pub fn check_plateau(
    conn: &mut DbConnection,
    patient_id: &str,
    as_of: NaiveDate,
    rules: &ClinicalRules,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    // Only while in care: a patient whose program has ended is not reassessed.
    if programs::in_force(conn, patient_id, as_of)?.is_none() {
        return Ok(false);
    }
    let series = series(conn, patient_id)?.until(as_of);
    let (nrs, odi) = (series.summary(Measure::Nrs, as_of), series.summary(Measure::Odi, as_of));
    if !is_plateau(nrs.as_ref(), odi.as_ref(), as_of, i64::from(rules.plateau_weeks)) {
        return Ok(false);
    }
    let quiet = Duration::weeks(i64::from(rules.plateau_weeks));
    warn(conn, patient_id, "plateau", quiet, serde_json::json!({ "weeks": rules.plateau_weeks }), now)
}

/// The low-adherence and missed-check-in rules on the patient's local `today`, while a program
/// is in force; the kinds it opened.
pub fn check_adherence(
    conn: &mut DbConnection,
    patient_id: &str,
    today: NaiveDate,
    rules: &ClinicalRules,
    now: NaiveDateTime,
) -> QueryResult<Vec<&'static str>> {
    let mut raised = Vec::new();
    let Some((program, version)) = programs::in_force(conn, patient_id, today)? else { return Ok(raised) };
    let super::adherence::AdherenceInputs { prescription, logged } =
        super::adherence::inputs(conn, &program.id, &version)?;
    if adherence::is_low(&prescription, &logged, today, f64::from(rules.low_adherence_percent)) {
        let figure = adherence::last_14_days(&prescription, &logged, today);
        let detail = serde_json::json!({ "percent_last_14_days": figure.percent });
        if warn(conn, patient_id, "low_adherence", Duration::days(14), detail, now)? {
            raised.push("low_adherence");
        }
    }
    let window = Duration::days(i64::from(rules.missed_check_in_days));
    let last = check_ins::latest_date(conn, patient_id)?;
    let active_long_enough = today - version.starts_on >= window;
    if active_long_enough && last.is_none_or(|last| today - last >= window) {
        let detail = serde_json::json!({ "days": rules.missed_check_in_days });
        if warn(conn, patient_id, "missed_check_ins", window, detail, now)? {
            raised.push("missed_check_ins");
        }
    }
    Ok(raised)
}

/// The sweep: every rule for every active patient with a program, on their own local date,
/// one transaction each (a failure for one patient keeps the others' alerts, and no lock is held
/// for long). Returns how many alerts it opened.
pub async fn sweep(pool: &DbPool, now: chrono::DateTime<chrono::Utc>) -> Result<usize, ApiError> {
    let patients = db::run(pool, |conn| Ok(programs::patients_with_programs(conn)?)).await?;
    // At the precision both databases keep, as every stored instant is (cursors rely on it).
    let stamp = chrono::SubsecRound::trunc_subsecs(now.naive_utc(), 6);
    let mut raised = 0;
    for patient_id in patients {
        raised += db::transaction(pool, move |conn| {
            let Some(patient) = users::find(conn, &patient_id)?.filter(|p| p.active) else { return Ok(0) };
            let today = patient.today(now);
            let rules = crate::db::clinic::clinical_rules(conn)?;
            let opened = check_adherence(conn, &patient_id, today, &rules, stamp)?.len();
            Ok(opened + usize::from(check_plateau(conn, &patient_id, today, &rules, stamp)?))
        })
        .await?;
    }
    Ok(raised)
}
