//! What a new password must be: 8 to 128 characters, and not one of the most common passwords.

use std::collections::HashSet;
use std::sync::OnceLock;

use super::Invalid;

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 128;

static COMMON: OnceLock<HashSet<&'static str>> = OnceLock::new();

fn common_passwords() -> &'static HashSet<&'static str> {
    COMMON.get_or_init(|| {
        include_str!("common_passwords.txt").lines().filter(|line| !line.starts_with('#') && !line.is_empty()).collect()
    })
}

/// A password that passed the policy; it can only be made by [`NewPassword::parse`].
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

impl NewPassword {
    /// `email` is refused as a password too: it is the first thing an attacker tries.
    pub fn parse(raw: &str, email: Option<&str>) -> Result<Self, Invalid> {
        let chars = raw.chars().count();
        if chars < MIN_CHARS {
            return Err(Invalid::new("too_short", format!("a password has at least {MIN_CHARS} characters")));
        }
        if chars > MAX_CHARS {
            return Err(Invalid::new("too_long", format!("a password has at most {MAX_CHARS} characters")));
        }
        let lowered = raw.to_lowercase();
        if common_passwords().contains(lowered.as_str()) {
            return Err(Invalid::new("too_common", "this password is one of the most common; choose another"));
        }
        if email.is_some_and(|email| email.eq_ignore_ascii_case(raw.trim())) {
            return Err(Invalid::new("too_common", "a password cannot be your email address"));
        }
        Ok(Self(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_holds_thousands() {
        assert!(common_passwords().len() > 5_000);
    }

    #[test]
    fn common_passwords_are_refused_in_any_case() {
        assert_eq!(NewPassword::parse("password1", None).unwrap_err().code, "too_common");
        assert_eq!(NewPassword::parse("PassWord1", None).unwrap_err().code, "too_common");
        assert_eq!(NewPassword::parse("qwertyuiop", None).unwrap_err().code, "too_common");
    }

    #[test]
    fn length_bounds() {
        assert_eq!(NewPassword::parse("short7!", None).unwrap_err().code, "too_short");
        assert!(NewPassword::parse(&"Lumbar-hinge-".repeat(5), None).is_ok()); // 65 characters
        assert_eq!(NewPassword::parse(&"x".repeat(129), None).unwrap_err().code, "too_long");
        // Length counts characters, not bytes.
        assert!(NewPassword::parse("ñandú-río-43", None).is_ok());
    }

    #[test]
    fn email_is_not_a_password() {
        assert!(NewPassword::parse("ana@example.org", Some("ana@example.org")).is_err());
        assert!(NewPassword::parse("glute bridge 3x12", Some("ana@example.org")).is_ok());
    }
}
