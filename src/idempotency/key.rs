//! The `Idempotency-Key` a client sends: 1 to 200 visible ASCII characters.

use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The key as sent (surrounding spaces aside), or a 422 naming the header.
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let key = raw.trim();
        if key.is_empty() || key.len() > 200 || !key.chars().all(|c| c.is_ascii_graphic()) {
            return Err(ApiError::field("Idempotency-Key", "invalid_format", "1 to 200 visible ASCII characters"));
        }
        Ok(Self(key.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_visible_ascii() {
        assert_eq!(IdempotencyKey::parse(" retry-1 ").unwrap().as_str(), "retry-1");
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse("two words").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(201)).is_err());
    }
}
