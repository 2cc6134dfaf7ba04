//! Collects every field error of a request body, so one 422 answer names them all.

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
