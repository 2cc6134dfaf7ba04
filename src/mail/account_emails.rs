//! The account emails: verify an address, someone tried to register with it, reset a password,
//! and invitations for staff and for patients the front desk created. Each names the clinic (its
//! settings' name), which is whom a patient knows.

use super::{with_link, Content};
use crate::domain::role::Role;

pub fn verify_email(clinic: &str, name: &str, link: &str) -> Content {
    with_link(
        &format!("Confirm your email for {clinic}"),
        name,
        &[&format!(
            "Welcome to {clinic}. Please confirm this is your email address, so that your clinic can reach you. \
             The link works for 48 hours."
        )],
        "Confirm my email",
        link,
        clinic,
    )
}

/// Sent to the owner of an address when someone signs up with it again.
pub fn already_registered(clinic: &str, name: &str, reset_link: &str) -> Content {
    with_link(
        &format!("Someone tried to sign up to {clinic} with your email"),
        name,
        &[
            &format!(
                "Someone, maybe you, tried to create an account at {clinic} with this email address, but you already have one."
            ),
            "If it was you and you have forgotten your password, you can set a new one. If it was not you, you can ignore this email; your account is unchanged.",
        ],
        "Reset my password",
        reset_link,
        clinic,
    )
}

pub fn password_reset(clinic: &str, name: &str, link: &str) -> Content {
    with_link(
        &format!("Reset your password for {clinic}"),
        name,
        &[
            "We received a request to reset your password. The link works for 30 minutes and only once.",
            "If you did not ask for this, ignore this email; your password is unchanged.",
        ],
        "Choose a new password",
        link,
        clinic,
    )
}

/// Staff know the software by name: their invitation names both.
pub fn staff_invite(clinic: &str, name: &str, role: Role, link: &str) -> Content {
    let role = role_label(role);
    with_link(
        &format!("You are invited to join {clinic}"),
        name,
        &[&format!("You have been invited to join {clinic} on BackTrack as {role}. The link works for 7 days.")],
        "Set my password",
        link,
        clinic,
    )
}

pub fn patient_invite(clinic: &str, name: &str, link: &str) -> Content {
    with_link(
        &format!("{clinic} invites you to its app"),
        name,
        &[&format!(
            "{clinic} has set up your account. Choose a password to see your appointments and home-exercise \
             program in the app. The link works for 7 days."
        )],
        "Set up my account",
        link,
        clinic,
    )
}

/// A role as the invitation names it.
fn role_label(role: Role) -> &'static str {
    match role {
        Role::FrontDesk => "front desk",
        Role::Clinician => "clinician",
        Role::Admin => "administrator",
        Role::Patient => "patient",
        Role::Worker => "worker",
    }
}
