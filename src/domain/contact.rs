//! Ways to reach a person: an email address and a phone number, each valid once parsed.

use super::Invalid;

/// A lower-cased, trimmed email address with one `@`, a local part and a dotted domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// The grammar the OpenAPI document states: at most 254 characters as sent (surrounding
    /// whitespace is dropped); an ASCII local part of 1 to 64 of `A-Z a-z 0-9 . ! # $ % & ' * + / =
    /// ? ^ _ ` { | } ~ -`; `@`; a domain of two or more dot-separated labels of `A-Z a-z 0-9 -`.
    /// Stored lower-cased.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.chars().count() > 254 {
            return Err(Invalid::new("too_long", "an email address has at most 254 characters"));
        }
        let value = raw.trim().to_ascii_lowercase();
        if value.is_empty() {
            return Err(Invalid::new("required", "an email address is required"));
        }
        let bad = || Invalid::new("invalid_format", "this is not an email address");
        let (local, domain) = value.split_once('@').ok_or_else(bad)?;
        let local_ok = (1..=64).contains(&local.len())
            && local.chars().all(|c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        if local_ok && domain_ok {
            Ok(Self(value))
        } else {
            Err(bad())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A phone number kept as `+` and digits (or digits only), 7 to 15 digits as E.164 allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let trimmed = raw.trim();
        let plus = trimmed.starts_with('+');
        let rest = if plus { &trimmed[1..] } else { trimmed };
        if !rest.chars().all(|c| c.is_ascii_digit() || " -().".contains(c)) {
            return Err(Invalid::new("invalid_format", "a phone number has digits, spaces, dashes and brackets only"));
        }
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        if !(7..=15).contains(&digits.len()) {
            return Err(Invalid::new("invalid_format", "a phone number has 7 to 15 digits"));
        }
        Ok(Self(if plus { format!("+{digits}") } else { digits }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalised() {
        assert_eq!(EmailAddress::parse("  Ana.Lopez@Example.ORG ").unwrap().as_str(), "ana.lopez@example.org");
    }

    #[test]
    fn bad_emails_are_refused_with_a_reason() {
        assert_eq!(EmailAddress::parse("").unwrap_err().code, "required");
        for bad in
            ["ana", "ana@", "@example.org", "ana@example", "ana@@example.org", "a b@example.org", "ana@example..org"]
        {
            assert_eq!(EmailAddress::parse(bad).unwrap_err().code, "invalid_format", "{bad}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert_eq!(EmailAddress::parse(&long).unwrap_err().code, "too_long");
    }

    #[test]
    fn phone_keeps_plus_and_digits() {
        assert_eq!(PhoneNumber::parse("+1 (312) 555-0142").unwrap().as_str(), "+13125550142");
        assert_eq!(PhoneNumber::parse("312 555 0142").unwrap().as_str(), "3125550142");
        assert!(PhoneNumber::parse("555").is_err());
        assert!(PhoneNumber::parse("call me").is_err());
        assert!(PhoneNumber::parse("+1 312 555 0142 0000 0000").is_err());
    }

    #[test]
    fn email_follows_the_documented_grammar() {
        for good in ["a@b.co", " x.y+tag@mail.example.org ", "o'neil@ex-ample.com", "A_B@Example.ORG"] {
            assert!(EmailAddress::parse(good).is_ok(), "{good}");
        }
        let long = format!("{}@example.org", "a".repeat(65));
        for bad in ["", "ab", "a@b", "a@.b.c", "a@b..c", "a@b.c.", "a b@c.de", "a@b.c*", "é@b.co", "a@b@c.de", &long] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
        let padded = format!("{}a@bc.de", " ".repeat(250));
        assert_eq!(EmailAddress::parse(&padded).unwrap_err().code, "too_long");
    }
}
