//! A patient's outcome series (the evaluation's baseline, then each check-in) and their
//! summaries.

use chrono::NaiveDate;
use diesel::QueryResult;

use crate::db::{check_ins, evaluations, DbConnection};
use crate::domain::outcomes::Measure;
use crate::domain::progress::{summarize, Point, Summary};

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
