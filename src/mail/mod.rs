//! Email: building messages (text and HTML bodies) for the outbox. Delivery transports arrive
//! with the worker.

pub mod account_emails;
pub mod appointment_emails;
pub mod clinical_emails;
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

/// A short message with one call to action, as text and as HTML.
pub(crate) fn with_link(subject: &str, greeting_name: &str, paragraphs: &[&str], action: &str, link: &str) -> Content {
    let mut text = format!("Hello {greeting_name},\n\n");
    for paragraph in paragraphs {
        text.push_str(paragraph);
        text.push_str("\n\n");
    }
    text.push_str(&format!("{action}: {link}\n\n— BackTrack\n"));
    let mut html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.5\"><p>Hello {},</p>",
        escape_html(greeting_name)
    );
    for paragraph in paragraphs {
        html.push_str(&format!("<p>{}</p>", escape_html(paragraph)));
    }
    html.push_str(&format!(
        "<p><a href=\"{}\" style=\"font-weight:bold\">{}</a></p><p>— BackTrack</p></body></html>",
        escape_html(link),
        escape_html(action)
    ));
    Content { subject: subject.to_string(), text, html }
}

/// A link into the app carrying a one-time token, e.g. `{public_url}/reset-password?token=…`.
pub fn link(public_url: &str, page: &str, token: &str) -> String {
    format!("{public_url}/{page}?token={token}")
}

/// A typical account email, numbered: the benchmark's payload, so both paths it compares send the
/// same bytes.
pub fn content_for_benchmark(i: usize) -> Content {
    account_emails::verify_email(
        &format!("Patient {i}"),
        &format!("https://app.backtrack.test/verify-email?token=benchmark-token-{i:08}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let content = with_link("Hi", "<Ana & Bo>", &["Line one."], "Open", "https://x.test/a?b=1&c=2");
        assert!(content.html.contains("&lt;Ana &amp; Bo&gt;"));
        assert!(content.html.contains("https://x.test/a?b=1&amp;c=2"));
        assert!(content.text.contains("Hello <Ana & Bo>,"));
        assert!(content.text.contains("Open: https://x.test/a?b=1&c=2"));
    }
}
