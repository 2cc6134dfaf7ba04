//! What the front desk typed into "find a patient", read as the terms to match.

use chrono::NaiveDate;

use super::Invalid;

/// The longest search accepted, in characters (the document's `maxLength`).
pub const MAX_CHARS: usize = 100;

/// The terms of one patient search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientSearch {
    /// Lower-cased text matched anywhere in the name or the email.
    pub text: String,
    /// The digits of a phone number, when the search looks like one (four digits or more).
    pub phone_digits: Option<String>,
    /// A date of birth, when the search is a `YYYY-MM-DD` date.
    pub date_of_birth: Option<NaiveDate>,
}

impl PatientSearch {
    /// A search for a name as stored (the duplicate check when a patient is created).
    pub fn by_name_key(name_key: String) -> Self {
        Self { text: name_key, phone_digits: None, date_of_birth: None }
    }
}

/// Reads a search: `None` when it is absent or blank. No name, email or phone number holds a
/// control character, and a NUL cannot even be sent to PostgreSQL, so those are refused here,
/// the same on every database.
pub fn parse(raw: Option<&str>) -> Result<Option<PatientSearch>, Invalid> {
    let Some(raw) = raw else { return Ok(None) };
    // As sent, so the bounds are the document's `maxLength` and `pattern`.
    if raw.chars().count() > MAX_CHARS {
        return Err(Invalid::new("too_long", format!("a search has at most {MAX_CHARS} characters")));
    }
    if raw.chars().any(char::is_control) {
        return Err(Invalid::new("invalid_format", "a search cannot hold control characters"));
    }
    let q = raw.trim();
    if q.is_empty() {
        return Ok(None);
    }
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let looks_like_phone = digits.len() >= 4 && q.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    Ok(Some(PatientSearch {
        text: q.to_lowercase(),
        phone_digits: looks_like_phone.then_some(digits),
        date_of_birth: NaiveDate::parse_from_str(q, "%Y-%m-%d").ok(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_searches_are_no_search() {
        assert_eq!(parse(None).unwrap(), None);
        assert_eq!(parse(Some("   ")).unwrap(), None);
    }

    #[test]
    fn a_search_reads_as_text_phone_digits_or_a_date_of_birth() {
        let name = parse(Some(" Ana López ")).unwrap().unwrap();
        assert_eq!((name.text.as_str(), name.phone_digits, name.date_of_birth), ("ana lópez", None, None));
        let phone = parse(Some("(555) 010-2030")).unwrap().unwrap();
        assert_eq!(phone.phone_digits.as_deref(), Some("5550102030"));
        assert_eq!(parse(Some("555")).unwrap().unwrap().phone_digits, None);
        let born = parse(Some("1980-05-17")).unwrap().unwrap();
        assert_eq!(born.date_of_birth, NaiveDate::from_ymd_opt(1980, 5, 17));
    }

    #[test]
    fn control_characters_and_long_searches_are_refused() {
        assert_eq!(parse(Some("a\u{0}b")).unwrap_err().code, "invalid_format");
        assert_eq!(parse(Some("a\tb")).unwrap_err().code, "invalid_format");
        assert_eq!(parse(Some("ab\n")).unwrap_err().code, "invalid_format");
        assert_eq!(parse(Some(&"x".repeat(MAX_CHARS + 1))).unwrap_err().code, "too_long");
        assert_eq!(parse(Some(&" ".repeat(MAX_CHARS + 1))).unwrap_err().code, "too_long");
        assert!(parse(Some(&"é".repeat(MAX_CHARS))).unwrap().is_some());
    }
}
