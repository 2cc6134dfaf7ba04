//! Short-lived access tokens: HS256 JWTs with `iss`, `aud`, `sub`, `exp`, `iat`, `jti`, the role,
//! the user's session version and the sign-in (refresh-token family) they belong to. Only the
//! configured algorithm is accepted (RFC 8725); `exp` and, when present, `nbf` are checked
//! (RFC 7519 §4.1.4–5).

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::domain::role::Role;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub role: Role,
    /// The user's session version: bumped by a password reset or deactivation, which ends every
    /// token issued before it at once.
    pub ver: i32,
    /// The sign-in this token belongs to (its refresh-token family): signing out or a refresh
    /// token's reuse ends the family, and every access token of it with it. Only the in-process
    /// worker's tokens, minted without a sign-in, have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    audience: String,
    ttl_secs: i64,
}

impl JwtKeys {
    pub fn new(secret: &[u8], issuer: &str, audience: &str, ttl_secs: i64) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            ttl_secs,
        }
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    /// A token for `user_id`, of the sign-in `session` (the refresh-token family; `None` only for
    /// a machine user's token).
    pub fn issue(&self, user_id: &str, role: Role, version: i32, session: Option<&str>, now_unix: i64) -> String {
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: user_id.to_string(),
            exp: now_unix + self.ttl_secs,
            iat: now_unix,
            jti: uuid::Uuid::new_v4().to_string(),
            role,
            ver: version,
            sid: session.map(str::to_string),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).expect("HS256 signing cannot fail")
    }

    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 5;
        decode::<Claims>(token, &self.decoding, &validation).ok().map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(b"0123456789abcdef0123456789abcdef", "backtrack", "backtrack-api", 900)
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    #[test]
    fn a_fresh_token_verifies() {
        let token = keys().issue("user-1", Role::Patient, 3, Some("family-1"), now());
        let claims = keys().verify(&token).unwrap();
        assert_eq!(
            (claims.sub.as_str(), claims.role, claims.ver, claims.sid.as_deref()),
            ("user-1", Role::Patient, 3, Some("family-1"))
        );
    }

    #[test]
    fn expired_wrong_audience_and_wrong_issuer_are_refused() {
        assert!(keys().verify(&keys().issue("u", Role::Admin, 0, None, now() - 3600)).is_none());
        let other_aud = JwtKeys::new(b"0123456789abcdef0123456789abcdef", "backtrack", "elsewhere", 900);
        assert!(keys().verify(&other_aud.issue("u", Role::Admin, 0, None, now())).is_none());
        let other_iss = JwtKeys::new(b"0123456789abcdef0123456789abcdef", "someone", "backtrack-api", 900);
        assert!(keys().verify(&other_iss.issue("u", Role::Admin, 0, None, now())).is_none());
        let other_key = JwtKeys::new(b"another secret of thirty-two bytes!!", "backtrack", "backtrack-api", 900);
        assert!(keys().verify(&other_key.issue("u", Role::Admin, 0, None, now())).is_none());
    }

    #[test]
    fn a_token_not_yet_valid_is_refused() {
        let keys = keys();
        let sign = |nbf: i64| {
            let claims = serde_json::json!({"iss": "backtrack", "aud": "backtrack-api", "sub": "u", "exp": now() + 900,
                "iat": now(), "jti": "j", "role": "patient", "ver": 0, "sid": "f", "nbf": nbf});
            encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding).unwrap()
        };
        assert!(keys.verify(&sign(now() + 120)).is_none());
        assert!(keys.verify(&sign(now() - 120)).is_some());
    }
}
