//! The appointment emails: booked (or moved), reminder, cancelled. They name the visit type, the
//! clinician, the clinic-local time and the clinic, and never any clinical detail (no booking
//! reason, no notes).

use chrono::{NaiveDateTime, TimeDelta, TimeZone};

use super::{with_link, Content};

/// What the emails say about one appointment.
#[derive(Debug, Clone)]
pub struct AppointmentDetails<'a> {
    pub patient_name: &'a str,
    /// e.g. "Comprehensive evaluation".
    pub type_name: &'a str,
    pub clinician_name: &'a str,
    /// Clinic-local wall-clock time.
    pub local_start: NaiveDateTime,
    pub local_end: NaiveDateTime,
    /// IANA, e.g. "America/Chicago".
    pub zone_name: &'a str,
    pub clinic_name: &'a str,
    pub clinic_address: &'a str,
    pub clinic_phone: &'a str,
    /// A link into the app for this appointment.
    pub app_link: &'a str,
}

/// Sent when an appointment is booked, or when it is rescheduled.
pub fn confirmation(d: &AppointmentDetails, rescheduled: bool) -> Content {
    let (subject, opening) = if rescheduled {
        (
            "Your appointment has moved",
            format!(
                "Your appointment has moved. Your {} with {} is now on {}.",
                d.type_name,
                d.clinician_name,
                when(d)
            ),
        )
    } else {
        (
            "Your appointment is booked",
            format!("Your {} with {} is booked for {}.", d.type_name, d.clinician_name, when(d)),
        )
    };
    with_link(
        subject,
        d.patient_name,
        &[
            &opening,
            &format!("Where: {}.", place(d)),
            &format!("If you need to change or cancel it, you can do so in the app or call {}.", call(d)),
        ],
        "View my appointment",
        d.app_link,
    )
}

/// Sent `hours_before` the start: a day ahead ("tomorrow at 09:00", or "on {date} at 09:00" if
/// further out), later the same day ("today at 09:00"), or shortly before ("in 2 hours").
pub fn reminder(d: &AppointmentDetails, hours_before: i64) -> Content {
    let time = d.local_start.format("%H:%M").to_string();
    let relative = if (1..=3).contains(&hours_before) {
        format!("in {hours_before} hour{}", if hours_before == 1 { "" } else { "s" })
    } else {
        let sent_on = sent_at(d, hours_before).map(|at| at.date());
        let day = d.local_start.date();
        if sent_on == Some(day) {
            format!("today at {time}")
        } else if sent_on.and_then(|on| on.succ_opt()) == Some(day) {
            format!("tomorrow at {time}")
        } else {
            format!("on {} at {time}", day.format("%A %-d %B"))
        }
    };
    with_link(
        &format!("Reminder: your appointment {relative}"),
        d.patient_name,
        &[
            &format!("This is a reminder of your {} with {} on {}.", d.type_name, d.clinician_name, when(d)),
            &format!("Where: {}.", place(d)),
            &format!("If you can no longer make it, please reschedule or cancel in the app, or call {}.", call(d)),
        ],
        "View my appointment",
        d.app_link,
    )
}

/// Sent when an appointment is cancelled (by the clinic or by the patient).
pub fn cancellation(d: &AppointmentDetails) -> Content {
    with_link(
        "Your appointment is cancelled",
        d.patient_name,
        &[
            &format!("Your {} with {} on {} is cancelled.", d.type_name, d.clinician_name, when(d)),
            &format!("It was to be at {}.", place(d)),
            &format!("Whenever you are ready, you can book a new time in the app or call {}.", call(d)),
        ],
        "Book again",
        d.app_link,
    )
}

/// "Monday 16 November 2026, 09:00–10:00 (America/Chicago)"; both dates when it spans midnight.
fn when(d: &AppointmentDetails) -> String {
    const DAY_AND_TIME: &str = "%A %-d %B %Y, %H:%M";
    let start = d.local_start.format(DAY_AND_TIME);
    if d.local_end.date() == d.local_start.date() {
        format!("{start}–{} ({})", d.local_end.format("%H:%M"), d.zone_name)
    } else {
        format!("{start} – {} ({})", d.local_end.format(DAY_AND_TIME), d.zone_name)
    }
}

fn place(d: &AppointmentDetails) -> String {
    format!("{}, {}", d.clinic_name, one_line(d.clinic_address).trim_end_matches('.'))
}

fn call(d: &AppointmentDetails) -> String {
    format!("{} on {}", d.clinic_name, d.clinic_phone)
}

