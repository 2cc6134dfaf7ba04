//! iCalendar (RFC 5545, with the iTIP methods of RFC 5546) for one appointment: the invitation
//! attached to booking, reschedule and cancellation emails, so the visit lands in (or leaves) the
//! patient's calendar.

use crate::worker::contract::Attachment;
use chrono::{DateTime, Utc};

/// The iTIP method: `Request` for bookings and reschedules, `Cancel` for cancellations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Request,
    Cancel,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

/// One appointment as a calendar event. Times are instants; they are written in UTC.
#[derive(Debug, Clone)]
pub struct CalendarEvent<'a> {
    /// The appointment id; rendered as `UID:{uid}@{domain}`, the same for every version of it.
    pub uid: &'a str,
    /// e.g. "clinic.example".
    pub domain: &'a str,
    /// SEQUENCE: goes up on each reschedule (and on the cancellation), so calendars replace the
    /// older version.
    pub sequence: i32,
    pub method: Method,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// DTSTAMP: when this version was made.
    pub stamp: DateTime<Utc>,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    pub organizer_name: &'a str,
    pub organizer_email: &'a str,
    pub attendee_name: &'a str,
    pub attendee_email: Option<&'a str>,
}

/// The longest a physical line may be, in octets, not counting its CRLF (RFC 5545 3.1).
const MAX_LINE_OCTETS: usize = 75;

/// The whole VCALENDAR, CRLF line endings, long lines folded.
pub fn render(event: &CalendarEvent) -> String {
    render_all(std::slice::from_ref(event))
}

/// One VCALENDAR holding every event (a series of visits), each its own VEVENT with its own UID;
/// the method is the first event's.
fn render_all(events: &[CalendarEvent]) -> String {
    let method = events.first().map_or(Method::Request, |e| e.method);
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//BackTrack//Appointments//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        format!("METHOD:{}", method.as_str()),
    ];
    for event in events {
        lines.extend(event_lines(event));
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for line in &lines {
        fold_into(&mut out, line);
    }
    out
}

