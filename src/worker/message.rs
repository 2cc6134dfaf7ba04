//! A leased delivery turned into a MIME message: text and HTML alternatives, attachments, and
//! the Message-ID the API derived from the delivery id.

use base64::Engine;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::Message;

use crate::worker::contract::{Delivery, MailHeader};

pub fn build(delivery: &Delivery, from: &Mailbox) -> Result<Message, String> {
    let to: Mailbox = delivery.recipient.parse().map_err(|e| format!("invalid recipient: {e}"))?;
    let alternative = MultiPart::alternative_plain_html(delivery.text.clone(), delivery.html.clone());
    let body = if delivery.attachments.is_empty() {
        alternative
    } else {
        let mut mixed = MultiPart::mixed().multipart(alternative);
        for attachment in &delivery.attachments {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&attachment.content_base64)
                .map_err(|e| format!("attachment {} is not base64: {e}", attachment.filename))?;
            let content_type = ContentType::parse(&attachment.content_type)
                .map_err(|e| format!("attachment {} has a bad content type: {e}", attachment.filename))?;
            mixed = mixed.singlepart(Attachment::new(attachment.filename.clone()).body(bytes, content_type));
        }
        mixed
    };
    let mut builder = Message::builder()
        .from(sender(delivery, from))
        .to(to)
        .subject(delivery.subject.clone())
        .message_id(Some(delivery.message_id.clone()));
    for header in &delivery.headers {
        builder = builder.raw_header(extra_header(header)?);
    }
    builder.multipart(body).map_err(|e| format!("cannot build the message: {e}"))
}

/// The configured sender address under the clinic's name, when the API gave one. Control
/// characters are dropped; lettre encodes the rest (RFC 2047), so a name cannot add headers.
fn sender(delivery: &Delivery, from: &Mailbox) -> Mailbox {
    let name = delivery.sender_name.as_deref().map(|name| name.chars().filter(|c| !c.is_control()).collect::<String>());
    match name.map(|name| name.trim().to_string()).filter(|name| !name.is_empty()) {
        Some(name) => Mailbox::new(Some(name), from.email.clone()),
        None => from.clone(),
    }
}

/// Only the headers the API is meant to add, with values that cannot smuggle in more headers.
fn extra_header(header: &MailHeader) -> Result<HeaderValue, String> {
    if !ALLOWED_HEADERS.iter().any(|allowed| allowed.eq_ignore_ascii_case(&header.name)) {
        return Err(format!("header {} is not one the worker adds", header.name));
    }
    if header.value.chars().any(|c| c.is_control()) || !header.value.is_ascii() {
        return Err(format!("header {} has a value that is not plain ASCII text", header.name));
    }
    let name = HeaderName::new_from_ascii(header.name.clone()).map_err(|e| format!("header name: {e}"))?;
    Ok(HeaderValue::new(name, header.value.clone()))
}

const ALLOWED_HEADERS: [&str; 2] = ["List-Unsubscribe", "List-Unsubscribe-Post"];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::contract::Attachment as Attached;

    fn delivery() -> Delivery {
        Delivery {
            id: "0190-abc".into(),
            lease_id: "lease".into(),
            lease_expires_at: chrono::Utc::now(),
            kind: "verify_email".into(),
            recipient: "ana@example.org".into(),
            sender_name: None,
            subject: "Confirm your email".into(),
            text: "Hello Ana".into(),
            html: "<p>Hello Ana</p>".into(),
            attachments: vec![],
            headers: vec![],
            message_id: "<0190-abc@clinic.example>".into(),
            attempt: 1,
        }
    }

    #[test]
    fn both_bodies_and_the_message_id_are_in_the_message() {
        let from: Mailbox = "BackTrack <no-reply@clinic.example>".parse().unwrap();
        let raw = String::from_utf8(build(&delivery(), &from).unwrap().formatted()).unwrap();
        assert!(raw.contains("Message-ID: <0190-abc@clinic.example>"), "{raw}");
        assert!(raw.contains("Hello Ana") && raw.contains("<p>Hello Ana</p>"));
        assert!(raw.contains("multipart/alternative"));
    }

    #[test]
    fn the_clinic_name_is_the_display_name_and_cannot_add_headers() {
        let from: Mailbox = "BackTrack <no-reply@clinic.example>".parse().unwrap();
        let mut named = delivery();
        named.sender_name = Some("Riverside Physio".into());
        let raw = String::from_utf8(build(&named, &from).unwrap().formatted()).unwrap();
        assert!(raw.contains("From: \"Riverside Physio\" <no-reply@clinic.example>\r\n"), "{raw}");
        assert!(!raw.contains("BackTrack"), "{raw}");
        named.sender_name = Some("Riverside Physio\r\nBcc: eve@example.org".into());
        let raw = String::from_utf8(build(&named, &from).unwrap().formatted()).unwrap();
        assert!(!raw.lines().any(|line| line.starts_with("Bcc")), "{raw}");
        let from_line = raw.lines().find(|line| line.starts_with("From: ")).unwrap();
        assert!(from_line.ends_with(" <no-reply@clinic.example>"), "{raw}");
        named.sender_name = Some("  ".into());
        let raw = String::from_utf8(build(&named, &from).unwrap().formatted()).unwrap();
        assert!(raw.contains("From: BackTrack <no-reply@clinic.example>\r\n"), "{raw}");
    }

    #[test]
    fn attachments_make_a_mixed_message() {
        let mut with_ics = delivery();
        with_ics.attachments.push(Attached {
            filename: "visit.ics".into(),
            content_type: "text/calendar; method=REQUEST".into(),
            content_base64: base64::engine::general_purpose::STANDARD.encode("BEGIN:VCALENDAR"),
        });
        let from: Mailbox = "no-reply@clinic.example".parse().unwrap();
        let raw = String::from_utf8(build(&with_ics, &from).unwrap().formatted()).unwrap();
        assert!(raw.contains("multipart/mixed") && raw.contains("visit.ics"), "{raw}");
    }

    #[test]
    fn one_click_unsubscribe_headers_are_carried() {
        let mut reminder = delivery();
        reminder.headers = vec![
            MailHeader { name: "List-Unsubscribe".into(), value: "<https://api.test/v1/unsubscribe/t>".into() },
            MailHeader { name: "List-Unsubscribe-Post".into(), value: "List-Unsubscribe=One-Click".into() },
        ];
        let from: Mailbox = "no-reply@clinic.example".parse().unwrap();
        let raw = String::from_utf8(build(&reminder, &from).unwrap().formatted()).unwrap();
        assert!(raw.contains("List-Unsubscribe: <https://api.test/v1/unsubscribe/t>\r\n"), "{raw}");
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"), "{raw}");
    }

    #[test]
    fn other_headers_or_smuggled_lines_are_refused() {
        let from: Mailbox = "no-reply@clinic.example".parse().unwrap();
        let mut other = delivery();
        other.headers = vec![MailHeader { name: "Bcc".into(), value: "eve@example.org".into() }];
        assert!(build(&other, &from).is_err());
        let mut smuggled = delivery();
        smuggled.headers =
            vec![MailHeader { name: "List-Unsubscribe".into(), value: "<https://x>\r\nBcc: eve@example.org".into() }];
        assert!(build(&smuggled, &from).is_err());
    }

    #[test]
    fn a_bad_recipient_cannot_be_built() {
        let mut bad = delivery();
        bad.recipient = "not an address".into();
        let from: Mailbox = "no-reply@clinic.example".parse().unwrap();
        assert!(build(&bad, &from).is_err());
    }
}
