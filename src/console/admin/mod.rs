//! The admin's screens: the clinic's staff (invite, change role, deactivate), the clinic's
//! settings, the outbox's deliveries and the audit log.
//! The same services as `/v1/staff` and `/v1/audit`.

mod audit;
mod deliveries;
mod settings;
mod staff;

pub use audit::audit_page;
pub use deliveries::{deliveries_page, retry_delivery};
pub use settings::{save_settings, settings_page};
pub use staff::{change_staff, invite_staff, staff_page};