/// One VCALENDAR with the events of every calendar [`render`] made (a series of visits, each its
/// own VEVENT and UID), under the first one's header.
pub fn merge(calendars: &[String]) -> String {
    let Some(first) = calendars.first() else { return String::new() };
    let header = first.split("BEGIN:VEVENT\r\n").next().unwrap_or_default();
    let mut out = header.to_string();
    for calendar in calendars {
        for block in calendar.split("BEGIN:VEVENT\r\n").skip(1) {
            let body = block.split("END:VEVENT\r\n").next().unwrap_or_default();
            out.push_str("BEGIN:VEVENT\r\n");
            out.push_str(body);
            out.push_str("END:VEVENT\r\n");
        }
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

fn event_lines(event: &CalendarEvent) -> Vec<String> {
    let mut lines: Vec<String> = vec![
        "BEGIN:VEVENT".into(),
        format!("UID:{}", escape_text(&format!("{}@{}", event.uid, event.domain))),
        format!("SEQUENCE:{}", event.sequence),
        format!("DTSTAMP:{}", utc(event.stamp)),
        format!("DTSTART:{}", utc(event.start)),
        format!("DTEND:{}", utc(event.end)),
        format!("SUMMARY:{}", escape_text(event.summary)),
        format!("LOCATION:{}", escape_text(event.location)),
        format!("DESCRIPTION:{}", escape_text(event.description)),
        format!("ORGANIZER;CN={}:mailto:{}", param_value(event.organizer_name), address(event.organizer_email)),
    ];
    if let Some(email) = event.attendee_email {
        let participation = match event.method {
            Method::Request => ";PARTSTAT=NEEDS-ACTION;RSVP=FALSE",
            Method::Cancel => "",
        };
        lines.push(format!(
            "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT{participation}:mailto:{}",
            param_value(event.attendee_name),
            address(email)
        ));
    }
    lines.push(
        match event.method {
            Method::Request => "STATUS:CONFIRMED",
            Method::Cancel => "STATUS:CANCELLED",
        }
        .into(),
    );
    lines.push("TRANSP:OPAQUE".into());
    lines.push("END:VEVENT".into());
    lines
}

/// The outbox's attachments JSON: the invitation as `appointment.ics`.
pub fn attachment_json(ics: &str, method: Method) -> String {
    let content_type = format!("text/calendar; charset=UTF-8; method={}", method.as_str());
    Attachment::to_outbox(&[Attachment::new("appointment.ics", &content_type, ics.as_bytes())])
}

/// UTC in the basic format, e.g. `20261101T150000Z`.
fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, line breaks as `\n`,
/// other control characters (which TEXT may not hold) dropped.
fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (RFC 5545 3.2): double quotes cannot be written, so they are removed, and
/// control characters become spaces; quoted if it holds `:`, `;` or `,`.
fn param_value(value: &str) -> String {
    let cleaned: String = value.chars().filter(|&c| c != '"').map(|c| if c.is_control() { ' ' } else { c }).collect();
    if cleaned.contains([':', ';', ',']) {
        format!("\"{cleaned}\"")
    } else {
        cleaned
    }
}

/// An email address for a `mailto:` URI: whitespace and control characters removed, so it cannot
/// break the line.
fn address(email: &str) -> String {
    email.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect()
}

/// Appends one content line, folded so no physical line exceeds 75 octets: each continuation
/// starts with a single space, and a UTF-8 character is never split.
fn fold_into(out: &mut String, line: &str) {
    let mut budget = MAX_LINE_OCTETS;
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > budget {
            out.push_str("\r\n ");
            // The leading space counts towards the continuation line's 75 octets.
            budget = MAX_LINE_OCTETS - 1;
            used = 0;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn event(method: Method) -> CalendarEvent<'static> {
        CalendarEvent {
            uid: "0190c2a4-7e55-7bb1-9d3e-5c1f2a9e4b10",
            domain: "clinic.example",
            sequence: 2,
            method,
            start: Utc.with_ymd_and_hms(2026, 11, 1, 15, 0, 0).unwrap(),
            end: Utc.with_ymd_and_hms(2026, 11, 1, 16, 0, 0).unwrap(),
            stamp: Utc.with_ymd_and_hms(2026, 10, 20, 8, 30, 5).unwrap(),
            summary: "Comprehensive evaluation with Dr. Lee",
            location: "Riverside PT, 12 Main St, Springfield",
            description: "Manage your appointment in the BackTrack app.",
            organizer_name: "Riverside PT",
            organizer_email: "no-reply@clinic.example",
            attendee_name: "Ana Silva",
            attendee_email: Some("ana@example.org"),
        }
    }

    fn unfold(ics: &str) -> String {
        ics.replace("\r\n ", "")
    }

    fn lines(ics: &str) -> Vec<String> {
        unfold(ics).split("\r\n").map(str::to_string).collect()
    }

    #[test]
    fn a_request_has_the_expected_lines() {
        let ics = render(&event(Method::Request));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'), "bare LF in {ics:?}");
        let lines = lines(&ics);
        for expected in [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//BackTrack//Appointments//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:REQUEST",
            "BEGIN:VEVENT",
            "UID:0190c2a4-7e55-7bb1-9d3e-5c1f2a9e4b10@clinic.example",
            "SEQUENCE:2",
            "DTSTAMP:20261020T083005Z",
            "DTSTART:20261101T150000Z",
            "DTEND:20261101T160000Z",
            "SUMMARY:Comprehensive evaluation with Dr. Lee",
            "LOCATION:Riverside PT\\, 12 Main St\\, Springfield",
            "DESCRIPTION:Manage your appointment in the BackTrack app.",
            "ORGANIZER;CN=Riverside PT:mailto:no-reply@clinic.example",
            "ATTENDEE;CN=Ana Silva;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:ana@example.org",
            "STATUS:CONFIRMED",
            "END:VEVENT",
            "END:VCALENDAR",
        ] {
            assert!(lines.iter().any(|l| l == expected), "missing {expected:?} in:\n{ics}");
        }
        assert_eq!(lines[0], "BEGIN:VCALENDAR");
        assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 1);
    }

    #[test]
    fn a_cancel_keeps_the_uid_and_cancels() {
        let request = lines(&render(&event(Method::Request)));
        let mut cancelled = event(Method::Cancel);
        cancelled.sequence = 3;
        let cancel = lines(&render(&cancelled));
        assert!(cancel.iter().any(|l| l == "METHOD:CANCEL"));
        assert!(cancel.iter().any(|l| l == "STATUS:CANCELLED"));
        assert!(cancel.iter().any(|l| l == "SEQUENCE:3"));
        assert!(!cancel.iter().any(|l| l == "STATUS:CONFIRMED" || l.contains("PARTSTAT")));
        let uid = |ls: &[String]| ls.iter().find(|l| l.starts_with("UID:")).cloned().unwrap();
        assert_eq!(uid(&request), uid(&cancel));
    }

    #[test]
    fn no_attendee_line_without_an_email() {
        let mut no_email = event(Method::Request);
        no_email.attendee_email = None;
        assert!(!render(&no_email).contains("ATTENDEE"));
    }

    #[test]
    fn text_and_parameters_are_escaped() {
        let mut tricky = event(Method::Request);
        tricky.summary = "Back, neck; and \\ more";
        tricky.description = "Line one\nLine two\r\nLine three";
        tricky.organizer_name = "Smith, Jones; \"PT\": Partners";
        tricky.attendee_name = "O\"Brien";
        let lines = lines(&render(&tricky));
        assert!(lines.iter().any(|l| l == "SUMMARY:Back\\, neck\\; and \\\\ more"), "{lines:?}");
        assert!(lines.iter().any(|l| l == "DESCRIPTION:Line one\\nLine two\\nLine three"), "{lines:?}");
        assert!(
            lines.iter().any(|l| l == "ORGANIZER;CN=\"Smith, Jones; PT: Partners\":mailto:no-reply@clinic.example"),
            "{lines:?}"
        );
        assert!(lines.iter().any(|l| l.starts_with("ATTENDEE;CN=OBrien;")), "{lines:?}");
    }

    #[test]
    fn long_multibyte_lines_fold_without_splitting_characters() {
        let description = "Café à côté — 理学療法 🦴 séance, rééducation ".repeat(12);
        let mut long = event(Method::Request);
        long.description = &description;
        let ics = render(&long);
        let physical: Vec<&str> = ics.strip_suffix("\r\n").unwrap().split("\r\n").collect();
        assert!(physical.iter().all(|l| l.len() <= MAX_LINE_OCTETS), "{physical:?}");
        assert!(physical.iter().filter(|l| l.starts_with(' ')).count() > 5);
        let unfolded = lines(&ics);
        let value = unfolded.iter().find_map(|l| l.strip_prefix("DESCRIPTION:")).unwrap();
        assert_eq!(value, escape_text(&description));
        assert_eq!(value.replace("\\,", ","), description);
    }

    #[test]
    fn attachment_json_round_trips() {
        let ics = render(&event(Method::Cancel));
        let json: serde_json::Value = serde_json::from_str(&attachment_json(&ics, Method::Cancel)).unwrap();
        let attachments = json.as_array().unwrap();
        assert_eq!(attachments.len(), 1);
        let attachment = &attachments[0];
        assert_eq!(attachment["filename"], "appointment.ics");
        assert_eq!(attachment["content_type"], "text/calendar; charset=UTF-8; method=CANCEL");
        let bytes = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            attachment["content_base64"].as_str().unwrap(),
        )
        .unwrap();
        assert_eq!(String::from_utf8(bytes).unwrap(), ics);

        let request = attachment_json("BEGIN:VCALENDAR\r\n", Method::Request);
        let parsed: Vec<crate::worker::contract::Attachment> = serde_json::from_str(&request).unwrap();
        assert_eq!(parsed[0].content_type, "text/calendar; charset=UTF-8; method=REQUEST");
    }
}
