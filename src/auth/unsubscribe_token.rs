//! The token in a reminder email's one-click unsubscribe link (RFC 8058). It works without
//! signing in, so it must name exactly one switch of one person and be impossible to forge:
//! `{user id}.{kind}.{HMAC-SHA256 of both}`, keyed with the server's signing secret. Nothing is
//! stored; the link keeps working (a second click changes nothing) until the secret changes.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::secret_token::encode;
use crate::domain::reminders::ReminderKind;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], user_id: &str, kind: ReminderKind) -> HmacSha256 {
    // Domain-separated from the JWTs the same secret signs.
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(b"backtrack-unsubscribe\n");
    mac.update(user_id.as_bytes());
    mac.update(b"\n");
    mac.update(kind.as_str().as_bytes());
    mac
}

pub fn issue(secret: &[u8], user_id: &str, kind: ReminderKind) -> String {
    let tag = mac(secret, user_id, kind).finalize().into_bytes();
    format!("{user_id}.{}.{}", kind.as_str(), encode(&tag))
}

/// The user and the kind a genuine token names; `None` for anything else.
pub fn verify(secret: &[u8], token: &str) -> Option<(String, ReminderKind)> {
    let mut parts = token.rsplitn(3, '.');
    let (tag, kind, user_id) = (parts.next()?, parts.next()?, parts.next()?);
    let kind = ReminderKind::parse(kind)?;
    let tag = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, tag).ok()?;
    // Constant-time comparison.
    mac(secret, user_id, kind).verify_slice(&tag).ok()?;
    Some((user_id.to_string(), kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"a-test-secret-of-at-least-32-bytes!!";

    #[test]
    fn a_token_names_its_user_and_kind() {
        let token = issue(SECRET, "0190-abc", ReminderKind::Exercise);
        assert_eq!(verify(SECRET, &token), Some(("0190-abc".to_string(), ReminderKind::Exercise)));
    }

    #[test]
    fn a_changed_part_or_another_secret_is_refused() {
        let token = issue(SECRET, "0190-abc", ReminderKind::Exercise);
        let other_kind = token.replace(".exercise.", ".check_in.");
        let other_user = token.replace("0190-abc", "0190-abd");
        assert_eq!(verify(SECRET, &other_kind), None);
        assert_eq!(verify(SECRET, &other_user), None);
        assert_eq!(verify(b"another-secret-of-at-least-32-bytes!", &token), None);
        assert_eq!(verify(SECRET, "garbage"), None);
        assert_eq!(verify(SECRET, ""), None);
    }
}
