//! Field checks: collects every field error of an input, so one 422 answer names them all, and
//! the checks every input shares (plausible dates and instants, bounded free text). Handlers and
//! services both use them.

use crate::domain::Invalid;
use crate::error::{ApiError, FieldError};

#[derive(Debug, Default)]
pub struct Checks {
    errors: Vec<FieldError>,
}

impl Checks {
    /// Keeps the value, or records why `field` was refused.
    pub fn field<T>(&mut self, field: &str, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(invalid) => {
                self.errors.push(FieldError::new(field, invalid.code, invalid.message));
                None
            }
        }
    }

    /// Like [`Checks::field`] for an optional input: absent stays `Some(None)`.
    pub fn optional<T, R>(
        &mut self,
        field: &str,
        raw: Option<R>,
        parse: impl FnOnce(R) -> Result<T, Invalid>,
    ) -> Option<Option<T>> {
        match raw {
            None => Some(None),
            Some(raw) => self.field(field, parse(raw)).map(Some),
        }
    }

    /// Records a date outside the calendar's years ([`plausible_date`]); true when it is inside.
    pub fn date(&mut self, field: &str, date: chrono::NaiveDate) -> bool {
        let plausible = plausible_date(field, date).is_ok();
        if !plausible {
            self.fail(field, "out_of_range", "dates are between 2000 and 2099");
        }
        plausible
    }

    pub fn fail(&mut self, field: &str, code: &'static str, message: &str) {
        self.errors.push(FieldError::new(field, code, message));
    }

    /// The parsed values if every field passed, else one validation error naming them all.
    pub fn finish<T>(self, values: impl FnOnce() -> Option<T>) -> Result<T, ApiError> {
        if !self.errors.is_empty() {
            return Err(ApiError::Validation(self.errors));
        }
        values()
            .ok_or_else(|| ApiError::Validation(vec![FieldError::new("body", "invalid", "the request is not valid")]))
    }
}

/// Instants the calendar deals in: from 2000 (in UTC) until 2100 begins in the easternmost zone
/// (UTC+14, at 2099-12-31T10:00Z). Anything earlier is a typo; anything later falls, in some
/// clinic's zone, past the last year the zone data has daylight-saving changes for
/// ([`crate::domain::local_time::LAST_YEAR`]), where clinic times would be read an hour off.
pub fn plausible_instant(
    field: &str,
    t: chrono::DateTime<chrono::Utc>,
) -> Result<chrono::DateTime<chrono::Utc>, ApiError> {
    plausible_date(field, t.date_naive())?;
    if t >= first_instant_past_the_zone_data() {
        return Err(ApiError::field(
            field,
            "out_of_range",
            "instants are before 2099-12-31T10:00:00Z, when 2100 begins in the easternmost time zone",
        ));
    }
    Ok(t)
}

/// The first instant of the year after [`crate::domain::local_time::LAST_YEAR`] at UTC+14.
fn first_instant_past_the_zone_data() -> chrono::DateTime<chrono::Utc> {
    let new_year = chrono::NaiveDate::from_ymd_opt(crate::domain::local_time::LAST_YEAR + 1, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a valid date");
    new_year.and_utc() - chrono::Duration::hours(14)
}

pub fn plausible_date(field: &str, d: chrono::NaiveDate) -> Result<chrono::NaiveDate, ApiError> {
    use chrono::Datelike;
    if (2000..=crate::domain::local_time::LAST_YEAR).contains(&d.year()) {
        Ok(d)
    } else {
        Err(ApiError::field(field, "out_of_range", "dates are between 2000 and 2099"))
    }
}

/// Free text a person typed (a reason, a note): trimmed, at most `max` characters, no control
/// characters but line breaks; empty becomes `None`.
///
/// The length and the characters are checked as sent, so the rule is the document's
/// `maxLength` and `pattern` exactly.
pub fn free_text(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    if raw.chars().count() > max || raw.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ApiError::field(
            field,
            "invalid_format",
            &format!("at most {max} characters, no control characters"),
        ));
    }
    Ok(Some(raw.trim()).filter(|t| !t.is_empty()).map(str::to_string))
}

/// A text field of at most `max` characters and no control characters, as sent; kept trimmed.
pub fn bounded_text(max: usize, required: bool) -> impl Fn(&str) -> Result<String, Invalid> {
    move |raw: &str| {
        // Length and characters as sent: the document's `maxLength` and `pattern`.
        if raw.chars().count() > max || raw.chars().any(char::is_control) {
            return Err(Invalid::new("invalid_format", format!("at most {max} characters, no control characters")));
        }
        let value = raw.trim();
        if required && value.is_empty() {
            return Err(Invalid::new("required", "this is required"));
        }
        Ok(value.to_string())
    }
}

/// A number from `min` to `max`.
pub fn within(min: i64, max: i64) -> impl Fn(i64) -> Result<i64, Invalid> {
    move |value| {
        if (min..=max).contains(&value) {
            Ok(value)
        } else {
            Err(Invalid::new("out_of_range", format!("between {min} and {max}")))
        }
    }
}

#[cfg(test)]
mod instant_tests {
    use super::plausible_instant;
    use chrono::{TimeZone, Utc};

    #[test]
    fn instants_end_where_2100_begins_in_the_easternmost_zone() {
        let ok = Utc.with_ymd_and_hms(2099, 12, 31, 9, 59, 59).unwrap();
        assert!(plausible_instant("start", ok).is_ok());
        // 2099-12-31T12:00Z is already 2100-01-01 in Chatham (UTC+13:45 in summer) and Kiribati.
        for late in [
            Utc.with_ymd_and_hms(2099, 12, 31, 10, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2099, 12, 31, 12, 0, 0).unwrap(),
        ] {
            assert!(plausible_instant("start", late).is_err(), "{late}");
        }
        assert!(plausible_instant("start", Utc.with_ymd_and_hms(1999, 12, 31, 23, 59, 59).unwrap()).is_err());
        assert!(plausible_instant("start", Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap()).is_ok());
    }
}
