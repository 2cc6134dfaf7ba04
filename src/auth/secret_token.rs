//! Random bearer secrets (refresh tokens, email links) and the hashes they are stored as.
//!
//! The database only ever holds SHA-256 of a token: a stolen backup cannot be replayed. The
//! tokens carry 256 bits of randomness, so a fast hash is enough (no salt or stretching needed).

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A new random token, URL-safe, 43 characters.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    encode(&bytes)
}

/// What the database stores for `token`.
pub fn hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hash_stably() {
        let a = generate();
        let b = generate();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
        assert_eq!(hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
