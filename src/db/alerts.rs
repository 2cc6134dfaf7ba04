//! Alerts on the clinician's worklist. The check-in issue raises and acknowledges them; reminders
//! read them: while a red-flag alert is open, the patient's exercise reminders pause.

use diesel::dsl::exists;
use diesel::prelude::*;

use super::schema::alerts;
use super::DbConnection;

/// True while the patient has an open emergency or urgent red-flag alert.
pub fn red_flag_open(conn: &mut DbConnection, patient_id: &str) -> QueryResult<bool> {
    diesel::select(exists(
        alerts::table
            .filter(alerts::patient_id.eq(patient_id))
            .filter(alerts::kind.eq("red_flag"))
            .filter(alerts::status.eq("open"))
            .filter(alerts::severity.eq_any(["emergency", "urgent"])),
    ))
    .get_result(conn)
}
