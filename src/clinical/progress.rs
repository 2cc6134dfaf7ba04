//! A patient's outcome series (the evaluation's baseline, then each check-in), their summaries,
//! and the progress the app, the staff screens and the weekly summary email show: NRS, ODI and
//! PSFS with adherence beside them, and the same as a chart.

use chrono::{NaiveDate, Utc};
use diesel::QueryResult;

use super::access::read_record;
use super::access::AccessReason;
use super::adherence::{self, Adherence};
use crate::auth::Actor;
use crate::db::audit::Origin;
use crate::db::users::UserRow;
use crate::db::{check_ins, evaluations, DbConnection};
use crate::domain::outcomes::Measure;
use crate::domain::progress::{summarize, Point, Summary};
use crate::error::ApiError;
use crate::progress_chart::ProgressChart;

#[derive(Debug, Clone, Default)]
pub struct Series {
    /// Pain now (NRS 0–10).
    pub nrs: Vec<Point>,
    /// ODI percent (only where enough sections were answered).
    pub odi: Vec<Point>,
    /// PSFS mean.
    pub psfs: Vec<Point>,
}

impl Series {
    /// The series as it stood on `date`: what a check-in synced late is judged by.
    pub fn until(mut self, date: NaiveDate) -> Self {
        for points in [&mut self.nrs, &mut self.odi, &mut self.psfs] {
            points.retain(|p| p.date <= date);
        }
        self
    }

    pub fn summary(&self, measure: Measure, today: NaiveDate) -> Option<Summary> {
        let points = match measure {
            Measure::Nrs => &self.nrs,
            Measure::Odi => &self.odi,
            Measure::Psfs => &self.psfs,
        };
        summarize(measure, points, today)
    }
}

pub fn series(conn: &mut DbConnection, patient_id: &str) -> QueryResult<Series> {
    let mut series = Series::default();
    let point = |date, value: f64| Point { date, value };
    for evaluation in evaluations::of_patient(conn, patient_id)? {
        let date = evaluation.evaluated_on;
        series.nrs.push(point(date, f64::from(evaluation.baseline_nrs)));
        series.odi.extend(evaluation.baseline_odi.map(|v| point(date, v)));
        series.psfs.extend(evaluation.baseline_psfs.map(|v| point(date, v)));
    }
    for check_in in check_ins::of_patient(conn, patient_id)? {
        let date = check_in.completed_on;
        series.nrs.push(point(date, f64::from(check_in.pain_now)));
        series.odi.extend(check_in.odi_score.map(|v| point(date, v)));
        series.psfs.extend(check_in.psfs_score.map(|v| point(date, v)));
    }
    Ok(series)
}

/// A patient's progress as of their local today.
#[derive(Debug, Clone)]
pub struct Progress {
    pub patient_id: String,
    /// The patient's local date the figures are for.
    pub today: NaiveDate,
    pub nrs: Option<Summary>,
    pub odi: Option<Summary>,
    pub psfs: Option<Summary>,
    /// The activities the PSFS rates, in order.
    pub psfs_activities: Vec<String>,
    pub adherence: Adherence,
}

/// The progress of a patient whose record the caller may open (checked by the caller).
pub fn progress_of(conn: &mut DbConnection, patient: &UserRow) -> Result<Progress, ApiError> {
    let today = patient.today(Utc::now());
    let series = series(conn, &patient.id)?;
    Ok(Progress {
        patient_id: patient.id.clone(),
        today,
        nrs: series.summary(Measure::Nrs, today),
        odi: series.summary(Measure::Odi, today),
        psfs: series.summary(Measure::Psfs, today),
        psfs_activities: evaluations::psfs_activities(conn, &patient.id)?,
        adherence: adherence::of_patient(conn, &patient.id)?,
    })
}

/// A patient's progress as staff (or the patient) open the record; the read is audited as
/// `action`.
pub fn read(
    conn: &mut DbConnection,
    actor: &Actor,
    origin: &Origin,
    reason: &AccessReason,
    patient_id: &str,
    action: &'static str,
) -> Result<Progress, ApiError> {
    let patient = read_record(conn, actor, patient_id, reason, origin, action)?;
    progress_of(conn, &patient)
}

/// The chart of a progress: days since the first point of any series.
pub fn chart(progress: &Progress) -> ProgressChart {
    let measures = [&progress.nrs, &progress.odi];
    let start = measures
        .iter()
        .filter_map(|m| m.as_ref().map(|m| m.baseline.date))
        .chain(progress.adherence.weeks.first().map(|w| w.from))
        .min()
        .unwrap_or(progress.today);
    let days = |date: NaiveDate| (date - start).num_days();
    let line = |m: &Option<Summary>| {
        m.as_ref().map(|m| m.series.iter().map(|p| (days(p.date), p.value)).collect()).unwrap_or_default()
    };
    ProgressChart {
        pain: line(&progress.nrs),
        odi: line(&progress.odi),
        adherence: progress.adherence.weeks.iter().filter_map(|w| Some((days(w.from), w.figure.percent?))).collect(),
        pain_target: progress.nrs.as_ref().map(|m| m.target),
        odi_target: progress.odi.as_ref().map(|m| m.target),
    }
}
