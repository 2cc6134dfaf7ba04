//! The admin's screens: the clinic's staff (invite, change role, deactivate), the clinic's
//! settings, appointment types and clinical rules, the exercise library (clinicians too), the
//! outbox's deliveries and the audit log.
//! The same services as the `/v1` routes they mirror.

mod audit;
mod deliveries;
mod exercises;
mod rules;
mod settings;
mod staff;
mod types;

pub use audit::audit_page;
pub use deliveries::{deliveries_page, retry_delivery};
pub use exercises::{change_exercise, create_exercise, exercise_page, exercises_page, new_exercise_page};
pub use rules::{rules_page, save_rules};
pub use settings::{save_settings, settings_page};
pub use staff::{change_staff, invite_staff, staff_page};
pub use types::{change_type, create_type, type_page, types_page};
