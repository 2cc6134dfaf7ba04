//! The appointment emails: booked (or moved), reminder, cancelled. They name the visit type, the
//! clinician, the clinic-local time and the clinic, and never any clinical detail (no booking
//! reason, no notes).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{with_link, Content};
use crate::domain::appointment::{reminder_lead, Lead};
use crate::domain::local_time::{clock, is_repeated};

/// What the emails say about one appointment.
#[derive(Debug, Clone)]
pub struct AppointmentDetails<'a> {
    pub patient_name: &'a str,
    /// e.g. "Comprehensive evaluation".
    pub type_name: &'a str,
    pub clinician_name: &'a str,
    /// In the clinic's zone (IANA, e.g. "America/Chicago"), which the emails name.
    pub start: DateTime<Tz>,
    pub end: DateTime<Tz>,
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
        d.clinic_name,
    )
}

/// Sent once when a series of visits is booked: every visit listed, one calendar invitation
/// holding them all. `d` is the first visit; `starts` every visit's start in the clinic's zone.
pub fn series_confirmation(d: &AppointmentDetails, starts: &[DateTime<Tz>]) -> Content {
    let opening = format!("Your {} visits ({}) with {} are booked:", starts.len(), d.type_name, d.clinician_name);
    let mut lines: Vec<String> = vec![opening];
    for (n, start) in starts.iter().enumerate() {
        let visit = AppointmentDetails { start: *start, ..d.clone() };
        lines.push(format!("{}. {}", n + 1, when(&visit)));
    }
    lines.push(format!("Where: {}.", place(d)));
    lines.push(format!("If you need to change or cancel one, you can do so in the app or call {}.", call(d)));
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    with_link("Your visits are booked", d.patient_name, &lines, "View my appointments", d.app_link, d.clinic_name)
}

/// Sent at `due` (see `domain::appointment::reminder_due`), worded from that instant: shortly
/// before ("in 1 hour and 30 minutes"), later that day ("today at 09:00"), the day before
/// ("tomorrow at 09:00"), or further out ("on Monday 16 November at 09:00").
pub fn reminder(d: &AppointmentDetails, due: DateTime<Utc>) -> Content {
    let time = clock(&d.start);
    let relative = match reminder_lead(d.start.timezone(), d.start.with_timezone(&Utc), due) {
        Lead::In(minutes) => format!("in {}", duration_words(minutes)),
        Lead::Today => format!("today at {time}"),
        Lead::Tomorrow => format!("tomorrow at {time}"),
        Lead::On(day) => format!("on {} at {time}", day.format("%A %-d %B")),
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
        d.clinic_name,
    )
}

/// "1 minute", "45 minutes", "2 hours", "1 hour and 30 minutes".
fn duration_words(minutes: i64) -> String {
    let unit = |n: i64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (minutes / 60, minutes % 60) {
        (0, m) => unit(m, "minute"),
        (h, 0) => unit(h, "hour"),
        (h, m) => format!("{} and {}", unit(h, "hour"), unit(m, "minute")),
    }
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
        d.clinic_name,
    )
}

