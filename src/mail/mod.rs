//! Email: building messages (text and HTML bodies) for the outbox. Delivery transports arrive
//! with the worker.

pub mod account_emails;
pub mod appointment_emails;
pub mod clinical_emails;
pub mod deliveries;
pub mod ics;
pub mod reminder_emails;

/// A message's content, before it is addressed and queued.
#[derive(Debug, Clone)]
pub struct Content {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A short message with one call to action, as text and as HTML, signed with the clinic's name
/// (the name in its settings: patients know their clinic, not the software behind it).
pub(crate) fn with_link(
    subject: &str,
    greeting_name: &str,
    paragraphs: &[&str],
    action: &str,
    link: &str,
    clinic: &str,
) -> Content {
    let mut text = format!("Hello {greeting_name},\n\n");
    for paragraph in paragraphs {
        text.push_str(paragraph);
        text.push_str("\n\n");
    }
    text.push_str(&format!("{action}: {link}\n\n— {clinic}\n"));
    let mut html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.5\"><p>Hello {},</p>",
        escape_html(greeting_name)
    );
    for paragraph in paragraphs {
        html.push_str(&format!("<p>{}</p>", escape_html(paragraph)));
    }
    html.push_str(&format!(
        "<p><a href=\"{}\" style=\"font-weight:bold\">{}</a></p><p>— {}</p></body></html>",
        escape_html(link),
        escape_html(action),
        escape_html(clinic)
    ));
    Content { subject: subject.to_string(), text, html }
}

/// A link into the app carrying a one-time token, e.g. `{public_url}/reset-password?token=…`.
pub fn link(public_url: &str, page: &str, token: &str) -> String {
    format!("{public_url}/{page}?token={token}")
}

/// Where an account email's one-time link stands in its stored bodies. The link itself is kept
/// beside them only until the email is settled, so no settled row holds a usable token.
pub const SECRET_LINK_SLOT: &str = "{one-time-link}";

/// `content` with `link` taken out of both bodies (the HTML one holds it escaped).
pub fn seal(content: Content, link: &str) -> Content {
    Content {
        subject: content.subject,
        text: content.text.replace(link, SECRET_LINK_SLOT),
        html: content.html.replace(&escape_html(link), SECRET_LINK_SLOT),
    }
}

/// A stored body as it is sent: the link put back in its place (escaped for HTML). Without the
/// link (a settled row) the placeholder stays.
pub fn unseal(body: &str, link: Option<&str>, html: bool) -> String {
    match link {
        Some(link) if html => body.replace(SECRET_LINK_SLOT, &escape_html(link)),
        Some(link) => body.replace(SECRET_LINK_SLOT, link),
        None => body.to_string(),
    }
}

/// A typical account email, numbered: the benchmark's payload, so both paths it compares send the
/// same bytes.
pub fn content_for_benchmark(i: usize) -> Content {
    account_emails::verify_email(
        "BackTrack clinic",
        &format!("Patient {i}"),
        &format!("https://app.backtrack.test/verify-email?token=benchmark-token-{i:08}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_email_holds_no_link_until_unsealed() {
        let link = "https://x.test/a?b=1&token=secret-42";
        let sealed = seal(with_link("Hi", "Ana", &["Line."], "Open", link, "Clinic"), link);
        assert!(!sealed.text.contains("secret-42") && !sealed.html.contains("secret-42"));
        assert!(unseal(&sealed.text, Some(link), false).contains("Open: https://x.test/a?b=1&token=secret-42"));
        assert!(unseal(&sealed.html, Some(link), true).contains("href=\"https://x.test/a?b=1&amp;token=secret-42\""));
        assert_eq!(unseal(&sealed.text, None, false), sealed.text);
    }

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let content = with_link("Hi", "<Ana & Bo>", &["Line one."], "Open", "https://x.test/a?b=1&c=2", "Smith & Co");
        assert!(content.html.contains("&lt;Ana &amp; Bo&gt;"));
        assert!(content.html.contains("<p>— Smith &amp; Co</p>") && content.text.contains("— Smith & Co\n"));
        assert!(content.html.contains("https://x.test/a?b=1&amp;c=2"));
        assert!(content.text.contains("Hello <Ana & Bo>,"));
        assert!(content.text.contains("Open: https://x.test/a?b=1&c=2"));
    }
}
