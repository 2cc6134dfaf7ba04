//! A person's name, date of birth and home time zone.

use chrono::NaiveDate;

use super::Invalid;

/// A trimmed name of 1 to 200 characters, with no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullName(String);

impl FullName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        // As sent, so the limit is the document's `maxLength`.
        if raw.chars().count() > 200 {
            return Err(Invalid::new("too_long", "a name has at most 200 characters"));
        }
        let value = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if value.is_empty() {
            return Err(Invalid::new("required", "a name is required"));
        }
        if value.chars().any(char::is_control) {
            return Err(Invalid::new("invalid_format", "a name cannot hold control characters"));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used to search and sort by name, the same on every database.
    pub fn search_key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A date of birth: in the past, and not before 1900.
/// A staff member's title (e.g. "DPT"): at most 120 characters and no control characters, as
/// sent; stored trimmed.
pub fn title(raw: &str) -> Result<String, Invalid> {
    if raw.chars().any(char::is_control) {
        return Err(Invalid::new("invalid_format", "a title cannot hold control characters"));
    }
    if raw.chars().count() > 120 {
        return Err(Invalid::new("too_long", "a title has at most 120 characters"));
    }
    Ok(raw.trim().to_string())
}

pub fn date_of_birth(value: NaiveDate, today: NaiveDate) -> Result<NaiveDate, Invalid> {
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date");
    if value > today {
        return Err(Invalid::new("in_future", "a date of birth cannot be in the future"));
    }
    if value < earliest {
        return Err(Invalid::new("out_of_range", "a date of birth is on or after 1900-01-01"));
    }
    Ok(value)
}

/// An IANA time zone name such as `America/Chicago`.
pub fn time_zone(raw: &str) -> Result<chrono_tz::Tz, Invalid> {
    raw.trim()
        .parse::<chrono_tz::Tz>()
        .map_err(|_| Invalid::new("invalid_time_zone", "not an IANA time zone name, e.g. America/Chicago"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_tidied_and_bounded() {
        assert_eq!(FullName::parse("  Ana   María  López ").unwrap().as_str(), "Ana María López");
        assert_eq!(FullName::parse("Ana López").unwrap().search_key(), "ana lópez");
        assert_eq!(FullName::parse("   ").unwrap_err().code, "required");
        assert_eq!(FullName::parse(&"x".repeat(201)).unwrap_err().code, "too_long");
    }

    #[test]
    fn dates_of_birth_are_plausible() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert!(date_of_birth(NaiveDate::from_ymd_opt(1980, 2, 29).unwrap(), today).is_ok());
        assert_eq!(date_of_birth(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(), today).unwrap_err().code, "in_future");
        assert_eq!(
            date_of_birth(NaiveDate::from_ymd_opt(1899, 12, 31).unwrap(), today).unwrap_err().code,
            "out_of_range"
        );
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(time_zone("Australia/Lord_Howe").unwrap(), chrono_tz::Australia::Lord_Howe);
        assert!(time_zone("Mars/Olympus").is_err());
    }
}
