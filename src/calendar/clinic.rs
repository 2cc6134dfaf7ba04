//! The clinic's settings and its appointment types as admins change them: each change loaded,
//! edited, saved and audited inside the caller's write transaction. Field checks are the
//! caller's; the rows come back as saved.

use chrono::NaiveDateTime;

use crate::auth::Actor;
use crate::db::audit::{AuditEntry, Origin};
use crate::db::clinic::{self, AppointmentTypeRow, ClinicRow};
use crate::db::DbConnection;
use crate::domain::contact::PhoneNumber;
use crate::domain::{person, Invalid};
use crate::error::fields::{bounded_text, within, Checks};
use crate::error::{ApiError, ProblemCode};

/// The clinic's settings as typed: the API's body or the console's form.
pub struct SettingsAsTyped<'a> {
    pub name: &'a str,
    pub address: &'a str,
    pub phone: &'a str,
    pub time_zone: &'a str,
    pub slot_granularity_minutes: i32,
    pub reminder_offsets_minutes: &'a [i64],
    pub waitlist_offer_minutes: i32,
    /// `None` keeps the current idle time.
    pub console_idle_minutes: Option<i32>,
}

/// Checks every setting at once (one `422` naming each refused one): the row to save, and the idle
/// time when one was given (the row holds 15 otherwise; [`save_checked`] keeps the current one).
pub fn check_settings(typed: SettingsAsTyped) -> Result<(ClinicRow, Option<i32>), ApiError> {
    let mut checks = Checks::default();
    let name = checks.field("name", bounded_text(200, true)(typed.name));
    let address = checks.field("address", bounded_text(500, false)(typed.address));
    let phone = checks.field(
        "phone",
        if typed.phone.trim().is_empty() {
            Ok(String::new())
        } else {
            PhoneNumber::parse(typed.phone).map(|p| p.into_string())
        },
    );
    let zone = checks.field("time_zone", person::time_zone(typed.time_zone));
    let granularity = checks.field(
        "slot_granularity_minutes",
        if [5, 10, 15, 20, 30, 60].contains(&typed.slot_granularity_minutes) {
            Ok(typed.slot_granularity_minutes)
        } else {
            Err(Invalid::new("invalid", "one of 5, 10, 15, 20, 30 or 60"))
        },
    );
    let offsets = checks.field(
        "reminder_offsets_minutes",
        if typed.reminder_offsets_minutes.len() <= 5
            && typed.reminder_offsets_minutes.iter().all(|m| (1..=10_080).contains(m))
        {
            Ok(typed.reminder_offsets_minutes.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
        } else {
            Err(Invalid::new("out_of_range", "at most 5 offsets, each 1 to 10080 minutes"))
        },
    );
    let offer = checks.field("waitlist_offer_minutes", within(5, 1440)(typed.waitlist_offer_minutes.into()));
    let idle =
        checks.field("console_idle_minutes", typed.console_idle_minutes.map(|m| within(5, 480)(m.into())).transpose());
    checks.finish(|| {
        let idle = idle?.map(|m| m as i32);
        let row = ClinicRow {
            id: 1,
            name: name?,
            address: address?,
            phone: phone?,
            time_zone: zone?.name().to_string(),
            slot_granularity_minutes: granularity?,
            reminder_offsets_minutes: offsets?,
            waitlist_offer_minutes: offer? as i32,
            console_idle_minutes: idle.unwrap_or(15),
            updated_at: crate::db::now(),
        };
        Some((row, idle))
    })
}

/// Saves checked settings, keeping the current idle time when none was given.
pub fn save_checked(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    mut row: ClinicRow,
    idle: Option<i32>,
) -> Result<ClinicRow, ApiError> {
    if idle.is_none() {
        row.console_idle_minutes = clinic::settings(conn)?.console_idle_minutes;
    }
    save_settings(conn, actor, origin, &row)
}

pub fn save_settings(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    row: &ClinicRow,
) -> Result<ClinicRow, ApiError> {
    clinic::save_settings(conn, row)?;
    AuditEntry::new("clinic.update", origin).actor(&actor.id, actor.role).write(conn)?;
    Ok(clinic::settings(conn)?)
}

/// A new type; its code must be free (`409 code_taken`).
pub fn create_type(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    row: AppointmentTypeRow,
) -> Result<AppointmentTypeRow, ApiError> {
    if clinic::find_type(conn, &row.code)?.is_some() {
        return Err(ApiError::conflict(ProblemCode::CodeTaken, "another appointment type has this code"));
    }
    clinic::insert_type(conn, &row)?;
    AuditEntry::new("appointment_type.create", origin).actor(&actor.id, actor.role).target(&row.id).write(conn)?;
    Ok(row)
}

/// What an edit of a type records: its audit action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeChange {
    Update,
    Archive,
}

impl TypeChange {
    fn action(self) -> &'static str {
        match self {
            TypeChange::Update => "appointment_type.update",
            TypeChange::Archive => "appointment_type.archive",
        }
    }
}

/// Loads the type `id` (or code), lets `edit` change it, saves and audits it.
pub fn change_type(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    id: &str,
    change: TypeChange,
    edit: impl FnOnce(&mut AppointmentTypeRow) -> Result<(), ApiError>,
    now: NaiveDateTime,
) -> Result<AppointmentTypeRow, ApiError> {
    crate::db::catalogue::change(conn, actor, origin, id, change.action(), edit, now)
}

/// Archived types cannot be booked any more; existing appointments keep them.
pub fn archive_type(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    id: &str,
    now: NaiveDateTime,
) -> Result<AppointmentTypeRow, ApiError> {
    let archive = |row: &mut AppointmentTypeRow| {
        row.archived = true;
        Ok(())
    };
    change_type(conn, actor, origin, id, TypeChange::Archive, archive, now)
}
