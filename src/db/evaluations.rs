//! Evaluations (one per appointment) and each patient's PSFS activities.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{evaluations, psfs_activities, users};
use super::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = evaluations)]
#[diesel(treat_none_as_null = true)]
pub struct EvaluationRow {
    pub id: String,
    pub appointment_id: String,
    pub patient_id: String,
    pub clinician_id: String,
    pub evaluated_on: NaiveDate,
    pub findings: String,
    pub start_back_answers: String,
    pub start_back_total: i32,
    pub start_back_psychosocial: i32,
    pub start_back_risk: String,
    pub baseline_nrs: i32,
    pub baseline_odi_answers: String,
    pub baseline_odi: Option<f64>,
    pub baseline_psfs_ratings: String,
    pub baseline_psfs: Option<f64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn of_appointment(conn: &mut DbConnection, appointment_id: &str) -> QueryResult<Option<EvaluationRow>> {
    evaluations::table
        .filter(evaluations::appointment_id.eq(appointment_id))
        .select(EvaluationRow::as_select())
        .first(conn)
        .optional()
}

/// Stores the evaluation of its appointment, replacing an earlier version of it.
pub fn save(conn: &mut DbConnection, row: &EvaluationRow) -> QueryResult<()> {
    let updated = diesel::update(evaluations::table.filter(evaluations::appointment_id.eq(&row.appointment_id)))
        .set((
            evaluations::clinician_id.eq(&row.clinician_id),
            evaluations::evaluated_on.eq(row.evaluated_on),
            evaluations::findings.eq(&row.findings),
            evaluations::start_back_answers.eq(&row.start_back_answers),
            evaluations::start_back_total.eq(row.start_back_total),
            evaluations::start_back_psychosocial.eq(row.start_back_psychosocial),
            evaluations::start_back_risk.eq(&row.start_back_risk),
            evaluations::baseline_nrs.eq(row.baseline_nrs),
            evaluations::baseline_odi_answers.eq(&row.baseline_odi_answers),
            evaluations::baseline_odi.eq(row.baseline_odi),
            evaluations::baseline_psfs_ratings.eq(&row.baseline_psfs_ratings),
            evaluations::baseline_psfs.eq(row.baseline_psfs),
            evaluations::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(evaluations::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// The patient's evaluations, oldest first.
pub fn of_patient(conn: &mut DbConnection, patient_id: &str) -> QueryResult<Vec<EvaluationRow>> {
    evaluations::table
        .filter(evaluations::patient_id.eq(patient_id))
        .order((evaluations::evaluated_on.asc(), evaluations::id.asc()))
        .select(EvaluationRow::as_select())
        .load(conn)
}

/// The activities the patient rates in every PSFS, in order.
pub fn psfs_activities(conn: &mut DbConnection, patient_id: &str) -> QueryResult<Vec<String>> {
    psfs_activities::table
        .filter(psfs_activities::patient_id.eq(patient_id))
        .order(psfs_activities::position.asc())
        .select(psfs_activities::name)
        .load(conn)
}

pub fn set_psfs_activities(conn: &mut DbConnection, patient_id: &str, names: &[String]) -> QueryResult<()> {
    diesel::delete(psfs_activities::table.filter(psfs_activities::patient_id.eq(patient_id))).execute(conn)?;
    for (i, name) in names.iter().enumerate() {
        diesel::insert_into(psfs_activities::table)
            .values((
                psfs_activities::patient_id.eq(patient_id),
                psfs_activities::position.eq(i as i32 + 1),
                psfs_activities::name.eq(name),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn primary_clinician(conn: &mut DbConnection, patient_id: &str) -> QueryResult<Option<String>> {
    users::table.find(patient_id).select(users::primary_clinician_id).first(conn).optional().map(Option::flatten)
}

pub fn set_primary_clinician(conn: &mut DbConnection, patient_id: &str, clinician_id: &str) -> QueryResult<()> {
    diesel::update(users::table.find(patient_id))
        .set(users::primary_clinician_id.eq(clinician_id))
        .execute(conn)
        .map(|_| ())
}