/// "Monday 16 November 2026, 09:00–10:00 (America/Chicago)"; both dates when it spans midnight.
/// A time in a repeated hour carries its UTC offset (see `domain::local_time::clock`):
/// "Sunday 4 April 2027, 01:45 UTC+11:00 – 01:45 UTC+10:30 (Australia/Lord_Howe)".
fn when(d: &AppointmentDetails) -> String {
    const DATE: &str = "%A %-d %B %Y";
    let (start, end, zone) = (clock(&d.start), clock(&d.end), d.start.timezone().name());
    let day = d.start.format(DATE);
    if d.end.date_naive() != d.start.date_naive() {
        format!("{day}, {start} – {}, {end} ({zone})", d.end.format(DATE))
    } else if is_repeated(&d.start) || is_repeated(&d.end) {
        format!("{day}, {start} – {end} ({zone})")
    } else {
        format!("{day}, {start}–{end} ({zone})")
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

/// A waitlist offer: a time freed up; the first to accept within the window gets it.
pub fn waitlist_offer(d: &AppointmentDetails, answer_by: DateTime<Tz>) -> Content {
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
                "It is held for you until {} on {} ({}). After that it is offered to the next person waiting.",
                clock(&answer_by),
                answer_by.format("%A %-d %B"),
                answer_by.timezone().name()
            ),
            &format!("The visit is at {}.", place(d)),
        ],
        "Take this appointment",
        d.app_link,
        d.clinic_name,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::appointment::reminder_due;
    use chrono::{Duration, TimeZone};
    use chrono_tz::America::Chicago;

    fn at(day: u32, hour: u32) -> DateTime<Tz> {
        Chicago.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
    }

    /// The reminder sent `minutes` before the visit, as the outbox schedules it.
    fn reminder_before(d: &AppointmentDetails, minutes: i64) -> Content {
        reminder(d, reminder_due(d.start.timezone(), d.start.with_timezone(&Utc), minutes))
    }

    fn in_zone(zone: Tz, utc: &str) -> DateTime<Tz> {
        DateTime::parse_from_rfc3339(utc).unwrap().with_timezone(&zone)
    }

    fn details() -> AppointmentDetails<'static> {
        AppointmentDetails {
            patient_name: "Ana Silva",
            type_name: "Comprehensive evaluation",
            clinician_name: "Dr. Lee",
            start: at(16, 9),
            end: at(16, 10),
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
        let subject = |minutes| {
            reminder_before(&d, minutes).subject.trim_start_matches("Reminder: your appointment ").to_string()
        };
        assert_eq!(subject(1440), "tomorrow at 09:00");
        assert_eq!(subject(2880), "on Monday 16 November at 09:00");
        assert_eq!(subject(120), "in 2 hours");
        assert_eq!(subject(60), "in 1 hour");
        assert_eq!(subject(360), "today at 09:00");
        // Six hours before 04:00 is the evening before.
        let early = AppointmentDetails { start: at(16, 4), end: at(16, 5), ..details() };
        assert_eq!(reminder_before(&early, 360).subject, "Reminder: your appointment tomorrow at 04:00");
        assert_names_the_visit(&reminder_before(&details(), 1440));
    }

    #[test]
    fn every_offset_a_clinic_may_set_is_worded_truthfully() {
        let d = details();
        let subject = |minutes| {
            reminder_before(&d, minutes).subject.trim_start_matches("Reminder: your appointment ").to_string()
        };
        assert_eq!(subject(1), "in 1 minute");
        assert_eq!(subject(45), "in 45 minutes");
        assert_eq!(subject(61), "in 1 hour and 1 minute");
        assert_eq!(subject(90), "in 1 hour and 30 minutes");
        assert_eq!(subject(150), "in 2 hours and 30 minutes");
        assert_eq!(subject(180), "in 3 hours");
        assert_eq!(subject(239), "in 3 hours and 59 minutes");
        assert_eq!(subject(240), "today at 09:00");
        assert_eq!(subject(541), "tomorrow at 09:00");
        assert_eq!(subject(10_080), "on Monday 16 November at 09:00");
        for minutes in 1..=10_080 {
            let words = subject(minutes);
            if let Some(left) = words.strip_prefix("in ") {
                let (hours, rest) = match left.split_once(" hour") {
                    Some((h, rest)) => (h.parse::<i64>().unwrap(), rest.split_once("and ").map_or("", |(_, m)| m)),
                    None => (0, left),
                };
                let mins = rest.split(' ').next().filter(|m| !m.is_empty()).map_or(0, |m| m.parse::<i64>().unwrap());
                assert_eq!(hours * 60 + mins, minutes, "{words}");
            } else {
                assert!(minutes >= 240 && words.ends_with("at 09:00"), "{minutes}: {words}");
            }
        }
    }

    #[test]
    fn reminder_words_follow_the_instant_it_is_sent_across_a_clock_change() {
        use chrono_tz::Europe::Dublin;
        // Sunday 2027-10-31 23:00 GMT, after the fall-back: the one-day reminder goes out on
        // Saturday at 23:00 (25 real hours before), so the visit is tomorrow, not today.
        let start = Dublin.with_ymd_and_hms(2027, 10, 31, 23, 0, 0).unwrap();
        let d = AppointmentDetails { start, end: start + Duration::minutes(45), ..details() };
        assert_eq!(reminder_before(&d, 1440).subject, "Reminder: your appointment tomorrow at 23:00");
        // Monday 2027-03-29 00:00 IST: the reminder goes out on Sunday at 00:00 (23 hours before).
        let start = Dublin.with_ymd_and_hms(2027, 3, 29, 0, 0, 0).unwrap();
        let d = AppointmentDetails { start, end: start + Duration::minutes(45), ..details() };
        assert_eq!(reminder_before(&d, 1440).subject, "Reminder: your appointment tomorrow at 00:00");
        // Chicago falls back on Sunday 1 November 2026: the reminder for 23:30 that evening goes
        // out on Saturday at 23:30.
        let start = Chicago.with_ymd_and_hms(2026, 11, 1, 23, 30, 0).unwrap();
        let d = AppointmentDetails { start, end: start + Duration::minutes(45), ..details() };
        assert_eq!(reminder_before(&d, 1440).subject, "Reminder: your appointment tomorrow at 23:30");
        assert_eq!(reminder_before(&d, 2880).subject, "Reminder: your appointment on Sunday 1 November at 23:30");
    }

    #[test]
    fn a_visit_in_a_repeated_hour_shows_its_offsets() {
        use chrono_tz::Australia::Lord_Howe;
        // Lord Howe, 2027-04-04: 02:00 (UTC+11) becomes 01:30 (UTC+10:30); a 30-minute visit at
        // the first 01:45 ends at the second.
        let start = in_zone(Lord_Howe, "2027-04-03T14:45:00Z");
        let d = AppointmentDetails { start, end: start + Duration::minutes(30), ..details() };
        let expected = "Sunday 4 April 2027, 01:45 UTC+11:00 – 01:45 UTC+10:30 (Australia/Lord_Howe)";
        for content in [confirmation(&d, false), cancellation(&d), reminder_before(&d, 1440)] {
            assert!(content.text.contains(expected), "{}", content.text);
            assert!(content.html.contains(expected), "{}", content.html);
        }
        assert_eq!(reminder_before(&d, 1440).subject, "Reminder: your appointment tomorrow at 01:45 UTC+11:00");
        let offer = waitlist_offer(&d, in_zone(Lord_Howe, "2027-04-03T15:20:00Z"));
        assert!(offer.text.contains("held for you until 01:50 UTC+10:30 on Sunday 4 April"), "{}", offer.text);
        // An hour later nothing repeats and nothing is added.
        let later =
            AppointmentDetails { start: start + Duration::hours(1), end: start + Duration::minutes(90), ..details() };
        assert!(confirmation(&later, false).text.contains("Sunday 4 April 2027, 02:15–02:45 (Australia/Lord_Howe)"));
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
        let d = AppointmentDetails { start: at(16, 23), end: at(17, 0), ..details() };
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
        for content in [confirmation(&d, false), reminder_before(&d, 1440), cancellation(&d)] {
            assert!(content.html.contains("Hello &lt;Ana &amp; Bo&gt;,"), "{}", content.html);
            assert!(content.html.contains("Dr. &lt;Lee&gt; &amp; Co"));
            assert!(content.html.contains("Smith &amp; Jones PT"));
            assert!(!content.html.contains("<Ana") && !content.html.contains("<Lee>"));
            assert!(content.text.contains("Hello <Ana & Bo>,") && content.text.contains("Dr. <Lee> & Co"));
        }
    }
}
