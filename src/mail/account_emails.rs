//! The account emails: verify an address, someone tried to register with it, reset a password,
//! and invitations for staff and for patients the front desk created.

use super::{with_link, Content};
use crate::domain::role::Role;

pub fn verify_email(name: &str, link: &str) -> Content {
    with_link(
        "Confirm your email for BackTrack",
        name,
        &["Welcome to BackTrack. Please confirm this is your email address. The link works for 48 hours."],
        "Confirm my email",
        link,
    )
}

/// Sent to the owner of an address when someone signs up with it again.
pub fn already_registered(name: &str, reset_link: &str) -> Content {
    with_link(
        "Someone tried to sign up to BackTrack with your email",
        name,
        &[
            "Someone, maybe you, tried to create a BackTrack account with this email address, but you already have one.",
            "If it was you and you have forgotten your password, you can set a new one. If it was not you, you can ignore this email; your account is unchanged.",
        ],
        "Reset my password",
        reset_link,
    )
}

pub fn password_reset(name: &str, link: &str) -> Content {
    with_link(
        "Reset your BackTrack password",
        name,
        &[
            "We received a request to reset your password. The link works for 30 minutes and only once.",
            "If you did not ask for this, ignore this email; your password is unchanged.",
        ],
        "Choose a new password",
        link,
    )
}

pub fn staff_invite(name: &str, role: Role, link: &str) -> Content {
    let role = role_label(role);
    with_link(
        "You are invited to BackTrack",
        name,
        &[&format!("You have been invited to join your clinic's BackTrack as {role}. The link works for 7 days.")],
        "Set my password",
        link,
    )
}

pub fn patient_invite(name: &str, link: &str) -> Content {
    with_link(
        "Your clinic invites you to the BackTrack app",
        name,
        &["Your physical-therapy clinic has set up your BackTrack account. Choose a password to see your appointments and home-exercise program in the app. The link works for 7 days."],
        "Set up my account",
        link,
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
