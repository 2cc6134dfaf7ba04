//! Who a user is to the clinic, which decides what they may see and do.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Patient,
    FrontDesk,
    Clinician,
    Admin,
    /// The reminder worker: a machine user that delivers the outbox.
    Worker,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Patient, Role::FrontDesk, Role::Clinician, Role::Admin, Role::Worker];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Patient => "patient",
            Role::FrontDesk => "front_desk",
            Role::Clinician => "clinician",
            Role::Admin => "admin",
            Role::Worker => "worker",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == value)
    }

    /// Staff are the people who work at the clinic (not patients, not machines).
    pub fn is_staff(self) -> bool {
        matches!(self, Role::FrontDesk | Role::Clinician | Role::Admin)
    }

    /// Who may find, create and edit patients' contact records.
    pub fn manages_patients(self) -> bool {
        matches!(self, Role::FrontDesk | Role::Admin)
    }

    /// Who may look patients up (clinicians need to find the people they treat).
    pub fn reads_patients(self) -> bool {
        self.is_staff()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
        }
        assert_eq!(Role::parse("superuser"), None);
    }

    #[test]
    fn patients_and_workers_do_not_manage_patients() {
        assert!(!Role::Patient.manages_patients());
        assert!(!Role::Worker.reads_patients());
        assert!(!Role::Clinician.manages_patients());
        assert!(Role::FrontDesk.manages_patients());
        assert!(Role::Admin.manages_patients());
    }
}
