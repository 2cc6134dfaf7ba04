//! The clinic's settings (one row) and its appointment types, with who offers which.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{appointment_types, clinic_settings, clinician_services};
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, AsChangeset)]
#[diesel(table_name = clinic_settings)]
pub struct ClinicRow {
    pub id: i32,
    pub name: String,
    pub address: String,
    pub phone: String,
    pub time_zone: String,
    pub slot_granularity_minutes: i32,
    /// Comma-separated minutes before the start, e.g. `1440,120`.
    pub reminder_offsets_minutes: String,
    pub waitlist_offer_minutes: i32,
    /// Minutes without a page before a console session ends.
    pub console_idle_minutes: i32,
    pub updated_at: NaiveDateTime,
}

impl ClinicRow {
    pub fn zone(&self) -> chrono_tz::Tz {
        crate::domain::local_time::zone_or_utc(&self.time_zone)
    }

    pub fn reminder_offsets(&self) -> Vec<i64> {
        self.reminder_offsets_minutes.split(',').filter_map(|m| m.trim().parse().ok()).filter(|m| *m > 0).collect()
    }
}

/// The clinic's clinical rules (docs/clinical-rules.md): thresholds that are a clinic's choice.
#[derive(Debug, Clone, Copy, Queryable, Selectable, AsChangeset)]
#[diesel(table_name = clinic_settings)]
pub struct ClinicalRules {
    /// ODI sections that must be answered for a score (default 8).
    pub odi_min_answered: i32,
    /// Adherence below this over the last 14 days raises an alert (default 50).
    pub low_adherence_percent: i32,
    /// Weeks after the baseline before a plateau is called (default 6).
    pub plateau_weeks: i32,
    /// Days without a check-in, while a program is active, before an alert (default 14).
    pub missed_check_in_days: i32,
}

pub fn clinical_rules(conn: &mut DbConnection) -> QueryResult<ClinicalRules> {
    clinic_settings::table.find(1).select(ClinicalRules::as_select()).first(conn)
}

pub fn save_clinical_rules(conn: &mut DbConnection, rules: &ClinicalRules) -> QueryResult<()> {
    diesel::update(clinic_settings::table.find(1)).set(rules).execute(conn).map(|_| ())
}

pub fn settings(conn: &mut DbConnection) -> QueryResult<ClinicRow> {
    clinic_settings::table.find(1).select(ClinicRow::as_select()).first(conn)
}

/// The clinic's name, as its emails are signed and sent.
pub fn name(conn: &mut DbConnection) -> QueryResult<String> {
    clinic_settings::table.find(1).select(clinic_settings::name).first(conn)
}

pub fn save_settings(conn: &mut DbConnection, row: &ClinicRow) -> QueryResult<()> {
    diesel::update(clinic_settings::table.find(1)).set(row).execute(conn).map(|_| ())
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = appointment_types)]
pub struct AppointmentTypeRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub duration_minutes: i32,
    pub buffer_before_minutes: i32,
    pub buffer_after_minutes: i32,
    pub patient_bookable: bool,
    pub min_notice_hours: i32,
    pub horizon_days: i32,
    pub cancel_cutoff_hours: i32,
    pub reschedule_cutoff_hours: i32,
    pub archived: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl AppointmentTypeRow {
    pub fn shape(&self) -> crate::domain::slots::Shape {
        crate::domain::slots::Shape {
            duration: chrono::Duration::minutes(self.duration_minutes.into()),
            buffer_before: chrono::Duration::minutes(self.buffer_before_minutes.into()),
            buffer_after: chrono::Duration::minutes(self.buffer_after_minutes.into()),
        }
    }

    pub fn rules(&self) -> crate::domain::appointment::BookingRules {
        crate::domain::appointment::BookingRules {
            min_notice: chrono::Duration::hours(self.min_notice_hours.into()),
            horizon: chrono::Duration::days(self.horizon_days.into()),
            cancel_cutoff: chrono::Duration::hours(self.cancel_cutoff_hours.into()),
            reschedule_cutoff: chrono::Duration::hours(self.reschedule_cutoff_hours.into()),
        }
    }
}

pub fn types(conn: &mut DbConnection, include_archived: bool) -> QueryResult<Vec<AppointmentTypeRow>> {
    let mut query = appointment_types::table.into_boxed();
    if !include_archived {
        query = query.filter(appointment_types::archived.eq(false));
    }
    query.order(appointment_types::name.asc()).select(AppointmentTypeRow::as_select()).load(conn)
}

/// A type by its id or its code.
pub fn find_type(conn: &mut DbConnection, id_or_code: &str) -> QueryResult<Option<AppointmentTypeRow>> {
    appointment_types::table
        .filter(appointment_types::id.eq(id_or_code).or(appointment_types::code.eq(id_or_code)))
        .select(AppointmentTypeRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert_type(conn: &mut DbConnection, row: &AppointmentTypeRow) -> QueryResult<()> {
    diesel::insert_into(appointment_types::table).values(row).execute(conn).map(|_| ())
}

pub fn save_type(conn: &mut DbConnection, row: &AppointmentTypeRow) -> QueryResult<()> {
    diesel::update(appointment_types::table.find(&row.id)).set(row).execute(conn).map(|_| ())
}

/// The type ids a clinician offers; empty means every type.
pub fn services(conn: &mut DbConnection, clinician_id: &str) -> QueryResult<Vec<String>> {
    clinician_services::table
        .filter(clinician_services::clinician_id.eq(clinician_id))
        .select(clinician_services::appointment_type_id)
        .load(conn)
}

pub fn all_services(conn: &mut DbConnection) -> QueryResult<Vec<(String, String)>> {
    clinician_services::table
        .select((clinician_services::clinician_id, clinician_services::appointment_type_id))
        .load(conn)
}

pub fn set_services(conn: &mut DbConnection, clinician_id: &str, type_ids: &[String]) -> QueryResult<()> {
    diesel::delete(clinician_services::table.filter(clinician_services::clinician_id.eq(clinician_id)))
        .execute(conn)?;
    for type_id in type_ids {
        diesel::insert_into(clinician_services::table)
            .values((
                clinician_services::clinician_id.eq(clinician_id),
                clinician_services::appointment_type_id.eq(type_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}
