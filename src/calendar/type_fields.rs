//! An appointment type's fields as an admin sends them (the JSON body of the type routes and the
//! console's type form alike), each checked against its bounds, applied to a new or stored type.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::clinic::AppointmentTypeRow;
use crate::domain::appointment;
use crate::error::fields::{bounded_text as text, within, Checks};
use crate::error::ApiError;

/// A new type, or changes to one: on create every field but the buffers is required.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct AppointmentTypeFields {
    /// Lower-case letters, digits and `_`, e.g. `follow_up`; fixed once created.
    #[schema(pattern = r"^[a-z0-9_]{2,50}$")]
    pub code: Option<String>,
    #[schema(
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: Option<String>,
    #[schema(minimum = 5, maximum = 480)]
    pub duration_minutes: Option<i64>,
    #[schema(minimum = 0, maximum = 120)]
    pub buffer_before_minutes: Option<i64>,
    #[schema(minimum = 0, maximum = 120)]
    pub buffer_after_minutes: Option<i64>,
    pub patient_bookable: Option<bool>,
    #[schema(minimum = 0, maximum = 720)]
    pub min_notice_hours: Option<i64>,
    #[schema(minimum = 1, maximum = 730)]
    pub horizon_days: Option<i64>,
    #[schema(minimum = 0, maximum = 720)]
    pub cancel_cutoff_hours: Option<i64>,
    #[schema(minimum = 0, maximum = 720)]
    pub reschedule_cutoff_hours: Option<i64>,
}

impl AppointmentTypeFields {
    /// Applies the present fields to `row`, recording refusals (and, with `creating`, absences).
    pub fn apply(self, row: &mut AppointmentTypeRow, checks: &mut Checks, creating: bool) {
        let mut number =
            |field: &str, value: Option<i64>, range: (i64, i64), target: &mut i32, required: bool| match value {
                Some(v) => {
                    if let Some(v) = checks.field(field, within(range.0, range.1)(v)) {
                        *target = v as i32;
                    }
                }
                None if required => checks.fail(field, "required", "this is required"),
                None => {}
            };
        let (longest, buffer) = (appointment::MAX_DURATION_MINUTES, appointment::MAX_BUFFER_MINUTES);
        number("duration_minutes", self.duration_minutes, (5, longest), &mut row.duration_minutes, creating);
        number("buffer_before_minutes", self.buffer_before_minutes, (0, buffer), &mut row.buffer_before_minutes, false);
        number("buffer_after_minutes", self.buffer_after_minutes, (0, buffer), &mut row.buffer_after_minutes, false);
        number("min_notice_hours", self.min_notice_hours, (0, 720), &mut row.min_notice_hours, creating);
        number("horizon_days", self.horizon_days, (1, 730), &mut row.horizon_days, creating);
        number("cancel_cutoff_hours", self.cancel_cutoff_hours, (0, 720), &mut row.cancel_cutoff_hours, creating);
        number(
            "reschedule_cutoff_hours",
            self.reschedule_cutoff_hours,
            (0, 720),
            &mut row.reschedule_cutoff_hours,
            creating,
        );
        match self.name {
            Some(name) => {
                if let Some(name) = checks.field("name", text(120, true)(&name)) {
                    row.name = name;
                }
            }
            None if creating => checks.fail("name", "required", "this is required"),
            None => {}
        }
        if let Some(bookable) = self.patient_bookable {
            row.patient_bookable = bookable;
        }
        match (self.code, creating) {
            (Some(code), true) => {
                let valid = (2..=50).contains(&code.len())
                    && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if valid {
                    row.code = code;
                } else {
                    checks.fail("code", "invalid_format", "2 to 50 lower-case letters, digits or _");
                }
            }
            (None, true) => checks.fail("code", "required", "this is required"),
            (Some(_), false) => checks.fail("code", "immutable", "a type's code cannot change"),
            (None, false) => {}
        }
    }

    /// A new type from the fields, every one checked (all but the buffers and `patient_bookable`
    /// required).
    pub fn new_type(self, now: NaiveDateTime) -> Result<AppointmentTypeRow, ApiError> {
        let mut row = AppointmentTypeRow {
            id: crate::db::new_id(),
            code: String::new(),
            name: String::new(),
            duration_minutes: 0,
            buffer_before_minutes: 0,
            buffer_after_minutes: 0,
            patient_bookable: false,
            min_notice_hours: 0,
            horizon_days: 0,
            cancel_cutoff_hours: 0,
            reschedule_cutoff_hours: 0,
            archived: false,
            created_at: now,
            updated_at: now,
        };
        let mut checks = Checks::default();
        self.apply(&mut row, &mut checks, true);
        checks.finish(|| Some(row))
    }

    /// The change the present fields make to a type, each checked.
    pub fn edit(self) -> impl FnOnce(&mut AppointmentTypeRow) -> Result<(), ApiError> {
        move |row| {
            let mut checks = Checks::default();
            self.apply(row, &mut checks, false);
            checks.finish(|| Some(()))
        }
    }
}
