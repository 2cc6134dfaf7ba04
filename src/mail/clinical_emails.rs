//! Emails to clinicians about their patients. They name no patient and no symptom: the link
//! opens the worklist, behind sign-in.

use super::{with_link, Content};

pub fn red_flag_alert(clinic: &str, clinician_name: &str, severity: &str, link: &str) -> Content {
    let (subject, urgency) = match severity {
        "emergency" => (
            "EMERGENCY red flag reported by a patient",
            "A patient just reported a symptom that can mean cauda equina syndrome. They were told to \
             go to an emergency department now.",
        ),
        _ => (
            "Urgent red flag reported by a patient",
            "A patient just reported a symptom that needs a medical review today. They were told to see a \
             doctor today; their exercise reminders are paused.",
        ),
    };
    with_link(
        subject,
        clinician_name,
        &[urgency, "Please review the alert and acknowledge it with a note once you have acted."],
        "Open the alert",
        link,
        clinic,
    )
}
