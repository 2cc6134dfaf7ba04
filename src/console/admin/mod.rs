//! The admin's screens: the clinic's staff (invite, change role, deactivate). The same services
//! as `/v1/staff`.

mod staff;

pub use staff::{change_staff, invite_staff, staff_page};
