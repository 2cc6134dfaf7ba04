//! When clinicians work: their weekly hours plus extra hours, minus time off, loaded once for a
//! window and read per clinician. Free slots and the day sheet both start from here.

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use diesel::QueryResult;

use crate::db::availability::{self, ExceptionRow, RuleRow};
use crate::db::DbConnection;
use crate::domain::slots::{self, Exception, Interval, WeeklyHours};

/// The weekly hours of some clinicians, and their exceptions overlapping `[from, to)`.
pub struct Hours {
    rules: Vec<RuleRow>,
    exceptions: Vec<ExceptionRow>,
}

impl Hours {
    pub fn load(
        conn: &mut DbConnection,
        clinician_ids: &[String],
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> QueryResult<Self> {
        Ok(Self {
            rules: availability::rules(conn, clinician_ids)?,
            exceptions: availability::exceptions(conn, clinician_ids, from, to)?,
        })
    }

    /// When `clinician_id` works within `window`, merged and sorted.
    pub fn working(&self, zone: Tz, clinician_id: &str, window: Interval) -> Vec<Interval> {
        let weekly: Vec<WeeklyHours> =
            self.rules.iter().filter(|r| r.clinician_id == clinician_id).map(RuleRow::weekly_hours).collect();
        let own: Vec<Exception> =
            self.exceptions.iter().filter(|e| e.clinician_id == clinician_id).map(ExceptionRow::exception).collect();
        slots::working_intervals(zone, &weekly, &own, window)
    }
}