/// A multi-line postal address on one line, its lines separated by commas.
fn one_line(address: &str) -> String {
    address
        .lines()
        .map(|line| line.trim().trim_end_matches(','))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The clinic-local time the reminder goes out: the start's instant minus `hours_before` hours,
/// across any daylight-saving change; plain wall-clock arithmetic if the zone is unknown or the
/// start falls in a skipped hour. `None` if out of range.
fn sent_at(d: &AppointmentDetails, hours_before: i64) -> Option<NaiveDateTime> {
    let hours = TimeDelta::try_hours(hours_before)?;
    let zoned =
        d.zone_name.parse::<chrono_tz::Tz>().ok().and_then(|zone| zone.from_local_datetime(&d.local_start).earliest());
    match zoned {
        Some(start) => start.checked_sub_signed(hours).map(|at| at.naive_local()),
        None => d.local_start.checked_sub_signed(hours),
    }
}

/// A waitlist offer: a time freed up; the first to accept within the window gets it.
pub fn waitlist_offer(d: &AppointmentDetails, answer_by: chrono::NaiveDateTime) -> Content {
    with_link(
        "An earlier appointment is free for you",
        d.patient_name,
        &[
            &format!(
                "A time you were waiting for has come free: {} with {} on {}.",
                d.type_name,
                d.clinician_name,
                when(d)
            ),
            &format!(
                "It is held for you until {} ({}). After that it is offered to the next person waiting.",
                answer_by.format("%H:%M on %A %-d %B"),
                d.zone_name
            ),
            &format!("The visit is at {}.", place(d)),
        ],
        "Take this appointment",
        d.app_link,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap().and_hms_opt(hour, 0, 0).unwrap()
    }

    fn details() -> AppointmentDetails<'static> {
        AppointmentDetails {
            patient_name: "Ana Silva",
            type_name: "Comprehensive evaluation",
            clinician_name: "Dr. Lee",
            local_start: at(16, 9),
            local_end: at(16, 10),
            zone_name: "America/Chicago",
            clinic_name: "Riverside PT",
            clinic_address: "12 Main St\nSpringfield, IL 62701",
            clinic_phone: "+1 217 555 0100",
            app_link: "https://app.clinic.example/appointments/0190-abc",
        }
    }

    const WHEN: &str = "Monday 16 November 2026, 09:00–10:00 (America/Chicago)";

    fn assert_names_the_visit(content: &Content) {
        for body in [&content.text, &content.html] {
            for expected in [WHEN, "Dr. Lee", "Comprehensive evaluation", "Riverside PT", "+1 217 555 0100"] {
                assert!(body.contains(expected), "missing {expected:?} in {body}");
            }
            assert!(body.contains("https://app.clinic.example/appointments/0190-abc"));
        }
        assert!(content.text.contains("12 Main St, Springfield, IL 62701"), "{}", content.text);
    }

    #[test]
    fn confirmation_subjects_and_bodies() {
        let booked = confirmation(&details(), false);
        assert_eq!(booked.subject, "Your appointment is booked");
        assert_names_the_visit(&booked);
        assert!(booked.text.contains("Hello Ana Silva,"));

        let moved = confirmation(&details(), true);
        assert_eq!(moved.subject, "Your appointment has moved");
        assert_names_the_visit(&moved);
        assert!(moved.text.contains("is now on Monday 16 November 2026"));
    }

    #[test]
    fn reminder_subjects() {
        let d = details();
        assert_eq!(reminder(&d, 24).subject, "Reminder: your appointment tomorrow at 09:00");
        assert_eq!(reminder(&d, 48).subject, "Reminder: your appointment on Monday 16 November at 09:00");
        assert_eq!(reminder(&d, 2).subject, "Reminder: your appointment in 2 hours");
        assert_eq!(reminder(&d, 1).subject, "Reminder: your appointment in 1 hour");
        assert_eq!(reminder(&d, 6).subject, "Reminder: your appointment today at 09:00");
        // Six hours before 04:00 is the evening before.
        let early = AppointmentDetails { local_start: at(16, 4), local_end: at(16, 5), ..d };
        assert_eq!(reminder(&early, 6).subject, "Reminder: your appointment tomorrow at 04:00");
        assert_names_the_visit(&reminder(&details(), 24));
    }

    #[test]
    fn reminder_counts_real_hours_across_a_clock_change() {
        // Chicago falls back an hour early on Sunday 1 November 2026: 24 real hours before 23:30
        // that evening is 00:30 the same day, not 23:30 the day before.
        let start = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap().and_hms_opt(23, 30, 0).unwrap();
        let d = AppointmentDetails { local_start: start, local_end: start + TimeDelta::minutes(45), ..details() };
        assert_eq!(sent_at(&d, 24), NaiveDate::from_ymd_opt(2026, 11, 1).unwrap().and_hms_opt(0, 30, 0));
        assert_eq!(reminder(&d, 24).subject, "Reminder: your appointment today at 23:30");
        // An unknown zone falls back to wall-clock arithmetic; absurd offsets do not panic.
        let unknown = AppointmentDetails { zone_name: "Mars/Olympus", ..d.clone() };
        assert_eq!(reminder(&unknown, 24).subject, "Reminder: your appointment tomorrow at 23:30");
        assert_eq!(reminder(&d, i64::MAX).subject, "Reminder: your appointment on Sunday 1 November at 23:30");
    }

    #[test]
    fn cancellation_invites_booking_again() {
        let cancelled = cancellation(&details());
        assert_eq!(cancelled.subject, "Your appointment is cancelled");
        assert_names_the_visit(&cancelled);
        assert!(cancelled.text.contains("book a new time in the app or call Riverside PT on +1 217 555 0100"));
        assert!(cancelled.text.contains("Book again: https://app.clinic.example/appointments/0190-abc"));
    }

    #[test]
    fn an_appointment_past_midnight_shows_both_dates() {
        let d = AppointmentDetails { local_start: at(16, 23), local_end: at(17, 0), ..details() };
        assert!(confirmation(&d, false)
            .text
            .contains("Monday 16 November 2026, 23:00 – Tuesday 17 November 2026, 00:00 (America/Chicago)"));
    }

    #[test]
    fn names_are_escaped_in_html_only() {
        let d = AppointmentDetails {
            patient_name: "<Ana & Bo>",
            clinician_name: "Dr. <Lee> & Co",
            clinic_name: "Smith & Jones PT",
            ..details()
        };
        for content in [confirmation(&d, false), reminder(&d, 24), cancellation(&d)] {
            assert!(content.html.contains("Hello &lt;Ana &amp; Bo&gt;,"), "{}", content.html);
            assert!(content.html.contains("Dr. &lt;Lee&gt; &amp; Co"));
            assert!(content.html.contains("Smith &amp; Jones PT"));
            assert!(!content.html.contains("<Ana") && !content.html.contains("<Lee>"));
            assert!(content.text.contains("Hello <Ana & Bo>,") && content.text.contains("Dr. <Lee> & Co"));
        }
    }
}
