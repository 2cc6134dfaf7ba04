//! Pure rules and the small types that can only hold valid values. No I/O here: nothing in
//! `domain/` touches the database, the network or the clock it is not handed.

pub mod adherence;
pub mod appointment;
pub mod authorization;
pub mod certification;
pub mod contact;
pub mod diagnosis;
pub mod exercise_category;
pub mod hours;
pub mod local_time;
pub mod login_throttle;
pub mod outcomes;
pub mod password_policy;
pub mod patient_search;
pub mod person;
pub mod plan_of_care;
pub mod program;
pub mod progress;
pub mod red_flags;
pub mod reminders;
pub mod retry;
pub mod role;
pub mod slots;
pub mod treatment_days;
pub mod visit_series;

/// Why a value was refused: a stable `code` and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub code: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}
